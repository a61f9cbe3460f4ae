#include "dialects/ptm/PtmCodegenOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace ptm;

#define GET_OP_CLASSES
#include "dialects/ptm/PtmCodegenOps.cpp.inc"

namespace {
// The cache line of every x86-64 and AArch64 core ptm targets.
constexpr int64_t kCacheLineBytes = 64;
// memref.prefetch's locality hint 2: keep the lines in L2 (prefetcht1),
// where the panel copy finds them; L1 is too small for a whole weight tile.
constexpr uint32_t kKeepInL2 = 2;
} // namespace

LogicalResult PrefetchOp::verify() {
  auto type = getSource().getType();
  if (type.getRank() != 2)
    return emitOpError("prefetches a block of a rank-2 tensor, got rank ") << type.getRank();
  if (getOffsets().size() != 2 || getSizes().size() != 2)
    return emitOpError("needs two offsets and two sizes, got ")
           << getOffsets().size() << " and " << getSizes().size();
  for (auto [dim, size] : llvm::enumerate(getSizes())) {
    if (size <= 0)
      return emitOpError("size #") << dim << " must be positive, got " << size;
    if (!type.isDynamicDim(dim) && size > type.getDimSize(dim))
      return emitOpError("size #") << dim << " (" << size << ") exceeds the source's " << type.getDimSize(dim);
  }
  if (type.getElementTypeBitWidth() % 8 != 0)
    return emitOpError("needs whole-byte elements, got ") << type.getElementType();
  return success();
}

bool PrefetchOp::bufferizesToMemoryRead(OpOperand &, const bufferization::AnalysisState &) { return true; }

bool PrefetchOp::bufferizesToMemoryWrite(OpOperand &, const bufferization::AnalysisState &) { return false; }

bufferization::AliasingValueList PrefetchOp::getAliasingValues(OpOperand &, const bufferization::AnalysisState &) {
  return {};
}

LogicalResult PrefetchOp::bufferize(RewriterBase &rewriter, const bufferization::BufferizationOptions &options,
                                    bufferization::BufferizationState &state) {
  FailureOr<Value> buffer = bufferization::getBuffer(rewriter, getSource(), options, state);
  if (failed(buffer))
    return failure();
  Location loc = getLoc();
  int64_t elementBytes = getSource().getType().getElementTypeBitWidth() / 8;
  int64_t elementsPerLine = std::max<int64_t>(1, kCacheLineBytes / elementBytes);
  ArrayRef<int64_t> sizes = getSizes();
  Value rowOffset = getOffsets()[0], columnOffset = getOffsets()[1];
  rewriter.setInsertionPoint(*this);
  auto plus = [&](Value base, int64_t delta) -> Value {
    if (delta == 0)
      return base;
    return arith::AddIOp::create(rewriter, loc, base, arith::ConstantIndexOp::create(rewriter, loc, delta));
  };
  for (int64_t row = 0; row < sizes[0]; ++row) {
    Value rowIndex = plus(rowOffset, row);
    for (int64_t column = 0; column < sizes[1]; column += elementsPerLine)
      memref::PrefetchOp::create(rewriter, loc, *buffer, ValueRange{rowIndex, plus(columnOffset, column)},
                                 /*isWrite=*/false, kKeepInL2, /*isDataCache=*/true);
  }
  rewriter.eraseOp(*this);
  return success();
}
