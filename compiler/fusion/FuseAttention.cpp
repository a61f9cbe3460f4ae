// ptm-fuse-attention: lowers ptm.attention to one tiled kernel with an
// online softmax.
//
// Unfused, attention materialises the [B, H, T, S] scores, streams them
// through memory for the scale and masks, the row maximum, the exponentials,
// the row sum and the normalisation, then reads the probabilities once more
// for the product with the values. Fused, each task of an scf.forall takes
// one head and a block of query rows and walks the keys a block at a time,
// keeping only the block's scores ([query block, key block], in cache) and,
// per query row, the running maximum m, the running sum l of exp(score - m)
// and the running output o (Milakov and Gimelshein, "Online normalizer
// calculation for softmax", 2018; Dao et al., FlashAttention, 2022):
//   m' = max(m, max_j s_j),  α = exp(m - m'),
//   l' = α l + Σ_j exp(s_j - m'),  o' = α o + exp(s - m') · V_block,
// and divides o by l at the end. With a causal mask, key blocks wholly after
// a query block's last row are never visited. The two products of each step
// are linalg.matmul ops on static blocks, which ptm-tile gives register
// tiles.
//
// Masked scores become the lowest finite float, as in the unfused lowering:
// once a row has seen a visible key, α wipes whatever masked keys had added;
// a row that sees none keeps m at the lowest float and gets zeros, as torch's
// scaled_dot_product_attention returns.
//
// Attention with dropout keeps the unfused lowering: its mask is drawn over
// the whole [B, H, T, S] probabilities, which it needs anyway.
#include "compiler/Passes.h"
#include "dialects/ptm/PtmOps.h"

#include "compiler/lowering/LoweringUtils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace ptm {
#define GEN_PASS_DEF_PTMFUSEATTENTION
#include "compiler/Passes.h.inc"
} // namespace ptm

using namespace mlir;
using namespace ptm;
using namespace ptm::lowering;

namespace {

// The largest divisor of `size` that is at most `preferred` and a multiple of
// `quantum` (register tiles want key blocks in whole register-tile columns);
// `size` itself when it is not larger than `preferred` or has no such
// divisor. Blocks must divide their dimension so that every block has one
// static shape.
int64_t blockSize(int64_t size, int64_t preferred, int64_t quantum) {
  if (size <= preferred)
    return size;
  for (int64_t candidate = preferred - preferred % quantum; candidate >= quantum; candidate -= quantum)
    if (size % candidate == 0)
      return candidate;
  for (int64_t candidate = preferred; candidate > 1; --candidate)
    if (size % candidate == 0)
      return candidate;
  return size;
}

// An elementwise linalg.generic over `target`'s shape that overwrites
// `target`: `body` gets the elements of `inputs` (read through `inputMaps`)
// and then `target`'s own.
Value updateInPlace(OpBuilder &b, Location loc, Value target, ValueRange inputs,
                    ArrayRef<AffineMap> inputMaps, BodyBuilder body) {
  int64_t rank = tensorType(target).getRank();
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(rank));
  auto generic = linalg::GenericOp::create(b, loc, target.getType(), inputs, target, maps, parallelIterators(rank),
                                           [&](OpBuilder &nb, Location nloc, ValueRange args) {
                                             linalg::YieldOp::create(nb, nloc, body(nb, nloc, args));
                                           });
  return generic.getResult(0);
}

struct FuseAttention : OpRewritePattern<AttentionOp> {
  FuseAttention(MLIRContext *ctx, int64_t queryBlock, int64_t keyBlock, int64_t keyMultiple)
      : OpRewritePattern(ctx), queryBlock(queryBlock), keyBlock(keyBlock), keyMultiple(keyMultiple) {}

  int64_t queryBlock, keyBlock, keyMultiple;

  LogicalResult matchAndRewrite(AttentionOp op, PatternRewriter &b) const override {
    if (op.getDropoutSeed())
      return b.notifyMatchFailure(op, "dropout needs the whole probability matrix");
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    RankedTensorType queryType = op.getQuery().getType();
    auto floatType = cast<FloatType>(queryType.getElementType());
    int64_t batch = queryType.getDimSize(0), heads = queryType.getDimSize(1);
    int64_t queries = queryType.getDimSize(2), headDim = queryType.getDimSize(3);
    int64_t keys = tensorType(op.getKey()).getDimSize(2);
    int64_t rows = blockSize(queries, queryBlock, 1);
    int64_t columns = blockSize(keys, keyBlock, keyMultiple);
    // With a cache, the queries are the last `queries` of the `keys` positions.
    int64_t queryOffset = keys - queries;
    bool causal = op.getCausal();
    Value keyMask = op.getKeyMask();

    Value query = collapseLeading(b, loc, op.getQuery(), 2);
    Value key = collapseLeading(b, loc, op.getKey(), 2);
    Value value = collapseLeading(b, loc, op.getValue(), 2);
    Value output = emptyTensor(b, loc, {batch * heads, queries, headDim}, floatType);
    auto forall = scf::ForallOp::create(
        b, loc, ArrayRef<OpFoldResult>{b.getIndexAttr(batch * heads), b.getIndexAttr(queries / rows)},
        ValueRange{output}, std::nullopt);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(forall.getTerminator());
    auto index = [&](int64_t v) -> Value { return arith::ConstantIndexOp::create(b, loc, v); };
    Value head = forall.getInductionVar(0);
    Value firstRow = arith::MulIOp::create(b, loc, forall.getInductionVar(1), index(rows));

    // [1, n, d] block of a [B * H, *, Dh] tensor at (head, start), as [n, d].
    auto headBlock = [&](OpBuilder &nb, Value whole, Value start, int64_t n) -> Value {
      return tensor::ExtractSliceOp::create(
          nb, loc, RankedTensorType::get({n, headDim}, floatType), whole, ValueRange{head, start},
          ValueRange{}, ValueRange{}, nb.getDenseI64ArrayAttr({ShapedType::kDynamic, ShapedType::kDynamic, 0}),
          nb.getDenseI64ArrayAttr({1, n, headDim}), nb.getDenseI64ArrayAttr({1, 1, 1}));
    };
    Value queryRows = headBlock(b, query, firstRow, rows);

    // Causal: the last row of the block sees keys up to firstRow + rows - 1
    // + queryOffset; later key blocks are skipped.
    Value keyBlocks = index(keys / columns);
    if (causal) {
      Value visibleEnd = arith::AddIOp::create(b, loc, firstRow, index(rows + queryOffset + columns - 1));
      Value needed = arith::DivUIOp::create(b, loc, visibleEnd, index(columns));
      keyBlocks = arith::MinUIOp::create(b, loc, needed, keyBlocks);
    }

    Value lowest = lowestFloat(b, loc, floatType);
    Value zero = floatConstant(b, loc, floatType, 0.0);
    Value scale = floatConstant(b, loc, floatType, op.getScale().convertToDouble());
    SmallVector<Value> initial{filledTensor(b, loc, {rows}, floatType, lowest),
                               filledTensor(b, loc, {rows}, floatType, zero),
                               filledTensor(b, loc, {rows, headDim}, floatType, zero)};
    AffineMap identity = b.getMultiDimIdentityMap(2);
    AffineMap perRow = dropDimMap(ctx, 2, 1);
    AffineMap perColumn = dropDimMap(ctx, 2, 0);
    AffineMap vector = b.getMultiDimIdentityMap(1);
    Value batchIndex;
    if (keyMask)
      batchIndex = arith::DivUIOp::create(b, loc, head, index(heads));

    auto keyLoop = scf::ForOp::create(
        b, loc, index(0), keyBlocks, index(1), initial,
        [&](OpBuilder &nb, Location, Value block, ValueRange carried) {
          Value runningMax = carried[0], runningSum = carried[1], runningOutput = carried[2];
          Value firstKey = arith::MulIOp::create(nb, loc, block, arith::ConstantIndexOp::create(nb, loc, columns));
          Value scores = contraction(nb, loc, queryRows, headBlock(nb, key, firstKey, columns),
                                     /*transposeRhs=*/true);
          SmallVector<Value> inputs{scores};
          SmallVector<AffineMap> maps{identity};
          if (keyMask) {
            Type maskElement = tensorType(keyMask).getElementType();
            inputs.push_back(tensor::ExtractSliceOp::create(
                nb, loc, RankedTensorType::get({columns}, maskElement), keyMask,
                ValueRange{batchIndex, firstKey}, ValueRange{}, ValueRange{},
                nb.getDenseI64ArrayAttr({ShapedType::kDynamic, ShapedType::kDynamic}),
                nb.getDenseI64ArrayAttr({1, columns}), nb.getDenseI64ArrayAttr({1, 1})));
            maps.push_back(perColumn);
          }
          Value masked = elementwise(
              nb, loc, inputs, maps, {rows, columns}, floatType,
              [&](OpBuilder &eb, Location eloc, ValueRange args) -> Value {
                Value score = arith::MulFOp::create(eb, eloc, args[0], scale);
                if (causal) {
                  Value row = arith::AddIOp::create(eb, eloc, linalg::IndexOp::create(eb, eloc, 0), firstRow);
                  Value column = arith::AddIOp::create(eb, eloc, linalg::IndexOp::create(eb, eloc, 1), firstKey);
                  score = hideFutureKey(eb, eloc, score, row, column, queryOffset, lowest);
                }
                if (keyMask)
                  score = hidePaddedKey(eb, eloc, score, args[1], lowest);
                return score;
              });
          // The running statistics and output are updated in place (each
          // update is the last reader of the old value), so the loop carries
          // one buffer for each and allocates none of them per step.
          Value blockMax = reduce(nb, loc, masked, {}, /*axis=*/1, lowest,
                                  [](OpBuilder &eb, Location eloc, ValueRange args) -> Value {
                                    return arith::MaximumFOp::create(eb, eloc, args[0], args[1]);
                                  });
          auto exponentialOfExcess = [](OpBuilder &eb, Location eloc, Value x, Value oldMax, Value blockMax) {
            Value newMax = arith::MaximumFOp::create(eb, eloc, oldMax, blockMax);
            return math::ExpOp::create(eb, eloc, arith::SubFOp::create(eb, eloc, x, newMax)).getResult();
          };
          Value weights = elementwise(nb, loc, {masked, runningMax, blockMax}, {identity, perRow, perRow},
                                      {rows, columns}, floatType,
                                      [&](OpBuilder &eb, Location eloc, ValueRange args) -> Value {
                                        return exponentialOfExcess(eb, eloc, args[0], args[1], args[2]);
                                      });
          Value rescale = elementwise(nb, loc, {runningMax, blockMax}, {vector, vector}, {rows}, floatType,
                                      [&](OpBuilder &eb, Location eloc, ValueRange args) -> Value {
                                        return exponentialOfExcess(eb, eloc, args[0], args[0], args[1]);
                                      });
          Value newMax = updateInPlace(nb, loc, runningMax, {blockMax}, {vector},
                                       [](OpBuilder &eb, Location eloc, ValueRange args) -> Value {
                                         return arith::MaximumFOp::create(eb, eloc, args[1], args[0]);
                                       });
          Value blockSum = sumAlong(nb, loc, weights, /*axis=*/1);
          Value newSum = updateInPlace(nb, loc, runningSum, {rescale, blockSum}, {vector, vector},
                                       [](OpBuilder &eb, Location eloc, ValueRange args) -> Value {
                                         Value kept = arith::MulFOp::create(eb, eloc, args[2], args[0]);
                                         return arith::AddFOp::create(eb, eloc, kept, args[1]);
                                       });
          Value rescaled = updateInPlace(nb, loc, runningOutput, {rescale}, {perRow},
                                         [](OpBuilder &eb, Location eloc, ValueRange args) -> Value {
                                           return arith::MulFOp::create(eb, eloc, args[1], args[0]);
                                         });
          // o' = α o + weights · V_block: the product accumulates into the
          // rescaled output.
          Value valueRows = headBlock(nb, value, firstKey, columns);
          Value newOutput = linalg::MatmulOp::create(nb, loc, TypeRange{rescaled.getType()},
                                                     ValueRange{weights, valueRows}, ValueRange{rescaled})
                                .getResult(0);
          scf::YieldOp::create(nb, loc, ValueRange{newMax, newSum, newOutput});
        });

    Value finalMax = keyLoop.getResult(0), finalSum = keyLoop.getResult(1);
    Value attended = elementwise(
        b, loc, {keyLoop.getResult(2), finalSum, finalMax}, {identity, perRow, perRow}, {rows, headDim},
        floatType, [&](OpBuilder &eb, Location eloc, ValueRange args) -> Value {
          Value normalized = arith::DivFOp::create(eb, eloc, args[0], args[1]);
          Value hidden = arith::CmpFOp::create(eb, eloc, arith::CmpFPredicate::OEQ, args[2], lowest);
          return arith::SelectOp::create(eb, eloc, hidden, zero, normalized);
        });
    b.setInsertionPointToEnd(forall.getTerminator().getBody());
    tensor::ParallelInsertSliceOp::create(
        b, loc, attended, forall.getRegionIterArgs()[0], ValueRange{head, firstRow}, ValueRange{}, ValueRange{},
        b.getDenseI64ArrayAttr({ShapedType::kDynamic, ShapedType::kDynamic, 0}),
        b.getDenseI64ArrayAttr({1, rows, headDim}), b.getDenseI64ArrayAttr({1, 1, 1}));
    b.setInsertionPointAfter(forall);
    b.replaceOp(op, expandLeading(b, loc, forall.getResult(0), queryType.getShape()));
    return success();
  }
};

struct PtmFuseAttentionPass : ptm::impl::PtmFuseAttentionBase<PtmFuseAttentionPass> {
  using PtmFuseAttentionBase::PtmFuseAttentionBase;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseAttention>(&getContext(), queryBlock, keyBlock, std::max<int64_t>(keyMultiple, 1));
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
