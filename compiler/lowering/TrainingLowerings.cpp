#include "compiler/lowering/TrainingLowerings.h"

#include "compiler/lowering/LoweringUtils.h"
#include "dialects/ptm/PtmOps.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace ptm;
using namespace ptm::lowering;

namespace {

Value product(OpBuilder &b, Location loc, Value lhs, Value rhs) {
  RankedTensorType type = tensorType(lhs);
  AffineMap identity = b.getMultiDimIdentityMap(type.getRank());
  return elementwise(b, loc, {lhs, rhs}, {identity, identity}, type.getShape(),
                     type.getElementType(), [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                       return arith::MulFOp::create(nb, nloc, args[0], args[1]);
                     });
}

Value sumAlongLast(OpBuilder &b, Location loc, Value input) {
  return sumAlong(b, loc, input, tensorType(input).getRank() - 1);
}

//===----------------------------------------------------------------------===//
// Cross-entropy
//===----------------------------------------------------------------------===//

// What cross-entropy needs per position: the target class (ignore_index where
// nothing is scored), whether it counts, and the log-sum-exp pieces.
struct CrossEntropyParts {
  Value targets;  // labels' shape, i64
  Value counted;  // labels' shape, float 1 or 0
  Value count;    // rank 0: number of counted positions
  Value rowMax;   // labels' shape
  Value sumExp;   // labels' shape: sum(exp(logits - rowMax))
};

// targets[..., t] = labels[..., t + 1] (or labels[..., t] unshifted), and
// ignore_index at the last position of a shifted row, which has no target.
Value shiftedTargets(OpBuilder &b, Location loc, Value labels, int64_t ignoreIndex, bool shift) {
  ArrayRef<int64_t> rowShape = tensorType(labels).getShape();
  int64_t rowRank = rowShape.size();
  Type i64 = b.getI64Type();
  Value emptyTargets = emptyTensor(b, loc, rowShape, i64);
  auto targetsOp = linalg::GenericOp::create(
      b, loc, emptyTargets.getType(), ValueRange{}, emptyTargets,
      ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rowRank)}, parallelIterators(rowRank),
      [&](OpBuilder &nb, Location nloc, ValueRange) {
        SmallVector<Value> indices;
        for (int64_t d = 0; d < rowRank; ++d)
          indices.push_back(linalg::IndexOp::create(nb, nloc, d));
        Value ignore = arith::ConstantOp::create(nb, nloc, nb.getI64IntegerAttr(ignoreIndex));
        Value inRow = arith::ConstantOp::create(nb, nloc, nb.getBoolAttr(true));
        if (shift) {
          Value last = indices.back();
          Value next = arith::AddIOp::create(nb, nloc, last, arith::ConstantIndexOp::create(nb, nloc, 1));
          inRow = arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::slt, next,
                                        arith::ConstantIndexOp::create(nb, nloc, rowShape.back()));
          indices.back() = arith::SelectOp::create(nb, nloc, inRow, next, last);
        }
        Value label = tensor::ExtractOp::create(nb, nloc, labels, indices);
        if (label.getType() != i64)
          label = arith::ExtSIOp::create(nb, nloc, i64, label);
        Value target = arith::SelectOp::create(nb, nloc, inRow, label, ignore);
        linalg::YieldOp::create(nb, nloc, target);
      });
  return targetsOp.getResult(0);
}

CrossEntropyParts crossEntropyParts(OpBuilder &b, Location loc, Value logits, Value labels,
                                    int64_t ignoreIndex, bool shift) {
  RankedTensorType logitsType = tensorType(logits);
  Type floatType = logitsType.getElementType();
  ArrayRef<int64_t> rowShape = logitsType.getShape().drop_back();
  int64_t rowRank = rowShape.size();
  int64_t vocab = logitsType.getShape().back();
  CrossEntropyParts parts;
  // A position is counted when its target is a class of the vocabulary.
  parts.targets = shiftedTargets(b, loc, labels, ignoreIndex, shift);

  AffineMap rowIdentity = b.getMultiDimIdentityMap(rowRank);
  parts.counted = elementwise(
      b, loc, parts.targets, {rowIdentity}, rowShape, floatType,
      [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
        Value target = args[0];
        Value zero = arith::ConstantOp::create(nb, nloc, nb.getI64IntegerAttr(0));
        Value vocabSize = arith::ConstantOp::create(nb, nloc, nb.getI64IntegerAttr(vocab));
        Value ignore = arith::ConstantOp::create(nb, nloc, nb.getI64IntegerAttr(ignoreIndex));
        Value inVocabulary = arith::AndIOp::create(
            nb, nloc, arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::sge, target, zero),
            arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::slt, target, vocabSize));
        // ignore_index may itself be a class of the vocabulary.
        Value valid = arith::AndIOp::create(
            nb, nloc, inVocabulary,
            arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::ne, target, ignore));
        return arith::SelectOp::create(nb, nloc, valid, floatConstant(nb, nloc, floatType, 1.0),
                                       floatConstant(nb, nloc, floatType, 0.0));
      });
  parts.count = sumLeading(b, loc, parts.counted, 0);

  int64_t axis = logitsType.getRank() - 1;
  parts.rowMax = reduce(b, loc, logits, {}, axis, lowestFloat(b, loc, cast<FloatType>(floatType)),
                        [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                          return arith::MaximumFOp::create(nb, nloc, args[0], args[1]);
                        });
  parts.sumExp = reduce(b, loc, logits, {parts.rowMax}, axis, floatConstant(b, loc, floatType, 0.0),
                        [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                          Value shifted = arith::SubFOp::create(nb, nloc, args[0], args[1]);
                          return arith::AddFOp::create(nb, nloc, math::ExpOp::create(nb, nloc, shifted),
                                                       args[2]);
                        });
  return parts;
}

// A target usable as an index: the target if counted, else 0.
Value safeClass(OpBuilder &b, Location loc, Value target, Value counted) {
  Value isCounted = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ONE, counted,
                                          floatConstant(b, loc, counted.getType(), 0.0));
  Value zero = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0));
  Value index = arith::SelectOp::create(b, loc, isCounted, target, zero);
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), index);
}

struct LowerCrossEntropy : OpRewritePattern<CrossEntropyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CrossEntropyOp op, PatternRewriter &b) const override {
    Location loc = op.getLoc();
    Value logits = op.getLogits();
    RankedTensorType logitsType = tensorType(logits);
    Type floatType = logitsType.getElementType();
    ArrayRef<int64_t> rowShape = logitsType.getShape().drop_back();
    int64_t rowRank = rowShape.size();
    CrossEntropyParts parts = crossEntropyParts(b, loc, logits, op.getLabels(),
                                                op.getIgnoreIndex(), op.getShiftLabels());
    AffineMap rowIdentity = b.getMultiDimIdentityMap(rowRank);
    // loss at a counted position: logsumexp(logits) - logits[target].
    Value losses = elementwise(
        b, loc, {parts.targets, parts.counted, parts.rowMax, parts.sumExp},
        {rowIdentity, rowIdentity, rowIdentity, rowIdentity}, rowShape, floatType,
        [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
          SmallVector<Value> indices;
          for (int64_t d = 0; d < rowRank; ++d)
            indices.push_back(linalg::IndexOp::create(nb, nloc, d));
          indices.push_back(safeClass(nb, nloc, args[0], args[1]));
          Value picked = tensor::ExtractOp::create(nb, nloc, logits, indices);
          Value logSumExp = arith::AddFOp::create(nb, nloc, args[2],
                                                  math::LogOp::create(nb, nloc, args[3]));
          Value loss = arith::SubFOp::create(nb, nloc, logSumExp, picked);
          return arith::MulFOp::create(nb, nloc, loss, args[1]);
        });
    Value total = sumLeading(b, loc, losses, 0);
    Value count = op.getCount() ? op.getCount() : parts.count;
    AffineMap scalar = AffineMap::get(0, 0, b.getContext());
    Value mean = elementwise(b, loc, {total, count}, {scalar, scalar}, {}, floatType,
                             [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                               return arith::DivFOp::create(nb, nloc, args[0], args[1]);
                             });
    b.replaceOp(op, mean);
    return success();
  }
};

struct LowerCrossEntropyGrad : OpRewritePattern<CrossEntropyGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CrossEntropyGradOp op, PatternRewriter &b) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    Value logits = op.getLogits();
    RankedTensorType logitsType = tensorType(logits);
    Type floatType = logitsType.getElementType();
    int64_t rank = logitsType.getRank();
    CrossEntropyParts parts = crossEntropyParts(b, loc, logits, op.getLabels(),
                                                op.getIgnoreIndex(), op.getShiftLabels());
    AffineMap identity = b.getMultiDimIdentityMap(rank);
    AffineMap perRow = dropDimMap(ctx, rank, rank - 1);
    AffineMap scalar = AffineMap::get(rank, 0, ctx);
    // d loss / d logits = grad / count * (softmax - onehot(target)) where counted.
    Value result = elementwise(
        b, loc, {logits, parts.targets, parts.counted, parts.rowMax, parts.sumExp, op.getGrad(),
                 op.getCount() ? op.getCount() : parts.count},
        {identity, perRow, perRow, perRow, perRow, scalar, scalar}, logitsType.getShape(),
        floatType, [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
          Value probability = arith::DivFOp::create(
              nb, nloc, math::ExpOp::create(nb, nloc, arith::SubFOp::create(nb, nloc, args[0], args[3])),
              args[4]);
          Value column = arith::IndexCastOp::create(nb, nloc, nb.getI64Type(),
                                                    linalg::IndexOp::create(nb, nloc, rank - 1));
          Value isTarget = arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::eq, column, args[1]);
          Value oneHot = arith::SelectOp::create(nb, nloc, isTarget, floatConstant(nb, nloc, floatType, 1.0),
                                                 floatConstant(nb, nloc, floatType, 0.0));
          Value scale = arith::DivFOp::create(nb, nloc, args[5], args[6]);
          Value diff = arith::SubFOp::create(nb, nloc, probability, oneHot);
          return arith::MulFOp::create(nb, nloc, arith::MulFOp::create(nb, nloc, diff, scale),
                                       args[2]);
        });
    b.replaceOp(op, result);
    return success();
  }
};

struct LowerCountTargets : OpRewritePattern<CountTargetsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CountTargetsOp op, PatternRewriter &b) const override {
    Location loc = op.getLoc();
    Type floatType = op.getType().getElementType();
    int64_t ignoreIndex = op.getIgnoreIndex();
    Value targets = shiftedTargets(b, loc, op.getLabels(), ignoreIndex, op.getShiftLabels());
    RankedTensorType targetsType = tensorType(targets);
    Value counted = elementwise(
        b, loc, targets, {b.getMultiDimIdentityMap(targetsType.getRank())},
        targetsType.getShape(), floatType,
        [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
          Value ignore = arith::ConstantOp::create(nb, nloc, nb.getI64IntegerAttr(ignoreIndex));
          Value scored = arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::ne, args[0], ignore);
          return arith::SelectOp::create(nb, nloc, scored, floatConstant(nb, nloc, floatType, 1.0),
                                         floatConstant(nb, nloc, floatType, 0.0));
        });
    b.replaceOp(op, sumLeading(b, loc, counted, 0));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Gradients of the forward ops
//===----------------------------------------------------------------------===//

struct LowerReduceLeading : OpRewritePattern<ReduceLeadingOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReduceLeadingOp op, PatternRewriter &b) const override {
    b.replaceOp(op, sumLeading(b, op.getLoc(), op.getInput(), op.getType().getRank()));
    return success();
  }
};

struct LowerGeluGrad : OpRewritePattern<GeluGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GeluGradOp op, PatternRewriter &b) const override {
    RankedTensorType type = op.getType();
    AffineMap identity = b.getMultiDimIdentityMap(type.getRank());
    bool tanhForm = op.getApproximate() == "tanh";
    b.replaceOp(op, elementwise(b, op.getLoc(), {op.getGrad(), op.getInput()},
                                {identity, identity}, type.getShape(), type.getElementType(),
                                [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                                  return arith::MulFOp::create(
                                      nb, nloc, args[0], geluDerivative(nb, nloc, args[1], tanhForm));
                                }));
    return success();
  }
};

struct LowerTanhGrad : OpRewritePattern<TanhGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TanhGradOp op, PatternRewriter &b) const override {
    RankedTensorType type = op.getType();
    AffineMap identity = b.getMultiDimIdentityMap(type.getRank());
    b.replaceOp(op, elementwise(b, op.getLoc(), {op.getGrad(), op.getResultOfTanh()},
                                {identity, identity}, type.getShape(), type.getElementType(),
                                [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                                  Value one = floatConstant(nb, nloc, type.getElementType(), 1.0);
                                  Value square = arith::MulFOp::create(nb, nloc, args[1], args[1]);
                                  Value derivative = arith::SubFOp::create(nb, nloc, one, square);
                                  return arith::MulFOp::create(nb, nloc, args[0], derivative);
                                }));
    return success();
  }
};

struct LowerSoftmaxGrad : OpRewritePattern<SoftmaxGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SoftmaxGradOp op, PatternRewriter &b) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank();
    int64_t axis = op.getAxisAttr().getInt();
    Value weighted = product(b, loc, op.getGrad(), op.getOutput());
    Value rowSum = sumAlong(b, loc, weighted, axis);
    AffineMap identity = b.getMultiDimIdentityMap(rank);
    b.replaceOp(op, elementwise(b, loc, {op.getOutput(), op.getGrad(), rowSum},
                                {identity, identity, dropDimMap(b.getContext(), rank, axis)},
                                type.getShape(), type.getElementType(),
                                [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                                  return arith::MulFOp::create(
                                      nb, nloc, args[0], arith::SubFOp::create(nb, nloc, args[1], args[2]));
                                }));
    return success();
  }
};

struct LowerLayerNormGrad : OpRewritePattern<LayerNormGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LayerNormGradOp op, PatternRewriter &b) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    Value x = op.getInput(), g = op.getGrad();
    RankedTensorType type = tensorType(x);
    Type floatType = type.getElementType();
    int64_t rank = type.getRank();
    ArrayRef<int64_t> shape = type.getShape();
    AffineMap identity = b.getMultiDimIdentityMap(rank);
    AffineMap perRow = dropDimMap(ctx, rank, rank - 1);
    AffineMap perColumn = trailingMap(ctx, rank, 1);
    RowStatistics stats = rowStatistics(b, loc, x, op.getEpsilon().convertToDouble());
    Value normalized = elementwise(b, loc, {x, stats.mean, stats.invStdDev},
                                   {identity, perRow, perRow}, shape, floatType,
                                   [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                                     return arith::MulFOp::create(
                                         nb, nloc, arith::SubFOp::create(nb, nloc, args[0], args[1]), args[2]);
                                   });
    Value scaledGrad = elementwise(b, loc, {g, op.getWeight()}, {identity, perColumn}, shape, floatType,
                                   [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                                     return arith::MulFOp::create(nb, nloc, args[0], args[1]);
                                   });
    Value sumScaled = sumAlongLast(b, loc, scaledGrad);
    Value sumScaledNormalized = sumAlongLast(b, loc, product(b, loc, scaledGrad, normalized));
    Value invWidth = floatConstant(b, loc, floatType, 1.0 / shape.back());
    // dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
    Value inputGrad = elementwise(
        b, loc, {scaledGrad, normalized, stats.invStdDev, sumScaled, sumScaledNormalized},
        {identity, identity, perRow, perRow, perRow}, shape, floatType,
        [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
          Value meanScaled = arith::MulFOp::create(nb, nloc, args[3], invWidth);
          Value meanProduct = arith::MulFOp::create(nb, nloc, args[4], invWidth);
          Value centered = arith::SubFOp::create(nb, nloc, args[0], meanScaled);
          Value corrected = arith::SubFOp::create(
              nb, nloc, centered, arith::MulFOp::create(nb, nloc, args[1], meanProduct));
          return arith::MulFOp::create(nb, nloc, args[2], corrected);
        });
    Value weightGrad = sumLeading(b, loc, product(b, loc, g, normalized), 1);
    Value biasGrad = sumLeading(b, loc, g, 1);
    b.replaceOp(op, {inputGrad, weightGrad, biasGrad});
    return success();
  }
};

struct LowerAttentionGrad : OpRewritePattern<AttentionGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionGradOp op, PatternRewriter &b) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    double scaleValue = op.getScale().convertToDouble();
    Value probabilities = attentionProbabilities(b, loc, op.getQuery(), op.getKey(),
                                                 op.getKeyMask(), scaleValue, op.getCausal());
    Value p = collapseLeading(b, loc, probabilities, 2);
    Value g = collapseLeading(b, loc, op.getGrad(), 2);
    Value q = collapseLeading(b, loc, op.getQuery(), 2);
    Value k = collapseLeading(b, loc, op.getKey(), 2);
    Value v = collapseLeading(b, loc, op.getValue(), 2);
    // dV = D(P)ᵀ dO, dP = D(dO Vᵀ) with the forward's dropout D (the
    // identity without a seed). Collapsing [B, H] keeps the linear indices,
    // hence the mask.
    Value seed = op.getDropoutSeed();
    double dropoutProbability = op.getDropout().convertToDouble();
    int64_t stream = op.getDropoutStream();
    Value dropped = seed ? dropout(b, loc, p, seed, dropoutProbability, stream) : p;
    Value valueGrad = contraction(b, loc, dropped, g, /*transposeRhs=*/false, /*transposeLhs=*/true);
    Value probabilityGrad = contraction(b, loc, g, v, /*transposeRhs=*/true);
    if (seed)
      probabilityGrad = dropout(b, loc, probabilityGrad, seed, dropoutProbability, stream);
    // dS = scale · P ⊙ (dP − rowsum(dP ⊙ P))
    RankedTensorType pType = tensorType(p);
    Type floatType = pType.getElementType();
    Value rowSum = sumAlongLast(b, loc, product(b, loc, probabilityGrad, p));
    AffineMap identity = b.getMultiDimIdentityMap(3);
    Value scale = floatConstant(b, loc, floatType, scaleValue);
    Value scoreGrad = elementwise(
        b, loc, {p, probabilityGrad, rowSum}, {identity, identity, dropDimMap(ctx, 3, 2)},
        pType.getShape(), floatType, [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
          Value centered = arith::SubFOp::create(nb, nloc, args[1], args[2]);
          return arith::MulFOp::create(nb, nloc, arith::MulFOp::create(nb, nloc, args[0], centered),
                                       scale);
        });
    // dQ = dS K, dK = dSᵀ Q
    Value queryGrad = contraction(b, loc, scoreGrad, k, /*transposeRhs=*/false);
    Value keyGrad = contraction(b, loc, scoreGrad, q, /*transposeRhs=*/false, /*transposeLhs=*/true);
    b.replaceOp(op, {expandLeading(b, loc, queryGrad, tensorType(op.getQuery()).getShape()),
                     expandLeading(b, loc, keyGrad, tensorType(op.getKey()).getShape()),
                     expandLeading(b, loc, valueGrad, tensorType(op.getValue()).getShape())});
    return success();
  }
};

struct LowerEmbeddingGrad : OpRewritePattern<EmbeddingGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(EmbeddingGradOp op, PatternRewriter &b) const override {
    Location loc = op.getLoc();
    RankedTensorType tableType = op.getType();
    Type floatType = tableType.getElementType();
    int64_t dim = tableType.getDimSize(1);
    Value indices = op.getIndices();
    RankedTensorType indicesType = tensorType(indices);
    int64_t positions = indicesType.getNumElements();
    // Flatten to [P] indices and [P, D] row gradients.
    if (indicesType.getRank() != 1)
      indices = indicesType.getRank() == 0
                    ? tensor::ExpandShapeOp::create(
                          b, loc, RankedTensorType::get({1}, indicesType.getElementType()),
                          indices, SmallVector<ReassociationIndices>{})
                          .getResult()
                    : tensor::CollapseShapeOp::create(b, loc, indices,
                                                      mergeAllDims(indicesType.getRank()))
                          .getResult();
    // A single index has a [D] gradient: one row.
    Value rows = op.getGrad();
    rows = tensorType(rows).getRank() == 1
               ? tensor::ExpandShapeOp::create(b, loc, RankedTensorType::get({1, dim}, floatType),
                                               rows, SmallVector<ReassociationIndices>{{0, 1}})
                     .getResult()
               : collapseLeading(b, loc, rows, 1);
    Value zeros = filledTensor(b, loc, tableType.getShape(), floatType,
                               floatConstant(b, loc, floatType, 0.0));
    // Sequential scatter-add: positions may repeat a token.
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    auto overPositions = scf::ForOp::create(
        b, loc, zero, arith::ConstantIndexOp::create(b, loc, positions), one, ValueRange{zeros},
        [&](OpBuilder &pb, Location ploc, Value position, ValueRange tableArgs) {
          Value token = tensor::ExtractOp::create(pb, ploc, indices, position);
          Value row = arith::IndexCastOp::create(pb, ploc, pb.getIndexType(), token);
          auto overColumns = scf::ForOp::create(
              pb, ploc, zero, arith::ConstantIndexOp::create(pb, ploc, dim), one, tableArgs,
              [&](OpBuilder &cb, Location cloc, Value column, ValueRange columnArgs) {
                Value table = columnArgs[0];
                Value current = tensor::ExtractOp::create(cb, cloc, table, ValueRange{row, column});
                Value update = tensor::ExtractOp::create(cb, cloc, rows, ValueRange{position, column});
                Value sum = arith::AddFOp::create(cb, cloc, current, update);
                Value updated = tensor::InsertOp::create(cb, cloc, sum, table, ValueRange{row, column});
                scf::YieldOp::create(cb, cloc, updated);
              });
          scf::YieldOp::create(pb, ploc, overColumns.getResults());
        });
    b.replaceOp(op, overPositions.getResult(0));
    return success();
  }
};

struct LowerSliceGrad : OpRewritePattern<SliceGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SliceGradOp op, PatternRewriter &b) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Value zeros = filledTensor(b, loc, type.getShape(), type.getElementType(),
                               floatConstant(b, loc, type.getElementType(), 0.0));
    ArrayRef<int64_t> window = tensorType(op.getGrad()).getShape();
    SmallVector<int64_t> strides(type.getRank(), 1);
    b.replaceOpWithNewOp<tensor::InsertSliceOp>(op, op.getGrad(), zeros, ValueRange{}, ValueRange{},
                                                ValueRange{}, op.getOffsets(), window, strides);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Optimizer
//===----------------------------------------------------------------------===//

struct LowerClipScale : OpRewritePattern<ClipScaleOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ClipScaleOp op, PatternRewriter &b) const override {
    Location loc = op.getLoc();
    Type floatType = op.getType().getElementType();
    double maxNorm = op.getMaxNorm().convertToDouble();
    AffineMap scalar = AffineMap::get(0, 0, b.getContext());
    b.replaceOp(op, elementwise(b, loc, op.getSumOfSquares(), {scalar}, {}, floatType,
                                [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                                  Value norm = math::SqrtOp::create(nb, nloc, args[0]);
                                  Value coefficient = arith::DivFOp::create(
                                      nb, nloc, floatConstant(nb, nloc, floatType, maxNorm),
                                      arith::AddFOp::create(nb, nloc, norm,
                                                            floatConstant(nb, nloc, floatType, 1e-6)));
                                  return arith::MinimumFOp::create(
                                      nb, nloc, coefficient, floatConstant(nb, nloc, floatType, 1.0));
                                }));
    return success();
  }
};

struct LowerAdamW : OpRewritePattern<AdamWOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AdamWOp op, PatternRewriter &b) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    RankedTensorType type = op.getParam().getType();
    Type floatType = type.getElementType();
    int64_t rank = type.getRank();
    double beta1 = op.getBeta1().convertToDouble(), beta2 = op.getBeta2().convertToDouble();
    double epsilon = op.getEpsilon().convertToDouble();
    double weightDecay = op.getWeightDecay().convertToDouble();
    AffineMap identity = b.getMultiDimIdentityMap(rank);
    AffineMap scalar = AffineMap::get(rank, 0, ctx);
    SmallVector<Type> resultTypes(3, type);
    // The new values take the old ones' places: a step whose parameters are
    // writable updates them in place (else bufferization allocates new ones).
    SmallVector<Value> inits{op.getParam(), op.getExpAvg(), op.getExpAvgSq()};
    SmallVector<AffineMap> maps{identity, identity, identity, identity, scalar, scalar, scalar,
                                identity, identity, identity};
    auto generic = linalg::GenericOp::create(
        b, loc, resultTypes,
        ValueRange{op.getParam(), op.getGrad(), op.getExpAvg(), op.getExpAvgSq(),
                   op.getLearningRate(), op.getStep(), op.getGradScale()},
        inits, maps, parallelIterators(rank),
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          auto constant = [&](double value) { return floatConstant(nb, nloc, floatType, value); };
          Value param = args[0], m = args[2], v = args[3], lr = args[4], t = args[5];
          Value g = arith::MulFOp::create(nb, nloc, args[1], args[6]);
          Value decayed = arith::MulFOp::create(
              nb, nloc, param,
              arith::SubFOp::create(nb, nloc, constant(1.0),
                                    arith::MulFOp::create(nb, nloc, lr, constant(weightDecay))));
          Value newM = arith::AddFOp::create(
              nb, nloc, arith::MulFOp::create(nb, nloc, constant(beta1), m),
              arith::MulFOp::create(nb, nloc, constant(1.0 - beta1), g));
          Value newV = arith::AddFOp::create(
              nb, nloc, arith::MulFOp::create(nb, nloc, constant(beta2), v),
              arith::MulFOp::create(nb, nloc, constant(1.0 - beta2),
                                    arith::MulFOp::create(nb, nloc, g, g)));
          // Bias corrections 1 - beta^t.
          Value correction1 = arith::SubFOp::create(
              nb, nloc, constant(1.0), math::PowFOp::create(nb, nloc, constant(beta1), t));
          Value correction2 = arith::SubFOp::create(
              nb, nloc, constant(1.0), math::PowFOp::create(nb, nloc, constant(beta2), t));
          Value denominator = arith::AddFOp::create(
              nb, nloc,
              arith::DivFOp::create(nb, nloc, math::SqrtOp::create(nb, nloc, newV),
                                    math::SqrtOp::create(nb, nloc, correction2)),
              constant(epsilon));
          Value stepSize = arith::DivFOp::create(nb, nloc, lr, correction1);
          Value update = arith::MulFOp::create(
              nb, nloc, stepSize, arith::DivFOp::create(nb, nloc, newM, denominator));
          Value newParam = arith::SubFOp::create(nb, nloc, decayed, update);
          linalg::YieldOp::create(nb, nloc, ValueRange{newParam, newM, newV});
        });
    b.replaceOp(op, generic.getResults());
    return success();
  }
};

} // namespace

void ptm::populateTrainingLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerCrossEntropy, LowerCrossEntropyGrad, LowerCountTargets, LowerReduceLeading, LowerGeluGrad, LowerTanhGrad,
               LowerSoftmaxGrad, LowerLayerNormGrad, LowerAttentionGrad, LowerEmbeddingGrad,
               LowerSliceGrad, LowerClipScale, LowerAdamW>(patterns.getContext());
}
