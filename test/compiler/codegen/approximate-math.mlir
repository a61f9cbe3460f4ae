// RUN: ptm-opt %s --ptm-approximate-math | FileCheck %s
// ptm-approximate-math: f32 tanh, erf, exp, expm1, log and log1p (GELU,
// softmax, cross-entropy) become inline polynomial arithmetic, on scalars and
// vectors alike; f64 (gradient checks) and the other math ops stay as they
// are, for libm or LLVM intrinsics.

// CHECK-LABEL: func.func @approximated_f32
// CHECK-NOT: math.tanh
// CHECK-NOT: math.erf
// CHECK-NOT: math.exp
// CHECK-NOT: math.log
// CHECK: math.fma
// CHECK: return
func.func @approximated_f32(%x: f32) -> (f32, f32, f32, f32, f32, f32) {
  %0 = math.tanh %x : f32
  %1 = math.erf %x : f32
  %2 = math.exp %x : f32
  %3 = math.expm1 %x : f32
  %4 = math.log %x : f32
  %5 = math.log1p %x : f32
  return %0, %1, %2, %3, %4, %5 : f32, f32, f32, f32, f32, f32
}

// CHECK-LABEL: func.func @approximated_vector
// CHECK-NOT: math.tanh
// CHECK: math.fma {{.*}} : vector<16xf32>
// CHECK-NOT: math.tanh
// CHECK: return
func.func @approximated_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %0 = math.tanh %x : vector<16xf32>
  return %0 : vector<16xf32>
}

// CHECK-LABEL: func.func @kept
// CHECK: math.tanh %{{.*}} : f64
// CHECK: math.exp %{{.*}} : f64
// CHECK: math.sqrt %{{.*}} : f32
// CHECK: math.rsqrt %{{.*}} : f32
func.func @kept(%x: f64, %y: f32) -> (f64, f64, f32, f32) {
  %0 = math.tanh %x : f64
  %1 = math.exp %x : f64
  %2 = math.sqrt %y : f32
  %3 = math.rsqrt %y : f32
  return %0, %1, %2, %3 : f64, f64, f32, f32
}
