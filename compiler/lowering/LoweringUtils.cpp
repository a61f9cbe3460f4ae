#include "compiler/lowering/LoweringUtils.h"

#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"

#include <cmath>

using namespace mlir;

namespace ptm::lowering {

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

AffineMap trailingMap(MLIRContext *ctx, int64_t loopRank, int64_t rank) {
  return AffineMap::getMinorIdentityMap(loopRank, rank, ctx);
}

AffineMap dropDimMap(MLIRContext *ctx, int64_t loopRank, int64_t axis) {
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < loopRank; ++d)
    if (d != axis)
      exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(loopRank, 0, exprs, ctx);
}


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

Value contraction(OpBuilder &b, Location loc, Value lhs, Value rhs, bool transposeRhs,
                  bool transposeLhs) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType lhsType = tensorType(lhs), rhsType = tensorType(rhs);
  bool batched = lhsType.getRank() == 3;
  int64_t n = rhsType.getDimSize(rhsType.getRank() - (transposeRhs ? 2 : 1));
  int64_t m = lhsType.getDimSize(lhsType.getRank() - (transposeLhs ? 1 : 2));
  SmallVector<int64_t> shape(lhsType.getShape().drop_back(2));
  shape.push_back(m);
  shape.push_back(n);
  Type elementType = lhsType.getElementType();
  Value acc = filledTensor(b, loc, shape, elementType, floatConstant(b, loc, elementType, 0.0));

  AffineExpr bt, mm, nn, k;
  SmallVector<AffineMap> maps;
  if (batched) {
    bindDims(ctx, bt, mm, nn, k);
    maps = {AffineMap::get(4, 0, transposeLhs ? ArrayRef<AffineExpr>{bt, k, mm}
                                              : ArrayRef<AffineExpr>{bt, mm, k}, ctx),
            AffineMap::get(4, 0, transposeRhs ? ArrayRef<AffineExpr>{bt, nn, k}
                                              : ArrayRef<AffineExpr>{bt, k, nn}, ctx),
            AffineMap::get(4, 0, {bt, mm, nn}, ctx)};
  } else {
    bindDims(ctx, mm, nn, k);
    maps = {AffineMap::get(3, 0, transposeLhs ? ArrayRef<AffineExpr>{k, mm}
                                              : ArrayRef<AffineExpr>{mm, k}, ctx),
            AffineMap::get(3, 0, transposeRhs ? ArrayRef<AffineExpr>{nn, k}
                                              : ArrayRef<AffineExpr>{k, nn}, ctx),
            AffineMap::get(3, 0, {mm, nn}, ctx)};
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
  Value rowSum = sumAlong(b, loc, exps, axis);
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

Value sumAlong(OpBuilder &b, Location loc, Value input, int64_t axis) {
  return reduce(b, loc, input, {}, axis,
                floatConstant(b, loc, tensorType(input).getElementType(), 0.0),
                [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                  return arith::AddFOp::create(nb, nloc, args[0], args.back());
                });
}

SmallVector<ReassociationIndices> mergeAllDims(int64_t rank) {
  SmallVector<ReassociationIndices> groups(1);
  for (int64_t d = 0; d < rank; ++d)
    groups[0].push_back(d);
  return groups;
}

Value sumLeading(OpBuilder &b, Location loc, Value input, int64_t keep) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType type = tensorType(input);
  int64_t rank = type.getRank();
  if (rank == keep)
    return input;
  ArrayRef<int64_t> resultShape = type.getShape().take_back(keep);
  Value init = filledTensor(b, loc, resultShape, type.getElementType(),
                            floatConstant(b, loc, type.getElementType(), 0.0));
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  for (int64_t d = 0; d < rank - keep; ++d)
    iterators[d] = utils::IteratorType::reduction;
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank), trailingMap(ctx, rank, keep)};
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), input, init, maps, iterators,
      [](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, arith::AddFOp::create(nb, nloc, args[0], args[1]).getResult());
      });
  return generic.getResult(0);
}

Value geluDerivative(OpBuilder &b, Location loc, Value x, bool tanhForm) {
  Type type = x.getType();
  Value half = floatConstant(b, loc, type, 0.5);
  Value one = floatConstant(b, loc, type, 1.0);
  if (tanhForm) {
    // u = c (x + a x^3), t = tanh(u):
    // d/dx 0.5 x (1 + t) = 0.5 (1 + t) + 0.5 x (1 - t^2) c (1 + 3 a x^2)
    Value c = floatConstant(b, loc, type, 0.7978845608028654);
    Value a = floatConstant(b, loc, type, 0.044715);
    Value x2 = arith::MulFOp::create(b, loc, x, x);
    Value poly = arith::AddFOp::create(
        b, loc, x, arith::MulFOp::create(b, loc, a, arith::MulFOp::create(b, loc, x2, x)));
    Value t = math::TanhOp::create(b, loc, arith::MulFOp::create(b, loc, c, poly));
    Value du = arith::MulFOp::create(
        b, loc, c,
        arith::AddFOp::create(
            b, loc, one,
            arith::MulFOp::create(b, loc, floatConstant(b, loc, type, 3 * 0.044715), x2)));
    Value sech2 = arith::SubFOp::create(b, loc, one, arith::MulFOp::create(b, loc, t, t));
    Value left = arith::MulFOp::create(b, loc, half, arith::AddFOp::create(b, loc, one, t));
    Value right = arith::MulFOp::create(
        b, loc, arith::MulFOp::create(b, loc, half, x), arith::MulFOp::create(b, loc, sech2, du));
    return arith::AddFOp::create(b, loc, left, right);
  }
  // d/dx x Phi(x) = Phi(x) + x phi(x)
  Value erf = math::ErfOp::create(
      b, loc, arith::MulFOp::create(b, loc, x, floatConstant(b, loc, type, 0.7071067811865476)));
  Value cdf = arith::MulFOp::create(b, loc, half, arith::AddFOp::create(b, loc, one, erf));
  Value negHalfX2 = arith::MulFOp::create(
      b, loc, floatConstant(b, loc, type, -0.5), arith::MulFOp::create(b, loc, x, x));
  Value pdf = arith::MulFOp::create(b, loc, floatConstant(b, loc, type, 0.3989422804014327),
                                    math::ExpOp::create(b, loc, negHalfX2));
  return arith::AddFOp::create(b, loc, cdf, arith::MulFOp::create(b, loc, x, pdf));
}

RowStatistics rowStatistics(OpBuilder &b, Location loc, Value x, double epsilon) {
  RankedTensorType type = tensorType(x);
  Type floatType = type.getElementType();
  int64_t rank = type.getRank();
  int64_t axis = rank - 1;
  Value zero = floatConstant(b, loc, floatType, 0.0);
  Value invWidth = floatConstant(b, loc, floatType, 1.0 / type.getShape().back());
  // Both reductions start from the same zero.
  Value sum = reduce(b, loc, x, {}, axis, zero,
                     [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                       return arith::AddFOp::create(nb, nloc, args[0], args.back());
                     });
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
  Value eps = floatConstant(b, loc, floatType, epsilon);
  Value invStdDev = elementwise(b, loc, squares, {rowIdentity}, rowShape, floatType,
                                [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                                  Value variance = arith::MulFOp::create(nb, nloc, args[0], invWidth);
                                  return math::RsqrtOp::create(
                                      nb, nloc, arith::AddFOp::create(nb, nloc, variance, eps));
                                });
  return {mean, invStdDev};
}

Value hideFutureKey(OpBuilder &b, Location loc, Value score, Value query, Value key, int64_t queryOffset,
                    Value lowest) {
  Value visibleLimit = arith::AddIOp::create(b, loc, query, arith::ConstantIndexOp::create(b, loc, queryOffset));
  Value future = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt, key, visibleLimit);
  return arith::SelectOp::create(b, loc, future, lowest, score);
}

Value hidePaddedKey(OpBuilder &b, Location loc, Value score, Value flag, Value lowest) {
  Value padded;
  if (isa<FloatType>(flag.getType()))
    padded = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, flag,
                                   arith::ConstantOp::create(b, loc, b.getFloatAttr(flag.getType(), 0.0)));
  else
    padded = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, flag,
                                   arith::ConstantOp::create(b, loc, b.getIntegerAttr(flag.getType(), 0)));
  return arith::SelectOp::create(b, loc, padded, lowest, score);
}

Value attentionProbabilities(OpBuilder &b, Location loc, Value query, Value key, Value keyMask,
                             double scaleValue, bool causal) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType queryType = tensorType(query);
  auto floatType = cast<FloatType>(queryType.getElementType());
  int64_t batch = queryType.getDimSize(0), heads = queryType.getDimSize(1);
  int64_t queries = queryType.getDimSize(2);
  int64_t keys = tensorType(key).getDimSize(2);

  // scores[b, h, t, s] = q[b, h, t, :] . k[b, h, s, :]
  Value scores = contraction(b, loc, collapseLeading(b, loc, query, 2),
                             collapseLeading(b, loc, key, 2), /*transposeRhs=*/true);
  SmallVector<int64_t> scoresShape{batch, heads, queries, keys};
  scores = expandLeading(b, loc, scores, scoresShape);

  // Scale, then hide future keys (causal) and padded keys (keyMask) by
  // replacing their score with the lowest finite float.
  Value scale = floatConstant(b, loc, floatType, scaleValue);
  Value lowest = lowestFloat(b, loc, floatType);
  // With a cache, queries are the last `queries` of the `keys` positions.
  int64_t queryOffset = keys - queries;
  SmallVector<Value> inputs{scores};
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(4)};
  if (keyMask) {
    inputs.push_back(keyMask);
    maps.push_back(
        AffineMap::get(4, 0, {getAffineDimExpr(0, ctx), getAffineDimExpr(3, ctx)}, ctx));
  }
  Value masked = elementwise(
      b, loc, inputs, maps, scoresShape, floatType,
      [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
        Value value = arith::MulFOp::create(nb, nloc, args[0], scale);
        if (causal) {
          Value t = linalg::IndexOp::create(nb, nloc, 2);
          Value s = linalg::IndexOp::create(nb, nloc, 3);
          value = hideFutureKey(nb, nloc, value, t, s, queryOffset, lowest);
        }
        if (keyMask)
          value = hidePaddedKey(nb, nloc, value, args[1], lowest);
        return value;
      });
  return softmax(b, loc, masked, /*axis=*/3, /*zeroHiddenRows=*/true);
}


Value dropoutKeeps(OpBuilder &b, Location loc, Value seed, Value index, int64_t stream,
                   double probability) {
  // Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2,
  // 3", SC 2011), the generator of torch's CUDA dropout and of JAX.
  constexpr uint32_t kMultiplier0 = 0xD2511F53, kMultiplier1 = 0xCD9E8D57;
  constexpr uint32_t kWeyl0 = 0x9E3779B9, kWeyl1 = 0xBB67AE85;
  Type i32 = b.getI32Type(), i64 = b.getI64Type();
  auto word = [&](uint32_t value) -> Value {
    return arith::ConstantOp::create(b, loc, b.getIntegerAttr(i32, value));
  };
  Value thirtyTwo = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(32));
  auto low = [&](Value value) -> Value { return arith::TruncIOp::create(b, loc, i32, value); };
  auto high = [&](Value value) -> Value {
    return low(arith::ShRUIOp::create(b, loc, value, thirtyTwo));
  };
  Value key0 = low(seed), key1 = high(seed);
  Value counter[4] = {low(index), high(index), word(static_cast<uint32_t>(stream)), word(0)};
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key0 = arith::AddIOp::create(b, loc, key0, word(kWeyl0));
      key1 = arith::AddIOp::create(b, loc, key1, word(kWeyl1));
    }
    auto product0 = arith::MulUIExtendedOp::create(b, loc, word(kMultiplier0), counter[0]);
    auto product1 = arith::MulUIExtendedOp::create(b, loc, word(kMultiplier1), counter[2]);
    Value next0 = arith::XOrIOp::create(
        b, loc, arith::XOrIOp::create(b, loc, product1.getHigh(), counter[1]), key0);
    Value next2 = arith::XOrIOp::create(
        b, loc, arith::XOrIOp::create(b, loc, product0.getHigh(), counter[3]), key1);
    counter[0] = next0;
    counter[1] = product1.getLow();
    counter[2] = next2;
    counter[3] = product0.getLow();
  }
  // u = word / 2^32 < 1 - p  <=>  word < ceil((1 - p) * 2^32), exactly.
  auto threshold = static_cast<int64_t>(std::ceil((1.0 - probability) * 4294967296.0));
  Value drawn = arith::ExtUIOp::create(b, loc, i64, counter[0]);
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, drawn,
                               arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(threshold)));
}

Value dropout(OpBuilder &b, Location loc, Value input, Value seed, double probability,
              int64_t stream) {
  RankedTensorType type = tensorType(input);
  int64_t rank = type.getRank();
  ArrayRef<int64_t> shape = type.getShape();
  Type floatType = type.getElementType();
  return elementwise(
      b, loc, {input, seed}, {b.getMultiDimIdentityMap(rank), AffineMap::get(rank, 0, b.getContext())},
      shape, floatType, [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
        Value linear = arith::ConstantIndexOp::create(nb, nloc, 0);
        for (int64_t d = 0; d < rank; ++d)
          linear = arith::AddIOp::create(
              nb, nloc,
              arith::MulIOp::create(nb, nloc, linear,
                                    arith::ConstantIndexOp::create(nb, nloc, shape[d])),
              linalg::IndexOp::create(nb, nloc, d));
        Value index = arith::IndexCastOp::create(nb, nloc, nb.getI64Type(), linear);
        Value keeps = dropoutKeeps(nb, nloc, args[1], index, stream, probability);
        Value scaled = arith::MulFOp::create(
            nb, nloc, args[0], floatConstant(nb, nloc, floatType, 1.0 / (1.0 - probability)));
        return arith::SelectOp::create(nb, nloc, keeps, scaled,
                                       floatConstant(nb, nloc, floatType, 0.0));
      });
}

} // namespace ptm::lowering
