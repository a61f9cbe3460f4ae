// RUN: ptm-opt %s --ptm-autodiff | FileCheck %s
// RUN: ptm-opt %s --ptm-autodiff | FileCheck %s --check-prefix=MARKER
// MARKER-NOT: ptm.differentiate
// ptm-autodiff: one case per VJP rule of dialects/ptm/PtmGradients.cpp, then
// fan-out accumulation, zero gradients, the result contract and functions
// left alone. Every loss is a ptm.cross_entropy, whose gradient (seeded with
// d(loss) = 1) is the incoming gradient %[[G]] of the op under test.

//===----------------------------------------------------------------------===//
// cross_entropy: the seed and cross_entropy_grad
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @cross_entropy
// CHECK-SAME: (%[[L:[^:]*]]: tensor<2x4x10xf32> {ptm.parameter = "logits"}, %[[Y:[^:]*]]: tensor<2x4xi64>)
// CHECK-SAME: -> (tensor<f32>, tensor<2x4x10xf32> {ptm.output = "logits"})
// CHECK-NOT: attributes
// CHECK: %[[LOSS:.*]] = ptm.cross_entropy %[[L]], %[[Y]] : (tensor<2x4x10xf32>, tensor<2x4xi64>) -> tensor<f32>
// CHECK: %[[SEED:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[G:.*]] = ptm.cross_entropy_grad %[[SEED]], %[[L]], %[[Y]] : (tensor<f32>, tensor<2x4x10xf32>, tensor<2x4xi64>) -> tensor<2x4x10xf32>
// CHECK-NEXT: return %[[LOSS]], %[[G]] : tensor<f32>, tensor<2x4x10xf32>
func.func @cross_entropy(%l: tensor<2x4x10xf32> {ptm.parameter = "logits"}, %y: tensor<2x4xi64>) -> tensor<f32> attributes {ptm.differentiate} {
  %0 = ptm.cross_entropy %l, %y : (tensor<2x4x10xf32>, tensor<2x4xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// The seed has the loss's element type; ignore_index and shift_labels carry over.
// CHECK-LABEL: func.func @cross_entropy_f64_attrs
// CHECK-SAME: (%[[L:[^:]*]]: tensor<6x5xf64> {ptm.parameter = "logits"}, %[[Y:[^:]*]]: tensor<6xi32>)
// CHECK: %[[SEED:.*]] = arith.constant dense<1.000000e+00> : tensor<f64>
// CHECK: %[[G:.*]] = ptm.cross_entropy_grad %[[SEED]], %[[L]], %[[Y]] {ignore_index = -1 : i64, shift_labels = false} : (tensor<f64>, tensor<6x5xf64>, tensor<6xi32>) -> tensor<6x5xf64>
// CHECK: return %{{.*}}, %[[G]] : tensor<f64>, tensor<6x5xf64>
func.func @cross_entropy_f64_attrs(%l: tensor<6x5xf64> {ptm.parameter = "logits"}, %y: tensor<6xi32>) -> tensor<f64> attributes {ptm.differentiate} {
  %0 = ptm.cross_entropy %l, %y {ignore_index = -1 : i64, shift_labels = false} : (tensor<6x5xf64>, tensor<6xi32>) -> tensor<f64>
  return %0 : tensor<f64>
}

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

// C = A B: dA = dC Bᵀ (transpose_rhs), dB = Aᵀ dC (transpose_lhs).
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[X:[^:]*]]: tensor<4x8xf32> {ptm.parameter = "x"}, %[[W:[^:]*]]: tensor<8x16xf32> {ptm.parameter = "w"}, %[[Y:[^:]*]]: tensor<4xi64>)
// CHECK-SAME: -> (tensor<f32>, tensor<4x8xf32> {ptm.output = "x"}, tensor<8x16xf32> {ptm.output = "w"})
// CHECK: %[[C:.*]] = ptm.matmul %[[X]], %[[W]] :
// CHECK: %[[G:.*]] = ptm.cross_entropy_grad %{{.*}}, %[[C]], %[[Y]]
// CHECK-NEXT: %[[DX:.*]] = ptm.matmul %[[G]], %[[W]] {transpose_rhs = true} : (tensor<4x16xf32>, tensor<8x16xf32>) -> tensor<4x8xf32>
// CHECK-NEXT: %[[DW:.*]] = ptm.matmul %[[X]], %[[G]] {transpose_lhs = true} : (tensor<4x8xf32>, tensor<4x16xf32>) -> tensor<8x16xf32>
// CHECK-NEXT: return %{{.*}}, %[[DX]], %[[DW]] : tensor<f32>, tensor<4x8xf32>, tensor<8x16xf32>
func.func @matmul(%x: tensor<4x8xf32> {ptm.parameter = "x"}, %w: tensor<8x16xf32> {ptm.parameter = "w"}, %y: tensor<4xi64>) -> tensor<f32> attributes {ptm.differentiate} {
  %0 = ptm.matmul %x, %w : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %1 = ptm.cross_entropy %0, %y : (tensor<4x16xf32>, tensor<4xi64>) -> tensor<f32>
  return %1 : tensor<f32>
}

// A weight shared by the batch: its gradient sums over all rows, so x and dC
// are reshaped to [rows, .] first. dx keeps the batch shape.
// CHECK-LABEL: func.func @matmul_shared_weight
// CHECK-SAME: (%[[X:[^:]*]]: tensor<2x4x8xf32>, %[[W:[^:]*]]: tensor<8x16xf32> {ptm.parameter = "w"}, %[[Y:[^:]*]]: tensor<2x4xi64>)
// CHECK-SAME: -> (tensor<f32>, tensor<8x16xf32> {ptm.output = "w"})
// CHECK: %[[G:.*]] = ptm.cross_entropy_grad
// CHECK-NEXT: ptm.matmul %[[G]], %[[W]] {transpose_rhs = true} : (tensor<2x4x16xf32>, tensor<8x16xf32>) -> tensor<2x4x8xf32>
// CHECK-NEXT: %[[X2:.*]] = ptm.reshape %[[X]] : (tensor<2x4x8xf32>) -> tensor<8x8xf32>
// CHECK-NEXT: %[[G2:.*]] = ptm.reshape %[[G]] : (tensor<2x4x16xf32>) -> tensor<8x16xf32>
// CHECK-NEXT: %[[DW:.*]] = ptm.matmul %[[X2]], %[[G2]] {transpose_lhs = true} : (tensor<8x8xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
// CHECK-NEXT: return %{{.*}}, %[[DW]] : tensor<f32>, tensor<8x16xf32>
func.func @matmul_shared_weight(%x: tensor<2x4x8xf32>, %w: tensor<8x16xf32> {ptm.parameter = "w"}, %y: tensor<2x4xi64>) -> tensor<f32> attributes {ptm.differentiate} {
  %0 = ptm.matmul %x, %w : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<2x4x16xf32>
  %1 = ptm.cross_entropy %0, %y : (tensor<2x4x16xf32>, tensor<2x4xi64>) -> tensor<f32>
  return %1 : tensor<f32>
}

// C = A Bᵀ with B [N, K] (tied output embedding): dA = dC B, dB = dCᵀ A.
// CHECK-LABEL: func.func @matmul_transpose_rhs
// CHECK-SAME: (%[[X:[^:]*]]: tensor<2x4x8xf32> {ptm.parameter = "x"}, %[[WTE:[^:]*]]: tensor<16x8xf32> {ptm.parameter = "wte"}, %{{[^:]*}}: tensor<2x4xi64>)
// CHECK: %[[G:.*]] = ptm.cross_entropy_grad
// CHECK-NEXT: %[[DX:.*]] = ptm.matmul %[[G]], %[[WTE]] : (tensor<2x4x16xf32>, tensor<16x8xf32>) -> tensor<2x4x8xf32>
// CHECK-NEXT: %[[X2:.*]] = ptm.reshape %[[X]] : (tensor<2x4x8xf32>) -> tensor<8x8xf32>
// CHECK-NEXT: %[[G2:.*]] = ptm.reshape %[[G]] : (tensor<2x4x16xf32>) -> tensor<8x16xf32>
// CHECK-NEXT: %[[DWTE:.*]] = ptm.matmul %[[G2]], %[[X2]] {transpose_lhs = true} : (tensor<8x16xf32>, tensor<8x8xf32>) -> tensor<16x8xf32>
// CHECK-NEXT: return %{{.*}}, %[[DX]], %[[DWTE]] : tensor<f32>, tensor<2x4x8xf32>, tensor<16x8xf32>
func.func @matmul_transpose_rhs(%x: tensor<2x4x8xf32> {ptm.parameter = "x"}, %wte: tensor<16x8xf32> {ptm.parameter = "wte"}, %y: tensor<2x4xi64>) -> tensor<f32> attributes {ptm.differentiate} {
  %0 = ptm.matmul %x, %wte {transpose_rhs = true} : (tensor<2x4x8xf32>, tensor<16x8xf32>) -> tensor<2x4x16xf32>
  %1 = ptm.cross_entropy %0, %y : (tensor<2x4x16xf32>, tensor<2x4xi64>) -> tensor<f32>
  return %1 : tensor<f32>
}

// Batched operands of the same rank need no reshape.
// CHECK-LABEL: func.func @matmul_batched
// CHECK-SAME: (%[[A:[^:]*]]: tensor<2x4x8xf32> {ptm.parameter = "a"}, %[[B:[^:]*]]: tensor<2x8x16xf32> {ptm.parameter = "b"}
// CHECK: %[[G:.*]] = ptm.cross_entropy_grad
// CHECK-NOT: ptm.reshape
// CHECK: %[[DA:.*]] = ptm.matmul %[[G]], %[[B]] {transpose_rhs = true} : (tensor<2x4x16xf32>, tensor<2x8x16xf32>) -> tensor<2x4x8xf32>
// CHECK-NEXT: %[[DB:.*]] = ptm.matmul %[[A]], %[[G]] {transpose_lhs = true} : (tensor<2x4x8xf32>, tensor<2x4x16xf32>) -> tensor<2x8x16xf32>
// CHECK-NEXT: return %{{.*}}, %[[DA]], %[[DB]]
func.func @matmul_batched(%a: tensor<2x4x8xf32> {ptm.parameter = "a"}, %b: tensor<2x8x16xf32> {ptm.parameter = "b"}, %y: tensor<2x4xi64>) -> tensor<f32> attributes {ptm.differentiate} {
  %0 = ptm.matmul %a, %b : (tensor<2x4x8xf32>, tensor<2x8x16xf32>) -> tensor<2x4x16xf32>
  %1 = ptm.cross_entropy %0, %y : (tensor<2x4x16xf32>, tensor<2x4xi64>) -> tensor<f32>
  return %1 : tensor<f32>
}

//===----------------------------------------------------------------------===//
// add, mul
//===----------------------------------------------------------------------===//

// The lhs gets the gradient itself; a broadcast rhs sums it over the
// broadcast (leading) dimensions; a same-shape rhs gets it unchanged.
// CHECK-LABEL: func.func @add_broadcast
// CHECK-SAME: (%{{[^:]*}}: tensor<2x4x16xf32> {ptm.parameter = "x"}, %{{[^:]*}}: tensor<4x16xf32> {ptm.parameter = "p"}, %{{[^:]*}}: tensor<16xf32> {ptm.parameter = "b"}, %{{[^:]*}}: tensor<2x4x16xf32> {ptm.parameter = "z"}, %{{[^:]*}}: tensor<2x4xi64>)
// CHECK-SAME: -> (tensor<f32>, tensor<2x4x16xf32> {ptm.output = "x"}, tensor<4x16xf32> {ptm.output = "p"}, tensor<16xf32> {ptm.output = "b"}, tensor<2x4x16xf32> {ptm.output = "z"})
// CHECK: %[[G:.*]] = ptm.cross_entropy_grad
// CHECK-NOT: ptm.add
// CHECK: %[[DB:.*]] = ptm.reduce_leading %[[G]] : (tensor<2x4x16xf32>) -> tensor<16xf32>
// CHECK-NEXT: %[[DP:.*]] = ptm.reduce_leading %[[G]] : (tensor<2x4x16xf32>) -> tensor<4x16xf32>
// CHECK-NEXT: return %{{.*}}, %[[G]], %[[DP]], %[[DB]], %[[G]] :
func.func @add_broadcast(%x: tensor<2x4x16xf32> {ptm.parameter = "x"}, %p: tensor<4x16xf32> {ptm.parameter = "p"}, %b: tensor<16xf32> {ptm.parameter = "b"}, %z: tensor<2x4x16xf32> {ptm.parameter = "z"}, %y: tensor<2x4xi64>) -> tensor<f32> attributes {ptm.differentiate} {
  %0 = ptm.add %x, %p : (tensor<2x4x16xf32>, tensor<4x16xf32>) -> tensor<2x4x16xf32>
  %1 = ptm.add %0, %b : (tensor<2x4x16xf32>, tensor<16xf32>) -> tensor<2x4x16xf32>
  %2 = ptm.add %1, %z : (tensor<2x4x16xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
  %3 = ptm.cross_entropy %2, %y : (tensor<2x4x16xf32>, tensor<2x4xi64>) -> tensor<f32>
  return %3 : tensor<f32>
}

// d(x * s) = (dC * s, reduce_leading(dC * x)).
// CHECK-LABEL: func.func @mul
// CHECK-SAME: (%[[X:[^:]*]]: tensor<2x4x16xf32> {ptm.parameter = "x"}, %[[S:[^:]*]]: tensor<16xf32> {ptm.parameter = "s"}
// CHECK: %[[G:.*]] = ptm.cross_entropy_grad
// CHECK-NEXT: %[[DX:.*]] = ptm.mul %[[G]], %[[S]] : (tensor<2x4x16xf32>, tensor<16xf32>) -> tensor<2x4x16xf32>
// CHECK-NEXT: %[[GX:.*]] = ptm.mul %[[G]], %[[X]] : (tensor<2x4x16xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
// CHECK-NEXT: %[[DS:.*]] = ptm.reduce_leading %[[GX]] : (tensor<2x4x16xf32>) -> tensor<16xf32>
// CHECK-NEXT: return %{{.*}}, %[[DX]], %[[DS]] : tensor<f32>, tensor<2x4x16xf32>, tensor<16xf32>
func.func @mul(%x: tensor<2x4x16xf32> {ptm.parameter = "x"}, %s: tensor<16xf32> {ptm.parameter = "s"}, %y: tensor<2x4xi64>) -> tensor<f32> attributes {ptm.differentiate} {
  %0 = ptm.mul %x, %s : (tensor<2x4x16xf32>, tensor<16xf32>) -> tensor<2x4x16xf32>
  %1 = ptm.cross_entropy %0, %y : (tensor<2x4x16xf32>, tensor<2x4xi64>) -> tensor<f32>
  return %1 : tensor<f32>
}

//===----------------------------------------------------------------------===//
// gelu, layer_norm, softmax, attention
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @gelu
// CHECK-SAME: (%[[X:[^:]*]]: tensor<4x16xf32> {ptm.parameter = "x"}
// CHECK: %[[G:.*]] = ptm.cross_entropy_grad
// CHECK-NEXT: %[[DX:.*]] = ptm.gelu_grad %[[G]], %[[X]] {approximate = "tanh"} : tensor<4x16xf32>
// CHECK-NEXT: return %{{.*}}, %[[DX]]
func.func @gelu(%x: tensor<4x16xf32> {ptm.parameter = "x"}, %y: tensor<4xi64>) -> tensor<f32> attributes {ptm.differentiate} {
  %0 = ptm.gelu %x {approximate = "tanh"} : tensor<4x16xf32>
  %1 = ptm.cross_entropy %0, %y : (tensor<4x16xf32>, tensor<4xi64>) -> tensor<f32>
  return %1 : tensor<f32>
}

// tanh's rule reads the forward result, not the input.
// CHECK-LABEL: func.func @tanh
// CHECK: %[[Y:.*]] = ptm.tanh %{{.*}} : tensor<4x16xf32>
// CHECK: %[[G:.*]] = ptm.cross_entropy_grad
// CHECK-NEXT: %[[DX:.*]] = ptm.tanh_grad %[[G]], %[[Y]] : tensor<4x16xf32>
// CHECK-NEXT: return %{{.*}}, %[[DX]]
func.func @tanh(%x: tensor<4x16xf32> {ptm.parameter = "x"}, %y: tensor<4xi64>) -> tensor<f32> attributes {ptm.differentiate} {
  %0 = ptm.tanh %x : tensor<4x16xf32>
  %1 = ptm.cross_entropy %0, %y : (tensor<4x16xf32>, tensor<4xi64>) -> tensor<f32>
  return %1 : tensor<f32>
}

// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:[^:]*]]: tensor<2x4x16xf32> {ptm.parameter = "x"}, %[[W:[^:]*]]: tensor<16xf32> {ptm.parameter = "w"}, %{{[^:]*}}: tensor<16xf32> {ptm.parameter = "b"}
// CHECK-SAME: -> (tensor<f32>, tensor<2x4x16xf32> {ptm.output = "x"}, tensor<16xf32> {ptm.output = "w"}, tensor<16xf32> {ptm.output = "b"})
// CHECK: %[[G:.*]] = ptm.cross_entropy_grad
// CHECK-NEXT: %[[DX:.*]], %[[DW:.*]], %[[DB:.*]] = ptm.layer_norm_grad %[[G]], %[[X]], %[[W]] {epsilon = 1.000000e-05 : f64} : (tensor<2x4x16xf32>, tensor<2x4x16xf32>, tensor<16xf32>) -> (tensor<2x4x16xf32>, tensor<16xf32>, tensor<16xf32>)
// CHECK-NEXT: return %{{.*}}, %[[DX]], %[[DW]], %[[DB]] :
func.func @layer_norm(%x: tensor<2x4x16xf32> {ptm.parameter = "x"}, %w: tensor<16xf32> {ptm.parameter = "w"}, %b: tensor<16xf32> {ptm.parameter = "b"}, %y: tensor<2x4xi64>) -> tensor<f32> attributes {ptm.differentiate} {
  %0 = ptm.layer_norm %x, %w, %b {epsilon = 1.0e-5 : f64} : (tensor<2x4x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<2x4x16xf32>
  %1 = ptm.cross_entropy %0, %y : (tensor<2x4x16xf32>, tensor<2x4xi64>) -> tensor<f32>
  return %1 : tensor<f32>
}

// softmax_grad reads the forward result (saved), not the input.
// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:[^:]*]]: tensor<4x16xf32> {ptm.parameter = "x"}
// CHECK: %[[P:.*]] = ptm.softmax %[[X]] {axis = 0 : i64} : tensor<4x16xf32>
// CHECK: %[[G:.*]] = ptm.cross_entropy_grad %{{.*}}, %[[P]], %{{.*}}
// CHECK-NEXT: %[[DX:.*]] = ptm.softmax_grad %[[G]], %[[P]] {axis = 0 : i64} : tensor<4x16xf32>
// CHECK-NEXT: return %{{.*}}, %[[DX]]
func.func @softmax(%x: tensor<4x16xf32> {ptm.parameter = "x"}, %y: tensor<4xi64>) -> tensor<f32> attributes {ptm.differentiate} {
  %0 = ptm.softmax %x {axis = 0 : i64} : tensor<4x16xf32>
  %1 = ptm.cross_entropy %0, %y : (tensor<4x16xf32>, tensor<4xi64>) -> tensor<f32>
  return %1 : tensor<f32>
}

// The mask and the causal/scale attributes reach attention_grad; the mask
// gets no gradient.
// CHECK-LABEL: func.func @attention
// CHECK-SAME: (%[[Q:[^:]*]]: tensor<1x2x4x8xf32> {ptm.parameter = "q"}, %[[K:[^:]*]]: tensor<1x2x4x8xf32> {ptm.parameter = "k"}, %[[V:[^:]*]]: tensor<1x2x4x8xf32> {ptm.parameter = "v"}, %[[M:[^:]*]]: tensor<1x4xi64>, %{{[^:]*}}: tensor<1x2x4xi64>)
// CHECK-SAME: -> (tensor<f32>, tensor<1x2x4x8xf32> {ptm.output = "q"}, tensor<1x2x4x8xf32> {ptm.output = "k"}, tensor<1x2x4x8xf32> {ptm.output = "v"})
// CHECK: %[[G:.*]] = ptm.cross_entropy_grad
// CHECK-NEXT: %[[DQ:.*]], %[[DK:.*]], %[[DV:.*]] = ptm.attention_grad %[[G]], %[[Q]], %[[K]], %[[V]], %[[M]] {causal = true, scale = 2.500000e-01 : f64} : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x4xi64>) -> (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>)
// CHECK-NEXT: return %{{.*}}, %[[DQ]], %[[DK]], %[[DV]] :
func.func @attention(%q: tensor<1x2x4x8xf32> {ptm.parameter = "q"}, %k: tensor<1x2x4x8xf32> {ptm.parameter = "k"}, %v: tensor<1x2x4x8xf32> {ptm.parameter = "v"}, %m: tensor<1x4xi64>, %y: tensor<1x2x4xi64>) -> tensor<f32> attributes {ptm.differentiate} {
  %0 = ptm.attention %q, %k, %v, %m {causal = true, scale = 0.25 : f64} : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x4xi64>) -> tensor<1x2x4x8xf32>
  %1 = ptm.cross_entropy %0, %y : (tensor<1x2x4x8xf32>, tensor<1x2x4xi64>) -> tensor<f32>
  return %1 : tensor<f32>
}

// Attention dropout: attention_grad takes the same seed, probability and
// stream, so that it regenerates the forward's mask; the seed gets no gradient.
// CHECK-LABEL: func.func @attention_dropout
// CHECK-SAME: (%[[Q:[^:]*]]: tensor<1x2x4x8xf32> {ptm.parameter = "q"}, %[[M:[^:]*]]: tensor<1x4xi64>, %[[S:[^:]*]]: tensor<i64>, %{{[^:]*}}: tensor<1x2x4xi64>)
// CHECK: %[[G:.*]] = ptm.cross_entropy_grad
// CHECK-NEXT: %[[DQ:.*]], %[[DK:.*]], %[[DV:.*]] = ptm.attention_grad %[[G]], %[[Q]], %[[Q]], %[[Q]], %[[M]] dropout_seed %[[S]] {causal = true, dropout = 2.000000e-01 : f64, dropout_stream = 4 : i64, scale = 2.500000e-01 : f64}
func.func @attention_dropout(%q: tensor<1x2x4x8xf32> {ptm.parameter = "q"}, %m: tensor<1x4xi64>, %s: tensor<i64>, %y: tensor<1x2x4xi64>) -> tensor<f32> attributes {ptm.differentiate} {
  %0 = ptm.attention %q, %q, %q, %m dropout_seed %s {causal = true, dropout = 0.2 : f64, dropout_stream = 4 : i64, scale = 0.25 : f64} : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x4xi64>, tensor<i64>) -> tensor<1x2x4x8xf32>
  %1 = ptm.cross_entropy %0, %y : (tensor<1x2x4x8xf32>, tensor<1x2x4xi64>) -> tensor<f32>
  return %1 : tensor<f32>
}

// Dropout is linear with a fixed mask: its VJP is the same dropout (seed,
// probability, stream) of the incoming gradient.
// CHECK-LABEL: func.func @dropout
// CHECK-SAME: (%[[X:[^:]*]]: tensor<2x4x10xf32> {ptm.parameter = "x"}, %[[S:[^:]*]]: tensor<i64>, %[[Y:[^:]*]]: tensor<2x4xi64>)
// CHECK: %[[D:.*]] = ptm.dropout %[[X]], %[[S]] {probability = 3.000000e-01 : f64, stream = 5 : i64}
// CHECK: %[[G:.*]] = ptm.cross_entropy_grad %{{.*}}, %[[D]], %[[Y]]
// CHECK-NEXT: %[[DX:.*]] = ptm.dropout %[[G]], %[[S]] {probability = 3.000000e-01 : f64, stream = 5 : i64} : (tensor<2x4x10xf32>, tensor<i64>) -> tensor<2x4x10xf32>
// CHECK-NEXT: return %{{.*}}, %[[DX]] :
func.func @dropout(%x: tensor<2x4x10xf32> {ptm.parameter = "x"}, %s: tensor<i64>, %y: tensor<2x4xi64>) -> tensor<f32> attributes {ptm.differentiate} {
  %0 = ptm.dropout %x, %s {probability = 0.3 : f64, stream = 5 : i64} : (tensor<2x4x10xf32>, tensor<i64>) -> tensor<2x4x10xf32>
  %1 = ptm.cross_entropy %0, %y : (tensor<2x4x10xf32>, tensor<2x4xi64>) -> tensor<f32>
  return %1 : tensor<f32>
}

// Without a mask attention_grad has four operands.
// CHECK-LABEL: func.func @attention_no_mask
// CHECK-SAME: (%[[Q:[^:]*]]: tensor<1x2x3x8xf32> {ptm.parameter = "q"}, %[[KV:[^:]*]]: tensor<1x2x5x8xf32> {ptm.parameter = "kv"}
// CHECK: %[[G:.*]] = ptm.cross_entropy_grad
// CHECK-NEXT: %[[DQ:.*]], %[[DK:.*]], %[[DV:.*]] = ptm.attention_grad %[[G]], %[[Q]], %[[KV]], %[[KV]] {scale = 5.000000e-01 : f64} : (tensor<1x2x3x8xf32>, tensor<1x2x3x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>) -> (tensor<1x2x3x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>)
// CHECK-NEXT: %[[DKV:.*]] = ptm.add %[[DK]], %[[DV]] : (tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>) -> tensor<1x2x5x8xf32>
// CHECK-NEXT: return %{{.*}}, %[[DQ]], %[[DKV]] :
func.func @attention_no_mask(%q: tensor<1x2x3x8xf32> {ptm.parameter = "q"}, %kv: tensor<1x2x5x8xf32> {ptm.parameter = "kv"}, %y: tensor<1x2x3xi64>) -> tensor<f32> attributes {ptm.differentiate} {
  %0 = ptm.attention %q, %kv, %kv {scale = 0.5 : f64} : (tensor<1x2x3x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>) -> tensor<1x2x3x8xf32>
  %1 = ptm.cross_entropy %0, %y : (tensor<1x2x3x8xf32>, tensor<1x2x3xi64>) -> tensor<f32>
  return %1 : tensor<f32>
}

//===----------------------------------------------------------------------===//
// reshape, transpose, slice, embedding
//===----------------------------------------------------------------------===//

// Walked backwards: reshape back, slice_grad into the input shape, reshape
// back, transpose by the inverse permutation ([1, 2, 0] -> [2, 0, 1]).
// CHECK-LABEL: func.func @shapes
// CHECK-SAME: (%[[X:[^:]*]]: tensor<2x3x4xf32> {ptm.parameter = "x"}
// CHECK: %[[G:.*]] = ptm.cross_entropy_grad
// CHECK-NEXT: %[[R1:.*]] = ptm.reshape %[[G]] : (tensor<3x2x1xf32>) -> tensor<3x2xf32>
// CHECK-NEXT: %[[S:.*]] = ptm.slice_grad %[[R1]] [0, 2] : (tensor<3x2xf32>) -> tensor<3x8xf32>
// CHECK-NEXT: %[[R2:.*]] = ptm.reshape %[[S]] : (tensor<3x8xf32>) -> tensor<3x4x2xf32>
// CHECK-NEXT: %[[DX:.*]] = ptm.transpose %[[R2]] [2, 0, 1] : (tensor<3x4x2xf32>) -> tensor<2x3x4xf32>
// CHECK-NEXT: return %{{.*}}, %[[DX]] : tensor<f32>, tensor<2x3x4xf32>
func.func @shapes(%x: tensor<2x3x4xf32> {ptm.parameter = "x"}, %y: tensor<3x2xi64>) -> tensor<f32> attributes {ptm.differentiate} {
  %0 = ptm.transpose %x [1, 2, 0] : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
  %1 = ptm.reshape %0 : (tensor<3x4x2xf32>) -> tensor<3x8xf32>
  %2 = ptm.slice %1 [0, 2] : (tensor<3x8xf32>) -> tensor<3x2xf32>
  %3 = ptm.reshape %2 : (tensor<3x2xf32>) -> tensor<3x2x1xf32>
  %4 = ptm.cross_entropy %3, %y : (tensor<3x2x1xf32>, tensor<3x2xi64>) -> tensor<f32>
  return %4 : tensor<f32>
}

// Each input of a concat gets its window of the gradient.
// CHECK-LABEL: func.func @concat
// CHECK: %[[G:.*]] = ptm.cross_entropy_grad
// CHECK-NEXT: %[[DA:.*]] = ptm.slice %[[G]] [0, 0] : (tensor<3x5xf32>) -> tensor<3x2xf32>
// CHECK-NEXT: %[[DB:.*]] = ptm.slice %[[G]] [0, 2] : (tensor<3x5xf32>) -> tensor<3x3xf32>
// CHECK-NEXT: return %{{.*}}, %[[DA]], %[[DB]]
func.func @concat(%a: tensor<3x2xf32> {ptm.parameter = "a"}, %b: tensor<3x3xf32> {ptm.parameter = "b"}, %y: tensor<3xi64>) -> tensor<f32> attributes {ptm.differentiate} {
  %0 = ptm.concat %a, %b {dim = 1 : i64} : (tensor<3x2xf32>, tensor<3x3xf32>) -> tensor<3x5xf32>
  %1 = ptm.cross_entropy %0, %y : (tensor<3x5xf32>, tensor<3xi64>) -> tensor<f32>
  return %1 : tensor<f32>
}

// The token ids get no gradient; the table gets a scatter-add.
// CHECK-LABEL: func.func @embedding
// CHECK-SAME: (%[[WTE:[^:]*]]: tensor<16x8xf32> {ptm.parameter = "wte"}, %[[IDS:[^:]*]]: tensor<2x4xi64>, %{{[^:]*}}: tensor<2x4xi64>)
// CHECK-SAME: -> (tensor<f32>, tensor<16x8xf32> {ptm.output = "wte"})
// CHECK: %[[G:.*]] = ptm.cross_entropy_grad
// CHECK-NEXT: %[[DW:.*]] = ptm.embedding_grad %[[G]], %[[IDS]] : (tensor<2x4x8xf32>, tensor<2x4xi64>) -> tensor<16x8xf32>
// CHECK-NEXT: return %{{.*}}, %[[DW]] : tensor<f32>, tensor<16x8xf32>
func.func @embedding(%wte: tensor<16x8xf32> {ptm.parameter = "wte"}, %ids: tensor<2x4xi64>, %y: tensor<2x4xi64>) -> tensor<f32> attributes {ptm.differentiate} {
  %0 = ptm.embedding %wte, %ids : (tensor<16x8xf32>, tensor<2x4xi64>) -> tensor<2x4x8xf32>
  %1 = ptm.cross_entropy %0, %y : (tensor<2x4x8xf32>, tensor<2x4xi64>) -> tensor<f32>
  return %1 : tensor<f32>
}

//===----------------------------------------------------------------------===//
// Fan-out, unused parameters, the result contract
//===----------------------------------------------------------------------===//

// A tied embedding: the output projection's contribution (first, as the walk
// is backwards) and the lookup's are summed with ptm.add.
// CHECK-LABEL: func.func @tied_embedding
// CHECK-SAME: (%[[WTE:[^:]*]]: tensor<16x8xf32> {ptm.parameter = "wte"}, %[[IDS:[^:]*]]: tensor<2x4xi64>)
// CHECK-SAME: -> (tensor<f32>, tensor<16x8xf32> {ptm.output = "wte"})
// CHECK: %[[G:.*]] = ptm.cross_entropy_grad
// CHECK-NEXT: %[[DH:.*]] = ptm.matmul %[[G]], %[[WTE]] : (tensor<2x4x16xf32>, tensor<16x8xf32>) -> tensor<2x4x8xf32>
// CHECK: %[[FROM_MATMUL:.*]] = ptm.matmul %{{.*}}, %{{.*}} {transpose_lhs = true} : (tensor<8x16xf32>, tensor<8x8xf32>) -> tensor<16x8xf32>
// CHECK-NEXT: %[[FROM_LOOKUP:.*]] = ptm.embedding_grad %[[DH]], %[[IDS]] : (tensor<2x4x8xf32>, tensor<2x4xi64>) -> tensor<16x8xf32>
// CHECK-NEXT: %[[SUM:.*]] = ptm.add %[[FROM_MATMUL]], %[[FROM_LOOKUP]] : (tensor<16x8xf32>, tensor<16x8xf32>) -> tensor<16x8xf32>
// CHECK-NEXT: return %{{.*}}, %[[SUM]] : tensor<f32>, tensor<16x8xf32>
func.func @tied_embedding(%wte: tensor<16x8xf32> {ptm.parameter = "wte"}, %ids: tensor<2x4xi64>) -> tensor<f32> attributes {ptm.differentiate} {
  %0 = ptm.embedding %wte, %ids : (tensor<16x8xf32>, tensor<2x4xi64>) -> tensor<2x4x8xf32>
  %1 = ptm.matmul %0, %wte {transpose_rhs = true} : (tensor<2x4x8xf32>, tensor<16x8xf32>) -> tensor<2x4x16xf32>
  %2 = ptm.cross_entropy %1, %ids : (tensor<2x4x16xf32>, tensor<2x4xi64>) -> tensor<f32>
  return %2 : tensor<f32>
}

// An intermediate used three times (h * h + h): its gradient is complete,
// summed over all uses, before gelu's rule reads it.
// CHECK-LABEL: func.func @fan_out_intermediate
// CHECK-SAME: (%[[X:[^:]*]]: tensor<4x16xf32> {ptm.parameter = "x"}
// CHECK: %[[H:.*]] = ptm.gelu %[[X]] : tensor<4x16xf32>
// CHECK: %[[G:.*]] = ptm.cross_entropy_grad
// CHECK-NEXT: %[[A:.*]] = ptm.mul %[[G]], %[[H]]
// CHECK-NEXT: %[[B:.*]] = ptm.mul %[[G]], %[[H]]
// CHECK-NEXT: %[[S1:.*]] = ptm.add %[[G]], %[[A]]
// CHECK-NEXT: %[[S2:.*]] = ptm.add %[[S1]], %[[B]]
// CHECK-NEXT: %[[DX:.*]] = ptm.gelu_grad %[[S2]], %[[X]] : tensor<4x16xf32>
// CHECK-NEXT: return %{{.*}}, %[[DX]]
func.func @fan_out_intermediate(%x: tensor<4x16xf32> {ptm.parameter = "x"}, %y: tensor<4xi64>) -> tensor<f32> attributes {ptm.differentiate} {
  %0 = ptm.gelu %x : tensor<4x16xf32>
  %1 = ptm.mul %0, %0 : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  %2 = ptm.add %1, %0 : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  %3 = ptm.cross_entropy %2, %y : (tensor<4x16xf32>, tensor<4xi64>) -> tensor<f32>
  return %3 : tensor<f32>
}

// Parameters that do not reach the loss (unused, or only feeding a dead op)
// get zeros of their type; ops off the path get no VJP. Outputs follow the
// parameter order after the loss, whose own result attributes are kept; other
// function attributes survive, the marker does not.
// CHECK-LABEL: func.func @unused_parameters
// CHECK-SAME: (%[[X:[^:]*]]: tensor<4x16xf32> {ptm.parameter = "x"}, %{{[^:]*}}: tensor<8xf32> {ptm.parameter = "unused"}, %[[D:[^:]*]]: tensor<3xf64> {ptm.parameter = "dead"}, %{{[^:]*}}: tensor<4xi64>)
// CHECK-SAME: -> (tensor<f32> {ptm.output = "loss"}, tensor<4x16xf32> {ptm.output = "x"}, tensor<8xf32> {ptm.output = "unused"}, tensor<3xf64> {ptm.output = "dead"})
// CHECK-SAME: attributes {keep = 1 : i64} {
// CHECK: ptm.gelu %[[D]]
// CHECK: %[[G:.*]] = ptm.cross_entropy_grad
// CHECK-NOT: gelu_grad
// CHECK-DAG: %[[Z8:.*]] = arith.constant dense<0.000000e+00> : tensor<8xf32>
// CHECK-DAG: %[[Z3:.*]] = arith.constant dense<0.000000e+00> : tensor<3xf64>
// CHECK: return %{{.*}}, %[[G]], %[[Z8]], %[[Z3]] : tensor<f32>, tensor<4x16xf32>, tensor<8xf32>, tensor<3xf64>
func.func @unused_parameters(%x: tensor<4x16xf32> {ptm.parameter = "x"}, %u: tensor<8xf32> {ptm.parameter = "unused"}, %d: tensor<3xf64> {ptm.parameter = "dead"}, %y: tensor<4xi64>) -> (tensor<f32> {ptm.output = "loss"}) attributes {ptm.differentiate, keep = 1 : i64} {
  %dead = ptm.gelu %d : tensor<3xf64>
  %0 = ptm.cross_entropy %x, %y : (tensor<4x16xf32>, tensor<4xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// Without ptm.parameter nothing is appended: the function returns the loss only.
// CHECK-LABEL: func.func @no_parameters
// CHECK-SAME: -> tensor<f32> {
// CHECK: ptm.cross_entropy_grad
// CHECK: return %{{[^,]*}} : tensor<f32>
func.func @no_parameters(%x: tensor<4x16xf32>, %y: tensor<4xi64>) -> tensor<f32> attributes {ptm.differentiate} {
  %0 = ptm.cross_entropy %x, %y : (tensor<4x16xf32>, tensor<4xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// A function without ptm.differentiate is left alone, parameters or not.
// CHECK-LABEL: func.func @not_marked
// CHECK-SAME: (%[[X:[^:]*]]: tensor<4x16xf32> {ptm.parameter = "x"}, %[[Y:[^:]*]]: tensor<4xi64>) -> tensor<f32> {
// CHECK-NEXT: %[[LOSS:.*]] = ptm.cross_entropy %[[X]], %[[Y]]
// CHECK-NEXT: return %[[LOSS]] : tensor<f32>
// CHECK-NEXT: }
func.func @not_marked(%x: tensor<4x16xf32> {ptm.parameter = "x"}, %y: tensor<4xi64>) -> tensor<f32> {
  %0 = ptm.cross_entropy %x, %y : (tensor<4x16xf32>, tensor<4xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// A constant feeding the loss has nothing to differentiate: it is skipped,
// and the parameter next to it still gets its gradient.
// CHECK-LABEL: func.func @constant_on_path
// CHECK: arith.constant dense<1.000000e+00> : tensor<16xf32>
// CHECK: ptm.cross_entropy_grad
// CHECK: return %{{.*}}, %{{.*}} : tensor<f32>, tensor<2x16xf32>
func.func @constant_on_path(%x: tensor<2x16xf32> {ptm.parameter = "x"}, %y: tensor<2xi64>) -> (tensor<f32> {ptm.output = "loss"}) attributes {ptm.differentiate} {
  %c = arith.constant dense<1.0> : tensor<16xf32>
  %0 = ptm.add %x, %c : (tensor<2x16xf32>, tensor<16xf32>) -> tensor<2x16xf32>
  %1 = ptm.cross_entropy %0, %y {shift_labels = false} : (tensor<2x16xf32>, tensor<2xi64>) -> tensor<f32>
  return %1 : tensor<f32>
}
