// Shared between ptm-parallel-to-runtime and ptm-emit-entry-abi: the module
// global through which compiled code reaches the runtime's callback table.
#pragma once

#include "llvm/ADT/StringRef.h"

namespace ptm {
inline constexpr llvm::StringLiteral kRuntimeCallbacksGlobal = "ptm_runtime_callbacks";
} // namespace ptm
