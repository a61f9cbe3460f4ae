// ptm-fuse-residual-norm: forms ptm.residual_layer_norm from a residual add
// and the layer norm of its sum.
//
// Unfused, the sum streams through memory once for the add and three more
// times for the layer norm (mean, variance, normalisation); fused, lowering
// computes everything a block of rows at a time while the rows are in cache.
// The add may have other users (a pre-norm block carries the sum on as its
// residual stream): they take the op's `sum` result.
#include "compiler/Passes.h"
#include "dialects/ptm/PtmOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace ptm {
#define GEN_PASS_DEF_PTMFUSERESIDUALNORM
#include "compiler/Passes.h.inc"
} // namespace ptm

using namespace mlir;
using namespace ptm;

namespace {

struct FuseResidualIntoLayerNorm : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LayerNormOp op, PatternRewriter &rewriter) const override {
    auto add = op.getInput().getDefiningOp<AddOp>();
    // A broadcast add (a bias, position embeddings) is not a residual: its
    // rhs is smaller than the rows it would be read with.
    if (!add || add.getLhs().getType() != add.getRhs().getType())
      return rewriter.notifyMatchFailure(op, "input is not a same-shape ptm.add");
    rewriter.setInsertionPointAfter(add);
    auto fused = ResidualLayerNormOp::create(rewriter, op.getLoc(), add.getType(), op.getType(),
                                             add.getLhs(), add.getRhs(), op.getWeight(),
                                             op.getBias(), op.getEpsilonAttr());
    rewriter.replaceOp(op, fused.getResult());
    rewriter.replaceOp(add, fused.getSum());
    return success();
  }
};

struct PtmFuseResidualNormPass : ptm::impl::PtmFuseResidualNormBase<PtmFuseResidualNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseResidualIntoLayerNorm>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
