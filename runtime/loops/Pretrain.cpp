#include "runtime/loops/Pretrain.h"

#include "runtime/AtomicFile.h"
#include "runtime/Error.h"
#include "runtime/Session.h"
#include "runtime/loops/Checkpoint.h"
#include "runtime/loops/Random.h"
#include "runtime/loops/TextCorpus.h"
#include "runtime/loops/TrainingLog.h"
#include "runtime/tokenizers/ByteLevelBpe.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

using nlohmann::json;

namespace ptm::loops {
namespace {

constexpr const char *kEndOfText = "<|endoftext|>";
constexpr const char *kStateFormat = "ptm-pretrain-state";
// Streams of derived seeds (see deriveSeed), one per use of randomness.
constexpr uint64_t kDropoutStream = 2;
constexpr uint64_t kSampleStream = 3;

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// "1h02m", "3m05s", "42s"
std::string formatDuration(double seconds) {
  auto total = static_cast<long>(std::lround(std::max(0.0, seconds)));
  char text[32];
  if (total >= 3600)
    std::snprintf(text, sizeof text, "%ldh%02ldm", total / 3600, total / 60 % 60);
  else if (total >= 60)
    std::snprintf(text, sizeof text, "%ldm%02lds", total / 60, total % 60);
  else
    std::snprintf(text, sizeof text, "%lds", total);
  return text;
}

// Shape [rows, length] and vocabulary bound of an entry's input_ids.
struct TokenInput {
  int64_t rows, length, vocabulary;
};

TokenInput tokenInputOf(const ArtifactReader &artifact, const artifact::Entry &entry) {
  const artifact::TensorDesc *ids = findInput(entry, "input_ids");
  std::vector<int64_t> shape = ids ? shapeOf(*ids) : std::vector<int64_t>{};
  if (!ids || shape.size() != 2 || ids->value_bound() <= 0)
    throw Error(artifact.path(), "entry '" + entry.name()->str() + "' has no input_ids [batch, seq] with a vocabulary bound");
  return {shape[0], shape[1], ids->value_bound()};
}

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

// The run's fixed settings, resolved from the options or the checkpoint.
struct RunSettings {
  int64_t steps;
  LearningRateSchedule schedule;
  uint64_t seed;
  double validationFraction;

  json toJson() const {
    return {{"steps", steps},
            {"learning_rate", schedule.peak},
            {"min_learning_rate", schedule.floor},
            {"warmup_steps", schedule.warmupSteps},
            {"schedule", decayKindName(schedule.decay)},
            {"seed", seed},
            {"validation_fraction", validationFraction}};
  }
};

// Settings for a new run: the options, with defaults where absent.
RunSettings settingsFromOptions(const PretrainRunSettings &run) {
  RunSettings settings;
  settings.steps = run.steps.value_or(1000);
  settings.schedule.peak = run.learningRate.value_or(6e-4);
  settings.schedule.floor = run.minLearningRate.value_or(settings.schedule.peak / 10);
  settings.schedule.warmupSteps = run.warmupSteps.value_or(std::min<int64_t>(100, settings.steps / 10));
  settings.schedule.decay = parseDecayKind(run.schedule.value_or("cosine"), "--schedule");
  settings.schedule.totalSteps = settings.steps;
  settings.seed = run.seed.value_or(1234);
  settings.validationFraction = run.validationFraction.value_or(0.1);
  return settings;
}

// Settings of a resumed run: the checkpoint's; a flag given again must agree.
RunSettings settingsFromCheckpoint(const json &saved, const PretrainRunSettings &run, const std::string &checkpoint) {
  PretrainRunSettings stored;
  stored.steps = saved.at("steps").get<int64_t>();
  stored.learningRate = saved.at("learning_rate").get<double>();
  stored.minLearningRate = saved.at("min_learning_rate").get<double>();
  stored.warmupSteps = saved.at("warmup_steps").get<int64_t>();
  stored.schedule = saved.at("schedule").get<std::string>();
  stored.seed = saved.at("seed").get<uint64_t>();
  stored.validationFraction = saved.at("validation_fraction").get<double>();
  auto agree = [&](const auto &given, const auto &kept, const char *flag) {
    if (given && *given != *kept)
      throw Error(checkpoint, std::string("was trained with a different ") + flag +
                                  " than given now; a resumed run keeps its settings (leave " + flag + " out)");
  };
  agree(run.steps, stored.steps, "--steps");
  agree(run.learningRate, stored.learningRate, "--lr");
  agree(run.minLearningRate, stored.minLearningRate, "--min-lr");
  agree(run.warmupSteps, stored.warmupSteps, "--warmup");
  agree(run.schedule, stored.schedule, "--schedule");
  agree(run.seed, stored.seed, "--seed");
  agree(run.validationFraction, stored.validationFraction, "--val-fraction");
  return settingsFromOptions(stored);
}

void checkSettings(const RunSettings &settings) {
  if (settings.steps < 1)
    throw Error("--steps", "must be at least 1");
  if (!(settings.schedule.peak > 0) || !(settings.schedule.floor >= 0) ||
      settings.schedule.floor > settings.schedule.peak)
    throw Error("--lr", "needs 0 <= --min-lr <= --lr and --lr > 0");
  if (settings.schedule.warmupSteps < 0)
    throw Error("--warmup", "must not be negative");
  if (!(settings.validationFraction > 0 && settings.validationFraction < 0.5))
    throw Error("--val-fraction", "must lie in (0, 0.5)");
}

class Pretraining {
public:
  explicit Pretraining(const PretrainOptions &options)
      : options_(options), session_(options.artifactPath, SessionOptions{options.threads}) {}

  void run() {
    const ArtifactReader &artifact = session_.artifactReader();
    trainStep_ = &artifact.entry("train_step");
    TokenInput train = tokenInputOf(artifact, *trainStep_);
    TokenInput eval = tokenInputOf(artifact, artifact.entry("loss"));
    if (const auto *entries = artifact.artifact().entries())
      for (const artifact::Entry *entry : *entries)
        if (entry->name()->str() == "forward")
          forward_ = entry;
    batchRows_ = train.rows;
    sequenceLength_ = train.length;

    std::string corpus = readTextCorpus(options_.dataPath);
    // What identifies the corpus in checkpoints: hashed once, not per checkpoint.
    json corpusIdentity = {{"path", options_.dataPath}, {"bytes", corpus.size()}, {"fnv1a64", checksumOf(corpus)}};
    std::optional<json> resumed = resumeState();
    settings_ = resumed ? settingsFromCheckpoint(resumed->at("settings"), options_.run, checkpointPath_)
                        : settingsFromOptions(options_.run);
    checkSettings(settings_);
    if (resumed) {
      const json &data = resumed->at("data");
      if (data.at("bytes") != corpusIdentity["bytes"] || data.at("fnv1a64") != corpusIdentity["fnv1a64"])
        throw Error(options_.dataPath, "is not the corpus that " + checkpointPath_ +
                                           " was trained on (its size or checksum differs)");
    }
    CorpusSplit split = splitCorpus(corpus, settings_.validationFraction);
    if (split.validation.empty())
      throw Error(options_.dataPath, "is too short to hold out a validation part");

    loadTokenizer(split.train, train.vocabulary);
    TokenWindows trainWindows(tokenizer_->encode(split.train), sequenceLength_);
    std::vector<int32_t> validationTokens = tokenizer_->encode(split.validation);
    double baseline = unigramEntropy(validationTokens);
    TokenWindows validationWindows(std::move(validationTokens), eval.length);
    if (trainWindows.count() == 0 || validationWindows.count() == 0)
      throw Error(options_.dataPath, "is too short: it needs at least one window of " +
                                         std::to_string(sequenceLength_) +
                                         " tokens for training and one for validation");
    std::printf("data: %s, %s training tokens (%s windows of %lld), %s validation tokens; "
                "unigram entropy of the validation tokens %.4f nats\n",
                options_.dataPath.c_str(), withThousands(static_cast<int64_t>(trainWindows.tokens().size())).c_str(),
                withThousands(trainWindows.count()).c_str(), static_cast<long long>(sequenceLength_),
                withThousands(static_cast<int64_t>(validationWindows.tokens().size())).c_str(), baseline);

    int64_t startStep = 0;
    if (resumed) {
      startStep = resumed->at("step").get<int64_t>();
      session_.bindWeights((std::filesystem::path(checkpointPath_) / "model.safetensors").string(),
                           (std::filesystem::path(checkpointPath_) / "optimizer.safetensors").string());
      std::printf("resumed from %s at step %lld\n", checkpointPath_.c_str(), static_cast<long long>(startStep));
    } else if (!options_.weightsPath.empty()) {
      session_.bindWeights(options_.weightsPath);
    } else {
      session_.initRandomWeights(settings_.seed);
    }
    std::optional<TrainingLog> log;
    if (!options_.logPath.empty())
      log.emplace(options_.logPath, resumed ? std::optional<int64_t>(startStep) : std::nullopt);

    ShuffledOrder order(trainWindows.count(), settings_.seed);
    int64_t evalEvery = std::max<int64_t>(options_.evalEvery, 1);
    int64_t checkpointEvery = options_.checkpointEvery > 0 ? options_.checkpointEvery : evalEvery;
    int64_t tokensPerStep = batchRows_ * sequenceLength_;
    std::printf("training: %lld steps of %lld x %lld tokens, lr %.3g -> %.3g (%s, %lld warmup steps), seed %llu, "
                "%d thread%s\n",
                static_cast<long long>(settings_.steps), static_cast<long long>(batchRows_),
                static_cast<long long>(sequenceLength_), settings_.schedule.peak, settings_.schedule.floor,
                decayKindName(settings_.schedule.decay), static_cast<long long>(settings_.schedule.warmupSteps),
                static_cast<unsigned long long>(settings_.seed), session_.threadPool().threadCount(),
                session_.threadPool().threadCount() == 1 ? "" : "s");

    if (startStep == 0) {
      double validation = validationLoss(eval, validationWindows);
      std::printf("step %lld | val loss %.4f | ppl %.2f\n", 0LL, validation, std::exp(validation));
      if (log)
        log->write({0, 0, std::nullopt, std::nullopt, validation, 0, std::nullopt, 0.0});
    }
    Clock::time_point start = Clock::now();
    double trainingSeconds = 0, intervalSeconds = 0, intervalLoss = 0;
    int64_t intervalSteps = 0;
    for (int64_t step = startStep + 1; step <= settings_.steps; ++step) {
      std::vector<int64_t> windowIndices;
      int64_t firstSample = (step - 1) * batchRows_;
      for (int64_t row = 0; row < batchRows_; ++row)
        windowIndices.push_back(order.window(firstSample + row));
      int64_t epoch = order.epochOf(firstSample);
      double learningRate = settings_.schedule.at(step);

      TensorMap inputs = windowBatch(trainWindows, windowIndices, batchRows_);
      inputs.emplace("learning_rate", scalarInput(*trainStep_, "learning_rate", learningRate));
      inputs.emplace("step", scalarInput(*trainStep_, "step", static_cast<double>(step)));
      if (findInput(*trainStep_, "dropout_seed")) {
        // Each step's dropout masks come from a key of its own.
        Tensor dropoutSeed("dropout_seed", DType::I64, {});
        dropoutSeed.dataAs<int64_t>()[0] =
            static_cast<int64_t>(deriveSeed(settings_.seed, kDropoutStream, static_cast<uint64_t>(step)) >> 1);
        inputs.emplace("dropout_seed", std::move(dropoutSeed));
      }
      Clock::time_point stepStart = Clock::now();
      std::vector<Tensor> outputs = session_.runUpdatingParameters("train_step", std::move(inputs), options_.dataPath);
      double stepSeconds = secondsSince(stepStart);
      double loss = scalarValue(outputs.front());
      if (!std::isfinite(loss))
        throw Error(options_.artifactPath, "the training loss became " + std::to_string(loss) + " at step " +
                                               std::to_string(step) + " (try a lower --lr)");
      trainingSeconds += stepSeconds;
      intervalSeconds += stepSeconds;
      intervalLoss += loss;
      ++intervalSteps;

      bool validate = step % evalEvery == 0 || step == settings_.steps;
      std::optional<double> validation;
      if (validate)
        validation = validationLoss(eval, validationWindows);
      double tokensPerSecond = static_cast<double>(tokensPerStep) / stepSeconds;
      if (log)
        log->write({step, epoch, learningRate, loss, validation, step * tokensPerStep, tokensPerSecond,
                    secondsSince(start)});
      if (step % std::max<int64_t>(options_.logEvery, 1) == 0 || step == settings_.steps || validate) {
        double meanStepSeconds = trainingSeconds / static_cast<double>(step - startStep);
        std::printf("step %lld/%lld | epoch %lld | loss %.4f | lr %.2e | %s tok/s | %s elapsed | ETA %s\n",
                    static_cast<long long>(step), static_cast<long long>(settings_.steps),
                    static_cast<long long>(epoch), intervalLoss / static_cast<double>(intervalSteps), learningRate,
                    withThousands(std::llround(static_cast<double>(tokensPerStep * intervalSteps) / intervalSeconds))
                        .c_str(),
                    formatDuration(secondsSince(start)).c_str(),
                    formatDuration(meanStepSeconds * static_cast<double>(settings_.steps - step)).c_str());
        intervalSeconds = intervalLoss = 0;
        intervalSteps = 0;
      }
      if (validation)
        std::printf("step %lld | val loss %.4f | ppl %.2f | unigram entropy %.4f\n", static_cast<long long>(step),
                    *validation, std::exp(*validation), baseline);
      if (!options_.outputDirectory.empty() && (step % checkpointEvery == 0 || step == settings_.steps))
        saveCheckpoint(step, epoch, corpusIdentity, validation);
      std::fflush(stdout);
    }
    if (options_.sampleTokens > 0)
      printSample();
  }

private:
  // The checkpoint's state when resuming (verified), else nothing.
  std::optional<json> resumeState() {
    if (options_.resumePath.empty())
      return std::nullopt;
    checkpointPath_ = resolveCheckpoint(options_.resumePath);
    json state = json::parse(verifyCheckpoint(checkpointPath_));
    if (state.value("format", "") != kStateFormat)
      throw Error(checkpointPath_, "trainer_state.json is not a ptm pretraining state");
    return state;
  }

  void loadTokenizer(std::string_view trainText, int64_t modelVocabulary) {
    // A resumed run, or one that starts from a model directory with a
    // tokenizer, keeps the vocabulary its weights were trained with.
    std::string source = !checkpointPath_.empty() ? checkpointPath_ : options_.tokenizerPath;
    std::error_code error;
    std::filesystem::path weights(options_.weightsPath);
    if (source.empty() && !options_.weightsPath.empty() && std::filesystem::is_directory(weights, error) &&
        (std::filesystem::exists(weights / "vocab.json", error) || std::filesystem::exists(weights / "encoder.json", error)))
      source = options_.weightsPath;
    if (!source.empty()) {
      tokenizer_ = std::make_unique<ByteLevelBpe>(ByteLevelBpe::load(source));
      if (tokenizer_->vocabSize() > modelVocabulary)
        throw Error(source, "the tokenizer has " + withThousands(tokenizer_->vocabSize()) +
                                " tokens, more than the model's vocabulary of " + withThousands(modelVocabulary));
      std::printf("tokenizer: %s (%s tokens)\n", source.c_str(), withThousands(tokenizer_->vocabSize()).c_str());
      return;
    }
    Clock::time_point start = Clock::now();
    tokenizer_ = std::make_unique<ByteLevelBpe>(ByteLevelBpe::train(trainText, modelVocabulary, {kEndOfText}));
    std::printf("tokenizer: byte-level BPE trained on the training text, %s tokens in %.1f s\n",
                withThousands(tokenizer_->vocabSize()).c_str(), secondsSince(start));
  }

  // Mean loss over counted tokens of the first evalBatches batches of windows.
  // `input` is the shape of the `loss` entry's input_ids.
  double validationLoss(const TokenInput &input, const TokenWindows &windows) {
    int64_t batches = std::max<int64_t>(options_.evalBatches, 1);
    double weightedLoss = 0;
    int64_t counted = 0;
    for (int64_t batch = 0; batch < batches; ++batch) {
      std::vector<int64_t> indices;
      for (int64_t row = 0; row < input.rows; ++row) {
        int64_t index = batch * input.rows + row;
        if (index < windows.count())
          indices.push_back(index);
      }
      if (indices.empty())
        break;
      // Every row predicts length - 1 tokens (labels shift inside).
      int64_t tokens = static_cast<int64_t>(indices.size()) * (input.length - 1);
      std::vector<Tensor> outputs =
          session_.run("loss", windowBatch(windows, indices, input.rows), options_.dataPath);
      weightedLoss += scalarValue(outputs.front()) * static_cast<double>(tokens);
      counted += tokens;
    }
    return weightedLoss / static_cast<double>(counted);
  }

  void saveCheckpoint(int64_t step, int64_t epoch, const json &corpusIdentity, std::optional<double> validation) {
    std::string directory = checkpointDirectory(options_.outputDirectory, static_cast<long>(step));
    std::error_code error;
    std::filesystem::create_directories(options_.outputDirectory, error);
    CheckpointWriter writer(directory);
    const artifact::Artifact &artifact = session_.artifact();
    std::string config = artifact.model_config_json() ? artifact.model_config_json()->str() : "{}";
    writeFileAtomically(writer.path("config.json"), [&](std::ostream &stream) { stream << config; });
    session_.writeParameters(writer.path("model.safetensors"), Session::ParameterSelection::Model);
    session_.writeParameters(writer.path("optimizer.safetensors"), Session::ParameterSelection::OptimizerState);
    tokenizer_->save(writer.path(""));
    if (tokenizer_->tokenId(kEndOfText)) {
      json special = {{"bos_token", kEndOfText}, {"eos_token", kEndOfText}, {"unk_token", kEndOfText}};
      json tokenizerConfig = special;
      tokenizerConfig["tokenizer_class"] = "GPT2Tokenizer";
      tokenizerConfig["add_prefix_space"] = false;
      tokenizerConfig["model_max_length"] = sequenceLength_;
      writeFileAtomically(writer.path("tokenizer_config.json"),
                          [&](std::ostream &stream) { stream << tokenizerConfig.dump(2) << "\n"; });
      writeFileAtomically(writer.path("special_tokens_map.json"),
                          [&](std::ostream &stream) { stream << special.dump(2) << "\n"; });
    }
    json state = {{"format", kStateFormat},
                  {"version", 1},
                  {"step", step},
                  {"epoch", epoch},
                  {"settings", settings_.toJson()},
                  {"data", corpusIdentity},
                  {"artifact", options_.artifactPath}};
    if (validation)
      state["validation_loss"] = *validation;
    writer.commit(state.dump());
    pruneCheckpoints(options_.outputDirectory, std::max(options_.keepCheckpoints, 1));
    std::printf("saved %s\n", directory.c_str());
  }

  // Continues the prompt with the batch-1 `forward` entry: the window holds
  // the last seq_len tokens, padded on the right (causal attention keeps
  // the padding from reaching earlier positions), and the logits at the last
  // real position choose the next token.
  void printSample() {
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
    Random random(deriveSeed(settings_.seed, kSampleStream, 0));
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

  const PretrainOptions &options_;
  Session session_;
  RunSettings settings_{};
  const artifact::Entry *trainStep_ = nullptr;
  const artifact::Entry *forward_ = nullptr;
  int64_t batchRows_ = 0, sequenceLength_ = 0;
  std::string checkpointPath_;
  std::unique_ptr<ByteLevelBpe> tokenizer_;
};

} // namespace

void pretrain(const PretrainOptions &options) { Pretraining(options).run(); }

} // namespace ptm::loops
