// RUN: ptm-opt %s --ptm-decompose | FileCheck %s
// RUN: ptm-opt %s --ptm-decompose | FileCheck %s --check-prefix=LOWERED
// LOWERED-NOT: ptm.
// ptm.matmul and ptm.linear become linalg.matmul / linalg.batch_matmul
// accumulating into a zero-filled tensor. Transposed operands are expressed
// through indexing maps, never materialised.

// CHECK-DAG: #[[LHS:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[RHS_T:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[OUT:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[BLHS:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[BRHS_T:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-DAG: #[[BOUT:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[ID2:map[0-9]*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[COL:map[0-9]*]] = affine_map<(d0, d1) -> (d1)>

// CHECK-LABEL: func.func @matmul_plain
// CHECK-SAME: (%[[A:.*]]: tensor<4x8xf32>, %[[B:.*]]: tensor<8x16xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<4x16xf32>
// CHECK: %[[ACC:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<4x16xf32>)
// CHECK: %[[R:.*]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<4x8xf32>, tensor<8x16xf32>) outs(%[[ACC]] : tensor<4x16xf32>)
// CHECK: return %[[R]]
func.func @matmul_plain(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>) -> tensor<4x16xf32> {
  %0 = ptm.matmul %a, %b : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// Batch dimensions fold into one for linalg.batch_matmul.
// CHECK-LABEL: func.func @matmul_batched
// CHECK-SAME: (%[[A:.*]]: tensor<2x3x4x8xf32>, %[[B:.*]]: tensor<2x3x8x5xf32>)
// CHECK-DAG: %[[A3:.*]] = tensor.collapse_shape %[[A]] {{\[\[}}0, 1], [2], [3]] : tensor<2x3x4x8xf32> into tensor<6x4x8xf32>
// CHECK-DAG: %[[B3:.*]] = tensor.collapse_shape %[[B]] {{\[\[}}0, 1], [2], [3]] : tensor<2x3x8x5xf32> into tensor<6x8x5xf32>
// CHECK: %[[ACC:.*]] = linalg.fill {{.*}} -> tensor<6x4x5xf32>
// CHECK: %[[P:.*]] = linalg.batch_matmul ins(%[[A3]], %[[B3]] : tensor<6x4x8xf32>, tensor<6x8x5xf32>) outs(%[[ACC]] : tensor<6x4x5xf32>)
// CHECK: %[[R:.*]] = tensor.expand_shape %[[P]] {{\[\[}}0, 1], [2], [3]] output_shape [2, 3, 4, 5] : tensor<6x4x5xf32> into tensor<2x3x4x5xf32>
// CHECK: return %[[R]]
func.func @matmul_batched(%a: tensor<2x3x4x8xf32>, %b: tensor<2x3x8x5xf32>) -> tensor<2x3x4x5xf32> {
  %0 = ptm.matmul %a, %b : (tensor<2x3x4x8xf32>, tensor<2x3x8x5xf32>) -> tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

// Rank-3 operands need no reshape; transpose_rhs reads rhs as [b, n, k].
// CHECK-LABEL: func.func @matmul_batched_transpose_rhs
// CHECK-SAME: (%[[A:.*]]: tensor<2x4x8xf32>, %[[B:.*]]: tensor<2x6x8xf32>)
// CHECK-NOT: tensor.collapse_shape
// CHECK: %[[R:.*]] = linalg.batch_matmul indexing_maps = [#[[BLHS]], #[[BRHS_T]], #[[BOUT]]] ins(%[[A]], %[[B]] : tensor<2x4x8xf32>, tensor<2x6x8xf32>) outs(%{{.*}} : tensor<2x4x6xf32>)
// CHECK-NOT: tensor.expand_shape
// CHECK: return %[[R]]
func.func @matmul_batched_transpose_rhs(%a: tensor<2x4x8xf32>, %b: tensor<2x6x8xf32>) -> tensor<2x4x6xf32> {
  %0 = ptm.matmul %a, %b {transpose_rhs = true} : (tensor<2x4x8xf32>, tensor<2x6x8xf32>) -> tensor<2x4x6xf32>
  return %0 : tensor<2x4x6xf32>
}

// A rank-4 transposed rhs is collapsed like the lhs.
// CHECK-LABEL: func.func @matmul_rank4_transpose_rhs
// CHECK-DAG: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2], [3]] : tensor<2x3x4x8xf32> into tensor<6x4x8xf32>
// CHECK-DAG: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2], [3]] : tensor<2x3x5x8xf32> into tensor<6x5x8xf32>
// CHECK: linalg.batch_matmul indexing_maps = [#[[BLHS]], #[[BRHS_T]], #[[BOUT]]] ins({{.*}} : tensor<6x4x8xf32>, tensor<6x5x8xf32>) outs({{.*}} : tensor<6x4x5xf32>)
// CHECK: tensor.expand_shape {{.*}} output_shape [2, 3, 4, 5] : tensor<6x4x5xf32> into tensor<2x3x4x5xf32>
func.func @matmul_rank4_transpose_rhs(%a: tensor<2x3x4x8xf32>, %b: tensor<2x3x5x8xf32>) -> tensor<2x3x4x5xf32> {
  %0 = ptm.matmul %a, %b {transpose_rhs = true} : (tensor<2x3x4x8xf32>, tensor<2x3x5x8xf32>) -> tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

// A shared rank-2 rhs: every batch dimension of lhs folds into M.
// CHECK-LABEL: func.func @matmul_shared_rhs
// CHECK-SAME: (%[[X:.*]]: tensor<2x16x64xf32>, %[[W:.*]]: tensor<64x192xf32>)
// CHECK: %[[X2:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1], [2]] : tensor<2x16x64xf32> into tensor<32x64xf32>
// CHECK: %[[P:.*]] = linalg.matmul ins(%[[X2]], %[[W]] : tensor<32x64xf32>, tensor<64x192xf32>) outs(%{{.*}} : tensor<32x192xf32>)
// CHECK: %[[R:.*]] = tensor.expand_shape %[[P]] {{\[\[}}0, 1], [2]] output_shape [2, 16, 192] : tensor<32x192xf32> into tensor<2x16x192xf32>
// CHECK: return %[[R]]
func.func @matmul_shared_rhs(%x: tensor<2x16x64xf32>, %w: tensor<64x192xf32>) -> tensor<2x16x192xf32> {
  %0 = ptm.matmul %x, %w : (tensor<2x16x64xf32>, tensor<64x192xf32>) -> tensor<2x16x192xf32>
  return %0 : tensor<2x16x192xf32>
}

// Tied output embedding: rank-4 lhs, shared [N, K] rhs.
// CHECK-LABEL: func.func @matmul_shared_rhs_transposed
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4x8xf64>, %[[WTE:.*]]: tensor<50x8xf64>)
// CHECK: %[[X2:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1, 2], [3]] : tensor<2x3x4x8xf64> into tensor<24x8xf64>
// CHECK: arith.constant 0.000000e+00 : f64
// CHECK: %[[P:.*]] = linalg.matmul indexing_maps = [#[[LHS]], #[[RHS_T]], #[[OUT]]] ins(%[[X2]], %[[WTE]] : tensor<24x8xf64>, tensor<50x8xf64>) outs(%{{.*}} : tensor<24x50xf64>)
// CHECK: tensor.expand_shape %[[P]] {{\[\[}}0, 1, 2], [3]] output_shape [2, 3, 4, 50] : tensor<24x50xf64> into tensor<2x3x4x50xf64>
func.func @matmul_shared_rhs_transposed(%x: tensor<2x3x4x8xf64>, %wte: tensor<50x8xf64>) -> tensor<2x3x4x50xf64> {
  %0 = ptm.matmul %x, %wte {transpose_rhs = true} : (tensor<2x3x4x8xf64>, tensor<50x8xf64>) -> tensor<2x3x4x50xf64>
  return %0 : tensor<2x3x4x50xf64>
}

// A linear without epilogue is a bare matmul.
// CHECK-LABEL: func.func @linear_plain
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[W:.*]]: tensor<8x16xf32>)
// CHECK: %[[R:.*]] = linalg.matmul ins(%[[X]], %[[W]] : tensor<4x8xf32>, tensor<8x16xf32>)
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]
func.func @linear_plain(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>) -> tensor<4x16xf32> {
  %0 = ptm.linear %x, %w : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// Bias: one elementwise generic reading the bias by column.
// CHECK-LABEL: func.func @linear_bias
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>, %[[W:.*]]: tensor<8x16xf32>, %[[B:.*]]: tensor<16xf32>)
// CHECK: %[[X2:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1], [2]] : tensor<2x4x8xf32> into tensor<8x8xf32>
// CHECK: %[[P:.*]] = linalg.matmul ins(%[[X2]], %[[W]] : tensor<8x8xf32>, tensor<8x16xf32>)
// CHECK: %[[E:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[COL]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[P]], %[[B]] : tensor<8x16xf32>, tensor<16xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %[[BIAS:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[SUM:.*]] = arith.addf %[[IN]], %[[BIAS]] : f32
// CHECK-NEXT: linalg.yield %[[SUM]] : f32
// CHECK: %[[R:.*]] = tensor.expand_shape %[[E]] {{\[\[}}0, 1], [2]] output_shape [2, 4, 16] : tensor<8x16xf32> into tensor<2x4x16xf32>
// CHECK: return %[[R]]
func.func @linear_bias(%x: tensor<2x4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf32>) -> tensor<2x4x16xf32> {
  %0 = ptm.linear %x, %w, %b : (tensor<2x4x8xf32>, tensor<8x16xf32>, tensor<16xf32>) -> tensor<2x4x16xf32>
  return %0 : tensor<2x4x16xf32>
}

// Bias, tanh GELU and a torch-layout weight.
// CHECK-LABEL: func.func @linear_bias_gelu_tanh_transposed
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[W:.*]]: tensor<16x8xf32>, %[[B:.*]]: tensor<16xf32>)
// CHECK: %[[P:.*]] = linalg.matmul indexing_maps = [#[[LHS]], #[[RHS_T]], #[[OUT]]] ins(%[[X]], %[[W]] : tensor<4x8xf32>, tensor<16x8xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[P]], %[[B]] : tensor<4x16xf32>, tensor<16xf32>)
// CHECK: %[[SUM:.*]] = arith.addf
// CHECK: arith.constant 4.471500e-02 : f32
// CHECK: arith.constant 0.797884583 : f32
// CHECK: %[[T:.*]] = math.tanh
// CHECK: arith.addf %{{.*}}, %[[T]] : f32
// CHECK: linalg.yield
// CHECK-NOT: math.erf
// CHECK: return
func.func @linear_bias_gelu_tanh_transposed(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>, %b: tensor<16xf32>) -> tensor<4x16xf32> {
  %0 = ptm.linear %x, %w, %b {activation = "gelu_tanh", transpose_weight = true} : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// Exact GELU without a bias: the generic reads only the product.
// CHECK-LABEL: func.func @linear_gelu_erf
// CHECK: %[[P:.*]] = linalg.matmul
// CHECK: linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[P]] : tensor<4x16xf64>)
// CHECK: arith.constant 0.70710678118654757 : f64
// CHECK: math.erf %{{.*}} : f64
// CHECK-NOT: math.tanh
// CHECK: return
func.func @linear_gelu_erf(%x: tensor<4x8xf64>, %w: tensor<8x16xf64>) -> tensor<4x16xf64> {
  %0 = ptm.linear %x, %w {activation = "gelu_erf"} : (tensor<4x8xf64>, tensor<8x16xf64>) -> tensor<4x16xf64>
  return %0 : tensor<4x16xf64>
}
