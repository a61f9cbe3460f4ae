// The BERT forward pass, op for op as transformers' modeling_bert.py:
//   h = LayerNorm(word[ids] + token_type[types] + position[0:T])
//   per layer (post-LayerNorm):
//     h = LayerNorm(h + attention.output.dense(attention(q(h), k(h), v(h), mask)))
//     h = LayerNorm(h + output.dense(act(intermediate.dense(h))))
//   pooled = tanh(pooler.dense(h[:, 0]))
//   prediction_logits = LayerNorm(act(transform.dense(h))) · wordᵀ + bias
//   seq_relationship_logits = seq_relationship(pooled)
// The loss is BertForPreTraining's: masked-LM cross-entropy (labels -100 are
// not scored) plus next-sentence cross-entropy. In training with --dropout:
// hidden_dropout_prob after the embeddings and after both dense layers that
// feed a residual, attention_probs_dropout_prob on the attention
// probabilities. Weights keep torch.nn.Linear's [out, in] layout (see linear()).
#include "frontends/bert/BertBuilder.h"

#include "dialects/ptm/PtmOps.h"

#include <cmath>

using namespace mlir;
using llvm::Error;
using llvm::Expected;
using llvm::Twine;

namespace ptm::frontends {
namespace {

struct BertHyperparameters {
  int64_t layers, heads, width, innerWidth, positions, vocab, typeVocab;
  double epsilon, initializerRange;
  double hiddenDropout, attentionDropout;
  bool tieWordEmbeddings;
  std::string geluApproximation; // "none" (gelu) or "tanh" (gelu_new)
};

Expected<BertHyperparameters> readHyperparameters(const HFConfig &config) {
  BertHyperparameters h;
  // Defaults are BertConfig's, which Hugging Face applies to absent fields.
  auto take = [](auto expected, auto &field) { return HFConfig::readInto(std::move(expected), field); };
  if (Error e = take(config.positiveInt("num_hidden_layers", 12), h.layers))
    return std::move(e);
  if (Error e = take(config.positiveInt("num_attention_heads", 12), h.heads))
    return std::move(e);
  if (Error e = take(config.positiveInt("hidden_size", 768), h.width))
    return std::move(e);
  if (Error e = take(config.positiveInt("intermediate_size", 3072), h.innerWidth))
    return std::move(e);
  if (Error e = take(config.positiveInt("max_position_embeddings", 512), h.positions))
    return std::move(e);
  if (Error e = take(config.positiveInt("vocab_size", 30522), h.vocab))
    return std::move(e);
  if (Error e = take(config.positiveInt("type_vocab_size", 2), h.typeVocab))
    return std::move(e);
  if (Error e = take(config.number("layer_norm_eps", 1e-12), h.epsilon))
    return std::move(e);
  if (Error e = take(config.number("initializer_range", 0.02), h.initializerRange))
    return std::move(e);
  if (Error e = take(config.number("hidden_dropout_prob", 0.1), h.hiddenDropout))
    return std::move(e);
  if (Error e = take(config.number("attention_probs_dropout_prob", 0.1), h.attentionDropout))
    return std::move(e);
  if (Error e = take(config.boolean("tie_word_embeddings", true), h.tieWordEmbeddings))
    return std::move(e);
  std::string activation, positionEmbedding;
  if (Error e = take(config.string("hidden_act", "gelu"), activation))
    return std::move(e);
  if (Error e = take(config.string("position_embedding_type", "absolute"), positionEmbedding))
    return std::move(e);
  bool decoder = false;
  if (Error e = take(config.boolean("is_decoder", false), decoder))
    return std::move(e);

  if (h.width % h.heads != 0)
    return config.error("hidden_size (" + Twine(h.width) + ") must be divisible by num_attention_heads (" +
                        Twine(h.heads) + ")");
  if (!(h.epsilon > 0))
    return config.error("layer_norm_eps must be positive");
  if (activation == "gelu")
    h.geluApproximation = "none";
  else if (activation == "gelu_new" || activation == "gelu_pytorch_tanh" || activation == "gelu_fast")
    h.geluApproximation = "tanh";
  else
    return config.error("unsupported hidden_act \"" + activation +
                        "\" (supported: gelu, gelu_new, gelu_pytorch_tanh, gelu_fast)");
  if (positionEmbedding != "absolute")
    return config.error("position_embedding_type \"" + positionEmbedding +
                        "\" is not supported (supported: absolute)");
  if (decoder)
    return config.error("is_decoder (BERT as a causal decoder) is not supported");
  return h;
}

class BertGraph {
public:
  // With `dropoutSeed`, dropout applies where transformers' BERT applies it
  // in training.
  BertGraph(EntryBuilder &entry, const BertHyperparameters &h, int64_t batch, int64_t seqLen,
            Value dropoutSeed)
      : e(entry), b(entry.builder()), loc(entry.loc()), h(h), batch(batch), seqLen(seqLen),
        headDim(h.width / h.heads), dropoutSeed(dropoutSeed) {}

  // The last hidden state [B, T, D].
  Value encoder(Value inputIds, Value tokenTypeIds, Value attentionMask) {
    wordEmbeddings = e.weight("bert.embeddings.word_embeddings.weight", {h.vocab, h.width},
                                 ParameterInit::Normal, h.initializerRange);
    Value positionTable = e.parameter("bert.embeddings.position_embeddings.weight",
                                      {h.positions, h.width}, ParameterInit::Normal,
                                      h.initializerRange);
    Value typeTable = e.weight("bert.embeddings.token_type_embeddings.weight",
                                  {h.typeVocab, h.width}, ParameterInit::Normal,
                                  h.initializerRange);
    RankedTensorType hiddenType = e.tensor({batch, seqLen, h.width});
    Value words = EmbeddingOp::create(b, loc, hiddenType, wordEmbeddings, inputIds);
    Value types = EmbeddingOp::create(b, loc, hiddenType, typeTable, tokenTypeIds);
    Value positions = SliceOp::create(b, loc, e.tensor({seqLen, h.width}), positionTable,
                                      b.getDenseI64ArrayAttr({0, 0}));
    // Summed in modeling_bert.py's order, so that rounding matches.
    Value summed = AddOp::create(b, loc, hiddenType, AddOp::create(b, loc, hiddenType, words, types),
                                 positions);
    Value hidden = dropout(layerNorm("bert.embeddings.LayerNorm.", summed), h.hiddenDropout);
    for (int64_t layer = 0; layer < h.layers; ++layer)
      hidden = block("bert.encoder.layer." + std::to_string(layer) + ".", hidden, attentionMask);
    return hidden;
  }

  // BertPooler: tanh(dense(h[:, 0])), [B, D].
  Value pooler(Value hidden) {
    Value first = SliceOp::create(b, loc, e.tensor({batch, 1, h.width}), hidden,
                                  b.getDenseI64ArrayAttr({0, 0, 0}));
    Value rows = ReshapeOp::create(b, loc, e.tensor({batch, h.width}), first);
    Value dense = linear("bert.pooler.dense.", rows, h.width, h.width);
    return TanhOp::create(b, loc, dense.getType(), dense);
  }

  // BertLMPredictionHead: [B, T, V].
  Value maskedLmHead(Value hidden) {
    Value transformed = linear("cls.predictions.transform.dense.", hidden, h.width, h.width);
    transformed = GeluOp::create(b, loc, transformed.getType(), transformed,
                                 b.getStringAttr(h.geluApproximation));
    transformed = layerNorm("cls.predictions.transform.LayerNorm.", transformed);
    // Tied as in Hugging Face: the decoder is the word embedding itself, so
    // its gradient sums both uses.
    Value decoder = h.tieWordEmbeddings
                        ? wordEmbeddings
                        : e.weight("cls.predictions.decoder.weight", {h.vocab, h.width},
                                      ParameterInit::Normal, h.initializerRange);
    Value logits = MatmulOp::create(b, loc, e.tensor({batch, seqLen, h.vocab}), transformed, decoder,
                                    /*transpose_rhs=*/true);
    Value bias = e.parameter("cls.predictions.bias", {h.vocab}, ParameterInit::Zeros);
    return AddOp::create(b, loc, logits.getType(), logits, bias);
  }

  // BertOnlyNSPHead: [B, 2].
  Value nextSentenceHead(Value pooled) { return linear("cls.seq_relationship.", pooled, h.width, 2); }

private:
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
    return LayerNormOp::create(b, loc, x.getType(), x, weight, bias, b.getF64FloatAttr(h.epsilon));
  }

  // torch.nn.Linear: x · Wᵀ + b with W stored [out, in], multiplied as it
  // lies (transpose_rhs): ptm-tile packs its tiles into panels either way,
  // so a copy of the weight per call would buy nothing.
  Value linear(const std::string &prefix, Value x, int64_t in, int64_t out) {
    Value weight = e.weight(prefix + "weight", {out, in}, ParameterInit::Normal, h.initializerRange);
    Value bias = e.parameter(prefix + "bias", {out}, ParameterInit::Zeros);
    SmallVector<int64_t> shape(cast<RankedTensorType>(x.getType()).getShape());
    shape.back() = out;
    Value product = MatmulOp::create(b, loc, e.tensor(shape), x, weight, /*transpose_rhs=*/true);
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

  Value block(const std::string &prefix, Value hidden, Value attentionMask) {
    Value query = splitHeads(linear(prefix + "attention.self.query.", hidden, h.width, h.width));
    Value key = splitHeads(linear(prefix + "attention.self.key.", hidden, h.width, h.width));
    Value value = splitHeads(linear(prefix + "attention.self.value.", hidden, h.width, h.width));
    bool attentionDropout = dropoutSeed && h.attentionDropout > 0.0;
    Value attended = AttentionOp::create(
        b, loc, query.getType(), query, key, value, attentionMask,
        attentionDropout ? dropoutSeed : Value(),
        b.getF64FloatAttr(1.0 / std::sqrt(static_cast<double>(headDim))),
        /*causal=*/b.getBoolAttr(false), b.getF64FloatAttr(attentionDropout ? h.attentionDropout : 0.0),
        b.getI64IntegerAttr(attentionDropout ? nextStream++ : 0));
    Value projected = dropout(linear(prefix + "attention.output.dense.", mergeHeads(attended), h.width, h.width),
                              h.hiddenDropout);
    hidden = layerNorm(prefix + "attention.output.LayerNorm.",
                       AddOp::create(b, loc, hidden.getType(), projected, hidden));

    Value inner = linear(prefix + "intermediate.dense.", hidden, h.width, h.innerWidth);
    Value activated = GeluOp::create(b, loc, inner.getType(), inner, b.getStringAttr(h.geluApproximation));
    Value output = dropout(linear(prefix + "output.dense.", activated, h.innerWidth, h.width), h.hiddenDropout);
    return layerNorm(prefix + "output.LayerNorm.", AddOp::create(b, loc, hidden.getType(), output, hidden));
  }

  EntryBuilder &e;
  OpBuilder &b;
  Location loc;
  const BertHyperparameters &h;
  int64_t batch, seqLen, headDim;
  Value dropoutSeed;
  Value wordEmbeddings;
  int64_t nextStream = 0;
};

constexpr int64_t kIgnoreIndex = -100;

Value crossEntropy(EntryBuilder &entry, Value logits, Value labels) {
  OpBuilder &b = entry.builder();
  return CrossEntropyOp::create(b, entry.loc(), entry.tensor({}), logits, labels, /*count=*/Value(),
                                b.getI64IntegerAttr(kIgnoreIndex), /*shift_labels=*/b.getBoolAttr(false));
}

} // namespace

Expected<OwningOpRef<ModuleOp>> buildBert(MLIRContext &context, const HFConfig &config,
                                          const BuildOptions &options) {
  Expected<BertHyperparameters> h = readHyperparameters(config);
  if (!h)
    return h.takeError();
  if (options.mode != "infer" && options.mode != "train")
    return config.error("--mode " + options.mode + " is not available for bert (supported: infer, train)");
  std::string task = options.task.empty() ? "mlm-nsp" : options.task;
  if (task != "mlm-nsp" && task != "mlm" && task != "embed")
    return config.error("--task " + task + " is not available for bert (supported: mlm-nsp, mlm, embed)");
  // embed: the bare encoder (BertModel's last_hidden_state) that sentence
  // embeddings are pooled from; checkpoints such as sentence-transformers'
  // carry no pretraining heads, so none are declared.
  bool encoderOnly = task == "embed";
  if (encoderOnly && options.mode != "infer")
    return config.error("--task embed is an inference task (--mode infer)");
  bool nextSentence = task == "mlm-nsp";
  if (options.seqLen > h->positions)
    return config.error("--seq " + Twine(options.seqLen) + " exceeds max_position_embeddings (" +
                        Twine(h->positions) + ")");
  if (options.dropout)
    for (auto [name, probability] : {std::pair<StringRef, double>{"hidden_dropout_prob", h->hiddenDropout},
                                     {"attention_probs_dropout_prob", h->attentionDropout}})
      if (!(probability >= 0.0 && probability < 1.0))
        return config.error(name + " (" + std::to_string(probability) + ") must be in [0, 1) for --dropout");

  context.loadDialect<PtmDialect, func::FuncDialect>();
  OwningOpRef<ModuleOp> module = ModuleOp::create(UnknownLoc::get(&context));
  FloatType floatType = computeTypeFor(context, options);
  FloatType weightType = weightTypeFor(context, options);
  // The entries of GPT-2's builder, with BERT's outputs. Inference: `forward`
  // (logits). Training: `grad`, `train_step`, `loss` (validation: the losses
  // and the logits that accuracies are counted from) and a batch-1 `forward`
  // (fill-mask from the model being trained).
  enum class Use { Logits, Validation, Training };
  struct EntrySpec {
    StringRef name;
    int64_t batch;
    Use use;
    bool dropout;
  };
  SmallVector<EntrySpec> entries;
  if (options.mode == "train")
    entries = {{"grad", options.batch, Use::Training, options.dropout},
               {"train_step", options.batch, Use::Training, options.dropout},
               {"loss", options.batch, Use::Validation, false},
               {"forward", 1, Use::Logits, false}};
  else
    entries = {{"forward", options.batch, Use::Logits, false}};

  for (const EntrySpec &spec : entries) {
    EntryBuilder entry(*module, spec.name, floatType, weightType);
    Type i64 = IntegerType::get(&context, 64);
    auto tokensType = RankedTensorType::get({spec.batch, options.seqLen}, i64);
    Value inputIds = entry.input("input_ids", tokensType, /*valueBound=*/h->vocab);
    Value attentionMask = entry.input("attention_mask", tokensType);
    Value tokenTypeIds = entry.input("token_type_ids", tokensType, /*valueBound=*/h->typeVocab);
    bool scored = spec.use != Use::Logits;
    // Labels are token ids (next_sentence_label: 0 = B follows A, 1 = B is
    // random) or -100 (not scored).
    Value labels = scored ? entry.input("labels", tokensType, h->vocab, kIgnoreIndex) : Value();
    Value nextSentenceLabel =
        scored && nextSentence
            ? entry.input("next_sentence_label", RankedTensorType::get({spec.batch}, i64), 2, kIgnoreIndex)
            : Value();
    Value dropoutSeed = spec.dropout ? entry.input("dropout_seed", RankedTensorType::get({}, i64)) : Value();

    BertGraph graph(entry, *h, spec.batch, options.seqLen, dropoutSeed);
    Value hidden = graph.encoder(inputIds, tokenTypeIds, attentionMask);
    if (encoderOnly) {
      entry.finish({{"last_hidden_state", hidden}});
      continue;
    }
    Value predictionLogits = graph.maskedLmHead(hidden);
    Value relationshipLogits = nextSentence ? graph.nextSentenceHead(graph.pooler(hidden)) : Value();
    // BertForPreTraining names its logits prediction_logits and
    // seq_relationship_logits; BertForMaskedLM names them logits.
    std::vector<std::pair<std::string, Value>> logits;
    if (nextSentence)
      logits = {{"prediction_logits", predictionLogits}, {"seq_relationship_logits", relationshipLogits}};
    else
      logits = {{"logits", predictionLogits}};
    if (spec.use == Use::Logits) {
      entry.finish(logits);
      continue;
    }
    OpBuilder &b = entry.builder();
    Value maskedLmLoss = crossEntropy(entry, predictionLogits, labels);
    Value nextSentenceLoss = nextSentence ? crossEntropy(entry, relationshipLogits, nextSentenceLabel) : Value();
    Value loss = nextSentence ? AddOp::create(b, entry.loc(), entry.tensor({}), maskedLmLoss, nextSentenceLoss)
                              : maskedLmLoss;
    if (spec.use == Use::Validation) {
      std::vector<std::pair<std::string, Value>> outputs{{"loss", loss}};
      if (nextSentence) {
        outputs.push_back({"mlm_loss", maskedLmLoss});
        outputs.push_back({"nsp_loss", nextSentenceLoss});
      }
      outputs.insert(outputs.end(), logits.begin(), logits.end());
      entry.finish(outputs);
      continue;
    }
    markForTraining(entry.finish({{"loss", loss}}), options, /*withOptimizer=*/spec.name == "train_step");
  }
  return module;
}

} // namespace ptm::frontends
