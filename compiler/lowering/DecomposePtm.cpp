// ptm-decompose: lowers every ptm op to linalg / tensor / arith / math on
// tensors. Contractions map to named linalg ops so that tiling and
// vectorisation see them as contractions; everything else becomes
// linalg.generic, which later fuses elementwise chains.
#include "compiler/Passes.h"
#include "dialects/ptm/PtmOps.h"

#include "compiler/lowering/LoweringUtils.h"
#include "compiler/lowering/TrainingLowerings.h"
#include "mlir/Dialect/Math/IR/Math.h"
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
          return tensor::ExtractOp::create(nb, nloc, table, ValueRange{row, column});
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

struct LowerLayerNorm : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LayerNormOp op, PatternRewriter &b) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank();
    RowStatistics stats = rowStatistics(b, loc, op.getInput(), op.getEpsilon().convertToDouble());
    AffineMap identity = b.getMultiDimIdentityMap(rank);
    AffineMap perRow = dropDimMap(ctx, rank, rank - 1);
    AffineMap perColumn = trailingMap(ctx, rank, 1);
    Value result = elementwise(
        b, loc, {op.getInput(), stats.mean, stats.invStdDev, op.getWeight(), op.getBias()},
        {identity, perRow, perRow, perColumn, perColumn}, type.getShape(), type.getElementType(),
        [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
          Value centered = arith::SubFOp::create(nb, nloc, args[0], args[1]);
          Value normalized = arith::MulFOp::create(nb, nloc, centered, args[2]);
          return arith::AddFOp::create(
              nb, nloc, arith::MulFOp::create(nb, nloc, normalized, args[3]), args[4]);
        });
    b.replaceOp(op, result);
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
                 LowerBinary<MulOp, arith::MulFOp>, LowerGelu, LowerTanh, LowerLayerNorm, LowerSoftmax,
                 LowerAttention, LowerDropout, LowerReshape, LowerTranspose, LowerSlice, LowerConcat>(ctx);
    populateTrainingLoweringPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
