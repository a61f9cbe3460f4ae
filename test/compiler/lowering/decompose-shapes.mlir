// RUN: ptm-opt %s --ptm-decompose | FileCheck %s
// RUN: ptm-opt %s --ptm-decompose | FileCheck %s --check-prefix=LOWERED
// LOWERED-NOT: ptm.
// reshape -> collapse to 1-D then expand; transpose -> linalg.transpose;
// slice -> tensor.extract_slice.

// CHECK-LABEL: func.func @reshape
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>)
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1, 2]] : tensor<2x4x8xf32> into tensor<64xf32>
// CHECK: %[[R:.*]] = tensor.expand_shape %[[FLAT]] {{\[\[}}0, 1]] output_shape [8, 8] : tensor<64xf32> into tensor<8x8xf32>
// CHECK: return %[[R]]
func.func @reshape(%x: tensor<2x4x8xf32>) -> tensor<8x8xf32> {
  %0 = ptm.reshape %x : (tensor<2x4x8xf32>) -> tensor<8x8xf32>
  return %0 : tensor<8x8xf32>
}

// To rank 1: collapse only.
// CHECK-LABEL: func.func @reshape_to_flat
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>)
// CHECK: %[[R:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1, 2]] : tensor<2x4x8xf32> into tensor<64xf32>
// CHECK-NOT: tensor.expand_shape
// CHECK: return %[[R]]
func.func @reshape_to_flat(%x: tensor<2x4x8xf32>) -> tensor<64xf32> {
  %0 = ptm.reshape %x : (tensor<2x4x8xf32>) -> tensor<64xf32>
  return %0 : tensor<64xf32>
}

// From rank 1: expand only.
// CHECK-LABEL: func.func @reshape_from_flat
// CHECK-SAME: (%[[X:.*]]: tensor<64xf64>)
// CHECK-NOT: tensor.collapse_shape
// CHECK: %[[R:.*]] = tensor.expand_shape %[[X]] {{\[\[}}0, 1, 2]] output_shape [4, 2, 8] : tensor<64xf64> into tensor<4x2x8xf64>
// CHECK: return %[[R]]
func.func @reshape_from_flat(%x: tensor<64xf64>) -> tensor<4x2x8xf64> {
  %0 = ptm.reshape %x : (tensor<64xf64>) -> tensor<4x2x8xf64>
  return %0 : tensor<4x2x8xf64>
}

// Split heads: [B, T, H, Dh] -> [B, H, T, Dh].
// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x3x8xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x3x4x8xf32>
// CHECK: %[[R:.*]] = linalg.transpose ins(%[[X]] : tensor<2x4x3x8xf32>) outs(%[[E]] : tensor<2x3x4x8xf32>) permutation = [0, 2, 1, 3]
// CHECK: return %[[R]]
func.func @transpose(%x: tensor<2x4x3x8xf32>) -> tensor<2x3x4x8xf32> {
  %0 = ptm.transpose %x [0, 2, 1, 3] : (tensor<2x4x3x8xf32>) -> tensor<2x3x4x8xf32>
  return %0 : tensor<2x3x4x8xf32>
}

// CHECK-LABEL: func.func @transpose_rotate
// CHECK: linalg.transpose ins(%{{.*}} : tensor<2x3x5xf64>) outs(%{{.*}} : tensor<5x2x3xf64>) permutation = [2, 0, 1]
func.func @transpose_rotate(%x: tensor<2x3x5xf64>) -> tensor<5x2x3xf64> {
  %0 = ptm.transpose %x [2, 0, 1] : (tensor<2x3x5xf64>) -> tensor<5x2x3xf64>
  return %0 : tensor<5x2x3xf64>
}

// The key third of a fused QKV projection.
// CHECK-LABEL: func.func @slice
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x48xf32>)
// CHECK: %[[R:.*]] = tensor.extract_slice %[[X]][0, 0, 16] [2, 4, 16] [1, 1, 1] : tensor<2x4x48xf32> to tensor<2x4x16xf32>
// CHECK: return %[[R]]
func.func @slice(%x: tensor<2x4x48xf32>) -> tensor<2x4x16xf32> {
  %0 = ptm.slice %x [0, 0, 16] : (tensor<2x4x48xf32>) -> tensor<2x4x16xf32>
  return %0 : tensor<2x4x16xf32>
}

// Cached keys joined with the new token's: each input inserted at its offset.
// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[PAST:[^:]*]]: tensor<1x2x7x4xf32>, %[[NEW:[^:]*]]: tensor<1x2x1x4xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x2x8x4xf32>
// CHECK: %[[A:.*]] = tensor.insert_slice %[[PAST]] into %[[E]][0, 0, 0, 0] [1, 2, 7, 4] [1, 1, 1, 1]
// CHECK: %[[B:.*]] = tensor.insert_slice %[[NEW]] into %[[A]][0, 0, 7, 0] [1, 2, 1, 4] [1, 1, 1, 1]
// CHECK: return %[[B]]
func.func @concat(%past: tensor<1x2x7x4xf32>, %new: tensor<1x2x1x4xf32>) -> tensor<1x2x8x4xf32> {
  %0 = ptm.concat %past, %new {dim = 2 : i64} : (tensor<1x2x7x4xf32>, tensor<1x2x1x4xf32>) -> tensor<1x2x8x4xf32>
  return %0 : tensor<1x2x8x4xf32>
}

// First T rows of the position table.
// CHECK-LABEL: func.func @slice_rows
// CHECK: tensor.extract_slice %{{.*}}[0, 0] [4, 8] [1, 1] : tensor<1024x8xf32> to tensor<4x8xf32>
func.func @slice_rows(%wpe: tensor<1024x8xf32>) -> tensor<4x8xf32> {
  %0 = ptm.slice %wpe [0, 0] : (tensor<1024x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// Rank-0 tensors hold one element: they expand or collapse with an empty
// reassociation, and a rank-0 transpose is the identity.
// CHECK-LABEL: func.func @rank0_shapes
// CHECK-SAME: (%[[S:.*]]: tensor<f32>, %[[O:.*]]: tensor<1x1xf32>)
// CHECK: %[[E:.*]] = tensor.expand_shape %[[S]] [] output_shape [1] : tensor<f32> into tensor<1xf32>
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[O]] [] : tensor<1x1xf32> into tensor<f32>
// CHECK: return %[[E]], %[[C]], %[[S]]
func.func @rank0_shapes(%s: tensor<f32>, %o: tensor<1x1xf32>) -> (tensor<1xf32>, tensor<f32>, tensor<f32>) {
  %0 = ptm.reshape %s : (tensor<f32>) -> tensor<1xf32>
  %1 = ptm.reshape %o : (tensor<1x1xf32>) -> tensor<f32>
  %2 = ptm.transpose %s [] : (tensor<f32>) -> tensor<f32>
  return %0, %1, %2 : tensor<1xf32>, tensor<f32>, tensor<f32>
}
