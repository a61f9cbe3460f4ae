// ptm-fuse-elementwise: producer-consumer fusion of linalg ops on tensors,
// restricted to elementwise consumers (see Passes.td for why).
#include "compiler/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace ptm {
#define GEN_PASS_DEF_PTMFUSEELEMENTWISE
#include "compiler/Passes.h.inc"
} // namespace ptm

using namespace mlir;

namespace {

bool isElementwiseConsumerOfSoleUse(OpOperand *fusedOperand) {
  Operation *producer = fusedOperand->get().getDefiningOp();
  auto consumer = dyn_cast<linalg::LinalgOp>(fusedOperand->getOwner());
  return producer && producer->hasOneUse() && consumer &&
         consumer.getNumReductionLoops() == 0;
}

struct PtmFuseElementwisePass : ptm::impl::PtmFuseElementwiseBase<PtmFuseElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(patterns, isElementwiseConsumerOfSoleUse);
    linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
