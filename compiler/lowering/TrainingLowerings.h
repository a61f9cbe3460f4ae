// Lowerings of the loss and gradient ops (ptm.cross_entropy and the *_grad
// ops that VJP rules emit), used by ptm-decompose.
#pragma once

#include "mlir/IR/PatternMatch.h"

namespace ptm {
void populateTrainingLoweringPatterns(mlir::RewritePatternSet &patterns);
} // namespace ptm
