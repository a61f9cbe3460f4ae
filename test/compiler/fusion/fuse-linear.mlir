// RUN: ptm-opt %s --pass-pipeline='builtin.module(func.func(ptm-fuse))' -split-input-file | FileCheck %s

// matmul + [N] bias -> linear with bias.
// CHECK-LABEL: func.func @matmul_bias
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>, %[[W:.*]]: tensor<8x16xf32>, %[[B:.*]]: tensor<16xf32>)
// CHECK-NOT: ptm.matmul
// CHECK-NOT: ptm.add
// CHECK: %[[R:.*]] = ptm.linear %[[X]], %[[W]], %[[B]] : (tensor<2x4x8xf32>, tensor<8x16xf32>, tensor<16xf32>) -> tensor<2x4x16xf32>
// CHECK-NOT: ptm.add
// CHECK: return %[[R]]
func.func @matmul_bias(%x: tensor<2x4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf32>) -> tensor<2x4x16xf32> {
  %0 = ptm.matmul %x, %w : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<2x4x16xf32>
  %1 = ptm.add %0, %b : (tensor<2x4x16xf32>, tensor<16xf32>) -> tensor<2x4x16xf32>
  return %1 : tensor<2x4x16xf32>
}

// -----

// A weight matmul alone becomes a linear without bias.
// CHECK-LABEL: func.func @matmul_alone
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[W:.*]]: tensor<8x16xf32>)
// CHECK: %[[R:.*]] = ptm.linear %[[X]], %[[W]] : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
// CHECK: return %[[R]]
func.func @matmul_alone(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>) -> tensor<4x16xf32> {
  %0 = ptm.matmul %x, %w : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// GPT-2 MLP: gelu_tanh(matmul + bias) -> one linear.
// CHECK-LABEL: func.func @matmul_bias_gelu_tanh
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>, %[[W:.*]]: tensor<8x32xf32>, %[[B:.*]]: tensor<32xf32>)
// CHECK-NOT: ptm.gelu
// CHECK: %[[R:.*]] = ptm.linear %[[X]], %[[W]], %[[B]] {activation = "gelu_tanh"} : (tensor<2x4x8xf32>, tensor<8x32xf32>, tensor<32xf32>) -> tensor<2x4x32xf32>
// CHECK-NOT: ptm.gelu
// CHECK: return %[[R]]
func.func @matmul_bias_gelu_tanh(%x: tensor<2x4x8xf32>, %w: tensor<8x32xf32>, %b: tensor<32xf32>) -> tensor<2x4x32xf32> {
  %0 = ptm.matmul %x, %w : (tensor<2x4x8xf32>, tensor<8x32xf32>) -> tensor<2x4x32xf32>
  %1 = ptm.add %0, %b : (tensor<2x4x32xf32>, tensor<32xf32>) -> tensor<2x4x32xf32>
  %2 = ptm.gelu %1 {approximate = "tanh"} : tensor<2x4x32xf32>
  return %2 : tensor<2x4x32xf32>
}

// -----

// BERT intermediate: exact GELU -> gelu_erf, torch Linear layout kept.
// CHECK-LABEL: func.func @matmul_bias_gelu_erf
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf64>, %[[W:.*]]: tensor<32x8xf64>, %[[B:.*]]: tensor<32xf64>)
// CHECK: %[[R:.*]] = ptm.linear %[[X]], %[[W]], %[[B]]
// CHECK-SAME: activation = "gelu_erf"
// CHECK-SAME: transpose_weight = true
// CHECK-SAME: (tensor<4x8xf64>, tensor<32x8xf64>, tensor<32xf64>) -> tensor<4x32xf64>
// CHECK-NOT: ptm.
// CHECK: return %[[R]]
func.func @matmul_bias_gelu_erf(%x: tensor<4x8xf64>, %w: tensor<32x8xf64>, %b: tensor<32xf64>) -> tensor<4x32xf64> {
  %0 = ptm.matmul %x, %w {transpose_rhs = true} : (tensor<4x8xf64>, tensor<32x8xf64>) -> tensor<4x32xf64>
  %1 = ptm.add %0, %b : (tensor<4x32xf64>, tensor<32xf64>) -> tensor<4x32xf64>
  %2 = ptm.gelu %1 : tensor<4x32xf64>
  return %2 : tensor<4x32xf64>
}

// -----

// GELU without a bias still folds into the linear.
// CHECK-LABEL: func.func @matmul_gelu
// CHECK: %[[R:.*]] = ptm.linear %{{.*}}, %{{.*}} {activation = "gelu_tanh"} : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
// CHECK-NOT: ptm.gelu
// CHECK: return %[[R]]
func.func @matmul_gelu(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>) -> tensor<4x16xf32> {
  %0 = ptm.matmul %x, %w : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %1 = ptm.gelu %0 {approximate = "tanh"} : tensor<4x16xf32>
  return %1 : tensor<4x16xf32>
}

// -----

// An existing linear takes a bias and an activation too.
// CHECK-LABEL: func.func @linear_bias_gelu
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[W:.*]]: tensor<8x16xf32>, %[[B:.*]]: tensor<16xf32>)
// CHECK: %[[R:.*]] = ptm.linear %[[X]], %[[W]], %[[B]] {activation = "gelu_erf"}
// CHECK: return %[[R]]
func.func @linear_bias_gelu(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf32>) -> tensor<4x16xf32> {
  %0 = ptm.linear %x, %w : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %1 = ptm.add %0, %b : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %2 = ptm.gelu %1 {approximate = "none"} : tensor<4x16xf32>
  return %2 : tensor<4x16xf32>
}

// -----

// transpose_rhs becomes transpose_weight (tied output embedding).
// CHECK-LABEL: func.func @transpose_rhs
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>, %[[WTE:.*]]: tensor<50x8xf32>)
// CHECK: ptm.linear %[[X]], %[[WTE]] {transpose_weight = true} : (tensor<2x4x8xf32>, tensor<50x8xf32>) -> tensor<2x4x50xf32>
func.func @transpose_rhs(%x: tensor<2x4x8xf32>, %wte: tensor<50x8xf32>) -> tensor<2x4x50xf32> {
  %0 = ptm.matmul %x, %wte {transpose_rhs = true} : (tensor<2x4x8xf32>, tensor<50x8xf32>) -> tensor<2x4x50xf32>
  return %0 : tensor<2x4x50xf32>
}

// -----

// The add's rhs is the linear: a full-shape residual is not a bias.
// (A [N] bias can only be the add's rhs: the add verifier forbids a rhs of
// higher rank than its lhs.)
// CHECK-LABEL: func.func @linear_as_rhs_of_residual
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[W:.*]]: tensor<8x8xf32>, %[[RES:.*]]: tensor<4x8xf32>)
// CHECK: %[[L:.*]] = ptm.linear %[[X]], %[[W]] : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
// CHECK: %[[S:.*]] = ptm.add %[[RES]], %[[L]]
// CHECK: return %[[S]]
func.func @linear_as_rhs_of_residual(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>, %res: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = ptm.matmul %x, %w : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %1 = ptm.add %res, %0 : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %1 : tensor<4x8xf32>
}

// -----

// Two linears added: neither is a [N] bias of the other.
// CHECK-LABEL: func.func @two_linears
// CHECK: %[[A:.*]] = ptm.linear %{{.*}}, %{{.*}} : (tensor<4x8xf32>
// CHECK: %[[B:.*]] = ptm.linear %{{.*}}, %{{.*}} : (tensor<4x8xf32>
// CHECK: ptm.add %[[A]], %[[B]]
func.func @two_linears(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>, %v: tensor<8x8xf32>) -> tensor<4x8xf32> {
  %0 = ptm.matmul %x, %w : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %1 = ptm.matmul %x, %v : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %2 = ptm.add %0, %1 : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %2 : tensor<4x8xf32>
}

// -----

// The matmul result has a second user: the bias add must stay separate so the
// bias-free product is still available.
// CHECK-LABEL: func.func @two_users
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[W:.*]]: tensor<8x16xf32>, %[[B:.*]]: tensor<16xf32>)
// CHECK: %[[L:.*]] = ptm.linear %[[X]], %[[W]] : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
// CHECK: %[[S:.*]] = ptm.add %[[L]], %[[B]]
// CHECK: return %[[S]], %[[L]]
func.func @two_users(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %0 = ptm.matmul %x, %w : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %1 = ptm.add %0, %b : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  return %1, %0 : tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

// Same for the activation: the pre-activation value is still used.
// CHECK-LABEL: func.func @gelu_two_users
// CHECK: %[[L:.*]] = ptm.linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4x8xf32>
// CHECK: %[[G:.*]] = ptm.gelu %[[L]] {approximate = "tanh"}
// CHECK: return %[[G]], %[[L]]
func.func @gelu_two_users(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %0 = ptm.matmul %x, %w : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %1 = ptm.add %0, %b : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %2 = ptm.gelu %1 {approximate = "tanh"} : tensor<4x16xf32>
  return %2, %1 : tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

// A batched rhs (attention scores) is not a weight: nothing changes.
// CHECK-LABEL: func.func @batched_rhs
// CHECK: %[[M:.*]] = ptm.matmul %{{.*}}, %{{.*}} : (tensor<2x4x8xf32>, tensor<2x8x16xf32>) -> tensor<2x4x16xf32>
// CHECK: ptm.add %[[M]], %{{.*}} : (tensor<2x4x16xf32>, tensor<16xf32>)
// CHECK-NOT: ptm.linear
func.func @batched_rhs(%x: tensor<2x4x8xf32>, %y: tensor<2x8x16xf32>, %b: tensor<16xf32>) -> tensor<2x4x16xf32> {
  %0 = ptm.matmul %x, %y : (tensor<2x4x8xf32>, tensor<2x8x16xf32>) -> tensor<2x4x16xf32>
  %1 = ptm.add %0, %b : (tensor<2x4x16xf32>, tensor<16xf32>) -> tensor<2x4x16xf32>
  return %1 : tensor<2x4x16xf32>
}

// -----

// The add's other operand is [T, N], not [N]: not a bias.
// CHECK-LABEL: func.func @not_a_bias
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>, %[[W:.*]]: tensor<8x16xf32>, %[[P:.*]]: tensor<4x16xf32>)
// CHECK: %[[L:.*]] = ptm.linear %[[X]], %[[W]] : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<2x4x16xf32>
// CHECK: ptm.add %[[L]], %[[P]] : (tensor<2x4x16xf32>, tensor<4x16xf32>)
func.func @not_a_bias(%x: tensor<2x4x8xf32>, %w: tensor<8x16xf32>, %p: tensor<4x16xf32>) -> tensor<2x4x16xf32> {
  %0 = ptm.matmul %x, %w : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<2x4x16xf32>
  %1 = ptm.add %0, %p : (tensor<2x4x16xf32>, tensor<4x16xf32>) -> tensor<2x4x16xf32>
  return %1 : tensor<2x4x16xf32>
}

// -----

// A second bias after the first is not folded (the linear already has one),
// and a bias after the activation is not folded either.
// CHECK-LABEL: func.func @no_second_bias
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[W:.*]]: tensor<8x16xf32>, %[[B:.*]]: tensor<16xf32>, %[[C:.*]]: tensor<16xf32>)
// CHECK: %[[L:.*]] = ptm.linear %[[X]], %[[W]], %[[B]] : (
// CHECK: %[[S:.*]] = ptm.add %[[L]], %[[C]]
// CHECK: %[[G:.*]] = ptm.linear %[[X]], %[[W]] {activation = "gelu_tanh"}
// CHECK: %[[T:.*]] = ptm.add %[[G]], %[[B]]
// CHECK: return %[[S]], %[[T]]
func.func @no_second_bias(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf32>, %c: tensor<16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %0 = ptm.matmul %x, %w : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %1 = ptm.add %0, %b : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %2 = ptm.add %1, %c : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %3 = ptm.matmul %x, %w : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %4 = ptm.gelu %3 {approximate = "tanh"} : tensor<4x16xf32>
  %5 = ptm.add %4, %b : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  return %2, %5 : tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

// Only add folds as a bias: mul by [N] stays.
// CHECK-LABEL: func.func @mul_not_bias
// CHECK: %[[L:.*]] = ptm.linear %{{.*}}, %{{.*}} : (tensor<4x8xf32>
// CHECK: ptm.mul %[[L]], %{{.*}}
func.func @mul_not_bias(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf32>) -> tensor<4x16xf32> {
  %0 = ptm.matmul %x, %w : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %1 = ptm.mul %0, %b : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  return %1 : tensor<4x16xf32>
}
