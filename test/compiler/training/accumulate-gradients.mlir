// RUN: ptm-opt %s --ptm-accumulate-gradients | FileCheck %s
// ptm-accumulate-gradients: the differentiated body becomes a private
// micro-batch function of the widened inputs, the whole batch's target
// count and the micro-batch index; the entry loops over it and sums in place.

// CHECK-LABEL: func.func private @grad_micro_batch
// CHECK-SAME: (%[[W:[^:]*]]: tensor<4x10xf32>, %[[IDS:[^:]*]]: tensor<6x3xi64>, %[[Y:[^:]*]]: tensor<6x3xi64>, %[[N:[^:]*]]: tensor<f32>, %[[K:[^:]*]]: index) -> (tensor<f32>, tensor<4x10xf32>)
// CHECK-SAME: attributes {passthrough = ["noinline"]}
// CHECK: %[[ROWS:.*]] = arith.constant 2 : index
// CHECK: %[[FIRST:.*]] = arith.muli %[[K]], %[[ROWS]] : index
// CHECK: %[[IDS_K:.*]] = tensor.extract_slice %[[IDS]][%[[FIRST]], 0] [2, 3] [1, 1] : tensor<6x3xi64> to tensor<2x3xi64>
// CHECK: %[[Y_K:.*]] = tensor.extract_slice %[[Y]][%[[FIRST]], 0] [2, 3] [1, 1] : tensor<6x3xi64> to tensor<2x3xi64>
// CHECK: %[[H:.*]] = ptm.embedding %[[W]], %[[IDS_K]]
// CHECK: %[[LOSS:.*]] = ptm.cross_entropy %[[H]], %[[Y_K]] count %[[N]]
// CHECK: %[[G:.*]] = ptm.cross_entropy_grad %{{.*}}, %[[H]], %[[Y_K]] count %[[N]]
// CHECK: %[[GW:.*]] = ptm.embedding_grad %[[G]], %[[IDS_K]]
// CHECK: return %[[LOSS]], %[[GW]]

// The entry keeps its argument and result attributes.
// CHECK-LABEL: func.func @grad
// CHECK-SAME: (%[[W:[^:]*]]: tensor<4x10xf32> {ptm.parameter = "w"}, %[[IDS:[^:]*]]: tensor<6x3xi64> {ptm.input = "input_ids"}, %[[Y:[^:]*]]: tensor<6x3xi64> {ptm.input = "labels"})
// CHECK-SAME: -> (tensor<f32>, tensor<4x10xf32> {ptm.output = "w"}) attributes {ptm.entry} {
// CHECK: %[[N:.*]] = ptm.count_targets %[[Y]] : (tensor<6x3xi64>) -> tensor<f32>
// CHECK-NOT: ptm.count_targets
// CHECK-DAG: %[[ZL:.*]] = arith.constant dense<0.000000e+00> : tensor<f32>
// CHECK-DAG: %[[ZW:.*]] = arith.constant dense<0.000000e+00> : tensor<4x10xf32>
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK: %[[SUMS:.*]]:2 = scf.for %[[K:.*]] = %[[C0]] to %[[C3]] step %[[C1]] iter_args(%[[L:.*]] = %[[ZL]], %[[S:.*]] = %[[ZW]])
// CHECK-NEXT: %[[STEP:.*]]:2 = func.call @grad_micro_batch(%[[W]], %[[IDS]], %[[Y]], %[[N]], %[[K]])
// CHECK-NEXT: %[[L2:.*]] = linalg.add ins(%[[L]], %[[STEP]]#0 : tensor<f32>, tensor<f32>) outs(%[[L]] : tensor<f32>)
// CHECK-NEXT: %[[S2:.*]] = linalg.add ins(%[[S]], %[[STEP]]#1 : tensor<4x10xf32>, tensor<4x10xf32>) outs(%[[S]] : tensor<4x10xf32>)
// CHECK-NEXT: scf.yield %[[L2]], %[[S2]]
// CHECK: return %[[SUMS]]#0, %[[SUMS]]#1
func.func @grad(%w: tensor<4x10xf32> {ptm.parameter = "w"}, %ids: tensor<2x3xi64> {ptm.input = "input_ids"}, %y: tensor<2x3xi64> {ptm.input = "labels"}) -> (tensor<f32>, tensor<4x10xf32> {ptm.output = "w"}) attributes {ptm.entry, ptm.grad_accum = 3 : i64} {
  %h = ptm.embedding %w, %ids : (tensor<4x10xf32>, tensor<2x3xi64>) -> tensor<2x3x10xf32>
  %loss = ptm.cross_entropy %h, %y : (tensor<2x3x10xf32>, tensor<2x3xi64>) -> tensor<f32>
  %seed = arith.constant dense<1.0> : tensor<f32>
  %g = ptm.cross_entropy_grad %seed, %h, %y : (tensor<f32>, tensor<2x3x10xf32>, tensor<2x3xi64>) -> tensor<2x3x10xf32>
  %gw = ptm.embedding_grad %g, %ids : (tensor<2x3x10xf32>, tensor<2x3xi64>) -> tensor<4x10xf32>
  return %loss, %gw : tensor<f32>, tensor<4x10xf32>
}

// The dropout seed (rank 0) is passed whole and becomes seed * K + k in
// micro-batch k: every micro-batch draws its own masks.
// CHECK-LABEL: func.func private @dropout_micro_batch
// CHECK-SAME: (%[[X:[^:]*]]: tensor<2x3x10xf32>, %[[Y:[^:]*]]: tensor<4x3xi64>, %[[SEED:[^:]*]]: tensor<i64>, %[[N:[^:]*]]: tensor<f32>, %[[K:[^:]*]]: index)
// CHECK: tensor.extract_slice %[[Y]]
// CHECK: %[[GIVEN:.*]] = tensor.extract %[[SEED]][] : tensor<i64>
// CHECK-NEXT: %[[STEPS:.*]] = arith.constant 2 : i64
// CHECK-NEXT: %[[SCALED:.*]] = arith.muli %[[GIVEN]], %[[STEPS]] : i64
// CHECK-NEXT: %[[K64:.*]] = arith.index_cast %[[K]] : index to i64
// CHECK-NEXT: %[[FOLDED:.*]] = arith.addi %[[SCALED]], %[[K64]] : i64
// CHECK-NEXT: %[[STEP_SEED:.*]] = tensor.from_elements %[[FOLDED]] : tensor<i64>
// CHECK-NEXT: ptm.dropout %[[X]], %[[STEP_SEED]]
// CHECK-LABEL: func.func @dropout
// CHECK-SAME: %{{[^:]*}}: tensor<4x3xi64> {ptm.input = "labels"}, %{{[^:]*}}: tensor<i64> {ptm.input = "dropout_seed"}
func.func @dropout(%x: tensor<2x3x10xf32> {ptm.parameter = "x"}, %y: tensor<2x3xi64> {ptm.input = "labels"}, %seed: tensor<i64> {ptm.input = "dropout_seed"}) -> (tensor<f32>, tensor<2x3x10xf32> {ptm.output = "x"}) attributes {ptm.entry, ptm.grad_accum = 2 : i64} {
  %h = ptm.dropout %x, %seed {probability = 0.5 : f64} : (tensor<2x3x10xf32>, tensor<i64>) -> tensor<2x3x10xf32>
  %loss = ptm.cross_entropy %h, %y : (tensor<2x3x10xf32>, tensor<2x3xi64>) -> tensor<f32>
  %one = arith.constant dense<1.0> : tensor<f32>
  %g = ptm.cross_entropy_grad %one, %h, %y : (tensor<f32>, tensor<2x3x10xf32>, tensor<2x3xi64>) -> tensor<2x3x10xf32>
  %gx = ptm.dropout %g, %seed {probability = 0.5 : f64} : (tensor<2x3x10xf32>, tensor<i64>) -> tensor<2x3x10xf32>
  return %loss, %gx : tensor<f32>, tensor<2x3x10xf32>
}

// Functions without the marker are left alone.
// CHECK-LABEL: func.func @loss
// CHECK-NOT: scf.for
// CHECK: ptm.cross_entropy %{{.*}}, %{{.*}} : (tensor<2x3x10xf32>, tensor<2x3xi64>) -> tensor<f32>
func.func @loss(%h: tensor<2x3x10xf32>, %y: tensor<2x3xi64> {ptm.input = "labels"}) -> tensor<f32> {
  %loss = ptm.cross_entropy %h, %y : (tensor<2x3x10xf32>, tensor<2x3xi64>) -> tensor<f32>
  return %loss : tensor<f32>
}
