// `ptm-run plot`: turns the CSV log that training writes into a PNG chart of
// the loss curves (train_loss as a line, val_loss as a line with dots) over the
// step, with nice 1-2-5 ticks, grid, legend, axis labels and a title.
//
// The CSV has a header of column names and one row per logged step, e.g.
//   step,epoch,lr,train_loss,val_loss,val_perplexity,tokens,tokens_per_second,elapsed_seconds
//   1,0,0.0000300,7.621,,,2048,1520.3,1.35
// Columns are found by name, so their order and any extra columns do not
// matter; `step` and at least one of `train_loss` / `val_loss` are required. A
// field may be empty (not measured at that step). Fields are plain numbers:
// quoting is not supported because the training loop never writes it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ptm::plot {

struct LossPoint {
  double step;
  double loss;
};

// The loss columns of a training log.
struct TrainingLog {
  bool hasTrainLoss = false;
  bool hasValLoss = false;
  // The finite measurements in file order; empty fields are left out.
  std::vector<LossPoint> train;
  std::vector<LossPoint> validation;
  // Loss fields that held nan or inf (a diverged run), left out of the vectors
  // above.
  size_t nonFiniteLosses = 0;
  size_t rows = 0;
};

// Throws ptm::Error naming `csvPath` (and the line, where one is at fault) when
// the file is missing or unreadable, empty, has no header, lacks the step column
// or both loss columns, has a row whose field count differs from the header's,
// a field that is not a number, no data rows, or not one finite loss.
TrainingLog readTrainingLog(const std::string &csvPath);

struct LossPlotOptions {
  int width = 960;
  int height = 540;
  std::string title; // empty: the CSV file's name
  // A logarithmic loss axis; losses <= 0 cannot be shown on it and are skipped.
  bool logScale = false;
};

// Reads `csvPath` (errors as readTrainingLog) and writes the chart to `pngPath`
// atomically. Points that cannot be drawn (nan/inf, or <= 0 on a log scale) are
// skipped and counted in a note under the legend. Throws ptm::Error naming
// `pngPath` when the size is outside 240x160 .. 16384x16384 or the file cannot
// be written.
void plotTrainingLog(const std::string &csvPath, const std::string &pngPath, const LossPlotOptions &options);

// Tick values for an axis over the finite range [low, high]: multiples of 1, 2
// or 5 times a power of ten, about `targetCount` of them (at least 2 when
// low < high), all inside the range. An empty range gets the one tick `low`.
std::vector<double> niceTicks(double low, double high, int targetCount);

} // namespace ptm::plot
