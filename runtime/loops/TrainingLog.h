// The CSV log of a training run, one row per step, which `ptm-run plot` turns
// into a loss curve:
//   step,epoch,lr,train_loss,val_loss,val_perplexity,tokens,tokens_per_second,elapsed_seconds
// A field is empty where nothing was measured (validation runs every few
// steps; step 0 is the validation before training). Rows are flushed as they
// are written, so a killed run's log is complete up to the step in flight.
#pragma once

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>

namespace ptm::loops {

struct TrainingLogRow {
  int64_t step = 0;
  int64_t epoch = 0;
  std::optional<double> learningRate, trainLoss, validationLoss;
  int64_t tokens = 0;
  std::optional<double> tokensPerSecond;
  double elapsedSeconds = 0;
};

class TrainingLog {
public:
  // Starts a new log at `path`, or, with `resumeAfterStep`, keeps the rows of
  // an existing log up to that step (a resumed run rewrites what came after
  // its checkpoint) and appends from there.
  TrainingLog(std::string path, std::optional<int64_t> resumeAfterStep);

  void write(const TrainingLogRow &row);

private:
  std::string path_;
  std::ofstream stream_;
};

} // namespace ptm::loops
