// ptm-optimizer: AdamW with global-norm clipping appended to a differentiated
// loss function (see Passes.td).
#include "compiler/Passes.h"
#include "dialects/ptm/PtmOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"

namespace ptm {
#define GEN_PASS_DEF_PTMOPTIMIZER
#include "compiler/Passes.h.inc"
} // namespace ptm

using namespace mlir;
using namespace ptm;

namespace {

struct AdamWSettings {
  double beta1, beta2, epsilon, weightDecay, maxGradNorm;
  bool decayAll = false;
};

FailureOr<AdamWSettings> readSettings(func::FuncOp function, DictionaryAttr settings) {
  AdamWSettings result;
  for (auto [key, field] :
       {std::pair<StringRef, double *>{"beta1", &result.beta1}, {"beta2", &result.beta2},
        {"epsilon", &result.epsilon}, {"weight_decay", &result.weightDecay},
        {"max_grad_norm", &result.maxGradNorm}}) {
    auto value = settings.getAs<FloatAttr>(key);
    if (!value)
      return function.emitError("ptm.optimizer needs a float '") << key << "'";
    *field = value.getValueAsDouble();
  }
  if (Attribute decayAll = settings.get("decay_all")) {
    auto flag = dyn_cast<BoolAttr>(decayAll);
    if (!flag)
      return function.emitError("ptm.optimizer's 'decay_all' must be a bool");
    result.decayAll = flag.getValue();
  }
  return result;
}

struct PtmOptimizerPass : ptm::impl::PtmOptimizerBase<PtmOptimizerPass> {
  void runOnOperation() override {
    SmallVector<func::FuncOp> steps;
    getOperation().walk([&](func::FuncOp function) {
      if (function->hasAttr(kOptimizerAttr))
        steps.push_back(function);
    });
    for (func::FuncOp function : steps)
      if (failed(appendUpdate(function)))
        return signalPassFailure();
  }

  LogicalResult appendUpdate(func::FuncOp function) {
    auto settingsAttr = function->getAttrOfType<DictionaryAttr>(kOptimizerAttr);
    if (!settingsAttr)
      return function.emitError("ptm.optimizer must be a dictionary of AdamW settings");
    if (function->hasAttr(kDifferentiateAttr))
      return function.emitError("ptm-optimizer runs after ptm-autodiff");
    FailureOr<AdamWSettings> settings = readSettings(function, settingsAttr);
    if (failed(settings))
      return failure();
    MLIRContext *ctx = function.getContext();
    Block &body = function.getBody().front();
    auto returnOp = cast<func::ReturnOp>(body.getTerminator());

    // The parameters and, after the loss, their gradients in the same order.
    SmallVector<BlockArgument> parameters;
    SmallVector<StringAttr> names;
    unsigned lastParameter = 0;
    for (BlockArgument argument : function.getArguments())
      if (auto name = function.getArgAttrOfType<StringAttr>(argument.getArgNumber(), kParameterAttr)) {
        parameters.push_back(argument);
        names.push_back(name);
        lastParameter = argument.getArgNumber();
      }
    if (returnOp.getNumOperands() != parameters.size() + 1)
      return function.emitError("expects the loss and one gradient per parameter as results");
    for (auto [index, name] : llvm::enumerate(names))
      if (function.getResultAttrOfType<StringAttr>(index + 1, kOutputAttr) != name)
        return function.emitError("result #") << index + 1 << " is not the gradient of '"
                                              << name.getValue() << "'";

    OpBuilder b(ctx);
    Location loc = function.getLoc();
    auto withWritable = [&](NamedAttrList attributes, bool writable) {
      attributes.set(bufferization::BufferizationDialect::kWritableAttrName, b.getBoolAttr(writable));
      return attributes.getDictionary(ctx);
    };
    // The step overwrites the parameters and moments with their new values,
    // so their buffers are the update's to write.
    for (BlockArgument parameter : parameters)
      function.setArgAttr(parameter.getArgNumber(), bufferization::BufferizationDialect::kWritableAttrName,
                          b.getBoolAttr(true));
    // Moments: parameters placed after the model's, so that the entry keeps
    // the order parameters, inputs.
    SmallVector<Value> firstMoments, secondMoments;
    SmallVector<StringAttr> stateNames;
    unsigned insertAt = lastParameter + 1;
    for (StringRef prefix : {"optimizer.exp_avg.", "optimizer.exp_avg_sq."})
      for (auto [parameter, name] : llvm::zip(parameters, names)) {
        StringAttr stateName = b.getStringAttr(prefix + name.getValue());
        NamedAttrList attributes;
        attributes.set(kParameterAttr, stateName);
        attributes.set("ptm.init", b.getStringAttr("zeros"));
        attributes.set("ptm.optimizer_state", b.getUnitAttr());
        if (failed(function.insertArgument(insertAt, parameter.getType(), withWritable(attributes, true), loc)))
          return failure();
        Value moment = function.getArgument(insertAt++);
        (prefix == StringRef("optimizer.exp_avg.") ? firstMoments : secondMoments).push_back(moment);
        stateNames.push_back(stateName);
      }
    auto scalarType = RankedTensorType::get(
        {}, cast<RankedTensorType>(returnOp.getOperand(0).getType()).getElementType());
    unsigned end = function.getNumArguments();
    for (StringRef input : {"learning_rate", "step"}) {
      NamedAttrList attributes;
      attributes.set(kInputAttr, b.getStringAttr(input));
      if (failed(function.insertArgument(end, scalarType, withWritable(attributes, false), loc)))
        return failure();
      ++end;
    }
    Value learningRate = function.getArgument(end - 2), step = function.getArgument(end - 1);

    b.setInsertionPoint(returnOp);
    SmallVector<Value> gradients(returnOp.getOperands().drop_front());
    Value scale;
    if (settings->maxGradNorm > 0) {
      Value sumOfSquares;
      for (Value gradient : gradients) {
        Value squares = MulOp::create(b, loc, gradient.getType(), gradient, gradient);
        Value sum = ReduceLeadingOp::create(b, loc, scalarType, squares);
        sumOfSquares = sumOfSquares ? AddOp::create(b, loc, scalarType, sumOfSquares, sum) : sum;
      }
      scale = ClipScaleOp::create(b, loc, scalarType, sumOfSquares,
                                  b.getF64FloatAttr(settings->maxGradNorm));
    } else {
      scale = arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(scalarType, b.getFloatAttr(scalarType.getElementType(), 1.0)));
    }

    SmallVector<Value> results{returnOp.getOperand(0)}, newFirst, newSecond;
    for (auto [index, parameter] : llvm::enumerate(parameters)) {
      bool decays = settings->decayAll || cast<RankedTensorType>(parameter.getType()).getRank() >= 2;
      auto update = AdamWOp::create(
          b, loc, parameter.getType(), parameter.getType(), parameter.getType(), parameter,
          gradients[index], firstMoments[index], secondMoments[index], learningRate, step, scale,
          b.getF64FloatAttr(settings->beta1), b.getF64FloatAttr(settings->beta2),
          b.getF64FloatAttr(settings->epsilon),
          b.getF64FloatAttr(decays ? settings->weightDecay : 0.0));
      results.push_back(update.getNewParam());
      newFirst.push_back(update.getNewExpAvg());
      newSecond.push_back(update.getNewExpAvgSq());
    }
    llvm::append_range(results, newFirst);
    llvm::append_range(results, newSecond);
    func::ReturnOp::create(b, loc, results);
    returnOp.erase();

    SmallVector<DictionaryAttr> resultAttrs{function.getResultAttrDict(0)};
    for (StringAttr name : llvm::concat<StringAttr>(names, stateNames))
      resultAttrs.push_back(b.getDictionaryAttr(
          {b.getNamedAttr(kOutputAttr, name), b.getNamedAttr(kUpdatesParameterAttr, b.getUnitAttr())}));
    SmallVector<Type> resultTypes;
    for (Value result : results)
      resultTypes.push_back(result.getType());
    function.setFunctionType(FunctionType::get(ctx, function.getArgumentTypes(), resultTypes));
    function.setAllResultAttrs(resultAttrs);
    function->removeAttr(kOptimizerAttr);
    return success();
  }
};

} // namespace
