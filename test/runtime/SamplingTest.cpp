// Random (SplitMix64, deriveSeed) and sampleToken.
#include "runtime/loops/Random.h"
#include "runtime/loops/Sampling.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <vector>

namespace ptm::test {
namespace {

using loops::Random;
using loops::SamplingOptions;

// --- Random -----------------------------------------------------------------

TEST(RandomTest, IsSplitMix64) {
  // The reference SplitMix64 outputs for seed 0 (Steele, Lea, Flood 2014;
  // the seeding generator of xoshiro): the same on every platform.
  Random random(0);
  EXPECT_EQ(random.next(), 0xe220a8397b1dcdafull);
  EXPECT_EQ(random.next(), 0x6e789e6aa1b965f4ull);
  EXPECT_EQ(random.next(), 0x06c45d188009454full);
}

TEST(RandomTest, SameSeedSameSequenceOtherSeedOtherSequence) {
  Random a(1234), b(1234), c(1235);
  int differing = 0;
  for (int i = 0; i < 100; ++i) {
    uint64_t x = a.next();
    EXPECT_EQ(x, b.next());
    differing += x != c.next();
  }
  EXPECT_EQ(differing, 100);
}

TEST(RandomTest, BelowStaysInRange) {
  Random random(7);
  for (uint64_t bound : {1ull, 2ull, 3ull, 7ull, 10ull, 1000ull, (1ull << 63) + 1, ~0ull}) {
    uint64_t largest = 0;
    for (int i = 0; i < 2000; ++i) {
      uint64_t value = random.below(bound);
      ASSERT_LT(value, bound) << "bound " << bound;
      largest = std::max(largest, value);
    }
    if (bound == 1)
      EXPECT_EQ(largest, 0u);
    else if (bound >= 3)
      EXPECT_GT(largest, bound / 2) << "bound " << bound; // the upper half is reached
  }
}

TEST(RandomTest, BelowIsRoughlyUniform) {
  for (uint64_t bound : {2ull, 6ull, 10ull, 17ull}) {
    Random random(99 + bound);
    const int draws = 20000;
    std::vector<int> counts(bound, 0);
    for (int i = 0; i < draws; ++i)
      ++counts[random.below(bound)];
    double expected = static_cast<double>(draws) / static_cast<double>(bound);
    double chiSquare = 0;
    for (int count : counts)
      chiSquare += (count - expected) * (count - expected) / expected;
    // Degrees of freedom bound - 1 <= 16; 60 is far in the tail (p < 1e-6).
    EXPECT_LT(chiSquare, 60.0) << "bound " << bound;
  }
}

TEST(RandomTest, BelowHasNoModuloBiasOnAHugeBound) {
  // With bound = 3 * 2^62, next() % bound would put half the draws below 2^62
  // (the lowest third); unbiased, a third of them are.
  Random random(5);
  uint64_t bound = 3ull << 62;
  int low = 0;
  const int draws = 30000;
  for (int i = 0; i < draws; ++i)
    low += random.below(bound) < (1ull << 62);
  EXPECT_NEAR(static_cast<double>(low) / draws, 1.0 / 3, 0.02);
}

TEST(RandomTest, UniformIsInUnitIntervalAndFlat) {
  Random random(2024);
  const int draws = 50000;
  double total = 0, smallest = 1, largest = 0;
  std::vector<int> buckets(10, 0);
  for (int i = 0; i < draws; ++i) {
    double value = random.uniform();
    ASSERT_GE(value, 0.0);
    ASSERT_LT(value, 1.0);
    total += value;
    smallest = std::min(smallest, value);
    largest = std::max(largest, value);
    ++buckets[static_cast<size_t>(value * 10)];
  }
  EXPECT_NEAR(total / draws, 0.5, 0.01);
  EXPECT_LT(smallest, 0.001);
  EXPECT_GT(largest, 0.999);
  for (int count : buckets)
    EXPECT_NEAR(count, draws / 10, 300);
}

TEST(RandomTest, DeriveSeedIsDeterministicAndDistinctAcrossStreamsPositionsAndSeeds) {
  EXPECT_EQ(loops::deriveSeed(42, 1, 7), loops::deriveSeed(42, 1, 7));
  std::set<uint64_t> seen;
  for (uint64_t seed : {0ull, 1ull, 42ull})
    for (uint64_t stream = 0; stream < 20; ++stream)
      for (uint64_t position = 0; position < 50; ++position)
        seen.insert(loops::deriveSeed(seed, stream, position));
  EXPECT_EQ(seen.size(), 3u * 20 * 50);

  // Generators from neighbouring positions give unrelated sequences.
  Random a(loops::deriveSeed(42, 1, 0)), b(loops::deriveSeed(42, 1, 1));
  int equal = 0;
  for (int i = 0; i < 100; ++i)
    equal += a.below(10) == b.below(10);
  EXPECT_LT(equal, 25); // about 10 expected
}

// --- sampleToken --------------------------------------------------------------

std::vector<int> frequencies(const std::vector<float> &logits, const SamplingOptions &options, int draws,
                             uint64_t seed = 1) {
  Random random(seed);
  std::vector<int> counts(logits.size(), 0);
  for (int i = 0; i < draws; ++i) {
    int32_t token = loops::sampleToken(logits.data(), static_cast<int64_t>(logits.size()), options, random);
    EXPECT_GE(token, 0);
    EXPECT_LT(token, static_cast<int32_t>(logits.size()));
    if (token >= 0 && token < static_cast<int32_t>(logits.size()))
      ++counts[static_cast<size_t>(token)];
  }
  return counts;
}

std::vector<double> softmax(const std::vector<float> &logits, double temperature) {
  double largest = -std::numeric_limits<double>::infinity();
  for (float logit : logits)
    largest = std::max(largest, logit / temperature);
  std::vector<double> result;
  double total = 0;
  for (float logit : logits) {
    result.push_back(std::exp(logit / temperature - largest));
    total += result.back();
  }
  for (double &p : result)
    p /= total;
  return result;
}

TEST(SamplingTest, TemperatureZeroIsArgmaxWithTiesToTheLowestId) {
  std::vector<float> logits = {1.0f, 3.0f, -2.0f, 3.0f, 2.5f};
  Random random(3);
  SamplingOptions greedy;
  greedy.temperature = 0;
  greedy.topK = 3; // ignored when greedy
  greedy.topP = 0.1;
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(loops::sampleToken(logits.data(), 5, greedy, random), 1);
  std::vector<float> peak = {0.0f, 0.0f, 0.0f, 0.0f, 9.0f};
  EXPECT_EQ(loops::sampleToken(peak.data(), 5, greedy, random), 4);
  std::vector<float> flat(7, -1.5f);
  EXPECT_EQ(loops::sampleToken(flat.data(), 7, greedy, random), 0);
  greedy.temperature = -1; // negative: greedy too
  EXPECT_EQ(loops::sampleToken(logits.data(), 5, greedy, random), 1);
}

TEST(SamplingTest, TopKOneIsArgmax) {
  SamplingOptions options;
  options.temperature = 5.0; // very flat, yet only one candidate survives
  options.topK = 1;
  std::vector<int> counts = frequencies({1.0f, 3.0f, -2.0f, 3.0f, 2.9f}, options, 300);
  EXPECT_EQ(counts, (std::vector<int>{0, 300, 0, 0, 0}));
}

TEST(SamplingTest, TopKRestrictsToTheKBestAndRenormalizes) {
  std::vector<float> logits = {0.0f, 5.0f, 1.0f, 4.0f, 2.0f, 4.5f};
  SamplingOptions options;
  options.temperature = 1.0;
  options.topK = 3;
  const int draws = 6000;
  std::vector<int> counts = frequencies(logits, options, draws);
  EXPECT_EQ(counts[0] + counts[2] + counts[4], 0);
  // The survivors 1, 5, 3 in proportion softmax(5, 4.5, 4).
  std::vector<double> expected = softmax({5.0f, 4.5f, 4.0f}, 1.0);
  EXPECT_NEAR(counts[1] / double(draws), expected[0], 0.03);
  EXPECT_NEAR(counts[5] / double(draws), expected[1], 0.03);
  EXPECT_NEAR(counts[3] / double(draws), expected[2], 0.03);

  // top-k at or above the vocabulary size filters nothing.
  options.topK = 6;
  std::vector<int> all = frequencies(logits, options, draws);
  EXPECT_GT(all[0], 0);
  options.topK = 60;
  EXPECT_EQ(frequencies(logits, options, draws), all);
}

TEST(SamplingTest, TopPKeepsTheSmallestNucleus) {
  // Probabilities 0.3, 0.2, 0.5 (ids 0, 1, 2).
  std::vector<float> logits = {std::log(0.3f), std::log(0.2f), std::log(0.5f)};
  SamplingOptions options;
  options.topP = 0.6; // 0.5 < 0.6 <= 0.5 + 0.3: ids 2 and 0
  const int draws = 5000;
  std::vector<int> counts = frequencies(logits, options, draws);
  EXPECT_EQ(counts[1], 0);
  EXPECT_NEAR(counts[2] / double(draws), 0.5 / 0.8, 0.03);
  EXPECT_NEAR(counts[0] / double(draws), 0.3 / 0.8, 0.03);

  options.topP = 0.4; // the top token alone holds enough mass
  EXPECT_EQ(frequencies(logits, options, 500), (std::vector<int>{0, 0, 500}));
  options.topP = 0.0; // degenerate: still one token
  EXPECT_EQ(frequencies(logits, options, 500), (std::vector<int>{0, 0, 500}));

  options.topP = 0.9; // all three
  counts = frequencies(logits, options, draws);
  EXPECT_NEAR(counts[1] / double(draws), 0.2, 0.03);
  EXPECT_NEAR(counts[2] / double(draws), 0.5, 0.03);
}

TEST(SamplingTest, TopKThenTopP) {
  // softmax over the top 3 of {4, 3, 2, 1, 0} gives 0.665, 0.245, 0.090: top-p
  // 0.8 then keeps ids 0 and 1 only.
  std::vector<float> logits = {4.0f, 3.0f, 2.0f, 1.0f, 0.0f};
  SamplingOptions options;
  options.topK = 3;
  options.topP = 0.8;
  std::vector<int> counts = frequencies(logits, options, 4000);
  EXPECT_EQ(counts[2] + counts[3] + counts[4], 0);
  EXPECT_NEAR(counts[0] / 4000.0, 1 / (1 + std::exp(-1.0)), 0.03);
}

TEST(SamplingTest, FrequenciesMatchSoftmaxOfLogitsOverTemperature) {
  std::vector<float> logits = {1.0f, 2.0f, 0.5f, -1.0f, 3.0f, 0.0f};
  for (double temperature : {0.7, 1.0, 2.0}) {
    SCOPED_TRACE(temperature);
    SamplingOptions options;
    options.temperature = temperature;
    const int draws = 5000;
    std::vector<int> counts = frequencies(logits, options, draws, 11);
    std::vector<double> expected = softmax(logits, temperature);
    for (size_t i = 0; i < logits.size(); ++i)
      EXPECT_NEAR(counts[i] / double(draws), expected[i], 0.025) << "token " << i;
  }
}

TEST(SamplingTest, MaskedTokensAreNeverDrawnAndHugeLogitsDoNotOverflow) {
  float negativeInfinity = -std::numeric_limits<float>::infinity();
  SamplingOptions options;
  std::vector<int> counts = frequencies({negativeInfinity, 0.0f, negativeInfinity, 0.0f}, options, 2000);
  EXPECT_EQ(counts[0] + counts[2], 0);
  EXPECT_NEAR(counts[1] / 2000.0, 0.5, 0.05);
  EXPECT_EQ(frequencies({1000.0f, 0.0f, -1000.0f}, options, 200), (std::vector<int>{200, 0, 0}));
}

TEST(SamplingTest, SameSeedSameDraws) {
  std::vector<float> logits = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f};
  SamplingOptions options;
  options.temperature = 1.3;
  options.topK = 6;
  options.topP = 0.95;
  auto draw = [&](uint64_t seed) {
    Random random(seed);
    std::vector<int32_t> tokens;
    for (int i = 0; i < 200; ++i)
      tokens.push_back(loops::sampleToken(logits.data(), 8, options, random));
    return tokens;
  };
  EXPECT_EQ(draw(17), draw(17));
  EXPECT_NE(draw(17), draw(18));
}

} // namespace
} // namespace ptm::test
