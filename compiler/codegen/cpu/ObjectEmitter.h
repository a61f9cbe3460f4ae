// LLVM dialect -> optimised LLVM IR -> object -> shared object bytes.
#pragma once

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <string>

namespace ptm::codegen {

// What the native code is compiled for; recorded in the artifact.
struct CpuTarget {
  std::string triple;
  std::string cpu;
  std::string features;
};

// The machine ptmc runs on (the default target).
CpuTarget hostCpuTarget();

// Translates `module` (LLVM dialect) to LLVM IR for `target`, optimised at -O3.
llvm::Expected<std::string> emitLlvmIr(mlir::ModuleOp module, const CpuTarget &target);

// Compiles and links `module` into the bytes of a position-independent shared
// object that exports the module's ptm_entry_* functions.
llvm::Expected<std::string> emitSharedObject(mlir::ModuleOp module, const CpuTarget &target);

} // namespace ptm::codegen
