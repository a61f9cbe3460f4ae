// ptm-opt: mlir-opt with the ptm dialect, ptm's passes and pipelines. Pass
// plugins load with --load-pass-plugin / --load-dialect-plugin.
#include "compiler/Passes.h"
#include "dialects/ptm/PtmDialect.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<ptm::PtmDialect>();
  ptm::registerPtmPassesAndPipelines();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "ptm optimizer driver\n", registry));
}
