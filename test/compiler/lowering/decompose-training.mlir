// RUN: ptm-opt %s --ptm-decompose | FileCheck %s
// RUN: ptm-opt %s --ptm-decompose | FileCheck %s --check-prefix=LOWERED
// LOWERED-NOT: ptm.
// Lowerings of the loss and gradient ops (compiler/lowering/TrainingLowerings.cpp)
// and of matmul's transpose_lhs inside ptm-decompose.

// CHECK-DAG: #[[ID1:map[0-9]*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[ALL1:map[0-9]*]] = affine_map<(d0) -> ()>
// CHECK-DAG: #[[ID2:map[0-9]*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ALL2:map[0-9]*]] = affine_map<(d0, d1) -> ()>
// CHECK-DAG: #[[ROW2:map[0-9]*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[ID3:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[ROW3:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[ALL3:map[0-9]*]] = affine_map<(d0, d1, d2) -> ()>
// CHECK-DAG: #[[COL3:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[MID3:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[SCALAR:map[0-9]*]] = affine_map<() -> ()>
// CHECK-DAG: #[[LHS_T:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG: #[[RHS:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[D1D2:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[B_LHS:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[B_LHS_T:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d1)>
// CHECK-DAG: #[[B_RHS:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[B_RHS_T:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-DAG: #[[B_OUT:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[ID4:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[MASK:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3)>

//===----------------------------------------------------------------------===//
// cross_entropy
//===----------------------------------------------------------------------===//

// Shifted targets: position t reads labels[t + 1] while t + 1 is in the row;
// the last position gets ignore_index. Then: counted = target in [0, V), the
// count, row max, sum of exp(logit - max), per-position
// (max + log(sum) - logits[target]) * counted, the total, total / count.
// CHECK-LABEL: func.func @cross_entropy
// CHECK-SAME: (%[[L:.*]]: tensor<2x4x10xf32>, %[[Y:.*]]: tensor<2x4xi64>) -> tensor<f32>
// CHECK: %[[TE:.*]] = tensor.empty() : tensor<2x4xi64>
// CHECK: %[[T:.*]] = linalg.generic {indexing_maps = [#[[ID2]]], iterator_types = ["parallel", "parallel"]} outs(%[[TE]] : tensor<2x4xi64>)
// CHECK-NEXT: ^bb0(%{{.*}}: i64):
// CHECK-NEXT: %[[I0:.*]] = linalg.index 0 : index
// CHECK-NEXT: %[[I1:.*]] = linalg.index 1 : index
// CHECK-NEXT: %[[IGN:.*]] = arith.constant -100 : i64
// CHECK: %[[ONE:.*]] = arith.constant 1 : index
// CHECK-NEXT: %[[NEXT:.*]] = arith.addi %[[I1]], %[[ONE]] : index
// CHECK-NEXT: %[[LEN:.*]] = arith.constant 4 : index
// CHECK-NEXT: %[[IN_ROW:.*]] = arith.cmpi slt, %[[NEXT]], %[[LEN]] : index
// CHECK-NEXT: %[[COL:.*]] = arith.select %[[IN_ROW]], %[[NEXT]], %[[I1]] : index
// CHECK-NEXT: %[[LABEL:.*]] = tensor.extract %[[Y]][%[[I0]], %[[COL]]] : tensor<2x4xi64>
// CHECK-NEXT: %[[TARGET:.*]] = arith.select %[[IN_ROW]], %[[LABEL]], %[[IGN]] : i64
// CHECK-NEXT: linalg.yield %[[TARGET]] : i64
// CHECK: %[[COUNTED:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[T]] : tensor<2x4xi64>) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK-NEXT: ^bb0(%[[TI:.*]]: i64, %{{.*}}: f32):
// CHECK-NEXT: %[[Z:.*]] = arith.constant 0 : i64
// CHECK-NEXT: %[[V:.*]] = arith.constant 10 : i64
// CHECK-NEXT: %[[IGNORE:.*]] = arith.constant -100 : i64
// CHECK-NEXT: %[[GE:.*]] = arith.cmpi sge, %[[TI]], %[[Z]] : i64
// CHECK-NEXT: %[[LT:.*]] = arith.cmpi slt, %[[TI]], %[[V]] : i64
// CHECK-NEXT: %[[IN_VOCAB:.*]] = arith.andi %[[GE]], %[[LT]] : i1
// A target equal to ignore_index is never counted, even when it is a class.
// CHECK-NEXT: %[[NOT_IGNORED:.*]] = arith.cmpi ne, %[[TI]], %[[IGNORE]] : i64
// CHECK-NEXT: %[[OK:.*]] = arith.andi %[[IN_VOCAB]], %[[NOT_IGNORED]] : i1
// CHECK: arith.select %[[OK]], %{{.*}}, %{{.*}} : f32
// CHECK: %[[COUNT:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ALL2]]], iterator_types = ["reduction", "reduction"]} ins(%[[COUNTED]] : tensor<2x4xf32>) outs(%{{.*}} : tensor<f32>)
// CHECK: arith.addf
// CHECK: %[[LOWEST:.*]] = arith.constant -3.40282347E+38 : f32
// CHECK: %[[MAXINIT:.*]] = linalg.fill ins(%[[LOWEST]] : f32) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK: %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[ROW3]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[L]] : tensor<2x4x10xf32>) outs(%[[MAXINIT]] : tensor<2x4xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.maximumf
// CHECK: %[[SUMEXP:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[ROW3]], #[[ROW3]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[L]], %[[MAX]] : tensor<2x4x10xf32>, tensor<2x4xf32>) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %[[M:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[SH:.*]] = arith.subf %[[X]], %[[M]] : f32
// CHECK-NEXT: %[[E:.*]] = math.exp %[[SH]] : f32
// CHECK-NEXT: arith.addf %[[E]], %[[ACC]] : f32
// CHECK: %[[LOSSES:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]], #[[ID2]], #[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[T]], %[[COUNTED]], %[[MAX]], %[[SUMEXP]] : tensor<2x4xi64>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>)
// CHECK-NEXT: ^bb0(%[[TI:.*]]: i64, %[[CI:.*]]: f32, %[[MI:.*]]: f32, %[[SI:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[J0:.*]] = linalg.index 0 : index
// CHECK-NEXT: %[[J1:.*]] = linalg.index 1 : index
// CHECK: %[[IS_COUNTED:.*]] = arith.cmpf one, %[[CI]], %{{.*}} : f32
// CHECK: %[[SAFE:.*]] = arith.select %[[IS_COUNTED]], %[[TI]], %{{.*}} : i64
// CHECK-NEXT: %[[CLS:.*]] = arith.index_cast %[[SAFE]] : i64 to index
// CHECK-NEXT: %[[PICKED:.*]] = tensor.extract %[[L]][%[[J0]], %[[J1]], %[[CLS]]] : tensor<2x4x10xf32>
// CHECK-NEXT: %[[LOG:.*]] = math.log %[[SI]] : f32
// CHECK-NEXT: %[[LSE:.*]] = arith.addf %[[MI]], %[[LOG]] : f32
// CHECK-NEXT: %[[DIFF:.*]] = arith.subf %[[LSE]], %[[PICKED]] : f32
// CHECK-NEXT: %[[MASKED:.*]] = arith.mulf %[[DIFF]], %[[CI]] : f32
// CHECK-NEXT: linalg.yield %[[MASKED]] : f32
// CHECK: %[[TOTAL:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ALL2]]], iterator_types = ["reduction", "reduction"]} ins(%[[LOSSES]] : tensor<2x4xf32>) outs(%{{.*}} : tensor<f32>)
// CHECK: %[[MEAN:.*]] = linalg.generic {indexing_maps = [#[[SCALAR]], #[[SCALAR]], #[[SCALAR]]], iterator_types = []} ins(%[[TOTAL]], %[[COUNT]] : tensor<f32>, tensor<f32>) outs(%{{.*}} : tensor<f32>)
// CHECK-NEXT: ^bb0(%[[TT:.*]]: f32, %[[CC:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[Q:.*]] = arith.divf %[[TT]], %[[CC]] : f32
// CHECK-NEXT: linalg.yield %[[Q]] : f32
// CHECK: return %[[MEAN]] : tensor<f32>
func.func @cross_entropy(%l: tensor<2x4x10xf32>, %y: tensor<2x4xi64>) -> tensor<f32> {
  %0 = ptm.cross_entropy %l, %y : (tensor<2x4x10xf32>, tensor<2x4xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// Unshifted i32 labels, another ignore_index, f64: no index arithmetic, the
// label is sign-extended, the lowest float is f64's.
// CHECK-LABEL: func.func @cross_entropy_unshifted
// CHECK-SAME: (%[[L:.*]]: tensor<6x5xf64>, %[[Y:.*]]: tensor<6xi32>) -> tensor<f64>
// CHECK: linalg.generic {indexing_maps = [#[[ID1]]], iterator_types = ["parallel"]} outs(%{{.*}} : tensor<6xi64>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: %[[I0:.*]] = linalg.index 0 : index
// CHECK-NEXT: %[[IGN:.*]] = arith.constant -1 : i64
// CHECK-NOT: arith.addi
// CHECK: %[[LABEL:.*]] = tensor.extract %[[Y]][%[[I0]]] : tensor<6xi32>
// CHECK-NEXT: %[[WIDE:.*]] = arith.extsi %[[LABEL]] : i32 to i64
// CHECK-NEXT: arith.select %{{.*}}, %[[WIDE]], %[[IGN]] : i64
// CHECK: arith.constant 5 : i64
// CHECK: arith.constant -1.7976931348623157E+308 : f64
// CHECK: linalg.generic {indexing_maps = [#[[ID2]], #[[ROW2]]], iterator_types = ["parallel", "reduction"]} ins(%[[L]] : tensor<6x5xf64>)
// CHECK: math.log %{{.*}} : f64
// CHECK: linalg.generic {indexing_maps = [#[[ID1]], #[[ALL1]]], iterator_types = ["reduction"]}
// CHECK: arith.divf %{{.*}}, %{{.*}} : f64
func.func @cross_entropy_unshifted(%l: tensor<6x5xf64>, %y: tensor<6xi32>) -> tensor<f64> {
  %0 = ptm.cross_entropy %l, %y {ignore_index = -1 : i64, shift_labels = false} : (tensor<6x5xf64>, tensor<6xi32>) -> tensor<f64>
  return %0 : tensor<f64>
}

// With a count, the total is divided by it; the own count is not used.
// CHECK-LABEL: func.func @cross_entropy_count
// CHECK-SAME: (%[[L:.*]]: tensor<2x4x10xf32>, %[[Y:.*]]: tensor<2x4xi64>, %[[N:.*]]: tensor<f32>) -> tensor<f32>
// CHECK: linalg.generic {indexing_maps = [#[[SCALAR]], #[[SCALAR]], #[[SCALAR]]], iterator_types = []} ins(%{{.*}}, %[[N]] : tensor<f32>, tensor<f32>)
// CHECK: arith.divf
func.func @cross_entropy_count(%l: tensor<2x4x10xf32>, %y: tensor<2x4xi64>, %n: tensor<f32>) -> tensor<f32> {
  %0 = ptm.cross_entropy %l, %y count %n : (tensor<2x4x10xf32>, tensor<2x4xi64>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// count_targets: the shifted targets of cross_entropy, 1 where the target is
// not ignore_index, summed.
// CHECK-LABEL: func.func @count_targets
// CHECK-SAME: (%[[Y:.*]]: tensor<2x4xi64>) -> tensor<f32>
// CHECK: %[[T:.*]] = linalg.generic {indexing_maps = [#[[ID2]]], iterator_types = ["parallel", "parallel"]} outs(%{{.*}} : tensor<2x4xi64>)
// CHECK: arith.addi
// CHECK: tensor.extract %[[Y]]
// CHECK: %[[SCORED:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[T]] : tensor<2x4xi64>)
// CHECK-NEXT: ^bb0(%[[TI:.*]]: i64, %{{.*}}: f32):
// CHECK-NEXT: %[[IGN:.*]] = arith.constant -100 : i64
// CHECK-NEXT: %[[NE:.*]] = arith.cmpi ne, %[[TI]], %[[IGN]] : i64
// CHECK: arith.select %[[NE]]
// CHECK: %[[N:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ALL2]]], iterator_types = ["reduction", "reduction"]} ins(%[[SCORED]] : tensor<2x4xf32>)
// CHECK: return %[[N]] : tensor<f32>
func.func @count_targets(%y: tensor<2x4xi64>) -> tensor<f32> {
  %0 = ptm.count_targets %y : (tensor<2x4xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

//===----------------------------------------------------------------------===//
// cross_entropy_grad
//===----------------------------------------------------------------------===//

// The same targets, count and log-sum-exp pieces, then one elementwise
// generic over the logits: (softmax - onehot(target)) * (grad / count) * counted.
// CHECK-LABEL: func.func @cross_entropy_grad
// CHECK-SAME: (%[[G:.*]]: tensor<f32>, %[[L:.*]]: tensor<2x4x10xf32>, %[[Y:.*]]: tensor<2x4xi64>) -> tensor<2x4x10xf32>
// CHECK: %[[T:.*]] = linalg.generic {indexing_maps = [#[[ID2]]], iterator_types = ["parallel", "parallel"]} outs(%{{.*}} : tensor<2x4xi64>)
// CHECK: arith.addi
// CHECK: tensor.extract %[[Y]]
// CHECK: %[[COUNTED:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[T]] : tensor<2x4xi64>)
// CHECK: %[[COUNT:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ALL2]]], iterator_types = ["reduction", "reduction"]} ins(%[[COUNTED]] : tensor<2x4xf32>)
// CHECK: %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[ROW3]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[L]] : tensor<2x4x10xf32>)
// CHECK: %[[SUMEXP:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[ROW3]], #[[ROW3]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[L]], %[[MAX]] :
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<2x4x10xf32>
// CHECK-NEXT: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[ROW3]], #[[ROW3]], #[[ROW3]], #[[ROW3]], #[[ALL3]], #[[ALL3]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[L]], %[[T]], %[[COUNTED]], %[[MAX]], %[[SUMEXP]], %[[G]], %[[COUNT]] : tensor<2x4x10xf32>, tensor<2x4xi64>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<f32>, tensor<f32>) outs(%[[EMPTY]] : tensor<2x4x10xf32>)
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %[[TI:.*]]: i64, %[[CI:.*]]: f32, %[[MI:.*]]: f32, %[[SI:.*]]: f32, %[[GI:.*]]: f32, %[[NI:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[SH:.*]] = arith.subf %[[X]], %[[MI]] : f32
// CHECK-NEXT: %[[E:.*]] = math.exp %[[SH]] : f32
// CHECK-NEXT: %[[P:.*]] = arith.divf %[[E]], %[[SI]] : f32
// CHECK-NEXT: %[[V:.*]] = linalg.index 2 : index
// CHECK-NEXT: %[[V64:.*]] = arith.index_cast %[[V]] : index to i64
// CHECK-NEXT: %[[HIT:.*]] = arith.cmpi eq, %[[V64]], %[[TI]] : i64
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[HOT:.*]] = arith.select %[[HIT]], %[[ONE]], %[[ZERO]] : f32
// CHECK-NEXT: %[[SCALE:.*]] = arith.divf %[[GI]], %[[NI]] : f32
// CHECK-NEXT: %[[D:.*]] = arith.subf %[[P]], %[[HOT]] : f32
// CHECK-NEXT: %[[DS:.*]] = arith.mulf %[[D]], %[[SCALE]] : f32
// CHECK-NEXT: %[[OUT:.*]] = arith.mulf %[[DS]], %[[CI]] : f32
// CHECK-NEXT: linalg.yield %[[OUT]] : f32
// CHECK: return %[[R]] : tensor<2x4x10xf32>
func.func @cross_entropy_grad(%g: tensor<f32>, %l: tensor<2x4x10xf32>, %y: tensor<2x4xi64>) -> tensor<2x4x10xf32> {
  %0 = ptm.cross_entropy_grad %g, %l, %y : (tensor<f32>, tensor<2x4x10xf32>, tensor<2x4xi64>) -> tensor<2x4x10xf32>
  return %0 : tensor<2x4x10xf32>
}

// With a count, grad / count uses it.
// CHECK-LABEL: func.func @cross_entropy_grad_count
// CHECK-SAME: (%[[G:.*]]: tensor<f32>, %[[L:.*]]: tensor<2x4x10xf32>, %[[Y:.*]]: tensor<2x4xi64>, %[[N:.*]]: tensor<f32>)
// CHECK: linalg.generic {indexing_maps = [#[[ID3]], #[[ROW3]], #[[ROW3]], #[[ROW3]], #[[ROW3]], #[[ALL3]], #[[ALL3]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[L]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[G]], %[[N]] :
func.func @cross_entropy_grad_count(%g: tensor<f32>, %l: tensor<2x4x10xf32>, %y: tensor<2x4xi64>, %n: tensor<f32>) -> tensor<2x4x10xf32> {
  %0 = ptm.cross_entropy_grad %g, %l, %y count %n : (tensor<f32>, tensor<2x4x10xf32>, tensor<2x4xi64>, tensor<f32>) -> tensor<2x4x10xf32>
  return %0 : tensor<2x4x10xf32>
}

//===----------------------------------------------------------------------===//
// reduce_leading, gelu_grad, softmax_grad
//===----------------------------------------------------------------------===//

// A sum over the leading dimensions into a zero-filled result; a result of
// the input's shape is the input.
// CHECK-LABEL: func.func @reduce_leading
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[ACC:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<8xf32>)
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[COL3]]], iterator_types = ["reduction", "reduction", "parallel"]} ins(%[[X]] : tensor<2x4x8xf32>) outs(%[[ACC]] : tensor<8xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %[[OUT:.*]]: f32):
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[IN]], %[[OUT]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
// CHECK: %[[R2:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[D1D2]]], iterator_types = ["reduction", "parallel", "parallel"]} ins(%[[X]] : tensor<2x4x8xf32>) outs(%{{.*}} : tensor<4x8xf32>)
// CHECK: return %[[R]], %[[R2]], %[[X]] : tensor<8xf32>, tensor<4x8xf32>, tensor<2x4x8xf32>
func.func @reduce_leading(%x: tensor<2x4x8xf32>) -> (tensor<8xf32>, tensor<4x8xf32>, tensor<2x4x8xf32>) {
  %0 = ptm.reduce_leading %x : (tensor<2x4x8xf32>) -> tensor<8xf32>
  %1 = ptm.reduce_leading %x : (tensor<2x4x8xf32>) -> tensor<4x8xf32>
  %2 = ptm.reduce_leading %x : (tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %0, %1, %2 : tensor<8xf32>, tensor<4x8xf32>, tensor<2x4x8xf32>
}

// grad * gelu'(x): Phi(x) + x phi(x) for "none"; the derivative of the tanh
// form for "tanh".
// CHECK-LABEL: func.func @gelu_grad
// CHECK-SAME: (%[[G:.*]]: tensor<4x8xf32>, %[[X:.*]]: tensor<4x8xf32>)
// CHECK: %[[ERF:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[G]], %[[X]] : tensor<4x8xf32>, tensor<4x8xf32>)
// CHECK-NEXT: ^bb0(%[[GI:.*]]: f32, %[[XI:.*]]: f32, %{{.*}}: f32):
// CHECK: arith.constant 0.707106769 : f32
// CHECK: math.erf
// CHECK: arith.constant 0.398942292 : f32
// CHECK: math.exp
// CHECK-NOT: math.tanh
// CHECK: %[[P:.*]] = arith.mulf %[[GI]], %{{.*}} : f32
// CHECK-NEXT: linalg.yield %[[P]] : f32
// CHECK: %[[TANH:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[G]], %[[X]] : tensor<4x8xf32>, tensor<4x8xf32>)
// CHECK-NEXT: ^bb0(%[[GI:.*]]: f32, %[[XI:.*]]: f32, %{{.*}}: f32):
// CHECK: arith.constant 0.797884583 : f32
// CHECK: arith.constant 4.471500e-02 : f32
// CHECK-NOT: math.erf
// CHECK: math.tanh
// CHECK: arith.constant 1.341450e-01 : f32
// CHECK: %[[P:.*]] = arith.mulf %[[GI]], %{{.*}} : f32
// CHECK-NEXT: linalg.yield %[[P]] : f32
// CHECK: return %[[ERF]], %[[TANH]]
func.func @gelu_grad(%g: tensor<4x8xf32>, %x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %0 = ptm.gelu_grad %g, %x : tensor<4x8xf32>
  %1 = ptm.gelu_grad %g, %x {approximate = "tanh"} : tensor<4x8xf32>
  return %0, %1 : tensor<4x8xf32>, tensor<4x8xf32>
}

// y * (g - sum(g * y)) with the sum along the axis (here the middle one).
// CHECK-LABEL: func.func @softmax_grad
// CHECK-SAME: (%[[G:.*]]: tensor<2x4x8xf32>, %[[Y:.*]]: tensor<2x4x8xf32>)
// CHECK: %[[GY:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[ID3]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[G]], %[[Y]] :
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.mulf
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[MID3]]], iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[GY]] : tensor<2x4x8xf32>) outs(%{{.*}} : tensor<2x8xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.addf
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[ID3]], #[[MID3]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[Y]], %[[G]], %[[SUM]] : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x8xf32>)
// CHECK-NEXT: ^bb0(%[[YI:.*]]: f32, %[[GI:.*]]: f32, %[[SI:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[C:.*]] = arith.subf %[[GI]], %[[SI]] : f32
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[YI]], %[[C]] : f32
// CHECK-NEXT: linalg.yield %[[P]] : f32
// CHECK: return %[[R]]
func.func @softmax_grad(%g: tensor<2x4x8xf32>, %y: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %0 = ptm.softmax_grad %g, %y {axis = 1 : i64} : tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

//===----------------------------------------------------------------------===//
// layer_norm_grad
//===----------------------------------------------------------------------===//

// Statistics are recomputed (mean, centered squares, rsqrt), then
// xhat, dxhat = g * w, the row sums of dxhat and dxhat * xhat,
// dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)),
// dw = sum over rows of g * xhat, db = sum over rows of g.
// CHECK-LABEL: func.func @layer_norm_grad
// CHECK-SAME: (%[[G:.*]]: tensor<2x4x8xf32>, %[[X:.*]]: tensor<2x4x8xf32>, %[[W:.*]]: tensor<8xf32>)
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[ROW3]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]] : tensor<2x4x8xf32>)
// CHECK: %[[MEAN:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[SUM]] : tensor<2x4xf32>)
// CHECK: %[[SQ:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[ROW3]], #[[ROW3]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]], %[[MEAN]] :
// CHECK: arith.constant 9.99999974E-6 : f32
// CHECK: %[[RSTD:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[SQ]] : tensor<2x4xf32>)
// CHECK: math.rsqrt
// CHECK: %[[XHAT:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[ROW3]], #[[ROW3]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]], %[[MEAN]], %[[RSTD]] :
// CHECK: %[[DXHAT:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[COL3]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[G]], %[[W]] : tensor<2x4x8xf32>, tensor<8xf32>)
// CHECK: %[[S1:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[ROW3]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[DXHAT]] : tensor<2x4x8xf32>)
// CHECK: %[[PROD:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[ID3]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[DXHAT]], %[[XHAT]] :
// CHECK: %[[S2:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[ROW3]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[PROD]] : tensor<2x4x8xf32>)
// CHECK: %[[INV:.*]] = arith.constant 1.250000e-01 : f32
// CHECK: %[[DX:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[ID3]], #[[ROW3]], #[[ROW3]], #[[ROW3]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[DXHAT]], %[[XHAT]], %[[RSTD]], %[[S1]], %[[S2]] :
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[XH:.*]]: f32, %[[R:.*]]: f32, %[[SA:.*]]: f32, %[[SB:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[MA:.*]] = arith.mulf %[[SA]], %[[INV]] : f32
// CHECK-NEXT: %[[MB:.*]] = arith.mulf %[[SB]], %[[INV]] : f32
// CHECK-NEXT: %[[C:.*]] = arith.subf %[[A]], %[[MA]] : f32
// CHECK-NEXT: %[[XM:.*]] = arith.mulf %[[XH]], %[[MB]] : f32
// CHECK-NEXT: %[[CC:.*]] = arith.subf %[[C]], %[[XM]] : f32
// CHECK-NEXT: %[[OUT:.*]] = arith.mulf %[[R]], %[[CC]] : f32
// CHECK-NEXT: linalg.yield %[[OUT]] : f32
// CHECK: %[[GXHAT:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[ID3]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[G]], %[[XHAT]] :
// CHECK: %[[DW:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[COL3]]], iterator_types = ["reduction", "reduction", "parallel"]} ins(%[[GXHAT]] : tensor<2x4x8xf32>) outs(%{{.*}} : tensor<8xf32>)
// CHECK: %[[DB:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[COL3]]], iterator_types = ["reduction", "reduction", "parallel"]} ins(%[[G]] : tensor<2x4x8xf32>) outs(%{{.*}} : tensor<8xf32>)
// CHECK: return %[[DX]], %[[DW]], %[[DB]] : tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>
func.func @layer_norm_grad(%g: tensor<2x4x8xf32>, %x: tensor<2x4x8xf32>, %w: tensor<8xf32>) -> (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %0:3 = ptm.layer_norm_grad %g, %x, %w {epsilon = 1.0e-5 : f64} : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8xf32>) -> (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>)
  return %0#0, %0#1, %0#2 : tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>
}

//===----------------------------------------------------------------------===//
// attention_grad
//===----------------------------------------------------------------------===//

// P is recomputed with the masks (scores Q Kᵀ, causal and key-mask selects,
// softmax), then over [B*H, ., .]: dV = Pᵀ dO, dP = dO Vᵀ,
// dS = P (dP - rowsum(dP P)) scale, dQ = dS K, dK = dSᵀ Q; transposed
// operands are indexing maps of linalg.batch_matmul.
// CHECK-LABEL: func.func @attention_grad
// CHECK-SAME: (%[[G:.*]]: tensor<1x2x3x8xf32>, %[[Q:.*]]: tensor<1x2x3x8xf32>, %[[K:.*]]: tensor<1x2x5x8xf32>, %[[V:.*]]: tensor<1x2x5x8xf32>, %[[M:.*]]: tensor<1x5xi64>)
// CHECK: %[[Q3:.*]] = tensor.collapse_shape %[[Q]] {{\[\[}}0, 1], [2], [3]] : tensor<1x2x3x8xf32> into tensor<2x3x8xf32>
// CHECK: %[[K3:.*]] = tensor.collapse_shape %[[K]] {{\[\[}}0, 1], [2], [3]] : tensor<1x2x5x8xf32> into tensor<2x5x8xf32>
// CHECK: %[[S:.*]] = linalg.batch_matmul indexing_maps = [#[[B_LHS]], #[[B_RHS_T]], #[[B_OUT]]] ins(%[[Q3]], %[[K3]] : tensor<2x3x8xf32>, tensor<2x5x8xf32>) outs(%{{.*}} : tensor<2x3x5xf32>)
// CHECK: %[[S4:.*]] = tensor.expand_shape %[[S]]
// CHECK: linalg.generic {indexing_maps = [#[[ID4]], #[[MASK]], #[[ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[S4]], %[[M]] : tensor<1x2x3x5xf32>, tensor<1x5xi64>)
// CHECK: arith.constant 2 : index
// CHECK: arith.cmpi ugt
// CHECK: arith.cmpi eq
// CHECK: %[[P4:.*]] = linalg.generic {indexing_maps = [#[[ID4]], #[[B_OUT]], #[[B_OUT]], #[[ID4]]]
// CHECK: arith.divf
// CHECK: %[[P:.*]] = tensor.collapse_shape %[[P4]] {{\[\[}}0, 1], [2], [3]] : tensor<1x2x3x5xf32> into tensor<2x3x5xf32>
// CHECK-NEXT: %[[G3:.*]] = tensor.collapse_shape %[[G]] {{\[\[}}0, 1], [2], [3]] : tensor<1x2x3x8xf32> into tensor<2x3x8xf32>
// CHECK-NEXT: %[[QQ:.*]] = tensor.collapse_shape %[[Q]]
// CHECK-NEXT: %[[KK:.*]] = tensor.collapse_shape %[[K]]
// CHECK-NEXT: %[[VV:.*]] = tensor.collapse_shape %[[V]] {{\[\[}}0, 1], [2], [3]] : tensor<1x2x5x8xf32> into tensor<2x5x8xf32>
// CHECK: %[[DV:.*]] = linalg.batch_matmul indexing_maps = [#[[B_LHS_T]], #[[B_RHS]], #[[B_OUT]]] ins(%[[P]], %[[G3]] : tensor<2x3x5xf32>, tensor<2x3x8xf32>) outs(%{{.*}} : tensor<2x5x8xf32>)
// CHECK: %[[DP:.*]] = linalg.batch_matmul indexing_maps = [#[[B_LHS]], #[[B_RHS_T]], #[[B_OUT]]] ins(%[[G3]], %[[VV]] : tensor<2x3x8xf32>, tensor<2x5x8xf32>) outs(%{{.*}} : tensor<2x3x5xf32>)
// CHECK: %[[DPP:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[ID3]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[DP]], %[[P]] :
// CHECK: %[[ROWSUM:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[ROW3]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[DPP]] : tensor<2x3x5xf32>)
// CHECK: %[[SCALE:.*]] = arith.constant 2.500000e-01 : f32
// CHECK: %[[DS:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[ID3]], #[[ROW3]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[P]], %[[DP]], %[[ROWSUM]] : tensor<2x3x5xf32>, tensor<2x3x5xf32>, tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[PI:.*]]: f32, %[[DPI:.*]]: f32, %[[RI:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[C:.*]] = arith.subf %[[DPI]], %[[RI]] : f32
// CHECK-NEXT: %[[PC:.*]] = arith.mulf %[[PI]], %[[C]] : f32
// CHECK-NEXT: %[[OUT:.*]] = arith.mulf %[[PC]], %[[SCALE]] : f32
// CHECK-NEXT: linalg.yield %[[OUT]] : f32
// CHECK: %[[DQ:.*]] = linalg.batch_matmul ins(%[[DS]], %[[KK]] : tensor<2x3x5xf32>, tensor<2x5x8xf32>) outs(%{{.*}} : tensor<2x3x8xf32>)
// CHECK: %[[DK:.*]] = linalg.batch_matmul indexing_maps = [#[[B_LHS_T]], #[[B_RHS]], #[[B_OUT]]] ins(%[[DS]], %[[QQ]] : tensor<2x3x5xf32>, tensor<2x3x8xf32>) outs(%{{.*}} : tensor<2x5x8xf32>)
// CHECK: %[[DQ4:.*]] = tensor.expand_shape %[[DQ]] {{\[\[}}0, 1], [2], [3]] output_shape [1, 2, 3, 8] : tensor<2x3x8xf32> into tensor<1x2x3x8xf32>
// CHECK-NEXT: %[[DK4:.*]] = tensor.expand_shape %[[DK]] {{\[\[}}0, 1], [2], [3]] output_shape [1, 2, 5, 8] : tensor<2x5x8xf32> into tensor<1x2x5x8xf32>
// CHECK-NEXT: %[[DV4:.*]] = tensor.expand_shape %[[DV]] {{\[\[}}0, 1], [2], [3]] output_shape [1, 2, 5, 8] : tensor<2x5x8xf32> into tensor<1x2x5x8xf32>
// CHECK-NEXT: return %[[DQ4]], %[[DK4]], %[[DV4]]
func.func @attention_grad(%g: tensor<1x2x3x8xf32>, %q: tensor<1x2x3x8xf32>, %k: tensor<1x2x5x8xf32>, %v: tensor<1x2x5x8xf32>, %m: tensor<1x5xi64>) -> (tensor<1x2x3x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>) {
  %0:3 = ptm.attention_grad %g, %q, %k, %v, %m {causal = true, scale = 0.25 : f64} : (tensor<1x2x3x8xf32>, tensor<1x2x3x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>, tensor<1x5xi64>) -> (tensor<1x2x3x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>)
  return %0#0, %0#1, %0#2 : tensor<1x2x3x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>
}

//===----------------------------------------------------------------------===//
// embedding_grad, slice_grad
//===----------------------------------------------------------------------===//

// Indices flattened to [P], row gradients to [P, D]; a zero-filled table is
// updated by a sequential scatter-add (positions may repeat a token).
// CHECK-LABEL: func.func @embedding_grad
// CHECK-SAME: (%[[G:.*]]: tensor<2x4x8xf32>, %[[IDS:.*]]: tensor<2x4xi64>) -> tensor<16x8xf32>
// CHECK: %[[IDS1:.*]] = tensor.collapse_shape %[[IDS]] {{\[\[}}0, 1]] : tensor<2x4xi64> into tensor<8xi64>
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %[[G]] {{\[\[}}0, 1], [2]] : tensor<2x4x8xf32> into tensor<8x8xf32>
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<16x8xf32>) -> tensor<16x8xf32>
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[NPOS:.*]] = arith.constant 8 : index
// CHECK: %[[R:.*]] = scf.for %[[P:.*]] = %[[C0]] to %[[NPOS]] step %[[C1]] iter_args(%[[T:.*]] = %[[INIT]]) -> (tensor<16x8xf32>) {
// CHECK-NEXT: %[[TOK:.*]] = tensor.extract %[[IDS1]][%[[P]]] : tensor<8xi64>
// CHECK-NEXT: %[[ROW:.*]] = arith.index_cast %[[TOK]] : i64 to index
// CHECK-NEXT: %[[DIM:.*]] = arith.constant 8 : index
// CHECK-NEXT: %[[INNER:.*]] = scf.for %[[D:.*]] = %[[C0]] to %[[DIM]] step %[[C1]] iter_args(%[[T2:.*]] = %[[T]]) -> (tensor<16x8xf32>) {
// CHECK-NEXT: %[[CUR:.*]] = tensor.extract %[[T2]][%[[ROW]], %[[D]]] : tensor<16x8xf32>
// CHECK-NEXT: %[[UPD:.*]] = tensor.extract %[[ROWS]][%[[P]], %[[D]]] : tensor<8x8xf32>
// CHECK-NEXT: %[[SUM:.*]] = arith.addf %[[CUR]], %[[UPD]] : f32
// CHECK-NEXT: %[[NEW:.*]] = tensor.insert %[[SUM]] into %[[T2]][%[[ROW]], %[[D]]] : tensor<16x8xf32>
// CHECK-NEXT: scf.yield %[[NEW]] : tensor<16x8xf32>
// CHECK-NEXT: }
// CHECK-NEXT: scf.yield %[[INNER]] : tensor<16x8xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[R]] : tensor<16x8xf32>
func.func @embedding_grad(%g: tensor<2x4x8xf32>, %ids: tensor<2x4xi64>) -> tensor<16x8xf32> {
  %0 = ptm.embedding_grad %g, %ids : (tensor<2x4x8xf32>, tensor<2x4xi64>) -> tensor<16x8xf32>
  return %0 : tensor<16x8xf32>
}

// Rank-1 i32 indices need no reshape.
// CHECK-LABEL: func.func @embedding_grad_rank1
// CHECK-SAME: (%[[G:.*]]: tensor<5x3xf64>, %[[IDS:.*]]: tensor<5xi32>) -> tensor<10x3xf64>
// CHECK-NOT: tensor.collapse_shape
// CHECK: linalg.fill ins(%{{.*}} : f64) outs(%{{.*}} : tensor<10x3xf64>)
// CHECK: scf.for
// CHECK-NEXT: %[[TOK:.*]] = tensor.extract %[[IDS]][%{{.*}}] : tensor<5xi32>
// CHECK-NEXT: arith.index_cast %[[TOK]] : i32 to index
// CHECK: scf.for
// CHECK: tensor.extract %[[G]][%{{.*}}, %{{.*}}] : tensor<5x3xf64>
// CHECK: tensor.insert %{{.*}} into %{{.*}} : tensor<10x3xf64>
func.func @embedding_grad_rank1(%g: tensor<5x3xf64>, %ids: tensor<5xi32>) -> tensor<10x3xf64> {
  %0 = ptm.embedding_grad %g, %ids : (tensor<5x3xf64>, tensor<5xi32>) -> tensor<10x3xf64>
  return %0 : tensor<10x3xf64>
}

// CHECK-LABEL: func.func @slice_grad
// CHECK-SAME: (%[[G:.*]]: tensor<2x4x16xf32>, %[[P:.*]]: tensor<4x8xf64>)
// CHECK: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<2x4x48xf32>
// CHECK-NEXT: %[[F:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%[[E]] : tensor<2x4x48xf32>) -> tensor<2x4x48xf32>
// CHECK-NEXT: %[[R:.*]] = tensor.insert_slice %[[G]] into %[[F]][0, 0, 16] [2, 4, 16] [1, 1, 1] : tensor<2x4x16xf32> into tensor<2x4x48xf32>
// CHECK: %[[F2:.*]] = linalg.fill ins(%{{.*}} : f64) outs(%{{.*}} : tensor<1024x8xf64>)
// CHECK-NEXT: %[[R2:.*]] = tensor.insert_slice %[[P]] into %[[F2]][0, 0] [4, 8] [1, 1] : tensor<4x8xf64> into tensor<1024x8xf64>
// CHECK-NEXT: return %[[R]], %[[R2]]
func.func @slice_grad(%g: tensor<2x4x16xf32>, %p: tensor<4x8xf64>) -> (tensor<2x4x48xf32>, tensor<1024x8xf64>) {
  %0 = ptm.slice_grad %g [0, 0, 16] : (tensor<2x4x16xf32>) -> tensor<2x4x48xf32>
  %1 = ptm.slice_grad %p [0, 0] : (tensor<4x8xf64>) -> tensor<1024x8xf64>
  return %0, %1 : tensor<2x4x48xf32>, tensor<1024x8xf64>
}

//===----------------------------------------------------------------------===//
// matmul transpose_lhs
//===----------------------------------------------------------------------===//

// lhs is read as [K, M] through the indexing map; nothing is transposed.
// CHECK-LABEL: func.func @matmul_transpose_lhs
// CHECK-SAME: (%[[X:.*]]: tensor<8x4xf32>, %[[G:.*]]: tensor<8x16xf32>, %[[W:.*]]: tensor<16x8xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: %[[R:.*]] = linalg.matmul indexing_maps = [#[[LHS_T]], #[[RHS]], #[[ROW3]]] ins(%[[X]], %[[G]] : tensor<8x4xf32>, tensor<8x16xf32>) outs(%{{.*}} : tensor<4x16xf32>)
// CHECK: %[[R2:.*]] = linalg.matmul indexing_maps = [#[[LHS_T]], #[[D1D2]], #[[ROW3]]] ins(%[[X]], %[[W]] : tensor<8x4xf32>, tensor<16x8xf32>) outs(%{{.*}} : tensor<4x16xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: return %[[R]], %[[R2]]
func.func @matmul_transpose_lhs(%x: tensor<8x4xf32>, %g: tensor<8x16xf32>, %w: tensor<16x8xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %0 = ptm.matmul %x, %g {transpose_lhs = true} : (tensor<8x4xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %1 = ptm.matmul %x, %w {transpose_lhs = true, transpose_rhs = true} : (tensor<8x4xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  return %0, %1 : tensor<4x16xf32>, tensor<4x16xf32>
}

// Rank-4 operands fold their batch dimensions for linalg.batch_matmul.
// CHECK-LABEL: func.func @matmul_transpose_lhs_batched
// CHECK-SAME: (%[[A:.*]]: tensor<2x3x8x4xf32>, %[[B:.*]]: tensor<2x3x8x6xf32>)
// CHECK: %[[A3:.*]] = tensor.collapse_shape %[[A]] {{\[\[}}0, 1], [2], [3]] : tensor<2x3x8x4xf32> into tensor<6x8x4xf32>
// CHECK: %[[B3:.*]] = tensor.collapse_shape %[[B]] {{\[\[}}0, 1], [2], [3]] : tensor<2x3x8x6xf32> into tensor<6x8x6xf32>
// CHECK: %[[P:.*]] = linalg.batch_matmul indexing_maps = [#[[B_LHS_T]], #[[B_RHS]], #[[B_OUT]]] ins(%[[A3]], %[[B3]] : tensor<6x8x4xf32>, tensor<6x8x6xf32>) outs(%{{.*}} : tensor<6x4x6xf32>)
// CHECK: %[[R:.*]] = tensor.expand_shape %[[P]] {{\[\[}}0, 1], [2], [3]] output_shape [2, 3, 4, 6] : tensor<6x4x6xf32> into tensor<2x3x4x6xf32>
// CHECK: return %[[R]]
func.func @matmul_transpose_lhs_batched(%a: tensor<2x3x8x4xf32>, %b: tensor<2x3x8x6xf32>) -> tensor<2x3x4x6xf32> {
  %0 = ptm.matmul %a, %b {transpose_lhs = true} : (tensor<2x3x8x4xf32>, tensor<2x3x8x6xf32>) -> tensor<2x3x4x6xf32>
  return %0 : tensor<2x3x4x6xf32>
}

// A single index: its [D] gradient is one row of the scatter-add.
// CHECK-LABEL: func.func @embedding_grad_single_index
// CHECK: tensor.expand_shape %{{.*}} [] output_shape [1] : tensor<i64> into tensor<1xi64>
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [1, 8] : tensor<8xf32> into tensor<1x8xf32>
// CHECK: scf.for
// CHECK: tensor.insert
func.func @embedding_grad_single_index(%g: tensor<8xf32>, %id: tensor<i64>) -> tensor<16x8xf32> {
  %0 = ptm.embedding_grad %g, %id : (tensor<8xf32>, tensor<i64>) -> tensor<16x8xf32>
  return %0 : tensor<16x8xf32>
}

// grad * (1 - y^2), from the forward result y = tanh(x).
// CHECK-LABEL: func.func @tanh_grad
// CHECK-SAME: (%[[G:.*]]: tensor<4x8xf32>, %[[Y:.*]]: tensor<4x8xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[G]], %[[Y]] : tensor<4x8xf32>, tensor<4x8xf32>)
// CHECK-NEXT: ^bb0(%[[GI:.*]]: f32, %[[YI:.*]]: f32, %{{.*}}: f32):
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG: %[[SQ:.*]] = arith.mulf %[[YI]], %[[YI]] : f32
// CHECK: %[[D:.*]] = arith.subf %[[ONE]], %[[SQ]] : f32
// CHECK: %[[P:.*]] = arith.mulf %[[GI]], %[[D]] : f32
// CHECK-NEXT: linalg.yield %[[P]] : f32
func.func @tanh_grad(%g: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = ptm.tanh_grad %g, %y : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}
