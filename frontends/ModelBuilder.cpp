#include "frontends/ModelBuilder.h"

#include "frontends/bert/BertBuilder.h"
#include "frontends/gpt/GPT2Builder.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"

using namespace mlir;
using llvm::Error;
using llvm::Expected;
using llvm::Twine;

namespace ptm::frontends {

FloatType computeTypeFor(MLIRContext &context, const BuildOptions &options) {
  return options.precision == "f64" ? FloatType(Float64Type::get(&context)) : FloatType(Float32Type::get(&context));
}

FloatType weightTypeFor(MLIRContext &context, const BuildOptions &options) {
  return options.precision == "bf16" ? FloatType(BFloat16Type::get(&context)) : computeTypeFor(context, options);
}

EntryBuilder::EntryBuilder(ModuleOp module, StringRef name, FloatType floatType, FloatType weightType)
    : module_(module), floatType_(floatType), weightType_(weightType ? weightType : floatType),
      name_(name.str()), builder_(module.getContext()),
      loc_(NameLoc::get(builder_.getStringAttr(name))), body_(std::make_unique<Block>()) {
  builder_.setInsertionPointToStart(body_.get());
}

EntryBuilder::~EntryBuilder() = default;

Value EntryBuilder::addParameter(RankedTensorType type, StringRef name, ParameterInit init, double initStd,
                                 StringRef tiedTo) {
  Argument argument;
  argument.placeholder = body_->addArgument(type, loc_);
  argument.attributes.set("ptm.parameter", builder_.getStringAttr(name));
  StringRef initName = init == ParameterInit::Normal  ? "normal"
                       : init == ParameterInit::Zeros ? "zeros"
                                                      : "ones";
  argument.attributes.set("ptm.init", builder_.getStringAttr(initName));
  if (init == ParameterInit::Normal)
    argument.attributes.set("ptm.init_std", builder_.getF64FloatAttr(initStd));
  if (!tiedTo.empty())
    argument.attributes.set("ptm.tied_to", builder_.getStringAttr(tiedTo));
  parameters_.push_back(argument);
  return argument.placeholder;
}

Value EntryBuilder::parameter(StringRef name, ArrayRef<int64_t> shape, ParameterInit init,
                              double initStd, StringRef tiedTo) {
  return addParameter(tensor(shape), name, init, initStd, tiedTo);
}

Value EntryBuilder::weight(StringRef name, ArrayRef<int64_t> shape, ParameterInit init, double initStd,
                           StringRef tiedTo) {
  return addParameter(RankedTensorType::get(shape, weightType_), name, init, initStd, tiedTo);
}

Value EntryBuilder::input(StringRef name, RankedTensorType type, int64_t valueBound,
                          std::optional<int64_t> valueException) {
  Argument argument;
  argument.placeholder = body_->addArgument(type, loc_);
  argument.attributes.set("ptm.input", builder_.getStringAttr(name));
  if (valueBound > 0)
    argument.attributes.set("ptm.value_bound", builder_.getI64IntegerAttr(valueBound));
  if (valueException)
    argument.attributes.set("ptm.value_exception", builder_.getI64IntegerAttr(*valueException));
  inputs_.push_back(argument);
  return argument.placeholder;
}

func::FuncOp EntryBuilder::finish(ArrayRef<std::pair<std::string, Value>> outputs) {
  SmallVector<Type> argumentTypes, resultTypes;
  std::vector<Argument *> ordered;
  for (Argument &argument : parameters_)
    ordered.push_back(&argument);
  for (Argument &argument : inputs_)
    ordered.push_back(&argument);
  for (Argument *argument : ordered)
    argumentTypes.push_back(argument->placeholder.getType());
  for (const auto &[name, value] : outputs)
    resultTypes.push_back(value.getType());

  OpBuilder moduleBuilder = OpBuilder::atBlockEnd(module_.getBody());
  auto function = func::FuncOp::create(moduleBuilder, loc_, name_,
                                       builder_.getFunctionType(argumentTypes, resultTypes));
  function->setAttr("ptm.entry", builder_.getUnitAttr());
  Block *entryBlock = function.addEntryBlock();
  for (auto [index, argument] : llvm::enumerate(ordered)) {
    argument->placeholder.replaceAllUsesWith(entryBlock->getArgument(index));
    function.setArgAttrs(index, argument->attributes.getDictionary(builder_.getContext()));
    // Parameters and inputs belong to the caller: compiled code never writes them.
    function.setArgAttr(index, bufferization::BufferizationDialect::kWritableAttrName,
                        builder_.getBoolAttr(false));
  }
  entryBlock->getOperations().splice(entryBlock->end(), body_->getOperations());
  SmallVector<Value> results;
  for (auto [index, output] : llvm::enumerate(outputs)) {
    results.push_back(output.second);
    function.setResultAttr(index, "ptm.output", builder_.getStringAttr(output.first));
  }
  OpBuilder returnBuilder = OpBuilder::atBlockEnd(entryBlock);
  func::ReturnOp::create(returnBuilder, loc_, results);
  return function;
}

void markForTraining(func::FuncOp function, const BuildOptions &options, bool withOptimizer) {
  Builder b(function.getContext());
  function->setAttr("ptm.differentiate", b.getUnitAttr());
  if (options.gradAccum > 1)
    function->setAttr("ptm.grad_accum", b.getI64IntegerAttr(options.gradAccum));
  if (withOptimizer)
    function->setAttr(
        "ptm.optimizer",
        b.getDictionaryAttr({b.getNamedAttr("beta1", b.getF64FloatAttr(options.adamBeta1)),
                             b.getNamedAttr("beta2", b.getF64FloatAttr(options.adamBeta2)),
                             b.getNamedAttr("epsilon", b.getF64FloatAttr(options.adamEpsilon)),
                             b.getNamedAttr("weight_decay", b.getF64FloatAttr(options.weightDecay)),
                             b.getNamedAttr("max_grad_norm", b.getF64FloatAttr(options.maxGradNorm)),
                             b.getNamedAttr("decay_all", b.getBoolAttr(options.decayAllParameters))}));
}

Expected<OwningOpRef<ModuleOp>> buildModel(MLIRContext &context, const HFConfig &config,
                                           const BuildOptions &options) {
  if (options.batch <= 0 || options.seqLen <= 0)
    return config.error("batch and sequence length must be positive");
  if (options.gradAccum < 1)
    return config.error("--grad-accum " + Twine(options.gradAccum) + " must be at least 1");
  if (options.gradAccum > 1 && options.mode != "train")
    return config.error("--grad-accum needs --mode train");
  if (options.dropout && options.mode != "train")
    return config.error("--dropout needs --mode train");
  if (options.precision != "f32" && options.precision != "f64" && options.precision != "bf16")
    return config.error("--precision " + options.precision + " is not supported (f32, f64, bf16)");
  // bf16 weights have no gradients: training keeps f32 master weights.
  if (options.precision == "bf16" && options.mode == "train")
    return config.error("--precision bf16 is for inference (--mode infer or generate), not --mode train");
  std::string modelType = config.modelType();
  if (modelType.empty())
    return config.error("has no \"model_type\" (expected \"gpt2\" or \"bert\")");
  if (modelType == "gpt2")
    return buildGPT2(context, config, options);
  if (modelType == "bert")
    return buildBert(context, config, options);
  return config.error("unsupported model_type \"" + modelType + "\" (supported: gpt2, bert)");
}

} // namespace ptm::frontends
