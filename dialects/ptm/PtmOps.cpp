// Verifiers and folders of the ptm ops. Messages name shapes the way users
// write them ([2,16,64]) so that a wrong model spec is easy to trace.
#include "dialects/ptm/PtmOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace ptm;

namespace {

std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << '[';
  llvm::interleave(shape, os, ",");
  os << ']';
  return text;
}

RankedTensorType tensorType(Value value) {
  return cast<RankedTensorType>(value.getType());
}

ArrayRef<int64_t> shapeOf(Value value) { return tensorType(value).getShape(); }

// Every op of the dialect requires static shapes; dynamic ones would only be
// discovered as miscompiles later.
LogicalResult verifyStatic(Operation *op) {
  for (Type type : llvm::concat<Type>(op->getOperandTypes(), op->getResultTypes())) {
    auto ranked = dyn_cast<RankedTensorType>(type);
    if (ranked && !ranked.hasStaticShape())
      return op->emitOpError("needs static shapes, got ") << type;
  }
  return success();
}

LogicalResult verifySameElementType(Operation *op, ArrayRef<Value> values) {
  Type expected = tensorType(op->getResult(0)).getElementType();
  for (Value value : values)
    if (value && tensorType(value).getElementType() != expected)
      return op->emitOpError("mixes element types: ")
             << tensorType(value).getElementType() << " operand, " << expected
             << " result";
  return success();
}

// A weight has the result's element type, or is bf16 for an f32 result
// (`--precision bf16`: stored in bf16, widened as it is read).
LogicalResult verifyWeightElementType(Operation *op, Value weight) {
  Type expected = tensorType(op->getResult(0)).getElementType();
  Type actual = tensorType(weight).getElementType();
  if (actual == expected || (actual.isBF16() && expected.isF32()))
    return success();
  return op->emitOpError("mixes element types: ")
         << actual << " weight, " << expected << " result (a weight may be bf16 for an f32 result)";
}

LogicalResult verifyResultShape(Operation *op, ArrayRef<int64_t> expected) {
  ArrayRef<int64_t> actual = shapeOf(op->getResult(0));
  if (actual != expected)
    return op->emitOpError("result shape ")
           << formatShape(actual) << " should be " << formatShape(expected);
  return success();
}

// Layer norm's weight and bias are [D] for an input [..., D]; its epsilon is
// positive (which NaN is not).
LogicalResult verifyNormParameters(Operation *op, ArrayRef<int64_t> input, Value weight, Value bias,
                                   const llvm::APFloat &epsilon) {
  for (Value param : {weight, bias})
    if (shapeOf(param) != ArrayRef<int64_t>{input.back()})
      return op->emitOpError("weight and bias must be [")
             << input.back() << "] for input " << formatShape(input) << ", got "
             << formatShape(shapeOf(param));
  if (!(epsilon.convertToDouble() > 0.0))
    return op->emitOpError("epsilon must be positive");
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// EmbeddingOp
//===----------------------------------------------------------------------===//

LogicalResult EmbeddingOp::verify() {
  if (failed(verifyStatic(*this)))
    return failure();
  ArrayRef<int64_t> table = shapeOf(getTable());
  if (table.size() != 2)
    return emitOpError("table must be [vocab, dim], got ") << formatShape(table);
  if (failed(verifyWeightElementType(*this, getTable())))
    return failure();
  SmallVector<int64_t> expected(shapeOf(getIndices()));
  expected.push_back(table[1]);
  return verifyResultShape(*this, expected);
}

//===----------------------------------------------------------------------===//
// MatmulOp and LinearOp
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::verify() {
  if (failed(verifyStatic(*this)) || failed(verifySameElementType(*this, {getLhs()})) ||
      failed(verifyWeightElementType(*this, getRhs())))
    return failure();
  ArrayRef<int64_t> lhs = shapeOf(getLhs()), rhs = shapeOf(getRhs());
  if (tensorType(getRhs()).getElementType() != tensorType(getLhs()).getElementType() && rhs.size() != 2)
    return emitOpError("only a rank-2 rhs (a weight) may be bf16, got ") << formatShape(rhs);
  if (lhs.size() < 2)
    return emitOpError("lhs must have rank 2 or more, got ") << formatShape(lhs);
  if (rhs.size() != 2 && rhs.size() != lhs.size())
    return emitOpError("rhs ")
           << formatShape(rhs) << " must be rank 2 or have the rank of lhs "
           << formatShape(lhs);
  if (getTransposeLhs() && rhs.size() != lhs.size())
    return emitOpError("with transpose_lhs, rhs ")
           << formatShape(rhs) << " must have the rank of lhs " << formatShape(lhs);
  ArrayRef<int64_t> lhsBatch = lhs.drop_back(2);
  if (rhs.size() == lhs.size() && rhs.drop_back(2) != lhsBatch)
    return emitOpError("batch dimensions differ: lhs ")
           << formatShape(lhs) << ", rhs " << formatShape(rhs);
  int64_t lhsK = lhs[lhs.size() - (getTransposeLhs() ? 2 : 1)];
  int64_t lhsM = lhs[lhs.size() - (getTransposeLhs() ? 1 : 2)];
  int64_t rhsK = rhs[rhs.size() - (getTransposeRhs() ? 1 : 2)];
  int64_t rhsN = rhs[rhs.size() - (getTransposeRhs() ? 2 : 1)];
  if (lhsK != rhsK)
    return emitOpError("contraction sizes differ: lhs ")
           << formatShape(lhs) << " has K=" << lhsK << (getTransposeLhs() ? " (lhs transposed)" : "")
           << " but rhs " << formatShape(rhs) << " has K=" << rhsK
           << (getTransposeRhs() ? " (rhs transposed)" : "");
  SmallVector<int64_t> expected(lhsBatch);
  expected.push_back(lhsM);
  expected.push_back(rhsN);
  return verifyResultShape(*this, expected);
}

LogicalResult LinearOp::verify() {
  if (failed(verifyStatic(*this)) ||
      failed(verifySameElementType(*this, {getInput(), getBias()})) ||
      failed(verifyWeightElementType(*this, getWeight())))
    return failure();
  StringRef activation = getActivation();
  if (activation != "none" && activation != "gelu_tanh" && activation != "gelu_erf")
    return emitOpError("unknown activation '")
           << activation << "' (expected none, gelu_tanh or gelu_erf)";
  ArrayRef<int64_t> input = shapeOf(getInput()), weight = shapeOf(getWeight());
  if (input.size() < 2)
    return emitOpError("input must be [rows..., features] (rank 2 or more), got ")
           << formatShape(input);
  if (weight.size() != 2)
    return emitOpError("weight must be rank 2, got ") << formatShape(weight);
  int64_t inFeatures = weight[getTransposeWeight() ? 1 : 0];
  int64_t outFeatures = weight[getTransposeWeight() ? 0 : 1];
  if (input.back() != inFeatures)
    return emitOpError("input ")
           << formatShape(input) << " has " << input.back()
           << " features but weight " << formatShape(weight) << " expects "
           << inFeatures;
  if (getBias() && shapeOf(getBias()) != ArrayRef<int64_t>{outFeatures})
    return emitOpError("bias ")
           << formatShape(shapeOf(getBias())) << " should be [" << outFeatures
           << "]";
  SmallVector<int64_t> expected(input.drop_back());
  expected.push_back(outFeatures);
  return verifyResultShape(*this, expected);
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

static LogicalResult verifyTrailingBroadcast(Operation *op, Value lhs, Value rhs) {
  if (failed(verifyStatic(op)) || failed(verifySameElementType(op, {lhs, rhs})))
    return failure();
  ArrayRef<int64_t> lhsShape = shapeOf(lhs), rhsShape = shapeOf(rhs);
  if (rhsShape.size() > lhsShape.size() ||
      lhsShape.take_back(rhsShape.size()) != rhsShape)
    return op->emitOpError("rhs ")
           << formatShape(rhsShape)
           << " must equal the trailing dimensions of lhs "
           << formatShape(lhsShape);
  return verifyResultShape(op, lhsShape);
}

LogicalResult AddOp::verify() { return verifyTrailingBroadcast(*this, getLhs(), getRhs()); }
LogicalResult MulOp::verify() { return verifyTrailingBroadcast(*this, getLhs(), getRhs()); }

LogicalResult TanhOp::verify() { return verifyStatic(*this); }

LogicalResult GeluOp::verify() {
  if (getApproximate() != "none" && getApproximate() != "tanh")
    return emitOpError("approximate must be \"none\" or \"tanh\", got \"")
           << getApproximate() << "\"";
  return verifyStatic(*this);
}

//===----------------------------------------------------------------------===//
// LayerNormOp and SoftmaxOp
//===----------------------------------------------------------------------===//

LogicalResult LayerNormOp::verify() {
  if (failed(verifyStatic(*this)) ||
      failed(verifySameElementType(*this, {getInput(), getWeight(), getBias()})))
    return failure();
  ArrayRef<int64_t> input = shapeOf(getInput());
  if (input.empty())
    return emitOpError("input must have rank 1 or more");
  if (failed(verifyNormParameters(*this, input, getWeight(), getBias(), getEpsilon())))
    return failure();
  return verifyResultShape(*this, input);
}

LogicalResult ResidualLayerNormOp::verify() {
  if (failed(verifyStatic(*this)) ||
      failed(verifySameElementType(*this, {getInput(), getResidual(), getWeight(), getBias()})))
    return failure();
  ArrayRef<int64_t> input = shapeOf(getInput());
  if (input.empty())
    return emitOpError("input must have rank 1 or more");
  if (shapeOf(getResidual()) != input)
    return emitOpError("residual ") << formatShape(shapeOf(getResidual()))
                                    << " should have the shape of input " << formatShape(input);
  if (failed(verifyNormParameters(*this, input, getWeight(), getBias(), getEpsilon())))
    return failure();
  for (Value result : {getSum(), getResult()})
    if (shapeOf(result) != input)
      return emitOpError("results should be ") << formatShape(input) << ", got "
                                               << formatShape(shapeOf(result));
  return success();
}

LogicalResult SoftmaxOp::verify() {
  int64_t rank = tensorType(getInput()).getRank();
  int64_t axis = getAxisAttr().getInt();
  if (axis < 0 || axis >= rank)
    return emitOpError("axis ") << axis << " is out of range for rank " << rank;
  return verifyStatic(*this);
}

//===----------------------------------------------------------------------===//
// Dropout
//===----------------------------------------------------------------------===//

static LogicalResult verifyDropoutProbability(Operation *op, double probability) {
  // p = 1 would divide by zero; sites with p = 0 are left out by the builders.
  if (!(probability >= 0.0 && probability < 1.0))
    return op->emitOpError("dropout probability must be in [0, 1), got ") << probability;
  return success();
}

LogicalResult DropoutOp::verify() {
  if (failed(verifyStatic(*this)) || failed(verifySameElementType(*this, {getInput()})) ||
      failed(verifyDropoutProbability(*this, getProbability().convertToDouble())))
    return failure();
  return verifyResultShape(*this, shapeOf(getInput()));
}

// Attention dropout needs a seed, and a seed needs a probability.
static LogicalResult verifyAttentionDropout(Operation *op, Value seed, double probability) {
  if (failed(verifyDropoutProbability(op, probability)))
    return failure();
  if (static_cast<bool>(seed) != (probability > 0.0))
    return op->emitOpError("dropout_seed must be given exactly when dropout > 0");
  return success();
}

//===----------------------------------------------------------------------===//
// AttentionOp
//===----------------------------------------------------------------------===//

LogicalResult AttentionOp::verify() {
  if (failed(verifyStatic(*this)) ||
      failed(verifySameElementType(*this, {getQuery(), getKey(), getValue()})) ||
      failed(verifyAttentionDropout(*this, getDropoutSeed(), getDropout().convertToDouble())))
    return failure();
  ArrayRef<int64_t> q = shapeOf(getQuery()), k = shapeOf(getKey()),
                    v = shapeOf(getValue());
  if (q.size() != 4 || k.size() != 4 || v.size() != 4)
    return emitOpError("query, key and value must be [batch, heads, length, head_dim], got ")
           << formatShape(q) << ", " << formatShape(k) << ", " << formatShape(v);
  if (k != v)
    return emitOpError("key ") << formatShape(k) << " and value " << formatShape(v)
                               << " must have the same shape";
  if (q[0] != k[0] || q[1] != k[1] || q[3] != k[3])
    return emitOpError("query ")
           << formatShape(q) << " and key " << formatShape(k)
           << " must agree in batch, heads and head_dim";
  if (getCausal() && q[2] > k[2])
    return emitOpError("causal attention needs at least as many keys (")
           << k[2] << ") as queries (" << q[2] << ")";
  if (getKeyMask()) {
    ArrayRef<int64_t> mask = shapeOf(getKeyMask());
    if (mask != ArrayRef<int64_t>{k[0], k[2]})
      return emitOpError("key_mask ")
             << formatShape(mask) << " should be [batch, key_length] = ["
             << k[0] << "," << k[2] << "]";
  }
  return verifyResultShape(*this, q);
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  if (failed(verifyStatic(*this)) || failed(verifySameElementType(*this, {getInput()})))
    return failure();
  RankedTensorType in = tensorType(getInput()), out = tensorType(getResult());
  if (in.getNumElements() != out.getNumElements())
    return emitOpError("cannot reshape ")
           << formatShape(in.getShape()) << " (" << in.getNumElements()
           << " elements) to " << formatShape(out.getShape()) << " ("
           << out.getNumElements() << " elements)";
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // reshape(reshape(x)) only depends on x's size, which both share.
  if (auto producer = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(producer.getInput());
    return getResult();
  }
  return {};
}

LogicalResult TransposeOp::verify() {
  if (failed(verifyStatic(*this)) || failed(verifySameElementType(*this, {getInput()})))
    return failure();
  ArrayRef<int64_t> in = shapeOf(getInput());
  ArrayRef<int64_t> permutation = getPermutation();
  if (permutation.size() != in.size())
    return emitOpError("permutation has ")
           << permutation.size() << " entries for rank " << in.size();
  SmallVector<bool> seen(in.size(), false);
  SmallVector<int64_t> expected;
  for (int64_t dim : permutation) {
    if (dim < 0 || dim >= static_cast<int64_t>(in.size()) || seen[dim])
      return emitOpError("permutation ")
             << formatShape(permutation) << " is not a permutation of 0.."
             << in.size() - 1;
    seen[dim] = true;
    expected.push_back(in[dim]);
  }
  return verifyResultShape(*this, expected);
}

LogicalResult SliceOp::verify() {
  if (failed(verifyStatic(*this)) || failed(verifySameElementType(*this, {getInput()})))
    return failure();
  ArrayRef<int64_t> in = shapeOf(getInput()), out = shapeOf(getResult());
  ArrayRef<int64_t> offsets = getOffsets();
  if (offsets.size() != in.size() || out.size() != in.size())
    return emitOpError("offsets, input and result must have the same rank");
  for (auto [dim, offset] : llvm::enumerate(offsets))
    if (offset < 0 || offset + out[dim] > in[dim])
      return emitOpError("window ")
             << formatShape(offsets) << " + " << formatShape(out)
             << " exceeds input " << formatShape(in) << " in dimension " << dim;
  return success();
}

LogicalResult ConcatOp::verify() {
  if (failed(verifyStatic(*this)) || failed(verifySameElementType(*this, llvm::to_vector(getInputs()))))
    return failure();
  if (getInputs().empty())
    return emitOpError("needs at least one input");
  ArrayRef<int64_t> first = shapeOf(getInputs().front());
  int64_t dim = getDim();
  if (dim < 0 || dim >= static_cast<int64_t>(first.size()))
    return emitOpError("dim ") << dim << " is outside the rank " << first.size() << " of the inputs";
  SmallVector<int64_t> expected(first);
  expected[dim] = 0;
  for (Value input : getInputs()) {
    ArrayRef<int64_t> shape = shapeOf(input);
    if (shape.size() != first.size())
      return emitOpError("inputs must have the same rank, got ")
             << formatShape(first) << " and " << formatShape(shape);
    for (auto [axis, size] : llvm::enumerate(shape))
      if (static_cast<int64_t>(axis) != dim && size != first[axis])
        return emitOpError("inputs ")
               << formatShape(first) << " and " << formatShape(shape)
               << " differ in dimension " << axis << ", not only in the joined dimension " << dim;
    expected[dim] += shape[dim];
  }
  return verifyResultShape(*this, expected);
}

//===----------------------------------------------------------------------===//
// Loss and gradient ops
//===----------------------------------------------------------------------===//

static LogicalResult verifyLabels(Operation *op, Value logits, Value labels) {
  ArrayRef<int64_t> logitShape = shapeOf(logits), labelShape = shapeOf(labels);
  if (logitShape.size() < 2)
    return op->emitOpError("logits must be [positions..., vocab], got ") << formatShape(logitShape);
  if (labelShape != logitShape.drop_back())
    return op->emitOpError("labels ")
           << formatShape(labelShape) << " should be " << formatShape(logitShape.drop_back())
           << " for logits " << formatShape(logitShape);
  return success();
}

static LogicalResult verifyCount(Operation *op, Value count) {
  if (count && !shapeOf(count).empty())
    return op->emitOpError("count must be rank 0, got ") << formatShape(shapeOf(count));
  return success();
}

LogicalResult CrossEntropyOp::verify() {
  if (failed(verifyStatic(*this)) ||
      failed(verifySameElementType(*this, {getLogits(), getCount()})) ||
      failed(verifyLabels(*this, getLogits(), getLabels())) ||
      failed(verifyCount(*this, getCount())))
    return failure();
  return verifyResultShape(*this, {});
}

LogicalResult CountTargetsOp::verify() {
  if (failed(verifyStatic(*this)))
    return failure();
  if (shapeOf(getLabels()).empty())
    return emitOpError("labels must have rank 1 or more");
  return verifyResultShape(*this, {});
}

LogicalResult CrossEntropyGradOp::verify() {
  if (failed(verifyStatic(*this)) ||
      failed(verifySameElementType(*this, {getGrad(), getLogits(), getCount()})) ||
      failed(verifyLabels(*this, getLogits(), getLabels())) ||
      failed(verifyCount(*this, getCount())))
    return failure();
  if (!shapeOf(getGrad()).empty())
    return emitOpError("grad must be the rank-0 gradient of the loss, got ")
           << formatShape(shapeOf(getGrad()));
  return verifyResultShape(*this, shapeOf(getLogits()));
}

LogicalResult ReduceLeadingOp::verify() {
  if (failed(verifyStatic(*this)) || failed(verifySameElementType(*this, {getInput()})))
    return failure();
  ArrayRef<int64_t> in = shapeOf(getInput()), out = shapeOf(getResult());
  if (out.size() > in.size() || in.take_back(out.size()) != out)
    return emitOpError("result ")
           << formatShape(out) << " must equal the trailing dimensions of the input "
           << formatShape(in);
  return success();
}

LogicalResult TanhGradOp::verify() { return verifyStatic(*this); }

LogicalResult GeluGradOp::verify() {
  if (getApproximate() != "none" && getApproximate() != "tanh")
    return emitOpError("approximate must be \"none\" or \"tanh\", got \"")
           << getApproximate() << "\"";
  return verifyStatic(*this);
}

LogicalResult LayerNormGradOp::verify() {
  if (failed(verifyStatic(*this)) ||
      failed(verifySameElementType(
          *this, {getGrad(), getInput(), getWeight(), getWeightGrad(), getBiasGrad()})))
    return failure();
  ArrayRef<int64_t> input = shapeOf(getInput());
  if (input.empty() || shapeOf(getGrad()) != input)
    return emitOpError("grad ")
           << formatShape(shapeOf(getGrad())) << " must have the input's shape "
           << formatShape(input) << " (rank 1 or more)";
  SmallVector<int64_t, 1> width{input.back()};
  if (shapeOf(getWeight()) != ArrayRef<int64_t>(width) ||
      shapeOf(getWeightGrad()) != ArrayRef<int64_t>(width) ||
      shapeOf(getBiasGrad()) != ArrayRef<int64_t>(width))
    return emitOpError("weight and its gradients must be [") << input.back() << "]";
  return verifyResultShape(*this, input);
}

LogicalResult SoftmaxGradOp::verify() {
  int64_t rank = tensorType(getOutput()).getRank();
  int64_t axis = getAxisAttr().getInt();
  if (axis < 0 || axis >= rank)
    return emitOpError("axis ") << axis << " is out of range for rank " << rank;
  return verifyStatic(*this);
}

LogicalResult AttentionGradOp::verify() {
  if (failed(verifyStatic(*this)) ||
      failed(verifySameElementType(*this, {getGrad(), getQuery(), getKey(), getValue(),
                                           getKeyGrad(), getValueGrad()})) ||
      failed(verifyAttentionDropout(*this, getDropoutSeed(), getDropout().convertToDouble())))
    return failure();
  if (shapeOf(getGrad()) != shapeOf(getQuery()) || shapeOf(getQueryGrad()) != shapeOf(getQuery()) ||
      shapeOf(getKeyGrad()) != shapeOf(getKey()) || shapeOf(getValueGrad()) != shapeOf(getValue()))
    return emitOpError("grad and query_grad must have the query's shape, key_grad and "
                       "value_grad those of key and value");
  ArrayRef<int64_t> q = shapeOf(getQuery()), k = shapeOf(getKey());
  if (q.size() != 4 || k.size() != 4 || k != shapeOf(getValue()) || q[0] != k[0] ||
      q[1] != k[1] || q[3] != k[3])
    return emitOpError("query ")
           << formatShape(q) << ", key " << formatShape(k) << " and value "
           << formatShape(shapeOf(getValue())) << " do not form an attention";
  if (getCausal() && q[2] > k[2])
    return emitOpError("causal attention needs at least as many keys (")
           << k[2] << ") as queries (" << q[2] << ")";
  if (getKeyMask() && shapeOf(getKeyMask()) != ArrayRef<int64_t>{k[0], k[2]})
    return emitOpError("key_mask ")
           << formatShape(shapeOf(getKeyMask())) << " should be [" << k[0] << "," << k[2] << "]";
  return success();
}

LogicalResult EmbeddingGradOp::verify() {
  if (failed(verifyStatic(*this)) || failed(verifySameElementType(*this, {getGrad()})))
    return failure();
  ArrayRef<int64_t> table = shapeOf(getResult());
  if (table.size() != 2)
    return emitOpError("result must be [vocab, dim], got ") << formatShape(table);
  SmallVector<int64_t> expected(shapeOf(getIndices()));
  expected.push_back(table[1]);
  if (shapeOf(getGrad()) != ArrayRef<int64_t>(expected))
    return emitOpError("grad ")
           << formatShape(shapeOf(getGrad())) << " should be " << formatShape(expected);
  return success();
}

LogicalResult SliceGradOp::verify() {
  if (failed(verifyStatic(*this)) || failed(verifySameElementType(*this, {getGrad()})))
    return failure();
  ArrayRef<int64_t> window = shapeOf(getGrad()), full = shapeOf(getResult());
  ArrayRef<int64_t> offsets = getOffsets();
  if (offsets.size() != full.size() || window.size() != full.size())
    return emitOpError("offsets, grad and result must have the same rank");
  for (auto [dim, offset] : llvm::enumerate(offsets))
    if (offset < 0 || offset + window[dim] > full[dim])
      return emitOpError("window ")
             << formatShape(offsets) << " + " << formatShape(window) << " exceeds result "
             << formatShape(full) << " in dimension " << dim;
  return success();
}

//===----------------------------------------------------------------------===//
// Optimizer ops
//===----------------------------------------------------------------------===//

LogicalResult ClipScaleOp::verify() {
  if (failed(verifySameElementType(*this, {getSumOfSquares()})))
    return failure();
  if (!shapeOf(getSumOfSquares()).empty() || !shapeOf(getResult()).empty())
    return emitOpError("takes and returns rank-0 tensors");
  if (!(getMaxNorm().convertToDouble() > 0))
    return emitOpError("max_norm must be positive");
  return success();
}

LogicalResult AdamWOp::verify() {
  if (failed(verifyStatic(*this)) ||
      failed(verifySameElementType(*this, {getParam(), getGrad(), getExpAvg(), getExpAvgSq(),
                                           getLearningRate(), getStep(), getGradScale()})))
    return failure();
  ArrayRef<int64_t> shape = shapeOf(getParam());
  for (Value value : {getGrad(), getExpAvg(), getExpAvgSq(), getNewParam(), getNewExpAvg(),
                      getNewExpAvgSq()})
    if (shapeOf(value) != shape)
      return emitOpError("gradient, moments and results must have the parameter's shape ")
             << formatShape(shape) << ", got " << formatShape(shapeOf(value));
  for (Value scalar : {getLearningRate(), getStep(), getGradScale()})
    if (!shapeOf(scalar).empty())
      return emitOpError("learning_rate, step and grad_scale must be rank 0");
  for (double beta : {getBeta1().convertToDouble(), getBeta2().convertToDouble()})
    if (!(beta >= 0 && beta < 1))
      return emitOpError("betas must be in [0, 1)");
  return success();
}

#define GET_OP_CLASSES
#include "dialects/ptm/PtmOps.cpp.inc"
