// ptm-free-after-last-use: moves each buffer's memref.dealloc from the end of
// its block to just after the buffer's last use there (see Passes.td).
#include "compiler/Passes.h"

#include "llvm/ADT/SmallPtrSet.h"

namespace ptm {
#define GEN_PASS_DEF_PTMFREEAFTERLASTUSE
#include "compiler/Passes.h.inc"
} // namespace ptm

using namespace mlir;

namespace {

// The operand of a view or metadata op that it reads its buffer from.
Value viewedBuffer(Operation *op) {
  if (auto view = dyn_cast<ViewLikeOpInterface>(op))
    return view.getViewSource();
  if (auto metadata = dyn_cast<memref::ExtractStridedMetadataOp>(op))
    return metadata.getSource();
  return nullptr;
}

// The buffer a dealloc frees, when that is a memref.alloc in `block`, and
// the views or metadata ops between them (lower-deallocations frees the base
// of a strided buffer), which must serve the dealloc alone.
memref::AllocOp allocationIn(memref::DeallocOp dealloc, Block *block,
                             SmallVectorImpl<Operation *> &operandChain) {
  Value freed = dealloc.getMemref();
  while (Operation *producer = freed.getDefiningOp()) {
    if (auto alloc = dyn_cast<memref::AllocOp>(producer))
      return alloc->getBlock() == block ? alloc : nullptr;
    freed = viewedBuffer(producer);
    // One operand, so that the op can move down to the dealloc.
    if (!freed || producer->getNumOperands() != 1 || producer->getBlock() != block ||
        !llvm::hasSingleElement(producer->getUsers()))
      return nullptr;
    operandChain.push_back(producer);
  }
  return nullptr;
}

// The last operation of `block` that uses the allocation or a value that may
// alias it, or null when an alias leaves the block (reaches its terminator)
// or becomes an address the analysis cannot follow. Any memref result of a
// user counts as an alias: that only lengthens a buffer's life.
Operation *lastUseIn(memref::AllocOp alloc, Block *block,
                     const llvm::SmallPtrSetImpl<Operation *> &freeing) {
  Operation *last = alloc;
  SmallVector<Value> worklist{alloc.getResult()};
  llvm::SmallPtrSet<Value, 8> seen{alloc.getResult()};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (OpOperand &use : value.getUses()) {
      Operation *user = use.getOwner();
      if (freeing.contains(user))
        continue;
      if (isa<memref::ExtractAlignedPointerAsIndexOp>(user))
        return nullptr;
      Operation *inBlock = block->findAncestorOpInBlock(*user);
      if (!inBlock || inBlock == block->getTerminator())
        return nullptr;
      if (last->isBeforeInBlock(inBlock))
        last = inBlock;
      for (Value result : user->getResults())
        if (isa<BaseMemRefType>(result.getType()) && seen.insert(result).second)
          worklist.push_back(result);
    }
  }
  return last;
}

struct PtmFreeAfterLastUsePass : ptm::impl::PtmFreeAfterLastUseBase<PtmFreeAfterLastUsePass> {
  void runOnOperation() override {
    SmallVector<memref::DeallocOp> deallocs;
    getOperation().walk([&](memref::DeallocOp dealloc) { deallocs.push_back(dealloc); });
    for (memref::DeallocOp dealloc : deallocs) {
      Block *block = dealloc->getBlock();
      SmallVector<Operation *> operandChain;
      memref::AllocOp alloc = allocationIn(dealloc, block, operandChain);
      if (!alloc || !alloc->isBeforeInBlock(dealloc))
        continue;
      llvm::SmallPtrSet<Operation *, 4> freeing(operandChain.begin(), operandChain.end());
      freeing.insert(dealloc);
      Operation *last = lastUseIn(alloc, block, freeing);
      if (!last || !last->isBeforeInBlock(dealloc))
        continue;
      Operation *insertAfter = last;
      for (Operation *producer : llvm::reverse(operandChain)) {
        producer->moveAfter(insertAfter);
        insertAfter = producer;
      }
      dealloc->moveAfter(insertAfter);
    }
  }
};

} // namespace
