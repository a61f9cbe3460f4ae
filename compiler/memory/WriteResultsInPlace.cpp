// ptm-write-results-in-place: a result that buffer-results-to-out-params
// copies into its out-parameter from a reshaped view of a buffer is computed
// in the out-parameter instead (see Passes.td).
#include "compiler/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace ptm {
#define GEN_PASS_DEF_PTMWRITERESULTSINPLACE
#include "compiler/Passes.h.inc"
} // namespace ptm

using namespace mlir;

namespace {

// A contiguous buffer reached from the copy's source through reshapes, each
// of which only feeds the next one, and the reshapes from the buffer to the
// source (in that order).
struct ReshapedAllocation {
  memref::AllocOp alloc;
  SmallVector<Operation *> reshapes;
};

std::optional<ReshapedAllocation> reshapedAllocation(Value source) {
  ReshapedAllocation found;
  while (Operation *producer = source.getDefiningOp()) {
    if (auto alloc = dyn_cast<memref::AllocOp>(producer)) {
      found.alloc = alloc;
      std::reverse(found.reshapes.begin(), found.reshapes.end());
      return found;
    }
    if (!isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(producer) ||
        !llvm::hasSingleElement(producer->getUsers()))
      return std::nullopt;
    found.reshapes.push_back(producer);
    source = producer->getOperand(0);
  }
  return std::nullopt;
}

// `target` reshaped back, step by step, into the buffer's own shape.
Value undoReshapes(OpBuilder &builder, Value target, ArrayRef<Operation *> reshapes) {
  Value view = target;
  for (Operation *reshape : llvm::reverse(reshapes)) {
    if (auto expand = dyn_cast<memref::ExpandShapeOp>(reshape))
      view = memref::CollapseShapeOp::create(builder, reshape->getLoc(), view, expand.getReassociationIndices());
    else
      view = memref::ExpandShapeOp::create(
          builder, reshape->getLoc(), cast<MemRefType>(reshape->getOperand(0).getType()).getShape(), view,
          cast<memref::CollapseShapeOp>(reshape).getReassociationIndices());
  }
  return view;
}

struct PtmWriteResultsInPlacePass : ptm::impl::PtmWriteResultsInPlaceBase<PtmWriteResultsInPlacePass> {
  void runOnOperation() override {
    func::FuncOp function = getOperation();
    if (function.isExternal())
      return;
    Block &body = function.getBody().front();
    SmallVector<memref::CopyOp> copies;
    for (auto copy : body.getOps<memref::CopyOp>())
      copies.push_back(copy);
    for (memref::CopyOp copy : copies)
      writeInPlace(body, copy);
  }

  // Rewrites the buffer that `copy` reads to be a view of its out-parameter
  // when that is safe: the out-parameter is only written by the copy, and
  // nothing touches the buffer after it.
  void writeInPlace(Block &body, memref::CopyOp copy) {
    auto target = dyn_cast<BlockArgument>(copy.getTarget());
    if (!target || target.getOwner() != &body || !target.hasOneUse())
      return;
    std::optional<ReshapedAllocation> source = reshapedAllocation(copy.getSource());
    if (!source || source->reshapes.empty() || source->alloc->getBlock() != &body ||
        !source->alloc.getType().getLayout().isIdentity())
      return;
    for (Operation *user : source->alloc->getUsers()) {
      Operation *inBody = body.findAncestorOpInBlock(*user);
      if (!inBody || !inBody->isBeforeInBlock(copy))
        return;
    }
    // Reshapes of a contiguous identity-layout buffer have identity layouts
    // too, so with an identity-layout out-parameter the inverse reshapes
    // rebuild each view's type exactly; any other layout would not.
    if (!cast<MemRefType>(target.getType()).getLayout().isIdentity())
      return;
    OpBuilder builder = OpBuilder::atBlockBegin(&body);
    Value view = undoReshapes(builder, target, source->reshapes);
    copy->erase();
    for (Operation *reshape : llvm::reverse(source->reshapes))
      reshape->erase();
    source->alloc.replaceAllUsesWith(view);
    source->alloc->erase();
  }
};

} // namespace
