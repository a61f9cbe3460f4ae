// RUN: ptm-opt %s --ptm-decompose | FileCheck %s
// RUN: ptm-opt %s --ptm-decompose | FileCheck %s --check-prefix=LOWERED
// LOWERED-NOT: ptm.
// Lowering of ptm.dropout and of the dropout inside attention and
// attention_grad (compiler/lowering/LoweringUtils.cpp: dropoutKeeps, dropout).

// CHECK-DAG: #[[ID2:map[0-9]*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ALL2:map[0-9]*]] = affine_map<(d0, d1) -> ()>

// One elementwise generic reading the seed as a scalar: the row-major linear
// index; key = (lo32, hi32) of the seed, counter = (lo32, hi32) of the index,
// the stream, 0; ten Philox rounds (two 32x32->64 products each, with the
// multipliers 0xD2511F53 and 0xCD9E8D57) and nine key bumps (0x9E3779B9,
// 0xBB67AE85); keep while the first word is below ceil(0.75 * 2^32); kept
// values scaled by 1 / 0.75.
// CHECK-LABEL: func.func @dropout
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[S:.*]]: tensor<i64>) -> tensor<2x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID2]], #[[ALL2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[S]] : tensor<2x3xf32>, tensor<i64>)
// CHECK-NEXT: ^bb0(%[[XI:.*]]: f32, %[[SI:.*]]: i64, %{{.*}}: f32):
// CHECK: %[[I0:.*]] = linalg.index 0 : index
// CHECK: %[[C3:.*]] = arith.constant 3 : index
// CHECK-NEXT: %[[ROW:.*]] = arith.muli %{{.*}}, %[[C3]] : index
// CHECK-NEXT: %[[I1:.*]] = linalg.index 1 : index
// CHECK-NEXT: %[[LIN:.*]] = arith.addi %[[ROW]], %[[I1]] : index
// CHECK-NEXT: %[[IDX:.*]] = arith.index_cast %[[LIN]] : index to i64
// CHECK-NEXT: %[[C32:.*]] = arith.constant 32 : i64
// CHECK-NEXT: %[[K0:.*]] = arith.trunci %[[SI]] : i64 to i32
// CHECK-NEXT: %[[SH:.*]] = arith.shrui %[[SI]], %[[C32]] : i64
// CHECK-NEXT: %[[K1:.*]] = arith.trunci %[[SH]] : i64 to i32
// CHECK-NEXT: %[[W0:.*]] = arith.trunci %[[IDX]] : i64 to i32
// CHECK-NEXT: %[[IH:.*]] = arith.shrui %[[IDX]], %[[C32]] : i64
// CHECK-NEXT: %[[W1:.*]] = arith.trunci %[[IH]] : i64 to i32
// CHECK-NEXT: %[[STREAM:.*]] = arith.constant 7 : i32
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK-NEXT: %[[M0:.*]] = arith.constant -766435501 : i32
// CHECK-NEXT: %[[LO0:.*]], %[[HI0:.*]] = arith.mului_extended %[[M0]], %[[W0]] : i32
// CHECK-NEXT: %[[M1:.*]] = arith.constant -845247145 : i32
// CHECK-NEXT: %[[LO1:.*]], %[[HI1:.*]] = arith.mului_extended %[[M1]], %[[STREAM]] : i32
// CHECK-NEXT: %[[A:.*]] = arith.xori %[[HI1]], %[[W1]] : i32
// CHECK-NEXT: arith.xori %[[A]], %[[K0]] : i32
// CHECK-NEXT: %[[B:.*]] = arith.xori %[[HI0]], %[[ZERO]] : i32
// CHECK-NEXT: arith.xori %[[B]], %[[K1]] : i32
// CHECK-NEXT: %[[WEYL0:.*]] = arith.constant -1640531527 : i32
// CHECK-NEXT: arith.addi %[[K0]], %[[WEYL0]] : i32
// CHECK-NEXT: %[[WEYL1:.*]] = arith.constant -1150833019 : i32
// CHECK-NEXT: arith.addi %[[K1]], %[[WEYL1]] : i32
// CHECK-COUNT-18: arith.mului_extended
// CHECK-NOT: arith.mului_extended
// CHECK: %[[WORD:.*]] = arith.extui %{{.*}} : i32 to i64
// CHECK-NEXT: %[[THRESHOLD:.*]] = arith.constant 3221225472 : i64
// CHECK-NEXT: %[[KEEP:.*]] = arith.cmpi ult, %[[WORD]], %[[THRESHOLD]] : i64
// CHECK-NEXT: %[[SCALE:.*]] = arith.constant 1.33333337 : f32
// CHECK-NEXT: %[[SCALED:.*]] = arith.mulf %[[XI]], %[[SCALE]] : f32
// CHECK-NEXT: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[OUT:.*]] = arith.select %[[KEEP]], %[[SCALED]], %[[Z]] : f32
// CHECK-NEXT: linalg.yield %[[OUT]] : f32
func.func @dropout(%x: tensor<2x3xf32>, %s: tensor<i64>) -> tensor<2x3xf32> {
  %0 = ptm.dropout %x, %s {probability = 0.25 : f64, stream = 7 : i64} : (tensor<2x3xf32>, tensor<i64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// Attention: dropout of the [B, H, T, S] probabilities (stream 2, threshold
// 2^31), which then weigh the values.
// CHECK-LABEL: func.func @attention_dropout
// CHECK-SAME: (%[[Q:.*]]: tensor<1x2x4x8xf32>, %[[S:.*]]: tensor<i64>)
// CHECK: %[[P:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<1x2x4x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>)
// CHECK: %[[PD:.*]] = linalg.generic {{.*}} ins(%[[P]], %[[S]] : tensor<1x2x4x4xf32>, tensor<i64>)
// CHECK: arith.constant 2 : i32
// CHECK: arith.constant 2147483648 : i64
// CHECK: %[[PDC:.*]] = tensor.collapse_shape %[[PD]]
// CHECK: linalg.batch_matmul ins(%[[PDC]], %{{.*}} : tensor<2x4x4xf32>, tensor<2x4x8xf32>)
func.func @attention_dropout(%q: tensor<1x2x4x8xf32>, %s: tensor<i64>) -> tensor<1x2x4x8xf32> {
  %0 = ptm.attention %q, %q, %q dropout_seed %s {dropout = 0.5 : f64, dropout_stream = 2 : i64, scale = 0.25 : f64} : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<i64>) -> tensor<1x2x4x8xf32>
  return %0 : tensor<1x2x4x8xf32>
}

// attention_grad regenerates the mask on the collapsed [B*H, T, S]
// probabilities (same linear indices): dV = D(P)ᵀ dO, and dP = D(dO Vᵀ)
// enters the softmax gradient with the undropped P.
// CHECK-LABEL: func.func @attention_grad_dropout
// CHECK-SAME: (%[[G:.*]]: tensor<1x2x4x8xf32>, %[[Q:.*]]: tensor<1x2x4x8xf32>, %[[S:.*]]: tensor<i64>)
// CHECK: %[[P:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2], [3]] : tensor<1x2x4x4xf32> into tensor<2x4x4xf32>
// CHECK: %[[PD:.*]] = linalg.generic {{.*}} ins(%[[P]], %[[S]] : tensor<2x4x4xf32>, tensor<i64>)
// CHECK: arith.constant 2 : i32
// CHECK: %[[DV:.*]] = linalg.batch_matmul {{.*}} ins(%[[PD]], %{{.*}} : tensor<2x4x4xf32>, tensor<2x4x8xf32>)
// CHECK: %[[DPD:.*]] = linalg.batch_matmul {{.*}} -> tensor<2x4x4xf32>
// CHECK: %[[DP:.*]] = linalg.generic {{.*}} ins(%[[DPD]], %[[S]] : tensor<2x4x4xf32>, tensor<i64>)
// CHECK: arith.constant 2 : i32
// CHECK: linalg.generic {{.*}} ins(%[[DP]], %[[P]] : tensor<2x4x4xf32>, tensor<2x4x4xf32>)
func.func @attention_grad_dropout(%g: tensor<1x2x4x8xf32>, %q: tensor<1x2x4x8xf32>, %s: tensor<i64>) -> tensor<1x2x4x8xf32> {
  %0:3 = ptm.attention_grad %g, %q, %q, %q dropout_seed %s {dropout = 0.5 : f64, dropout_stream = 2 : i64, scale = 0.25 : f64} : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<i64>) -> (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>)
  return %0#2 : tensor<1x2x4x8xf32>
}
