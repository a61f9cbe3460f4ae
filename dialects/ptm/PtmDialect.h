#pragma once

#include "mlir/IR/Dialect.h"

#include "dialects/ptm/PtmDialect.h.inc"
