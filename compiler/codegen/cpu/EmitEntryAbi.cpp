// ptm-emit-entry-abi: wraps each lowered entry function in the runtime's C ABI
//   void ptm_entry_<name>(void **buffers, const PtmRuntimeCallbacks *callbacks)
// (see runtime/RuntimeCallbacks.h). Runs on the LLVM dialect after functions
// were converted with bare-pointer memrefs, so argument i is buffers[i].
#include "compiler/Passes.h"
#include "compiler/codegen/cpu/ParallelToRuntime.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"

namespace ptm {
#define GEN_PASS_DEF_PTMEMITENTRYABI
#include "compiler/Passes.h.inc"
} // namespace ptm

using namespace mlir;

namespace {

struct PtmEmitEntryAbiPass : ptm::impl::PtmEmitEntryAbiBase<PtmEmitEntryAbiPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<LLVM::LLVMFuncOp> entries;
    module.walk([&](LLVM::LLVMFuncOp func) {
      if (func->hasAttr(ptm::kEntryAttr))
        entries.push_back(func);
    });
    for (LLVM::LLVMFuncOp entry : entries)
      if (failed(wrap(module, entry)))
        return signalPassFailure();
  }

  LogicalResult wrap(ModuleOp module, LLVM::LLVMFuncOp entry) {
    MLIRContext *ctx = module.getContext();
    Location loc = entry.getLoc();
    if (entry.isExternal())
      return entry.emitError("entry '") << entry.getName() << "' has no body";
    std::string name = ("ptm_entry_" + entry.getName()).str();
    if (module.lookupSymbol(name))
      return entry.emitError("entry '")
             << entry.getName() << "' already has a wrapper '" << name << "'";
    auto ptrType = LLVM::LLVMPointerType::get(ctx);
    LLVM::LLVMFunctionType entryType = entry.getFunctionType();
    for (Type param : entryType.getParams())
      if (param != ptrType)
        return entry.emitError("entry '")
               << entry.getName() << "' has a non-buffer argument " << param
               << "; entries must take statically shaped buffers only";
    if (!isa<LLVM::LLVMVoidType>(entryType.getReturnType()))
      return entry.emitError("entry '") << entry.getName()
                                        << "' returns a value; outputs must be out-parameters";

    OpBuilder builder(ctx);
    builder.setInsertionPointToEnd(module.getBody());
    auto wrapperType = LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx),
                                                   {ptrType, ptrType});
    auto wrapper = LLVM::LLVMFuncOp::create(builder, loc, name, wrapperType);
    Block *body = wrapper.addEntryBlock(builder);
    builder.setInsertionPointToStart(body);
    Value buffers = body->getArgument(0);
    if (auto callbacksGlobal = module.lookupSymbol<LLVM::GlobalOp>(ptm::kRuntimeCallbacksGlobal)) {
      Value slot = LLVM::AddressOfOp::create(builder, loc, callbacksGlobal);
      LLVM::StoreOp::create(builder, loc, body->getArgument(1), slot);
    }
    SmallVector<Value> arguments;
    for (unsigned i = 0; i < entryType.getNumParams(); ++i) {
      Value slot = LLVM::GEPOp::create(builder, loc, ptrType, ptrType, buffers,
                                       ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
      arguments.push_back(LLVM::LoadOp::create(builder, loc, ptrType, slot));
    }
    LLVM::CallOp::create(builder, loc, entry, arguments);
    LLVM::ReturnOp::create(builder, loc, ValueRange{});
    // Only the wrapper is part of the shared object's interface.
    entry.setLinkage(LLVM::Linkage::Internal);
    return success();
  }
};

} // namespace
