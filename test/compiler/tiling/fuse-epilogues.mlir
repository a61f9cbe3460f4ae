// RUN: ptm-opt %s --pass-pipeline='builtin.module(func.func(ptm-fuse-epilogues{tile-m=64 tile-n=32 register-tile-n=16 min-tiles=1}))' -split-input-file | FileCheck %s
// RUN: ptm-opt %s --pass-pipeline='builtin.module(func.func(ptm-fuse-epilogues{tile-m=64 tile-n=32 register-tile-n=16 min-tiles=1},ptm-tile{tile-m=64 tile-n=32 register-tile-m=6 register-tile-n=16 vector-width=8 min-tiles=1}))' -split-input-file | FileCheck %s --check-prefix=TILED

// Bias + GELU-like epilogue with a residual: tiled 64 x 32 (ptm-tile's
// tiles for this matmul), the fill and the matmul computed per tile inside
// the forall, the bias and residual read by slice.
// CHECK-LABEL: func.func @bias_residual
// CHECK-SAME: (%[[X:.*]]: tensor<128x96xf32>, %[[W:.*]]: tensor<96x64xf32>, %[[B:.*]]: tensor<64xf32>, %[[R:.*]]: tensor<128x64xf32>)
// CHECK: scf.forall (%[[I:.*]], %[[J:.*]]) = (0, 0) to (128, 64) step (64, 32) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<128x64xf32>)
// CHECK-DAG: %[[XS:.*]] = tensor.extract_slice %[[X]][%[[I]], 0] [64, 96] [1, 1]
// CHECK-DAG: %[[WS:.*]] = tensor.extract_slice %[[W]][0, %[[J]]] [96, 32] [1, 1]
// CHECK: %[[ACC:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<64x32xf32>)
// CHECK: %[[P:.*]] = linalg.matmul ins(%[[XS]], %[[WS]] : tensor<64x96xf32>, tensor<96x32xf32>) outs(%[[ACC]] : tensor<64x32xf32>)
// CHECK-DAG: tensor.extract_slice %[[B]][%[[J]]] [32] [1]
// CHECK-DAG: tensor.extract_slice %[[R]][%[[I]], %[[J]]] [64, 32] [1, 1]
// CHECK: %[[E:.*]] = linalg.generic {{.*}} ins(%[[P]], %{{.*}}, %{{.*}} : tensor<64x32xf32>, tensor<32xf32>, tensor<64x32xf32>)
// CHECK: tensor.parallel_insert_slice %[[E]] into %[[OUT]][%[[I]], %[[J]]] [64, 32] [1, 1]
// CHECK-NOT: linalg.matmul
// The matmul inside the task gets register tiles and no second forall.
// TILED-LABEL: func.func @bias_residual
// TILED: scf.forall
// TILED-NOT: scf.forall
// TILED: vector.contract
// TILED: linalg.generic
// TILED-NOT: linalg.matmul
func.func @bias_residual(%x: tensor<128x96xf32>, %w: tensor<96x64xf32>, %b: tensor<64xf32>, %r: tensor<128x64xf32>) -> tensor<128x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128x64xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<128x64xf32>) -> tensor<128x64xf32>
  %p = linalg.matmul ins(%x, %w : tensor<128x96xf32>, tensor<96x64xf32>) outs(%acc : tensor<128x64xf32>) -> tensor<128x64xf32>
  %o = tensor.empty() : tensor<128x64xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%p, %b, %r : tensor<128x64xf32>, tensor<64xf32>, tensor<128x64xf32>) outs(%o : tensor<128x64xf32>) {
  ^bb0(%pv: f32, %bv: f32, %rv: f32, %out: f32):
    %s = arith.addf %pv, %bv : f32
    %t = math.tanh %s : f32
    %u = arith.addf %t, %rv : f32
    linalg.yield %u : f32
  } -> tensor<128x64xf32>
  return %y : tensor<128x64xf32>
}

// -----

// A product with a second user, or a consumer that reduces, stays apart.
// CHECK-LABEL: func.func @not_fused
// CHECK-NOT: scf.forall
// CHECK: linalg.matmul
// CHECK: linalg.generic
// CHECK: linalg.generic
func.func @not_fused(%x: tensor<128x96xf32>, %w: tensor<96x64xf32>) -> (tensor<128x64xf32>, tensor<128xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128x64xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<128x64xf32>) -> tensor<128x64xf32>
  %p = linalg.matmul ins(%x, %w : tensor<128x96xf32>, tensor<96x64xf32>) outs(%acc : tensor<128x64xf32>) -> tensor<128x64xf32>
  %o = tensor.empty() : tensor<128x64xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%p : tensor<128x64xf32>) outs(%o : tensor<128x64xf32>) {
  ^bb0(%pv: f32, %out: f32):
    %s = arith.addf %pv, %pv : f32
    linalg.yield %s : f32
  } -> tensor<128x64xf32>
  %re = tensor.empty() : tensor<128xf32>
  %rs = linalg.fill ins(%zero : f32) outs(%re : tensor<128xf32>) -> tensor<128xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]}
      ins(%p : tensor<128x64xf32>) outs(%rs : tensor<128xf32>) {
  ^bb0(%pv: f32, %out: f32):
    %s = arith.addf %pv, %out : f32
    linalg.yield %s : f32
  } -> tensor<128xf32>
  return %y, %sum : tensor<128x64xf32>, tensor<128xf32>
}
