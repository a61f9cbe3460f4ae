#include "runtime/loops/TrainingLog.h"

#include "runtime/AtomicFile.h"
#include "runtime/Error.h"

#include <cmath>
#include <cstring>
#include <sstream>
#include <vector>

namespace ptm::loops {
namespace {

constexpr const char *kHeader =
    "step,epoch,lr,train_loss,val_loss,val_perplexity,tokens,tokens_per_second,elapsed_seconds";

std::string field(const std::optional<double> &value, const char *format) {
  if (!value)
    return "";
  char text[64];
  std::snprintf(text, sizeof text, format, *value);
  return text;
}

} // namespace

TrainingLog::TrainingLog(std::string path, std::optional<int64_t> resumeAfterStep, std::vector<std::string> metricNames)
    : path_(std::move(path)), metricNames_(std::move(metricNames)) {
  std::vector<std::string> kept;
  if (resumeAfterStep) {
    std::ifstream existing(path_);
    std::string line;
    bool header = true;
    while (std::getline(existing, line)) {
      if (header) {
        header = false;
        continue;
      }
      if (line.empty())
        continue;
      long step = std::strtol(line.c_str(), nullptr, 10);
      if (step <= *resumeAfterStep)
        kept.push_back(line);
    }
  }
  writeFileAtomically(path_, [&](std::ostream &stream) {
    stream << kHeader;
    for (const std::string &name : metricNames_)
      stream << "," << name;
    stream << "\n";
    for (const std::string &line : kept)
      stream << line << "\n";
  });
  stream_.open(path_, std::ios::app);
  if (!stream_)
    throw Error(path_, std::string("cannot open the log for writing: ") + std::strerror(errno));
}

void TrainingLog::write(const TrainingLogRow &row) {
  std::optional<double> perplexity;
  if (row.validationLoss)
    perplexity = std::exp(*row.validationLoss);
  stream_ << row.step << "," << row.epoch << "," << field(row.learningRate, "%.9g") << ","
          << field(row.trainLoss, "%.9g") << "," << field(row.validationLoss, "%.9g") << ","
          << field(perplexity, "%.6g") << "," << row.tokens << "," << field(row.tokensPerSecond, "%.1f") << ","
          << field(row.elapsedSeconds, "%.3f");
  for (size_t i = 0; i < metricNames_.size(); ++i)
    stream_ << "," << (i < row.metrics.size() ? field(row.metrics[i], "%.9g") : "");
  stream_ << "\n";
  stream_.flush();
  if (!stream_)
    throw Error(path_, "cannot write to the log (disk full?)");
}

} // namespace ptm::loops
