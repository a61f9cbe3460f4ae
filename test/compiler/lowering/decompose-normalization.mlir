// RUN: ptm-opt %s --ptm-decompose | FileCheck %s
// RUN: ptm-opt %s --ptm-decompose | FileCheck %s --check-prefix=LOWERED
// LOWERED-NOT: ptm.
// layer_norm: sum -> mean -> centered sum of squares -> rsqrt(var + eps) ->
// affine map; softmax: max -> exp(x - max) -> sum -> divide. Reductions are
// linalg.generic ops with one "reduction" iterator over the normalised axis.

// CHECK-DAG: #[[ID3:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[ROW:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[COL:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[ID2:map[0-9]*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[MID:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d2)>

// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>, %[[G:.*]]: tensor<8xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[INV_D:.*]] = arith.constant 1.250000e-01 : f32
// Row sums.
// CHECK: %[[ACC:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[ROW]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]] : tensor<2x4x8xf32>) outs(%[[ACC]] : tensor<2x4xf32>)
// CHECK: arith.addf
// Mean = sum / D.
// CHECK: %[[MEAN:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[SUM]] : tensor<2x4xf32>)
// CHECK: arith.mulf %{{.*}}, %[[INV_D]] : f32
// Two-pass variance: sum((x - mean)^2).
// CHECK: %[[SQ:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[ROW]], #[[ROW]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]], %[[MEAN]] : tensor<2x4x8xf32>, tensor<2x4xf32>)
// CHECK-NEXT: ^bb0(%[[XI:.*]]: f32, %[[MI:.*]]: f32, %[[ACCI:.*]]: f32):
// CHECK-NEXT: %[[C:.*]] = arith.subf %[[XI]], %[[MI]] : f32
// CHECK-NEXT: %[[C2:.*]] = arith.mulf %[[C]], %[[C]] : f32
// CHECK-NEXT: %[[NEXT:.*]] = arith.addf %[[C2]], %[[ACCI]] : f32
// CHECK-NEXT: linalg.yield %[[NEXT]] : f32
// CHECK: %[[EPS:.*]] = arith.constant 9.99999974E-6 : f32
// CHECK: %[[INVSTD:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[SQ]] : tensor<2x4xf32>)
// CHECK-NEXT: ^bb0(%[[S:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[VAR:.*]] = arith.mulf %[[S]], %[[INV_D]] : f32
// CHECK-NEXT: %[[VE:.*]] = arith.addf %[[VAR]], %[[EPS]] : f32
// CHECK-NEXT: math.rsqrt %[[VE]] : f32
// Normalise and apply weight and bias, read per column.
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[ROW]], #[[ROW]], #[[COL]], #[[COL]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]], %[[MEAN]], %[[INVSTD]], %[[G]], %[[B]] :
// CHECK-NEXT: ^bb0(%[[XI:.*]]: f32, %[[MI:.*]]: f32, %[[RI:.*]]: f32, %[[GI:.*]]: f32, %[[BI:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[C:.*]] = arith.subf %[[XI]], %[[MI]] : f32
// CHECK-NEXT: %[[N:.*]] = arith.mulf %[[C]], %[[RI]] : f32
// CHECK-NEXT: %[[NG:.*]] = arith.mulf %[[N]], %[[GI]] : f32
// CHECK-NEXT: %[[OUT:.*]] = arith.addf %[[NG]], %[[BI]] : f32
// CHECK-NEXT: linalg.yield %[[OUT]] : f32
// CHECK: return %[[R]]
func.func @layer_norm(%x: tensor<2x4x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<2x4x8xf32> {
  %0 = ptm.layer_norm %x, %g, %b {epsilon = 1.0e-5 : f64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// The epsilon attribute reaches the body at the element type's precision.
// CHECK-LABEL: func.func @layer_norm_f64
// CHECK-DAG: arith.constant 6.250000e-02 : f64
// CHECK-DAG: arith.constant 9.9999999999999998E-13 : f64
// CHECK: math.rsqrt %{{.*}} : f64
func.func @layer_norm_f64(%x: tensor<3x16xf64>, %g: tensor<16xf64>, %b: tensor<16xf64>) -> tensor<3x16xf64> {
  %0 = ptm.layer_norm %x, %g, %b {epsilon = 1.0e-12 : f64} : (tensor<3x16xf64>, tensor<16xf64>, tensor<16xf64>) -> tensor<3x16xf64>
  return %0 : tensor<3x16xf64>
}

// Softmax over a middle axis: the reduction iterator is that axis.
// CHECK-LABEL: func.func @softmax_axis1
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>)
// CHECK: %[[LOWEST:.*]] = arith.constant -3.40282347E+38 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[LOWEST]] : f32) outs(%{{.*}} : tensor<2x8xf32>)
// CHECK: %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[MID]]], iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[X]] : tensor<2x4x8xf32>) outs(%[[INIT]] : tensor<2x8xf32>)
// CHECK: arith.maximumf
// CHECK: %[[EXP:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[MID]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]], %[[MAX]] : tensor<2x4x8xf32>, tensor<2x8xf32>)
// CHECK-NEXT: ^bb0(%[[XI:.*]]: f32, %[[MI:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[D:.*]] = arith.subf %[[XI]], %[[MI]] : f32
// CHECK-NEXT: math.exp %[[D]] : f32
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[MID]]], iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[EXP]] : tensor<2x4x8xf32>)
// CHECK: arith.addf
// CHECK: %[[R:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[EXP]], %[[SUM]], %{{.*}} :
// CHECK-NEXT: ^bb0(%[[E:[a-z0-9_]+]]: f32, %[[S:[a-z0-9_]+]]: f32,
// CHECK-NEXT: %[[P:.*]] = arith.divf %[[E]], %[[S]] : f32
// Plain softmax does not zero hidden rows (that is attention's business).
// CHECK-NEXT: linalg.yield %[[P]] : f32
// CHECK: return %[[R]]
func.func @softmax_axis1(%x: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %0 = ptm.softmax %x {axis = 1 : i64} : tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// Softmax over the last axis, in f64: the lowest f64 starts the max.
// CHECK-LABEL: func.func @softmax_last_f64
// CHECK: %[[LOWEST:.*]] = arith.constant -1.7976931348623157E+308 : f64
// CHECK: linalg.fill ins(%[[LOWEST]] : f64) outs(%{{.*}} : tensor<3xf64>)
// CHECK: linalg.generic {indexing_maps = [#[[ID2]], #{{map[0-9]*}}], iterator_types = ["parallel", "reduction"]}
// CHECK: arith.maximumf %{{.*}} : f64
// CHECK: math.exp %{{.*}} : f64
// CHECK: arith.divf %{{.*}} : f64
func.func @softmax_last_f64(%x: tensor<3x5xf64>) -> tensor<3x5xf64> {
  %0 = ptm.softmax %x {axis = 1 : i64} : tensor<3x5xf64>
  return %0 : tensor<3x5xf64>
}
