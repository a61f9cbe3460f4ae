// Vector-Jacobian products of the differentiable ptm ops (see
// DifferentiableOpInterface in PtmInterfaces.td). Each rule receives the
// gradients of the op's results and builds those of its operands with ptm
// ops, so that the backward pass is optimised by the same pipeline.
#include "dialects/ptm/PtmOps.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace ptm;

namespace {

RankedTensorType typeOf(Value value) { return cast<RankedTensorType>(value.getType()); }

RankedTensorType withShape(Value like, ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, typeOf(like).getElementType());
}

// The gradient of a value broadcast over leading dimensions to `grad`'s shape.
Value sumToShapeOf(OpBuilder &b, Location loc, Value grad, Value target) {
  if (typeOf(grad) == typeOf(target))
    return grad;
  return ReduceLeadingOp::create(b, loc, typeOf(target), grad);
}

// Collapses [batch..., X] into [P, X].
Value flattenRows(OpBuilder &b, Location loc, Value value) {
  ArrayRef<int64_t> shape = typeOf(value).getShape();
  if (shape.size() == 2)
    return value;
  int64_t rows = 1;
  for (int64_t d : shape.drop_back())
    rows *= d;
  return ReshapeOp::create(b, loc, withShape(value, {rows, shape.back()}), value);
}

} // namespace

LogicalResult EmbeddingOp::buildVjp(OpBuilder &b, ArrayRef<Value> resultGradients,
                                    SmallVectorImpl<Value> &operandGradients) {
  if (typeOf(getTable()).getElementType() != typeOf(getResult()).getElementType())
    return emitOpError("has no VJP rule for a bf16 table (bf16 weights are for inference)");
  Value tableGrad = EmbeddingGradOp::create(b, getLoc(), typeOf(getTable()), resultGradients[0],
                                            getIndices());
  operandGradients.assign({tableGrad, Value()});
  return success();
}

LogicalResult MatmulOp::buildVjp(OpBuilder &b, ArrayRef<Value> resultGradients,
                                 SmallVectorImpl<Value> &operandGradients) {
  if (getTransposeLhs())
    return emitOpError("has no VJP rule with transpose_lhs (only weight gradients use it)");
  if (typeOf(getRhs()).getElementType() != typeOf(getLhs()).getElementType())
    return emitOpError("has no VJP rule for a bf16 rhs (bf16 weights are for inference)");
  Location loc = getLoc();
  Value g = resultGradients[0];
  Value lhs = getLhs(), rhs = getRhs();
  bool transposedRhs = getTransposeRhs();
  // C = A · op(B). dA = dC · op(B)ᵀ.
  Value lhsGrad = MatmulOp::create(b, loc, typeOf(lhs), g, rhs,
                                   /*transpose_rhs=*/!transposedRhs, /*transpose_lhs=*/false);
  // dB = Aᵀ · dC (or dCᵀ · A when B is stored transposed); a weight shared by
  // every batch element sums over all rows.
  bool sharedRhs = typeOf(rhs).getRank() == 2 && typeOf(lhs).getRank() > 2;
  Value a = sharedRhs ? flattenRows(b, loc, lhs) : lhs;
  Value gc = sharedRhs ? flattenRows(b, loc, g) : g;
  Value rhsGrad = transposedRhs
                      ? MatmulOp::create(b, loc, typeOf(rhs), gc, a, /*transpose_rhs=*/false,
                                         /*transpose_lhs=*/true)
                      : MatmulOp::create(b, loc, typeOf(rhs), a, gc, /*transpose_rhs=*/false,
                                         /*transpose_lhs=*/true);
  operandGradients.assign({lhsGrad, rhsGrad});
  return success();
}

LogicalResult AddOp::buildVjp(OpBuilder &b, ArrayRef<Value> resultGradients,
                              SmallVectorImpl<Value> &operandGradients) {
  Value g = resultGradients[0];
  operandGradients.assign({g, sumToShapeOf(b, getLoc(), g, getRhs())});
  return success();
}

LogicalResult MulOp::buildVjp(OpBuilder &b, ArrayRef<Value> resultGradients,
                              SmallVectorImpl<Value> &operandGradients) {
  Location loc = getLoc();
  Value g = resultGradients[0];
  Value lhsGrad = MulOp::create(b, loc, typeOf(g), g, getRhs());
  Value rhsGradFull = MulOp::create(b, loc, typeOf(g), g, getLhs());
  operandGradients.assign({lhsGrad, sumToShapeOf(b, loc, rhsGradFull, getRhs())});
  return success();
}

LogicalResult GeluOp::buildVjp(OpBuilder &b, ArrayRef<Value> resultGradients,
                               SmallVectorImpl<Value> &operandGradients) {
  operandGradients.assign({GeluGradOp::create(b, getLoc(), getType(), resultGradients[0],
                                              getInput(), getApproximateAttr())});
  return success();
}

LogicalResult TanhOp::buildVjp(OpBuilder &b, ArrayRef<Value> resultGradients,
                               SmallVectorImpl<Value> &operandGradients) {
  operandGradients.assign(
      {TanhGradOp::create(b, getLoc(), getType(), resultGradients[0], getResult())});
  return success();
}

LogicalResult LayerNormOp::buildVjp(OpBuilder &b, ArrayRef<Value> resultGradients,
                                    SmallVectorImpl<Value> &operandGradients) {
  auto grads = LayerNormGradOp::create(b, getLoc(), typeOf(getInput()), typeOf(getWeight()),
                                       typeOf(getBias()), resultGradients[0], getInput(),
                                       getWeight(), getEpsilonAttr());
  operandGradients.assign({grads.getInputGrad(), grads.getWeightGrad(), grads.getBiasGrad()});
  return success();
}

LogicalResult SoftmaxOp::buildVjp(OpBuilder &b, ArrayRef<Value> resultGradients,
                                  SmallVectorImpl<Value> &operandGradients) {
  operandGradients.assign({SoftmaxGradOp::create(b, getLoc(), getType(), resultGradients[0],
                                                 getResult(), getAxisAttr())});
  return success();
}

LogicalResult AttentionOp::buildVjp(OpBuilder &b, ArrayRef<Value> resultGradients,
                                    SmallVectorImpl<Value> &operandGradients) {
  auto grads = AttentionGradOp::create(b, getLoc(), typeOf(getQuery()), typeOf(getKey()),
                                       typeOf(getValue()), resultGradients[0], getQuery(),
                                       getKey(), getValue(), getKeyMask(), getDropoutSeed(),
                                       getScaleAttr(), getCausalAttr(), getDropoutAttr(),
                                       getDropoutStreamAttr());
  operandGradients.assign({grads.getQueryGrad(), grads.getKeyGrad(), grads.getValueGrad()});
  if (getKeyMask())
    operandGradients.push_back(Value());
  if (getDropoutSeed())
    operandGradients.push_back(Value());
  return success();
}

LogicalResult DropoutOp::buildVjp(OpBuilder &b, ArrayRef<Value> resultGradients,
                                  SmallVectorImpl<Value> &operandGradients) {
  // Dropout is linear with a fixed mask: its VJP is the same dropout (same
  // seed and stream, hence the same mask and scale) of the gradient.
  operandGradients.assign({DropoutOp::create(b, getLoc(), getType(), resultGradients[0], getSeed(),
                                             getProbabilityAttr(), getStreamAttr()),
                           Value()});
  return success();
}

LogicalResult ReshapeOp::buildVjp(OpBuilder &b, ArrayRef<Value> resultGradients,
                                  SmallVectorImpl<Value> &operandGradients) {
  operandGradients.assign(
      {ReshapeOp::create(b, getLoc(), typeOf(getInput()), resultGradients[0])});
  return success();
}

LogicalResult TransposeOp::buildVjp(OpBuilder &b, ArrayRef<Value> resultGradients,
                                    SmallVectorImpl<Value> &operandGradients) {
  ArrayRef<int64_t> permutation = getPermutation();
  SmallVector<int64_t> inverse(permutation.size());
  for (auto [position, dim] : llvm::enumerate(permutation))
    inverse[dim] = position;
  operandGradients.assign({TransposeOp::create(b, getLoc(), typeOf(getInput()),
                                               resultGradients[0],
                                               b.getDenseI64ArrayAttr(inverse))});
  return success();
}

LogicalResult SliceOp::buildVjp(OpBuilder &b, ArrayRef<Value> resultGradients,
                                SmallVectorImpl<Value> &operandGradients) {
  operandGradients.assign({SliceGradOp::create(b, getLoc(), typeOf(getInput()),
                                               resultGradients[0], getOffsetsAttr())});
  return success();
}

// Each input's gradient is its window of the result's gradient.
LogicalResult ConcatOp::buildVjp(OpBuilder &b, ArrayRef<Value> resultGradients,
                                 SmallVectorImpl<Value> &operandGradients) {
  int64_t dim = getDim();
  SmallVector<int64_t> offsets(typeOf(getResult()).getRank(), 0);
  operandGradients.clear();
  for (Value input : getInputs()) {
    RankedTensorType type = typeOf(input);
    operandGradients.push_back(
        SliceOp::create(b, getLoc(), type, resultGradients[0], b.getDenseI64ArrayAttr(offsets)));
    offsets[dim] += type.getShape()[dim];
  }
  return success();
}

LogicalResult CrossEntropyOp::buildVjp(OpBuilder &b, ArrayRef<Value> resultGradients,
                                       SmallVectorImpl<Value> &operandGradients) {
  Value logitsGrad = CrossEntropyGradOp::create(b, getLoc(), typeOf(getLogits()),
                                                resultGradients[0], getLogits(), getLabels(),
                                                getCount(), getIgnoreIndexAttr(),
                                                getShiftLabelsAttr());
  operandGradients.assign({logitsGrad, Value()});
  // The count is a number of positions: nothing flows back into it.
  if (getCount())
    operandGradients.push_back(Value());
  return success();
}
