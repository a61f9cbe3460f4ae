#include "runtime/loops/LearningRate.h"

#include "test/runtime/TestArtifact.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ptm::test {
namespace {

using loops::DecayKind;
using loops::LearningRateSchedule;

LearningRateSchedule schedule(DecayKind decay, int64_t warmup, int64_t total, double peak = 1e-3,
                              double floor = 1e-4) {
  LearningRateSchedule s;
  s.peak = peak;
  s.floor = floor;
  s.warmupSteps = warmup;
  s.totalSteps = total;
  s.decay = decay;
  return s;
}

TEST(LearningRateTest, WarmupIsLinearFromAboveZeroToPeak) {
  for (DecayKind decay : {DecayKind::Cosine, DecayKind::Linear, DecayKind::Constant}) {
    SCOPED_TRACE(loops::decayKindName(decay));
    LearningRateSchedule s = schedule(decay, 10, 110);
    EXPECT_GT(s.at(1), 0.0); // the first step already learns
    EXPECT_DOUBLE_EQ(s.at(1), 1e-4);
    for (int64_t step = 1; step <= 10; ++step)
      EXPECT_DOUBLE_EQ(s.at(step), 1e-3 * static_cast<double>(step) / 10.0) << "step " << step;
    EXPECT_DOUBLE_EQ(s.at(10), 1e-3); // peak exactly at the end of warmup
    // Equal increments: linear.
    EXPECT_NEAR(s.at(7) - s.at(6), s.at(2) - s.at(1), 1e-15);
  }
}

TEST(LearningRateTest, CosineReachesFloorAtTotalStepsAndMidpointHalfway) {
  LearningRateSchedule s = schedule(DecayKind::Cosine, 10, 110);
  EXPECT_DOUBLE_EQ(s.at(110), 1e-4);
  EXPECT_NEAR(s.at(60), (1e-3 + 1e-4) / 2, 1e-15); // halfway through the 100 decay steps
  // A quarter of the way: floor + (peak - floor) * (1 + cos(pi/4)) / 2.
  EXPECT_NEAR(s.at(35), 1e-4 + 9e-4 * 0.5 * (1 + std::sqrt(0.5)), 1e-15);
  // Decreasing through the decay, never below the floor, and clamped past the end.
  for (int64_t step = 11; step <= 110; ++step) {
    EXPECT_LT(s.at(step), s.at(step - 1)) << "step " << step;
    EXPECT_GE(s.at(step), 1e-4) << "step " << step;
  }
  EXPECT_DOUBLE_EQ(s.at(111), 1e-4);
  EXPECT_DOUBLE_EQ(s.at(1000), 1e-4);
}

TEST(LearningRateTest, LinearDecay) {
  LearningRateSchedule s = schedule(DecayKind::Linear, 10, 110);
  EXPECT_DOUBLE_EQ(s.at(10), 1e-3);
  EXPECT_NEAR(s.at(35), 1e-4 + 9e-4 * 0.75, 1e-15);
  EXPECT_NEAR(s.at(60), (1e-3 + 1e-4) / 2, 1e-15);
  EXPECT_NEAR(s.at(85), 1e-4 + 9e-4 * 0.25, 1e-15);
  EXPECT_DOUBLE_EQ(s.at(110), 1e-4);
  EXPECT_DOUBLE_EQ(s.at(500), 1e-4);
  // Equal decrements.
  EXPECT_NEAR(s.at(50) - s.at(51), s.at(90) - s.at(91), 1e-15);
  EXPECT_NEAR(s.at(50) - s.at(51), 9e-6, 1e-15);
}

TEST(LearningRateTest, ConstantStaysAtPeakAfterWarmup) {
  LearningRateSchedule s = schedule(DecayKind::Constant, 4, 100);
  EXPECT_DOUBLE_EQ(s.at(2), 5e-4);
  for (int64_t step : {4, 5, 50, 100, 200})
    EXPECT_DOUBLE_EQ(s.at(step), 1e-3) << "step " << step;
}

TEST(LearningRateTest, NoWarmupStartsAtThePeakDecay) {
  LearningRateSchedule cosine = schedule(DecayKind::Cosine, 0, 100);
  EXPECT_NEAR(cosine.at(1), 1e-4 + 9e-4 * 0.5 * (1 + std::cos(M_PI / 100)), 1e-15);
  EXPECT_LT(cosine.at(1), 1e-3);
  EXPECT_GT(cosine.at(1), 0.99e-3);
  EXPECT_NEAR(cosine.at(50), (1e-3 + 1e-4) / 2, 1e-15);
  EXPECT_DOUBLE_EQ(cosine.at(100), 1e-4);

  LearningRateSchedule linear = schedule(DecayKind::Linear, 0, 100);
  EXPECT_NEAR(linear.at(1), 1e-3 - 9e-6, 1e-15);
  EXPECT_DOUBLE_EQ(linear.at(100), 1e-4);

  LearningRateSchedule constant = schedule(DecayKind::Constant, 0, 100);
  EXPECT_DOUBLE_EQ(constant.at(1), 1e-3);
  EXPECT_DOUBLE_EQ(constant.at(100), 1e-3);
}

TEST(LearningRateTest, WarmupLongerThanTheRunHoldsThePeakAfterwards) {
  LearningRateSchedule s = schedule(DecayKind::Cosine, 20, 10);
  EXPECT_DOUBLE_EQ(s.at(10), 5e-4);
  EXPECT_DOUBLE_EQ(s.at(20), 1e-3);
  EXPECT_DOUBLE_EQ(s.at(21), 1e-3);
}

TEST(LearningRateTest, ParseDecayKindRoundTripsEveryName) {
  for (DecayKind kind : {DecayKind::Cosine, DecayKind::Linear, DecayKind::Constant})
    EXPECT_EQ(loops::parseDecayKind(loops::decayKindName(kind), "--lr-schedule"), kind);
  EXPECT_EQ(loops::parseDecayKind("cosine", "--lr-schedule"), DecayKind::Cosine);
  EXPECT_EQ(loops::parseDecayKind("linear", "--lr-schedule"), DecayKind::Linear);
  EXPECT_EQ(loops::parseDecayKind("constant", "--lr-schedule"), DecayKind::Constant);
  EXPECT_STREQ(loops::decayKindName(DecayKind::Linear), "linear");
}

TEST(LearningRateTest, ParseDecayKindErrorsNameTheFlag) {
  expectError([] { loops::parseDecayKind("cos", "--lr-schedule"); }, "--lr-schedule",
              {"'cos'", "cosine", "linear", "constant"});
  expectError([] { loops::parseDecayKind("", "--decay"); }, "--decay", {"''"});
  expectError([] { loops::parseDecayKind("Cosine", "--lr-schedule"); }, "--lr-schedule", {"'Cosine'"});
}

} // namespace
} // namespace ptm::test
