// RUN: ptm-opt %s --split-input-file --ptm-optimizer | FileCheck %s
// ptm-optimizer: moments become parameters after the model's, learning_rate
// and step become inputs, the gradients' global norm gives one clipping
// scale, and every parameter takes one AdamW step; only matrices decay.
// Parameters and moments become writable and their new values are marked as
// updates, which ptm-update-parameters-in-place writes over them.

// CHECK-LABEL: func.func @train_step
// CHECK-SAME: %[[W:[^:]*]]: tensor<3x4xf32> {bufferization.writable = true, ptm.parameter = "w"}, %[[B:[^:]*]]: tensor<4xf32> {bufferization.writable = true, ptm.parameter = "b"}
// CHECK-SAME: %[[MW:[^:]*]]: tensor<3x4xf32> {bufferization.writable = true, ptm.init = "zeros", ptm.optimizer_state, ptm.parameter = "optimizer.exp_avg.w"}
// CHECK-SAME: %[[MB:[^:]*]]: tensor<4xf32> {{{.*}}ptm.parameter = "optimizer.exp_avg.b"}
// CHECK-SAME: %[[VW:[^:]*]]: tensor<3x4xf32> {{{.*}}ptm.parameter = "optimizer.exp_avg_sq.w"}
// CHECK-SAME: %[[VB:[^:]*]]: tensor<4xf32> {{{.*}}ptm.parameter = "optimizer.exp_avg_sq.b"}
// CHECK-SAME: %{{[^:]*}}: tensor<3xf32> {ptm.input = "x"}, %[[LR:[^:]*]]: tensor<f32> {bufferization.writable = false, ptm.input = "learning_rate"}, %[[STEP:[^:]*]]: tensor<f32> {bufferization.writable = false, ptm.input = "step"}
// CHECK-SAME: -> (tensor<f32>, tensor<3x4xf32> {ptm.output = "w", ptm.updates_parameter}, tensor<4xf32> {ptm.output = "b", ptm.updates_parameter}, tensor<3x4xf32> {ptm.output = "optimizer.exp_avg.w", ptm.updates_parameter}, tensor<4xf32> {ptm.output = "optimizer.exp_avg.b", ptm.updates_parameter}, tensor<3x4xf32> {ptm.output = "optimizer.exp_avg_sq.w", ptm.updates_parameter}, tensor<4xf32> {ptm.output = "optimizer.exp_avg_sq.b", ptm.updates_parameter})
// CHECK-NOT: ptm.optimizer
// CHECK: %[[GW:.*]] = ptm.mul %[[W]], %[[W]]
// CHECK: %[[GB:.*]] = ptm.mul %[[B]], %[[B]]
// CHECK: %[[SQW:.*]] = ptm.mul %[[GW]], %[[GW]]
// CHECK: %[[SW:.*]] = ptm.reduce_leading %[[SQW]]
// CHECK: %[[SQB:.*]] = ptm.mul %[[GB]], %[[GB]]
// CHECK: %[[SB:.*]] = ptm.reduce_leading %[[SQB]]
// CHECK: %[[SUM:.*]] = ptm.add %[[SW]], %[[SB]]
// CHECK: %[[SCALE:.*]] = ptm.clip_scale %[[SUM]] {max_norm = 1.000000e+00 : f64}
// CHECK: %[[NW:.*]], %[[NMW:.*]], %[[NVW:.*]] = ptm.adamw %[[W]], %[[GW]], %[[MW]], %[[VW]], %[[LR]], %[[STEP]], %[[SCALE]] {beta1 = 9.000000e-01 : f64, {{.*}}weight_decay = 1.000000e-01 : f64}
// CHECK: %[[NB:.*]], %[[NMB:.*]], %[[NVB:.*]] = ptm.adamw %[[B]], %[[GB]], %[[MB]], %[[VB]], %[[LR]], %[[STEP]], %[[SCALE]] {{{.*}}weight_decay = 0.000000e+00 : f64}
// CHECK: return %{{.*}}, %[[NW]], %[[NB]], %[[NMW]], %[[NMB]], %[[NVW]], %[[NVB]]
func.func @train_step(%w: tensor<3x4xf32> {ptm.parameter = "w"}, %b: tensor<4xf32> {ptm.parameter = "b"}, %x: tensor<3xf32> {ptm.input = "x"}) -> (tensor<f32>, tensor<3x4xf32> {ptm.output = "w"}, tensor<4xf32> {ptm.output = "b"}) attributes {ptm.entry, ptm.optimizer = {beta1 = 0.9 : f64, beta2 = 0.95 : f64, epsilon = 1.0e-8 : f64, weight_decay = 0.1 : f64, max_grad_norm = 1.0 : f64}} {
  %loss = arith.constant dense<2.0> : tensor<f32>
  %gw = ptm.mul %w, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %gb = ptm.mul %b, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %loss, %gw, %gb : tensor<f32>, tensor<3x4xf32>, tensor<4xf32>
}

// -----

// decay_all: biases decay too. max_grad_norm 0: no clipping, the scale is 1.
// CHECK-LABEL: func.func @decay_everything
// CHECK-NOT: ptm.clip_scale
// CHECK: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: ptm.adamw {{.*}}, %[[ONE]] {{{.*}}weight_decay = 1.000000e-01 : f64} : (tensor<3x4xf32>
// CHECK: ptm.adamw {{.*}}, %[[ONE]] {{{.*}}weight_decay = 1.000000e-01 : f64} : (tensor<4xf32>
func.func @decay_everything(%w: tensor<3x4xf32> {ptm.parameter = "w"}, %b: tensor<4xf32> {ptm.parameter = "b"}) -> (tensor<f32>, tensor<3x4xf32> {ptm.output = "w"}, tensor<4xf32> {ptm.output = "b"}) attributes {ptm.entry, ptm.optimizer = {beta1 = 0.9 : f64, beta2 = 0.95 : f64, epsilon = 1.0e-8 : f64, weight_decay = 0.1 : f64, max_grad_norm = 0.0 : f64, decay_all = true}} {
  %loss = arith.constant dense<2.0> : tensor<f32>
  return %loss, %w, %b : tensor<f32>, tensor<3x4xf32>, tensor<4xf32>
}
