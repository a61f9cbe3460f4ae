// ptm-tile: cache tiling of matmul and batch_matmul.
//
// Each contraction is tiled on tensors into tile-m x tile-n output tiles
// (scf.forall, run in parallel by the runtime) and tile-k reduction steps
// (scf.for); the tiling interface handles remainders. Each tile is
// rewritten as a linalg.generic whose loop order puts the contiguous
// dimension innermost:
//   rhs [K, N]  -> loops (m, k, n): the inner loop streams a row of rhs and
//                  of the result, which the vectoriser turns into FMAs;
//   rhs [N, K]  -> loops (m, n, k): the inner loop is a dot product over two
//                  contiguous rows, marked reassociable so it vectorises.
// A plain matmul whose output tile has static sizes divisible by the register
// tile (register-tile-m x register-tile-n, 8 x 32 by default) instead gets a
// register tile: each such block of the result is a vector.contract
// accumulated in registers across the whole reduction tile (hoisted out of
// the k loop), which lowers to one broadcast and one FMA on
// vector<register-tile-n x f32> per row and k step.
#include "compiler/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace ptm {
#define GEN_PASS_DEF_PTMTILE
#include "compiler/Passes.h.inc"
} // namespace ptm

using namespace mlir;

namespace {

// The tile size for a dimension of `size`: the whole dimension when it is
// not larger than `preferred`, else the largest multiple of `quantum` not
// above `preferred` that divides it, so that every tile has the same static
// shape (which register tiling needs). Without such a divisor, `preferred`
// (the last tile is then partial and gets the scalar path).
int64_t chooseTileSize(int64_t size, int64_t preferred, int64_t quantum) {
  if (size <= preferred)
    return size;
  for (int64_t candidate = preferred - preferred % quantum; candidate >= quantum;
       candidate -= quantum)
    if (size % candidate == 0)
      return candidate;
  return preferred;
}

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
    if (failed(keepAccumulatorsInRegisters()))
      signalPassFailure();
  }

  LogicalResult tileContraction(RewriterBase &rewriter, linalg::LinalgOp op) {
    bool batched = isa<linalg::BatchMatmulOp>(op.getOperation());
    bool transposed = rhsIsTransposed(op);
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    ArrayRef<int64_t> mnkRanges = ArrayRef<int64_t>(ranges).take_back(3);
    int64_t tileSizeM = chooseTileSize(mnkRanges[0], tileM, registerTileM);
    int64_t tileSizeN = chooseTileSize(mnkRanges[1], tileN, registerTileN);
    int64_t tileSizeK = chooseTileSize(mnkRanges[2], tileK, 1);
    auto sizes = [&](ArrayRef<int64_t> mnk) {
      SmallVector<OpFoldResult> tileSizes;
      if (batched)
        tileSizes.push_back(rewriter.getIndexAttr(1));
      for (int64_t size : mnk)
        tileSizes.push_back(rewriter.getIndexAttr(size));
      return tileSizes;
    };

    // Output tiles are independent: an scf.forall that the runtime's thread
    // pool runs in parallel. Within a tile, the reduction is tiled serially.
    scf::SCFTilingOptions outputTiling;
    outputTiling.setTileSizes(sizes({tileSizeM, tileSizeN, 0}));
    outputTiling.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
    rewriter.setInsertionPoint(op);
    FailureOr<scf::SCFTilingResult> outer =
        scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()), outputTiling);
    if (failed(outer))
      return op.emitError("ptm-tile could not tile this contraction");
    rewriter.replaceOp(op, outer->replacements);

    auto outputTile = cast<TilingInterface>(outer->tiledOps.front());
    scf::SCFTilingOptions reductionTiling;
    reductionTiling.setTileSizes(sizes({0, 0, tileSizeK}));
    reductionTiling.setLoopType(scf::SCFTilingOptions::LoopType::ForOp);
    rewriter.setInsertionPoint(outputTile);
    FailureOr<scf::SCFTilingResult> tiled =
        scf::tileUsingSCF(rewriter, outputTile, reductionTiling);
    if (failed(tiled))
      return op.emitError("ptm-tile could not tile the reduction of this contraction");
    rewriter.replaceOp(outputTile, tiled->replacements);

    for (Operation *tileOp : tiled->tiledOps) {
      auto tile = cast<linalg::LinalgOp>(tileOp);
      if (!batched && !transposed && fitsRegisterTile(tile)) {
        if (failed(registerTileAndVectorize(rewriter, tile)))
          return failure();
        continue;
      }
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

  bool fitsRegisterTile(linalg::LinalgOp tile) {
    SmallVector<int64_t> ranges = tile.getStaticLoopRanges();
    return !ShapedType::isDynamicShape(ranges) && ranges[0] % registerTileM == 0 &&
           ranges[1] % registerTileN == 0;
  }

  LogicalResult registerTileAndVectorize(RewriterBase &rewriter, linalg::LinalgOp tile) {
    scf::SCFTilingOptions registerTiling;
    registerTiling.setTileSizes({rewriter.getIndexAttr(registerTileM),
                                 rewriter.getIndexAttr(registerTileN), rewriter.getIndexAttr(1)});
    registerTiling.setLoopType(scf::SCFTilingOptions::LoopType::ForOp);
    rewriter.setInsertionPoint(tile);
    FailureOr<scf::SCFTilingResult> registers =
        scf::tileUsingSCF(rewriter, cast<TilingInterface>(tile.getOperation()), registerTiling);
    if (failed(registers))
      return tile.emitError("ptm-tile could not tile a contraction into register tiles");
    rewriter.replaceOp(tile, registers->replacements);
    for (Operation *registerTile : registers->tiledOps) {
      rewriter.setInsertionPoint(registerTile);
      FailureOr<linalg::VectorizationResult> vectorized =
          linalg::vectorize(rewriter, registerTile, /*inputVectorSizes=*/{},
                            /*inputScalableVecDims=*/{}, /*vectorizeNDExtract=*/false,
                            /*flatten1DDepthwiseConv=*/false,
                            /*assumeDynamicDimsMatchVecSizes=*/false,
                            /*createNamedContraction=*/true);
      if (failed(vectorized))
        return registerTile->emitError("ptm-tile could not vectorize a register tile");
      rewriter.replaceOp(registerTile, vectorized->replacements);
    }
    return success();
  }

  // Folds the slices around each vector.contract into its transfers, then
  // keeps every accumulator in registers across its reduction loop.
  LogicalResult keepAccumulatorsInRegisters() {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    tensor::populateFoldTensorSubsetIntoVectorTransferPatterns(patterns);
    for (RegisteredOperationName name : ctx->getRegisteredOperations())
      if (name.getDialectNamespace() == "tensor" || name.getDialectNamespace() == "vector" ||
          name.getDialectNamespace() == "scf")
        name.getCanonicalizationPatterns(patterns, ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return failure();
    SmallVector<scf::ForOp> reductionLoops;
    getOperation().walk([&](scf::ForOp loop) {
      if (!loop.getBody()->getOps<vector::ContractionOp>().empty())
        reductionLoops.push_back(loop);
    });
    IRRewriter rewriter(ctx);
    for (scf::ForOp loop : reductionLoops)
      hoistLoopInvariantSubsets(rewriter, cast<LoopLikeOpInterface>(loop.getOperation()));
    return success();
  }
};

} // namespace
