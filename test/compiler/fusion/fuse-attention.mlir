// RUN: ptm-opt %s --pass-pipeline='builtin.module(func.func(ptm-fuse-attention))' -split-input-file | FileCheck %s
// RUN: ptm-opt %s --pass-pipeline='builtin.module(func.func(ptm-fuse-attention{query-block=8 key-block=16}))' -split-input-file | FileCheck %s --check-prefix=SMALL
// RUN: ptm-opt %s --pass-pipeline='builtin.module(func.func(ptm-fuse-attention),ptm-decompose,func.func(ptm-tile{vector-width=8 register-tile-m=6 register-tile-n=16}))' -split-input-file | FileCheck %s --check-prefix=TILED

// Padding mask, 96 queries and keys: tasks are (head, block of 32 query
// rows); the keys go by in 2 blocks of 48 (the largest multiple of 16 up to
// 64 that divides 96), each scored against the block's rows, masked, and
// folded into the running maximum, sum and output. No [B, H, T, S] tensor.
// CHECK-LABEL: func.func @padded
// CHECK-SAME: (%[[Q:.*]]: tensor<2x3x96x16xf32>, %[[K:.*]]: tensor<2x3x96x16xf32>, %[[V:.*]]: tensor<2x3x96x16xf32>, %[[M:.*]]: tensor<2x96xi64>)
// CHECK-NOT: tensor<2x3x96x96xf32>
// CHECK-DAG: %[[LOWEST:.*]] = arith.constant -3.40282347E+38 : f32
// CHECK-DAG: %[[Q3:.*]] = tensor.collapse_shape %[[Q]] {{\[\[}}0, 1], [2], [3]] : tensor<2x3x96x16xf32> into tensor<6x96x16xf32>
// CHECK-DAG: %[[K3:.*]] = tensor.collapse_shape %[[K]]
// CHECK-DAG: %[[V3:.*]] = tensor.collapse_shape %[[V]]
// CHECK: %[[OUT:.*]] = scf.forall (%[[HEAD:.*]], %[[QB:.*]]) in (6, 3) shared_outs(%[[SHARED:.*]] = %{{.*}}) -> (tensor<6x96x16xf32>)
// CHECK: %[[ROW:.*]] = arith.muli %[[QB]], %c32
// CHECK: %[[QROWS:.*]] = tensor.extract_slice %[[Q3]][%[[HEAD]], %[[ROW]], 0] [1, 32, 16] [1, 1, 1] : tensor<6x96x16xf32> to tensor<32x16xf32>
// CHECK: %[[MAX0:.*]] = linalg.fill ins(%[[LOWEST]] : f32) outs(%{{.*}} : tensor<32xf32>)
// CHECK: %[[SUM0:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<32xf32>)
// CHECK: %[[O0:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<32x16xf32>)
// CHECK: %[[BATCH:.*]] = arith.divui %[[HEAD]], %c3
// CHECK: %[[LOOP:.*]]:3 = scf.for %[[KB:.*]] = %c0 to %c2 step %c1 iter_args(%[[RMAX:.*]] = %[[MAX0]], %[[RSUM:.*]] = %[[SUM0]], %[[RO:.*]] = %[[O0]])
// CHECK: %[[KEY:.*]] = arith.muli %[[KB]], %c48
// CHECK: %[[KROWS:.*]] = tensor.extract_slice %[[K3]][%[[HEAD]], %[[KEY]], 0] [1, 48, 16] [1, 1, 1] : tensor<6x96x16xf32> to tensor<48x16xf32>
// CHECK: %[[SCORES:.*]] = linalg.matmul {{.*}} ins(%[[QROWS]], %[[KROWS]] : tensor<32x16xf32>, tensor<48x16xf32>) outs(%{{.*}} : tensor<32x48xf32>)
// CHECK: %[[MROW:.*]] = tensor.extract_slice %[[M]][%[[BATCH]], %[[KEY]]] [1, 48] [1, 1] : tensor<2x96xi64> to tensor<48xi64>
// CHECK: %[[MASKED:.*]] = linalg.generic {{.*}} ins(%[[SCORES]], %[[MROW]] : tensor<32x48xf32>, tensor<48xi64>)
// CHECK: arith.mulf
// CHECK: arith.cmpi eq
// CHECK: arith.select %{{.*}}, %[[LOWEST]]
// The block's row maximum, then exp(s - max(m, block max)) and the rescale
// α = exp(m - max(m, block max)).
// CHECK: %[[BMAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[MASKED]] : tensor<32x48xf32>)
// CHECK: arith.maximumf
// CHECK: %[[W:.*]] = linalg.generic {{.*}} ins(%[[MASKED]], %[[RMAX]], %[[BMAX]] : tensor<32x48xf32>, tensor<32xf32>, tensor<32xf32>)
// CHECK: math.exp
// CHECK: %[[ALPHA:.*]] = linalg.generic {{.*}} ins(%[[RMAX]], %[[BMAX]] : tensor<32xf32>, tensor<32xf32>)
// CHECK: math.exp
// The running statistics are overwritten in place after their last read.
// CHECK: %[[NMAX:.*]] = linalg.generic {{.*}} ins(%[[BMAX]] : tensor<32xf32>) outs(%[[RMAX]] : tensor<32xf32>)
// CHECK: %[[BSUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[W]] : tensor<32x48xf32>)
// CHECK: %[[NSUM:.*]] = linalg.generic {{.*}} ins(%[[ALPHA]], %[[BSUM]] : tensor<32xf32>, tensor<32xf32>) outs(%[[RSUM]] : tensor<32xf32>)
// CHECK: %[[SCALED:.*]] = linalg.generic {{.*}} ins(%[[ALPHA]] : tensor<32xf32>) outs(%[[RO]] : tensor<32x16xf32>)
// CHECK: %[[VROWS:.*]] = tensor.extract_slice %[[V3]][%[[HEAD]], %[[KEY]], 0] [1, 48, 16] [1, 1, 1]
// CHECK: %[[NO:.*]] = linalg.matmul ins(%[[W]], %[[VROWS]] : tensor<32x48xf32>, tensor<48x16xf32>) outs(%[[SCALED]] : tensor<32x16xf32>)
// CHECK: scf.yield %[[NMAX]], %[[NSUM]], %[[NO]]
// o / l, and zeros for rows that saw no key.
// CHECK: %[[RESULT:.*]] = linalg.generic {{.*}} ins(%[[LOOP]]#2, %[[LOOP]]#1, %[[LOOP]]#0 : tensor<32x16xf32>, tensor<32xf32>, tensor<32xf32>)
// CHECK: arith.divf
// CHECK: arith.cmpf oeq, %{{.*}}, %[[LOWEST]]
// CHECK: arith.select
// CHECK: tensor.parallel_insert_slice %[[RESULT]] into %[[SHARED]][%[[HEAD]], %[[ROW]], 0] [1, 32, 16] [1, 1, 1]
// CHECK: tensor.expand_shape %[[OUT]] {{\[\[}}0, 1], [2], [3]] output_shape [2, 3, 96, 16]
// CHECK-NOT: ptm.attention
// SMALL-LABEL: func.func @padded
// SMALL: scf.forall ({{.*}}) in (6, 12)
// SMALL: scf.for %{{.*}} = %c0 to %c6 step %c1
// SMALL: linalg.matmul {{.*}} -> tensor<8x16xf32>
// The block products get register tiles inside the task (no second
// scf.forall): 6 x 16 tiles, one row and one k step of a register-wide
// vector at a time, the accumulators carried in registers across k.
// TILED-LABEL: func.func @padded
// TILED: scf.forall
// TILED-NOT: scf.forall
// TILED: scf.for {{.*}} -> (tensor<6x16xf32>, vector<6x8xf32>, vector<6x8xf32>)
// TILED: vector.contract {{.*}} : vector<1x1xf32>, vector<1x8xf32> into vector<1x8xf32>
// TILED-NOT: linalg.matmul
func.func @padded(%q: tensor<2x3x96x16xf32>, %k: tensor<2x3x96x16xf32>, %v: tensor<2x3x96x16xf32>, %m: tensor<2x96xi64>) -> tensor<2x3x96x16xf32> {
  %o = ptm.attention %q, %k, %v, %m {scale = 0.25 : f64} : (tensor<2x3x96x16xf32>, tensor<2x3x96x16xf32>, tensor<2x3x96x16xf32>, tensor<2x96xi64>) -> tensor<2x3x96x16xf32>
  return %o : tensor<2x3x96x16xf32>
}

// -----

// Causal with a cache (8 queries after 120 cached keys): the last row of
// query block qb sees keys up to 8 qb + 7 + 120, so the task visits
// ceil((8 qb + 8 + 120) / 64) key blocks (computed as (8 qb + 191) / 64),
// at most 2; the score mask hides key s from query t when s > t + 120.
// CHECK-LABEL: func.func @causal_cache
// CHECK: scf.forall ({{.*}}, %[[QB:.*]]) in (4, 1)
// CHECK: %[[ROW:.*]] = arith.muli %[[QB]], %c8
// CHECK: %[[END:.*]] = arith.addi %[[ROW]], %c191
// CHECK: %[[NEEDED:.*]] = arith.divui %[[END]], %c64
// CHECK: %[[BLOCKS:.*]] = arith.minui %[[NEEDED]], %c2
// CHECK: scf.for %{{.*}} = %c0 to %[[BLOCKS]] step %c1
// CHECK: linalg.generic
// CHECK: linalg.index 0
// CHECK: linalg.index 1
// CHECK: arith.addi %{{.*}}, %c120
// CHECK: arith.cmpi ugt
// SMALL-LABEL: func.func @causal_cache
// SMALL: arith.divui %{{.*}}, %c16
// SMALL: arith.minui %{{.*}}, %c8
func.func @causal_cache(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x128x16xf32>, %v: tensor<1x4x128x16xf32>) -> tensor<1x4x8x16xf32> {
  %o = ptm.attention %q, %k, %v {scale = 0.25 : f64, causal = true} : (tensor<1x4x8x16xf32>, tensor<1x4x128x16xf32>, tensor<1x4x128x16xf32>) -> tensor<1x4x8x16xf32>
  return %o : tensor<1x4x8x16xf32>
}

// -----

// Attention with dropout needs the whole probability matrix: left to
// ptm-decompose.
// CHECK-LABEL: func.func @dropout
// CHECK: ptm.attention
// CHECK-NOT: scf.forall
func.func @dropout(%q: tensor<1x2x8x16xf32>, %seed: tensor<i64>) -> tensor<1x2x8x16xf32> {
  %o = ptm.attention %q, %q, %q dropout_seed %seed {scale = 0.25 : f64, causal = true, dropout = 0.1 : f64, dropout_stream = 1 : i64} : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<i64>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}
