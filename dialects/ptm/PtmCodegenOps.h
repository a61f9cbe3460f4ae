// The ptm ops that only code generation creates (PtmCodegenOps.td).
#pragma once

#include "dialects/ptm/PtmDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"

#define GET_OP_CLASSES
#include "dialects/ptm/PtmCodegenOps.h.inc"
