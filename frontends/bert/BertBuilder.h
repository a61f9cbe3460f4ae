// BERT (Hugging Face BertForPreTraining / BertForMaskedLM) as ptm IR.
#pragma once

#include "frontends/ModelBuilder.h"

namespace ptm::frontends {

llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
buildBert(mlir::MLIRContext &context, const HFConfig &config, const BuildOptions &options);

} // namespace ptm::frontends
