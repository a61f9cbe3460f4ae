// ptm-strided-copies-to-loops: memref.copy of non-contiguous buffers ->
// linalg.copy (see Passes.td).
#include "compiler/Passes.h"

#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"

namespace ptm {
#define GEN_PASS_DEF_PTMSTRIDEDCOPIESTOLOOPS
#include "compiler/Passes.h.inc"
} // namespace ptm

using namespace mlir;

namespace {

struct PtmStridedCopiesToLoopsPass
    : ptm::impl::PtmStridedCopiesToLoopsBase<PtmStridedCopiesToLoopsPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> stridedCopies;
    getOperation().walk([&](memref::CopyOp copy) {
      auto source = cast<MemRefType>(copy.getSource().getType());
      auto target = cast<MemRefType>(copy.getTarget().getType());
      if (!memref::isStaticShapeAndContiguousRowMajor(source) ||
          !memref::isStaticShapeAndContiguousRowMajor(target))
        stridedCopies.push_back(copy);
    });
    for (memref::CopyOp copy : stridedCopies) {
      OpBuilder builder(copy);
      linalg::CopyOp::create(builder, copy.getLoc(), copy.getSource(), copy.getTarget());
      copy.erase();
    }
  }
};

} // namespace
