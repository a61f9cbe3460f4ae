// RUN: ptm-opt %s --ptm-decompose | FileCheck %s
// RUN: ptm-opt %s --ptm-decompose | FileCheck %s --check-prefix=LOWERED
// LOWERED-NOT: ptm.
// attention: scores = Q Kᵀ (batch_matmul with a transposed rhs map), scale,
// hide future / padded keys with the lowest float, softmax that returns zeros
// for rows that see no key, then probabilities · V.

// CHECK-DAG: #[[BLHS:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[BRHS_T:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-DAG: #[[BOUT:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[ID4:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[MASK:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3)>

// Causal with a KV cache (3 queries, 8 keys) and an i64 padding mask.
// CHECK-LABEL: func.func @attention_causal_mask
// CHECK-SAME: (%[[Q:.*]]: tensor<2x4x3x16xf32>, %[[K:.*]]: tensor<2x4x8x16xf32>, %[[V:.*]]: tensor<2x4x8x16xf32>, %[[M:.*]]: tensor<2x8xi64>)
// CHECK-DAG: %[[Q3:.*]] = tensor.collapse_shape %[[Q]] {{\[\[}}0, 1], [2], [3]] : tensor<2x4x3x16xf32> into tensor<8x3x16xf32>
// CHECK-DAG: %[[K3:.*]] = tensor.collapse_shape %[[K]] {{\[\[}}0, 1], [2], [3]] : tensor<2x4x8x16xf32> into tensor<8x8x16xf32>
// CHECK: %[[QK:.*]] = linalg.batch_matmul indexing_maps = [#[[BLHS]], #[[BRHS_T]], #[[BOUT]]] ins(%[[Q3]], %[[K3]] : tensor<8x3x16xf32>, tensor<8x8x16xf32>) outs(%{{.*}} : tensor<8x3x8xf32>)
// CHECK: %[[SCORES:.*]] = tensor.expand_shape %[[QK]] {{\[\[}}0, 1], [2], [3]] output_shape [2, 4, 3, 8] : tensor<8x3x8xf32> into tensor<2x4x3x8xf32>
// CHECK-DAG: %[[SCALE:.*]] = arith.constant 2.500000e-01 : f32
// CHECK-DAG: %[[LOWEST:.*]] = arith.constant -3.40282347E+38 : f32
// CHECK: %[[MASKED:.*]] = linalg.generic {indexing_maps = [#[[ID4]], #[[MASK]], #[[ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[SCORES]], %[[M]] : tensor<2x4x3x8xf32>, tensor<2x8xi64>)
// CHECK-NEXT: ^bb0(%[[S:.*]]: f32, %[[FLAG:.*]]: i64, %{{.*}}: f32):
// CHECK-NEXT: %[[SCALED:.*]] = arith.mulf %[[S]], %[[SCALE]] : f32
// CHECK-NEXT: %[[T:.*]] = linalg.index 2 : index
// CHECK-NEXT: %[[KEY:.*]] = linalg.index 3 : index
// Queries are the last 3 of 8 positions: key s is visible to query t iff s <= t + 5.
// CHECK-NEXT: %[[OFF:.*]] = arith.constant 5 : index
// CHECK-NEXT: %[[LIMIT:.*]] = arith.addi %[[T]], %[[OFF]] : index
// CHECK-NEXT: %[[FUTURE:.*]] = arith.cmpi ugt, %[[KEY]], %[[LIMIT]] : index
// CHECK-NEXT: %[[C1:.*]] = arith.select %[[FUTURE]], %[[LOWEST]], %[[SCALED]] : f32
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK-NEXT: %[[PAD:.*]] = arith.cmpi eq, %[[FLAG]], %[[ZERO]] : i64
// CHECK-NEXT: %[[C2:.*]] = arith.select %[[PAD]], %[[LOWEST]], %[[C1]] : f32
// CHECK-NEXT: linalg.yield %[[C2]] : f32
// Softmax over keys (d3).
// CHECK: %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[ID4]], #[[BOUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[MASKED]] : tensor<2x4x3x8xf32>)
// CHECK: arith.maximumf
// CHECK: %[[EXP:.*]] = linalg.generic {{.*}} ins(%[[MASKED]], %[[MAX]] :
// CHECK: math.exp
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID4]], #[[BOUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[EXP]] : tensor<2x4x3x8xf32>)
// Rows whose max is still the lowest float saw no key: zeros, not 1/S.
// CHECK: %[[PROBS:.*]] = linalg.generic {indexing_maps = [#[[ID4]], #[[BOUT]], #[[BOUT]], #[[ID4]]], {{.*}} ins(%[[EXP]], %[[SUM]], %[[MAX]] :
// CHECK-NEXT: ^bb0(%[[E:[a-z0-9_]+]]: f32, %[[SI:[a-z0-9_]+]]: f32, %[[MI:[a-z0-9_]+]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[P:.*]] = arith.divf %[[E]], %[[SI]] : f32
// CHECK-NEXT: %[[HIDDEN:.*]] = arith.cmpf oeq, %[[MI]], %{{.*}} : f32
// CHECK-NEXT: %[[Z:.*]] = arith.select %[[HIDDEN]], %{{.*}}, %[[P]] : f32
// CHECK-NEXT: linalg.yield %[[Z]] : f32
// Context = probabilities · V with V untransposed.
// CHECK: %[[P3:.*]] = tensor.collapse_shape %[[PROBS]] {{\[\[}}0, 1], [2], [3]] : tensor<2x4x3x8xf32> into tensor<8x3x8xf32>
// CHECK-DAG: %[[V3:.*]] = tensor.collapse_shape %[[V]] {{\[\[}}0, 1], [2], [3]] : tensor<2x4x8x16xf32> into tensor<8x8x16xf32>
// CHECK: %[[CTX:.*]] = linalg.batch_matmul ins(%[[P3]], %[[V3]] : tensor<8x3x8xf32>, tensor<8x8x16xf32>) outs(%{{.*}} : tensor<8x3x16xf32>)
// CHECK: %[[R:.*]] = tensor.expand_shape %[[CTX]] {{\[\[}}0, 1], [2], [3]] output_shape [2, 4, 3, 16] : tensor<8x3x16xf32> into tensor<2x4x3x16xf32>
// CHECK: return %[[R]]
func.func @attention_causal_mask(%q: tensor<2x4x3x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>, %m: tensor<2x8xi64>) -> tensor<2x4x3x16xf32> {
  %0 = ptm.attention %q, %k, %v, %m {causal = true, scale = 0.25 : f64} : (tensor<2x4x3x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x8xi64>) -> tensor<2x4x3x16xf32>
  return %0 : tensor<2x4x3x16xf32>
}

// Causal self-attention without a cache: offset 0.
// CHECK-LABEL: func.func @attention_causal
// CHECK: linalg.generic {indexing_maps = [#[[ID4]], #[[ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%{{.*}} : tensor<1x2x4x4xf32>)
// CHECK: %[[T:.*]] = linalg.index 2 : index
// CHECK: %[[KEY:.*]] = linalg.index 3 : index
// CHECK: %[[OFF:.*]] = arith.constant 0 : index
// CHECK: %[[LIMIT:.*]] = arith.addi %[[T]], %[[OFF]] : index
// CHECK: arith.cmpi ugt, %[[KEY]], %[[LIMIT]] : index
// CHECK: linalg.yield
func.func @attention_causal(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %0 = ptm.attention %q, %k, %v {causal = true, scale = 0.5 : f64} : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  return %0 : tensor<1x2x4x8xf32>
}

// No masks: the score generic only scales; no select, no index.
// CHECK-LABEL: func.func @attention_plain_f64
// CHECK: %[[SCALE:.*]] = arith.constant 1.250000e-01 : f64
// CHECK: %[[LOWEST:.*]] = arith.constant -1.7976931348623157E+308 : f64
// CHECK: linalg.generic {indexing_maps = [#[[ID4]], #[[ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%{{.*}} : tensor<1x2x4x4xf64>)
// CHECK-NEXT: ^bb0(%[[S:.*]]: f64, %{{.*}}: f64):
// CHECK-NEXT: %[[SCALED:.*]] = arith.mulf %[[S]], %[[SCALE]] : f64
// CHECK-NEXT: linalg.yield %[[SCALED]] : f64
// The hidden-row guard is still there (it costs one compare per element).
// CHECK: arith.divf
// CHECK-NEXT: arith.cmpf oeq
// CHECK-NEXT: arith.select
func.func @attention_plain_f64(%q: tensor<1x2x4x8xf64>, %k: tensor<1x2x4x8xf64>, %v: tensor<1x2x4x8xf64>) -> tensor<1x2x4x8xf64> {
  %0 = ptm.attention %q, %k, %v {scale = 0.125 : f64} : (tensor<1x2x4x8xf64>, tensor<1x2x4x8xf64>, tensor<1x2x4x8xf64>) -> tensor<1x2x4x8xf64>
  return %0 : tensor<1x2x4x8xf64>
}

// A float mask (HF attention_mask as f32) is compared with 0.0; an i1 mask with false.
// CHECK-LABEL: func.func @attention_float_and_bool_masks
// CHECK: linalg.generic {indexing_maps = [#[[ID4]], #[[MASK]], #[[ID4]]], {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x2x4x4xf32>, tensor<1x4xf32>)
// CHECK-NEXT: ^bb0(%[[S:.*]]: f32, %[[FLAG:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[SCALED:.*]] = arith.mulf %[[S]], %{{.*}} : f32
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[PAD:.*]] = arith.cmpf oeq, %[[FLAG]], %[[ZERO]] : f32
// CHECK-NEXT: arith.select %[[PAD]], %{{.*}}, %[[SCALED]] : f32
// CHECK: linalg.generic {indexing_maps = [#[[ID4]], #[[MASK]], #[[ID4]]], {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x2x4x4xf32>, tensor<1x4xi1>)
// CHECK-NEXT: ^bb0(%[[S:.*]]: f32, %[[FLAG:.*]]: i1, %{{.*}}: f32):
// CHECK-NEXT: %[[SCALED:.*]] = arith.mulf %[[S]], %{{.*}} : f32
// CHECK-NEXT: %[[FALSE:.*]] = arith.constant false
// CHECK-NEXT: %[[PAD:.*]] = arith.cmpi eq, %[[FLAG]], %[[FALSE]] : i1
// CHECK-NEXT: arith.select %[[PAD]], %{{.*}}, %[[SCALED]] : f32
func.func @attention_float_and_bool_masks(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %mf: tensor<1x4xf32>, %mb: tensor<1x4xi1>) -> (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) {
  %0 = ptm.attention %q, %k, %v, %mf {scale = 0.5 : f64} : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x4xf32>) -> tensor<1x2x4x8xf32>
  %1 = ptm.attention %q, %k, %v, %mb {scale = 0.5 : f64} : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x4xi1>) -> tensor<1x2x4x8xf32>
  return %0, %1 : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>
}
