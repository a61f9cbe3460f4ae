// The GPT-2 forward pass, op for op as transformers' modeling_gpt2.py:
//   h = wte[ids] + wpe[0:T]
//   per block: h += c_proj(attention(split(c_attn(ln_1(h)))))
//              h += mlp.c_proj(gelu(mlp.c_fc(ln_2(h))))
//   logits = ln_f(h) · lm_headᵀ   (lm_head tied to wte when absent)
// In training with --dropout: dropout of h after the embeddings, of the
// attention probabilities and of both c_proj outputs before their residual add.
// Weights keep the Conv1D [in, out] layout of the checkpoints. Matmuls and
// their epilogues are emitted separately; ptm-fuse joins them.
#include "frontends/gpt/GPT2Builder.h"

#include "dialects/ptm/PtmOps.h"

#include <cmath>

using namespace mlir;
using llvm::Error;
using llvm::Expected;
using llvm::Twine;

namespace ptm::frontends {
namespace {

struct GPT2Hyperparameters {
  int64_t layers, heads, width, innerWidth, positions, vocab;
  double epsilon, initializerRange;
  double embdDropout, attnDropout, residDropout; // *_pdrop
  bool scaleAttention;
  bool tieWordEmbeddings;
  std::string geluApproximation; // "tanh" or "none"
};

Expected<GPT2Hyperparameters> readHyperparameters(const HFConfig &config) {
  GPT2Hyperparameters h;
  // Defaults are GPT2Config's, which Hugging Face applies to absent fields.
  auto take = [](auto expected, auto &field) { return HFConfig::readInto(std::move(expected), field); };
  if (Error e = take(config.positiveInt("n_layer", 12), h.layers))
    return std::move(e);
  if (Error e = take(config.positiveInt("n_head", 12), h.heads))
    return std::move(e);
  if (Error e = take(config.positiveInt("n_embd", 768), h.width))
    return std::move(e);
  if (Error e = take(config.positiveInt("n_inner", 4 * h.width), h.innerWidth))
    return std::move(e);
  if (Error e = take(config.positiveInt("n_positions", 1024), h.positions))
    return std::move(e);
  if (Error e = take(config.positiveInt("vocab_size", 50257), h.vocab))
    return std::move(e);
  if (Error e = take(config.number("layer_norm_epsilon", 1e-5), h.epsilon))
    return std::move(e);
  if (Error e = take(config.number("initializer_range", 0.02), h.initializerRange))
    return std::move(e);
  if (Error e = take(config.number("embd_pdrop", 0.1), h.embdDropout))
    return std::move(e);
  if (Error e = take(config.number("attn_pdrop", 0.1), h.attnDropout))
    return std::move(e);
  if (Error e = take(config.number("resid_pdrop", 0.1), h.residDropout))
    return std::move(e);
  if (Error e = take(config.boolean("scale_attn_weights", true), h.scaleAttention))
    return std::move(e);
  if (Error e = take(config.boolean("tie_word_embeddings", true), h.tieWordEmbeddings))
    return std::move(e);
  bool crossAttention = false;
  if (Error e = take(config.boolean("add_cross_attention", false), crossAttention))
    return std::move(e);
  if (crossAttention)
    return config.error("add_cross_attention (encoder-decoder GPT-2) is not supported");
  std::string activation;
  if (Error e = take(config.string("activation_function", "gelu_new"), activation))
    return std::move(e);
  bool inverseLayerScaling = false;
  if (Error e = take(config.boolean("scale_attn_by_inverse_layer_idx", false), inverseLayerScaling))
    return std::move(e);

  if (h.width % h.heads != 0)
    return config.error("n_embd (" + Twine(h.width) + ") must be divisible by n_head (" +
                        Twine(h.heads) + ")");
  if (!(h.epsilon > 0))
    return config.error("layer_norm_epsilon must be positive");
  if (activation == "gelu_new" || activation == "gelu_pytorch_tanh" || activation == "gelu_fast")
    h.geluApproximation = "tanh";
  else if (activation == "gelu")
    h.geluApproximation = "none";
  else
    return config.error("unsupported activation_function \"" + activation +
                        "\" (supported: gelu_new, gelu_pytorch_tanh, gelu_fast, gelu)");
  if (inverseLayerScaling)
    return config.error("scale_attn_by_inverse_layer_idx is not supported");
  return h;
}

class GPT2Graph {
public:
  // With `dropoutSeed`, dropout applies where transformers' GPT-2 applies it
  // in training.
  GPT2Graph(EntryBuilder &entry, const GPT2Hyperparameters &h, int64_t batch, int64_t seqLen,
            Value dropoutSeed)
      : e(entry), b(entry.builder()), loc(entry.loc()), h(h), batch(batch), seqLen(seqLen),
        headDim(h.width / h.heads), dropoutSeed(dropoutSeed) {}

  Value forward(Value inputIds, Value attentionMask) {
    Value hidden = embed(inputIds, /*positionIds=*/Value());
    for (int64_t layer = 0; layer < h.layers; ++layer)
      hidden = block(layer, hidden, attentionMask, /*past=*/nullptr, /*present=*/nullptr);
    return logits(hidden);
  }

  // The keys and values of one layer's attention, [B, H, T, Dh] each.
  struct KeyValues {
    Value key, value;
  };

  // The prompt of a generation: causal attention over the prompt as in
  // forward, the logits of the token at `lastTokenIndex` (a row-major index
  // into the [B, T] positions: each row's last prompt token), and every
  // layer's keys and values for the cache.
  Value prefill(Value inputIds, Value attentionMask, Value lastTokenIndex,
                SmallVectorImpl<KeyValues> &present) {
    Value hidden = embed(inputIds, /*positionIds=*/Value());
    for (int64_t layer = 0; layer < h.layers; ++layer) {
      KeyValues layerPresent;
      hidden = block(layer, hidden, attentionMask, /*past=*/nullptr, &layerPresent);
      present.push_back(layerPresent);
    }
    // Only the last prompt token's logits are needed: gather its hidden state
    // before the vocabulary projection, which would cost T times as much.
    Value rows = ReshapeOp::create(b, loc, e.tensor({batch * seqLen, h.width}), hidden);
    Value last = EmbeddingOp::create(b, loc, e.tensor({batch, h.width}), rows, lastTokenIndex);
    return logits(last);
  }

  // One new token per row (seqLen 1) at `positionIds`, attending over the
  // cached keys and values (`past`, [B, H, C, Dh]) and its own; the cache
  // slots that hold no token are 0 in `attentionMask` ([B, C + 1], the new
  // token last). Returns the logits [B, V] and the new token's keys and values.
  Value decodeStep(Value inputIds, Value positionIds, Value attentionMask,
                   ArrayRef<KeyValues> past, SmallVectorImpl<KeyValues> &present) {
    Value hidden = embed(inputIds, positionIds);
    for (int64_t layer = 0; layer < h.layers; ++layer) {
      KeyValues layerPresent;
      hidden = block(layer, hidden, attentionMask, &past[layer], &layerPresent);
      present.push_back(layerPresent);
    }
    Value rows = ReshapeOp::create(b, loc, e.tensor({batch, h.width}), hidden);
    return logits(rows);
  }

private:
  // Token plus position embeddings; positions 0..T-1 unless `positionIds`
  // ([B, T]) says otherwise.
  Value embed(Value inputIds, Value positionIds) {
    Value wte = tokenEmbedding();
    Value wpe = e.parameter("transformer.wpe.weight", {h.positions, h.width},
                            ParameterInit::Normal, h.initializerRange);
    Value tokens = EmbeddingOp::create(b, loc, e.tensor({batch, seqLen, h.width}), wte, inputIds);
    Value positions =
        positionIds
            ? Value(EmbeddingOp::create(b, loc, e.tensor({batch, seqLen, h.width}), wpe, positionIds))
            : Value(SliceOp::create(b, loc, e.tensor({seqLen, h.width}), wpe, b.getDenseI64ArrayAttr({0, 0})));
    return dropout(AddOp::create(b, loc, tokens.getType(), tokens, positions), h.embdDropout);
  }

  // wte, declared once per entry: embedding and tied output projection share it.
  Value tokenEmbedding() {
    if (!tokenEmbedding_)
      tokenEmbedding_ = e.weight("transformer.wte.weight", {h.vocab, h.width},
                                    ParameterInit::Normal, h.initializerRange);
    return tokenEmbedding_;
  }

  // ln_f, then the output projection of hidden states [..., D] to [..., V].
  Value logits(Value hidden) {
    hidden = layerNorm("transformer.ln_f.", hidden);
    // Tied as in Hugging Face: the output projection is the token embedding
    // itself, so its gradient sums both uses.
    Value lmHead = h.tieWordEmbeddings
                       ? tokenEmbedding()
                       : e.weight("lm_head.weight", {h.vocab, h.width}, ParameterInit::Normal,
                                     h.initializerRange);
    SmallVector<int64_t> shape(cast<RankedTensorType>(hidden.getType()).getShape());
    shape.back() = h.vocab;
    return MatmulOp::create(b, loc, e.tensor(shape), hidden, lmHead, /*transpose_rhs=*/true);
  }

  // A dropout site: its own stream of random numbers; none where p = 0.
  Value dropout(Value x, double probability) {
    if (!dropoutSeed || probability == 0.0)
      return x;
    return DropoutOp::create(b, loc, x.getType(), x, dropoutSeed, b.getF64FloatAttr(probability),
                             b.getI64IntegerAttr(nextStream++));
  }

  Value layerNorm(const std::string &prefix, Value x) {
    Value weight = e.parameter(prefix + "weight", {h.width}, ParameterInit::Ones);
    Value bias = e.parameter(prefix + "bias", {h.width}, ParameterInit::Zeros);
    return LayerNormOp::create(b, loc, x.getType(), x, weight, bias,
                               b.getF64FloatAttr(h.epsilon));
  }

  // HF Conv1D: x · W + b with W stored [in, out].
  Value conv1d(const std::string &prefix, Value x, int64_t in, int64_t out,
               double initStd) {
    Value weight = e.weight(prefix + "weight", {in, out}, ParameterInit::Normal, initStd);
    Value bias = e.parameter(prefix + "bias", {out}, ParameterInit::Zeros);
    Value product = MatmulOp::create(b, loc, e.tensor({batch, seqLen, out}), x, weight);
    return AddOp::create(b, loc, product.getType(), product, bias);
  }

  // [B, T, D] -> [B, H, T, Dh]
  Value splitHeads(Value x) {
    Value split = ReshapeOp::create(b, loc, e.tensor({batch, seqLen, h.heads, headDim}), x);
    return TransposeOp::create(b, loc, e.tensor({batch, h.heads, seqLen, headDim}), split,
                               b.getDenseI64ArrayAttr({0, 2, 1, 3}));
  }

  // [B, H, T, Dh] -> [B, T, D]
  Value mergeHeads(Value x) {
    Value merged = TransposeOp::create(b, loc, e.tensor({batch, seqLen, h.heads, headDim}), x,
                                       b.getDenseI64ArrayAttr({0, 2, 1, 3}));
    return ReshapeOp::create(b, loc, e.tensor({batch, seqLen, h.width}), merged);
  }

  // With `past`, the block attends over the cached keys and values followed by
  // its own (decoding); `present` receives its own keys and values.
  Value block(int64_t layer, Value hidden, Value attentionMask, const KeyValues *past,
              KeyValues *present) {
    std::string prefix = "transformer.h." + std::to_string(layer) + ".";
    // GPT-2 scales the init of residual projections by 1/sqrt(2 * n_layer).
    double residualStd = h.initializerRange / std::sqrt(2.0 * h.layers);
    Value normed = layerNorm(prefix + "ln_1.", hidden);
    Value qkv = conv1d(prefix + "attn.c_attn.", normed, h.width, 3 * h.width,
                       h.initializerRange);
    auto third = [&](int64_t index) {
      return splitHeads(SliceOp::create(b, loc, e.tensor({batch, seqLen, h.width}), qkv,
                                        b.getDenseI64ArrayAttr({0, 0, index * h.width})));
    };
    Value query = third(0), key = third(1), value = third(2);
    if (present)
      *present = {key, value};
    if (past) {
      auto joined = [&](Value cached, Value own) {
        auto type = cast<RankedTensorType>(cached.getType());
        SmallVector<int64_t> shape(type.getShape());
        shape[2] += seqLen;
        return ConcatOp::create(b, loc, e.tensor(shape), ValueRange{cached, own},
                                b.getI64IntegerAttr(2));
      };
      key = joined(past->key, key);
      value = joined(past->value, value);
    }
    double scale = h.scaleAttention ? 1.0 / std::sqrt(static_cast<double>(headDim)) : 1.0;
    bool attentionDropout = dropoutSeed && h.attnDropout > 0.0;
    Value attended = AttentionOp::create(
        b, loc, query.getType(), query, key, value, attentionMask,
        attentionDropout ? dropoutSeed : Value(), b.getF64FloatAttr(scale),
        // The one new token of a decoding step may see every unmasked key.
        /*causal=*/b.getBoolAttr(past == nullptr), b.getF64FloatAttr(attentionDropout ? h.attnDropout : 0.0),
        b.getI64IntegerAttr(attentionDropout ? nextStream++ : 0));
    Value projected = dropout(conv1d(prefix + "attn.c_proj.", mergeHeads(attended), h.width,
                                     h.width, residualStd),
                              h.residDropout);
    hidden = AddOp::create(b, loc, hidden.getType(), hidden, projected);

    Value normed2 = layerNorm(prefix + "ln_2.", hidden);
    Value inner = conv1d(prefix + "mlp.c_fc.", normed2, h.width, h.innerWidth,
                         h.initializerRange);
    Value activated = GeluOp::create(b, loc, inner.getType(), inner,
                                     b.getStringAttr(h.geluApproximation));
    Value output = dropout(conv1d(prefix + "mlp.c_proj.", activated, h.innerWidth, h.width,
                                  residualStd),
                           h.residDropout);
    return AddOp::create(b, loc, hidden.getType(), hidden, output);
  }

  EntryBuilder &e;
  OpBuilder &b;
  Location loc;
  const GPT2Hyperparameters &h;
  int64_t batch, seqLen, headDim;
  Value dropoutSeed;
  Value tokenEmbedding_;
  int64_t nextStream = 0;
};

// --mode generate: `prefill_<P>` per prompt length P and `decode_step_<C>`
// per cache length C, all for --batch rows.
//   prefill_<P>(input_ids [B,P], attention_mask [B,P], last_token_index [B])
//     -> logits [B,V], present.<l>.key / present.<l>.value [B,H,P,Dh]
//   decode_step_<C>(input_ids [B,1], position_ids [B,1], attention_mask [B,C+1],
//                   past.<l>.key / past.<l>.value [B,H,C,Dh])
//     -> logits [B,V], present.<l>.key / present.<l>.value [B,H,1,Dh]
// The runtime owns the cache: it copies each present into the cache slot of
// its position and marks the slot in attention_mask.
Error buildGenerationEntries(ModuleOp module, const HFConfig &config, const GPT2Hyperparameters &h,
                             const BuildOptions &options, FloatType floatType, FloatType weightType) {
  std::vector<int64_t> promptLengths = options.promptLengths;
  if (promptLengths.empty())
    promptLengths = {std::min(options.seqLen, h.positions)};
  std::vector<int64_t> cacheLengths = options.cacheLengths;
  if (cacheLengths.empty())
    cacheLengths = {h.positions};
  auto check = [&](std::vector<int64_t> &lengths, StringRef flag) -> Error {
    llvm::sort(lengths);
    lengths.erase(std::unique(lengths.begin(), lengths.end()), lengths.end());
    for (int64_t length : lengths)
      if (length < 1 || length > h.positions)
        return config.error(flag + " " + Twine(length) + " is outside [1, n_positions = " +
                            Twine(h.positions) + "]");
    return Error::success();
  };
  if (Error e = check(promptLengths, "--prompt-lengths"))
    return e;
  if (Error e = check(cacheLengths, "--cache-lengths"))
    return e;
  if (cacheLengths.back() < promptLengths.back())
    return config.error("the largest --cache-lengths (" + Twine(cacheLengths.back()) +
                        ") must hold the largest prompt (" + Twine(promptLengths.back()) + ")");

  MLIRContext *context = module.getContext();
  Type i64 = IntegerType::get(context, 64);
  int64_t batch = options.batch, headDim = h.width / h.heads;
  auto cacheOutputs = [&](ArrayRef<GPT2Graph::KeyValues> present,
                          std::vector<std::pair<std::string, Value>> &outputs) {
    for (auto [layer, keyValues] : llvm::enumerate(present)) {
      outputs.push_back({"present." + std::to_string(layer) + ".key", keyValues.key});
      outputs.push_back({"present." + std::to_string(layer) + ".value", keyValues.value});
    }
  };
  for (int64_t promptLength : promptLengths) {
    EntryBuilder entry(module, ("prefill_" + Twine(promptLength)).str(), floatType, weightType);
    auto idsType = RankedTensorType::get({batch, promptLength}, i64);
    Value inputIds = entry.input("input_ids", idsType, /*valueBound=*/h.vocab);
    Value attentionMask = entry.input("attention_mask", idsType);
    Value lastTokenIndex = entry.input("last_token_index", RankedTensorType::get({batch}, i64),
                                       /*valueBound=*/batch * promptLength);
    GPT2Graph graph(entry, h, batch, promptLength, /*dropoutSeed=*/Value());
    SmallVector<GPT2Graph::KeyValues> present;
    Value logits = graph.prefill(inputIds, attentionMask, lastTokenIndex, present);
    std::vector<std::pair<std::string, Value>> outputs{{"logits", logits}};
    cacheOutputs(present, outputs);
    entry.finish(outputs);
  }
  for (int64_t cacheLength : cacheLengths) {
    EntryBuilder entry(module, ("decode_step_" + Twine(cacheLength)).str(), floatType, weightType);
    auto tokenType = RankedTensorType::get({batch, 1}, i64);
    Value inputIds = entry.input("input_ids", tokenType, /*valueBound=*/h.vocab);
    Value positionIds = entry.input("position_ids", tokenType, /*valueBound=*/h.positions);
    Value attentionMask =
        entry.input("attention_mask", RankedTensorType::get({batch, cacheLength + 1}, i64));
    SmallVector<GPT2Graph::KeyValues> past;
    for (int64_t layer = 0; layer < h.layers; ++layer) {
      auto cacheType = entry.tensor({batch, h.heads, cacheLength, headDim});
      std::string prefix = "past." + std::to_string(layer) + ".";
      Value key = entry.input(prefix + "key", cacheType);
      Value value = entry.input(prefix + "value", cacheType);
      past.push_back({key, value});
    }
    GPT2Graph graph(entry, h, batch, /*seqLen=*/1, /*dropoutSeed=*/Value());
    SmallVector<GPT2Graph::KeyValues> present;
    Value logits = graph.decodeStep(inputIds, positionIds, attentionMask, past, present);
    std::vector<std::pair<std::string, Value>> outputs{{"logits", logits}};
    cacheOutputs(present, outputs);
    entry.finish(outputs);
  }
  return Error::success();
}

} // namespace

Expected<OwningOpRef<ModuleOp>> buildGPT2(MLIRContext &context, const HFConfig &config,
                                          const BuildOptions &options) {
  Expected<GPT2Hyperparameters> h = readHyperparameters(config);
  if (!h)
    return h.takeError();
  if (options.mode != "infer" && options.mode != "train" && options.mode != "generate")
    return config.error("--mode " + options.mode +
                        " is not available for gpt2 (supported: infer, train, generate)");
  if (!options.task.empty() && options.task != "lm")
    return config.error("--task " + options.task + " is not available for gpt2 (supported: lm)");
  // Generation has its own length buckets (--prompt-lengths, --cache-lengths).
  if (options.mode != "generate" && options.seqLen > h->positions)
    return config.error("--seq " + Twine(options.seqLen) + " exceeds n_positions (" +
                        Twine(h->positions) + ")");

  if (options.dropout)
    for (auto [name, probability] : {std::pair<StringRef, double>{"embd_pdrop", h->embdDropout},
                                     {"attn_pdrop", h->attnDropout},
                                     {"resid_pdrop", h->residDropout}})
      if (!(probability >= 0.0 && probability < 1.0))
        return config.error(name + " (" + std::to_string(probability) +
                            ") must be in [0, 1) for --dropout");
  context.loadDialect<PtmDialect, func::FuncDialect>();
  OwningOpRef<ModuleOp> module = ModuleOp::create(UnknownLoc::get(&context));
  bool training = options.mode == "train";
  FloatType floatType = computeTypeFor(context, options);
  FloatType weightType = weightTypeFor(context, options);
  if (options.mode == "generate") {
    if (Error e = buildGenerationEntries(*module, config, *h, options, floatType, weightType))
      return std::move(e);
    return module;
  }
  // One entry per use. Inference: `forward` (logits). Training: `grad` (loss
  // and gradients), `train_step` (the same, then clipping and AdamW by
  // ptm-optimizer), `loss` (the loss alone, for validation) and a batch-1
  // `forward` (logits, for sampling from the model while it trains). Only
  // grad and train_step train, hence apply dropout.
  struct EntrySpec {
    StringRef name;
    int64_t batch;
    bool computesLoss;
    bool dropout;
  };
  SmallVector<EntrySpec> entries;
  if (training)
    entries = {{"grad", options.batch, true, options.dropout},
               {"train_step", options.batch, true, options.dropout},
               {"loss", options.batch, true, false},
               {"forward", 1, false, false}};
  else
    entries = {{"forward", options.batch, false, false}};
  for (const EntrySpec &spec : entries) {
    EntryBuilder entry(*module, spec.name, floatType, weightType);
    auto idsType = RankedTensorType::get({spec.batch, options.seqLen},
                                         IntegerType::get(&context, 64));
    Value inputIds = entry.input("input_ids", idsType, /*valueBound=*/h->vocab);
    Value attentionMask = entry.input("attention_mask", idsType);
    // Labels are token ids or -100 (not scored).
    constexpr int64_t kIgnoreIndex = -100;
    Value labels = spec.computesLoss
                       ? entry.input("labels", idsType, /*valueBound=*/h->vocab, kIgnoreIndex)
                       : Value();
    Value dropoutSeed =
        spec.dropout ? entry.input("dropout_seed", RankedTensorType::get({}, IntegerType::get(&context, 64)))
                     : Value();
    GPT2Graph graph(entry, *h, spec.batch, options.seqLen, dropoutSeed);
    Value logits = graph.forward(inputIds, attentionMask);
    if (!spec.computesLoss) {
      entry.finish({{"logits", logits}});
      continue;
    }
    // Causal-LM loss as GPT2LMHeadModel computes it; ptm-autodiff appends the
    // parameter gradients.
    OpBuilder &b = entry.builder();
    Value loss = CrossEntropyOp::create(b, entry.loc(), RankedTensorType::get({}, floatType),
                                        logits, labels, /*count=*/Value(),
                                        b.getI64IntegerAttr(kIgnoreIndex),
                                        b.getBoolAttr(true));
    func::FuncOp function = entry.finish({{"loss", loss}});
    if (spec.name == "loss")
      continue;
    markForTraining(function, options, /*withOptimizer=*/spec.name == "train_step");
  }
  return module;
}

} // namespace ptm::frontends
