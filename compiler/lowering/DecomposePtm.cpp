// ptm-decompose: lowers every ptm op to linalg / tensor / arith / math on
// tensors. Contractions map to named linalg ops so that tiling and
// vectorisation see them as contractions; everything else becomes
// linalg.generic, which later fuses elementwise chains.
#include "compiler/Passes.h"
#include "dialects/ptm/PtmOps.h"

#include "compiler/lowering/LoweringUtils.h"
#include "compiler/lowering/TrainingLowerings.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

namespace ptm {
#define GEN_PASS_DEF_PTMDECOMPOSE
#include "compiler/Passes.h.inc"
} // namespace ptm

using namespace mlir;
using namespace ptm;
using namespace ptm::lowering;

namespace {

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

struct LowerEmbedding : OpRewritePattern<EmbeddingOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(EmbeddingOp op, PatternRewriter &b) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    int64_t rank = resultType.getRank();
    Value table = op.getTable();
    // The indices are indexed by every loop but the last (the row element).
    SmallVector<AffineExpr> indexDims;
    for (int64_t d = 0; d < rank - 1; ++d)
      indexDims.push_back(b.getAffineDimExpr(d));
    AffineMap indicesMap = AffineMap::get(rank, 0, indexDims, b.getContext());
    Value result = elementwise(
        b, loc, op.getIndices(), {indicesMap}, resultType.getShape(),
        resultType.getElementType(), [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
          Value row = arith::IndexCastOp::create(nb, nloc, nb.getIndexType(), args[0]);
          Value column = linalg::IndexOp::create(nb, nloc, rank - 1);
          Value element = tensor::ExtractOp::create(nb, nloc, table, ValueRange{row, column});
          // A bf16 table gives f32 rows.
          if (element.getType() != resultType.getElementType())
            element = arith::ExtFOp::create(nb, nloc, resultType.getElementType(), element);
          return element;
        });
    b.replaceOp(op, result);
    return success();
  }
};

struct LowerMatmul : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatmulOp op, PatternRewriter &b) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> resultShape = op.getType().getShape();
    bool sharedRhs = tensorType(op.getRhs()).getRank() == 2;
    // A shared weight folds all batch dimensions into M; batched operands
    // (rank 3 or more, per the verifier) fold theirs into one batch dimension
    // for linalg.batch_matmul.
    Value lhs = collapseLeading(b, loc, op.getLhs(), sharedRhs ? 1 : 2);
    Value rhs = sharedRhs ? op.getRhs() : collapseLeading(b, loc, op.getRhs(), 2);
    Value product = contraction(b, loc, lhs, rhs, op.getTransposeRhs(), op.getTransposeLhs());
    b.replaceOp(op, expandLeading(b, loc, product, resultShape));
    return success();
  }
};

struct LowerLinear : OpRewritePattern<LinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LinearOp op, PatternRewriter &b) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    Value input = collapseLeading(b, loc, op.getInput(), 1);
    Value product = contraction(b, loc, input, op.getWeight(), op.getTransposeWeight());
    StringRef activation = op.getActivation();
    Value bias = op.getBias();
    if (bias || activation != "none") {
      ArrayRef<int64_t> shape = tensorType(product).getShape();
      SmallVector<Value> inputs{product};
      SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(2)};
      if (bias) {
        inputs.push_back(bias);
        maps.push_back(trailingMap(b.getContext(), 2, 1));
      }
      product = elementwise(b, loc, inputs, maps, shape, resultType.getElementType(),
                            [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                              Value value = args[0];
                              if (bias)
                                value = arith::AddFOp::create(nb, nloc, value, args[1]);
                              return applyActivation(nb, nloc, value, activation);
                            });
    }
    b.replaceOp(op, expandLeading(b, loc, product, resultType.getShape()));
    return success();
  }
};

template <typename PtmOp, typename ArithOp>
struct LowerBinary : OpRewritePattern<PtmOp> {
  using OpRewritePattern<PtmOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(PtmOp op, PatternRewriter &b) const override {
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank();
    int64_t rhsRank = tensorType(op.getRhs()).getRank();
    Value result = elementwise(
        b, op.getLoc(), {op.getLhs(), op.getRhs()},
        {b.getMultiDimIdentityMap(rank), trailingMap(b.getContext(), rank, rhsRank)},
        type.getShape(), type.getElementType(),
        [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
          return ArithOp::create(nb, nloc, args[0], args[1]);
        });
    b.replaceOp(op, result);
    return success();
  }
};

struct LowerGelu : OpRewritePattern<GeluOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GeluOp op, PatternRewriter &b) const override {
    RankedTensorType type = op.getType();
    bool tanhForm = op.getApproximate() == "tanh";
    Value result = elementwise(b, op.getLoc(), op.getInput(),
                               {b.getMultiDimIdentityMap(type.getRank())}, type.getShape(),
                               type.getElementType(),
                               [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                                 return gelu(nb, nloc, args[0], tanhForm);
                               });
    b.replaceOp(op, result);
    return success();
  }
};

struct LowerTanh : OpRewritePattern<TanhOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TanhOp op, PatternRewriter &b) const override {
    RankedTensorType type = op.getType();
    b.replaceOp(op, elementwise(b, op.getLoc(), op.getInput(),
                                {b.getMultiDimIdentityMap(type.getRank())}, type.getShape(),
                                type.getElementType(),
                                [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                                  return math::TanhOp::create(nb, nloc, args[0]);
                                }));
    return success();
  }
};

// layer_norm of `x` over its last dimension, from its row statistics.
Value normalizeRows(OpBuilder &b, Location loc, Value x, const RowStatistics &stats, Value weight,
                    Value bias) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType type = tensorType(x);
  int64_t rank = type.getRank();
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  AffineMap perRow = dropDimMap(ctx, rank, rank - 1);
  AffineMap perColumn = trailingMap(ctx, rank, 1);
  return elementwise(b, loc, {x, stats.mean, stats.invStdDev, weight, bias},
                     {identity, perRow, perRow, perColumn, perColumn}, type.getShape(),
                     type.getElementType(), [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                       Value centered = arith::SubFOp::create(nb, nloc, args[0], args[1]);
                       Value normalized = arith::MulFOp::create(nb, nloc, centered, args[2]);
                       return arith::AddFOp::create(
                           nb, nloc, arith::MulFOp::create(nb, nloc, normalized, args[3]), args[4]);
                     });
}

struct LowerLayerNorm : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LayerNormOp op, PatternRewriter &b) const override {
    Location loc = op.getLoc();
    RowStatistics stats = rowStatistics(b, loc, op.getInput(), op.getEpsilon().convertToDouble());
    b.replaceOp(op, normalizeRows(b, loc, op.getInput(), stats, op.getWeight(), op.getBias()));
    return success();
  }
};

// Rows per block of ptm.residual_layer_norm: the largest divisor of `rows`
// up to 8, so that blocks share one static shape and a block's operands
// (8 rows of GPT-2's 768 floats: 24 KiB each) stay in cache across its four
// passes.
int64_t residualNormBlock(int64_t rows) {
  for (int64_t candidate = std::min<int64_t>(rows, 8); candidate > 1; --candidate)
    if (rows % candidate == 0)
      return candidate;
  return 1;
}

// An scf.forall over blocks of rows; each block adds its residual rows,
// takes their statistics and normalises them, and writes the normalised
// rows (and the sum, when it is used) into the results.
struct LowerResidualLayerNorm : OpRewritePattern<ResidualLayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ResidualLayerNormOp op, PatternRewriter &b) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getResult().getType();
    Type elementType = type.getElementType();
    int64_t width = type.getShape().back();
    Value input = collapseLeading(b, loc, op.getInput(), 1);
    Value residual = collapseLeading(b, loc, op.getResidual(), 1);
    int64_t rows = tensorType(input).getDimSize(0);
    int64_t block = residualNormBlock(rows);
    bool writeSum = !op.getSum().use_empty();
    SmallVector<Value> outputs{emptyTensor(b, loc, {rows, width}, elementType)};
    if (writeSum)
      outputs.push_back(emptyTensor(b, loc, {rows, width}, elementType));
    auto forall = scf::ForallOp::create(b, loc, ArrayRef<OpFoldResult>{b.getIndexAttr(rows / block)},
                                        outputs, std::nullopt);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(forall.getTerminator());
    Value row = arith::MulIOp::create(b, loc, forall.getInductionVar(0),
                                      arith::ConstantIndexOp::create(b, loc, block));
    SmallVector<OpFoldResult> offsets{row, b.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes{b.getIndexAttr(block), b.getIndexAttr(width)};
    SmallVector<OpFoldResult> strides{b.getIndexAttr(1), b.getIndexAttr(1)};
    auto rowsOf = [&](Value whole) {
      return tensor::ExtractSliceOp::create(b, loc, whole, offsets, sizes, strides).getResult();
    };
    AffineMap identity = b.getMultiDimIdentityMap(2);
    Value sum = elementwise(b, loc, {rowsOf(input), rowsOf(residual)}, {identity, identity},
                            {block, width}, elementType,
                            [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                              return arith::AddFOp::create(nb, nloc, args[0], args[1]);
                            });
    RowStatistics stats = rowStatistics(b, loc, sum, op.getEpsilon().convertToDouble());
    Value normalized = normalizeRows(b, loc, sum, stats, op.getWeight(), op.getBias());
    b.setInsertionPointToEnd(forall.getTerminator().getBody());
    SmallVector<Value> blockResults{normalized};
    if (writeSum)
      blockResults.push_back(sum);
    for (auto [blockResult, shared] : llvm::zip(blockResults, forall.getRegionIterArgs()))
      tensor::ParallelInsertSliceOp::create(b, loc, blockResult, shared, offsets, sizes, strides);
    b.setInsertionPointAfter(forall);
    Value result = expandLeading(b, loc, forall.getResult(0), type.getShape());
    Value sumResult = writeSum ? expandLeading(b, loc, forall.getResult(1), type.getShape()) : Value();
    b.replaceOp(op, ValueRange{sumResult, result});
    return success();
  }
};

struct LowerSoftmax : OpRewritePattern<SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SoftmaxOp op, PatternRewriter &b) const override {
    b.replaceOp(op, softmax(b, op.getLoc(), op.getInput(), op.getAxis(),
                                /*zeroHiddenRows=*/false));
    return success();
  }
};

struct LowerAttention : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionOp op, PatternRewriter &b) const override {
    Location loc = op.getLoc();
    Value probabilities =
        attentionProbabilities(b, loc, op.getQuery(), op.getKey(), op.getKeyMask(),
                               op.getScale().convertToDouble(), op.getCausal());
    if (Value seed = op.getDropoutSeed())
      probabilities = dropout(b, loc, probabilities, seed, op.getDropout().convertToDouble(),
                              op.getDropoutStream());
    Value context = contraction(b, loc, collapseLeading(b, loc, probabilities, 2),
                                collapseLeading(b, loc, op.getValue(), 2),
                                /*transposeRhs=*/false);
    b.replaceOp(op, expandLeading(b, loc, context, op.getQuery().getType().getShape()));
    return success();
  }
};

struct LowerDropout : OpRewritePattern<DropoutOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DropoutOp op, PatternRewriter &b) const override {
    b.replaceOp(op, dropout(b, op.getLoc(), op.getInput(), op.getSeed(),
                            op.getProbability().convertToDouble(), op.getStream()));
    return success();
  }
};

struct LowerReshape : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op, PatternRewriter &b) const override {
    // Any reshape of a dense tensor is a collapse to 1-D followed by an
    // expansion; both are free views after bufferization. A rank-0 side holds
    // one element: it expands or collapses with an empty reassociation.
    Location loc = op.getLoc();
    Value input = op.getInput();
    RankedTensorType inType = tensorType(input), outType = op.getType();
    if (inType.getRank() == 0 || outType.getRank() == 0) {
      SmallVector<ReassociationIndices> none;
      if (inType.getRank() == 0 && outType.getRank() == 0)
        b.replaceOp(op, input);
      else if (inType.getRank() == 0)
        b.replaceOpWithNewOp<tensor::ExpandShapeOp>(op, outType, input, none);
      else
        b.replaceOpWithNewOp<tensor::CollapseShapeOp>(op, outType, input, none);
      return success();
    }
    Value flat = input;
    if (inType.getRank() != 1)
      flat = tensor::CollapseShapeOp::create(b, loc, flat, mergeAllDims(inType.getRank()));
    Value result = flat;
    if (outType.getRank() != 1)
      result = tensor::ExpandShapeOp::create(b, loc, outType, flat, mergeAllDims(outType.getRank()));
    b.replaceOp(op, result);
    return success();
  }
};

struct LowerTranspose : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op, PatternRewriter &b) const override {
    RankedTensorType type = op.getType();
    if (llvm::equal(op.getPermutation(), llvm::seq<int64_t>(0, type.getRank()))) {
      b.replaceOp(op, op.getInput());
      return success();
    }
    Value init = emptyTensor(b, op.getLoc(), type.getShape(), type.getElementType());
    auto transpose =
        linalg::TransposeOp::create(b, op.getLoc(), op.getInput(), init, op.getPermutation());
    b.replaceOp(op, transpose.getResult());
    return success();
  }
};

struct LowerSlice : OpRewritePattern<SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SliceOp op, PatternRewriter &b) const override {
    RankedTensorType type = op.getType();
    SmallVector<int64_t> strides(type.getRank(), 1);
    b.replaceOpWithNewOp<tensor::ExtractSliceOp>(op, type, op.getInput(), ValueRange{},
                                                 ValueRange{}, ValueRange{}, op.getOffsets(),
                                                 type.getShape(), strides);
    return success();
  }
};

// An empty result with each input inserted at its offset along `dim`.
struct LowerConcat : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConcatOp op, PatternRewriter &b) const override {
    RankedTensorType type = op.getType();
    SmallVector<int64_t> offsets(type.getRank(), 0), strides(type.getRank(), 1);
    Value result = emptyTensor(b, op.getLoc(), type.getShape(), type.getElementType());
    for (Value input : op.getInputs()) {
      ArrayRef<int64_t> shape = cast<RankedTensorType>(input.getType()).getShape();
      result = tensor::InsertSliceOp::create(b, op.getLoc(), input, result, ValueRange{},
                                             ValueRange{}, ValueRange{}, offsets, shape, strides);
      offsets[op.getDim()] += shape[op.getDim()];
    }
    b.replaceOp(op, result);
    return success();
  }
};

struct PtmDecomposePass : ptm::impl::PtmDecomposeBase<PtmDecomposePass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<PtmDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(ctx);
    patterns.add<LowerEmbedding, LowerMatmul, LowerLinear, LowerBinary<AddOp, arith::AddFOp>,
                 LowerBinary<MulOp, arith::MulFOp>, LowerGelu, LowerTanh, LowerLayerNorm, LowerResidualLayerNorm, LowerSoftmax,
                 LowerAttention, LowerDropout, LowerReshape, LowerTranspose, LowerSlice, LowerConcat>(ctx);
    populateTrainingLoweringPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
