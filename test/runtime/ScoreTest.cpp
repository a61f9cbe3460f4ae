#include "runtime/loops/Classify.h"
#include "runtime/loops/Score.h"

#include "runtime/Error.h"

#include <gtest/gtest.h>

#include <vector>

namespace {

using ptm::loops::ScoreWindow;

// Every window fits T tokens, scores only tokens after its start, and the
// windows together score each token of [first, length) exactly once, with at
// least T/2 tokens of context after the first window.
TEST(ScoreWindows, ScoreEachTokenOnceWithinTheSequenceLength) {
  for (int64_t seq : {2, 3, 4, 7, 32}) {
    for (int64_t length = 1; length <= 100; ++length) {
      for (int64_t first = 1; first <= length; ++first) {
        std::vector<ScoreWindow> windows = ptm::loops::scoreWindows(length, first, seq);
        std::vector<int> scored(static_cast<size_t>(length), 0);
        for (size_t w = 0; w < windows.size(); ++w) {
          const ScoreWindow &window = windows[w];
          ASSERT_GE(window.start, 0);
          ASSERT_LE(window.end - window.start, seq);
          ASSERT_LT(window.start, window.scoredFrom);
          ASSERT_LE(window.end, length);
          if (w > 0)
            ASSERT_GE(window.scoredFrom - window.start, seq - seq / 2);
          for (int64_t i = window.scoredFrom; i < window.end; ++i)
            ++scored[static_cast<size_t>(i)];
        }
        for (int64_t i = 0; i < length; ++i)
          ASSERT_EQ(scored[static_cast<size_t>(i)], i >= first ? 1 : 0)
              << "seq " << seq << ", length " << length << ", first " << first << ", token " << i;
      }
    }
  }
}

TEST(ScoreWindows, ShortSequenceIsOneWindowAndLongContextIsCutOnTheLeft) {
  std::vector<ScoreWindow> one = ptm::loops::scoreWindows(10, 1, 32);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].start, 0);
  EXPECT_EQ(one[0].scoredFrom, 1);
  EXPECT_EQ(one[0].end, 10);
  // A 2-token continuation after 100 tokens of context: the last 32 tokens.
  std::vector<ScoreWindow> cut = ptm::loops::scoreWindows(102, 100, 32);
  ASSERT_EQ(cut.size(), 1u);
  EXPECT_EQ(cut[0].start, 70);
  EXPECT_EQ(cut[0].end, 102);
}

TEST(PromptTemplate, EscapesBecomeCharacters) {
  EXPECT_EQ(ptm::loops::parsePromptTemplate("Review: {text}\\nSentiment:"), "Review: {text}\nSentiment:");
  EXPECT_EQ(ptm::loops::parsePromptTemplate("{text}\\t\\\\n"), "{text}\t\\n");
  EXPECT_THROW(ptm::loops::parsePromptTemplate("Review:\\n"), ptm::Error);
}

TEST(FewShotPrompt, DemonstrationsComeFirstWithTheirLabels) {
  ptm::loops::ClassifyOptions options;
  options.labelNames = {"negative", "positive"};
  options.promptTemplate = "Review: {text}\nSentiment:";
  std::vector<ptm::loops::LabeledText> shots = {{"dull", 0}, {"great", 1}};
  EXPECT_EQ(ptm::loops::fewShotPrompt(options, shots, {1, 0}, {"fine", 1}),
            "Review: great\nSentiment: positive\n\nReview: dull\nSentiment: negative\n\nReview: fine\nSentiment:");
}

} // namespace
