// ptm-parallelize-loops: chunks the outer parallel loop of non-contraction
// linalg ops into an scf.forall (see Passes.td).
#include "compiler/Passes.h"

#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/PatternMatch.h"

namespace ptm {
#define GEN_PASS_DEF_PTMPARALLELIZELOOPS
#include "compiler/Passes.h.inc"
} // namespace ptm

using namespace mlir;

namespace {

// The smallest divisor of `size` that splits it into at most `chunks`
// pieces, so that every piece has the same static shape.
int64_t chunkSize(int64_t size, int64_t chunks) {
  for (int64_t candidate = llvm::divideCeil(size, chunks); candidate < size; ++candidate)
    if (size % candidate == 0)
      return candidate;
  return size;
}

struct PtmParallelizeLoopsPass
    : ptm::impl::PtmParallelizeLoopsBase<PtmParallelizeLoopsPass> {
  using PtmParallelizeLoopsBase::PtmParallelizeLoopsBase;

  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> candidates;
    getOperation().walk([&](linalg::LinalgOp op) {
      // Only top-level ops: those inside an existing tile loop are already
      // someone's piece.
      if (isa<linalg::MatmulOp, linalg::BatchMatmulOp, linalg::FillOp>(op.getOperation()) ||
          !op.hasPureTensorSemantics() || op->getParentOfType<LoopLikeOpInterface>())
        return;
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      if (ranges.empty() || ShapedType::isDynamic(ranges[0]) || ranges[0] < 2 ||
          op.getIteratorTypesArray()[0] != utils::IteratorType::parallel)
        return;
      candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : candidates) {
      int64_t loops = op.getNumLoops();
      SmallVector<OpFoldResult> tileSizes(loops, rewriter.getIndexAttr(0));
      tileSizes[0] = rewriter.getIndexAttr(chunkSize(op.getStaticLoopRanges()[0], chunks));
      scf::SCFTilingOptions options;
      options.setTileSizes(tileSizes);
      options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tiled =
          scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled)) {
        op.emitError("ptm-parallelize-loops could not split this op");
        return signalPassFailure();
      }
      rewriter.replaceOp(op, tiled->replacements);
    }
  }
};

} // namespace
