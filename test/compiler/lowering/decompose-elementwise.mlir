// RUN: ptm-opt %s --ptm-decompose | FileCheck %s
// RUN: ptm-opt %s --ptm-decompose | FileCheck %s --check-prefix=LOWERED
// LOWERED-NOT: ptm.
// add, mul, gelu and tanh become all-parallel linalg.generic ops; a broadcast rhs is
// read through a minor-identity map over the trailing loops.

// CHECK-DAG: #[[ID3:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[LAST2:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[LAST1:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[ID2:map[0-9]*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ID1:map[0-9]*]] = affine_map<(d0) -> (d0)>

// CHECK-LABEL: func.func @add_same_shape
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>, %[[Y:.*]]: tensor<2x4x8xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x4x8xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[ID3]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]], %[[Y]] : tensor<2x4x8xf32>, tensor<2x4x8xf32>) outs(%[[E]] : tensor<2x4x8xf32>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[A]], %[[B]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
// CHECK: return %[[R]]
func.func @add_same_shape(%x: tensor<2x4x8xf32>, %y: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %0 = ptm.add %x, %y : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// Position embeddings [T, D] over [B, T, D].
// CHECK-LABEL: func.func @add_positions
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>, %[[P:.*]]: tensor<4x8xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[ID3]], #[[LAST2]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]], %[[P]] : tensor<2x4x8xf32>, tensor<4x8xf32>)
// CHECK: arith.addf
func.func @add_positions(%x: tensor<2x4x8xf32>, %p: tensor<4x8xf32>) -> tensor<2x4x8xf32> {
  %0 = ptm.add %x, %p : (tensor<2x4x8xf32>, tensor<4x8xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// CHECK-LABEL: func.func @mul_trailing
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf64>, %[[S:.*]]: tensor<8xf64>)
// CHECK: linalg.generic {indexing_maps = [#[[ID3]], #[[LAST1]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]], %[[S]] : tensor<2x4x8xf64>, tensor<8xf64>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f64, %[[B:.*]]: f64, %{{.*}}: f64):
// CHECK-NEXT: arith.mulf %[[A]], %[[B]] : f64
// CHECK-NOT: arith.addf
// CHECK: return
func.func @mul_trailing(%x: tensor<2x4x8xf64>, %s: tensor<8xf64>) -> tensor<2x4x8xf64> {
  %0 = ptm.mul %x, %s : (tensor<2x4x8xf64>, tensor<8xf64>) -> tensor<2x4x8xf64>
  return %0 : tensor<2x4x8xf64>
}

// approximate = "none": 0.5 x (1 + erf(x / sqrt(2))).
// CHECK-LABEL: func.func @gelu_erf
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]] : tensor<2x8xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-DAG: %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG: %[[RSQRT2:.*]] = arith.constant 0.707106769 : f32
// CHECK: %[[SC:.*]] = arith.mulf %[[IN]], %[[RSQRT2]] : f32
// CHECK: %[[ERF:.*]] = math.erf %[[SC]] : f32
// CHECK: %[[HX:.*]] = arith.mulf %[[HALF]], %[[IN]] : f32
// CHECK: %[[OP:.*]] = arith.addf %[[ONE]], %[[ERF]] : f32
// CHECK: %[[R:.*]] = arith.mulf %[[HX]], %[[OP]] : f32
// CHECK: linalg.yield %[[R]] : f32
// CHECK-NOT: math.tanh
// CHECK: return
func.func @gelu_erf(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %0 = ptm.gelu %x : tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// approximate = "tanh": 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
// CHECK-LABEL: func.func @gelu_tanh
// CHECK-SAME: (%[[X:.*]]: tensor<3xf64>)
// CHECK: linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]]], iterator_types = ["parallel"]} ins(%[[X]] : tensor<3xf64>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f64, %{{.*}}: f64):
// CHECK: %[[SQ:.*]] = arith.mulf %[[IN]], %[[IN]] : f64
// CHECK: %[[CUBE:.*]] = arith.mulf %[[SQ]], %[[IN]] : f64
// CHECK: %[[C:.*]] = arith.constant 4.471500e-02 : f64
// CHECK: %[[T1:.*]] = arith.mulf %[[C]], %[[CUBE]] : f64
// CHECK: %[[POLY:.*]] = arith.addf %[[IN]], %[[T1]] : f64
// CHECK: %[[K:.*]] = arith.constant 0.79788456080286541 : f64
// CHECK: %[[ARG:.*]] = arith.mulf %[[K]], %[[POLY]] : f64
// CHECK: %[[TANH:.*]] = math.tanh %[[ARG]] : f64
// CHECK: %[[HX:.*]] = arith.mulf %{{.*}}, %[[IN]] : f64
// CHECK: %[[OP:.*]] = arith.addf %{{.*}}, %[[TANH]] : f64
// CHECK: %[[R:.*]] = arith.mulf %[[HX]], %[[OP]] : f64
// CHECK: linalg.yield %[[R]] : f64
// CHECK-NOT: math.erf
// CHECK: return
func.func @gelu_tanh(%x: tensor<3xf64>) -> tensor<3xf64> {
  %0 = ptm.gelu %x {approximate = "tanh"} : tensor<3xf64>
  return %0 : tensor<3xf64>
}

// tanh: math.tanh per element.
// CHECK-LABEL: func.func @tanh
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]] : tensor<2x8xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[T:.*]] = math.tanh %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[T]] : f32
func.func @tanh(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %0 = ptm.tanh %x : tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}
