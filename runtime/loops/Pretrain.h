// Pretraining from a text file with a training artifact (ptmc --mode train):
// causal LM for GPT (a byte-level BPE vocabulary trained on the corpus or
// loaded, a seeded shuffled order of token windows, a sample at the end),
// masked LM + next sentence prediction for BERT (a WordPiece vocabulary,
// Google's create_pretraining_data examples, MLM and NSP accuracies, filled
// masks at the end); for both the learning-rate schedule, periodic
// validation, progress lines, a CSV log, checkpoints that Hugging Face loads
// and exact resumption. All model math runs in the artifact's compiled entries.
#pragma once

#include "runtime/loops/LearningRate.h"
#include "runtime/loops/Sampling.h"

#include <cstdint>
#include <optional>
#include <string>

namespace ptm::loops {

// Settings that decide the course of a run. A resumed run takes them from its
// checkpoint; given again on the command line they must agree.
struct PretrainRunSettings {
  std::optional<int64_t> steps;
  std::optional<double> learningRate, minLearningRate;
  std::optional<int64_t> warmupSteps;
  std::optional<std::string> schedule;
  std::optional<uint64_t> seed;
  std::optional<double> validationFraction;
  // BERT's pretraining data (see BertPretrainingData.h).
  std::optional<double> maskedLmProbability, shortSequenceProbability;
  std::optional<int64_t> maxPredictionsPerSequence, dupeFactor;
  std::optional<bool> wholeWordMasking;
  // Lower-casing of a WordPiece vocabulary trained on the corpus.
  std::optional<bool> lowercase;
};

struct PretrainOptions {
  std::string artifactPath;
  std::string dataPath;
  // Empty: the tokenizer of the weights' model directory if it has one, else a
  // vocabulary of the model's size trained on the corpus.
  std::string tokenizerPath;
  std::string weightsPath; // file or model directory; empty: random initialisation from the seed
  std::string resumePath;    // a checkpoint, or a directory of checkpoint-<step>
  std::string outputDirectory; // where checkpoint-<step> directories go; empty: none
  std::string logPath;         // CSV log; empty: none
  PretrainRunSettings run;
  int64_t evalEvery = 100;
  int64_t evalBatches = 8;
  int64_t logEvery = 10;
  int64_t checkpointEvery = 0; // 0: at every validation
  int keepCheckpoints = 3;
  int64_t sampleTokens = 200;
  std::string prompt;
  SamplingOptions sampling{0.8, 40, 1.0};
  int threads = 0;
};

// Runs the whole loop; throws ptm::Error on bad input of any kind.
void pretrain(const PretrainOptions &options);

} // namespace ptm::loops
