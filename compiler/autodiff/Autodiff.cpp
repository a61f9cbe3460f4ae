// ptm-autodiff: reverse-mode differentiation of loss functions (see
// Passes.td for the contract).
#include "compiler/Passes.h"
#include "dialects/ptm/PtmOps.h"

#include "mlir/IR/Matchers.h"

namespace ptm {
#define GEN_PASS_DEF_PTMAUTODIFF
#include "compiler/Passes.h.inc"
} // namespace ptm

using namespace mlir;
using namespace ptm;

namespace {

Value zerosLike(OpBuilder &b, Location loc, Type type) {
  auto tensor = cast<RankedTensorType>(type);
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(tensor, b.getFloatAttr(tensor.getElementType(), 0.0)));
}

struct PtmAutodiffPass : ptm::impl::PtmAutodiffBase<PtmAutodiffPass> {
  void runOnOperation() override {
    SmallVector<func::FuncOp> lossFunctions;
    getOperation().walk([&](func::FuncOp function) {
      if (function->hasAttr(kDifferentiateAttr))
        lossFunctions.push_back(function);
    });
    for (func::FuncOp function : lossFunctions)
      if (failed(differentiate(function)))
        return signalPassFailure();
  }

  LogicalResult differentiate(func::FuncOp function) {
    if (!function.getBody().hasOneBlock())
      return function.emitError("ptm-autodiff needs a single-block function");
    Block &body = function.getBody().front();
    auto returnOp = cast<func::ReturnOp>(body.getTerminator());
    if (returnOp.getNumOperands() != 1)
      return function.emitError("a function to differentiate returns exactly one loss, got ")
             << returnOp.getNumOperands() << " results";
    Value loss = returnOp.getOperand(0);
    auto lossType = dyn_cast<RankedTensorType>(loss.getType());
    if (!lossType || lossType.getRank() != 0 || !isa<FloatType>(lossType.getElementType()))
      return function.emitError("the loss must be a rank-0 float tensor, got ") << loss.getType();

    OpBuilder b(returnOp);
    Location loc = returnOp.getLoc();
    DenseMap<Value, Value> gradients;
    auto accumulate = [&](Value value, Value gradient) {
      auto [slot, inserted] = gradients.try_emplace(value, gradient);
      if (!inserted)
        slot->second = AddOp::create(b, loc, gradient.getType(), slot->second, gradient);
    };
    gradients[loss] = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(lossType, b.getFloatAttr(lossType.getElementType(), 1.0)));

    // Ops before the return, last first: every use of a value comes after its
    // definition, so a value's gradient is complete when its producer is seen.
    SmallVector<Operation *> forward;
    for (Operation &op : body.without_terminator())
      forward.push_back(&op);
    for (Operation *op : llvm::reverse(forward)) {
      SmallVector<Value> resultGradients;
      bool onPath = false;
      for (Value result : op->getResults()) {
        Value gradient = gradients.lookup(result);
        onPath |= static_cast<bool>(gradient);
        resultGradients.push_back(gradient);
      }
      // Constants feed the loss but have nothing to differentiate.
      if (!onPath || op->getNumOperands() == 0)
        continue;
      auto differentiable = dyn_cast<DifferentiableOpInterface>(op);
      if (!differentiable)
        return op->emitOpError("is on the path to the loss but has no VJP rule");
      // Rules take one gradient per result; results off the path get zeros.
      for (auto [result, gradient] : llvm::zip(op->getResults(), resultGradients))
        if (!gradient)
          gradient = zerosLike(b, loc, result.getType());
      SmallVector<Value> operandGradients;
      if (failed(differentiable.buildVjp(b, resultGradients, operandGradients)))
        return failure();
      if (operandGradients.size() != op->getNumOperands())
        return op->emitError("VJP rule returned ")
               << operandGradients.size() << " gradients for " << op->getNumOperands()
               << " operands";
      for (auto [operand, gradient] : llvm::zip(op->getOperands(), operandGradients))
        if (gradient)
          accumulate(operand, gradient);
    }

    SmallVector<Value> results{loss};
    SmallVector<Type> resultTypes{loss.getType()};
    SmallVector<StringAttr> names;
    for (BlockArgument argument : function.getArguments()) {
      auto name = function.getArgAttrOfType<StringAttr>(argument.getArgNumber(), kParameterAttr);
      if (!name)
        continue;
      Value gradient = gradients.lookup(argument);
      if (!gradient)
        gradient = zerosLike(b, loc, argument.getType());
      results.push_back(gradient);
      resultTypes.push_back(argument.getType());
      names.push_back(name);
    }
    func::ReturnOp::create(b, loc, results);
    returnOp.erase();
    SmallVector<DictionaryAttr> resultAttrs{function.getResultAttrDict(0)};
    for (StringAttr name : names)
      resultAttrs.push_back(b.getDictionaryAttr(b.getNamedAttr(kOutputAttr, name)));
    function.setFunctionType(
        FunctionType::get(function.getContext(), function.getArgumentTypes(), resultTypes));
    function.setAllResultAttrs(resultAttrs);
    function->removeAttr(kDifferentiateAttr);
    return success();
  }
};

} // namespace
