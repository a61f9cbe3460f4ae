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

// CHECK-LABEL: func.func @slice
// CHECK: ptm.slice %{{.*}} [0, 0, 16] : (tensor<2x4x48xf32>) -> tensor<2x4x16xf32>
// CHECK: ptm.slice %{{.*}} [0, 0] : (tensor<1024x8xf64>) -> tensor<4x8xf64>
func.func @slice(%qkv: tensor<2x4x48xf32>, %wpe: tensor<1024x8xf64>) -> (tensor<2x4x16xf32>, tensor<4x8xf64>) {
  %0 = ptm.slice %qkv [0, 0, 16] : (tensor<2x4x48xf32>) -> tensor<2x4x16xf32>
  %1 = ptm.slice %wpe [0, 0] : (tensor<1024x8xf64>) -> tensor<4x8xf64>
  return %0, %1 : tensor<2x4x16xf32>, tensor<4x8xf64>
}
