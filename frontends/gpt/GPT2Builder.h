// GPT-2 (Hugging Face GPT2LMHeadModel) as ptm IR.
#pragma once

#include "frontends/ModelBuilder.h"

namespace ptm::frontends {

llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
buildGPT2(mlir::MLIRContext &context, const HFConfig &config, const BuildOptions &options);

} // namespace ptm::frontends
