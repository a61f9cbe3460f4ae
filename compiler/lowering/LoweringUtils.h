// Building blocks shared by the lowering patterns of ptm-decompose: linalg
// generics for elementwise maps and reductions, contractions with transposes
// as indexing maps, and the math of softmax, GELU, layer norm and attention
// that forward and gradient lowerings both need.
#pragma once

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/Builders.h"

namespace ptm::lowering {

using mlir::Value;
using BodyBuilder = llvm::function_ref<Value(mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

mlir::RankedTensorType tensorType(Value value);
Value emptyTensor(mlir::OpBuilder &b, mlir::Location loc, llvm::ArrayRef<int64_t> shape,
                  mlir::Type elementType);
Value floatConstant(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type, double value);
// The lowest finite value of `type`: what masked attention scores become.
Value lowestFloat(mlir::OpBuilder &b, mlir::Location loc, mlir::FloatType type);
Value filledTensor(mlir::OpBuilder &b, mlir::Location loc, llvm::ArrayRef<int64_t> shape,
                   mlir::Type elementType, Value fillValue);
llvm::SmallVector<mlir::utils::IteratorType> parallelIterators(int64_t rank);
// Map of a tensor indexed by the trailing `rank` loops of a `loopRank` nest:
// trailing broadcast (bias over [B, T, N], positions over [B, T, D]).
mlir::AffineMap trailingMap(mlir::MLIRContext *ctx, int64_t loopRank, int64_t rank);
// Map of a tensor indexed by every loop except `axis` (a reduction result).
mlir::AffineMap dropDimMap(mlir::MLIRContext *ctx, int64_t loopRank, int64_t axis);
// An elementwise linalg.generic over `shape`, reading `inputs` through `inputMaps`.
Value elementwise(mlir::OpBuilder &b, mlir::Location loc, mlir::ValueRange inputs,
                  llvm::ArrayRef<mlir::AffineMap> inputMaps, llvm::ArrayRef<int64_t> shape,
                  mlir::Type elementType, BodyBuilder body);
// Reduces `input` along `axis` with `combine(element, perRow..., accumulator)`,
// starting from `initValue`; `perRow` tensors are indexed like the result.
Value reduce(mlir::OpBuilder &b, mlir::Location loc, Value input, mlir::ValueRange perRow,
             int64_t axis, Value initValue, BodyBuilder combine);
// Sums `input` along `axis`.
Value sumAlong(mlir::OpBuilder &b, mlir::Location loc, Value input, int64_t axis);
// Sums `input` over its leading dimensions down to its trailing `keep` ones.
Value sumLeading(mlir::OpBuilder &b, mlir::Location loc, Value input, int64_t keep);
// The reassociation that merges all `rank` dimensions into one.
llvm::SmallVector<mlir::ReassociationIndices> mergeAllDims(int64_t rank);
// Collapses all dimensions but the last `keep` into one leading dimension.
Value collapseLeading(mlir::OpBuilder &b, mlir::Location loc, Value value, int64_t keep);
// Inverse of collapseLeading: restores the leading dimensions of `shape`.
Value expandLeading(mlir::OpBuilder &b, mlir::Location loc, Value value,
                    llvm::ArrayRef<int64_t> shape);
// lhs [M, K] x rhs [K, N] -> [M, N], accumulated from zero; batched with a
// leading dimension on both. `transposeRhs`: rhs given as [N, K];
// `transposeLhs`: lhs given as [K, M]. Transposes are indexing maps only.
Value contraction(mlir::OpBuilder &b, mlir::Location loc, Value lhs, Value rhs, bool transposeRhs,
                  bool transposeLhs = false);
Value gelu(mlir::OpBuilder &b, mlir::Location loc, Value x, bool tanhForm);
// d gelu(x) / dx.
Value geluDerivative(mlir::OpBuilder &b, mlir::Location loc, Value x, bool tanhForm);
Value applyActivation(mlir::OpBuilder &b, mlir::Location loc, Value x, llvm::StringRef activation);
// Numerically stable softmax along `axis`. With `zeroHiddenRows`, a row whose
// every score is the lowest float (all keys hidden) yields zeros, as torch's
// scaled_dot_product_attention does.
Value softmax(mlir::OpBuilder &b, mlir::Location loc, Value input, int64_t axis,
              bool zeroHiddenRows);

struct RowStatistics {
  Value mean;          // [rows...]
  Value invStdDev;     // [rows...]: 1 / sqrt(biased variance + epsilon)
};
// Mean and inverse standard deviation over the last dimension (layer norm).
RowStatistics rowStatistics(mlir::OpBuilder &b, mlir::Location loc, Value x, double epsilon);

// Whether dropout with `probability` keeps the element of row-major linear
// index `index` (i64): the first word of Philox4x32-10 with key `seed` (i64)
// and counter (lo32(index), hi32(index), stream, 0), as a uniform number in
// [0, 1), is below 1 - probability (see ptm.dropout).
Value dropoutKeeps(mlir::OpBuilder &b, mlir::Location loc, Value seed, Value index,
                   int64_t stream, double probability);
// ptm.dropout of `input` with the rank-0 i64 tensor `seed`: kept elements
// scaled by 1 / (1 - probability), the others zero.
Value dropout(mlir::OpBuilder &b, mlir::Location loc, Value input, Value seed,
              double probability, int64_t stream);

// `score`, or the lowest float (`lowest`) when causal attention hides key
// position `key` (index) from query position `query`: the queries are the
// last of the keys' positions, `queryOffset` after the first.
Value hideFutureKey(mlir::OpBuilder &b, mlir::Location loc, Value score, Value query, Value key,
                    int64_t queryOffset, Value lowest);
// `score`, or `lowest` when the key mask element `flag` (integer or float)
// is 0: a padded key.
Value hidePaddedKey(mlir::OpBuilder &b, mlir::Location loc, Value score, Value flag, Value lowest);

// Attention probabilities [B, H, T, S] for query [B, H, T, Dh] and key
// [B, H, S, Dh]: softmax of the scaled scores with future keys (causal) and
// padded keys (keyMask [B, S], 0 = padded) hidden.
Value attentionProbabilities(mlir::OpBuilder &b, mlir::Location loc, Value query, Value key,
                             Value keyMask, double scale, bool causal);

} // namespace ptm::lowering
