// ptm-tile: cache tiling of matmul and batch_matmul.
//
// Each contraction is tiled on tensors into tile-m x tile-n x tile-k blocks
// (scf.for, remainders handled by the tiling interface), and each tile is
// rewritten as a linalg.generic whose loop order puts the contiguous
// dimension innermost:
//   rhs [K, N]  -> loops (m, k, n): the inner loop streams a row of rhs and
//                  of the result, which the vectoriser turns into FMAs;
//   rhs [N, K]  -> loops (m, n, k): the inner loop is a dot product over two
//                  contiguous rows, marked reassociable so it vectorises.
#include "compiler/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/PatternMatch.h"

namespace ptm {
#define GEN_PASS_DEF_PTMTILE
#include "compiler/Passes.h.inc"
} // namespace ptm

using namespace mlir;

namespace {

// True when the innermost dimension of the rhs operand is the reduction
// dimension, i.e. the rhs is stored [N, K].
bool rhsIsTransposed(linalg::LinalgOp op) {
  AffineMap rhsMap = op.getMatchingIndexingMap(op.getDpsInputOperand(1));
  unsigned reductionDim = op.getNumLoops() - 1;
  return rhsMap.getResults().back() == getAffineDimExpr(reductionDim, op.getContext());
}

void markContractionBody(linalg::GenericOp generic, bool reassociate) {
  arith::FastMathFlags flags = arith::FastMathFlags::contract;
  if (reassociate)
    flags = flags | arith::FastMathFlags::reassoc;
  generic.getBody()->walk([&](Operation *op) {
    if (auto fastmath = dyn_cast<arith::ArithFastMathInterface>(op))
      op->setAttr(fastmath.getFastMathAttrName(),
                  arith::FastMathFlagsAttr::get(op->getContext(), flags));
  });
}

struct PtmTilePass : ptm::impl::PtmTileBase<PtmTilePass> {
  using PtmTileBase::PtmTileBase;

  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> contractions;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op.getOperation()))
        contractions.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : contractions)
      if (failed(tileContraction(rewriter, op)))
        return signalPassFailure();
  }

  LogicalResult tileContraction(RewriterBase &rewriter, linalg::LinalgOp op) {
    bool batched = isa<linalg::BatchMatmulOp>(op.getOperation());
    bool transposed = rhsIsTransposed(op);
    SmallVector<OpFoldResult> tileSizes;
    if (batched)
      tileSizes.push_back(rewriter.getIndexAttr(1));
    for (int64_t size : {tileM.getValue(), tileN.getValue(), tileK.getValue()})
      tileSizes.push_back(rewriter.getIndexAttr(size));

    scf::SCFTilingOptions options;
    options.setTileSizes(tileSizes);
    options.setLoopType(scf::SCFTilingOptions::LoopType::ForOp);
    rewriter.setInsertionPoint(op);
    FailureOr<scf::SCFTilingResult> tiled =
        scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()), options);
    if (failed(tiled))
      return op.emitError("ptm-tile could not tile this contraction");
    rewriter.replaceOp(op, tiled->replacements);

    for (Operation *tileOp : tiled->tiledOps) {
      auto tile = cast<linalg::LinalgOp>(tileOp);
      rewriter.setInsertionPoint(tile);
      FailureOr<linalg::GenericOp> generic = linalg::generalizeNamedOp(rewriter, tile);
      if (failed(generic))
        return tile.emitError("ptm-tile could not generalize a tile");
      if (!transposed) {
        SmallVector<unsigned> order =
            batched ? SmallVector<unsigned>{0, 1, 3, 2} : SmallVector<unsigned>{0, 2, 1};
        generic = linalg::interchangeGenericOp(rewriter, *generic, order);
        if (failed(generic))
          return tile.emitError("ptm-tile could not reorder a tile's loops");
      }
      markContractionBody(*generic, /*reassociate=*/transposed);
    }
    return success();
  }
};

} // namespace
