// RUN: ptm-opt %s | ptm-opt | FileCheck %s --check-prefix=ROUNDTRIP
// RUN: ptm-opt %s --one-shot-bufferize='bufferize-function-boundaries' | FileCheck %s --check-prefix=BUFFERS
// ptm.prefetch: a hint on a tensor that bufferizes into one memref.prefetch
// (read, L2) per 64-byte line of its block, and nothing else.

// ROUNDTRIP-LABEL: func.func @f32_block
// ROUNDTRIP: ptm.prefetch %{{.*}}[%{{.*}}, %{{.*}}] [2, 32] : tensor<64x128xf32>
// 2 rows of 32 f32 = 2 lines each: 4 prefetches, 16 elements apart in a row.
// BUFFERS-LABEL: func.func @f32_block
// BUFFERS-SAME: (%[[W:.*]]: memref<64x128xf32{{.*}}>, %[[ROW:.*]]: index, %[[COL:.*]]: index)
// BUFFERS: memref.prefetch %[[W]][%[[ROW]], %[[COL]]], read, locality<2>, data
// BUFFERS: %[[C16:.*]] = arith.constant 16 : index
// BUFFERS: %[[COL16:.*]] = arith.addi %[[COL]], %[[C16]]
// BUFFERS: memref.prefetch %[[W]][%[[ROW]], %[[COL16]]], read, locality<2>, data
// BUFFERS: %[[C1:.*]] = arith.constant 1 : index
// BUFFERS: %[[ROW1:.*]] = arith.addi %[[ROW]], %[[C1]]
// BUFFERS: memref.prefetch %[[W]][%[[ROW1]], %[[COL]]], read, locality<2>, data
// BUFFERS: memref.prefetch %[[W]][%[[ROW1]], %{{.*}}], read, locality<2>, data
// BUFFERS-NOT: memref.prefetch
// BUFFERS: return
func.func @f32_block(%w: tensor<64x128xf32>, %row: index, %col: index) {
  ptm.prefetch %w[%row, %col] [2, 32] : tensor<64x128xf32>
  return
}

// A bf16 row of 48 elements is 96 bytes: two lines.
// BUFFERS-LABEL: func.func @bf16_row
// BUFFERS-COUNT-2: memref.prefetch
// BUFFERS-NOT: memref.prefetch
// BUFFERS: return
func.func @bf16_row(%w: tensor<8x48xbf16>, %row: index, %col: index) {
  ptm.prefetch %w[%row, %col] [1, 48] : tensor<8x48xbf16>
  return
}
