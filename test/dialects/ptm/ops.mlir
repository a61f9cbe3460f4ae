// RUN: ptm-opt %s | ptm-opt | FileCheck %s
// Round trip of every ptm op: parse, print, parse again, print.

// CHECK-LABEL: func.func @embedding
// CHECK-SAME: (%[[TABLE:.*]]: tensor<100x8xf32>, %[[IDS:.*]]: tensor<2x4xi64>)
// CHECK: %[[R:.*]] = ptm.embedding %[[TABLE]], %[[IDS]] : (tensor<100x8xf32>, tensor<2x4xi64>) -> tensor<2x4x8xf32>
// CHECK: return %[[R]]
func.func @embedding(%table: tensor<100x8xf32>, %ids: tensor<2x4xi64>) -> tensor<2x4x8xf32> {
  %0 = ptm.embedding %table, %ids : (tensor<100x8xf32>, tensor<2x4xi64>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// CHECK-LABEL: func.func @embedding_i32_f64
// CHECK: ptm.embedding %{{.*}}, %{{.*}} : (tensor<10x3xf64>, tensor<5xi32>) -> tensor<5x3xf64>
func.func @embedding_i32_f64(%table: tensor<10x3xf64>, %ids: tensor<5xi32>) -> tensor<5x3xf64> {
  %0 = ptm.embedding %table, %ids : (tensor<10x3xf64>, tensor<5xi32>) -> tensor<5x3xf64>
  return %0 : tensor<5x3xf64>
}

// --precision bf16: weights (rank-2 rhs, linear weights, embedding tables)
// stored in bf16 for f32 results.
// CHECK-LABEL: func.func @bf16_weights
// CHECK: ptm.embedding %{{.*}}, %{{.*}} : (tensor<100x8xbf16>, tensor<2x4xi64>) -> tensor<2x4x8xf32>
// CHECK: ptm.matmul %{{.*}}, %{{.*}} {transpose_rhs = true} : (tensor<2x4x8xf32>, tensor<100x8xbf16>) -> tensor<2x4x100xf32>
// CHECK: ptm.linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x4x8xf32>, tensor<8x16xbf16>, tensor<16xf32>) -> tensor<2x4x16xf32>
func.func @bf16_weights(%table: tensor<100x8xbf16>, %ids: tensor<2x4xi64>, %w: tensor<8x16xbf16>, %b: tensor<16xf32>) -> (tensor<2x4x100xf32>, tensor<2x4x16xf32>) {
  %h = ptm.embedding %table, %ids : (tensor<100x8xbf16>, tensor<2x4xi64>) -> tensor<2x4x8xf32>
  %logits = ptm.matmul %h, %table {transpose_rhs = true} : (tensor<2x4x8xf32>, tensor<100x8xbf16>) -> tensor<2x4x100xf32>
  %y = ptm.linear %h, %w, %b : (tensor<2x4x8xf32>, tensor<8x16xbf16>, tensor<16xf32>) -> tensor<2x4x16xf32>
  return %logits, %y : tensor<2x4x100xf32>, tensor<2x4x16xf32>
}

// CHECK-LABEL: func.func @matmul_plain
// CHECK-SAME: (%[[A:.*]]: tensor<4x8xf32>, %[[B:.*]]: tensor<8x16xf32>)
// CHECK: ptm.matmul %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
func.func @matmul_plain(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>) -> tensor<4x16xf32> {
  %0 = ptm.matmul %a, %b : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// CHECK-LABEL: func.func @matmul_batched
// CHECK: ptm.matmul %{{.*}}, %{{.*}} : (tensor<2x3x4x8xf32>, tensor<2x3x8x5xf32>) -> tensor<2x3x4x5xf32>
func.func @matmul_batched(%a: tensor<2x3x4x8xf32>, %b: tensor<2x3x8x5xf32>) -> tensor<2x3x4x5xf32> {
  %0 = ptm.matmul %a, %b : (tensor<2x3x4x8xf32>, tensor<2x3x8x5xf32>) -> tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

// The default transpose_rhs = false is elided; true is printed.
// CHECK-LABEL: func.func @matmul_transpose_rhs
// CHECK: ptm.matmul %{{.*}}, %{{.*}} {transpose_rhs = true} : (tensor<2x4x8xf32>, tensor<2x6x8xf32>) -> tensor<2x4x6xf32>
func.func @matmul_transpose_rhs(%a: tensor<2x4x8xf32>, %b: tensor<2x6x8xf32>) -> tensor<2x4x6xf32> {
  %0 = ptm.matmul %a, %b {transpose_rhs = true} : (tensor<2x4x8xf32>, tensor<2x6x8xf32>) -> tensor<2x4x6xf32>
  return %0 : tensor<2x4x6xf32>
}

// CHECK-LABEL: func.func @matmul_shared_rhs
// CHECK: ptm.matmul %{{.*}}, %{{.*}} : (tensor<2x16x64xf32>, tensor<64x192xf32>) -> tensor<2x16x192xf32>
// CHECK: ptm.matmul %{{.*}}, %{{.*}} {transpose_rhs = true} : (tensor<2x16x64xf32>, tensor<50x64xf32>) -> tensor<2x16x50xf32>
func.func @matmul_shared_rhs(%x: tensor<2x16x64xf32>, %w: tensor<64x192xf32>, %wte: tensor<50x64xf32>) -> (tensor<2x16x192xf32>, tensor<2x16x50xf32>) {
  %0 = ptm.matmul %x, %w : (tensor<2x16x64xf32>, tensor<64x192xf32>) -> tensor<2x16x192xf32>
  %1 = ptm.matmul %x, %wte {transpose_rhs = true} : (tensor<2x16x64xf32>, tensor<50x64xf32>) -> tensor<2x16x50xf32>
  return %0, %1 : tensor<2x16x192xf32>, tensor<2x16x50xf32>
}

// CHECK-LABEL: func.func @matmul_explicit_false
// CHECK: ptm.matmul %{{.*}}, %{{.*}} : (tensor<4x8xf32>
// CHECK-NOT: transpose_rhs
// CHECK: return
func.func @matmul_explicit_false(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>) -> tensor<4x16xf32> {
  %0 = ptm.matmul %a, %b {transpose_rhs = false} : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// CHECK-LABEL: func.func @matmul_f64
// CHECK: ptm.matmul %{{.*}}, %{{.*}} : (tensor<4x8xf64>, tensor<8x2xf64>) -> tensor<4x2xf64>
func.func @matmul_f64(%a: tensor<4x8xf64>, %b: tensor<8x2xf64>) -> tensor<4x2xf64> {
  %0 = ptm.matmul %a, %b : (tensor<4x8xf64>, tensor<8x2xf64>) -> tensor<4x2xf64>
  return %0 : tensor<4x2xf64>
}

// CHECK-LABEL: func.func @linear_no_bias
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>, %[[W:.*]]: tensor<8x16xf32>)
// CHECK: ptm.linear %[[X]], %[[W]] : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<2x4x16xf32>
func.func @linear_no_bias(%x: tensor<2x4x8xf32>, %w: tensor<8x16xf32>) -> tensor<2x4x16xf32> {
  %0 = ptm.linear %x, %w : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<2x4x16xf32>
  return %0 : tensor<2x4x16xf32>
}

// CHECK-LABEL: func.func @linear_bias
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>, %[[W:.*]]: tensor<8x16xf32>, %[[B:.*]]: tensor<16xf32>)
// CHECK: ptm.linear %[[X]], %[[W]], %[[B]] : (tensor<2x4x8xf32>, tensor<8x16xf32>, tensor<16xf32>) -> tensor<2x4x16xf32>
func.func @linear_bias(%x: tensor<2x4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf32>) -> tensor<2x4x16xf32> {
  %0 = ptm.linear %x, %w, %b : (tensor<2x4x8xf32>, tensor<8x16xf32>, tensor<16xf32>) -> tensor<2x4x16xf32>
  return %0 : tensor<2x4x16xf32>
}

// activation = "none" is the default and is elided.
// CHECK-LABEL: func.func @linear_activations
// CHECK: ptm.linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4x8xf32>
// CHECK: ptm.linear %{{.*}}, %{{.*}}, %{{.*}} {activation = "gelu_tanh"} : (tensor<4x8xf32>
// CHECK: ptm.linear %{{.*}}, %{{.*}}, %{{.*}} {activation = "gelu_erf"} : (tensor<4x8xf32>
// CHECK-NOT: activation = "none"
// CHECK: return
func.func @linear_activations(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>) {
  %0 = ptm.linear %x, %w, %b {activation = "none"} : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %1 = ptm.linear %x, %w, %b {activation = "gelu_tanh"} : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %2 = ptm.linear %x, %w, %b {activation = "gelu_erf"} : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  return %0, %1, %2 : tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>
}

// CHECK-LABEL: func.func @linear_transpose_weight
// CHECK: ptm.linear %{{.*}}, %{{.*}}, %{{.*}} {transpose_weight = true} : (tensor<4x8xf64>, tensor<16x8xf64>, tensor<16xf64>) -> tensor<4x16xf64>
func.func @linear_transpose_weight(%x: tensor<4x8xf64>, %w: tensor<16x8xf64>, %b: tensor<16xf64>) -> tensor<4x16xf64> {
  %0 = ptm.linear %x, %w, %b {transpose_weight = true} : (tensor<4x8xf64>, tensor<16x8xf64>, tensor<16xf64>) -> tensor<4x16xf64>
  return %0 : tensor<4x16xf64>
}

// CHECK-LABEL: func.func @add_mul
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>, %[[Y:.*]]: tensor<2x4x8xf32>, %[[P:.*]]: tensor<4x8xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK: %[[S:.*]] = ptm.add %[[X]], %[[Y]] : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
// CHECK: %[[T:.*]] = ptm.add %[[S]], %[[P]] : (tensor<2x4x8xf32>, tensor<4x8xf32>) -> tensor<2x4x8xf32>
// CHECK: %[[U:.*]] = ptm.mul %[[T]], %[[B]] : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
// CHECK: ptm.mul %[[U]], %[[Y]] : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
func.func @add_mul(%x: tensor<2x4x8xf32>, %y: tensor<2x4x8xf32>, %pos: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<2x4x8xf32> {
  %0 = ptm.add %x, %y : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %1 = ptm.add %0, %pos : (tensor<2x4x8xf32>, tensor<4x8xf32>) -> tensor<2x4x8xf32>
  %2 = ptm.mul %1, %b : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  %3 = ptm.mul %2, %y : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %3 : tensor<2x4x8xf32>
}

// CHECK-LABEL: func.func @add_mul_f64
// CHECK: ptm.add %{{.*}}, %{{.*}} : (tensor<3x2xf64>, tensor<2xf64>) -> tensor<3x2xf64>
// CHECK: ptm.mul %{{.*}}, %{{.*}} : (tensor<3x2xf64>, tensor<3x2xf64>) -> tensor<3x2xf64>
func.func @add_mul_f64(%x: tensor<3x2xf64>, %b: tensor<2xf64>) -> tensor<3x2xf64> {
  %0 = ptm.add %x, %b : (tensor<3x2xf64>, tensor<2xf64>) -> tensor<3x2xf64>
  %1 = ptm.mul %0, %0 : (tensor<3x2xf64>, tensor<3x2xf64>) -> tensor<3x2xf64>
  return %1 : tensor<3x2xf64>
}

// CHECK-LABEL: func.func @tanh
// CHECK: ptm.tanh %{{.*}} : tensor<2x8xf32>
// CHECK: ptm.tanh_grad %{{.*}}, %{{.*}} : tensor<2x8xf32>
func.func @tanh(%x: tensor<2x8xf32>, %g: tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>) {
  %0 = ptm.tanh %x : tensor<2x8xf32>
  %1 = ptm.tanh_grad %g, %0 : tensor<2x8xf32>
  return %0, %1 : tensor<2x8xf32>, tensor<2x8xf32>
}

// approximate = "none" is the default and is elided.
// CHECK-LABEL: func.func @gelu
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf32>, %[[D:.*]]: tensor<3xf64>)
// CHECK: ptm.gelu %[[X]] : tensor<2x8xf32>
// CHECK: ptm.gelu %[[X]] {approximate = "tanh"} : tensor<2x8xf32>
// CHECK: ptm.gelu %[[D]] : tensor<3xf64>
// CHECK-NOT: approximate = "none"
// CHECK: return
func.func @gelu(%x: tensor<2x8xf32>, %d: tensor<3xf64>) -> (tensor<2x8xf32>, tensor<2x8xf32>, tensor<3xf64>) {
  %0 = ptm.gelu %x : tensor<2x8xf32>
  %1 = ptm.gelu %x {approximate = "tanh"} : tensor<2x8xf32>
  %2 = ptm.gelu %d {approximate = "none"} : tensor<3xf64>
  return %0, %1, %2 : tensor<2x8xf32>, tensor<2x8xf32>, tensor<3xf64>
}

// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>, %[[G:.*]]: tensor<8xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK: ptm.layer_norm %[[X]], %[[G]], %[[B]] {epsilon = 1.000000e-05 : f64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
func.func @layer_norm(%x: tensor<2x4x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<2x4x8xf32> {
  %0 = ptm.layer_norm %x, %g, %b {epsilon = 1.0e-5 : f64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// CHECK-LABEL: func.func @residual_layer_norm
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>, %[[R:.*]]: tensor<2x4x8xf32>, %[[G:.*]]: tensor<8xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK: %[[S:.*]], %[[Y:.*]] = ptm.residual_layer_norm %[[X]], %[[R]], %[[G]], %[[B]] {epsilon = 1.000000e-05 : f64} : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<2x4x8xf32>, tensor<2x4x8xf32>)
// CHECK: return %[[S]], %[[Y]]
func.func @residual_layer_norm(%x: tensor<2x4x8xf32>, %r: tensor<2x4x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> (tensor<2x4x8xf32>, tensor<2x4x8xf32>) {
  %sum, %y = ptm.residual_layer_norm %x, %r, %g, %b {epsilon = 1.0e-5 : f64} : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<2x4x8xf32>, tensor<2x4x8xf32>)
  return %sum, %y : tensor<2x4x8xf32>, tensor<2x4x8xf32>
}

// CHECK-LABEL: func.func @layer_norm_f64
// CHECK: ptm.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {epsilon = {{9.9+[0-9]*E-13}} : f64} : (tensor<8xf64>, tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
func.func @layer_norm_f64(%x: tensor<8xf64>, %g: tensor<8xf64>, %b: tensor<8xf64>) -> tensor<8xf64> {
  %0 = ptm.layer_norm %x, %g, %b {epsilon = 1.0e-12 : f64} : (tensor<8xf64>, tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
  return %0 : tensor<8xf64>
}

// CHECK-LABEL: func.func @softmax
// CHECK: ptm.softmax %{{.*}} {axis = 2 : i64} : tensor<2x4x8xf32>
// CHECK: ptm.softmax %{{.*}} {axis = 0 : i64} : tensor<5xf64>
func.func @softmax(%x: tensor<2x4x8xf32>, %d: tensor<5xf64>) -> (tensor<2x4x8xf32>, tensor<5xf64>) {
  %0 = ptm.softmax %x {axis = 2 : i64} : tensor<2x4x8xf32>
  %1 = ptm.softmax %d {axis = 0 : i64} : tensor<5xf64>
  return %0, %1 : tensor<2x4x8xf32>, tensor<5xf64>
}

// CHECK-LABEL: func.func @attention
// CHECK-SAME: (%[[Q:.*]]: tensor<2x4x8x16xf32>, %[[K:.*]]: tensor<2x4x8x16xf32>, %[[V:.*]]: tensor<2x4x8x16xf32>)
// CHECK: ptm.attention %[[Q]], %[[K]], %[[V]] {scale = 2.500000e-01 : f64} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
func.func @attention(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32> {
  %0 = ptm.attention %q, %k, %v {scale = 0.25 : f64} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %0 : tensor<2x4x8x16xf32>
}

// Keys may be longer than queries (a KV cache); the mask is [batch, keys].
// Attention dropout: the seed after the mask, probability and stream as attributes.
// CHECK-LABEL: func.func @attention_dropout
// CHECK-SAME: (%[[Q:.*]]: tensor<2x4x8x16xf32>, %[[M:.*]]: tensor<2x8xi64>, %[[S:.*]]: tensor<i64>, %[[G:.*]]: tensor<2x4x8x16xf32>)
// CHECK: ptm.attention %[[Q]], %[[Q]], %[[Q]], %[[M]] dropout_seed %[[S]] {causal = true, dropout = 1.000000e-01 : f64, dropout_stream = 2 : i64, scale = 2.500000e-01 : f64} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x8xi64>, tensor<i64>) -> tensor<2x4x8x16xf32>
// CHECK: ptm.attention %[[Q]], %[[Q]], %[[Q]] dropout_seed %[[S]] {dropout = 5.000000e-01 : f64, scale = 2.500000e-01 : f64} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<i64>) -> tensor<2x4x8x16xf32>
// CHECK: ptm.attention_grad %[[G]], %[[Q]], %[[Q]], %[[Q]], %[[M]] dropout_seed %[[S]] {causal = true, dropout = 1.000000e-01 : f64, dropout_stream = 2 : i64, scale = 2.500000e-01 : f64}
func.func @attention_dropout(%q: tensor<2x4x8x16xf32>, %m: tensor<2x8xi64>, %s: tensor<i64>, %g: tensor<2x4x8x16xf32>) -> (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) {
  %0 = ptm.attention %q, %q, %q, %m dropout_seed %s {causal = true, dropout = 0.1 : f64, dropout_stream = 2 : i64, scale = 0.25 : f64} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x8xi64>, tensor<i64>) -> tensor<2x4x8x16xf32>
  %1 = ptm.attention %q, %q, %q dropout_seed %s {dropout = 0.5 : f64, scale = 0.25 : f64} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<i64>) -> tensor<2x4x8x16xf32>
  %2:3 = ptm.attention_grad %g, %q, %q, %q, %m dropout_seed %s {causal = true, dropout = 0.1 : f64, dropout_stream = 2 : i64, scale = 0.25 : f64} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x8xi64>, tensor<i64>) -> (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>)
  return %0, %1, %2#0 : tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>
}

//===----------------------------------------------------------------------===//
// dropout
//===----------------------------------------------------------------------===//

// stream = 0 is the default and is elided; f64 works as f32.
// CHECK-LABEL: func.func @dropout
// CHECK-SAME: (%[[X:.*]]: tensor<2x16x64xf32>, %[[S:.*]]: tensor<i64>, %[[Y:.*]]: tensor<3xf64>)
// CHECK: ptm.dropout %[[X]], %[[S]] {probability = 1.000000e-01 : f64, stream = 3 : i64} : (tensor<2x16x64xf32>, tensor<i64>) -> tensor<2x16x64xf32>
// CHECK: ptm.dropout %[[Y]], %[[S]] {probability = 0.000000e+00 : f64} : (tensor<3xf64>, tensor<i64>) -> tensor<3xf64>
func.func @dropout(%x: tensor<2x16x64xf32>, %s: tensor<i64>, %y: tensor<3xf64>) -> (tensor<2x16x64xf32>, tensor<3xf64>) {
  %0 = ptm.dropout %x, %s {probability = 0.1 : f64, stream = 3 : i64} : (tensor<2x16x64xf32>, tensor<i64>) -> tensor<2x16x64xf32>
  %1 = ptm.dropout %y, %s {probability = 0.0 : f64, stream = 0 : i64} : (tensor<3xf64>, tensor<i64>) -> tensor<3xf64>
  return %0, %1 : tensor<2x16x64xf32>, tensor<3xf64>
}

// CHECK-LABEL: func.func @attention_mask_causal
// CHECK-SAME: (%[[Q:.*]]: tensor<2x4x3x16xf32>, %[[K:.*]]: tensor<2x4x8x16xf32>, %[[V:.*]]: tensor<2x4x8x16xf32>, %[[M:.*]]: tensor<2x8xi64>)
// CHECK: ptm.attention %[[Q]], %[[K]], %[[V]], %[[M]] {causal = true, scale = 2.500000e-01 : f64} : (tensor<2x4x3x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x8xi64>) -> tensor<2x4x3x16xf32>
func.func @attention_mask_causal(%q: tensor<2x4x3x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>, %m: tensor<2x8xi64>) -> tensor<2x4x3x16xf32> {
  %0 = ptm.attention %q, %k, %v, %m {causal = true, scale = 0.25 : f64} : (tensor<2x4x3x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x8xi64>) -> tensor<2x4x3x16xf32>
  return %0 : tensor<2x4x3x16xf32>
}

// Masks may be i1, i32, i64, f32 or f64; queries may outnumber keys without causal.
// CHECK-LABEL: func.func @attention_mask_types
// CHECK: ptm.attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {scale = 1.000000e+00 : f64} : (tensor<1x1x4x2xf64>, tensor<1x1x3x2xf64>, tensor<1x1x3x2xf64>, tensor<1x3xi1>) -> tensor<1x1x4x2xf64>
// CHECK: ptm.attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {scale = 1.000000e+00 : f64} : (tensor<1x1x4x2xf64>, tensor<1x1x3x2xf64>, tensor<1x1x3x2xf64>, tensor<1x3xf32>) -> tensor<1x1x4x2xf64>
func.func @attention_mask_types(%q: tensor<1x1x4x2xf64>, %k: tensor<1x1x3x2xf64>, %v: tensor<1x1x3x2xf64>, %m1: tensor<1x3xi1>, %m2: tensor<1x3xf32>) -> (tensor<1x1x4x2xf64>, tensor<1x1x4x2xf64>) {
  %0 = ptm.attention %q, %k, %v, %m1 {scale = 1.0 : f64} : (tensor<1x1x4x2xf64>, tensor<1x1x3x2xf64>, tensor<1x1x3x2xf64>, tensor<1x3xi1>) -> tensor<1x1x4x2xf64>
  %1 = ptm.attention %q, %k, %v, %m2 {scale = 1.0 : f64} : (tensor<1x1x4x2xf64>, tensor<1x1x3x2xf64>, tensor<1x1x3x2xf64>, tensor<1x3xf32>) -> tensor<1x1x4x2xf64>
  return %0, %1 : tensor<1x1x4x2xf64>, tensor<1x1x4x2xf64>
}

// CHECK-LABEL: func.func @reshape
// CHECK: ptm.reshape %{{.*}} : (tensor<2x4x8xf32>) -> tensor<2x4x2x4xf32>
// CHECK: ptm.reshape %{{.*}} : (tensor<2x4x2x4xf32>) -> tensor<64xf32>
func.func @reshape(%x: tensor<2x4x8xf32>) -> tensor<64xf32> {
  %0 = ptm.reshape %x : (tensor<2x4x8xf32>) -> tensor<2x4x2x4xf32>
  %1 = ptm.reshape %0 : (tensor<2x4x2x4xf32>) -> tensor<64xf32>
  return %1 : tensor<64xf32>
}

// CHECK-LABEL: func.func @transpose
// CHECK: ptm.transpose %{{.*}} [0, 2, 1, 3] : (tensor<2x4x3x8xf32>) -> tensor<2x3x4x8xf32>
// CHECK: ptm.transpose %{{.*}} [1, 0] : (tensor<3x5xf64>) -> tensor<5x3xf64>
func.func @transpose(%x: tensor<2x4x3x8xf32>, %y: tensor<3x5xf64>) -> (tensor<2x3x4x8xf32>, tensor<5x3xf64>) {
  %0 = ptm.transpose %x [0, 2, 1, 3] : (tensor<2x4x3x8xf32>) -> tensor<2x3x4x8xf32>
  %1 = ptm.transpose %y [1, 0] : (tensor<3x5xf64>) -> tensor<5x3xf64>
  return %0, %1 : tensor<2x3x4x8xf32>, tensor<5x3xf64>
}

// CHECK-LABEL: func.func @concat
// CHECK: ptm.concat %{{.*}}, %{{.*}} {dim = 2 : i64} : (tensor<1x2x7x4xf32>, tensor<1x2x1x4xf32>) -> tensor<1x2x8x4xf32>
// CHECK: ptm.concat %{{.*}} {dim = 0 : i64} : (tensor<3xf64>) -> tensor<3xf64>
func.func @concat(%past: tensor<1x2x7x4xf32>, %new: tensor<1x2x1x4xf32>, %x: tensor<3xf64>) -> (tensor<1x2x8x4xf32>, tensor<3xf64>) {
  %0 = ptm.concat %past, %new {dim = 2 : i64} : (tensor<1x2x7x4xf32>, tensor<1x2x1x4xf32>) -> tensor<1x2x8x4xf32>
  %1 = ptm.concat %x {dim = 0 : i64} : (tensor<3xf64>) -> tensor<3xf64>
  return %0, %1 : tensor<1x2x8x4xf32>, tensor<3xf64>
}

// CHECK-LABEL: func.func @slice
// CHECK: ptm.slice %{{.*}} [0, 0, 16] : (tensor<2x4x48xf32>) -> tensor<2x4x16xf32>
// CHECK: ptm.slice %{{.*}} [0, 0] : (tensor<1024x8xf64>) -> tensor<4x8xf64>
func.func @slice(%qkv: tensor<2x4x48xf32>, %wpe: tensor<1024x8xf64>) -> (tensor<2x4x16xf32>, tensor<4x8xf64>) {
  %0 = ptm.slice %qkv [0, 0, 16] : (tensor<2x4x48xf32>) -> tensor<2x4x16xf32>
  %1 = ptm.slice %wpe [0, 0] : (tensor<1024x8xf64>) -> tensor<4x8xf64>
  return %0, %1 : tensor<2x4x16xf32>, tensor<4x8xf64>
}

// transpose_lhs reads lhs as [..., K, M]; rhs has the rank of lhs.
// CHECK-LABEL: func.func @matmul_transpose_lhs
// CHECK-SAME: (%[[X:.*]]: tensor<32x64xf32>, %[[G:.*]]: tensor<32x192xf32>, %[[A:.*]]: tensor<2x8x4xf32>, %[[B:.*]]: tensor<2x8x6xf32>, %[[GT:.*]]: tensor<32x50xf32>)
// CHECK: ptm.matmul %[[X]], %[[G]] {transpose_lhs = true} : (tensor<32x64xf32>, tensor<32x192xf32>) -> tensor<64x192xf32>
// CHECK: ptm.matmul %[[A]], %[[B]] {transpose_lhs = true} : (tensor<2x8x4xf32>, tensor<2x8x6xf32>) -> tensor<2x4x6xf32>
// CHECK: ptm.matmul %[[GT]], %[[X]] {transpose_lhs = true} : (tensor<32x50xf32>, tensor<32x64xf32>) -> tensor<50x64xf32>
// CHECK: %[[SQ:.*]] = ptm.slice %[[X]] [0, 0]
// CHECK: ptm.matmul %[[X]], %[[SQ]] {transpose_lhs = true, transpose_rhs = true} : (tensor<32x64xf32>, tensor<32x32xf32>) -> tensor<64x32xf32>
// CHECK: ptm.matmul %[[SQ]], %[[G]] : (tensor<32x32xf32>, tensor<32x192xf32>) -> tensor<32x192xf32>
// CHECK-NOT: transpose_lhs = false
// CHECK: return
func.func @matmul_transpose_lhs(%x: tensor<32x64xf32>, %g: tensor<32x192xf32>, %a: tensor<2x8x4xf32>, %b: tensor<2x8x6xf32>, %gt: tensor<32x50xf32>) -> (tensor<64x192xf32>, tensor<2x4x6xf32>, tensor<50x64xf32>, tensor<64x32xf32>, tensor<32x192xf32>) {
  %0 = ptm.matmul %x, %g {transpose_lhs = true} : (tensor<32x64xf32>, tensor<32x192xf32>) -> tensor<64x192xf32>
  %1 = ptm.matmul %a, %b {transpose_lhs = true} : (tensor<2x8x4xf32>, tensor<2x8x6xf32>) -> tensor<2x4x6xf32>
  %2 = ptm.matmul %gt, %x {transpose_lhs = true, transpose_rhs = false} : (tensor<32x50xf32>, tensor<32x64xf32>) -> tensor<50x64xf32>
  %sq = ptm.slice %x [0, 0] : (tensor<32x64xf32>) -> tensor<32x32xf32>
  %3 = ptm.matmul %x, %sq {transpose_lhs = true, transpose_rhs = true} : (tensor<32x64xf32>, tensor<32x32xf32>) -> tensor<64x32xf32>
  %4 = ptm.matmul %sq, %g {transpose_lhs = false} : (tensor<32x32xf32>, tensor<32x192xf32>) -> tensor<32x192xf32>
  return %0, %1, %2, %3, %4 : tensor<64x192xf32>, tensor<2x4x6xf32>, tensor<50x64xf32>, tensor<64x32xf32>, tensor<32x192xf32>
}

//===----------------------------------------------------------------------===//
// Training: loss and gradient ops
//===----------------------------------------------------------------------===//

// ignore_index = -100 and shift_labels = true are the defaults and are elided.
// CHECK-LABEL: func.func @cross_entropy
// CHECK-SAME: (%[[L:.*]]: tensor<2x4x10xf32>, %[[Y:.*]]: tensor<2x4xi64>, %[[Y32:.*]]: tensor<6xi32>, %[[L2:.*]]: tensor<6x5xf64>)
// CHECK: %[[A:.*]] = ptm.cross_entropy %[[L]], %[[Y]] : (tensor<2x4x10xf32>, tensor<2x4xi64>) -> tensor<f32>
// CHECK: %[[B:.*]] = ptm.cross_entropy %[[L]], %[[Y]] : (tensor<2x4x10xf32>, tensor<2x4xi64>) -> tensor<f32>
// CHECK: %[[C:.*]] = ptm.cross_entropy %[[L2]], %[[Y32]] {ignore_index = -1 : i64, shift_labels = false} : (tensor<6x5xf64>, tensor<6xi32>) -> tensor<f64>
// CHECK: return %[[A]], %[[B]], %[[C]]
func.func @cross_entropy(%l: tensor<2x4x10xf32>, %y: tensor<2x4xi64>, %y32: tensor<6xi32>, %l2: tensor<6x5xf64>) -> (tensor<f32>, tensor<f32>, tensor<f64>) {
  %0 = ptm.cross_entropy %l, %y : (tensor<2x4x10xf32>, tensor<2x4xi64>) -> tensor<f32>
  %1 = ptm.cross_entropy %l, %y {ignore_index = -100 : i64, shift_labels = true} : (tensor<2x4x10xf32>, tensor<2x4xi64>) -> tensor<f32>
  %2 = ptm.cross_entropy %l2, %y32 {ignore_index = -1 : i64, shift_labels = false} : (tensor<6x5xf64>, tensor<6xi32>) -> tensor<f64>
  return %0, %1, %2 : tensor<f32>, tensor<f32>, tensor<f64>
}

// CHECK-LABEL: func.func @cross_entropy_grad
// CHECK-SAME: (%[[G:.*]]: tensor<f32>, %[[L:.*]]: tensor<2x4x10xf32>, %[[Y:.*]]: tensor<2x4xi64>)
// CHECK: ptm.cross_entropy_grad %[[G]], %[[L]], %[[Y]] : (tensor<f32>, tensor<2x4x10xf32>, tensor<2x4xi64>) -> tensor<2x4x10xf32>
// CHECK: ptm.cross_entropy_grad %[[G]], %[[L]], %[[Y]] {ignore_index = 0 : i64, shift_labels = false} : (tensor<f32>, tensor<2x4x10xf32>, tensor<2x4xi64>) -> tensor<2x4x10xf32>
func.func @cross_entropy_grad(%g: tensor<f32>, %l: tensor<2x4x10xf32>, %y: tensor<2x4xi64>) -> (tensor<2x4x10xf32>, tensor<2x4x10xf32>) {
  %0 = ptm.cross_entropy_grad %g, %l, %y : (tensor<f32>, tensor<2x4x10xf32>, tensor<2x4xi64>) -> tensor<2x4x10xf32>
  %1 = ptm.cross_entropy_grad %g, %l, %y {ignore_index = 0 : i64, shift_labels = false} : (tensor<f32>, tensor<2x4x10xf32>, tensor<2x4xi64>) -> tensor<2x4x10xf32>
  return %0, %1 : tensor<2x4x10xf32>, tensor<2x4x10xf32>
}

// A count (gradient accumulation: the whole batch's) replaces the own count.
// CHECK-LABEL: func.func @cross_entropy_count
// CHECK-SAME: (%[[G:.*]]: tensor<f32>, %[[L:.*]]: tensor<2x4x10xf32>, %[[Y:.*]]: tensor<2x4xi64>, %[[N:.*]]: tensor<f32>)
// CHECK: ptm.cross_entropy %[[L]], %[[Y]] count %[[N]] : (tensor<2x4x10xf32>, tensor<2x4xi64>, tensor<f32>) -> tensor<f32>
// CHECK: ptm.cross_entropy_grad %[[G]], %[[L]], %[[Y]] count %[[N]] {ignore_index = 0 : i64} : (tensor<f32>, tensor<2x4x10xf32>, tensor<2x4xi64>, tensor<f32>) -> tensor<2x4x10xf32>
func.func @cross_entropy_count(%g: tensor<f32>, %l: tensor<2x4x10xf32>, %y: tensor<2x4xi64>, %n: tensor<f32>) -> (tensor<f32>, tensor<2x4x10xf32>) {
  %0 = ptm.cross_entropy %l, %y count %n : (tensor<2x4x10xf32>, tensor<2x4xi64>, tensor<f32>) -> tensor<f32>
  %1 = ptm.cross_entropy_grad %g, %l, %y count %n {ignore_index = 0 : i64} : (tensor<f32>, tensor<2x4x10xf32>, tensor<2x4xi64>, tensor<f32>) -> tensor<2x4x10xf32>
  return %0, %1 : tensor<f32>, tensor<2x4x10xf32>
}

// CHECK-LABEL: func.func @count_targets
// CHECK-SAME: (%[[Y:.*]]: tensor<6x24xi64>, %[[Y32:.*]]: tensor<5xi32>)
// CHECK: ptm.count_targets %[[Y]] : (tensor<6x24xi64>) -> tensor<f32>
// CHECK: ptm.count_targets %[[Y32]] {ignore_index = -1 : i64, shift_labels = false} : (tensor<5xi32>) -> tensor<f64>
func.func @count_targets(%y: tensor<6x24xi64>, %y32: tensor<5xi32>) -> (tensor<f32>, tensor<f64>) {
  %0 = ptm.count_targets %y {ignore_index = -100 : i64} : (tensor<6x24xi64>) -> tensor<f32>
  %1 = ptm.count_targets %y32 {ignore_index = -1 : i64, shift_labels = false} : (tensor<5xi32>) -> tensor<f64>
  return %0, %1 : tensor<f32>, tensor<f64>
}

// CHECK-LABEL: func.func @reduce_leading
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>)
// CHECK: ptm.reduce_leading %[[X]] : (tensor<2x4x8xf32>) -> tensor<8xf32>
// CHECK: ptm.reduce_leading %[[X]] : (tensor<2x4x8xf32>) -> tensor<4x8xf32>
// CHECK: ptm.reduce_leading %[[X]] : (tensor<2x4x8xf32>) -> tensor<f32>
func.func @reduce_leading(%x: tensor<2x4x8xf32>) -> (tensor<8xf32>, tensor<4x8xf32>, tensor<f32>) {
  %0 = ptm.reduce_leading %x : (tensor<2x4x8xf32>) -> tensor<8xf32>
  %1 = ptm.reduce_leading %x : (tensor<2x4x8xf32>) -> tensor<4x8xf32>
  %2 = ptm.reduce_leading %x : (tensor<2x4x8xf32>) -> tensor<f32>
  return %0, %1, %2 : tensor<8xf32>, tensor<4x8xf32>, tensor<f32>
}

// CHECK-LABEL: func.func @gelu_grad
// CHECK-SAME: (%[[G:.*]]: tensor<2x8xf32>, %[[X:.*]]: tensor<2x8xf32>)
// CHECK: ptm.gelu_grad %[[G]], %[[X]] : tensor<2x8xf32>
// CHECK: ptm.gelu_grad %[[G]], %[[X]] {approximate = "tanh"} : tensor<2x8xf32>
// CHECK: ptm.gelu_grad %[[G]], %[[X]] : tensor<2x8xf32>
// CHECK-NOT: approximate = "none"
// CHECK: return
func.func @gelu_grad(%g: tensor<2x8xf32>, %x: tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>) {
  %0 = ptm.gelu_grad %g, %x : tensor<2x8xf32>
  %1 = ptm.gelu_grad %g, %x {approximate = "tanh"} : tensor<2x8xf32>
  %2 = ptm.gelu_grad %g, %x {approximate = "none"} : tensor<2x8xf32>
  return %0, %1, %2 : tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>
}

// CHECK-LABEL: func.func @layer_norm_grad
// CHECK-SAME: (%[[G:.*]]: tensor<2x4x8xf32>, %[[X:.*]]: tensor<2x4x8xf32>, %[[W:.*]]: tensor<8xf32>)
// CHECK: %[[DX:.*]], %[[DW:.*]], %[[DB:.*]] = ptm.layer_norm_grad %[[G]], %[[X]], %[[W]] {epsilon = 1.000000e-05 : f64} : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8xf32>) -> (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>)
// CHECK: return %[[DX]], %[[DW]], %[[DB]]
func.func @layer_norm_grad(%g: tensor<2x4x8xf32>, %x: tensor<2x4x8xf32>, %w: tensor<8xf32>) -> (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %0:3 = ptm.layer_norm_grad %g, %x, %w {epsilon = 1.0e-5 : f64} : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8xf32>) -> (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>)
  return %0#0, %0#1, %0#2 : tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>
}

// CHECK-LABEL: func.func @softmax_grad
// CHECK-SAME: (%[[G:.*]]: tensor<2x4x8xf32>, %[[Y:.*]]: tensor<2x4x8xf32>, %[[D:.*]]: tensor<5xf64>)
// CHECK: ptm.softmax_grad %[[G]], %[[Y]] {axis = 2 : i64} : tensor<2x4x8xf32>
// CHECK: ptm.softmax_grad %[[G]], %[[Y]] {axis = 0 : i64} : tensor<2x4x8xf32>
// CHECK: ptm.softmax_grad %[[D]], %[[D]] {axis = 0 : i64} : tensor<5xf64>
func.func @softmax_grad(%g: tensor<2x4x8xf32>, %y: tensor<2x4x8xf32>, %d: tensor<5xf64>) -> (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<5xf64>) {
  %0 = ptm.softmax_grad %g, %y {axis = 2 : i64} : tensor<2x4x8xf32>
  %1 = ptm.softmax_grad %g, %y {axis = 0 : i64} : tensor<2x4x8xf32>
  %2 = ptm.softmax_grad %d, %d {axis = 0 : i64} : tensor<5xf64>
  return %0, %1, %2 : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<5xf64>
}

// CHECK-LABEL: func.func @attention_grad
// CHECK-SAME: (%[[G:.*]]: tensor<2x4x3x16xf32>, %[[Q:.*]]: tensor<2x4x3x16xf32>, %[[K:.*]]: tensor<2x4x8x16xf32>, %[[V:.*]]: tensor<2x4x8x16xf32>, %[[M:.*]]: tensor<2x8xi64>)
// CHECK: %[[DQ:.*]], %[[DK:.*]], %[[DV:.*]] = ptm.attention_grad %[[G]], %[[Q]], %[[K]], %[[V]] {scale = 2.500000e-01 : f64} : (tensor<2x4x3x16xf32>, tensor<2x4x3x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> (tensor<2x4x3x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>)
// CHECK: ptm.attention_grad %[[G]], %[[Q]], %[[K]], %[[V]], %[[M]] {causal = true, scale = 2.500000e-01 : f64} : (tensor<2x4x3x16xf32>, tensor<2x4x3x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x8xi64>) -> (tensor<2x4x3x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>)
// CHECK: return %[[DQ]], %[[DK]], %[[DV]]
func.func @attention_grad(%g: tensor<2x4x3x16xf32>, %q: tensor<2x4x3x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>, %m: tensor<2x8xi64>) -> (tensor<2x4x3x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x3x16xf32>) {
  %0:3 = ptm.attention_grad %g, %q, %k, %v {scale = 0.25 : f64, causal = false} : (tensor<2x4x3x16xf32>, tensor<2x4x3x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> (tensor<2x4x3x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>)
  %1:3 = ptm.attention_grad %g, %q, %k, %v, %m {causal = true, scale = 0.25 : f64} : (tensor<2x4x3x16xf32>, tensor<2x4x3x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x8xi64>) -> (tensor<2x4x3x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>)
  return %0#0, %0#1, %0#2, %1#0 : tensor<2x4x3x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x3x16xf32>
}

// CHECK-LABEL: func.func @embedding_grad
// CHECK-SAME: (%[[G:.*]]: tensor<2x4x8xf32>, %[[IDS:.*]]: tensor<2x4xi64>, %[[G1:.*]]: tensor<5x3xf64>, %[[IDS1:.*]]: tensor<5xi32>)
// CHECK: ptm.embedding_grad %[[G]], %[[IDS]] : (tensor<2x4x8xf32>, tensor<2x4xi64>) -> tensor<100x8xf32>
// CHECK: ptm.embedding_grad %[[G1]], %[[IDS1]] : (tensor<5x3xf64>, tensor<5xi32>) -> tensor<10x3xf64>
func.func @embedding_grad(%g: tensor<2x4x8xf32>, %ids: tensor<2x4xi64>, %g1: tensor<5x3xf64>, %ids1: tensor<5xi32>) -> (tensor<100x8xf32>, tensor<10x3xf64>) {
  %0 = ptm.embedding_grad %g, %ids : (tensor<2x4x8xf32>, tensor<2x4xi64>) -> tensor<100x8xf32>
  %1 = ptm.embedding_grad %g1, %ids1 : (tensor<5x3xf64>, tensor<5xi32>) -> tensor<10x3xf64>
  return %0, %1 : tensor<100x8xf32>, tensor<10x3xf64>
}

// CHECK-LABEL: func.func @slice_grad
// CHECK-SAME: (%[[G:.*]]: tensor<2x4x16xf32>, %[[P:.*]]: tensor<4x8xf64>)
// CHECK: ptm.slice_grad %[[G]] [0, 0, 16] : (tensor<2x4x16xf32>) -> tensor<2x4x48xf32>
// CHECK: ptm.slice_grad %[[P]] [0, 0] : (tensor<4x8xf64>) -> tensor<1024x8xf64>
func.func @slice_grad(%g: tensor<2x4x16xf32>, %p: tensor<4x8xf64>) -> (tensor<2x4x48xf32>, tensor<1024x8xf64>) {
  %0 = ptm.slice_grad %g [0, 0, 16] : (tensor<2x4x16xf32>) -> tensor<2x4x48xf32>
  %1 = ptm.slice_grad %p [0, 0] : (tensor<4x8xf64>) -> tensor<1024x8xf64>
  return %0, %1 : tensor<2x4x48xf32>, tensor<1024x8xf64>
}
