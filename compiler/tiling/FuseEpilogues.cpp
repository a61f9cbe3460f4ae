// ptm-fuse-epilogues: computes a matmul's elementwise epilogue on each
// output tile, right after the tile's products.
//
// ptm.linear (ptm-fuse) lowers to a linalg.matmul and a linalg.generic for
// its bias and activation, which ptm-fuse-elementwise may have merged with a
// residual add. Tiled apart, the generic streams the whole [M, N] product
// through memory once more after the matmul wrote it. This pass tiles the
// generic into the output tiles ptm-tile would give the matmul (an
// scf.forall) and fuses the matmul, with the fill of its accumulator, into
// each tile: the epilogue then reads a product tile that is still in cache.
// ptm-tile treats the fused matmul, already inside a parallel task, as that
// task's tile.
#include "compiler/Passes.h"
#include "compiler/tiling/TileSizes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/PatternMatch.h"

namespace ptm {
#define GEN_PASS_DEF_PTMFUSEEPILOGUES
#include "compiler/Passes.h.inc"
} // namespace ptm

using namespace mlir;

namespace {

// The elementwise consumer of `matmul` that can be computed tile by tile
// with it: the matmul's only user, all-parallel over the matmul's [M, N]
// result, reading it and writing its result element for element.
linalg::GenericOp fusableEpilogue(linalg::MatmulOp matmul) {
  Value product = matmul.getResult(0);
  if (!product.hasOneUse() || matmul->getParentOfType<LoopLikeOpInterface>())
    return {};
  auto epilogue = dyn_cast<linalg::GenericOp>(*product.getUsers().begin());
  if (!epilogue || epilogue.getNumDpsInits() != 1 || epilogue.getNumLoops() != 2 ||
      epilogue.getNumReductionLoops() != 0 || !epilogue.hasPureTensorSemantics())
    return {};
  auto productType = cast<RankedTensorType>(product.getType());
  if (!productType.hasStaticShape() || epilogue.getResult(0).getType() != productType)
    return {};
  AffineMap identity = AffineMap::getMultiDimIdentityMap(2, matmul.getContext());
  if (epilogue.getMatchingIndexingMap(epilogue.getDpsInitOperand(0)) != identity)
    return {};
  for (OpOperand *input : epilogue.getDpsInputOperands())
    if (input->get() == product && epilogue.getMatchingIndexingMap(input) != identity)
      return {};
  return epilogue;
}

struct PtmFuseEpiloguesPass : ptm::impl::PtmFuseEpiloguesBase<PtmFuseEpiloguesPass> {
  using PtmFuseEpiloguesBase::PtmFuseEpiloguesBase;

  void runOnOperation() override {
    SmallVector<std::pair<linalg::MatmulOp, linalg::GenericOp>> candidates;
    getOperation().walk([&](linalg::MatmulOp matmul) {
      if (linalg::GenericOp epilogue = fusableEpilogue(matmul))
        candidates.push_back({matmul, epilogue});
    });
    IRRewriter rewriter(&getContext());
    for (auto [matmul, epilogue] : candidates)
      if (failed(fuse(rewriter, matmul, epilogue)))
        return signalPassFailure();
  }

  LogicalResult fuse(RewriterBase &rewriter, linalg::MatmulOp matmul, linalg::GenericOp epilogue) {
    ArrayRef<int64_t> shape = cast<RankedTensorType>(matmul.getResult(0).getType()).getShape();
    ptm::tiling::OutputTile tile =
        ptm::tiling::chooseOutputTile(shape[0], shape[1], /*batches=*/1, {tileM, tileN, registerTileN, minTiles});
    // Cut tiles would leave ptm-tile an affine.min-sized matmul (no register
    // tiles); it splits off such column remainders itself, unfused.
    if (shape[0] % tile.m != 0 || shape[1] % tile.n != 0)
      return success();
    Operation *accumulatorFill = matmul.getDpsInitOperand(0)->get().getDefiningOp<linalg::FillOp>();
    scf::SCFTileAndFuseOptions options;
    options.tilingOptions.setTileSizes({rewriter.getIndexAttr(tile.m), rewriter.getIndexAttr(tile.n)});
    options.tilingOptions.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
    // Only the matmul and the fill of its accumulator move into the tiles;
    // the epilogue's other inputs (a residual, a bias) are read as they are.
    options.setFusionControlFn([&](tensor::ExtractSliceOp, OpResult producer,
                                   bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
      Operation *owner = producer.getOwner();
      if (owner == matmul.getOperation() || (accumulatorFill && owner == accumulatorFill))
        return scf::SCFTileAndFuseOptions::ControlFnResult{};
      return std::nullopt;
    });
    rewriter.setInsertionPoint(epilogue);
    FailureOr<scf::SCFTileAndFuseResult> fused =
        scf::tileConsumerAndFuseProducersUsingSCF(rewriter, cast<TilingInterface>(epilogue.getOperation()), options);
    if (failed(fused))
      return epilogue.emitError("ptm-fuse-epilogues could not tile this epilogue with its matmul");
    Value result = epilogue.getResult(0);
    rewriter.replaceAllUsesWith(result, fused->replacements.lookup(result));
    rewriter.eraseOp(epilogue);
    // Fusion leaves the slices it fused through in the loop, unused; they
    // are the untiled matmul's and fill's last users.
    for (Operation *untiled : {matmul.getOperation(), accumulatorFill}) {
      if (!untiled)
        continue;
      for (Operation *user : llvm::make_early_inc_range(untiled->getUsers()))
        if (isa<tensor::ExtractSliceOp>(user) && user->use_empty())
          rewriter.eraseOp(user);
      if (untiled->use_empty())
        rewriter.eraseOp(untiled);
    }
    return success();
  }
};

} // namespace
