// ptm-accumulate-gradients: a differentiated loss function run over K
// micro-batches in a loop, summing exact full-batch loss and gradients (see
// Passes.td).
#include "compiler/Passes.h"
#include "dialects/ptm/PtmOps.h"

#include "mlir/IR/SymbolTable.h"

namespace ptm {
#define GEN_PASS_DEF_PTMACCUMULATEGRADIENTS
#include "compiler/Passes.h.inc"
} // namespace ptm

using namespace mlir;
using namespace ptm;

namespace {

// A count of scored targets that the micro-batch cross-entropies share.
struct TargetCount {
  unsigned labels; // argument number
  RankedTensorType type;
  IntegerAttr ignoreIndex;
  BoolAttr shift;
};

struct PtmAccumulateGradientsPass
    : ptm::impl::PtmAccumulateGradientsBase<PtmAccumulateGradientsPass> {
  void runOnOperation() override {
    SmallVector<func::FuncOp> functions;
    getOperation().walk([&](func::FuncOp function) {
      if (function->hasAttr(kGradAccumAttr))
        functions.push_back(function);
    });
    SymbolTable symbols(getOperation());
    for (func::FuncOp function : functions)
      if (failed(accumulate(function, symbols)))
        return signalPassFailure();
  }

  LogicalResult accumulate(func::FuncOp function, SymbolTable &symbols) {
    auto stepsAttr = function->getAttrOfType<IntegerAttr>(kGradAccumAttr);
    if (!stepsAttr || stepsAttr.getInt() < 1)
      return function.emitError("ptm.grad_accum must be a positive integer");
    if (function->hasAttr(kDifferentiateAttr))
      return function.emitError("ptm-accumulate-gradients runs after ptm-autodiff");
    if (!function.getBody().hasOneBlock())
      return function.emitError("ptm-accumulate-gradients needs a single-block function");
    int64_t steps = stepsAttr.getInt();
    MLIRContext *ctx = function.getContext();
    Location loc = function.getLoc();

    // The batched inputs and their common micro-batch size.
    SmallVector<unsigned> batched;
    int64_t rows = 0;
    for (BlockArgument argument : function.getArguments()) {
      auto type = cast<RankedTensorType>(argument.getType());
      if (!function.getArgAttr(argument.getArgNumber(), kInputAttr) || type.getRank() == 0)
        continue;
      if (rows != 0 && type.getDimSize(0) != rows)
        return function.emitError("inputs of gradient accumulation must share the batch size, got ")
               << rows << " and " << type.getDimSize(0);
      rows = type.getDimSize(0);
      batched.push_back(argument.getArgNumber());
    }
    if (batched.empty())
      return function.emitError("gradient accumulation needs batched inputs");
    std::optional<unsigned> seedNumber;
    for (BlockArgument argument : function.getArguments()) {
      auto name = function.getArgAttrOfType<StringAttr>(argument.getArgNumber(), kInputAttr);
      if (name && name.getValue() == kDropoutSeedInput)
        seedNumber = argument.getArgNumber();
    }

    // Every cross-entropy is normalised by the whole batch's count of its
    // labels; a loss and its gradient share one.
    SmallVector<TargetCount> counts;
    SmallVector<std::pair<Operation *, unsigned>> countUses;
    Block &oldBody = function.getBody().front();
    auto useCount = [&](Operation *op, Value labels, Type floatType, IntegerAttr ignoreIndex,
                        BoolAttr shift, bool hasCount) -> LogicalResult {
      if (hasCount)
        return op->emitOpError("already has a count");
      auto argument = dyn_cast<BlockArgument>(labels);
      if (!argument || !llvm::is_contained(batched, argument.getArgNumber()))
        return op->emitOpError("needs labels that are an input of the function to accumulate "
                               "gradients over micro-batches");
      TargetCount count{argument.getArgNumber(), RankedTensorType::get({}, floatType),
                        ignoreIndex, shift};
      auto same = [&](const TargetCount &other) {
        return other.labels == count.labels && other.type == count.type &&
               other.ignoreIndex == count.ignoreIndex && other.shift == count.shift;
      };
      auto found = llvm::find_if(counts, same);
      countUses.push_back({op, static_cast<unsigned>(found - counts.begin())});
      if (found == counts.end())
        counts.push_back(count);
      return success();
    };
    for (Operation &op : oldBody.without_terminator()) {
      LogicalResult result = success();
      if (auto loss = dyn_cast<CrossEntropyOp>(op))
        result = useCount(loss, loss.getLabels(), loss.getType().getElementType(),
                          loss.getIgnoreIndexAttr(), loss.getShiftLabelsAttr(),
                          static_cast<bool>(loss.getCount()));
      else if (auto grad = dyn_cast<CrossEntropyGradOp>(op))
        result = useCount(grad, grad.getLabels(), grad.getType().getElementType(),
                          grad.getIgnoreIndexAttr(), grad.getShiftLabelsAttr(),
                          static_cast<bool>(grad.getCount()));
      if (failed(result))
        return failure();
    }

    // The micro-batch step: the old body as a private function of the full
    // inputs, the counts and the micro-batch index. It stays a function of
    // its own (noinline) so that LLVM's loop passes never see the whole
    // forward and backward pass inside the accumulation loop.
    SmallVector<Type> wideTypes;
    for (BlockArgument argument : function.getArguments()) {
      auto type = cast<RankedTensorType>(argument.getType());
      SmallVector<int64_t> shape(type.getShape());
      if (llvm::is_contained(batched, argument.getArgNumber()))
        shape[0] *= steps;
      wideTypes.push_back(type.clone(shape));
    }
    SmallVector<Type> stepTypes(wideTypes);
    for (const TargetCount &count : counts)
      stepTypes.push_back(count.type);
    stepTypes.push_back(IndexType::get(ctx));
    OpBuilder b(function);
    auto step = func::FuncOp::create(b, loc, (function.getName() + "_micro_batch").str(),
                                     FunctionType::get(ctx, stepTypes, function.getResultTypes()));
    step.setPrivate();
    step->setAttr("passthrough", b.getArrayAttr({b.getStringAttr("noinline")}));
    symbols.insert(step);
    step.getBody().takeBody(function.getBody());
    Block &stepBody = step.getBody().front();
    for (auto [argument, type] : llvm::zip(stepBody.getArguments(), wideTypes))
      argument.setType(type);
    SmallVector<Value> countArguments;
    for (const TargetCount &count : counts)
      countArguments.push_back(stepBody.addArgument(count.type, loc));
    Value index = stepBody.addArgument(IndexType::get(ctx), loc);
    for (auto [op, slot] : countUses) {
      if (auto loss = dyn_cast<CrossEntropyOp>(op))
        loss.getCountMutable().assign(countArguments[slot]);
      else
        cast<CrossEntropyGradOp>(op).getCountMutable().assign(countArguments[slot]);
    }
    b.setInsertionPointToStart(&stepBody);
    Value firstRow =
        arith::MulIOp::create(b, loc, index, arith::ConstantIndexOp::create(b, loc, rows));
    for (unsigned number : batched) {
      BlockArgument argument = stepBody.getArgument(number);
      auto type = cast<RankedTensorType>(argument.getType());
      SmallVector<int64_t> shape(type.getShape());
      shape[0] = rows;
      SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
      offsets[0] = firstRow;
      SmallVector<OpFoldResult> sizes, strides(type.getRank(), b.getIndexAttr(1));
      for (int64_t size : shape)
        sizes.push_back(b.getIndexAttr(size));
      Value rowsOfStep = tensor::ExtractSliceOp::create(b, loc, type.clone(shape), argument,
                                                        offsets, sizes, strides);
      argument.replaceAllUsesExcept(rowsOfStep, rowsOfStep.getDefiningOp());
    }
    // Each micro-batch draws its own dropout masks: seed * K + k.
    if (seedNumber) {
      BlockArgument seed = stepBody.getArgument(*seedNumber);
      auto given = tensor::ExtractOp::create(b, loc, seed, ValueRange{});
      Value folded = arith::AddIOp::create(
          b, loc,
          arith::MulIOp::create(b, loc, given,
                                arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(steps))),
          arith::IndexCastOp::create(b, loc, b.getI64Type(), index));
      Value seedOfStep = tensor::FromElementsOp::create(b, loc, seed.getType(), ValueRange{folded});
      seed.replaceAllUsesExcept(seedOfStep, given);
    }

    // The entry: counts of the whole batch, then the loop of steps with the
    // sums updated in place (each sum's buffer is its own destination, so
    // bufferization keeps one buffer per sum across the iterations).
    Block *body = function.addEntryBlock();
    function.setFunctionType(FunctionType::get(ctx, wideTypes, function.getResultTypes()));
    for (auto [argument, type] : llvm::zip(body->getArguments(), wideTypes))
      argument.setType(type);
    b.setInsertionPointToStart(body);
    SmallVector<Value> stepOperands(body->getArguments());
    for (const TargetCount &count : counts)
      stepOperands.push_back(CountTargetsOp::create(b, loc, count.type,
                                                    body->getArgument(count.labels),
                                                    count.ignoreIndex, count.shift));
    SmallVector<Value> zeros;
    for (Type type : function.getResultTypes()) {
      auto tensor = cast<RankedTensorType>(type);
      zeros.push_back(arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(tensor, b.getFloatAttr(tensor.getElementType(), 0.0))));
    }
    auto loop = scf::ForOp::create(
        b, loc, arith::ConstantIndexOp::create(b, loc, 0),
        arith::ConstantIndexOp::create(b, loc, steps), arith::ConstantIndexOp::create(b, loc, 1),
        zeros, [&](OpBuilder &lb, Location lloc, Value k, ValueRange sums) {
          SmallVector<Value> operands(stepOperands);
          operands.push_back(k);
          auto call = func::CallOp::create(lb, lloc, step, operands);
          SmallVector<Value> updated;
          for (auto [sum, value] : llvm::zip(sums, call.getResults()))
            updated.push_back(
                linalg::AddOp::create(lb, lloc, ValueRange{sum, value}, ValueRange{sum})
                    .getResult(0));
          scf::YieldOp::create(lb, lloc, updated);
        });
    func::ReturnOp::create(b, loc, loop.getResults());
    function->removeAttr(kGradAccumAttr);
    return success();
  }
};

} // namespace
