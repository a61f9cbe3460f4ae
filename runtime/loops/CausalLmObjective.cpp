// Causal-LM pretraining (GPT): a byte-level BPE vocabulary trained on the
// corpus or loaded, the corpus cut into token windows visited in a seeded,
// per-epoch shuffled order, validation loss on the held-out end of the text,
// and a sample from the batch-1 `forward` entry at the end.
#include "runtime/AtomicFile.h"
#include "runtime/Error.h"
#include "runtime/loops/Checkpoint.h"
#include "runtime/loops/PretrainingObjective.h"
#include "runtime/loops/Random.h"
#include "runtime/loops/Sampling.h"
#include "runtime/loops/TextCorpus.h"
#include "runtime/tokenizers/ByteLevelBpe.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

using nlohmann::json;

namespace ptm::loops {
namespace {

constexpr const char *kEndOfText = "<|endoftext|>";

// A batch of token windows as input_ids and labels (the same ids: the model
// shifts labels inside, as Hugging Face does). Rows past the end get the
// ignore index as labels, so that they do not count.
TensorMap windowBatch(const TokenWindows &windows, const std::vector<int64_t> &windowIndices, int64_t rows) {
  int64_t length = windows.length();
  Tensor ids("input_ids", DType::I64, {rows, length});
  Tensor labels("labels", DType::I64, {rows, length});
  for (int64_t row = 0; row < rows; ++row)
    for (int64_t t = 0; t < length; ++t) {
      bool present = row < static_cast<int64_t>(windowIndices.size());
      int64_t token = present ? windows.window(windowIndices[static_cast<size_t>(row)])[t] : 0;
      ids.dataAs<int64_t>()[row * length + t] = token;
      labels.dataAs<int64_t>()[row * length + t] = present ? token : -100;
    }
  TensorMap batch;
  batch.emplace("input_ids", std::move(ids));
  batch.emplace("labels", std::move(labels));
  return batch;
}

// The entropy (nats) of the tokens' own unigram distribution: the loss of
// the best model that ignores context, which a language model must beat.
double unigramEntropy(const std::vector<int32_t> &tokens) {
  std::map<int32_t, int64_t> counts;
  for (int32_t token : tokens)
    ++counts[token];
  double entropy = 0, total = static_cast<double>(tokens.size());
  for (const auto &[token, count] : counts) {
    double p = static_cast<double>(count) / total;
    entropy -= p * std::log(p);
  }
  return entropy;
}

class CausalLmObjective : public PretrainingObjective {
public:
  CausalLmObjective(const PretrainOptions &options, Session &session) : options_(options), session_(session) {
    const ArtifactReader &artifact = session_.artifactReader();
    train_ = tokenInputOf(artifact, artifact.entry("train_step"));
    eval_ = tokenInputOf(artifact, artifact.entry("loss"));
    if (const auto *entries = artifact.artifact().entries())
      for (const artifact::Entry *entry : *entries)
        if (entry->name()->str() == "forward")
          forward_ = entry;
  }

  json readCorpus() override {
    corpus_ = readTextCorpus(options_.dataPath);
    return {{"path", options_.dataPath}, {"bytes", corpus_.size()}, {"fnv1a64", checksumOf(corpus_)}};
  }

  json settings() const override { return json::object(); }
  void resumeSettings(const json &, const std::string &) override {}

  void prepare(const RunSettings &settings, const std::string &checkpoint) override {
    seed_ = settings.seed;
    CorpusSplit split = splitCorpus(corpus_, settings.validationFraction);
    if (split.validation.empty())
      throw Error(options_.dataPath, "is too short to hold out a validation part");
    loadTokenizer(split.train, checkpoint);
    trainWindows_.emplace(tokenizer_->encode(split.train), train_.length);
    std::vector<int32_t> validationTokens = tokenizer_->encode(split.validation);
    baseline_ = unigramEntropy(validationTokens);
    validationWindows_.emplace(std::move(validationTokens), eval_.length);
    if (trainWindows_->count() == 0 || validationWindows_->count() == 0)
      throw Error(options_.dataPath, "is too short: it needs at least one window of " + std::to_string(train_.length) +
                                         " tokens for training and one for validation");
    std::printf("data: %s, %s training tokens (%s windows of %lld), %s validation tokens; "
                "unigram entropy of the validation tokens %.4f nats\n",
                options_.dataPath.c_str(), withThousands(static_cast<int64_t>(trainWindows_->tokens().size())).c_str(),
                withThousands(trainWindows_->count()).c_str(), static_cast<long long>(train_.length),
                withThousands(static_cast<int64_t>(validationWindows_->tokens().size())).c_str(), baseline_);
    order_.emplace(trainWindows_->count(), settings.seed);
  }

  int64_t tokensPerStep() const override { return train_.rows * train_.length; }

  TensorMap trainingBatch(int64_t step, int64_t &epoch) override {
    std::vector<int64_t> windowIndices;
    int64_t firstSample = (step - 1) * train_.rows;
    for (int64_t row = 0; row < train_.rows; ++row)
      windowIndices.push_back(order_->window(firstSample + row));
    epoch = order_->epochOf(firstSample);
    return windowBatch(*trainWindows_, windowIndices, train_.rows);
  }

  std::vector<std::string> metricNames() const override { return {}; }

  // Mean loss over counted tokens of the first evalBatches batches of windows.
  ValidationResult validate() override {
    int64_t batches = std::max<int64_t>(options_.evalBatches, 1);
    double weightedLoss = 0;
    int64_t counted = 0;
    for (int64_t batch = 0; batch < batches; ++batch) {
      std::vector<int64_t> indices;
      for (int64_t row = 0; row < eval_.rows; ++row) {
        int64_t index = batch * eval_.rows + row;
        if (index < validationWindows_->count())
          indices.push_back(index);
      }
      if (indices.empty())
        break;
      // Every row predicts length - 1 tokens (labels shift inside).
      int64_t tokens = static_cast<int64_t>(indices.size()) * (eval_.length - 1);
      std::vector<Tensor> outputs =
          session_.run("loss", windowBatch(*validationWindows_, indices, eval_.rows), options_.dataPath);
      weightedLoss += scalarValue(outputs.front()) * static_cast<double>(tokens);
      counted += tokens;
    }
    ValidationResult result;
    result.loss = weightedLoss / static_cast<double>(counted);
    char text[128];
    std::snprintf(text, sizeof text, "val loss %.4f | ppl %.2f | unigram entropy %.4f", result.loss,
                  std::exp(result.loss), baseline_);
    result.summary = text;
    return result;
  }

  void saveTokenizer(const std::string &directory) const override {
    tokenizer_->save(directory);
    if (!tokenizer_->tokenId(kEndOfText))
      return;
    std::filesystem::path path(directory);
    json special = {{"bos_token", kEndOfText}, {"eos_token", kEndOfText}, {"unk_token", kEndOfText}};
    json tokenizerConfig = special;
    tokenizerConfig["tokenizer_class"] = "GPT2Tokenizer";
    tokenizerConfig["add_prefix_space"] = false;
    tokenizerConfig["model_max_length"] = train_.length;
    writeFileAtomically((path / "tokenizer_config.json").string(),
                        [&](std::ostream &stream) { stream << tokenizerConfig.dump(2) << "\n"; });
    writeFileAtomically((path / "special_tokens_map.json").string(),
                        [&](std::ostream &stream) { stream << special.dump(2) << "\n"; });
  }

  // Continues the prompt with the batch-1 `forward` entry: the window holds
  // the last seq_len tokens, padded on the right (causal attention keeps
  // the padding from reaching earlier positions), and the logits at the last
  // real position choose the next token.
  void finish() override {
    if (options_.sampleTokens <= 0)
      return;
    if (!forward_) {
      std::printf("(no sample: the artifact has no 'forward' entry)\n");
      return;
    }
    TokenInput input = tokenInputOf(session_.artifactReader(), *forward_);
    std::vector<int32_t> tokens = tokenizer_->encode(options_.prompt);
    if (tokens.empty()) {
      std::optional<int32_t> endOfText = tokenizer_->tokenId(kEndOfText);
      tokens.push_back(endOfText ? *endOfText : 0);
    }
    Random random(deriveSeed(seed_, kSampleStream, 0));
    std::vector<int32_t> generated;
    for (int64_t n = 0; n < options_.sampleTokens; ++n) {
      size_t first = tokens.size() > static_cast<size_t>(input.length) ? tokens.size() - input.length : 0;
      int64_t used = static_cast<int64_t>(tokens.size() - first);
      Tensor ids("input_ids", DType::I64, {1, input.length});
      Tensor mask("attention_mask", DType::I64, {1, input.length});
      for (int64_t t = 0; t < used; ++t) {
        ids.dataAs<int64_t>()[t] = tokens[first + static_cast<size_t>(t)];
        mask.dataAs<int64_t>()[t] = 1;
      }
      TensorMap inputs;
      inputs.emplace("input_ids", std::move(ids));
      inputs.emplace("attention_mask", std::move(mask));
      std::vector<Tensor> logits = session_.run("forward", std::move(inputs), "the sample prompt");
      const float *row = logits.front().dataAs<float>() + (used - 1) * input.vocabulary;
      int32_t next = sampleToken(row, std::min<int64_t>(input.vocabulary, tokenizer_->vocabSize()), options_.sampling,
                                 random);
      tokens.push_back(next);
      generated.push_back(next);
    }
    std::printf("sample (%lld tokens, temperature %.2f, top-k %lld):\n%s%s\n",
                static_cast<long long>(options_.sampleTokens), options_.sampling.temperature,
                static_cast<long long>(options_.sampling.topK), options_.prompt.c_str(),
                tokenizer_->decodeText(generated).c_str());
  }

private:
  void loadTokenizer(std::string_view trainText, const std::string &checkpoint) {
    // A resumed run, or one that starts from a model directory with a
    // tokenizer, keeps the vocabulary its weights were trained with.
    std::string source = !checkpoint.empty() ? checkpoint : options_.tokenizerPath;
    std::error_code error;
    if (source.empty() && !options_.weightsPath.empty() &&
        std::filesystem::is_directory(options_.weightsPath, error) && ByteLevelBpe::hasVocabulary(options_.weightsPath))
      source = options_.weightsPath;
    if (!source.empty()) {
      tokenizer_ = std::make_unique<ByteLevelBpe>(ByteLevelBpe::load(source));
      if (tokenizer_->vocabSize() > train_.vocabulary)
        throw Error(source, "the tokenizer has " + withThousands(tokenizer_->vocabSize()) +
                                " tokens, more than the model's vocabulary of " + withThousands(train_.vocabulary));
      std::printf("tokenizer: %s (%s tokens)\n", source.c_str(), withThousands(tokenizer_->vocabSize()).c_str());
      return;
    }
    Clock::time_point start = Clock::now();
    tokenizer_ = std::make_unique<ByteLevelBpe>(ByteLevelBpe::train(trainText, train_.vocabulary, {kEndOfText}));
    std::printf("tokenizer: byte-level BPE trained on the training text, %s tokens in %.1f s\n",
                withThousands(tokenizer_->vocabSize()).c_str(), secondsSince(start));
  }

  const PretrainOptions &options_;
  Session &session_;
  TokenInput train_{}, eval_{};
  const artifact::Entry *forward_ = nullptr;
  std::string corpus_;
  uint64_t seed_ = 0;
  std::unique_ptr<ByteLevelBpe> tokenizer_;
  std::optional<TokenWindows> trainWindows_, validationWindows_;
  std::optional<ShuffledOrder> order_;
  double baseline_ = 0;
};

} // namespace

std::unique_ptr<PretrainingObjective> makeCausalLmObjective(const PretrainOptions &options, Session &session) {
  return std::make_unique<CausalLmObjective>(options, session);
}

} // namespace ptm::loops
