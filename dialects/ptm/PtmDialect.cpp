#include "dialects/ptm/PtmDialect.h"
#include "dialects/ptm/PtmCodegenOps.h"
#include "dialects/ptm/PtmOps.h"

using namespace mlir;
using namespace ptm;

#include "dialects/ptm/PtmDialect.cpp.inc"
#include "dialects/ptm/PtmInterfaces.cpp.inc"

void PtmDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/ptm/PtmOps.cpp.inc"
      ,
#define GET_OP_LIST
#include "dialects/ptm/PtmCodegenOps.cpp.inc"
      >();
}
