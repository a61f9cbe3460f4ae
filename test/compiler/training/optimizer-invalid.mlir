// RUN: ptm-opt %s --split-input-file --ptm-optimizer --verify-diagnostics

// expected-error @+1 {{ptm.optimizer needs a float 'max_grad_norm'}}
func.func @missing_setting(%w: tensor<4xf32> {ptm.parameter = "w"}) -> (tensor<f32>, tensor<4xf32> {ptm.output = "w"}) attributes {ptm.optimizer = {beta1 = 0.9 : f64, beta2 = 0.95 : f64, epsilon = 1.0e-8 : f64, weight_decay = 0.1 : f64}} {
  %loss = arith.constant dense<2.0> : tensor<f32>
  return %loss, %w : tensor<f32>, tensor<4xf32>
}

// -----

// expected-error @+1 {{ptm.optimizer's 'decay_all' must be a bool}}
func.func @bad_decay_all(%w: tensor<4xf32> {ptm.parameter = "w"}) -> (tensor<f32>, tensor<4xf32> {ptm.output = "w"}) attributes {ptm.optimizer = {beta1 = 0.9 : f64, beta2 = 0.95 : f64, epsilon = 1.0e-8 : f64, weight_decay = 0.1 : f64, max_grad_norm = 1.0 : f64, decay_all = 1 : i64}} {
  %loss = arith.constant dense<2.0> : tensor<f32>
  return %loss, %w : tensor<f32>, tensor<4xf32>
}

// -----

// expected-error @+1 {{result #1 is not the gradient of 'w'}}
func.func @misnamed_gradient(%w: tensor<4xf32> {ptm.parameter = "w"}) -> (tensor<f32>, tensor<4xf32> {ptm.output = "v"}) attributes {ptm.optimizer = {beta1 = 0.9 : f64, beta2 = 0.95 : f64, epsilon = 1.0e-8 : f64, weight_decay = 0.1 : f64, max_grad_norm = 1.0 : f64}} {
  %loss = arith.constant dense<2.0> : tensor<f32>
  return %loss, %w : tensor<f32>, tensor<4xf32>
}
