// RUN: ptm-opt %s -split-input-file -verify-diagnostics
// One case per verifier diagnostic of dialects/ptm/PtmOps.cpp.

//===----------------------------------------------------------------------===//
// Shared checks: static shapes, element types, result shape
//===----------------------------------------------------------------------===//

func.func @dynamic_operand(%a: tensor<?x8xf32>, %b: tensor<8x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{'ptm.matmul' op needs static shapes, got 'tensor<?x8xf32>'}}
  %0 = ptm.matmul %a, %b : (tensor<?x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

func.func @dynamic_result(%x: tensor<4x8xf32>) -> tensor<?x8xf32> {
  // expected-error @+1 {{'ptm.gelu' op needs static shapes, got 'tensor<?x8xf32>'}}
  %0 = "ptm.gelu"(%x) : (tensor<4x8xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

func.func @dynamic_softmax(%x: tensor<4x?xf32>) -> tensor<4x?xf32> {
  // expected-error @+1 {{'ptm.softmax' op needs static shapes, got 'tensor<4x?xf32>'}}
  %0 = ptm.softmax %x {axis = 1 : i64} : tensor<4x?xf32>
  return %0 : tensor<4x?xf32>
}

// -----

func.func @dynamic_embedding(%t: tensor<10x4xf32>, %ids: tensor<?xi64>) -> tensor<3x4xf32> {
  // expected-error @+1 {{'ptm.embedding' op needs static shapes, got 'tensor<?xi64>'}}
  %0 = ptm.embedding %t, %ids : (tensor<10x4xf32>, tensor<?xi64>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @mixed_matmul(%a: tensor<4x8xf32>, %b: tensor<8x16xf64>) -> tensor<4x16xf32> {
  // expected-error @+1 {{'ptm.matmul' op mixes element types: 'f64' weight, 'f32' result (a weight may be bf16 for an f32 result)}}
  %0 = ptm.matmul %a, %b : (tensor<4x8xf32>, tensor<8x16xf64>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// A bf16 weight suits an f32 result only.
func.func @bf16_weight_f64_result(%a: tensor<4x8xf64>, %b: tensor<8x16xbf16>) -> tensor<4x16xf64> {
  // expected-error @+1 {{'ptm.matmul' op mixes element types: 'bf16' weight, 'f64' result}}
  %0 = ptm.matmul %a, %b : (tensor<4x8xf64>, tensor<8x16xbf16>) -> tensor<4x16xf64>
  return %0 : tensor<4x16xf64>
}

// -----

// Only a rank-2 rhs is a weight: batched operands (attention) stay f32.
func.func @bf16_batched_rhs(%a: tensor<2x4x8xf32>, %b: tensor<2x8x16xbf16>) -> tensor<2x4x16xf32> {
  // expected-error @+1 {{'ptm.matmul' op only a rank-2 rhs (a weight) may be bf16, got [2,8,16]}}
  %0 = ptm.matmul %a, %b : (tensor<2x4x8xf32>, tensor<2x8x16xbf16>) -> tensor<2x4x16xf32>
  return %0 : tensor<2x4x16xf32>
}

// -----

// Activations are never bf16.
func.func @bf16_lhs(%a: tensor<4x8xbf16>, %b: tensor<8x16xbf16>) -> tensor<4x16xf32> {
  // expected-error @+1 {{'ptm.matmul' op operand #0 must be ranked tensor of 32-bit float or 64-bit float values}}
  %0 = ptm.matmul %a, %b : (tensor<4x8xbf16>, tensor<8x16xbf16>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

func.func @f16_weight(%x: tensor<4x8xf32>, %w: tensor<8x16xf16>) -> tensor<4x16xf32> {
  // expected-error @+1 {{'ptm.linear' op operand #1 must be ranked tensor of 32-bit float or 64-bit float or bfloat16 type values}}
  %0 = ptm.linear %x, %w : (tensor<4x8xf32>, tensor<8x16xf16>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

func.func @mixed_linear_bias(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf64>) -> tensor<4x16xf32> {
  // expected-error @+1 {{'ptm.linear' op mixes element types: 'f64' operand, 'f32' result}}
  %0 = ptm.linear %x, %w, %b : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<16xf64>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

func.func @mixed_add(%x: tensor<4x8xf64>, %b: tensor<8xf64>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'ptm.add' op mixes element types: 'f64' operand, 'f32' result}}
  %0 = ptm.add %x, %b : (tensor<4x8xf64>, tensor<8xf64>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @mixed_embedding(%t: tensor<10x4xf64>, %ids: tensor<3xi64>) -> tensor<3x4xf32> {
  // expected-error @+1 {{'ptm.embedding' op mixes element types: 'f64' weight, 'f32' result (a weight may be bf16 for an f32 result)}}
  %0 = ptm.embedding %t, %ids : (tensor<10x4xf64>, tensor<3xi64>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @mixed_layer_norm(%x: tensor<4x8xf32>, %g: tensor<8xf64>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'ptm.layer_norm' op mixes element types: 'f64' operand, 'f32' result}}
  %0 = ptm.layer_norm %x, %g, %b {epsilon = 1.0e-5 : f64} : (tensor<4x8xf32>, tensor<8xf64>, tensor<8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @mixed_attention(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf64>, %v: tensor<1x2x4x8xf64>) -> tensor<1x2x4x8xf32> {
  // expected-error @+1 {{'ptm.attention' op mixes element types: 'f64' operand, 'f32' result}}
  %0 = ptm.attention %q, %k, %v {scale = 1.0 : f64} : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf64>, tensor<1x2x4x8xf64>) -> tensor<1x2x4x8xf32>
  return %0 : tensor<1x2x4x8xf32>
}

// -----

func.func @mixed_reshape(%x: tensor<4x8xf32>) -> tensor<32xf64> {
  // expected-error @+1 {{'ptm.reshape' op mixes element types: 'f32' operand, 'f64' result}}
  %0 = ptm.reshape %x : (tensor<4x8xf32>) -> tensor<32xf64>
  return %0 : tensor<32xf64>
}

// -----

func.func @mixed_transpose(%x: tensor<4x8xf32>) -> tensor<8x4xf64> {
  // expected-error @+1 {{'ptm.transpose' op mixes element types: 'f32' operand, 'f64' result}}
  %0 = ptm.transpose %x [1, 0] : (tensor<4x8xf32>) -> tensor<8x4xf64>
  return %0 : tensor<8x4xf64>
}

// -----

func.func @mixed_slice(%x: tensor<4x8xf64>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'ptm.slice' op mixes element types: 'f64' operand, 'f32' result}}
  %0 = ptm.slice %x [0, 0] : (tensor<4x8xf64>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @f16_not_allowed(%x: tensor<4x8xf16>) -> tensor<4x8xf16> {
  // expected-error @+1 {{'ptm.gelu' op operand #0 must be ranked tensor of 32-bit float or 64-bit float values}}
  %0 = ptm.gelu %x : tensor<4x8xf16>
  return %0 : tensor<4x8xf16>
}

// -----

//===----------------------------------------------------------------------===//
// embedding
//===----------------------------------------------------------------------===//

func.func @embedding_table_rank(%t: tensor<10x4x2xf32>, %ids: tensor<3xi64>) -> tensor<3x4xf32> {
  // expected-error @+1 {{'ptm.embedding' op table must be [vocab, dim], got [10,4,2]}}
  %0 = ptm.embedding %t, %ids : (tensor<10x4x2xf32>, tensor<3xi64>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @embedding_result(%t: tensor<10x4xf32>, %ids: tensor<2x3xi64>) -> tensor<2x3x5xf32> {
  // expected-error @+1 {{'ptm.embedding' op result shape [2,3,5] should be [2,3,4]}}
  %0 = ptm.embedding %t, %ids : (tensor<10x4xf32>, tensor<2x3xi64>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

func.func @embedding_float_indices(%t: tensor<10x4xf32>, %ids: tensor<3xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{'ptm.embedding' op operand #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = ptm.embedding %t, %ids : (tensor<10x4xf32>, tensor<3xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

func.func @matmul_lhs_rank(%a: tensor<8xf32>, %b: tensor<8x16xf32>) -> tensor<16xf32> {
  // expected-error @+1 {{'ptm.matmul' op lhs must have rank 2 or more, got [8]}}
  %0 = ptm.matmul %a, %b : (tensor<8xf32>, tensor<8x16xf32>) -> tensor<16xf32>
  return %0 : tensor<16xf32>
}

// -----

func.func @matmul_rhs_rank(%a: tensor<2x3x4x8xf32>, %b: tensor<3x8x16xf32>) -> tensor<2x3x4x16xf32> {
  // expected-error @+1 {{'ptm.matmul' op rhs [3,8,16] must be rank 2 or have the rank of lhs [2,3,4,8]}}
  %0 = ptm.matmul %a, %b : (tensor<2x3x4x8xf32>, tensor<3x8x16xf32>) -> tensor<2x3x4x16xf32>
  return %0 : tensor<2x3x4x16xf32>
}

// -----

func.func @matmul_batch(%a: tensor<2x4x8xf32>, %b: tensor<3x8x16xf32>) -> tensor<2x4x16xf32> {
  // expected-error @+1 {{'ptm.matmul' op batch dimensions differ: lhs [2,4,8], rhs [3,8,16]}}
  %0 = ptm.matmul %a, %b : (tensor<2x4x8xf32>, tensor<3x8x16xf32>) -> tensor<2x4x16xf32>
  return %0 : tensor<2x4x16xf32>
}

// -----

func.func @matmul_contraction(%a: tensor<4x8xf32>, %b: tensor<7x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{'ptm.matmul' op contraction sizes differ: lhs [4,8] has K=8 but rhs [7,16] has K=7}}
  %0 = ptm.matmul %a, %b : (tensor<4x8xf32>, tensor<7x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// With transpose_rhs, K is the last dimension of rhs: [16, 8] would be fine
// without the flag, [8, 16] is not with it.
func.func @matmul_contraction_transposed(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'ptm.matmul' op contraction sizes differ: lhs [4,8] has K=8 but rhs [8,16] has K=16 (rhs transposed)}}
  %0 = ptm.matmul %a, %b {transpose_rhs = true} : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @matmul_result(%a: tensor<2x4x8xf32>, %b: tensor<8x16xf32>) -> tensor<2x4x8xf32> {
  // expected-error @+1 {{'ptm.matmul' op result shape [2,4,8] should be [2,4,16]}}
  %0 = ptm.matmul %a, %b : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

func.func @matmul_result_transposed(%a: tensor<4x8xf32>, %b: tensor<16x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'ptm.matmul' op result shape [4,8] should be [4,16]}}
  %0 = ptm.matmul %a, %b {transpose_rhs = true} : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// linear
//===----------------------------------------------------------------------===//

func.func @linear_activation(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{'ptm.linear' op unknown activation 'relu' (expected none, gelu_tanh or gelu_erf)}}
  %0 = ptm.linear %x, %w {activation = "relu"} : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

func.func @linear_input_rank(%x: tensor<8xf32>, %w: tensor<8x16xf32>) -> tensor<16xf32> {
  // expected-error @+1 {{'ptm.linear' op input must be [rows..., features] (rank 2 or more), got [8]}}
  %0 = ptm.linear %x, %w : (tensor<8xf32>, tensor<8x16xf32>) -> tensor<16xf32>
  return %0 : tensor<16xf32>
}

// -----

func.func @linear_weight_rank(%x: tensor<2x4x8xf32>, %w: tensor<2x8x16xf32>) -> tensor<2x4x16xf32> {
  // expected-error @+1 {{'ptm.linear' op weight must be rank 2, got [2,8,16]}}
  %0 = ptm.linear %x, %w : (tensor<2x4x8xf32>, tensor<2x8x16xf32>) -> tensor<2x4x16xf32>
  return %0 : tensor<2x4x16xf32>
}

// -----

func.func @linear_features(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'ptm.linear' op input [4,8] has 8 features but weight [16,8] expects 16}}
  %0 = ptm.linear %x, %w : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @linear_features_transposed(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'ptm.linear' op input [4,8] has 8 features but weight [8,16] expects 16}}
  %0 = ptm.linear %x, %w {transpose_weight = true} : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @linear_bias_shape(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<8xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{'ptm.linear' op bias [8] should be [16]}}
  %0 = ptm.linear %x, %w, %b : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<8xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

func.func @linear_bias_rank(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{'ptm.linear' op bias [4,16] should be [16]}}
  %0 = ptm.linear %x, %w, %b : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

func.func @linear_result(%x: tensor<2x4x8xf32>, %w: tensor<16x8xf32>) -> tensor<2x4x8xf32> {
  // expected-error @+1 {{'ptm.linear' op result shape [2,4,8] should be [2,4,16]}}
  %0 = ptm.linear %x, %w {transpose_weight = true} : (tensor<2x4x8xf32>, tensor<16x8xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// add, mul, gelu
//===----------------------------------------------------------------------===//

func.func @add_leading_broadcast(%x: tensor<2x4x8xf32>, %y: tensor<2x4xf32>) -> tensor<2x4x8xf32> {
  // expected-error @+1 {{'ptm.add' op rhs [2,4] must equal the trailing dimensions of lhs [2,4,8]}}
  %0 = ptm.add %x, %y : (tensor<2x4x8xf32>, tensor<2x4xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

func.func @add_rhs_larger(%b: tensor<8xf32>, %x: tensor<4x8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'ptm.add' op rhs [4,8] must equal the trailing dimensions of lhs [8]}}
  %0 = ptm.add %b, %x : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @mul_size_one_broadcast(%x: tensor<4x8xf32>, %y: tensor<1x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'ptm.mul' op rhs [1,8] must equal the trailing dimensions of lhs [4,8]}}
  %0 = ptm.mul %x, %y : (tensor<4x8xf32>, tensor<1x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @mul_result(%x: tensor<4x8xf32>, %y: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'ptm.mul' op result shape [8] should be [4,8]}}
  %0 = ptm.mul %x, %y : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @gelu_approximate(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'ptm.gelu' op approximate must be "none" or "tanh", got "erf"}}
  %0 = ptm.gelu %x {approximate = "erf"} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// layer_norm, softmax
//===----------------------------------------------------------------------===//

func.func @layer_norm_rank0(%x: tensor<f32>, %g: tensor<1xf32>, %b: tensor<1xf32>) -> tensor<f32> {
  // expected-error @+1 {{'ptm.layer_norm' op input must have rank 1 or more}}
  %0 = ptm.layer_norm %x, %g, %b {epsilon = 1.0e-5 : f64} : (tensor<f32>, tensor<1xf32>, tensor<1xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @layer_norm_weight(%x: tensor<2x4x8xf32>, %g: tensor<4xf32>, %b: tensor<8xf32>) -> tensor<2x4x8xf32> {
  // expected-error @+1 {{'ptm.layer_norm' op weight and bias must be [8] for input [2,4,8], got [4]}}
  %0 = ptm.layer_norm %x, %g, %b {epsilon = 1.0e-5 : f64} : (tensor<2x4x8xf32>, tensor<4xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

func.func @layer_norm_bias(%x: tensor<2x4x8xf32>, %g: tensor<8xf32>, %b: tensor<4x8xf32>) -> tensor<2x4x8xf32> {
  // expected-error @+1 {{'ptm.layer_norm' op weight and bias must be [8] for input [2,4,8], got [4,8]}}
  %0 = ptm.layer_norm %x, %g, %b {epsilon = 1.0e-5 : f64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<4x8xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

func.func @layer_norm_epsilon_zero(%x: tensor<4x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'ptm.layer_norm' op epsilon must be positive}}
  %0 = ptm.layer_norm %x, %g, %b {epsilon = 0.0 : f64} : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @layer_norm_epsilon_negative(%x: tensor<4x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'ptm.layer_norm' op epsilon must be positive}}
  %0 = ptm.layer_norm %x, %g, %b {epsilon = -1.0e-5 : f64} : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @layer_norm_epsilon_nan(%x: tensor<4x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'ptm.layer_norm' op epsilon must be positive}}
  %0 = ptm.layer_norm %x, %g, %b {epsilon = 0x7FF8000000000000 : f64} : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @residual_layer_norm_residual(%x: tensor<2x4x8xf32>, %r: tensor<4x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<2x4x8xf32> {
  // expected-error @+1 {{'ptm.residual_layer_norm' op residual [4,8] should have the shape of input [2,4,8]}}
  %sum, %y = ptm.residual_layer_norm %x, %r, %g, %b {epsilon = 1.0e-5 : f64} : (tensor<2x4x8xf32>, tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<2x4x8xf32>, tensor<2x4x8xf32>)
  return %y : tensor<2x4x8xf32>
}

// -----

func.func @residual_layer_norm_weight(%x: tensor<2x4x8xf32>, %r: tensor<2x4x8xf32>, %g: tensor<4xf32>, %b: tensor<8xf32>) -> tensor<2x4x8xf32> {
  // expected-error @+1 {{'ptm.residual_layer_norm' op weight and bias must be [8] for input [2,4,8], got [4]}}
  %sum, %y = ptm.residual_layer_norm %x, %r, %g, %b {epsilon = 1.0e-5 : f64} : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<4xf32>, tensor<8xf32>) -> (tensor<2x4x8xf32>, tensor<2x4x8xf32>)
  return %y : tensor<2x4x8xf32>
}

// -----

func.func @residual_layer_norm_epsilon(%x: tensor<2x4x8xf32>, %r: tensor<2x4x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<2x4x8xf32> {
  // expected-error @+1 {{'ptm.residual_layer_norm' op epsilon must be positive}}
  %sum, %y = ptm.residual_layer_norm %x, %r, %g, %b {epsilon = 0.0 : f64} : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<2x4x8xf32>, tensor<2x4x8xf32>)
  return %y : tensor<2x4x8xf32>
}

// -----

func.func @residual_layer_norm_result(%x: tensor<2x4x8xf32>, %r: tensor<2x4x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<8x8xf32> {
  // expected-error @+1 {{'ptm.residual_layer_norm' op results should be [2,4,8], got [8,8]}}
  %sum, %y = ptm.residual_layer_norm %x, %r, %g, %b {epsilon = 1.0e-5 : f64} : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<2x4x8xf32>, tensor<8x8xf32>)
  return %y : tensor<8x8xf32>
}

// -----

func.func @residual_layer_norm_types(%x: tensor<2x4x8xf32>, %r: tensor<2x4x8xf64>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<2x4x8xf32> {
  // expected-error @+1 {{'ptm.residual_layer_norm' op mixes element types: 'f64' operand, 'f32' result}}
  %sum, %y = ptm.residual_layer_norm %x, %r, %g, %b {epsilon = 1.0e-5 : f64} : (tensor<2x4x8xf32>, tensor<2x4x8xf64>, tensor<8xf32>, tensor<8xf32>) -> (tensor<2x4x8xf32>, tensor<2x4x8xf32>)
  return %y : tensor<2x4x8xf32>
}

// -----

func.func @layer_norm_result(%x: tensor<4x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<8x4xf32> {
  // expected-error @+1 {{'ptm.layer_norm' op result shape [8,4] should be [4,8]}}
  %0 = ptm.layer_norm %x, %g, %b {epsilon = 1.0e-5 : f64} : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

func.func @softmax_axis_too_large(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'ptm.softmax' op axis 2 is out of range for rank 2}}
  %0 = ptm.softmax %x {axis = 2 : i64} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @softmax_axis_negative(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'ptm.softmax' op axis -1 is out of range for rank 2}}
  %0 = ptm.softmax %x {axis = -1 : i64} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// attention
//===----------------------------------------------------------------------===//

func.func @attention_rank(%q: tensor<2x4x8xf32>, %k: tensor<2x4x8xf32>, %v: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  // expected-error @+1 {{'ptm.attention' op query, key and value must be [batch, heads, length, head_dim], got [2,4,8], [2,4,8], [2,4,8]}}
  %0 = ptm.attention %q, %k, %v {scale = 1.0 : f64} : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

func.func @attention_value_rank(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  // expected-error @+1 {{'ptm.attention' op query, key and value must be [batch, heads, length, head_dim], got [1,2,4,8], [1,2,4,8], [2,4,8]}}
  %0 = ptm.attention %q, %k, %v {scale = 1.0 : f64} : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<1x2x4x8xf32>
  return %0 : tensor<1x2x4x8xf32>
}

// -----

func.func @attention_key_value(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x5x8xf32>) -> tensor<1x2x4x8xf32> {
  // expected-error @+1 {{'ptm.attention' op key [1,2,4,8] and value [1,2,5,8] must have the same shape}}
  %0 = ptm.attention %q, %k, %v {scale = 1.0 : f64} : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x5x8xf32>) -> tensor<1x2x4x8xf32>
  return %0 : tensor<1x2x4x8xf32>
}

// -----

func.func @attention_batch(%q: tensor<1x2x4x8xf32>, %k: tensor<2x2x4x8xf32>, %v: tensor<2x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  // expected-error @+1 {{'ptm.attention' op query [1,2,4,8] and key [2,2,4,8] must agree in batch, heads and head_dim}}
  %0 = ptm.attention %q, %k, %v {scale = 1.0 : f64} : (tensor<1x2x4x8xf32>, tensor<2x2x4x8xf32>, tensor<2x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  return %0 : tensor<1x2x4x8xf32>
}

// -----

func.func @attention_heads(%q: tensor<1x2x4x8xf32>, %k: tensor<1x3x4x8xf32>, %v: tensor<1x3x4x8xf32>) -> tensor<1x2x4x8xf32> {
  // expected-error @+1 {{'ptm.attention' op query [1,2,4,8] and key [1,3,4,8] must agree in batch, heads and head_dim}}
  %0 = ptm.attention %q, %k, %v {scale = 1.0 : f64} : (tensor<1x2x4x8xf32>, tensor<1x3x4x8xf32>, tensor<1x3x4x8xf32>) -> tensor<1x2x4x8xf32>
  return %0 : tensor<1x2x4x8xf32>
}

// -----

func.func @attention_head_dim(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x16xf32>, %v: tensor<1x2x4x16xf32>) -> tensor<1x2x4x8xf32> {
  // expected-error @+1 {{'ptm.attention' op query [1,2,4,8] and key [1,2,4,16] must agree in batch, heads and head_dim}}
  %0 = ptm.attention %q, %k, %v {scale = 1.0 : f64} : (tensor<1x2x4x8xf32>, tensor<1x2x4x16xf32>, tensor<1x2x4x16xf32>) -> tensor<1x2x4x8xf32>
  return %0 : tensor<1x2x4x8xf32>
}

// -----

func.func @attention_causal_length(%q: tensor<1x2x5x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x2x5x8xf32> {
  // expected-error @+1 {{'ptm.attention' op causal attention needs at least as many keys (4) as queries (5)}}
  %0 = ptm.attention %q, %k, %v {causal = true, scale = 1.0 : f64} : (tensor<1x2x5x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x5x8xf32>
  return %0 : tensor<1x2x5x8xf32>
}

// -----

func.func @attention_key_mask_length(%q: tensor<2x2x4x8xf32>, %k: tensor<2x2x6x8xf32>, %v: tensor<2x2x6x8xf32>, %m: tensor<2x4xi64>) -> tensor<2x2x4x8xf32> {
  // expected-error @+1 {{'ptm.attention' op key_mask [2,4] should be [batch, key_length] = [2,6]}}
  %0 = ptm.attention %q, %k, %v, %m {scale = 1.0 : f64} : (tensor<2x2x4x8xf32>, tensor<2x2x6x8xf32>, tensor<2x2x6x8xf32>, tensor<2x4xi64>) -> tensor<2x2x4x8xf32>
  return %0 : tensor<2x2x4x8xf32>
}

// -----

func.func @attention_key_mask_rank(%q: tensor<2x2x4x8xf32>, %k: tensor<2x2x4x8xf32>, %v: tensor<2x2x4x8xf32>, %m: tensor<2x1x4xi64>) -> tensor<2x2x4x8xf32> {
  // expected-error @+1 {{'ptm.attention' op key_mask [2,1,4] should be [batch, key_length] = [2,4]}}
  %0 = ptm.attention %q, %k, %v, %m {scale = 1.0 : f64} : (tensor<2x2x4x8xf32>, tensor<2x2x4x8xf32>, tensor<2x2x4x8xf32>, tensor<2x1x4xi64>) -> tensor<2x2x4x8xf32>
  return %0 : tensor<2x2x4x8xf32>
}

// -----

func.func @attention_result(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32> {
  // expected-error @+1 {{'ptm.attention' op result shape [1,2,6,8] should be [1,2,4,8]}}
  %0 = ptm.attention %q, %k, %v {scale = 1.0 : f64} : (tensor<1x2x4x8xf32>, tensor<1x2x6x8xf32>, tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32>
  return %0 : tensor<1x2x6x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// reshape, transpose, slice
//===----------------------------------------------------------------------===//

func.func @reshape_count(%x: tensor<4x8xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'ptm.reshape' op cannot reshape [4,8] (32 elements) to [4,4] (16 elements)}}
  %0 = ptm.reshape %x : (tensor<4x8xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @reshape_dynamic(%x: tensor<4x?xf32>) -> tensor<32xf32> {
  // expected-error @+1 {{'ptm.reshape' op needs static shapes, got 'tensor<4x?xf32>'}}
  %0 = ptm.reshape %x : (tensor<4x?xf32>) -> tensor<32xf32>
  return %0 : tensor<32xf32>
}

// -----

func.func @transpose_entries(%x: tensor<2x4x8xf32>) -> tensor<4x2x8xf32> {
  // expected-error @+1 {{'ptm.transpose' op permutation has 2 entries for rank 3}}
  %0 = ptm.transpose %x [1, 0] : (tensor<2x4x8xf32>) -> tensor<4x2x8xf32>
  return %0 : tensor<4x2x8xf32>
}

// -----

func.func @transpose_duplicate(%x: tensor<2x4x8xf32>) -> tensor<4x4x8xf32> {
  // expected-error @+1 {{'ptm.transpose' op permutation [1,1,2] is not a permutation of 0..2}}
  %0 = ptm.transpose %x [1, 1, 2] : (tensor<2x4x8xf32>) -> tensor<4x4x8xf32>
  return %0 : tensor<4x4x8xf32>
}

// -----

func.func @transpose_out_of_range(%x: tensor<2x4xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{'ptm.transpose' op permutation [2,0] is not a permutation of 0..1}}
  %0 = ptm.transpose %x [2, 0] : (tensor<2x4xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

func.func @transpose_negative(%x: tensor<2x4xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{'ptm.transpose' op permutation [-1,0] is not a permutation of 0..1}}
  %0 = ptm.transpose %x [-1, 0] : (tensor<2x4xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

func.func @transpose_result(%x: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  // expected-error @+1 {{'ptm.transpose' op result shape [2,4,8] should be [2,8,4]}}
  %0 = ptm.transpose %x [0, 2, 1] : (tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

func.func @concat_no_inputs() -> tensor<2xf32> {
  // expected-error @+1 {{'ptm.concat' op needs at least one input}}
  %0 = ptm.concat {dim = 0 : i64} : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @concat_dim(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'ptm.concat' op dim 2 is outside the rank 2 of the inputs}}
  %0 = ptm.concat %a {dim = 2 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @concat_rank(%a: tensor<2x3xf32>, %b: tensor<2x3x1xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{'ptm.concat' op inputs must have the same rank, got [2,3] and [2,3,1]}}
  %0 = ptm.concat %a, %b {dim = 0 : i64} : (tensor<2x3xf32>, tensor<2x3x1xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @concat_other_dim(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{'ptm.concat' op inputs [2,3] and [2,4] differ in dimension 1, not only in the joined dimension 0}}
  %0 = ptm.concat %a, %b {dim = 0 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @concat_result(%a: tensor<2x3xf32>, %b: tensor<1x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{'ptm.concat' op result shape [4,3] should be [3,3]}}
  %0 = ptm.concat %a, %b {dim = 0 : i64} : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @concat_types(%a: tensor<2x3xf32>, %b: tensor<1x3xf64>) -> tensor<3x3xf32> {
  // expected-error @+1 {{'ptm.concat' op mixes element types}}
  %0 = ptm.concat %a, %b {dim = 0 : i64} : (tensor<2x3xf32>, tensor<1x3xf64>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

func.func @slice_offsets_rank(%x: tensor<4x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'ptm.slice' op offsets, input and result must have the same rank}}
  %0 = ptm.slice %x [0] : (tensor<4x8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @slice_result_rank(%x: tensor<4x8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'ptm.slice' op offsets, input and result must have the same rank}}
  %0 = ptm.slice %x [0, 0] : (tensor<4x8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @slice_window(%x: tensor<2x4x48xf32>) -> tensor<2x4x16xf32> {
  // expected-error @+1 {{'ptm.slice' op window [0,0,40] + [2,4,16] exceeds input [2,4,48] in dimension 2}}
  %0 = ptm.slice %x [0, 0, 40] : (tensor<2x4x48xf32>) -> tensor<2x4x16xf32>
  return %0 : tensor<2x4x16xf32>
}

// -----

func.func @slice_negative_offset(%x: tensor<4x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'ptm.slice' op window [-1,0] + [2,8] exceeds input [4,8] in dimension 0}}
  %0 = ptm.slice %x [-1, 0] : (tensor<4x8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// matmul transpose_lhs
//===----------------------------------------------------------------------===//

func.func @matmul_transpose_lhs_shared_rhs(%a: tensor<2x8x4xf32>, %b: tensor<8x16xf32>) -> tensor<2x4x16xf32> {
  // expected-error @+1 {{'ptm.matmul' op with transpose_lhs, rhs [8,16] must have the rank of lhs [2,8,4]}}
  %0 = ptm.matmul %a, %b {transpose_lhs = true} : (tensor<2x8x4xf32>, tensor<8x16xf32>) -> tensor<2x4x16xf32>
  return %0 : tensor<2x4x16xf32>
}

// -----

func.func @matmul_contraction_lhs_transposed(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'ptm.matmul' op contraction sizes differ: lhs [4,8] has K=4 (lhs transposed) but rhs [8,16] has K=8}}
  %0 = ptm.matmul %a, %b {transpose_lhs = true} : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  return %0 : tensor<8x16xf32>
}

// -----

func.func @matmul_contraction_both_transposed(%a: tensor<4x8xf32>, %b: tensor<16x8xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'ptm.matmul' op contraction sizes differ: lhs [4,8] has K=4 (lhs transposed) but rhs [16,8] has K=8 (rhs transposed)}}
  %0 = ptm.matmul %a, %b {transpose_lhs = true, transpose_rhs = true} : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<8x16xf32>
  return %0 : tensor<8x16xf32>
}

// -----

func.func @matmul_result_lhs_transposed(%a: tensor<2x8x4xf32>, %b: tensor<2x8x6xf32>) -> tensor<2x8x6xf32> {
  // expected-error @+1 {{'ptm.matmul' op result shape [2,8,6] should be [2,4,6]}}
  %0 = ptm.matmul %a, %b {transpose_lhs = true} : (tensor<2x8x4xf32>, tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return %0 : tensor<2x8x6xf32>
}

// -----

//===----------------------------------------------------------------------===//
// cross_entropy, cross_entropy_grad
//===----------------------------------------------------------------------===//

func.func @cross_entropy_logits_rank(%l: tensor<10xf32>, %y: tensor<i64>) -> tensor<f32> {
  // expected-error @+1 {{'ptm.cross_entropy' op logits must be [positions..., vocab], got [10]}}
  %0 = ptm.cross_entropy %l, %y : (tensor<10xf32>, tensor<i64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @cross_entropy_labels(%l: tensor<2x4x10xf32>, %y: tensor<2x3xi64>) -> tensor<f32> {
  // expected-error @+1 {{'ptm.cross_entropy' op labels [2,3] should be [2,4] for logits [2,4,10]}}
  %0 = ptm.cross_entropy %l, %y : (tensor<2x4x10xf32>, tensor<2x3xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @cross_entropy_labels_rank(%l: tensor<2x4x10xf32>, %y: tensor<8xi64>) -> tensor<f32> {
  // expected-error @+1 {{'ptm.cross_entropy' op labels [8] should be [2,4] for logits [2,4,10]}}
  %0 = ptm.cross_entropy %l, %y : (tensor<2x4x10xf32>, tensor<8xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @cross_entropy_result(%l: tensor<4x10xf32>, %y: tensor<4xi64>) -> tensor<1xf32> {
  // expected-error @+1 {{'ptm.cross_entropy' op result shape [1] should be []}}
  %0 = ptm.cross_entropy %l, %y : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

func.func @cross_entropy_mixed(%l: tensor<4x10xf64>, %y: tensor<4xi64>) -> tensor<f32> {
  // expected-error @+1 {{'ptm.cross_entropy' op mixes element types: 'f64' operand, 'f32' result}}
  %0 = ptm.cross_entropy %l, %y : (tensor<4x10xf64>, tensor<4xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @cross_entropy_count_rank(%l: tensor<4x10xf32>, %y: tensor<4xi64>, %n: tensor<1xf32>) -> tensor<f32> {
  // expected-error @+1 {{'ptm.cross_entropy' op count must be rank 0, got [1]}}
  %0 = ptm.cross_entropy %l, %y count %n : (tensor<4x10xf32>, tensor<4xi64>, tensor<1xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @cross_entropy_grad_count_type(%g: tensor<f32>, %l: tensor<4x10xf32>, %y: tensor<4xi64>, %n: tensor<f64>) -> tensor<4x10xf32> {
  // expected-error @+1 {{'ptm.cross_entropy_grad' op mixes element types: 'f64' operand, 'f32' result}}
  %0 = ptm.cross_entropy_grad %g, %l, %y count %n : (tensor<f32>, tensor<4x10xf32>, tensor<4xi64>, tensor<f64>) -> tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

func.func @count_targets_rank(%y: tensor<i64>) -> tensor<f32> {
  // expected-error @+1 {{'ptm.count_targets' op labels must have rank 1 or more}}
  %0 = ptm.count_targets %y : (tensor<i64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @count_targets_result(%y: tensor<4xi64>) -> tensor<1xf32> {
  // expected-error @+1 {{'ptm.count_targets' op result shape [1] should be []}}
  %0 = ptm.count_targets %y : (tensor<4xi64>) -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

func.func @dropout_one(%x: tensor<4xf32>, %s: tensor<i64>) -> tensor<4xf32> {
  // expected-error @+1 {{'ptm.dropout' op dropout probability must be in [0, 1), got 1.000000e+00}}
  %0 = ptm.dropout %x, %s {probability = 1.0 : f64} : (tensor<4xf32>, tensor<i64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @dropout_negative(%x: tensor<4xf32>, %s: tensor<i64>) -> tensor<4xf32> {
  // expected-error @+1 {{'ptm.dropout' op dropout probability must be in [0, 1), got -1.000000e-01}}
  %0 = ptm.dropout %x, %s {probability = -0.1 : f64} : (tensor<4xf32>, tensor<i64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @dropout_shape(%x: tensor<4xf32>, %s: tensor<i64>) -> tensor<2x2xf32> {
  // expected-error @+1 {{'ptm.dropout' op result shape [2,2] should be [4]}}
  %0 = ptm.dropout %x, %s {probability = 0.5 : f64} : (tensor<4xf32>, tensor<i64>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @dropout_seed_type(%x: tensor<4xf32>, %s: tensor<1xi64>) -> tensor<4xf32> {
  // expected-error @+1 {{'ptm.dropout' op operand #1 must be 0D tensor of 64-bit signless integer values}}
  %0 = ptm.dropout %x, %s {probability = 0.5 : f64} : (tensor<4xf32>, tensor<1xi64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @attention_dropout_without_seed(%q: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  // expected-error @+1 {{'ptm.attention' op dropout_seed must be given exactly when dropout > 0}}
  %0 = ptm.attention %q, %q, %q {dropout = 0.1 : f64, scale = 0.25 : f64} : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  return %0 : tensor<1x2x4x8xf32>
}

// -----

func.func @attention_seed_without_dropout(%q: tensor<1x2x4x8xf32>, %s: tensor<i64>) -> tensor<1x2x4x8xf32> {
  // expected-error @+1 {{'ptm.attention' op dropout_seed must be given exactly when dropout > 0}}
  %0 = ptm.attention %q, %q, %q dropout_seed %s {scale = 0.25 : f64} : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<i64>) -> tensor<1x2x4x8xf32>
  return %0 : tensor<1x2x4x8xf32>
}

// -----

func.func @attention_grad_dropout_range(%q: tensor<1x2x4x8xf32>, %s: tensor<i64>) -> tensor<1x2x4x8xf32> {
  // expected-error @+1 {{'ptm.attention_grad' op dropout probability must be in [0, 1), got 1.500000e+00}}
  %0:3 = ptm.attention_grad %q, %q, %q, %q dropout_seed %s {dropout = 1.5 : f64, scale = 0.25 : f64} : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<i64>) -> (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>)
  return %0#0 : tensor<1x2x4x8xf32>
}

// -----

func.func @cross_entropy_dynamic(%l: tensor<?x10xf32>, %y: tensor<4xi64>) -> tensor<f32> {
  // expected-error @+1 {{'ptm.cross_entropy' op needs static shapes, got 'tensor<?x10xf32>'}}
  %0 = ptm.cross_entropy %l, %y : (tensor<?x10xf32>, tensor<4xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @cross_entropy_float_labels(%l: tensor<4x10xf32>, %y: tensor<4xf32>) -> tensor<f32> {
  // expected-error @+1 {{'ptm.cross_entropy' op operand #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = ptm.cross_entropy %l, %y : (tensor<4x10xf32>, tensor<4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @cross_entropy_grad_seed(%g: tensor<1xf32>, %l: tensor<4x10xf32>, %y: tensor<4xi64>) -> tensor<4x10xf32> {
  // expected-error @+1 {{'ptm.cross_entropy_grad' op grad must be the rank-0 gradient of the loss, got [1]}}
  %0 = ptm.cross_entropy_grad %g, %l, %y : (tensor<1xf32>, tensor<4x10xf32>, tensor<4xi64>) -> tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

func.func @cross_entropy_grad_labels(%g: tensor<f32>, %l: tensor<4x10xf32>, %y: tensor<5xi64>) -> tensor<4x10xf32> {
  // expected-error @+1 {{'ptm.cross_entropy_grad' op labels [5] should be [4] for logits [4,10]}}
  %0 = ptm.cross_entropy_grad %g, %l, %y : (tensor<f32>, tensor<4x10xf32>, tensor<5xi64>) -> tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

func.func @cross_entropy_grad_logits_rank(%g: tensor<f32>, %l: tensor<10xf32>, %y: tensor<i64>) -> tensor<10xf32> {
  // expected-error @+1 {{'ptm.cross_entropy_grad' op logits must be [positions..., vocab], got [10]}}
  %0 = ptm.cross_entropy_grad %g, %l, %y : (tensor<f32>, tensor<10xf32>, tensor<i64>) -> tensor<10xf32>
  return %0 : tensor<10xf32>
}

// -----

func.func @cross_entropy_grad_result(%g: tensor<f32>, %l: tensor<4x10xf32>, %y: tensor<4xi64>) -> tensor<4x9xf32> {
  // expected-error @+1 {{'ptm.cross_entropy_grad' op result shape [4,9] should be [4,10]}}
  %0 = ptm.cross_entropy_grad %g, %l, %y : (tensor<f32>, tensor<4x10xf32>, tensor<4xi64>) -> tensor<4x9xf32>
  return %0 : tensor<4x9xf32>
}

// -----

func.func @cross_entropy_grad_mixed(%g: tensor<f64>, %l: tensor<4x10xf32>, %y: tensor<4xi64>) -> tensor<4x10xf32> {
  // expected-error @+1 {{'ptm.cross_entropy_grad' op mixes element types: 'f64' operand, 'f32' result}}
  %0 = ptm.cross_entropy_grad %g, %l, %y : (tensor<f64>, tensor<4x10xf32>, tensor<4xi64>) -> tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

//===----------------------------------------------------------------------===//
// reduce_leading, gelu_grad, softmax_grad
//===----------------------------------------------------------------------===//

func.func @reduce_leading_not_trailing(%x: tensor<2x4x8xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'ptm.reduce_leading' op result [4] must equal the trailing dimensions of the input [2,4,8]}}
  %0 = ptm.reduce_leading %x : (tensor<2x4x8xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @reduce_leading_larger(%x: tensor<8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'ptm.reduce_leading' op result [2,8] must equal the trailing dimensions of the input [8]}}
  %0 = ptm.reduce_leading %x : (tensor<8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @reduce_leading_mixed(%x: tensor<2x8xf64>) -> tensor<8xf32> {
  // expected-error @+1 {{'ptm.reduce_leading' op mixes element types: 'f64' operand, 'f32' result}}
  %0 = ptm.reduce_leading %x : (tensor<2x8xf64>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @gelu_grad_approximate(%g: tensor<4x8xf32>, %x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'ptm.gelu_grad' op approximate must be "none" or "tanh", got "erf"}}
  %0 = ptm.gelu_grad %g, %x {approximate = "erf"} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @gelu_grad_dynamic(%g: tensor<4x?xf32>, %x: tensor<4x?xf32>) -> tensor<4x?xf32> {
  // expected-error @+1 {{'ptm.gelu_grad' op needs static shapes, got 'tensor<4x?xf32>'}}
  %0 = ptm.gelu_grad %g, %x : tensor<4x?xf32>
  return %0 : tensor<4x?xf32>
}

// -----

func.func @softmax_grad_axis(%g: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'ptm.softmax_grad' op axis 2 is out of range for rank 2}}
  %0 = ptm.softmax_grad %g, %y {axis = 2 : i64} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @softmax_grad_axis_negative(%g: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'ptm.softmax_grad' op axis -1 is out of range for rank 2}}
  %0 = ptm.softmax_grad %g, %y {axis = -1 : i64} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// layer_norm_grad
//===----------------------------------------------------------------------===//

func.func @layer_norm_grad_shape(%g: tensor<4x8xf32>, %x: tensor<2x4x8xf32>, %w: tensor<8xf32>) -> (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>) {
  // expected-error @+1 {{'ptm.layer_norm_grad' op grad [4,8] must have the input's shape [2,4,8] (rank 1 or more)}}
  %0:3 = ptm.layer_norm_grad %g, %x, %w {epsilon = 1.0e-5 : f64} : (tensor<4x8xf32>, tensor<2x4x8xf32>, tensor<8xf32>) -> (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>)
  return %0#0, %0#1, %0#2 : tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>
}

// -----

func.func @layer_norm_grad_rank0(%g: tensor<f32>, %x: tensor<f32>, %w: tensor<1xf32>) -> (tensor<f32>, tensor<1xf32>, tensor<1xf32>) {
  // expected-error @+1 {{'ptm.layer_norm_grad' op grad [] must have the input's shape [] (rank 1 or more)}}
  %0:3 = ptm.layer_norm_grad %g, %x, %w {epsilon = 1.0e-5 : f64} : (tensor<f32>, tensor<f32>, tensor<1xf32>) -> (tensor<f32>, tensor<1xf32>, tensor<1xf32>)
  return %0#0, %0#1, %0#2 : tensor<f32>, tensor<1xf32>, tensor<1xf32>
}

// -----

func.func @layer_norm_grad_weight(%g: tensor<4x8xf32>, %x: tensor<4x8xf32>, %w: tensor<4xf32>) -> (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) {
  // expected-error @+1 {{'ptm.layer_norm_grad' op weight and its gradients must be [8]}}
  %0:3 = ptm.layer_norm_grad %g, %x, %w {epsilon = 1.0e-5 : f64} : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>)
  return %0#0, %0#1, %0#2 : tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>
}

// -----

func.func @layer_norm_grad_bias_grad(%g: tensor<4x8xf32>, %x: tensor<4x8xf32>, %w: tensor<8xf32>) -> (tensor<4x8xf32>, tensor<8xf32>, tensor<4x8xf32>) {
  // expected-error @+1 {{'ptm.layer_norm_grad' op weight and its gradients must be [8]}}
  %0:3 = ptm.layer_norm_grad %g, %x, %w {epsilon = 1.0e-5 : f64} : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<8xf32>) -> (tensor<4x8xf32>, tensor<8xf32>, tensor<4x8xf32>)
  return %0#0, %0#1, %0#2 : tensor<4x8xf32>, tensor<8xf32>, tensor<4x8xf32>
}

// -----

func.func @layer_norm_grad_input_grad(%g: tensor<4x8xf32>, %x: tensor<4x8xf32>, %w: tensor<8xf32>) -> (tensor<2x16xf32>, tensor<8xf32>, tensor<8xf32>) {
  // expected-error @+1 {{'ptm.layer_norm_grad' op result shape [2,16] should be [4,8]}}
  %0:3 = ptm.layer_norm_grad %g, %x, %w {epsilon = 1.0e-5 : f64} : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<8xf32>) -> (tensor<2x16xf32>, tensor<8xf32>, tensor<8xf32>)
  return %0#0, %0#1, %0#2 : tensor<2x16xf32>, tensor<8xf32>, tensor<8xf32>
}

// -----

func.func @layer_norm_grad_mixed(%g: tensor<4x8xf64>, %x: tensor<4x8xf32>, %w: tensor<8xf32>) -> (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) {
  // expected-error @+1 {{'ptm.layer_norm_grad' op mixes element types: 'f64' operand, 'f32' result}}
  %0:3 = ptm.layer_norm_grad %g, %x, %w {epsilon = 1.0e-5 : f64} : (tensor<4x8xf64>, tensor<4x8xf32>, tensor<8xf32>) -> (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>)
  return %0#0, %0#1, %0#2 : tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// attention_grad
//===----------------------------------------------------------------------===//

func.func @attention_grad_grad_shape(%g: tensor<1x2x5x8xf32>, %q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x4x8xf32> {
  // expected-error @+1 {{'ptm.attention_grad' op grad and query_grad must have the query's shape, key_grad and value_grad those of key and value}}
  %0:3 = ptm.attention_grad %g, %q, %k, %v {scale = 1.0 : f64} : (tensor<1x2x5x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x6x8xf32>, tensor<1x2x6x8xf32>) -> (tensor<1x2x4x8xf32>, tensor<1x2x6x8xf32>, tensor<1x2x6x8xf32>)
  return %0#0 : tensor<1x2x4x8xf32>
}

// -----

func.func @attention_grad_key_grad_shape(%g: tensor<1x2x4x8xf32>, %q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x4x8xf32> {
  // expected-error @+1 {{'ptm.attention_grad' op grad and query_grad must have the query's shape, key_grad and value_grad those of key and value}}
  %0:3 = ptm.attention_grad %g, %q, %k, %v {scale = 1.0 : f64} : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x6x8xf32>, tensor<1x2x6x8xf32>) -> (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x6x8xf32>)
  return %0#0 : tensor<1x2x4x8xf32>
}

// -----

func.func @attention_grad_rank(%g: tensor<2x4x8xf32>, %q: tensor<2x4x8xf32>, %k: tensor<2x4x8xf32>, %v: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  // expected-error @+1 {{'ptm.attention_grad' op query [2,4,8], key [2,4,8] and value [2,4,8] do not form an attention}}
  %0:3 = ptm.attention_grad %g, %q, %k, %v {scale = 1.0 : f64} : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>)
  return %0#0 : tensor<2x4x8xf32>
}

// -----

func.func @attention_grad_head_dim(%g: tensor<1x2x4x8xf32>, %q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x16xf32>, %v: tensor<1x2x4x16xf32>) -> tensor<1x2x4x8xf32> {
  // expected-error @+1 {{'ptm.attention_grad' op query [1,2,4,8], key [1,2,4,16] and value [1,2,4,16] do not form an attention}}
  %0:3 = ptm.attention_grad %g, %q, %k, %v {scale = 1.0 : f64} : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x16xf32>, tensor<1x2x4x16xf32>) -> (tensor<1x2x4x8xf32>, tensor<1x2x4x16xf32>, tensor<1x2x4x16xf32>)
  return %0#0 : tensor<1x2x4x8xf32>
}

// -----

func.func @attention_grad_key_mask(%g: tensor<2x2x4x8xf32>, %q: tensor<2x2x4x8xf32>, %k: tensor<2x2x6x8xf32>, %v: tensor<2x2x6x8xf32>, %m: tensor<2x4xi64>) -> tensor<2x2x4x8xf32> {
  // expected-error @+1 {{'ptm.attention_grad' op key_mask [2,4] should be [2,6]}}
  %0:3 = ptm.attention_grad %g, %q, %k, %v, %m {scale = 1.0 : f64} : (tensor<2x2x4x8xf32>, tensor<2x2x4x8xf32>, tensor<2x2x6x8xf32>, tensor<2x2x6x8xf32>, tensor<2x4xi64>) -> (tensor<2x2x4x8xf32>, tensor<2x2x6x8xf32>, tensor<2x2x6x8xf32>)
  return %0#0 : tensor<2x2x4x8xf32>
}

// -----

func.func @attention_grad_mixed(%g: tensor<1x2x4x8xf64>, %q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  // expected-error @+1 {{'ptm.attention_grad' op mixes element types: 'f64' operand, 'f32' result}}
  %0:3 = ptm.attention_grad %g, %q, %k, %v {scale = 1.0 : f64} : (tensor<1x2x4x8xf64>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>)
  return %0#0 : tensor<1x2x4x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// embedding_grad, slice_grad
//===----------------------------------------------------------------------===//

func.func @embedding_grad_result_rank(%g: tensor<2x4x8xf32>, %ids: tensor<2x4xi64>) -> tensor<100x8x1xf32> {
  // expected-error @+1 {{'ptm.embedding_grad' op result must be [vocab, dim], got [100,8,1]}}
  %0 = ptm.embedding_grad %g, %ids : (tensor<2x4x8xf32>, tensor<2x4xi64>) -> tensor<100x8x1xf32>
  return %0 : tensor<100x8x1xf32>
}

// -----

func.func @embedding_grad_grad_shape(%g: tensor<2x4x8xf32>, %ids: tensor<2x4xi64>) -> tensor<100x16xf32> {
  // expected-error @+1 {{'ptm.embedding_grad' op grad [2,4,8] should be [2,4,16]}}
  %0 = ptm.embedding_grad %g, %ids : (tensor<2x4x8xf32>, tensor<2x4xi64>) -> tensor<100x16xf32>
  return %0 : tensor<100x16xf32>
}

// -----

func.func @embedding_grad_indices_shape(%g: tensor<2x4x8xf32>, %ids: tensor<8xi64>) -> tensor<100x8xf32> {
  // expected-error @+1 {{'ptm.embedding_grad' op grad [2,4,8] should be [8,8]}}
  %0 = ptm.embedding_grad %g, %ids : (tensor<2x4x8xf32>, tensor<8xi64>) -> tensor<100x8xf32>
  return %0 : tensor<100x8xf32>
}

// -----

func.func @embedding_grad_mixed(%g: tensor<3x4xf64>, %ids: tensor<3xi64>) -> tensor<10x4xf32> {
  // expected-error @+1 {{'ptm.embedding_grad' op mixes element types: 'f64' operand, 'f32' result}}
  %0 = ptm.embedding_grad %g, %ids : (tensor<3x4xf64>, tensor<3xi64>) -> tensor<10x4xf32>
  return %0 : tensor<10x4xf32>
}

// -----

func.func @slice_grad_offsets_rank(%g: tensor<2x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'ptm.slice_grad' op offsets, grad and result must have the same rank}}
  %0 = ptm.slice_grad %g [0] : (tensor<2x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @slice_grad_result_rank(%g: tensor<2x8xf32>) -> tensor<2x4x8xf32> {
  // expected-error @+1 {{'ptm.slice_grad' op offsets, grad and result must have the same rank}}
  %0 = ptm.slice_grad %g [0, 0] : (tensor<2x8xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

func.func @slice_grad_window(%g: tensor<2x4x16xf32>) -> tensor<2x4x48xf32> {
  // expected-error @+1 {{'ptm.slice_grad' op window [0,0,40] + [2,4,16] exceeds result [2,4,48] in dimension 2}}
  %0 = ptm.slice_grad %g [0, 0, 40] : (tensor<2x4x16xf32>) -> tensor<2x4x48xf32>
  return %0 : tensor<2x4x48xf32>
}

// -----

func.func @slice_grad_negative_offset(%g: tensor<2x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'ptm.slice_grad' op window [-1,0] + [2,8] exceeds result [4,8] in dimension 0}}
  %0 = ptm.slice_grad %g [-1, 0] : (tensor<2x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @slice_grad_mixed(%g: tensor<2x8xf64>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'ptm.slice_grad' op mixes element types: 'f64' operand, 'f32' result}}
  %0 = ptm.slice_grad %g [0, 0] : (tensor<2x8xf64>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// ptm.prefetch
//===----------------------------------------------------------------------===//

func.func @prefetch_rank(%w: tensor<64xf32>, %i: index) {
  // expected-error @+1 {{prefetches a block of a rank-2 tensor, got rank 1}}
  ptm.prefetch %w[%i] [8] : tensor<64xf32>
  return
}

// -----

func.func @prefetch_sizes(%w: tensor<8x64xf32>, %i: index) {
  // expected-error @+1 {{needs two offsets and two sizes, got 2 and 1}}
  ptm.prefetch %w[%i, %i] [8] : tensor<8x64xf32>
  return
}

// -----

func.func @prefetch_empty(%w: tensor<8x64xf32>, %i: index) {
  // expected-error @+1 {{size #1 must be positive, got 0}}
  ptm.prefetch %w[%i, %i] [8, 0] : tensor<8x64xf32>
  return
}

// -----

func.func @prefetch_too_large(%w: tensor<8x64xf32>, %i: index) {
  // expected-error @+1 {{size #0 (16) exceeds the source's 8}}
  ptm.prefetch %w[%i, %i] [16, 64] : tensor<8x64xf32>
  return
}
