#include "runtime/loops/TrainingLog.h"

#include "test/runtime/TestArtifact.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

namespace ptm::test {
namespace {

using loops::TrainingLog;
using loops::TrainingLogRow;

constexpr const char *kHeader =
    "step,epoch,lr,train_loss,val_loss,val_perplexity,tokens,tokens_per_second,elapsed_seconds";

std::vector<std::string> lines(const std::string &path) {
  std::ifstream stream(path);
  std::vector<std::string> result;
  std::string line;
  while (std::getline(stream, line))
    result.push_back(line);
  return result;
}

std::string text(const std::string &path) {
  std::ifstream stream(path);
  std::stringstream buffer;
  buffer << stream.rdbuf();
  return buffer.str();
}

TrainingLogRow trainingRow(int64_t step) {
  TrainingLogRow row;
  row.step = step;
  row.epoch = step / 4;
  row.learningRate = 1e-3;
  row.trainLoss = 5.0 - 0.25 * static_cast<double>(step);
  row.tokens = step * 512;
  row.tokensPerSecond = 1000.0;
  row.elapsedSeconds = static_cast<double>(step);
  return row;
}

TEST(TrainingLogTest, WritesTheHeaderAndOneRowPerStep) {
  ScratchDirectory scratch;
  std::string path = scratch.path("log.csv");
  TrainingLog log(path, std::nullopt);
  EXPECT_EQ(lines(path), std::vector<std::string>{kHeader});

  TrainingLogRow row;
  row.step = 12;
  row.epoch = 1;
  row.learningRate = 6e-4;
  row.trainLoss = 3.25;
  row.validationLoss = 2.5;
  row.tokens = 6144;
  row.tokensPerSecond = 1234.56;
  row.elapsedSeconds = 7.5;
  log.write(row);
  // Flushed at once: a killed run's log is complete.
  EXPECT_EQ(text(path), std::string(kHeader) + "\n12,1,0.0006,3.25,2.5,12.1825,6144,1234.6,7.500\n");
  EXPECT_EQ(scratch.fileNames(), std::vector<std::string>{"log.csv"}); // no temporary file left
}

TEST(TrainingLogTest, ObjectiveMetricsAreExtraColumns) {
  ScratchDirectory scratch;
  std::string path = scratch.path("log.csv");
  {
    TrainingLog log(path, std::nullopt, {"val_mlm_accuracy", "val_nsp_accuracy"});
    log.write({0, 0, std::nullopt, std::nullopt, 7.0, 0, std::nullopt, 0.0, {0.125, 0.5}});
    log.write({1, 0, 1e-4, 6.5, std::nullopt, 64, 100.0, 0.5, {}});
  }
  std::vector<std::string> written = lines(path);
  ASSERT_EQ(written.size(), 3u);
  EXPECT_EQ(written[0], "step,epoch,lr,train_loss,val_loss,val_perplexity,tokens,tokens_per_second,elapsed_seconds,"
                        "val_mlm_accuracy,val_nsp_accuracy");
  EXPECT_EQ(written[1], "0,0,,,7,1096.63,0,,0.000,0.125,0.5");
  EXPECT_EQ(written[2], "1,0,0.0001,6.5,,,64,100.0,0.500,,");
}

TEST(TrainingLogTest, MissingValuesAreEmptyFields) {
  ScratchDirectory scratch;
  std::string path = scratch.path("log.csv");
  {
    TrainingLog log(path, std::nullopt);
    // The validation before training: no rate, no train loss, no throughput.
    log.write({0, 0, std::nullopt, std::nullopt, std::log(50.0), 0, std::nullopt, 0.0, {}});
    // A step without validation.
    log.write({1, 0, 1e-4, 3.9, std::nullopt, 128, 250.0, 0.5, {}});
  }
  std::vector<std::string> written = lines(path);
  ASSERT_EQ(written.size(), 3u);
  EXPECT_EQ(written[1], "0,0,,,3.91202301,50,0,,0.000");
  EXPECT_EQ(written[2], "1,0,0.0001,3.9,,,128,250.0,0.500");
  for (const std::string &line : written)
    EXPECT_EQ(std::count(line.begin(), line.end(), ','), 8) << line; // nine fields on every line
}

TEST(TrainingLogTest, ResumeKeepsRowsUpToTheStepDropsLaterOnesThenAppends) {
  ScratchDirectory scratch;
  std::string path = scratch.path("log.csv");
  {
    TrainingLog log(path, std::nullopt);
    for (int64_t step = 0; step <= 7; ++step)
      log.write(trainingRow(step));
  }
  std::vector<std::string> before = lines(path);
  ASSERT_EQ(before.size(), 9u);

  {
    TrainingLog resumed(path, 4); // the checkpoint was at step 4; steps 5..7 are redone
    EXPECT_EQ(lines(path), std::vector<std::string>(before.begin(), before.begin() + 6));
    TrainingLogRow redo = trainingRow(5);
    redo.trainLoss = 9.5; // the redone step differs from the dropped row
    resumed.write(redo);
  }
  std::vector<std::string> after = lines(path);
  ASSERT_EQ(after.size(), 7u);
  EXPECT_EQ(after[0], kHeader);
  EXPECT_EQ(std::vector<std::string>(after.begin(), after.begin() + 6),
            std::vector<std::string>(before.begin(), before.begin() + 6));
  EXPECT_EQ(after[6].rfind("5,1,0.001,9.5,", 0), 0u) << after[6];
  EXPECT_EQ(scratch.fileNames(), std::vector<std::string>{"log.csv"});
}

TEST(TrainingLogTest, ResumeKeepsStepsAboveNineByNumber) {
  // Rows are compared by step number, not as text ("10" > "9").
  ScratchDirectory scratch;
  std::string path = scratch.path("log.csv");
  {
    TrainingLog log(path, std::nullopt);
    for (int64_t step : {8, 9, 10, 11, 100})
      log.write(trainingRow(step));
  }
  TrainingLog resumed(path, 10);
  std::vector<std::string> kept = lines(path);
  ASSERT_EQ(kept.size(), 4u);
  EXPECT_EQ(kept[3].rfind("10,", 0), 0u);
}

TEST(TrainingLogTest, ResumeWithoutAnExistingLogStartsOne) {
  ScratchDirectory scratch;
  std::string path = scratch.path("log.csv");
  TrainingLog log(path, 30);
  log.write(trainingRow(31));
  std::vector<std::string> written = lines(path);
  ASSERT_EQ(written.size(), 2u);
  EXPECT_EQ(written[0], kHeader);
  EXPECT_EQ(written[1].rfind("31,", 0), 0u);
}

TEST(TrainingLogTest, ANewLogReplacesAnOldOne) {
  ScratchDirectory scratch;
  std::string path = scratch.path("log.csv");
  {
    TrainingLog log(path, std::nullopt);
    log.write(trainingRow(1));
    log.write(trainingRow(2));
  }
  TrainingLog fresh(path, std::nullopt);
  EXPECT_EQ(lines(path), std::vector<std::string>{kHeader});
}

TEST(TrainingLogTest, AnUnwritableLogIsAnErrorNamingIt) {
  ScratchDirectory scratch;
  std::string path = scratch.path("no-such-directory/log.csv");
  expectError([&] { TrainingLog log(path, std::nullopt); }, path, {});
}

} // namespace
} // namespace ptm::test
