// RUN: ptm-opt %s --ptm-decompose | FileCheck %s
// bf16 weights (--precision bf16): an embedding row is widened as it is
// read; a matmul keeps its bf16 rhs, and linalg.matmul widens each element
// into the f32 accumulation.

// CHECK-LABEL: func.func @bf16_weights
// CHECK-SAME: (%[[TABLE:.*]]: tensor<100x8xbf16>, %[[IDS:.*]]: tensor<2x4xi64>, %[[W:.*]]: tensor<8x64xbf16>)
// CHECK: linalg.generic {{.*}} ins(%[[IDS]] : tensor<2x4xi64>) outs(%{{.*}} : tensor<2x4x8xf32>)
// CHECK: %[[ROW:.*]] = tensor.extract %[[TABLE]][%{{.*}}, %{{.*}}] : tensor<100x8xbf16>
// CHECK: %[[WIDE:.*]] = arith.extf %[[ROW]] : bf16 to f32
// CHECK: linalg.yield %[[WIDE]] : f32
// CHECK: linalg.matmul ins(%{{.*}}, %[[W]] : tensor<8x8xf32>, tensor<8x64xbf16>) outs(%{{.*}} : tensor<8x64xf32>)
func.func @bf16_weights(%table: tensor<100x8xbf16>, %ids: tensor<2x4xi64>, %w: tensor<8x64xbf16>) -> tensor<2x4x64xf32> {
  %h = ptm.embedding %table, %ids : (tensor<100x8xbf16>, tensor<2x4xi64>) -> tensor<2x4x8xf32>
  %y = ptm.matmul %h, %w : (tensor<2x4x8xf32>, tensor<8x64xbf16>) -> tensor<2x4x64xf32>
  return %y : tensor<2x4x64xf32>
}
