// RUN: ptm-opt %s -canonicalize -split-input-file | FileCheck %s
// The ReshapeOp folder.

// An identity reshape folds away.
// CHECK-LABEL: func.func @identity
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK-NOT: ptm.reshape
// CHECK: return %[[X]]
func.func @identity(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = ptm.reshape %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// reshape(reshape(x)) reads x directly; the inner reshape dies.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>)
// CHECK: %[[R:.*]] = ptm.reshape %[[X]] : (tensor<2x4x8xf32>) -> tensor<64xf32>
// CHECK-NOT: ptm.reshape
// CHECK: return %[[R]]
func.func @chain(%x: tensor<2x4x8xf32>) -> tensor<64xf32> {
  %0 = ptm.reshape %x : (tensor<2x4x8xf32>) -> tensor<8x8xf32>
  %1 = ptm.reshape %0 : (tensor<8x8xf32>) -> tensor<64xf32>
  return %1 : tensor<64xf32>
}

// -----

// A chain of three collapses to one reshape.
// CHECK-LABEL: func.func @chain3
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>)
// CHECK: %[[R:.*]] = ptm.reshape %[[X]] : (tensor<2x4x8xf32>) -> tensor<4x16xf32>
// CHECK-NOT: ptm.reshape
// CHECK: return %[[R]]
func.func @chain3(%x: tensor<2x4x8xf32>) -> tensor<4x16xf32> {
  %0 = ptm.reshape %x : (tensor<2x4x8xf32>) -> tensor<8x8xf32>
  %1 = ptm.reshape %0 : (tensor<8x8xf32>) -> tensor<64xf32>
  %2 = ptm.reshape %1 : (tensor<64xf32>) -> tensor<4x16xf32>
  return %2 : tensor<4x16xf32>
}

// -----

// A round trip back to the original shape disappears entirely.
// CHECK-LABEL: func.func @round_trip
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>)
// CHECK-NOT: ptm.reshape
// CHECK: return %[[X]]
func.func @round_trip(%x: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %0 = ptm.reshape %x : (tensor<2x4x8xf32>) -> tensor<8x8xf32>
  %1 = ptm.reshape %0 : (tensor<8x8xf32>) -> tensor<2x4x8xf32>
  return %1 : tensor<2x4x8xf32>
}

// -----

// The inner reshape stays when it has another user.
// CHECK-LABEL: func.func @shared_inner
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>)
// CHECK-DAG: %[[A:.*]] = ptm.reshape %[[X]] : (tensor<2x4x8xf32>) -> tensor<8x8xf32>
// CHECK-DAG: %[[B:.*]] = ptm.reshape %[[X]] : (tensor<2x4x8xf32>) -> tensor<64xf32>
// CHECK: return %[[A]], %[[B]]
func.func @shared_inner(%x: tensor<2x4x8xf32>) -> (tensor<8x8xf32>, tensor<64xf32>) {
  %0 = ptm.reshape %x : (tensor<2x4x8xf32>) -> tensor<8x8xf32>
  %1 = ptm.reshape %0 : (tensor<8x8xf32>) -> tensor<64xf32>
  return %0, %1 : tensor<8x8xf32>, tensor<64xf32>
}

// -----

// A real reshape of a function argument is kept.
// CHECK-LABEL: func.func @kept
// CHECK: ptm.reshape %{{.*}} : (tensor<4x8xf32>) -> tensor<32xf32>
func.func @kept(%x: tensor<4x8xf32>) -> tensor<32xf32> {
  %0 = ptm.reshape %x : (tensor<4x8xf32>) -> tensor<32xf32>
  return %0 : tensor<32xf32>
}
