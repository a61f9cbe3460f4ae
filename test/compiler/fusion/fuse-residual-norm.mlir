// RUN: ptm-opt %s --pass-pipeline='builtin.module(func.func(ptm-fuse-residual-norm))' -split-input-file | FileCheck %s

// Post-norm (BERT): the sum feeds only the layer norm.
// CHECK-LABEL: func.func @post_norm
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>, %[[R:.*]]: tensor<2x4x8xf32>, %[[G:.*]]: tensor<8xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK-NOT: ptm.add
// CHECK: %{{.*}}, %[[Y:.*]] = ptm.residual_layer_norm %[[X]], %[[R]], %[[G]], %[[B]] {epsilon = 1.000000e-05 : f64}
// CHECK-NOT: ptm.layer_norm
// CHECK: return %[[Y]]
func.func @post_norm(%x: tensor<2x4x8xf32>, %r: tensor<2x4x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<2x4x8xf32> {
  %s = ptm.add %x, %r : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %y = ptm.layer_norm %s, %g, %b {epsilon = 1.0e-5 : f64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return %y : tensor<2x4x8xf32>
}

// -----

// Pre-norm (GPT-2): the residual stream carries the sum on; its users take
// the fused op's sum.
// CHECK-LABEL: func.func @pre_norm
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>, %[[R:.*]]: tensor<2x4x8xf32>, %[[G:.*]]: tensor<8xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK: %[[S:.*]], %[[Y:.*]] = ptm.residual_layer_norm %[[X]], %[[R]], %[[G]], %[[B]]
// CHECK: %[[NEXT:.*]] = ptm.add %[[S]], %[[Y]]
// CHECK: return %[[NEXT]]
func.func @pre_norm(%x: tensor<2x4x8xf32>, %r: tensor<2x4x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<2x4x8xf32> {
  %s = ptm.add %x, %r : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %y = ptm.layer_norm %s, %g, %b {epsilon = 1.0e-5 : f64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  %next = ptm.add %s, %y : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %next : tensor<2x4x8xf32>
}

// -----

// A broadcast add (position embeddings) is no residual: left alone.
// CHECK-LABEL: func.func @broadcast_add
// CHECK: ptm.add
// CHECK: ptm.layer_norm
// CHECK-NOT: ptm.residual_layer_norm
func.func @broadcast_add(%x: tensor<2x4x8xf32>, %p: tensor<4x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<2x4x8xf32> {
  %s = ptm.add %x, %p : (tensor<2x4x8xf32>, tensor<4x8xf32>) -> tensor<2x4x8xf32>
  %y = ptm.layer_norm %s, %g, %b {epsilon = 1.0e-5 : f64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return %y : tensor<2x4x8xf32>
}

// -----

// A layer norm of anything else is left alone.
// CHECK-LABEL: func.func @plain_layer_norm
// CHECK: ptm.layer_norm
// CHECK-NOT: ptm.residual_layer_norm
func.func @plain_layer_norm(%x: tensor<2x4x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<2x4x8xf32> {
  %y = ptm.layer_norm %x, %g, %b {epsilon = 1.0e-5 : f64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return %y : tensor<2x4x8xf32>
}
