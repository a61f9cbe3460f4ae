#include "runtime/loops/Pretrain.h"

#include "runtime/AtomicFile.h"
#include "runtime/Error.h"
#include "runtime/Session.h"
#include "runtime/loops/Checkpoint.h"
#include "runtime/loops/PretrainingObjective.h"
#include "runtime/loops/Random.h"
#include "runtime/loops/TrainingLog.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

using nlohmann::json;

namespace ptm::loops {
namespace {

constexpr const char *kStateFormat = "ptm-pretrain-state";

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

json settingsJson(const RunSettings &settings) {
  return {{"steps", settings.steps},
          {"learning_rate", settings.schedule.peak},
          {"min_learning_rate", settings.schedule.floor},
          {"warmup_steps", settings.schedule.warmupSteps},
          {"schedule", decayKindName(settings.schedule.decay)},
          {"seed", settings.seed},
          {"validation_fraction", settings.validationFraction}};
}

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
      : options_(options), session_(options.artifactPath, SessionOptions{options.threads}),
        objective_(makeObjective(options, session_)) {}

  void run() {
    trainStep_ = &session_.artifactReader().entry("train_step");
    // What identifies the corpus in checkpoints: read once, not per checkpoint.
    json corpusIdentity = objective_->readCorpus();
    std::optional<json> resumed = resumeState();
    settings_ = resumed ? settingsFromCheckpoint(resumed->at("settings"), options_.run, checkpointPath_)
                        : settingsFromOptions(options_.run);
    checkSettings(settings_);
    if (resumed) {
      const json &data = resumed->at("data");
      if (data.at("bytes") != corpusIdentity["bytes"] || data.at("fnv1a64") != corpusIdentity["fnv1a64"])
        throw Error(options_.dataPath, "is not the corpus that " + checkpointPath_ +
                                           " was trained on (its size or checksum differs)");
      objective_->resumeSettings(resumed->value("objective", json::object()), checkpointPath_);
    }
    objective_->prepare(settings_, checkpointPath_);

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
      log.emplace(options_.logPath, resumed ? std::optional<int64_t>(startStep) : std::nullopt,
                  objective_->metricNames());

    int64_t evalEvery = std::max<int64_t>(options_.evalEvery, 1);
    int64_t checkpointEvery = options_.checkpointEvery > 0 ? options_.checkpointEvery : evalEvery;
    int64_t tokensPerStep = objective_->tokensPerStep();
    const artifact::TensorDesc *ids = findInput(*trainStep_, "input_ids");
    std::vector<int64_t> batchShape = ids ? shapeOf(*ids) : std::vector<int64_t>{0, 0};
    std::printf("training: %lld steps of %lld x %lld tokens, lr %.3g -> %.3g (%s, %lld warmup steps), seed %llu, "
                "%d thread%s\n",
                static_cast<long long>(settings_.steps), static_cast<long long>(batchShape[0]),
                static_cast<long long>(batchShape[1]), settings_.schedule.peak, settings_.schedule.floor,
                decayKindName(settings_.schedule.decay), static_cast<long long>(settings_.schedule.warmupSteps),
                static_cast<unsigned long long>(settings_.seed), session_.threadPool().threadCount(),
                session_.threadPool().threadCount() == 1 ? "" : "s");

    if (startStep == 0) {
      ValidationResult validation = objective_->validate();
      std::printf("step %lld | %s\n", 0LL, validation.summary.c_str());
      if (log)
        log->write({0, 0, std::nullopt, std::nullopt, validation.loss, 0, std::nullopt, 0.0, validation.metrics});
    }
    Clock::time_point start = Clock::now();
    double trainingSeconds = 0, intervalSeconds = 0, intervalLoss = 0;
    int64_t intervalSteps = 0;
    for (int64_t step = startStep + 1; step <= settings_.steps; ++step) {
      int64_t epoch = 0;
      TensorMap inputs = objective_->trainingBatch(step, epoch);
      double learningRate = settings_.schedule.at(step);
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
      std::vector<Tensor> outputs = session_.run("train_step", std::move(inputs), options_.dataPath);
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
      std::optional<ValidationResult> validation;
      if (validate)
        validation = objective_->validate();
      double tokensPerSecond = static_cast<double>(tokensPerStep) / stepSeconds;
      if (log)
        log->write({step, epoch, learningRate, loss,
                    validation ? std::optional<double>(validation->loss) : std::nullopt, step * tokensPerStep,
                    tokensPerSecond, secondsSince(start),
                    validation ? validation->metrics : std::vector<double>{}});
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
        std::printf("step %lld | %s\n", static_cast<long long>(step), validation->summary.c_str());
      if (!options_.outputDirectory.empty() && (step % checkpointEvery == 0 || step == settings_.steps))
        saveCheckpoint(step, epoch, corpusIdentity, validation ? std::optional<double>(validation->loss) : std::nullopt);
      std::fflush(stdout);
    }
    objective_->finish();
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
    objective_->saveTokenizer(writer.path(""));
    json state = {{"format", kStateFormat},
                  {"version", 1},
                  {"step", step},
                  {"epoch", epoch},
                  {"settings", settingsJson(settings_)},
                  {"objective", objective_->settings()},
                  {"data", corpusIdentity},
                  {"artifact", options_.artifactPath}};
    if (validation)
      state["validation_loss"] = *validation;
    writer.commit(state.dump());
    pruneCheckpoints(options_.outputDirectory, std::max(options_.keepCheckpoints, 1));
    std::printf("saved %s\n", directory.c_str());
  }

  const PretrainOptions &options_;
  Session session_;
  std::unique_ptr<PretrainingObjective> objective_;
  RunSettings settings_{};
  const artifact::Entry *trainStep_ = nullptr;
  std::string checkpointPath_;
};

} // namespace

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

TokenInput tokenInputOf(const ArtifactReader &artifact, const artifact::Entry &entry) {
  const artifact::TensorDesc *ids = findInput(entry, "input_ids");
  std::vector<int64_t> shape = ids ? shapeOf(*ids) : std::vector<int64_t>{};
  if (!ids || shape.size() != 2 || ids->value_bound() <= 0)
    throw Error(artifact.path(), "entry '" + entry.name()->str() + "' has no input_ids [batch, seq] with a vocabulary bound");
  return {shape[0], shape[1], ids->value_bound()};
}

std::unique_ptr<PretrainingObjective> makeObjective(const PretrainOptions &options, Session &session) {
  const artifact::Entry &trainStep = session.artifactReader().entry("train_step");
  if (findInput(trainStep, "next_sentence_label") || findInput(trainStep, "token_type_ids"))
    return makeMaskedLmObjective(options, session);
  return makeCausalLmObjective(options, session);
}

void pretrain(const PretrainOptions &options) { Pretraining(options).run(); }

} // namespace ptm::loops
