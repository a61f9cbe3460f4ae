// ptm-tile: cache tiling of matmul and batch_matmul.
//
// Each contraction is tiled on tensors into tile-m x tile-n output tiles
// (scf.forall, run in parallel by the runtime) and tile-k reduction steps
// (scf.for); the tiling interface handles remainders. A contraction already
// inside an scf.forall (a block product of fused attention, a matmul fused
// into its epilogue's tiles) is its task's tile as it stands. Each tile is
// rewritten as a linalg.generic whose loop order puts the contiguous
// dimension innermost:
//   rhs [K, N]  -> loops (m, k, n): the inner loop streams a row of rhs and
//                  of the result, which the vectoriser turns into FMAs;
//   rhs [N, K]  -> loops (m, n, k): the inner loop is a dot product over two
//                  contiguous rows, marked reassociable so it vectorises.
// A matmul (plain or with a transposed rhs) whose output tile has static
// sizes, its columns divisible by the register tile (register-tile-m x
// register-tile-n, 8 x 32 by default), instead gets register tiles: each rhs
// tile is first copied into contiguous panels of register-tile-n columns
// (pack-rhs), then each block of the result is a vector.contract against
// its panel (the rows after the last whole block get a shorter one),
// accumulated in registers across the whole reduction tile (hoisted out of
// the k loop), which lowers to one broadcast and one FMA per register-wide
// vector of a row and k step.
#include "compiler/Passes.h"
#include "compiler/tiling/TileSizes.h"
#include "dialects/ptm/PtmCodegenOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Interfaces/VectorInterfaces.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"
#include "llvm/ADT/MapVector.h"

#include <functional>
#include <map>

namespace ptm {
#define GEN_PASS_DEF_PTMTILE
#include "compiler/Passes.h.inc"
} // namespace ptm

using namespace mlir;
using ptm::tiling::chooseTileSize;

namespace {

// True when the innermost dimension of the rhs operand is the reduction
// dimension, i.e. the rhs is stored [N, K].
bool rhsIsTransposed(linalg::LinalgOp op) {
  AffineMap rhsMap = op.getMatchingIndexingMap(op.getDpsInputOperand(1));
  unsigned reductionDim = op.getNumLoops() - 1;
  return rhsMap.getResults().back() == getAffineDimExpr(reductionDim, op.getContext());
}

// True when the rhs is stored narrower than the result (a bf16 weight).
bool hasNarrowRhs(linalg::LinalgOp op) {
  return getElementTypeOrSelf(op.getDpsInputOperand(1)->get().getType()) !=
         getElementTypeOrSelf(op.getDpsInitOperand(0)->get().getType());
}

// True when the innermost dimension of the lhs operand is not the reduction
// dimension, i.e. the lhs is stored [K, M].
bool lhsIsTransposed(linalg::LinalgOp op) {
  AffineMap lhsMap = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  unsigned reductionDim = op.getNumLoops() - 1;
  return lhsMap.getResults().back() != getAffineDimExpr(reductionDim, op.getContext());
}

// Tiles `op` by `sizes` with serial loops (in `interchange` order when
// given) and vectorizes every tile; returns the loop nest's results. `what`
// names the op in errors.
FailureOr<SmallVector<Value>> tileAndVectorize(RewriterBase &rewriter, Operation *op, ArrayRef<int64_t> sizes,
                                               ArrayRef<int64_t> interchange, bool createNamedContraction,
                                               StringRef what) {
  scf::SCFTilingOptions tiling;
  SmallVector<OpFoldResult> tileSizes;
  for (int64_t size : sizes)
    tileSizes.push_back(rewriter.getIndexAttr(size));
  tiling.setTileSizes(tileSizes);
  tiling.setLoopType(scf::SCFTilingOptions::LoopType::ForOp);
  if (!interchange.empty())
    tiling.setInterchange(interchange);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(rewriter, cast<TilingInterface>(op), tiling);
  if (failed(tiled))
    return op->emitError("ptm-tile could not tile " + what);
  rewriter.replaceOp(op, tiled->replacements);
  for (Operation *tile : tiled->tiledOps) {
    rewriter.setInsertionPoint(tile);
    FailureOr<linalg::VectorizationResult> vectorized =
        linalg::vectorize(rewriter, tile, /*inputVectorSizes=*/{}, /*inputScalableVecDims=*/{},
                          /*vectorizeNDExtract=*/false, /*flatten1DDepthwiseConv=*/false,
                          /*assumeDynamicDimsMatchVecSizes=*/false, createNamedContraction);
    if (failed(vectorized))
      return tile->emitError("ptm-tile could not vectorize " + what);
    rewriter.replaceOp(tile, vectorized->replacements);
  }
  return tiled->replacements;
}

void markContractionBody(linalg::GenericOp generic, bool reassociate) {
  arith::FastMathFlags flags = arith::FastMathFlags::contract;
  if (reassociate)
    flags = flags | arith::FastMathFlags::reassoc;
  generic.getBody()->walk([&](Operation *op) {
    if (auto fastmath = dyn_cast<arith::ArithFastMathInterface>(op))
      op->setAttr(fastmath.getFastMathAttrName(),
                  arith::FastMathFlagsAttr::get(op->getContext(), flags));
  });
}

// Where a rhs tile lies in the function argument (a weight) it was sliced
// from: the argument and the tile's offsets in it.
struct WeightTile {
  Value weight;
  SmallVector<Value, 2> offsets;
};

// The weight tile that `rhs` is, through unit-stride slices of a
// statically shaped rank-2 function argument; none when it is anything else
// (an activation, a block of fused attention).
std::optional<WeightTile> weightTileOf(OpBuilder &b, Location loc, Value rhs) {
  SmallVector<tensor::ExtractSliceOp> slices;
  Value source = rhs;
  while (auto slice = source.getDefiningOp<tensor::ExtractSliceOp>()) {
    if (slice.getSourceType().getRank() != 2 || slice.getType().getRank() != 2 ||
        !llvm::all_of(slice.getStaticStrides(), [](int64_t stride) { return stride == 1; }))
      return std::nullopt;
    slices.push_back(slice);
    source = slice.getSource();
  }
  auto argument = dyn_cast<BlockArgument>(source);
  if (!argument || !isa<FunctionOpInterface>(argument.getOwner()->getParentOp()) ||
      !cast<RankedTensorType>(source.getType()).hasStaticShape())
    return std::nullopt;
  WeightTile tile{source, {}};
  for (int64_t dim = 0; dim < 2; ++dim) {
    Value offset = arith::ConstantIndexOp::create(b, loc, 0);
    for (tensor::ExtractSliceOp slice : slices)
      offset = arith::AddIOp::create(b, loc, offset,
                                     getValueOrCreateConstantIndexOp(b, loc, slice.getMixedOffsets()[dim]));
    tile.offsets.push_back(offset);
  }
  return tile;
}

struct PtmTilePass : ptm::impl::PtmTileBase<PtmTilePass> {
  using PtmTileBase::PtmTileBase;

  void runOnOperation() override {
    schedule.clear();
    SmallVector<linalg::LinalgOp> contractions;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op.getOperation()))
        contractions.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    SmallVector<linalg::LinalgOp> parts;
    for (linalg::LinalgOp op : contractions)
      splitOffColumnRemainder(rewriter, op, parts);
    for (linalg::LinalgOp op : parts)
      if (failed(tileContraction(rewriter, op)))
        return signalPassFailure();
    if (failed(keepAccumulatorsInRegisters()))
      return signalPassFailure();
    recordSchedule();
  }

  // One line per distinct choice, in program order, with its count: the
  // function's ptm.schedule, which ptmc stores in the artifact.
  void recordSchedule() {
    if (schedule.empty())
      return;
    Builder builder(&getContext());
    SmallVector<Attribute> entries;
    for (const auto &[line, count] : schedule)
      entries.push_back(builder.getStringAttr(count == 1 ? line : line + " (x" + std::to_string(count) + ")"));
    getOperation()->setAttr(ptm::kScheduleAttr, builder.getArrayAttr(entries));
  }

  // A contraction's shape and operand layouts, in words.
  static std::string describeShape(linalg::LinalgOp op) {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    ArrayRef<int64_t> mnk = ArrayRef<int64_t>(ranges).take_back(3);
    std::string text;
    llvm::raw_string_ostream os(text);
    bool batched = isa<linalg::BatchMatmulOp>(op.getOperation());
    os << (batched ? "batch_matmul " : "matmul ");
    if (batched)
      os << ranges.front() << " of ";
    os << mnk[0] << "x" << mnk[2] << "x" << mnk[1] << " (M x K x N, " << (lhsIsTransposed(op) ? "t" : "n")
       << (rhsIsTransposed(op) ? "t" : "n") << ", " << getElementTypeOrSelf(op.getDpsInputOperand(1)->get().getType())
       << " rhs)";
    return text;
  }

  // Each distinct choice of this function and how many contractions took it.
  llvm::MapVector<std::string, int64_t, std::map<std::string, unsigned>> schedule;

  // A plain matmul whose N has no tile-n-sized divisor (GPT-2's 50257-token
  // vocabulary) is split into the columns that whole tiles cover and the
  // rest. Tiled as one, every tile's width would be an affine.min, so no
  // tile would get static register tiles; split, only the remainder's
  // columns take the generic loops.
  void splitOffColumnRemainder(RewriterBase &rewriter, linalg::LinalgOp op,
                               SmallVectorImpl<linalg::LinalgOp> &parts) {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    if (isa<linalg::BatchMatmulOp>(op.getOperation()) || ShapedType::isDynamicShape(ranges)) {
      parts.push_back(op);
      return;
    }
    int64_t columns = ranges[1];
    int64_t tileWidth = chooseTileSize(columns, tileN, registerTileN, registerTileN);
    int64_t covered = columns / tileWidth * tileWidth;
    if (columns % tileWidth == 0 || covered == 0 || tileWidth % registerTileN != 0) {
      parts.push_back(op);
      return;
    }
    rewriter.setInsertionPoint(op);
    auto [whole, remainder] = linalg::splitOp(rewriter, cast<TilingInterface>(op.getOperation()),
                                              /*dimension=*/1, rewriter.getIndexAttr(covered));
    parts.push_back(cast<linalg::LinalgOp>(whole.getOperation()));
    parts.push_back(cast<linalg::LinalgOp>(remainder.getOperation()));
  }

  LogicalResult tileContraction(RewriterBase &rewriter, linalg::LinalgOp op) {
    bool batched = isa<linalg::BatchMatmulOp>(op.getOperation());
    bool transposed = rhsIsTransposed(op);
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    ArrayRef<int64_t> mnkRanges = ArrayRef<int64_t>(ranges).take_back(3);
    ptm::tiling::OutputTile outputTileSize = ptm::tiling::chooseOutputTile(
        mnkRanges[0], mnkRanges[1], batched ? ranges.front() : 1, {tileM, tileN, registerTileN, minTiles});
    int64_t tileSizeM = outputTileSize.m, tileSizeN = outputTileSize.n;
    int64_t tileSizeK = chooseTileSize(mnkRanges[2], tileK, 1, 1);
    auto sizes = [&](ArrayRef<int64_t> mnk) {
      SmallVector<OpFoldResult> tileSizes;
      if (batched)
        tileSizes.push_back(rewriter.getIndexAttr(1));
      for (int64_t size : mnk)
        tileSizes.push_back(rewriter.getIndexAttr(size));
      return tileSizes;
    };

    // Output tiles are independent: an scf.forall that the runtime's thread
    // pool runs in parallel. Within a tile, the reduction is tiled serially.
    // A contraction already inside a parallel task (a block of fused
    // attention, a matmul fused into its epilogue) is that task's tile.
    auto outputTile = cast<TilingInterface>(op.getOperation());
    bool inTask = op->getParentOfType<scf::ForallOp>() != nullptr;
    std::string choice = describeShape(op) + ": " +
                         (inTask ? std::string("one task's tile")
                                 : "output tiles " + std::to_string(tileSizeM) + "x" + std::to_string(tileSizeN)) +
                         ", k tiles " + std::to_string(tileSizeK) + ", ";
    // The kernels of its reduction tiles (a remainder tile may differ).
    SmallVector<std::string> kernels;
    auto noteKernel = [&](std::string kernel) {
      if (!llvm::is_contained(kernels, kernel))
        kernels.push_back(std::move(kernel));
    };
    if (!inTask) {
      scf::SCFTilingOptions outputTiling;
      outputTiling.setTileSizes(sizes({tileSizeM, tileSizeN, 0}));
      outputTiling.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> outer =
          scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()), outputTiling);
      if (failed(outer))
        return op.emitError("ptm-tile could not tile this contraction");
      rewriter.replaceOp(op, outer->replacements);
      outputTile = cast<TilingInterface>(outer->tiledOps.front());
    }
    scf::SCFTilingOptions reductionTiling;
    reductionTiling.setTileSizes(sizes({0, 0, tileSizeK}));
    reductionTiling.setLoopType(scf::SCFTilingOptions::LoopType::ForOp);
    rewriter.setInsertionPoint(outputTile);
    FailureOr<scf::SCFTilingResult> tiled =
        scf::tileUsingSCF(rewriter, outputTile, reductionTiling);
    if (failed(tiled))
      return op.emitError("ptm-tile could not tile the reduction of this contraction");
    rewriter.replaceOp(outputTile, tiled->replacements);

    for (Operation *tileOp : tiled->tiledOps) {
      auto tile = cast<linalg::LinalgOp>(tileOp);
      // A panel pays for its copy by serving several register tiles down the
      // rows; a tile of at most one register tile of rows (decoding steps:
      // one row per sequence) would copy every rhs element to read it once.
      // Measured on GPT-2's decoding step (batch 1, 2 threads): 24 ms
      // packed, 16 ms unpacked. A bf16 rhs is packed all the same: it must
      // be widened, and the panel copy widens register-wide vectors where
      // the generic loops widen element by element (GPT-2's bf16 decoding
      // went from 0.81x to 1.03x the f32 tokens/s).
      bool pack = packRhs && (mnkRanges[0] > registerTileM || hasNarrowRhs(tile));
      std::string registerTile = std::to_string(registerTileM) + "x" + std::to_string(registerTileN);
      if (!batched && fitsRegisterTile(tile, pack)) {
        // Unpacked register tiles contract the rhs as it lies, so they need
        // it in f32: a bf16 weight is widened only by packing (or, unpacked,
        // element by element in the generic loops below).
        if (pack || (!transposed && !hasNarrowRhs(tile))) {
          noteKernel((pack ? "rhs packed into panels, " : "rhs read in place, ") + registerTile + " register tiles");
          if (failed(pack ? packAndRegisterTile(rewriter, tile, transposed)
                          : registerTileAndVectorize(rewriter, tile)))
            return failure();
          continue;
        }
      }
      rewriter.setInsertionPoint(tile);
      FailureOr<linalg::GenericOp> generic = linalg::generalizeNamedOp(rewriter, tile);
      if (failed(generic))
        return tile.emitError("ptm-tile could not generalize a tile");
      if (!transposed) {
        SmallVector<unsigned> order =
            batched ? SmallVector<unsigned>{0, 1, 3, 2} : SmallVector<unsigned>{0, 2, 1};
        generic = linalg::interchangeGenericOp(rewriter, *generic, order);
        if (failed(generic))
          return tile.emitError("ptm-tile could not reorder a tile's loops");
      }
      markContractionBody(*generic, /*reassociate=*/transposed);
      noteKernel("loops (innermost dimension contiguous)");
    }
    ++schedule[choice + llvm::join(kernels, " + ")];
    return success();
  }

  // Copies the rhs tile into panels of register-tile-n columns, each panel
  // contiguous ([K tile][register-tile-n]), then multiplies register tile by
  // register tile against its panel. Unpacked, a register tile's k steps read
  // rows a whole rhs row apart: for N a multiple of 1024 floats every row
  // falls into the same L1 set and the tile streams from L2; a transposed
  // rhs could not be register tiled at all. The copy costs one load and
  // store per rhs element of the tile against 2 * tile-m flops on it.
  LogicalResult packAndRegisterTile(RewriterBase &rewriter, linalg::LinalgOp tile, bool transposed) {
    Location loc = tile.getLoc();
    Value lhs = tile.getDpsInputOperand(0)->get();
    Value rhs = tile.getDpsInputOperand(1)->get();
    Value accumulator = tile.getDpsInitOperand(0)->get();
    auto accumulatorType = cast<RankedTensorType>(accumulator.getType());
    Type elementType = accumulatorType.getElementType();
    int64_t rows = accumulatorType.getDimSize(0), columns = accumulatorType.getDimSize(1);
    // A transposed lhs (weight gradients xᵀ · dy) is [K, M]: its register
    // tiles read a column block, whose rows are broadcast one by one.
    bool lhsTransposed = lhsIsTransposed(tile);
    int64_t depth = cast<RankedTensorType>(lhs.getType()).getDimSize(lhsTransposed ? 0 : 1);
    int64_t panels = columns / registerTileN;

    rewriter.setInsertionPoint(tile);
    Type rhsElementType = cast<RankedTensorType>(rhs.getType()).getElementType();
    Value grouped;
    SmallVector<int64_t> toPanels;
    if (transposed) {
      grouped = tensor::ExpandShapeOp::create(
          rewriter, loc, RankedTensorType::get({panels, registerTileN, depth}, rhsElementType), rhs,
          ArrayRef<ReassociationIndices>{{0, 1}, {2}});
      toPanels = {0, 2, 1};
    } else {
      grouped = tensor::ExpandShapeOp::create(
          rewriter, loc, RankedTensorType::get({depth, panels, registerTileN}, rhsElementType), rhs,
          ArrayRef<ReassociationIndices>{{0}, {1, 2}});
      toPanels = {1, 0, 2};
    }
    Value panelsInit = tensor::EmptyOp::create(rewriter, loc, {panels, depth, registerTileN}, elementType);
    // A bf16 weight is widened to f32 on its way into the panels: the
    // register tiles stay f32, and memory holds (and streams) half the bytes.
    linalg::LinalgOp pack;
    if (rhsElementType == elementType) {
      pack = linalg::TransposeOp::create(rewriter, loc, grouped, panelsInit, toPanels);
    } else {
      MLIRContext *ctx = rewriter.getContext();
      SmallVector<AffineExpr> sourceDims(3);
      for (auto [panelDim, sourceDim] : llvm::enumerate(toPanels))
        sourceDims[sourceDim] = getAffineDimExpr(panelDim, ctx);
      SmallVector<AffineMap> maps{AffineMap::get(3, 0, sourceDims, ctx), rewriter.getMultiDimIdentityMap(3)};
      SmallVector<utils::IteratorType> parallel(3, utils::IteratorType::parallel);
      pack = linalg::GenericOp::create(rewriter, loc, panelsInit.getType(), grouped, panelsInit, maps, parallel,
                                       [&](OpBuilder &b, Location nloc, ValueRange args) {
                                         Value wide = arith::ExtFOp::create(b, nloc, elementType, args[0]);
                                         linalg::YieldOp::create(b, nloc, wide);
                                       });
    }
    FailureOr<Value> packed = vectorizePanelCopy(rewriter, pack, transposed);
    if (failed(packed))
      return failure();
    rewriter.setInsertionPoint(tile);

    auto index = [&](OpBuilder &b, int64_t value) { return arith::ConstantIndexOp::create(b, loc, value); };
    SmallVector<linalg::MatmulOp> registerTiles;
    // The blockRows x register-tile-n block of `result` at (row, panel),
    // multiplied against the panel.
    auto multiplyBlock = [&](OpBuilder &b, Value row, Value panel, int64_t blockRows, Value result) -> Value {
      Value column = arith::MulIOp::create(b, loc, panel, index(b, registerTileN));
      SmallVector<int64_t> lhsSizes{blockRows, depth}, lhsOffsets{ShapedType::kDynamic, 0};
      if (lhsTransposed) {
        std::swap(lhsSizes[0], lhsSizes[1]);
        std::swap(lhsOffsets[0], lhsOffsets[1]);
      }
      Value lhsRows = tensor::ExtractSliceOp::create(
          b, loc, RankedTensorType::get(lhsSizes, elementType), lhs, ValueRange{row}, ValueRange{},
          ValueRange{}, b.getDenseI64ArrayAttr(lhsOffsets), b.getDenseI64ArrayAttr(lhsSizes),
          b.getDenseI64ArrayAttr({1, 1}));
      Value rhsPanel = tensor::ExtractSliceOp::create(
          b, loc, RankedTensorType::get({depth, registerTileN}, elementType), *packed,
          ValueRange{panel}, ValueRange{}, ValueRange{},
          b.getDenseI64ArrayAttr({ShapedType::kDynamic, 0, 0}),
          b.getDenseI64ArrayAttr({1, depth, registerTileN}), b.getDenseI64ArrayAttr({1, 1, 1}));
      SmallVector<int64_t> blockOffsets{ShapedType::kDynamic, ShapedType::kDynamic},
          blockSizes{blockRows, registerTileN};
      Value block = tensor::ExtractSliceOp::create(
          b, loc, RankedTensorType::get(blockSizes, elementType), result, ValueRange{row, column},
          ValueRange{}, ValueRange{}, b.getDenseI64ArrayAttr(blockOffsets),
          b.getDenseI64ArrayAttr(blockSizes), b.getDenseI64ArrayAttr({1, 1}));
      SmallVector<NamedAttribute> layout;
      if (lhsTransposed) {
        MLIRContext *ctx = b.getContext();
        AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx), k = getAffineDimExpr(2, ctx);
        layout.push_back(b.getNamedAttr(
            "indexing_maps", b.getAffineMapArrayAttr({AffineMap::get(3, 0, {k, m}, ctx),
                                                      AffineMap::get(3, 0, {k, n}, ctx),
                                                      AffineMap::get(3, 0, {m, n}, ctx)})));
      }
      auto product = linalg::MatmulOp::create(b, loc, TypeRange{block.getType()},
                                              ValueRange{lhsRows, rhsPanel}, ValueRange{block}, layout);
      registerTiles.push_back(product);
      return tensor::InsertSliceOp::create(b, loc, product.getResult(0), result, ValueRange{row, column},
                                           ValueRange{}, ValueRange{}, b.getDenseI64ArrayAttr(blockOffsets),
                                           b.getDenseI64ArrayAttr(blockSizes), b.getDenseI64ArrayAttr({1, 1}));
    };
    // Whole register tiles down the panel, then one shorter tile for the
    // rows left over (GPT-2's 128 rows are 21 tiles of 6 and one of 2).
    int64_t remainderRows = rows % registerTileM, wholeRows = rows - remainderRows;
    // The next weight tile is prefetched in shares, one per whole register
    // tile (or per panel when there are none).
    int64_t rowTiles = wholeRows / registerTileM;
    std::function<void(OpBuilder &, Value)> prefetchShare;
    if (prefetchRhs)
      prefetchShare =
          prefetchNextWeightTile(rewriter, loc, rhs, transposed, panels * std::max<int64_t>(rowTiles, 1));
    auto panelLoop = scf::ForOp::create(
        rewriter, loc, index(rewriter, 0), index(rewriter, panels), index(rewriter, 1),
        ValueRange{accumulator}, [&](OpBuilder &b, Location, Value panel, ValueRange panelCarried) {
          Value result = panelCarried[0];
          if (wholeRows > 0) {
            auto rowLoop = scf::ForOp::create(
                b, loc, index(b, 0), index(b, wholeRows), index(b, registerTileM), ValueRange{result},
                [&](OpBuilder &b, Location, Value row, ValueRange carried) {
                  if (prefetchShare) {
                    Value rowTile = arith::DivUIOp::create(b, loc, row, index(b, registerTileM));
                    Value panelStart = arith::MulIOp::create(b, loc, panel, index(b, rowTiles));
                    prefetchShare(b, arith::AddIOp::create(b, loc, panelStart, rowTile));
                  }
                  scf::YieldOp::create(b, loc, multiplyBlock(b, row, panel, registerTileM, carried[0]));
                });
            result = rowLoop.getResult(0);
          } else if (prefetchShare) {
            prefetchShare(b, panel);
          }
          if (remainderRows > 0)
            result = multiplyBlock(b, index(b, wholeRows), panel, remainderRows, result);
          scf::YieldOp::create(b, loc, result);
        });
    rewriter.replaceOp(tile, panelLoop.getResults());
    for (linalg::MatmulOp registerTile : registerTiles)
      if (failed(registerTileAndVectorize(rewriter, registerTile)))
        return failure();
    return success();
  }

  // When `rhs` is a tile of a weight (a function argument, which comes
  // from memory: each weight is read once per call), a builder of the
  // prefetches for the weight tile packed after this one: the next
  // reduction step's, or after the last one the first of the output tile
  // `rhs`'s width further on (clamped into the weight). It is cut into
  // `shares` blocks of whole source rows; share i prefetches block i. Null
  // when `rhs` is not a weight tile.
  std::function<void(OpBuilder &, Value)> prefetchNextWeightTile(OpBuilder &b, Location loc, Value rhs,
                                                                 bool transposed, int64_t shares) {
    std::optional<WeightTile> tile = weightTileOf(b, loc, rhs);
    if (!tile)
      return nullptr;
    SmallVector<int64_t> sizes(cast<RankedTensorType>(rhs.getType()).getShape());
    ArrayRef<int64_t> weightShape = cast<RankedTensorType>(tile->weight.getType()).getShape();
    // The weight is [K, N], or [N, K] when transposed.
    int64_t kDim = transposed ? 1 : 0, nDim = 1 - kDim;
    int64_t depth = sizes[kDim], width = sizes[nDim];
    auto index = [&](int64_t value) { return arith::ConstantIndexOp::create(b, loc, value); };
    Value nextDepth = arith::AddIOp::create(b, loc, tile->offsets[kDim], index(depth));
    Value deeper = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle, nextDepth,
                                         index(weightShape[kDim] - depth));
    Value nextColumns = arith::MinSIOp::create(
        b, loc, arith::AddIOp::create(b, loc, tile->offsets[nDim], index(width)), index(weightShape[nDim] - width));
    SmallVector<Value, 2> next(2);
    next[kDim] = arith::SelectOp::create(b, loc, deeper, nextDepth, index(0));
    next[nDim] = arith::SelectOp::create(b, loc, deeper, tile->offsets[nDim], nextColumns);
    int64_t rowsPerShare = llvm::divideCeil(sizes[0], shares);
    Value weight = tile->weight;
    return [=](OpBuilder &builder, Value share) {
      auto constant = [&](int64_t value) { return arith::ConstantIndexOp::create(builder, loc, value); };
      Value shareStart = arith::MulIOp::create(builder, loc, share, constant(rowsPerShare));
      Value firstRow = arith::MinSIOp::create(builder, loc, shareStart, constant(sizes[0] - rowsPerShare));
      Value row = arith::AddIOp::create(builder, loc, next[0], firstRow);
      ptm::PrefetchOp::create(builder, loc, weight, ValueRange{row, next[1]},
                              ArrayRef<int64_t>{rowsPerShare, sizes[1]});
    };
  }

  // The panel copy in vector registers: a row of register-tile-n elements at
  // a time from a plain rhs, an 8 x register-tile-n block transposed in
  // registers from a transposed one.
  FailureOr<Value> vectorizePanelCopy(RewriterBase &rewriter, linalg::LinalgOp pack, bool transposed) {
    int64_t depthStep = transposed ? 8 : 1;
    int64_t depth = cast<RankedTensorType>(pack.getDpsInitOperand(0)->get().getType()).getDimSize(1);
    if (depth % depthStep != 0)
      depthStep = 1;
    // Read the source in its own order: rows of a plain rhs one after the
    // other (panel by panel, each row of a panel would be a rhs row apart).
    SmallVector<int64_t> order;
    if (!transposed)
      order = {1, 0, 2};
    FailureOr<SmallVector<Value>> copied =
        tileAndVectorize(rewriter, pack.getOperation(), {1, depthStep, registerTileN}, order,
                         /*createNamedContraction=*/false, "the rhs panel copy");
    if (failed(copied))
      return failure();
    return copied->front();
  }

  // Packed tiles take any static row count (the rows after the last whole
  // register tile get a shorter one); unpacked ones need whole register
  // tiles.
  bool fitsRegisterTile(linalg::LinalgOp tile, bool pack) {
    SmallVector<int64_t> ranges = tile.getStaticLoopRanges();
    return !ShapedType::isDynamicShape(ranges) && (pack || ranges[0] % registerTileM == 0) &&
           ranges[1] % registerTileN == 0;
  }

  LogicalResult registerTileAndVectorize(RewriterBase &rewriter, linalg::LinalgOp tile) {
    int64_t rows = tile.getStaticLoopRanges()[0];
    return tileAndVectorize(rewriter, tile, {std::min<int64_t>(rows, registerTileM), registerTileN, 1},
                            /*interchange=*/{}, /*createNamedContraction=*/true,
                            "a contraction into register tiles");
  }

  // The shape to split a vector op into: its lane dimension (a contraction's
  // n, the last dimension of anything else) cut to register width when it
  // is a multiple of it, and a contraction's rows cut to one; none when it
  // already fits. One row at a time, in row-major order, each broadcast lhs
  // element meets all of its row's register-wide rhs vectors at once and
  // then dies: a 6 x 16 tile on AVX2 needs its 12 accumulators, 2 rhs
  // vectors and 1 broadcast (15 of 16 registers). Split only by columns,
  // all 6 broadcasts would stay live across both halves and spill.
  std::optional<SmallVector<int64_t>> registerWideShape(Operation *op) {
    auto unrollable = dyn_cast<VectorUnrollOpInterface>(op);
    if (!unrollable)
      return std::nullopt;
    std::optional<SmallVector<int64_t>> shape = unrollable.getShapeForUnroll();
    if (!shape || shape->empty())
      return std::nullopt;
    SmallVector<int64_t> native = *shape;
    size_t laneDim = shape->size() - 1;
    if (auto contract = dyn_cast<vector::ContractionOp>(op)) {
      AffineMap resultMap = contract.getIndexingMapsArray().back();
      if (resultMap.getNumResults() == 0)
        return std::nullopt;
      laneDim = cast<AffineDimExpr>(resultMap.getResults().back()).getPosition();
      if (resultMap.getNumResults() >= 2)
        native[cast<AffineDimExpr>(resultMap.getResults().drop_back().back()).getPosition()] = 1;
    }
    int64_t lanes = native[laneDim];
    if (lanes > vectorWidth && lanes % vectorWidth == 0)
      native[laneDim] = vectorWidth;
    if (native == *shape)
      return std::nullopt;
    return native;
  }

  // Splits vectors wider than a register, folds the slices around each
  // vector.contract into its transfers, then keeps every accumulator in
  // registers across its reduction loop.
  LogicalResult keepAccumulatorsInRegisters() {
    MLIRContext *ctx = &getContext();
    RewritePatternSet unrollPatterns(ctx);
    vector::populateVectorUnrollPatterns(
        unrollPatterns, vector::UnrollVectorOptions().setNativeShapeFn(
                            [this](Operation *op) { return registerWideShape(op); }));
    if (failed(applyPatternsGreedily(getOperation(), std::move(unrollPatterns))))
      return failure();
    RewritePatternSet patterns(ctx);
    tensor::populateFoldTensorSubsetIntoVectorTransferPatterns(patterns);
    for (RegisteredOperationName name : ctx->getRegisteredOperations())
      if (name.getDialectNamespace() == "tensor" || name.getDialectNamespace() == "vector" ||
          name.getDialectNamespace() == "scf")
        name.getCanonicalizationPatterns(patterns, ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return failure();
    SmallVector<scf::ForOp> reductionLoops;
    getOperation().walk([&](scf::ForOp loop) {
      if (!loop.getBody()->getOps<vector::ContractionOp>().empty())
        reductionLoops.push_back(loop);
    });
    IRRewriter rewriter(ctx);
    for (scf::ForOp loop : reductionLoops)
      hoistLoopInvariantSubsets(rewriter, cast<LoopLikeOpInterface>(loop.getOperation()));
    return success();
  }
};

} // namespace
