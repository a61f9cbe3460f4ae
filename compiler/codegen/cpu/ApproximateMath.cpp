// ptm-approximate-math: f32 transcendental functions as inline polynomials.
#include "compiler/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace ptm {
#define GEN_PASS_DEF_PTMAPPROXIMATEMATH
#include "compiler/Passes.h.inc"
} // namespace ptm

using namespace mlir;

namespace {

// The functions the models evaluate once per activation: GELU's tanh or
// erf, softmax's and cross-entropy's exp and log. As libm calls they keep
// the loops around them scalar (a call per element); as polynomials they are
// plain arithmetic that vectorises with the loop.
bool isApproximated(StringRef function) {
  function.consume_front("math.");
  return llvm::is_contained({"tanh", "erf", "exp", "expm1", "log", "log1p"}, function);
}

struct PtmApproximateMathPass : ptm::impl::PtmApproximateMathBase<PtmApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, isApproximated);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
