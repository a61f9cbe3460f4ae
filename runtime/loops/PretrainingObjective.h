// What the pretraining loop (Pretrain.cpp) leaves to the objective it trains:
// reading the corpus, the tokenizer, the batches of each step, what
// validation measures, the tokenizer files of a checkpoint and what is shown
// at the end. Causal LM (GPT) and masked LM + next sentence (BERT) are the two
// objectives; the loop itself (schedule, progress, log, checkpoints, exact
// resumption) is the same for both.
#pragma once

#include "runtime/Session.h"
#include "runtime/loops/LearningRate.h"
#include "runtime/loops/Pretrain.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ptm::loops {

// The run's fixed settings, resolved from the options or the checkpoint.
struct RunSettings {
  int64_t steps;
  LearningRateSchedule schedule;
  uint64_t seed;
  double validationFraction;
};

struct ValidationResult {
  double loss; // the artifact's loss (the log's val_loss)
  // Further measurements, in the order of the objective's metricNames().
  std::vector<double> metrics;
  // The progress line's text after the step: "val loss ... | ...".
  std::string summary;
};

class PretrainingObjective {
public:
  virtual ~PretrainingObjective() = default;

  // Reads and checks the corpus. Returns what identifies it in checkpoints
  // (compared on resume).
  virtual nlohmann::json readCorpus() = 0;
  // The objective's own settings, stored in checkpoints. A resumed run takes
  // the stored ones (before prepare); a flag given again must agree.
  virtual nlohmann::json settings() const = 0;
  virtual void resumeSettings(const nlohmann::json &stored, const std::string &checkpoint) = 0;
  // Tokenizer, training data and validation data; `checkpoint` is the
  // resumed checkpoint or empty. Prints what the run trains on.
  virtual void prepare(const RunSettings &settings, const std::string &checkpoint) = 0;

  virtual int64_t tokensPerStep() const = 0;
  // The train_step inputs of `step` (1-based) other than the schedule's, and
  // the epoch they belong to. Steps are asked for in order, starting after
  // the resumed one.
  virtual TensorMap trainingBatch(int64_t step, int64_t &epoch) = 0;
  virtual std::vector<std::string> metricNames() const = 0;
  virtual ValidationResult validate() = 0;
  // Writes the tokenizer files into a checkpoint directory.
  virtual void saveTokenizer(const std::string &directory) const = 0;
  // Shows what the trained model does (a sample, filled-in masks).
  virtual void finish() = 0;
};

// The objective that `session`'s artifact trains: masked LM + next sentence
// when its train_step takes next_sentence_label or token_type_ids (BERT),
// else causal LM.
std::unique_ptr<PretrainingObjective> makeObjective(const PretrainOptions &options, Session &session);

std::unique_ptr<PretrainingObjective> makeCausalLmObjective(const PretrainOptions &options, Session &session);
std::unique_ptr<PretrainingObjective> makeMaskedLmObjective(const PretrainOptions &options, Session &session);

// Shared by the objectives.
using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point start);

// Shape [rows, length] and vocabulary bound of an entry's input_ids.
struct TokenInput {
  int64_t rows, length, vocabulary;
};
TokenInput tokenInputOf(const ArtifactReader &artifact, const artifact::Entry &entry);

// Streams of derived seeds (see deriveSeed), one per use of randomness.
constexpr uint64_t kDropoutStream = 2;
constexpr uint64_t kSampleStream = 3;
constexpr uint64_t kMaskedDataStream = 5;
constexpr uint64_t kValidationDataStream = 6;

} // namespace ptm::loops
