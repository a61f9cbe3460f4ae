// ptm-parallel-to-runtime: outlines scf.forall bodies and hands them to the
// runtime's parallel_for (see Passes.td).
#include "compiler/Passes.h"
#include "compiler/codegen/cpu/ParallelToRuntime.h"

#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"

namespace ptm {
#define GEN_PASS_DEF_PTMPARALLELTORUNTIME
#include "compiler/Passes.h.inc"
} // namespace ptm

using namespace mlir;

namespace {

// Index of parallel_for in PtmRuntimeCallbacks {uint32_t abi_version; fn parallel_for;}.
constexpr int32_t kParallelForField = 1;

LLVM::GlobalOp getOrCreateCallbacksGlobal(ModuleOp module) {
  if (auto global = module.lookupSymbol<LLVM::GlobalOp>(ptm::kRuntimeCallbacksGlobal))
    return global;
  MLIRContext *ctx = module.getContext();
  OpBuilder builder = OpBuilder::atBlockBegin(module.getBody());
  auto ptrType = LLVM::LLVMPointerType::get(ctx);
  auto global = LLVM::GlobalOp::create(builder, module.getLoc(), ptrType, /*isConstant=*/false,
                                       LLVM::Linkage::Internal, ptm::kRuntimeCallbacksGlobal,
                                       Attribute());
  Block *init = builder.createBlock(&global.getInitializerRegion());
  builder.setInsertionPointToStart(init);
  Value null = LLVM::ZeroOp::create(builder, module.getLoc(), ptrType);
  LLVM::ReturnOp::create(builder, module.getLoc(), null);
  return global;
}

struct PtmParallelToRuntimePass
    : ptm::impl::PtmParallelToRuntimeBase<PtmParallelToRuntimePass> {
  using PtmParallelToRuntimeBase::PtmParallelToRuntimeBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<scf::ForallOp> outermost;
    module.walk([&](scf::ForallOp forall) {
      if (!forall->getParentOfType<scf::ForallOp>())
        outermost.push_back(forall);
    });
    unsigned counter = 0;
    for (scf::ForallOp forall : outermost)
      if (failed(outline(module, forall, counter)))
        return signalPassFailure();
  }

  LogicalResult outline(ModuleOp module, scf::ForallOp forall, unsigned &counter) {
    if (forall.getNumResults() != 0)
      return forall.emitError("ptm-parallel-to-runtime runs after bufferization; "
                              "this scf.forall still has tensor results");
    ArrayRef<int64_t> lbs = forall.getStaticLowerBound();
    ArrayRef<int64_t> ubs = forall.getStaticUpperBound();
    ArrayRef<int64_t> steps = forall.getStaticStep();
    if (llvm::any_of(llvm::concat<const int64_t>(lbs, ubs, steps), ShapedType::isDynamic))
      return success(); // Dynamic bounds: left to the serial lowering.

    SmallVector<int64_t> tripCounts;
    int64_t total = 1;
    for (auto [lb, ub, step] : llvm::zip(lbs, ubs, steps)) {
      tripCounts.push_back(llvm::divideCeil(ub - lb, step));
      total *= tripCounts.back();
    }

    MLIRContext *ctx = module.getContext();
    Location loc = forall.getLoc();
    auto function = forall->getParentOfType<func::FuncOp>();
    auto ptrType = LLVM::LLVMPointerType::get(ctx);
    auto i64Type = IntegerType::get(ctx, 64);
    LLVMTypeConverter typeConverter(ctx);

    // Values from above: constants are re-created in the body, the rest is
    // packed into the context (memrefs as their LLVM descriptors).
    SetVector<Value> usedAbove;
    getUsedValuesDefinedAbove(forall.getRegion(), usedAbove);
    SmallVector<Value> captures, constants;
    SmallVector<Type> fieldTypes;
    for (Value value : usedAbove) {
      Operation *producer = value.getDefiningOp();
      if (producer && producer->hasTrait<OpTrait::ConstantLike>()) {
        constants.push_back(value);
        continue;
      }
      Type type = value.getType();
      Type fieldType;
      if (isa<MemRefType>(type) || isa<IndexType>(type))
        fieldType = typeConverter.convertType(type);
      else if (LLVM::isCompatibleType(type))
        fieldType = type;
      if (!fieldType)
        return forall.emitError("ptm-parallel-to-runtime cannot pass a value of type ")
               << type << " to a parallel body";
      captures.push_back(value);
      fieldTypes.push_back(fieldType);
    }
    auto contextType = LLVM::LLVMStructType::getLiteral(ctx, fieldTypes);

    // The outlined body: void name(i64 begin, i64 end, ptr context).
    std::string name = (function.getName() + "_parallel_" + Twine(counter++)).str();
    OpBuilder moduleBuilder(function);
    auto bodyFunction = func::FuncOp::create(
        moduleBuilder, loc, name,
        FunctionType::get(ctx, {i64Type, i64Type, ptrType}, {}));
    bodyFunction.setPrivate();
    // Private in MLIR is not enough: without this the LLVM symbol is exported.
    bodyFunction->setAttr("llvm.linkage",
                          LLVM::LinkageAttr::get(ctx, LLVM::Linkage::Internal));
    Block *entry = bodyFunction.addEntryBlock();
    OpBuilder b = OpBuilder::atBlockBegin(entry);
    IRMapping mapping;
    Value contextPtr = entry->getArgument(2);
    for (auto [index, value] : llvm::enumerate(captures)) {
      Value slot = LLVM::GEPOp::create(
          b, loc, ptrType, contextType, contextPtr,
          ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(index)});
      Value field = LLVM::LoadOp::create(b, loc, fieldTypes[index], slot);
      Value restored = field;
      if (isa<MemRefType>(value.getType()))
        restored = UnrealizedConversionCastOp::create(b, loc, value.getType(), field)
                       .getResult(0);
      else if (isa<IndexType>(value.getType()))
        restored = arith::IndexCastOp::create(b, loc, value.getType(), field);
      mapping.map(value, restored);
    }
    for (Value constant : constants)
      mapping.map(constant, b.clone(*constant.getDefiningOp())->getResult(0));

    Value begin = arith::IndexCastOp::create(b, loc, b.getIndexType(), entry->getArgument(0));
    Value end = arith::IndexCastOp::create(b, loc, b.getIndexType(), entry->getArgument(1));
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    auto loop = scf::ForOp::create(b, loc, begin, end, one);
    func::ReturnOp::create(b, loc);
    b.setInsertionPointToStart(loop.getBody());
    // Delinearise the iteration: the last dimension varies fastest.
    Value remaining = loop.getInductionVar();
    SmallVector<Value> ivs(tripCounts.size());
    for (int64_t d = tripCounts.size() - 1; d >= 0; --d) {
      Value count = arith::ConstantIndexOp::create(b, loc, tripCounts[d]);
      Value position = d == 0 ? remaining : arith::RemUIOp::create(b, loc, remaining, count);
      if (d > 0)
        remaining = arith::DivUIOp::create(b, loc, remaining, count);
      Value scaled = arith::MulIOp::create(
          b, loc, position, arith::ConstantIndexOp::create(b, loc, steps[d]));
      ivs[d] = arith::AddIOp::create(b, loc, scaled,
                                     arith::ConstantIndexOp::create(b, loc, lbs[d]));
    }
    for (auto [iv, value] : llvm::zip(forall.getInductionVars(), ivs))
      mapping.map(iv, value);
    for (Operation &op : forall.getBody()->without_terminator())
      b.clone(op, mapping);

    // The call site: pack the context, then parallel_for(total, grain, body, context).
    OpBuilder allocaBuilder = OpBuilder::atBlockBegin(&function.getBody().front());
    Value oneI64 = LLVM::ConstantOp::create(allocaBuilder, loc, i64Type,
                                            allocaBuilder.getI64IntegerAttr(1));
    Value context = LLVM::AllocaOp::create(allocaBuilder, loc, ptrType, contextType, oneI64);
    OpBuilder call(forall);
    for (auto [index, value] : llvm::enumerate(captures)) {
      Value field = value;
      if (isa<MemRefType>(value.getType()))
        field = UnrealizedConversionCastOp::create(call, loc, fieldTypes[index], value)
                    .getResult(0);
      else if (isa<IndexType>(value.getType()))
        field = arith::IndexCastOp::create(call, loc, i64Type, value);
      Value slot = LLVM::GEPOp::create(call, loc, ptrType, contextType, context,
                                       ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(index)});
      LLVM::StoreOp::create(call, loc, field, slot);
    }
    Value bodyRef = func::ConstantOp::create(call, loc, bodyFunction.getFunctionType(),
                                             SymbolRefAttr::get(bodyFunction));
    Value bodyPtr = UnrealizedConversionCastOp::create(call, loc, ptrType, bodyRef).getResult(0);
    LLVM::GlobalOp callbacksGlobal = getOrCreateCallbacksGlobal(module);
    Value callbacksSlot = LLVM::AddressOfOp::create(call, loc, callbacksGlobal);
    Value callbacks = LLVM::LoadOp::create(call, loc, ptrType, callbacksSlot);
    auto tableType = LLVM::LLVMStructType::getLiteral(ctx, {IntegerType::get(ctx, 32), ptrType});
    Value parallelForSlot = LLVM::GEPOp::create(
        call, loc, ptrType, tableType, callbacks, ArrayRef<LLVM::GEPArg>{0, kParallelForField});
    Value parallelFor = LLVM::LoadOp::create(call, loc, ptrType, parallelForSlot);
    Value totalValue = LLVM::ConstantOp::create(call, loc, i64Type, call.getI64IntegerAttr(total));
    Value grainValue = LLVM::ConstantOp::create(call, loc, i64Type, call.getI64IntegerAttr(grain));
    auto parallelForType = LLVM::LLVMFunctionType::get(
        LLVM::LLVMVoidType::get(ctx), {i64Type, i64Type, ptrType, ptrType});
    LLVM::CallOp::create(call, loc, parallelForType,
                         ValueRange{parallelFor, totalValue, grainValue, bodyPtr, context});
    forall.erase();
    return success();
  }
};

} // namespace
