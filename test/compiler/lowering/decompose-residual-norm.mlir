// RUN: ptm-opt %s --ptm-decompose -split-input-file | FileCheck %s
// RUN: ptm-opt %s --ptm-decompose -split-input-file | FileCheck %s --check-prefix=LOWERED
// LOWERED-NOT: ptm.
// ptm.residual_layer_norm: an scf.forall over blocks of rows (the largest
// divisor of the row count up to 8); each block adds its rows, takes their
// mean and inverse standard deviation and normalises them, and inserts the
// normalised rows (and the sum, when it is used) into the results.

// CHECK-LABEL: func.func @pre_norm
// CHECK-SAME: (%[[X:.*]]: tensor<4x6x8xf32>, %[[R:.*]]: tensor<4x6x8xf32>, %[[G:.*]]: tensor<8xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK-DAG: %[[XR:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1], [2]] : tensor<4x6x8xf32> into tensor<24x8xf32>
// CHECK-DAG: %[[RR:.*]] = tensor.collapse_shape %[[R]] {{\[\[}}0, 1], [2]] : tensor<4x6x8xf32> into tensor<24x8xf32>
// CHECK: %[[BLOCKS:.*]]:2 = scf.forall (%[[I:.*]]) in (3) shared_outs(%[[YO:.*]] = %{{.*}}, %[[SO:.*]] = %{{.*}}) -> (tensor<24x8xf32>, tensor<24x8xf32>)
// CHECK: %[[ROW:.*]] = arith.muli %[[I]], %{{.*}} : index
// CHECK-DAG: %[[XB:.*]] = tensor.extract_slice %[[XR]][%[[ROW]], 0] [8, 8] [1, 1]
// CHECK-DAG: %[[RB:.*]] = tensor.extract_slice %[[RR]][%[[ROW]], 0] [8, 8] [1, 1]
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[XB]], %[[RB]] : tensor<8x8xf32>, tensor<8x8xf32>)
// CHECK: arith.addf
// CHECK: %[[TOTAL:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]{{.*}} ins(%[[SUM]] : tensor<8x8xf32>)
// CHECK: %[[MEAN:.*]] = linalg.generic {{.*}} ins(%[[TOTAL]] : tensor<8xf32>)
// CHECK: %[[SQUARES:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]{{.*}} ins(%[[SUM]], %[[MEAN]] : tensor<8x8xf32>, tensor<8xf32>)
// CHECK: %[[INV:.*]] = linalg.generic {{.*}} ins(%[[SQUARES]] : tensor<8xf32>)
// CHECK: math.rsqrt
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} ins(%[[SUM]], %[[MEAN]], %[[INV]], %[[G]], %[[B]] : tensor<8x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
// CHECK: scf.forall.in_parallel
// CHECK-NEXT: tensor.parallel_insert_slice %[[Y]] into %[[YO]][%[[ROW]], 0] [8, 8] [1, 1] : tensor<8x8xf32> into tensor<24x8xf32>
// CHECK-NEXT: tensor.parallel_insert_slice %[[SUM]] into %[[SO]][%[[ROW]], 0] [8, 8] [1, 1] : tensor<8x8xf32> into tensor<24x8xf32>
// CHECK-DAG: %[[YE:.*]] = tensor.expand_shape %[[BLOCKS]]#0 {{\[\[}}0, 1], [2]] output_shape [4, 6, 8]
// CHECK-DAG: %[[SE:.*]] = tensor.expand_shape %[[BLOCKS]]#1 {{\[\[}}0, 1], [2]] output_shape [4, 6, 8]
// CHECK: return %[[SE]], %[[YE]]
func.func @pre_norm(%x: tensor<4x6x8xf32>, %r: tensor<4x6x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> (tensor<4x6x8xf32>, tensor<4x6x8xf32>) {
  %sum, %y = ptm.residual_layer_norm %x, %r, %g, %b {epsilon = 1.0e-5 : f64} : (tensor<4x6x8xf32>, tensor<4x6x8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<4x6x8xf32>, tensor<4x6x8xf32>)
  return %sum, %y : tensor<4x6x8xf32>, tensor<4x6x8xf32>
}

// -----

// An unused sum is not written; 10 rows come in blocks of 5.
// CHECK-LABEL: func.func @post_norm
// CHECK: %[[BLOCKS:.*]] = scf.forall (%{{.*}}) in (2) shared_outs(%[[YO:.*]] = %{{.*}}) -> (tensor<10x8xf32>)
// CHECK: tensor.extract_slice %{{.*}}[%{{.*}}, 0] [5, 8] [1, 1]
// CHECK: scf.forall.in_parallel
// CHECK-NEXT: tensor.parallel_insert_slice %{{.*}} into %[[YO]][%{{.*}}, 0] [5, 8] [1, 1] : tensor<5x8xf32> into tensor<10x8xf32>
// CHECK-NEXT: }
func.func @post_norm(%x: tensor<10x8xf32>, %r: tensor<10x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<10x8xf32> {
  %sum, %y = ptm.residual_layer_norm %x, %r, %g, %b {epsilon = 1.0e-5 : f64} : (tensor<10x8xf32>, tensor<10x8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<10x8xf32>, tensor<10x8xf32>)
  return %y : tensor<10x8xf32>
}
