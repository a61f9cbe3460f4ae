// The CSV log of a training run, one row per step, which `ptm-run plot` turns
// into a loss curve:
//   step,epoch,lr,train_loss,val_loss,val_perplexity,tokens,tokens_per_second,elapsed_seconds
// A field is empty where nothing was measured (validation runs every few
// steps; step 0 is the validation before training). An objective may add
// columns of its own validation measurements after these (BERT's
// val_mlm_accuracy, ...). Rows are flushed as they
// are written, so a killed run's log is complete up to the step in flight.
#pragma once

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace ptm::loops {

struct TrainingLogRow {
  int64_t step = 0;
  int64_t epoch = 0;
  std::optional<double> learningRate, trainLoss, validationLoss;
  int64_t tokens = 0;
  std::optional<double> tokensPerSecond;
  double elapsedSeconds = 0;
  // Values of the extra columns, when validation ran at this step.
  std::vector<double> metrics;
};

class TrainingLog {
public:
  // Starts a new log at `path`, or, with `resumeAfterStep`, keeps the rows of
  // an existing log up to that step (a resumed run rewrites what came after
  // its checkpoint) and appends from there. `metricNames` are the extra
  // columns.
  TrainingLog(std::string path, std::optional<int64_t> resumeAfterStep, std::vector<std::string> metricNames = {});

  void write(const TrainingLogRow &row);

private:
  std::string path_;
  std::vector<std::string> metricNames_;
  std::ofstream stream_;
};

} // namespace ptm::loops
