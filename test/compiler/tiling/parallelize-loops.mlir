// RUN: ptm-opt %s --pass-pipeline='builtin.module(func.func(ptm-parallelize-loops))' | FileCheck %s
// RUN: ptm-opt %s --pass-pipeline='builtin.module(func.func(ptm-parallelize-loops{chunks=2}))' | FileCheck %s --check-prefix=TWO
// ptm-parallelize-loops: the outer parallel loop of a non-contraction op is
// split into equal static chunks in an scf.forall.

#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>

// 40 rows into at most 16 chunks: the smallest divisor of 40 that is at
// least ceil(40 / 16) = 3 is 4, so 10 chunks of 4 rows.
// CHECK-LABEL: func.func @elementwise
// CHECK: scf.forall (%[[I:.*]]) = (0) to (40) step (4) shared_outs(%{{.*}} = %{{.*}}) -> (tensor<40x3xf32>)
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<4x3xf32>) outs(%{{.*}} : tensor<4x3xf32>)
// CHECK: tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%[[I]], 0] [4, 3] [1, 1]
// TWO-LABEL: func.func @elementwise
// TWO: scf.forall (%{{.*}}) = (0) to (40) step (20)
func.func @elementwise(%x: tensor<40x3xf32>) -> tensor<40x3xf32> {
  %e = tensor.empty() : tensor<40x3xf32>
  %0 = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<40x3xf32>) outs(%e : tensor<40x3xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %a : f32
    linalg.yield %s : f32
  } -> tensor<40x3xf32>
  return %0 : tensor<40x3xf32>
}

// A row reduction splits along its rows.
// CHECK-LABEL: func.func @row_sum
// CHECK: scf.forall (%{{.*}}) in (8)
// CHECK: iterator_types = ["parallel", "reduction"]
func.func @row_sum(%x: tensor<8x64xf32>, %init: tensor<8xf32>) -> tensor<8xf32> {
  %0 = linalg.generic {indexing_maps = [#id2, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<8x64xf32>) outs(%init : tensor<8xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// Left alone: a reduction over the outer loop, contractions (ptm-tile's),
// fills, and ops already inside a loop.
// CHECK-LABEL: func.func @untouched
// CHECK-NOT: scf.forall
// CHECK: return
func.func @untouched(%x: tensor<8x64xf32>, %init: tensor<64xf32>, %a: tensor<8x8xf32>, %f: f32) -> (tensor<64xf32>, tensor<8x8xf32>, tensor<8x8xf32>) {
  %0 = linalg.generic {indexing_maps = [#id2, #col], iterator_types = ["reduction", "parallel"]}
      ins(%x : tensor<8x64xf32>) outs(%init : tensor<64xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %v, %acc : f32
    linalg.yield %s : f32
  } -> tensor<64xf32>
  %1 = linalg.matmul ins(%a, %a : tensor<8x8xf32>, tensor<8x8xf32>) outs(%a : tensor<8x8xf32>) -> tensor<8x8xf32>
  %2 = linalg.fill ins(%f : f32) outs(%a : tensor<8x8xf32>) -> tensor<8x8xf32>
  return %0, %1, %2 : tensor<64xf32>, tensor<8x8xf32>, tensor<8x8xf32>
}
