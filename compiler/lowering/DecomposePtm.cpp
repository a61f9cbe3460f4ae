// ptm-decompose: lowers every ptm op to linalg / tensor / arith / math on
// tensors. Contractions map to named linalg ops so that tiling and
// vectorisation see them as contractions; everything else becomes
// linalg.generic, which later fuses elementwise chains.
#include "compiler/Passes.h"
#include "dialects/ptm/PtmOps.h"

#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

namespace ptm {
#define GEN_PASS_DEF_PTMDECOMPOSE
#include "compiler/Passes.h.inc"
} // namespace ptm

using namespace mlir;
using namespace ptm;

namespace {

RankedTensorType tensorType(Value value) { return cast<RankedTensorType>(value.getType()); }

Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Type elementType) {
  return tensor::EmptyOp::create(b, loc, shape, elementType);
}

Value floatConstant(OpBuilder &b, Location loc, Type type, double value) {
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, value));
}

Value lowestFloat(OpBuilder &b, Location loc, FloatType type) {
  APFloat lowest = APFloat::getLargest(type.getFloatSemantics(), /*Negative=*/true);
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, lowest));
}

Value filledTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Type elementType,
                   Value fillValue) {
  Value empty = emptyTensor(b, loc, shape, elementType);
  return linalg::FillOp::create(b, loc, fillValue, empty).getResult(0);
}

SmallVector<utils::IteratorType> parallelIterators(int64_t rank) {
  return SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel);
}

// Map of a tensor indexed by the trailing `rank` loops of a `loopRank` nest:
// trailing broadcast (bias over [B, T, N], positions over [B, T, D]).
AffineMap trailingMap(MLIRContext *ctx, int64_t loopRank, int64_t rank) {
  return AffineMap::getMinorIdentityMap(loopRank, rank, ctx);
}

// Map of a tensor indexed by every loop except `axis` (a reduction result).
AffineMap dropDimMap(MLIRContext *ctx, int64_t loopRank, int64_t axis) {
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < loopRank; ++d)
    if (d != axis)
      exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(loopRank, 0, exprs, ctx);
}

using BodyBuilder = function_ref<Value(OpBuilder &, Location, ValueRange)>;

// An elementwise linalg.generic over the shape of `output`, reading `inputs`
// through `inputMaps`.
Value elementwise(OpBuilder &b, Location loc, ValueRange inputs, ArrayRef<AffineMap> inputMaps,
                  ArrayRef<int64_t> shape, Type elementType, BodyBuilder body) {
  int64_t rank = shape.size();
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(rank));
  Value init = emptyTensor(b, loc, shape, elementType);
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), inputs, init, maps, parallelIterators(rank),
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, body(nb, nloc, args.drop_back()));
      });
  return generic.getResult(0);
}

// Reduces `input` along `axis` with `combine(element, accumulator)`, starting
// from `initValue`. `element` may be transformed by reading other tensors
// indexed like the result (e.g. subtracting a mean).
Value reduce(OpBuilder &b, Location loc, Value input, ValueRange perRow, int64_t axis,
             Value initValue, BodyBuilder combine) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType type = tensorType(input);
  int64_t rank = type.getRank();
  SmallVector<int64_t> resultShape;
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis)
      resultShape.push_back(type.getDimSize(d));
  Value init = filledTensor(b, loc, resultShape, type.getElementType(), initValue);
  SmallVector<Value> inputs{input};
  llvm::append_range(inputs, perRow);
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank)};
  maps.append(perRow.size(), dropDimMap(ctx, rank, axis));
  maps.push_back(dropDimMap(ctx, rank, axis));
  SmallVector<utils::IteratorType> iterators = parallelIterators(rank);
  iterators[axis] = utils::IteratorType::reduction;
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), inputs, init, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, combine(nb, nloc, args));
      });
  return generic.getResult(0);
}

// Collapses all dimensions but the last `keep` into one leading dimension.
Value collapseLeading(OpBuilder &b, Location loc, Value value, int64_t keep) {
  int64_t rank = tensorType(value).getRank();
  if (rank == keep + 1)
    return value;
  SmallVector<ReassociationIndices> groups(1);
  for (int64_t d = 0; d <= rank - keep - 1; ++d)
    groups[0].push_back(d);
  for (int64_t d = rank - keep; d < rank; ++d)
    groups.push_back({d});
  return tensor::CollapseShapeOp::create(b, loc, value, groups);
}

// Inverse of collapseLeading: restores the leading dimensions of `shape`.
Value expandLeading(OpBuilder &b, Location loc, Value value, ArrayRef<int64_t> shape) {
  RankedTensorType type = tensorType(value);
  if (type.getShape() == shape)
    return value;
  int64_t keep = type.getRank() - 1;
  int64_t rank = shape.size();
  SmallVector<ReassociationIndices> groups(1);
  for (int64_t d = 0; d <= rank - keep - 1; ++d)
    groups[0].push_back(d);
  for (int64_t d = rank - keep; d < rank; ++d)
    groups.push_back({d});
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  return tensor::ExpandShapeOp::create(b, loc, resultType, value, groups);
}

// lhs [P, K] x rhs [K, N] (or [N, K] transposed) -> [P, N], accumulated from zero.
// lhs [Bt, M, K] x rhs [Bt, K, N] (or [Bt, N, K]) -> [Bt, M, N] when batched.
Value contraction(OpBuilder &b, Location loc, Value lhs, Value rhs, bool transposeRhs) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType lhsType = tensorType(lhs), rhsType = tensorType(rhs);
  bool batched = lhsType.getRank() == 3;
  int64_t n = rhsType.getDimSize(rhsType.getRank() - (transposeRhs ? 2 : 1));
  SmallVector<int64_t> shape(lhsType.getShape().drop_back());
  shape.push_back(n);
  Type elementType = lhsType.getElementType();
  Value acc = filledTensor(b, loc, shape, elementType, floatConstant(b, loc, elementType, 0.0));

  AffineExpr bt, m, nn, k;
  SmallVector<AffineMap> maps;
  if (batched) {
    bindDims(ctx, bt, m, nn, k);
    maps = {AffineMap::get(4, 0, {bt, m, k}, ctx),
            AffineMap::get(4, 0, transposeRhs ? ArrayRef<AffineExpr>{bt, nn, k}
                                              : ArrayRef<AffineExpr>{bt, k, nn}, ctx),
            AffineMap::get(4, 0, {bt, m, nn}, ctx)};
  } else {
    bindDims(ctx, m, nn, k);
    maps = {AffineMap::get(3, 0, {m, k}, ctx),
            AffineMap::get(3, 0, transposeRhs ? ArrayRef<AffineExpr>{nn, k}
                                              : ArrayRef<AffineExpr>{k, nn}, ctx),
            AffineMap::get(3, 0, {m, nn}, ctx)};
  }
  SmallVector<Attribute> mapAttrs;
  for (AffineMap map : maps)
    mapAttrs.push_back(AffineMapAttr::get(map));
  NamedAttribute indexingMaps(b.getStringAttr("indexing_maps"), b.getArrayAttr(mapAttrs));
  if (batched)
    return linalg::BatchMatmulOp::create(b, loc, TypeRange{acc.getType()}, ValueRange{lhs, rhs},
                                         ValueRange{acc}, ArrayRef{indexingMaps})
        .getResult(0);
  return linalg::MatmulOp::create(b, loc, TypeRange{acc.getType()}, ValueRange{lhs, rhs},
                                  ValueRange{acc}, ArrayRef{indexingMaps})
      .getResult(0);
}

Value gelu(OpBuilder &b, Location loc, Value x, bool tanhForm) {
  Type type = x.getType();
  Value half = floatConstant(b, loc, type, 0.5);
  Value one = floatConstant(b, loc, type, 1.0);
  Value inner;
  if (tanhForm) {
    // sqrt(2/pi) * (x + 0.044715 x^3), exactly as HF's NewGELUActivation.
    Value cube = arith::MulFOp::create(b, loc, arith::MulFOp::create(b, loc, x, x), x);
    Value poly = arith::AddFOp::create(
        b, loc, x, arith::MulFOp::create(b, loc, floatConstant(b, loc, type, 0.044715), cube));
    Value scaled = arith::MulFOp::create(
        b, loc, floatConstant(b, loc, type, 0.7978845608028654), poly);
    inner = math::TanhOp::create(b, loc, scaled);
  } else {
    Value scaled = arith::MulFOp::create(
        b, loc, x, floatConstant(b, loc, type, 0.7071067811865476));
    inner = math::ErfOp::create(b, loc, scaled);
  }
  Value halfX = arith::MulFOp::create(b, loc, half, x);
  return arith::MulFOp::create(b, loc, halfX, arith::AddFOp::create(b, loc, one, inner));
}

Value applyActivation(OpBuilder &b, Location loc, Value x, StringRef activation) {
  if (activation == "gelu_tanh")
    return gelu(b, loc, x, /*tanhForm=*/true);
  if (activation == "gelu_erf")
    return gelu(b, loc, x, /*tanhForm=*/false);
  return x;
}

// Numerically stable softmax along `axis`: exp(x - max) / sum. With
// `zeroHiddenRows`, a row whose every score is the lowest float (all keys
// hidden by masks) yields zeros, as torch's scaled_dot_product_attention does.
Value softmax(OpBuilder &b, Location loc, Value input, int64_t axis, bool zeroHiddenRows) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType type = tensorType(input);
  auto floatType = cast<FloatType>(type.getElementType());
  int64_t rank = type.getRank();
  Value lowest = lowestFloat(b, loc, floatType);
  Value rowMax = reduce(b, loc, input, {}, axis, lowest,
                        [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                          return arith::MaximumFOp::create(nb, nloc, args[0], args[1]);
                        });
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  AffineMap perRow = dropDimMap(ctx, rank, axis);
  Value exps = elementwise(b, loc, {input, rowMax}, {identity, perRow}, type.getShape(),
                           floatType, [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                             return math::ExpOp::create(
                                 nb, nloc, arith::SubFOp::create(nb, nloc, args[0], args[1]));
                           });
  Value rowSum = reduce(b, loc, exps, {}, axis, floatConstant(b, loc, floatType, 0.0),
                        [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                          return arith::AddFOp::create(nb, nloc, args[0], args[1]);
                        });
  Value zero = floatConstant(b, loc, floatType, 0.0);
  return elementwise(b, loc, {exps, rowSum, rowMax}, {identity, perRow, perRow},
                     type.getShape(), floatType,
                     [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                       Value probability = arith::DivFOp::create(nb, nloc, args[0], args[1]);
                       if (!zeroHiddenRows)
                         return probability;
                       Value hidden = arith::CmpFOp::create(nb, nloc, arith::CmpFPredicate::OEQ,
                                                            args[2], lowest);
                       return arith::SelectOp::create(nb, nloc, hidden, zero, probability);
                     });
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

struct LowerEmbedding : OpRewritePattern<EmbeddingOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(EmbeddingOp op, PatternRewriter &b) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    int64_t rank = resultType.getRank();
    Value table = op.getTable();
    // The indices are indexed by every loop but the last (the row element).
    SmallVector<AffineExpr> indexDims;
    for (int64_t d = 0; d < rank - 1; ++d)
      indexDims.push_back(b.getAffineDimExpr(d));
    AffineMap indicesMap = AffineMap::get(rank, 0, indexDims, b.getContext());
    Value result = elementwise(
        b, loc, op.getIndices(), {indicesMap}, resultType.getShape(),
        resultType.getElementType(), [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
          Value row = arith::IndexCastOp::create(nb, nloc, nb.getIndexType(), args[0]);
          Value column = linalg::IndexOp::create(nb, nloc, rank - 1);
          return tensor::ExtractOp::create(nb, nloc, table, ValueRange{row, column});
        });
    b.replaceOp(op, result);
    return success();
  }
};

struct LowerMatmul : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatmulOp op, PatternRewriter &b) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> resultShape = op.getType().getShape();
    bool sharedRhs = tensorType(op.getRhs()).getRank() == 2;
    // A shared weight folds all batch dimensions into M; batched operands
    // (rank 3 or more, per the verifier) fold theirs into one batch dimension
    // for linalg.batch_matmul.
    Value lhs = collapseLeading(b, loc, op.getLhs(), sharedRhs ? 1 : 2);
    Value rhs = sharedRhs ? op.getRhs() : collapseLeading(b, loc, op.getRhs(), 2);
    Value product = contraction(b, loc, lhs, rhs, op.getTransposeRhs());
    b.replaceOp(op, expandLeading(b, loc, product, resultShape));
    return success();
  }
};

struct LowerLinear : OpRewritePattern<LinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LinearOp op, PatternRewriter &b) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    Value input = collapseLeading(b, loc, op.getInput(), 1);
    Value product = contraction(b, loc, input, op.getWeight(), op.getTransposeWeight());
    StringRef activation = op.getActivation();
    Value bias = op.getBias();
    if (bias || activation != "none") {
      ArrayRef<int64_t> shape = tensorType(product).getShape();
      SmallVector<Value> inputs{product};
      SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(2)};
      if (bias) {
        inputs.push_back(bias);
        maps.push_back(trailingMap(b.getContext(), 2, 1));
      }
      product = elementwise(b, loc, inputs, maps, shape, resultType.getElementType(),
                            [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                              Value value = args[0];
                              if (bias)
                                value = arith::AddFOp::create(nb, nloc, value, args[1]);
                              return applyActivation(nb, nloc, value, activation);
                            });
    }
    b.replaceOp(op, expandLeading(b, loc, product, resultType.getShape()));
    return success();
  }
};

template <typename PtmOp, typename ArithOp>
struct LowerBinary : OpRewritePattern<PtmOp> {
  using OpRewritePattern<PtmOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(PtmOp op, PatternRewriter &b) const override {
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank();
    int64_t rhsRank = tensorType(op.getRhs()).getRank();
    Value result = elementwise(
        b, op.getLoc(), {op.getLhs(), op.getRhs()},
        {b.getMultiDimIdentityMap(rank), trailingMap(b.getContext(), rank, rhsRank)},
        type.getShape(), type.getElementType(),
        [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
          return ArithOp::create(nb, nloc, args[0], args[1]);
        });
    b.replaceOp(op, result);
    return success();
  }
};

struct LowerGelu : OpRewritePattern<GeluOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GeluOp op, PatternRewriter &b) const override {
    RankedTensorType type = op.getType();
    bool tanhForm = op.getApproximate() == "tanh";
    Value result = elementwise(b, op.getLoc(), op.getInput(),
                               {b.getMultiDimIdentityMap(type.getRank())}, type.getShape(),
                               type.getElementType(),
                               [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                                 return gelu(nb, nloc, args[0], tanhForm);
                               });
    b.replaceOp(op, result);
    return success();
  }
};

struct LowerLayerNorm : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LayerNormOp op, PatternRewriter &b) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    RankedTensorType type = op.getType();
    Type floatType = type.getElementType();
    int64_t rank = type.getRank();
    int64_t axis = rank - 1;
    Value x = op.getInput();
    Value zero = floatConstant(b, loc, floatType, 0.0);
    Value invWidth = floatConstant(b, loc, floatType, 1.0 / type.getShape().back());
    auto add = [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
      return arith::AddFOp::create(nb, nloc, args[0], args.back());
    };
    Value sum = reduce(b, loc, x, {}, axis, zero, add);
    ArrayRef<int64_t> rowShape = type.getShape().drop_back();
    AffineMap rowIdentity = b.getMultiDimIdentityMap(rank - 1);
    Value mean = elementwise(b, loc, sum, {rowIdentity}, rowShape, floatType,
                             [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                               return arith::MulFOp::create(nb, nloc, args[0], invWidth);
                             });
    // Two-pass variance: sum((x - mean)^2) / D, the biased estimate torch uses.
    Value squares = reduce(b, loc, x, {mean}, axis, zero,
                           [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                             Value centered = arith::SubFOp::create(nb, nloc, args[0], args[1]);
                             Value square = arith::MulFOp::create(nb, nloc, centered, centered);
                             return arith::AddFOp::create(nb, nloc, square, args[2]);
                           });
    Value epsilon = floatConstant(b, loc, floatType, op.getEpsilon().convertToDouble());
    Value invStd = elementwise(b, loc, squares, {rowIdentity}, rowShape, floatType,
                               [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                                 Value variance = arith::MulFOp::create(nb, nloc, args[0], invWidth);
                                 return math::RsqrtOp::create(
                                     nb, nloc, arith::AddFOp::create(nb, nloc, variance, epsilon));
                               });
    AffineMap identity = b.getMultiDimIdentityMap(rank);
    AffineMap perRow = dropDimMap(ctx, rank, axis);
    AffineMap perColumn = trailingMap(ctx, rank, 1);
    Value result = elementwise(
        b, loc, {x, mean, invStd, op.getWeight(), op.getBias()},
        {identity, perRow, perRow, perColumn, perColumn}, type.getShape(), floatType,
        [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
          Value centered = arith::SubFOp::create(nb, nloc, args[0], args[1]);
          Value normalized = arith::MulFOp::create(nb, nloc, centered, args[2]);
          return arith::AddFOp::create(
              nb, nloc, arith::MulFOp::create(nb, nloc, normalized, args[3]), args[4]);
        });
    b.replaceOp(op, result);
    return success();
  }
};

struct LowerSoftmax : OpRewritePattern<SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SoftmaxOp op, PatternRewriter &b) const override {
    b.replaceOp(op, softmax(b, op.getLoc(), op.getInput(), op.getAxis(),
                                /*zeroHiddenRows=*/false));
    return success();
  }
};

struct LowerAttention : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionOp op, PatternRewriter &b) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    RankedTensorType queryType = tensorType(op.getQuery());
    auto floatType = cast<FloatType>(queryType.getElementType());
    int64_t batch = queryType.getDimSize(0), heads = queryType.getDimSize(1);
    int64_t queries = queryType.getDimSize(2);
    int64_t keys = tensorType(op.getKey()).getDimSize(2);

    // scores[b, h, t, s] = q[b, h, t, :] . k[b, h, s, :]
    Value q = collapseLeading(b, loc, op.getQuery(), 2);
    Value k = collapseLeading(b, loc, op.getKey(), 2);
    Value v = collapseLeading(b, loc, op.getValue(), 2);
    Value scores = contraction(b, loc, q, k, /*transposeRhs=*/true);
    SmallVector<int64_t> scoresShape{batch, heads, queries, keys};
    scores = expandLeading(b, loc, scores, scoresShape);

    // Scale, then hide future keys (causal) and padded keys (key_mask) by
    // replacing their score with the lowest finite float.
    Value scale = floatConstant(b, loc, floatType, op.getScale().convertToDouble());
    Value lowest = lowestFloat(b, loc, floatType);
    Value keyMask = op.getKeyMask();
    bool causal = op.getCausal();
    // With a cache, queries are the last `queries` of the `keys` positions.
    int64_t queryOffset = keys - queries;
    SmallVector<Value> inputs{scores};
    SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(4)};
    if (keyMask) {
      inputs.push_back(keyMask);
      maps.push_back(AffineMap::get(4, 0, {getAffineDimExpr(0, ctx), getAffineDimExpr(3, ctx)},
                                    ctx));
    }
    Value masked = elementwise(
        b, loc, inputs, maps, scoresShape, floatType,
        [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
          Value value = arith::MulFOp::create(nb, nloc, args[0], scale);
          if (causal) {
            Value t = linalg::IndexOp::create(nb, nloc, 2);
            Value s = linalg::IndexOp::create(nb, nloc, 3);
            Value visibleLimit = arith::AddIOp::create(
                nb, nloc, t, arith::ConstantIndexOp::create(nb, nloc, queryOffset));
            Value future =
                arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::ugt, s, visibleLimit);
            value = arith::SelectOp::create(nb, nloc, future, lowest, value);
          }
          if (keyMask) {
            Value flag = args[1];
            Value padded;
            if (isa<FloatType>(flag.getType()))
              padded = arith::CmpFOp::create(
                  nb, nloc, arith::CmpFPredicate::OEQ, flag,
                  arith::ConstantOp::create(nb, nloc, nb.getFloatAttr(flag.getType(), 0.0)));
            else
              padded = arith::CmpIOp::create(
                  nb, nloc, arith::CmpIPredicate::eq, flag,
                  arith::ConstantOp::create(nb, nloc, nb.getIntegerAttr(flag.getType(), 0)));
            value = arith::SelectOp::create(nb, nloc, padded, lowest, value);
          }
          return value;
        });
    Value probabilities = softmax(b, loc, masked, /*axis=*/3, /*zeroHiddenRows=*/true);
    Value context = contraction(b, loc, collapseLeading(b, loc, probabilities, 2), v,
                                /*transposeRhs=*/false);
    b.replaceOp(op, expandLeading(b, loc, context, queryType.getShape()));
    return success();
  }
};

struct LowerReshape : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op, PatternRewriter &b) const override {
    // Any reshape of a dense tensor is a collapse to 1-D followed by an
    // expansion; both are free views after bufferization. A rank-0 side holds
    // one element: it expands or collapses with an empty reassociation.
    Location loc = op.getLoc();
    Value input = op.getInput();
    RankedTensorType inType = tensorType(input), outType = op.getType();
    if (inType.getRank() == 0 || outType.getRank() == 0) {
      SmallVector<ReassociationIndices> none;
      if (inType.getRank() == 0 && outType.getRank() == 0)
        b.replaceOp(op, input);
      else if (inType.getRank() == 0)
        b.replaceOpWithNewOp<tensor::ExpandShapeOp>(op, outType, input, none);
      else
        b.replaceOpWithNewOp<tensor::CollapseShapeOp>(op, outType, input, none);
      return success();
    }
    auto allDims = [](int64_t rank) {
      SmallVector<ReassociationIndices> groups(1);
      for (int64_t d = 0; d < rank; ++d)
        groups[0].push_back(d);
      return groups;
    };
    Value flat = input;
    if (inType.getRank() != 1)
      flat = tensor::CollapseShapeOp::create(b, loc, flat, allDims(inType.getRank()));
    Value result = flat;
    if (outType.getRank() != 1)
      result = tensor::ExpandShapeOp::create(b, loc, outType, flat, allDims(outType.getRank()));
    b.replaceOp(op, result);
    return success();
  }
};

struct LowerTranspose : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op, PatternRewriter &b) const override {
    RankedTensorType type = op.getType();
    if (llvm::equal(op.getPermutation(), llvm::seq<int64_t>(0, type.getRank()))) {
      b.replaceOp(op, op.getInput());
      return success();
    }
    Value init = emptyTensor(b, op.getLoc(), type.getShape(), type.getElementType());
    auto transpose =
        linalg::TransposeOp::create(b, op.getLoc(), op.getInput(), init, op.getPermutation());
    b.replaceOp(op, transpose.getResult());
    return success();
  }
};

struct LowerSlice : OpRewritePattern<SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SliceOp op, PatternRewriter &b) const override {
    RankedTensorType type = op.getType();
    SmallVector<int64_t> strides(type.getRank(), 1);
    b.replaceOpWithNewOp<tensor::ExtractSliceOp>(op, type, op.getInput(), ValueRange{},
                                                 ValueRange{}, ValueRange{}, op.getOffsets(),
                                                 type.getShape(), strides);
    return success();
  }
};

struct PtmDecomposePass : ptm::impl::PtmDecomposeBase<PtmDecomposePass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<PtmDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(ctx);
    patterns.add<LowerEmbedding, LowerMatmul, LowerLinear, LowerBinary<AddOp, arith::AddFOp>,
                 LowerBinary<MulOp, arith::MulFOp>, LowerGelu, LowerLayerNorm, LowerSoftmax,
                 LowerAttention, LowerReshape, LowerTranspose, LowerSlice>(ctx);
    if (failed(applyPartialConversion(getOperation(), target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
