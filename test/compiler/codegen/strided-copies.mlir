// RUN: ptm-opt %s --ptm-strided-copies-to-loops | FileCheck %s
// ptm-strided-copies-to-loops: a memref.copy from or to a buffer that is not
// contiguous (memrefCopy in MLIR's C runner library, which the runtime does
// not ship) becomes linalg.copy; contiguous copies stay memref.copy (memcpy).

// Into a strided window (a slice_grad or a concatenation after bufferization).
// CHECK-LABEL: func.func @into_strided
// CHECK-SAME: (%[[SRC:.*]]: memref<2x4x16xf32>, %[[DST:.*]]: memref<2x4x48xf32>)
// CHECK: %[[VIEW:.*]] = memref.subview %[[DST]][0, 0, 16] [2, 4, 16] [1, 1, 1]
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%[[SRC]] : memref<2x4x16xf32>) outs(%[[VIEW]] : memref<2x4x16xf32, strided<[192, 48, 1], offset: 16>>)
// CHECK-NOT: memref.copy
// CHECK: return
func.func @into_strided(%src: memref<2x4x16xf32>, %dst: memref<2x4x48xf32>) {
  %view = memref.subview %dst[0, 0, 16] [2, 4, 16] [1, 1, 1] : memref<2x4x48xf32> to memref<2x4x16xf32, strided<[192, 48, 1], offset: 16>>
  memref.copy %src, %view : memref<2x4x16xf32> to memref<2x4x16xf32, strided<[192, 48, 1], offset: 16>>
  return
}

// Out of a strided window (a column block of a wider matrix).
// CHECK-LABEL: func.func @out_of_strided
// CHECK-SAME: (%[[SRC:.*]]: memref<8x8xf64>, %[[DST:.*]]: memref<4x2xf64>)
// CHECK: %[[VIEW:.*]] = memref.subview %[[SRC]][0, 2] [4, 2] [1, 1]
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%[[VIEW]] : memref<4x2xf64, strided<[8, 1], offset: 2>>) outs(%[[DST]] : memref<4x2xf64>)
// CHECK-NOT: memref.copy
// CHECK: return
func.func @out_of_strided(%src: memref<8x8xf64>, %dst: memref<4x2xf64>) {
  %view = memref.subview %src[0, 2] [4, 2] [1, 1] : memref<8x8xf64> to memref<4x2xf64, strided<[8, 1], offset: 2>>
  memref.copy %view, %dst : memref<4x2xf64, strided<[8, 1], offset: 2>> to memref<4x2xf64>
  return
}

// Strided on both sides, inside a loop: every copy in the function is visited.
// CHECK-LABEL: func.func @both_strided_in_loop
// CHECK: scf.for
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%{{.*}} : memref<4x1xf32, strided<[8, 1], offset: ?>>) outs(%{{.*}} : memref<4x1xf32, strided<[4, 1], offset: ?>>)
// CHECK-NOT: memref.copy
// CHECK: return
func.func @both_strided_in_loop(%src: memref<4x8xf32>, %dst: memref<4x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %a = memref.subview %src[0, %i] [4, 1] [1, 1] : memref<4x8xf32> to memref<4x1xf32, strided<[8, 1], offset: ?>>
    %b = memref.subview %dst[0, %i] [4, 1] [1, 1] : memref<4x4xf32> to memref<4x1xf32, strided<[4, 1], offset: ?>>
    memref.copy %a, %b : memref<4x1xf32, strided<[8, 1], offset: ?>> to memref<4x1xf32, strided<[4, 1], offset: ?>>
  }
  return
}

// Contiguous copies are kept: identity layouts, and a window of whole rows
// (row-major contiguous despite its offset).
// CHECK-LABEL: func.func @contiguous
// CHECK-SAME: (%[[SRC:.*]]: memref<4x8xf32>, %[[DST:.*]]: memref<4x8xf32>, %[[BIG:.*]]: memref<8x8xf32>)
// CHECK-NOT: linalg.copy
// CHECK: memref.copy %[[SRC]], %[[DST]] : memref<4x8xf32> to memref<4x8xf32>
// CHECK: %[[ROWS:.*]] = memref.subview %[[BIG]][4, 0] [4, 8] [1, 1]
// CHECK-NEXT: memref.copy %[[SRC]], %[[ROWS]] : memref<4x8xf32> to memref<4x8xf32, strided<[8, 1], offset: 32>>
// CHECK-NOT: linalg.copy
// CHECK: return
func.func @contiguous(%src: memref<4x8xf32>, %dst: memref<4x8xf32>, %big: memref<8x8xf32>) {
  memref.copy %src, %dst : memref<4x8xf32> to memref<4x8xf32>
  %rows = memref.subview %big[4, 0] [4, 8] [1, 1] : memref<8x8xf32> to memref<4x8xf32, strided<[8, 1], offset: 32>>
  memref.copy %src, %rows : memref<4x8xf32> to memref<4x8xf32, strided<[8, 1], offset: 32>>
  return
}
