// RUN: ptm-opt %s --ptm-decompose | FileCheck %s
// RUN: ptm-opt %s --ptm-decompose | FileCheck %s --check-prefix=LOWERED
// RUN: ptm-opt %s --ptm-decompose | FileCheck %s --check-prefix=SCALARMAP
// LOWERED-NOT: ptm.
// ptm.embedding is a generic over the result that reads the token id through
// the leading loops and gathers table[id, d] with tensor.extract.

// CHECK-DAG: #[[IDS:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[OUT:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[IDS1:map[0-9]*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[OUT1:map[0-9]*]] = affine_map<(d0, d1) -> (d0, d1)>

// CHECK-LABEL: func.func @embedding
// CHECK-SAME: (%[[TABLE:.*]]: tensor<100x8xf32>, %[[IDS_ARG:.*]]: tensor<2x4xi64>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x4x8xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[IDS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[IDS_ARG]] : tensor<2x4xi64>) outs(%[[E]] : tensor<2x4x8xf32>)
// CHECK-NEXT: ^bb0(%[[ID:.*]]: i64, %{{.*}}: f32):
// CHECK-NEXT: %[[ROW:.*]] = arith.index_cast %[[ID]] : i64 to index
// CHECK-NEXT: %[[COL:.*]] = linalg.index 2 : index
// CHECK-NEXT: %[[V:.*]] = tensor.extract %[[TABLE]][%[[ROW]], %[[COL]]] : tensor<100x8xf32>
// CHECK-NEXT: linalg.yield %[[V]] : f32
// CHECK: return %[[R]]
func.func @embedding(%table: tensor<100x8xf32>, %ids: tensor<2x4xi64>) -> tensor<2x4x8xf32> {
  %0 = ptm.embedding %table, %ids : (tensor<100x8xf32>, tensor<2x4xi64>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// CHECK-LABEL: func.func @embedding_i32_f64
// CHECK-SAME: (%[[TABLE:.*]]: tensor<10x3xf64>, %[[IDS_ARG:.*]]: tensor<5xi32>)
// CHECK: linalg.generic {indexing_maps = [#[[IDS1]], #[[OUT1]]], iterator_types = ["parallel", "parallel"]} ins(%[[IDS_ARG]] : tensor<5xi32>) outs(%{{.*}} : tensor<5x3xf64>)
// CHECK-NEXT: ^bb0(%[[ID:.*]]: i32, %{{.*}}: f64):
// CHECK-NEXT: %[[ROW:.*]] = arith.index_cast %[[ID]] : i32 to index
// CHECK-NEXT: %[[COL:.*]] = linalg.index 1 : index
// CHECK-NEXT: tensor.extract %[[TABLE]][%[[ROW]], %[[COL]]] : tensor<10x3xf64>
func.func @embedding_i32_f64(%table: tensor<10x3xf64>, %ids: tensor<5xi32>) -> tensor<5x3xf64> {
  %0 = ptm.embedding %table, %ids : (tensor<10x3xf64>, tensor<5xi32>) -> tensor<5x3xf64>
  return %0 : tensor<5x3xf64>
}

// A single index gives one row (its indexing map has no results).
// SCALARMAP: affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @embedding_scalar_index
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}], iterator_types = ["parallel"]}
// CHECK-SAME: ins(%{{.*}} : tensor<i32>) outs(%{{.*}} : tensor<4xf32>)
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}] : tensor<10x4xf32>
func.func @embedding_scalar_index(%t: tensor<10x4xf32>, %i: tensor<i32>) -> tensor<4xf32> {
  %0 = ptm.embedding %t, %i : (tensor<10x4xf32>, tensor<i32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
