// RUN: ptm-opt %s --pass-pipeline='builtin.module(func.func(ptm-free-after-last-use))' | FileCheck %s
// ptm-free-after-last-use: the buffer deallocation pipeline frees a buffer at
// the end of its block; the pass moves the dealloc up to the buffer's last
// use, counting uses through views and inside nested regions, and leaves
// buffers alone whose alias leaves the block.

// A chain of temporaries: each is freed as soon as the next one is written.
// CHECK-LABEL: func.func @chain
// CHECK: %[[T0:.*]] = memref.alloc() : memref<16xf32>
// CHECK-NEXT: linalg.copy ins(%{{.*}} : memref<16xf32>) outs(%[[T0]] : memref<16xf32>)
// CHECK-NEXT: %[[T1:.*]] = memref.alloc() : memref<16xf32>
// CHECK-NEXT: linalg.copy ins(%[[T0]] : memref<16xf32>) outs(%[[T1]] : memref<16xf32>)
// CHECK-NEXT: memref.dealloc %[[T0]] : memref<16xf32>
// CHECK-NEXT: %[[T2:.*]] = memref.alloc() : memref<16xf32>
// CHECK-NEXT: linalg.copy ins(%[[T1]] : memref<16xf32>) outs(%[[T2]] : memref<16xf32>)
// CHECK-NEXT: memref.dealloc %[[T1]] : memref<16xf32>
// CHECK-NEXT: linalg.copy ins(%[[T2]] : memref<16xf32>) outs(%{{.*}} : memref<16xf32>)
// CHECK-NEXT: memref.dealloc %[[T2]] : memref<16xf32>
// CHECK-NEXT: return
func.func @chain(%a: memref<16xf32>, %out: memref<16xf32>) {
  %t0 = memref.alloc() : memref<16xf32>
  linalg.copy ins(%a : memref<16xf32>) outs(%t0 : memref<16xf32>)
  %t1 = memref.alloc() : memref<16xf32>
  linalg.copy ins(%t0 : memref<16xf32>) outs(%t1 : memref<16xf32>)
  %t2 = memref.alloc() : memref<16xf32>
  linalg.copy ins(%t1 : memref<16xf32>) outs(%t2 : memref<16xf32>)
  linalg.copy ins(%t2 : memref<16xf32>) outs(%out : memref<16xf32>)
  memref.dealloc %t0 : memref<16xf32>
  memref.dealloc %t1 : memref<16xf32>
  memref.dealloc %t2 : memref<16xf32>
  return
}

// A use through a reshaped view keeps the buffer alive; so does a use
// inside a loop body, which counts as a use by the loop.
// CHECK-LABEL: func.func @views_and_regions
// CHECK: %[[T:.*]] = memref.alloc() : memref<16xf32>
// CHECK: %[[U:.*]] = memref.alloc() : memref<4x4xf32>
// CHECK: %[[V:.*]] = memref.expand_shape %[[T]]
// CHECK: linalg.copy ins(%[[V]] : memref<4x4xf32>) outs(%[[U]] : memref<4x4xf32>)
// CHECK-NEXT: memref.dealloc %[[T]] : memref<16xf32>
// CHECK: scf.for
// CHECK: memref.load %[[U]]
// CHECK: }
// CHECK-NEXT: memref.dealloc %[[U]] : memref<4x4xf32>
// CHECK-NEXT: linalg.copy
// CHECK-NEXT: return
func.func @views_and_regions(%a: memref<16xf32>, %out: memref<4xf32>, %other: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %t = memref.alloc() : memref<16xf32>
  linalg.copy ins(%a : memref<16xf32>) outs(%t : memref<16xf32>)
  %u = memref.alloc() : memref<4x4xf32>
  %v = memref.expand_shape %t [[0, 1]] output_shape [4, 4] : memref<16xf32> into memref<4x4xf32>
  linalg.copy ins(%v : memref<4x4xf32>) outs(%u : memref<4x4xf32>)
  scf.for %i = %c0 to %c4 step %c1 {
    %x = memref.load %u[%i, %i] : memref<4x4xf32>
    memref.store %x, %out[%i] : memref<4xf32>
  }
  linalg.copy ins(%out : memref<4xf32>) outs(%other : memref<4xf32>)
  memref.dealloc %t : memref<16xf32>
  memref.dealloc %u : memref<4x4xf32>
  return
}

// lower-deallocations frees a strided buffer through its base: the metadata
// op moves with the dealloc.
// CHECK-LABEL: func.func @through_base
// CHECK: %[[T:.*]] = memref.alloc() : memref<16xf32>
// CHECK: linalg.copy ins(%{{.*}}) outs(%[[T]] : memref<16xf32>)
// CHECK-NEXT: %[[BASE:[a-z_0-9]+]], %{{.*}} = memref.extract_strided_metadata %[[T]]
// CHECK-NEXT: memref.dealloc %[[BASE]] : memref<f32>
// CHECK-NEXT: linalg.copy ins(%{{.*}}) outs(%{{.*}})
// CHECK-NEXT: return
func.func @through_base(%a: memref<16xf32>, %b: memref<16xf32>, %out: memref<16xf32>) {
  %t = memref.alloc() : memref<16xf32>
  linalg.copy ins(%a : memref<16xf32>) outs(%t : memref<16xf32>)
  linalg.copy ins(%b : memref<16xf32>) outs(%out : memref<16xf32>)
  %base, %offset, %size, %stride = memref.extract_strided_metadata %t : memref<16xf32> -> memref<f32>, index, index, index
  memref.dealloc %base : memref<f32>
  return
}

// A buffer whose view reaches the terminator, or whose address is taken,
// keeps its dealloc at the end.
// CHECK-LABEL: func.func @escapes
// CHECK: scf.for
// CHECK: %[[T:.*]] = memref.alloc() : memref<16xf32>
// CHECK: %[[CAST:.*]] = memref.cast %[[T]]
// CHECK-NEXT: linalg.copy
// CHECK-NEXT: memref.dealloc %[[T]] : memref<16xf32>
// CHECK-NEXT: scf.yield %[[CAST]]
// CHECK: memref.alloc
// CHECK: memref.extract_aligned_pointer_as_index
// CHECK-NEXT: linalg.copy
// CHECK-NEXT: memref.dealloc
// CHECK-NEXT: return
func.func @escapes(%a: memref<16xf32>, %out: memref<16xf32>, %n: index) -> index {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %init = memref.cast %a : memref<16xf32> to memref<?xf32>
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %init) -> memref<?xf32> {
    %t = memref.alloc() : memref<16xf32>
    %cast = memref.cast %t : memref<16xf32> to memref<?xf32>
    linalg.copy ins(%a : memref<16xf32>) outs(%out : memref<16xf32>)
    memref.dealloc %t : memref<16xf32>
    scf.yield %cast : memref<?xf32>
  }
  %p = memref.alloc() : memref<16xf32>
  %address = memref.extract_aligned_pointer_as_index %p : memref<16xf32> -> index
  linalg.copy ins(%a : memref<16xf32>) outs(%out : memref<16xf32>)
  memref.dealloc %p : memref<16xf32>
  return %address : index
}
