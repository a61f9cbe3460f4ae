// ptm-fuse: forms ptm.linear from a weight matmul and its epilogue.
//
// Three local rewrites, applied to a fixed point, compose into the full
// fusion `gelu(add(matmul(x, W), b))` -> `linear(x, W, b) {gelu}`:
//   matmul(x, W)              -> linear(x, W)         when W is rank 2
//   add(linear(x, W), b)      -> linear(x, W, b)      when b is [N]
//   gelu(linear(x, W, b?))    -> linear(...) {gelu_*}
// Each fires only when the inner op has a single use, so no work is
// duplicated.
#include "compiler/Passes.h"
#include "dialects/ptm/PtmOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace ptm {
#define GEN_PASS_DEF_PTMFUSE
#include "compiler/Passes.h.inc"
} // namespace ptm

using namespace mlir;
using namespace ptm;

namespace {

struct MatmulWithWeightToLinear : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatmulOp op, PatternRewriter &rewriter) const override {
    if (cast<RankedTensorType>(op.getRhs().getType()).getRank() != 2)
      return rewriter.notifyMatchFailure(op, "rhs is not a shared weight");
    if (op.getTransposeLhs())
      return rewriter.notifyMatchFailure(op, "a weight gradient (xᵀ · dy), not a layer");
    rewriter.replaceOpWithNewOp<LinearOp>(op, op.getType(), op.getLhs(), op.getRhs(),
                                          /*bias=*/Value(), op.getTransposeRhs(),
                                          rewriter.getStringAttr("none"));
    return success();
  }
};

struct FoldBiasIntoLinear : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AddOp op, PatternRewriter &rewriter) const override {
    // The add verifier only lets the lower-rank operand be the rhs, so a [N]
    // bias is always the rhs.
    auto linear = op.getLhs().getDefiningOp<LinearOp>();
    Value bias = op.getRhs();
    if (linear && !linear.getBias() && linear.getActivation() == "none" &&
        linear->hasOneUse()) {
      auto biasType = cast<RankedTensorType>(bias.getType());
      auto resultType = cast<RankedTensorType>(linear.getType());
      if (biasType.getRank() == 1 && biasType.getDimSize(0) == resultType.getShape().back()) {
        rewriter.replaceOpWithNewOp<LinearOp>(op, op.getType(), linear.getInput(),
                                              linear.getWeight(), bias,
                                              linear.getTransposeWeight(),
                                              linear.getActivationAttr());
        rewriter.eraseOp(linear);
        return success();
      }
    }
    return rewriter.notifyMatchFailure(op, "no linear with a [N] bias");
  }
};

struct FoldGeluIntoLinear : OpRewritePattern<GeluOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GeluOp op, PatternRewriter &rewriter) const override {
    auto linear = op.getInput().getDefiningOp<LinearOp>();
    if (!linear || linear.getActivation() != "none" || !linear->hasOneUse())
      return rewriter.notifyMatchFailure(op, "input is not a single-use linear");
    StringRef activation = op.getApproximate() == "tanh" ? "gelu_tanh" : "gelu_erf";
    rewriter.replaceOpWithNewOp<LinearOp>(op, op.getType(), linear.getInput(),
                                          linear.getWeight(), linear.getBias(),
                                          linear.getTransposeWeight(),
                                          rewriter.getStringAttr(activation));
    rewriter.eraseOp(linear);
    return success();
  }
};

struct PtmFusePass : ptm::impl::PtmFuseBase<PtmFusePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<MatmulWithWeightToLinear, FoldBiasIntoLinear, FoldGeluIntoLinear>(
        &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
