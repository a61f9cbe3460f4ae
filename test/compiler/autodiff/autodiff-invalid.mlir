// RUN: ptm-opt %s --ptm-autodiff -split-input-file -verify-diagnostics
// Functions ptm-autodiff refuses to differentiate (compiler/autodiff/Autodiff.cpp).

// expected-error @+1 {{a function to differentiate returns exactly one loss, got 2 results}}
func.func @two_results(%x: tensor<4x16xf32> {ptm.parameter = "x"}, %y: tensor<4xi64>) -> (tensor<f32>, tensor<f32>) attributes {ptm.differentiate} {
  %0 = ptm.cross_entropy %x, %y : (tensor<4x16xf32>, tensor<4xi64>) -> tensor<f32>
  return %0, %0 : tensor<f32>, tensor<f32>
}

// -----

// expected-error @+1 {{a function to differentiate returns exactly one loss, got 0 results}}
func.func @no_result(%x: tensor<4x16xf32> {ptm.parameter = "x"}) attributes {ptm.differentiate} {
  return
}

// -----

// expected-error @+1 {{the loss must be a rank-0 float tensor, got 'tensor<1xf32>'}}
func.func @loss_rank1(%x: tensor<4x16xf32> {ptm.parameter = "x"}, %y: tensor<4xi64>) -> tensor<1xf32> attributes {ptm.differentiate} {
  %0 = ptm.cross_entropy %x, %y : (tensor<4x16xf32>, tensor<4xi64>) -> tensor<f32>
  %1 = ptm.reshape %0 : (tensor<f32>) -> tensor<1xf32>
  return %1 : tensor<1xf32>
}

// -----

// expected-error @+1 {{the loss must be a rank-0 float tensor, got 'tensor<4x16xf32>'}}
func.func @loss_not_reduced(%x: tensor<4x16xf32> {ptm.parameter = "x"}) -> tensor<4x16xf32> attributes {ptm.differentiate} {
  %0 = ptm.gelu %x : tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// expected-error @+1 {{the loss must be a rank-0 float tensor, got 'tensor<i64>'}}
func.func @loss_integer(%x: tensor<i64>) -> tensor<i64> attributes {ptm.differentiate} {
  return %x : tensor<i64>
}

// -----

// expected-error @+1 {{the loss must be a rank-0 float tensor, got 'f32'}}
func.func @loss_scalar(%x: f32) -> f32 attributes {ptm.differentiate} {
  return %x : f32
}

// -----

// expected-error @+1 {{ptm-autodiff needs a single-block function}}
func.func @two_blocks(%x: tensor<f32> {ptm.parameter = "x"}) -> tensor<f32> attributes {ptm.differentiate} {
  cf.br ^bb1
^bb1:
  return %x : tensor<f32>
}

// -----

// ptm.linear (formed by ptm-fuse, after autodiff) has no VJP rule.
func.func @linear_on_path(%x: tensor<4x8xf32>, %w: tensor<8x16xf32> {ptm.parameter = "w"}, %y: tensor<4xi64>) -> tensor<f32> attributes {ptm.differentiate} {
  // expected-error @+1 {{is on the path to the loss but has no VJP rule}}
  %0 = ptm.linear %x, %w : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %1 = ptm.cross_entropy %0, %y : (tensor<4x16xf32>, tensor<4xi64>) -> tensor<f32>
  return %1 : tensor<f32>
}

// -----

// An op off the path needs no rule: only the one on it is reported.
func.func @linear_on_path_only(%x: tensor<4x8xf32> {ptm.parameter = "x"}, %w: tensor<8x16xf32>, %y: tensor<4xi64>) -> tensor<f32> attributes {ptm.differentiate} {
  %unused = ptm.linear %x, %w : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %h = ptm.matmul %x, %w : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  // expected-error @+1 {{is on the path to the loss but has no VJP rule}}
  %0 = ptm.linear %h, %w {transpose_weight = true} : (tensor<4x16xf32>, tensor<8x16xf32>) -> tensor<4x8xf32>
  %1 = ptm.cross_entropy %0, %y : (tensor<4x8xf32>, tensor<4xi64>) -> tensor<f32>
  return %1 : tensor<f32>
}

// -----

// Weight gradients use transpose_lhs; the forward pass never does.
func.func @matmul_transpose_lhs(%x: tensor<8x4xf32> {ptm.parameter = "x"}, %w: tensor<8x16xf32>, %y: tensor<4xi64>) -> tensor<f32> attributes {ptm.differentiate} {
  // expected-error @+1 {{'ptm.matmul' op has no VJP rule with transpose_lhs (only weight gradients use it)}}
  %0 = ptm.matmul %x, %w {transpose_lhs = true} : (tensor<8x4xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %1 = ptm.cross_entropy %0, %y : (tensor<4x16xf32>, tensor<4xi64>) -> tensor<f32>
  return %1 : tensor<f32>
}
