// RUN: ptm-opt %s --pass-pipeline='builtin.module(func.func(ptm-write-results-in-place))' | FileCheck %s
// ptm-write-results-in-place: a result copied into its out-parameter from
// reshapes of a buffer is computed in the out-parameter, reshaped back;
// copies where that would change what the function computes stay.

// The logits pattern: computed as [B*T, V], returned as [B, T, V].
// CHECK-LABEL: func.func @expanded(
// CHECK-SAME: %[[IN:.*]]: memref<8x4xf32>, %[[OUT:.*]]: memref<2x4x4xf32>)
// CHECK-NEXT: %[[VIEW:.*]] = memref.collapse_shape %[[OUT]] {{\[}}[0, 1], [2]] : memref<2x4x4xf32> into memref<8x4xf32>
// CHECK-NEXT: linalg.copy ins(%[[IN]] : memref<8x4xf32>) outs(%[[VIEW]] : memref<8x4xf32>)
// CHECK-NEXT: return
func.func @expanded(%in: memref<8x4xf32>, %out: memref<2x4x4xf32>) {
  %buffer = memref.alloc() : memref<8x4xf32>
  linalg.copy ins(%in : memref<8x4xf32>) outs(%buffer : memref<8x4xf32>)
  %result = memref.expand_shape %buffer [[0, 1], [2]] output_shape [2, 4, 4] : memref<8x4xf32> into memref<2x4x4xf32>
  memref.copy %result, %out : memref<2x4x4xf32> to memref<2x4x4xf32>
  return
}

// Two reshapes in a row are undone in reverse order.
// CHECK-LABEL: func.func @two_reshapes(
// CHECK-SAME: %[[IN:.*]]: memref<2x16xf32>, %[[OUT:.*]]: memref<4x8xf32>)
// CHECK-NEXT: %[[FLAT:.*]] = memref.collapse_shape %[[OUT]] {{\[}}[0, 1]] : memref<4x8xf32> into memref<32xf32>
// CHECK-NEXT: %[[VIEW:.*]] = memref.expand_shape %[[FLAT]] {{\[}}[0, 1]] output_shape [2, 16] : memref<32xf32> into memref<2x16xf32>
// CHECK-NEXT: linalg.copy ins(%[[IN]] : memref<2x16xf32>) outs(%[[VIEW]] : memref<2x16xf32>)
// CHECK-NEXT: return
func.func @two_reshapes(%in: memref<2x16xf32>, %out: memref<4x8xf32>) {
  %buffer = memref.alloc() : memref<2x16xf32>
  linalg.copy ins(%in : memref<2x16xf32>) outs(%buffer : memref<2x16xf32>)
  %flat = memref.collapse_shape %buffer [[0, 1]] : memref<2x16xf32> into memref<32xf32>
  %result = memref.expand_shape %flat [[0, 1]] output_shape [4, 8] : memref<32xf32> into memref<4x8xf32>
  memref.copy %result, %out : memref<4x8xf32> to memref<4x8xf32>
  return
}

// The buffer is written after the copy: the out-parameter must keep the
// value from before, so the copy stays.
// CHECK-LABEL: func.func @written_after_copy
// CHECK: memref.alloc
// CHECK: memref.copy
// CHECK: linalg.fill
func.func @written_after_copy(%in: memref<8x4xf32>, %out: memref<2x4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %buffer = memref.alloc() : memref<8x4xf32>
  linalg.copy ins(%in : memref<8x4xf32>) outs(%buffer : memref<8x4xf32>)
  %result = memref.expand_shape %buffer [[0, 1], [2]] output_shape [2, 4, 4] : memref<8x4xf32> into memref<2x4x4xf32>
  memref.copy %result, %out : memref<2x4x4xf32> to memref<2x4x4xf32>
  linalg.fill ins(%zero : f32) outs(%buffer : memref<8x4xf32>)
  return
}

// The out-parameter is also read elsewhere: the copy stays.
// CHECK-LABEL: func.func @target_used_elsewhere
// CHECK: memref.alloc
// CHECK: memref.copy
func.func @target_used_elsewhere(%in: memref<8x4xf32>, %out: memref<2x4x4xf32>, %other: memref<2x4x4xf32>) {
  linalg.copy ins(%out : memref<2x4x4xf32>) outs(%other : memref<2x4x4xf32>)
  %buffer = memref.alloc() : memref<8x4xf32>
  linalg.copy ins(%in : memref<8x4xf32>) outs(%buffer : memref<8x4xf32>)
  %result = memref.expand_shape %buffer [[0, 1], [2]] output_shape [2, 4, 4] : memref<8x4xf32> into memref<2x4x4xf32>
  memref.copy %result, %out : memref<2x4x4xf32> to memref<2x4x4xf32>
  return
}

// A copy from a parameter (not an allocation) into the out-parameter stays.
// CHECK-LABEL: func.func @from_argument
// CHECK: memref.copy
func.func @from_argument(%in: memref<8x4xf32>, %out: memref<2x4x4xf32>) {
  %result = memref.expand_shape %in [[0, 1], [2]] output_shape [2, 4, 4] : memref<8x4xf32> into memref<2x4x4xf32>
  memref.copy %result, %out : memref<2x4x4xf32> to memref<2x4x4xf32>
  return
}

// An out-parameter with a strided layout does not reshape back into the
// buffer's identity layout: the copy stays.
// CHECK-LABEL: func.func @strided_target
// CHECK: memref.alloc
// CHECK: memref.copy
func.func @strided_target(%in: memref<8x4xf32>, %out: memref<2x4x4xf32, strided<[32, 4, 1]>>) {
  %buffer = memref.alloc() : memref<8x4xf32>
  linalg.copy ins(%in : memref<8x4xf32>) outs(%buffer : memref<8x4xf32>)
  %result = memref.expand_shape %buffer [[0, 1], [2]] output_shape [2, 4, 4] : memref<8x4xf32> into memref<2x4x4xf32>
  memref.copy %result, %out : memref<2x4x4xf32> to memref<2x4x4xf32, strided<[32, 4, 1]>>
  return
}
