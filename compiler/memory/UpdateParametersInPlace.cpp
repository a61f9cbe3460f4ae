// ptm-update-parameters-in-place: entry results marked ptm.updates_parameter
// become writes over their parameters' buffers (see Passes.td).
#include "compiler/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/StringMap.h"

namespace ptm {
#define GEN_PASS_DEF_PTMUPDATEPARAMETERSINPLACE
#include "compiler/Passes.h.inc"
} // namespace ptm

using namespace mlir;

namespace {

// The buffer that `value` is a view of: a block argument or an allocation.
Value underlyingBuffer(Value value) {
  while (Operation *producer = value.getDefiningOp()) {
    auto view = dyn_cast<ViewLikeOpInterface>(producer);
    if (!view)
      break;
    value = view.getViewSource();
  }
  return value;
}

struct PtmUpdateParametersInPlacePass
    : ptm::impl::PtmUpdateParametersInPlaceBase<PtmUpdateParametersInPlacePass> {
  void runOnOperation() override {
    for (auto function : getOperation().getOps<func::FuncOp>())
      if (function->hasAttr(ptm::kEntryAttr) && !function.isExternal() && failed(update(function)))
        return signalPassFailure();
  }

  LogicalResult update(func::FuncOp function) {
    llvm::StringMap<BlockArgument> parameters;
    for (BlockArgument argument : function.getArguments())
      if (auto name = function.getArgAttrOfType<StringAttr>(argument.getArgNumber(), ptm::kParameterAttr))
        parameters[name.getValue()] = argument;

    llvm::BitVector updates(function.getNumResults());
    SmallVector<BlockArgument> destinations(function.getNumResults());
    for (unsigned i = 0; i < function.getNumResults(); ++i) {
      if (!function.getResultAttr(i, ptm::kUpdatesParameterAttr))
        continue;
      auto name = function.getResultAttrOfType<StringAttr>(i, ptm::kOutputAttr);
      if (!name)
        return function.emitError("result #") << i << " updates a parameter but has no ptm.output name";
      auto parameter = parameters.find(name.getValue());
      if (parameter == parameters.end())
        return function.emitError("result #")
               << i << " updates parameter '" << name.getValue() << "', which the entry does not take";
      auto writable = function.getArgAttrOfType<BoolAttr>(parameter->second.getArgNumber(),
                                                          bufferization::BufferizationDialect::kWritableAttrName);
      if (writable && !writable.getValue())
        return function.emitError("result #")
               << i << " updates parameter '" << name.getValue() << "', which is read-only";
      updates.set(i);
      destinations[i] = parameter->second;
    }
    if (updates.none())
      return success();

    SmallVector<func::ReturnOp> returns;
    function.walk([&](func::ReturnOp op) { returns.push_back(op); });
    for (func::ReturnOp returnOp : returns) {
      OpBuilder builder(returnOp);
      for (unsigned i : updates.set_bits()) {
        Value newValue = returnOp.getOperand(i);
        Value source = underlyingBuffer(newValue);
        if (source == destinations[i])
          continue; // computed in place
        // Copies run in order at the return: a new value that lies in
        // another updated parameter's buffer could be overwritten first.
        if (llvm::is_contained(destinations, source))
          return returnOp.emitError("the new value of result #")
                 << i << " lies in another updated parameter's buffer";
        memref::CopyOp::create(builder, returnOp.getLoc(), newValue, destinations[i]);
      }
      returnOp->eraseOperands(updates);
    }
    if (failed(function.eraseResults(updates)))
      return function.emitError("cannot remove the parameter updates from the results");
    return success();
  }
};

} // namespace
