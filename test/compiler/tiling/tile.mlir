// RUN: ptm-opt %s --pass-pipeline='builtin.module(func.func(ptm-tile))' | FileCheck %s --check-prefix=DEFAULT
// RUN: ptm-opt %s --pass-pipeline='builtin.module(func.func(ptm-tile{tile-m=8 tile-n=16 tile-k=4}))' | FileCheck %s --check-prefix=SMALL
// RUN: ptm-opt %s --pass-pipeline='builtin.module(func.func(ptm-tile{register-tile-m=6 register-tile-n=16 vector-width=8}))' | FileCheck %s --check-prefix=AVX2
// RUN: ptm-opt %s --pass-pipeline='builtin.module(func.func(ptm-tile{pack-rhs=false}))' | FileCheck %s --check-prefix=NOPACK
// RUN: ptm-opt %s --pass-pipeline='builtin.module(func.func(ptm-tile{prefetch-rhs=false}))' | FileCheck %s --check-prefix=NOPREFETCH
// NOPREFETCH-NOT: ptm.prefetch
// ptm-tile: output tiles (tile-m x tile-n) in an scf.forall, the reduction in
// tile-k steps in an scf.for inside it; each tile becomes a linalg.generic
// whose innermost loop runs along the contiguous dimension:
//   rhs [K, N] -> loops (m, k, n), fastmath<contract>
//   rhs [N, K] -> loops (m, n, k), fastmath<reassoc,contract> (a dot product)

// For loops (m, k, n): lhs (m, k) = (d0, d1), rhs (k, n) = (d1, d2), out (m, n) = (d0, d2).
// DEFAULT-DAG: #[[MK:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// DEFAULT-DAG: #[[KN:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// DEFAULT-DAG: #[[MN:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// SMALL-DAG: #[[MK:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// SMALL-DAG: #[[KN:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// SMALL-DAG: #[[MN:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// For loops (b, m, k, n).
// SMALL-DAG: #[[BMK:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// SMALL-DAG: #[[BKN:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// SMALL-DAG: #[[BMN:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>

// Default tiles: all 128 rows (up to 512) by 128 columns, narrowed to 64 so
// that the matmul has 8 output tiles for the thread pool; K in steps of 256.
// The forall runs over columns only. A plain matmul whose output tile
// divides into 8 x 32 register tiles first copies each 256 x 64 rhs tile
// into 2 contiguous panels of 32 columns ([2, 256, 32], one row of 32 per
// copy, as two 16-lane vectors), then, panel by panel, keeps each register
// tile's accumulator in registers across the k loop (two vector<8x16>: 32
// lanes are two AVX-512 registers) and multiplies with vector.contract
// against the panel.
// DEFAULT-LABEL: func.func @matmul
// DEFAULT-SAME: (%[[A:.*]]: tensor<128x512xf32>, %[[B:.*]]: tensor<512x512xf32>, %[[C:.*]]: tensor<128x512xf32>)
// DEFAULT-DAG: %[[C0:.*]] = arith.constant 0 : index
// DEFAULT-DAG: %[[C1:.*]] = arith.constant 1 : index
// DEFAULT-DAG: %[[C2:.*]] = arith.constant 2 : index
// DEFAULT-DAG: %[[C8:.*]] = arith.constant 8 : index
// DEFAULT-DAG: %[[C16:.*]] = arith.constant 16 : index
// DEFAULT-DAG: %[[C128:.*]] = arith.constant 128 : index
// DEFAULT-DAG: %[[C256:.*]] = arith.constant 256 : index
// DEFAULT-DAG: %[[C512:.*]] = arith.constant 512 : index
// DEFAULT: %[[R:.*]] = scf.forall (%[[J:.*]]) = (0) to (512) step (64) shared_outs(%[[OUT:.*]] = %[[C]]) -> (tensor<128x512xf32>)
// DEFAULT: %[[COLS:.*]] = tensor.extract_slice %[[B]][0, %[[J]]] [512, 64] [1, 1]
// DEFAULT: %[[ACC:.*]] = tensor.extract_slice %[[OUT]][0, %[[J]]] [128, 64] [1, 1]
// DEFAULT: %[[T:.*]] = scf.for %[[K:.*]] = %[[C0]] to %[[C512]] step %[[C256]] iter_args(%{{.*}} = %[[ACC]]) -> (tensor<128x64xf32>)
// DEFAULT: %[[RHS_TILE:.*]] = tensor.extract_slice %[[COLS]][%[[K]], 0] [256, 64] [1, 1]
// DEFAULT: %[[GROUPED:.*]] = tensor.expand_shape %[[RHS_TILE]] {{\[\[}}0], [1, 2]] output_shape [256, 2, 32]
// DEFAULT: %[[EMPTY:.*]] = tensor.empty() : tensor<2x256x32xf32>
// DEFAULT: %[[PANELS:.*]] = scf.for %[[ROW:.*]] = %[[C0]] to %[[C256]] step %[[C1]] iter_args(%{{.*}} = %[[EMPTY]])
// DEFAULT: scf.for %[[PANEL:.*]] = %[[C0]] to %[[C2]] step %[[C1]]
// DEFAULT: %[[LOW:.*]] = vector.transfer_read %[[GROUPED]][%[[ROW]], %[[PANEL]], %[[C0]]]{{.*}} : tensor<256x2x32xf32>, vector<1x1x16xf32>
// DEFAULT: %[[HIGH:.*]] = vector.transfer_read %[[GROUPED]][%[[ROW]], %[[PANEL]], %[[C16]]]{{.*}} : tensor<256x2x32xf32>, vector<1x1x16xf32>
// DEFAULT: vector.transfer_write %[[LOW]]
// DEFAULT: vector.transfer_write %[[HIGH]]
// DEFAULT: scf.for %[[P:.*]] = %[[C0]] to %[[C2]] step %[[C1]]
// DEFAULT: scf.for %{{.*}} = %[[C0]] to %[[C128]] step %[[C8]]
// The weight tile that the next k step packs, 8 of its 256 rows per
// register tile (2 panels x 16 register tiles of rows).
// DEFAULT: ptm.prefetch %[[B]][%{{.*}}, %{{.*}}] [8, 64] : tensor<512x512xf32>
// DEFAULT: %[[INIT_LOW:.*]] = vector.transfer_read {{.*}} : tensor<8x32xf32>, vector<8x16xf32>
// DEFAULT: %[[INIT_HIGH:.*]] = vector.transfer_read {{.*}} : tensor<8x32xf32>, vector<8x16xf32>
// DEFAULT: scf.for %[[KK:.*]] = %[[C0]] to %[[C256]] step %[[C1]] iter_args({{.*}}%[[VLOW:[a-z0-9_]+]] = %[[INIT_LOW]], %[[VHIGH:[a-z0-9_]+]] = %[[INIT_HIGH]])
// DEFAULT-DAG: %[[LHS:.*]] = vector.transfer_read %[[A]]{{.*}} : tensor<128x512xf32>, vector<8x1xf32>
// DEFAULT-DAG: %[[RLOW:.*]] = vector.transfer_read %[[PANELS]][%[[P]], %[[KK]], %[[C0]]]{{.*}} : tensor<2x256x32xf32>, vector<1x16xf32>
// DEFAULT-DAG: %[[RHIGH:.*]] = vector.transfer_read %[[PANELS]][%[[P]], %[[KK]], %[[C16]]]{{.*}} : tensor<2x256x32xf32>, vector<1x16xf32>
// Row by row: each row's lhs element meets both halves of the panel row.
// DEFAULT: %[[A0:.*]] = vector.extract %[[LHS]][0] : vector<1xf32> from vector<8x1xf32>
// DEFAULT: %[[A0V:.*]] = vector.shape_cast %[[A0]] : vector<1xf32> to vector<1x1xf32>
// DEFAULT: %[[LOW0:.*]] = vector.extract %[[VLOW]][0] : vector<16xf32> from vector<8x16xf32>
// DEFAULT: %[[LOW0V:.*]] = vector.shape_cast %[[LOW0]]
// DEFAULT: vector.contract {{.*}} %[[A0V]], %[[RLOW]], %[[LOW0V]] : vector<1x1xf32>, vector<1x16xf32> into vector<1x16xf32>
// DEFAULT: vector.extract %[[VHIGH]][0] : vector<16xf32> from vector<8x16xf32>
// DEFAULT: vector.contract {{.*}} %[[RHIGH]], %{{.*}} : vector<1x1xf32>, vector<1x16xf32> into vector<1x16xf32>
// DEFAULT: vector.extract %[[LHS]][1] : vector<1xf32> from vector<8x1xf32>
// DEFAULT: vector.contract {{.*}} %[[RLOW]], %{{.*}} : vector<1x1xf32>, vector<1x16xf32> into vector<1x16xf32>
// DEFAULT: vector.transfer_write {{.*}} : vector<8x16xf32>, tensor<8x32xf32>
// DEFAULT: vector.transfer_write {{.*}} : vector<8x16xf32>, tensor<8x32xf32>
// DEFAULT: scf.forall.in_parallel
// DEFAULT-NEXT: tensor.parallel_insert_slice %[[T]] into %[[OUT]][0, %[[J]]] [128, 64] [1, 1]
// DEFAULT-NOT: linalg.
// DEFAULT: return %[[R]]
// The register tile for AVX2 hosts: 6 rows of vector<16xf32>, panels of 16,
// split into 8-lane vectors by the run's vector-width. 128 rows are 21
// register tiles of 6 rows and one of the 2 left over.
// AVX2-DAG: %[[C6:.*]] = arith.constant 6 : index
// AVX2-DAG: %[[C126:.*]] = arith.constant 126 : index
// AVX2: scf.forall {{.*}} step (64)
// AVX2: tensor.empty() : tensor<4x256x16xf32>
// AVX2: scf.for %{{.*}} = %{{.*}} to %[[C126]] step %[[C6]]
// AVX2: vector.transfer_read {{.*}} : tensor<6x16xf32>, vector<6x8xf32>
// AVX2: vector.contract {{.*}} : vector<1x1xf32>, vector<1x8xf32> into vector<1x8xf32>
// AVX2: vector.contract {{.*}} : vector<1x1xf32>, vector<1x8xf32> into vector<1x8xf32>
// AVX2: vector.transfer_write {{.*}} : vector<6x8xf32>, tensor<6x16xf32>
// AVX2: %[[LAST:.*]] = tensor.extract_slice %{{.*}}[126, %{{.*}}] [2, 16] [1, 1] : tensor<128x64xf32> to tensor<2x16xf32>
// AVX2: vector.transfer_read %[[LAST]]{{.*}} : tensor<2x16xf32>, vector<2x8xf32>
// AVX2: vector.transfer_read {{.*}} : tensor<128x512xf32>, vector<2x1xf32>
// AVX2: vector.contract {{.*}} : vector<1x1xf32>, vector<1x8xf32> into vector<1x8xf32>
// AVX2: vector.transfer_write {{.*}} : vector<2x8xf32>, tensor<2x16xf32>
// Without packing the register tiles read the rhs where it lies.
// NOPACK-LABEL: func.func @matmul
// NOPACK-SAME: (%{{.*}}: tensor<128x512xf32>, %[[B:.*]]: tensor<512x512xf32>, %{{.*}}: tensor<128x512xf32>)
// NOPACK-NOT: tensor.empty
// NOPACK: vector.transfer_read %[[B]]{{.*}} : tensor<512x512xf32>, vector<1x16xf32>
// NOPACK: vector.contract {{.*}} : vector<1x1xf32>, vector<1x16xf32> into vector<1x16xf32>
// NOPACK: return

// With a 16-column tile the register tile does not fit: a generic with loops
// (m, k, n) on 8 x 4 x 16 tiles.
// SMALL-LABEL: func.func @matmul
// SMALL-DAG: %[[C512:.*]] = arith.constant 512 : index
// SMALL-DAG: %[[C4:.*]] = arith.constant 4 : index
// SMALL: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (128, 512) step (8, 16)
// SMALL: scf.for %{{.*}} = %{{.*}} to %[[C512]] step %[[C4]] iter_args(%{{.*}}) -> (tensor<8x16xf32>)
// SMALL: linalg.generic {indexing_maps = [#[[MK]], #[[KN]], #[[MN]]], iterator_types = ["parallel", "reduction", "parallel"]}
// SMALL-SAME: ins(%{{.*}}, %{{.*}} : tensor<8x4xf32>, tensor<4x16xf32>) outs(%{{.*}} : tensor<8x16xf32>)
// SMALL-NOT: linalg.matmul
// SMALL: return
func.func @matmul(%a: tensor<128x512xf32>, %b: tensor<512x512xf32>, %c: tensor<128x512xf32>) -> tensor<128x512xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<128x512xf32>, tensor<512x512xf32>) outs(%c : tensor<128x512xf32>) -> tensor<128x512xf32>
  return %0 : tensor<128x512xf32>
}

// rhs stored [N, K] (a torch Linear weight): loops (m, n, k), reassociable sum.
// SMALL-LABEL: func.func @matmul_transposed_rhs
// SMALL: scf.forall (%{{.*}}, %[[J:.*]]) = (0, 0) to (32, 48) step (8, 16)
// SMALL: %[[COLS:.*]] = tensor.extract_slice %{{.*}}[%[[J]], 0] [16, 64] [1, 1] : tensor<48x64xf32> to tensor<16x64xf32>
// SMALL: scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// SMALL: tensor.extract_slice %[[COLS]][0, %[[K]]] [16, 4] [1, 1]
// SMALL: linalg.generic {indexing_maps = [#[[MN]], #[[KN]], #[[MK]]], iterator_types = ["parallel", "parallel", "reduction"]}
// SMALL-SAME: ins(%{{.*}}, %{{.*}} : tensor<8x4xf32>, tensor<16x4xf32>) outs(%{{.*}} : tensor<8x16xf32>)
// SMALL: arith.mulf %{{.*}}, %{{.*}} fastmath<reassoc,contract> : f32
// SMALL: arith.addf %{{.*}}, %{{.*}} fastmath<reassoc,contract> : f32
// SMALL: return
// A transposed rhs whose tile divides into register tiles is packed too: an
// 8 x 16 block of Bᵀ at a time (two 8 x 8 halves) is transposed in
// registers into [3, 64, 16] panels, and the register tiles are those of a
// plain matmul.
// AVX2-LABEL: func.func @matmul_transposed_rhs
// AVX2-SAME: (%[[A:.*]]: tensor<32x64xf32>, %[[B:.*]]: tensor<48x64xf32>, %{{.*}}: tensor<32x48xf32>)
// AVX2: %[[GROUPED:.*]] = tensor.expand_shape %[[B]] {{\[\[}}0, 1], [2]] output_shape [3, 16, 64]
// AVX2: tensor.empty() : tensor<3x64x16xf32>
// AVX2: %[[PANELS:.*]] = scf.for
// AVX2: %[[LOW:.*]] = vector.transfer_read %[[GROUPED]]{{.*}}permutation_map = {{.*}} : tensor<3x16x64xf32>, vector<1x8x8xf32>
// AVX2: %[[HIGH:.*]] = vector.transfer_read %[[GROUPED]]{{.*}}permutation_map = {{.*}} : tensor<3x16x64xf32>, vector<1x8x8xf32>
// AVX2: vector.transfer_write %[[LOW]], {{.*}} : vector<1x8x8xf32>, tensor<1x8x16xf32>
// AVX2: vector.transfer_write %[[HIGH]], {{.*}} : vector<1x8x8xf32>, tensor<1x8x16xf32>
// AVX2: vector.transfer_read %[[A]]{{.*}} : tensor<32x64xf32>, vector<6x1xf32>
// AVX2: vector.transfer_read %[[PANELS]]{{.*}} : tensor<3x64x16xf32>, vector<1x8xf32>
// AVX2: vector.contract {{.*}} : vector<1x1xf32>, vector<1x8xf32> into vector<1x8xf32>
// AVX2: vector.transfer_read %[[A]]{{.*}} : tensor<32x64xf32>, vector<2x1xf32>
// AVX2: return
func.func @matmul_transposed_rhs(%a: tensor<32x64xf32>, %b: tensor<48x64xf32>, %c: tensor<32x48xf32>) -> tensor<32x48xf32> {
  %0 = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
    ins(%a, %b : tensor<32x64xf32>, tensor<48x64xf32>) outs(%c : tensor<32x48xf32>) -> tensor<32x48xf32>
  return %0 : tensor<32x48xf32>
}

// Batches are tiled by one; loops (b, m, k, n). The whole reduction (256)
// fits one tile-k step, so no reduction loop is left.
// DEFAULT-LABEL: func.func @batch_matmul
// DEFAULT: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (4, 512) step (1, 128)
// DEFAULT-NOT: scf.for
// DEFAULT: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "parallel"]
// DEFAULT-SAME: ins(%{{.*}}, %{{.*}} : tensor<1x128x256xf32>, tensor<1x256x128xf32>) outs(%{{.*}} : tensor<1x128x128xf32>)
// DEFAULT: fastmath<contract>
// DEFAULT: return

// SMALL-LABEL: func.func @batch_matmul
// SMALL-DAG: %[[C256:.*]] = arith.constant 256 : index
// SMALL-DAG: %[[C4:.*]] = arith.constant 4 : index
// SMALL: scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) = (0, 0, 0) to (4, 128, 512) step (1, 8, 16)
// SMALL: scf.for %{{.*}} = %{{.*}} to %[[C256]] step %[[C4]]
// SMALL: linalg.generic {indexing_maps = [#[[BMK]], #[[BKN]], #[[BMN]]], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
// SMALL-SAME: ins(%{{.*}}, %{{.*}} : tensor<1x8x4xf32>, tensor<1x4x16xf32>) outs(%{{.*}} : tensor<1x8x16xf32>)
// SMALL: arith.mulf %{{.*}}, %{{.*}} fastmath<contract> : f32
// SMALL-NOT: linalg.batch_matmul
// SMALL: return
func.func @batch_matmul(%a: tensor<4x128x256xf32>, %b: tensor<4x256x512xf32>, %c: tensor<4x128x512xf32>) -> tensor<4x128x512xf32> {
  %0 = linalg.batch_matmul ins(%a, %b : tensor<4x128x256xf32>, tensor<4x256x512xf32>) outs(%c : tensor<4x128x512xf32>) -> tensor<4x128x512xf32>
  return %0 : tensor<4x128x512xf32>
}

// Attention scores Q Kᵀ: batched with a transposed rhs, loops (b, m, n, k).
// SMALL-LABEL: func.func @batch_matmul_transposed_rhs
// SMALL: scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) = (0, 0, 0) to (4, 32, 48) step (1, 8, 16)
// SMALL: linalg.generic {indexing_maps = [#[[BMN]], #[[BKN]], #[[BMK]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// SMALL-SAME: ins(%{{.*}}, %{{.*}} : tensor<1x8x4xf32>, tensor<1x16x4xf32>) outs(%{{.*}} : tensor<1x8x16xf32>)
// SMALL: arith.mulf %{{.*}}, %{{.*}} fastmath<reassoc,contract> : f32
// SMALL: return
func.func @batch_matmul_transposed_rhs(%a: tensor<4x32x64xf32>, %b: tensor<4x48x64xf32>, %c: tensor<4x32x48xf32>) -> tensor<4x32x48xf32> {
  %0 = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>]
    ins(%a, %b : tensor<4x32x64xf32>, tensor<4x48x64xf32>) outs(%c : tensor<4x32x48xf32>) -> tensor<4x32x48xf32>
  return %0 : tensor<4x32x48xf32>
}

// Sizes that tiles do not divide. No tile size up to 8 divides M (23, a
// prime), so the tiling interface clamps the last tile (affine.min); K (10) is tiled by 2,
// its largest divisor not above tile-k, so every K step is static; N (12)
// fits in one tile and is not tiled.
// SMALL-LABEL: func.func @remainder
// SMALL-DAG: %[[C2:.*]] = arith.constant 2 : index
// SMALL-DAG: %[[C10:.*]] = arith.constant 10 : index
// SMALL: scf.forall (%[[I:.*]]) = (0) to (23) step (8)
// SMALL: affine.min #{{.*}}(%[[I]])
// SMALL: scf.for %[[K:.*]] = %{{.*}} to %[[C10]] step %[[C2]] iter_args
// SMALL-NOT: affine.min
// SMALL: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]
// SMALL-SAME: ins(%{{.*}}, %{{.*}} : tensor<?x2xf32>, tensor<2x12xf32>)
// SMALL: return
func.func @remainder(%a: tensor<23x10xf32>, %b: tensor<10x12xf32>, %c: tensor<23x12xf32>) -> tensor<23x12xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<23x10xf32>, tensor<10x12xf32>) outs(%c : tensor<23x12xf32>) -> tensor<23x12xf32>
  return %0 : tensor<23x12xf32>
}

// Other linalg ops are left alone.
// DEFAULT-LABEL: func.func @elementwise_untouched
// DEFAULT-NOT: scf.forall
// DEFAULT-NOT: scf.for
// DEFAULT: linalg.generic
// DEFAULT-SAME: iterator_types = ["parallel", "parallel"]
// DEFAULT-NOT: fastmath
// DEFAULT: return
func.func @elementwise_untouched(%x: tensor<128x256xf32>) -> tensor<128x256xf32> {
  %e = tensor.empty() : tensor<128x256xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<128x256xf32>) outs(%e : tensor<128x256xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %a : f32
    linalg.yield %s : f32
  } -> tensor<128x256xf32>
  return %0 : tensor<128x256xf32>
}

// A bf16 weight (--precision bf16) is widened to f32 as it is packed: the
// panel copy reads bf16 vectors and extends them, and the register tiles
// stay f32.
// AVX2-LABEL: func.func @bf16_rhs
// AVX2: scf.for {{.*}} -> (tensor<2x64x16xf32>)
// AVX2: vector.transfer_read %{{.*}} : tensor<64x2x16xbf16>, vector<1x1x8xbf16>
// AVX2: arith.extf %{{.*}} : vector<1x1x8xbf16> to vector<1x1x8xf32>
// AVX2: vector.contract {{.*}} : vector<1x1xf32>, vector<1x8xf32> into vector<1x8xf32>
// NOPACK-LABEL: func.func @bf16_rhs
// NOPACK-NOT: vector.contract
// NOPACK: linalg.generic
// NOPACK: arith.extf %{{.*}} : bf16 to f32
func.func @bf16_rhs(%x: tensor<24x64xf32>, %w: tensor<64x32xbf16>) -> tensor<24x32xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<24x32xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<24x32xf32>) -> tensor<24x32xf32>
  %y = linalg.matmul ins(%x, %w : tensor<24x64xf32>, tensor<64x32xbf16>) outs(%f : tensor<24x32xf32>) -> tensor<24x32xf32>
  return %y : tensor<24x32xf32>
}

// One row (a decoding step) is no register tile's worth of reuse: the rhs is
// read where it lies, in a loop whose innermost dimension is contiguous,
// never copied into panels.
// AVX2-LABEL: func.func @one_row(
// AVX2-SAME: ptm.schedule = ["matmul 1x64x32 (M x K x N, nn, f32 rhs): output tiles 1x32, k tiles 64, loops (innermost dimension contiguous)"]
// AVX2-NOT: tensor<2x64x16xf32>
// AVX2-NOT: vector.contract
// AVX2: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]
func.func @one_row(%x: tensor<1x64xf32>, %w: tensor<64x32xf32>) -> tensor<1x32xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x32xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<1x32xf32>) -> tensor<1x32xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x64xf32>, tensor<64x32xf32>) outs(%f : tensor<1x32xf32>) -> tensor<1x32xf32>
  return %y : tensor<1x32xf32>
}

// A bf16 weight has to be widened anyway: one row still gets panels, whose
// copy widens eight bf16 at a time, instead of the generic loops that
// widen one element at a time (GPT-2's bf16 decoding went from 0.81x to
// 1.03x the f32 tokens/s).
// AVX2-LABEL: func.func @one_row_bf16
// AVX2-SAME: ptm.schedule = ["matmul 1x64x32 (M x K x N, nn, bf16 rhs): output tiles 1x32, k tiles 64, rhs packed into panels, 6x16 register tiles"]
// AVX2: arith.extf %{{.*}} : vector<1x1x8xbf16> to vector<1x1x8xf32>
// AVX2: vector.contract {{.*}} : vector<1x1xf32>, vector<1x8xf32> into vector<1x8xf32>
func.func @one_row_bf16(%x: tensor<1x64xf32>, %w: tensor<64x32xbf16>) -> tensor<1x32xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x32xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<1x32xf32>) -> tensor<1x32xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x64xf32>, tensor<64x32xbf16>) outs(%f : tensor<1x32xf32>) -> tensor<1x32xf32>
  return %y : tensor<1x32xf32>
}
