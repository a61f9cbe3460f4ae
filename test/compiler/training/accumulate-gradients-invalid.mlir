// RUN: ptm-opt %s -split-input-file --ptm-accumulate-gradients -verify-diagnostics
// ptm-accumulate-gradients: each precondition fails with one diagnostic.

// expected-error @+1 {{ptm-accumulate-gradients runs after ptm-autodiff}}
func.func @not_differentiated(%h: tensor<2x3x10xf32> {ptm.parameter = "h"}, %y: tensor<2x3xi64> {ptm.input = "labels"}) -> tensor<f32> attributes {ptm.differentiate, ptm.grad_accum = 2 : i64} {
  %loss = ptm.cross_entropy %h, %y : (tensor<2x3x10xf32>, tensor<2x3xi64>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// expected-error @+1 {{ptm.grad_accum must be a positive integer}}
func.func @zero(%h: tensor<2x3x10xf32>, %y: tensor<2x3xi64> {ptm.input = "labels"}) -> tensor<f32> attributes {ptm.grad_accum = 0 : i64} {
  %loss = ptm.cross_entropy %h, %y : (tensor<2x3x10xf32>, tensor<2x3xi64>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// expected-error @+1 {{inputs of gradient accumulation must share the batch size, got 2 and 4}}
func.func @batches(%ids: tensor<2x3xi64> {ptm.input = "input_ids"}, %y: tensor<4x3xi64> {ptm.input = "labels"}) -> tensor<f32> attributes {ptm.grad_accum = 2 : i64} {
  %zero = arith.constant dense<0.0> : tensor<f32>
  return %zero : tensor<f32>
}

// -----

func.func @labels_not_input(%h: tensor<2x3x10xf32>, %ids: tensor<2x3xi64> {ptm.input = "input_ids"}, %y: tensor<2x3xi64>) -> tensor<f32> attributes {ptm.grad_accum = 2 : i64} {
  // expected-error @+1 {{'ptm.cross_entropy' op needs labels that are an input of the function to accumulate gradients over micro-batches}}
  %loss = ptm.cross_entropy %h, %y : (tensor<2x3x10xf32>, tensor<2x3xi64>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

func.func @counted(%h: tensor<2x3x10xf32>, %y: tensor<2x3xi64> {ptm.input = "labels"}, %n: tensor<f32>) -> tensor<f32> attributes {ptm.grad_accum = 2 : i64} {
  // expected-error @+1 {{'ptm.cross_entropy' op already has a count}}
  %loss = ptm.cross_entropy %h, %y count %n : (tensor<2x3x10xf32>, tensor<2x3xi64>, tensor<f32>) -> tensor<f32>
  return %loss : tensor<f32>
}
