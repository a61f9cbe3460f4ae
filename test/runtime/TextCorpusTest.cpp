#include "runtime/loops/TextCorpus.h"

#include "test/runtime/TestArtifact.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <numeric>
#include <set>

namespace ptm::test {
namespace {

using loops::ShuffledOrder;
using loops::TokenWindows;

class TextCorpusTest : public ::testing::Test {
protected:
  std::string write(const std::string &bytes, const std::string &name = "corpus.txt") {
    std::string path = scratch.path(name);
    writeFileBytes(path, std::vector<uint8_t>(bytes.begin(), bytes.end()));
    return path;
  }

  // Writes `bytes` and expects readTextCorpus to reject them with `fragments`.
  void expectRejected(const std::string &bytes, const std::vector<std::string> &fragments) {
    std::string path = write(bytes);
    expectError([&] { loops::readTextCorpus(path); }, path, fragments);
  }

  ScratchDirectory scratch;
};

TEST_F(TextCorpusTest, ReadsTextAsIs) {
  std::string text = "first line\nsecond line\r\n\ttabbed  \nno final newline";
  EXPECT_EQ(loops::readTextCorpus(write(text)), text);
}

TEST_F(TextCorpusTest, AcceptsMultiByteUtf8) {
  std::string text = "你好，世界\n"                   // 3-byte CJK
                     "emoji 😀🚀 ok\n"                 // 4-byte
                     "café naïve\n"                     // 2-byte
                     "\xef\xbf\xbf \xf4\x8f\xbf\xbf\n" // U+FFFF and U+10FFFF, the largest code point
                     "\xed\x9f\xbf \xee\x80\x80\n";    // U+D7FF and U+E000 around the surrogates
  EXPECT_EQ(loops::readTextCorpus(write(text)), text);
}

TEST_F(TextCorpusTest, DropsTheByteOrderMark) {
  EXPECT_EQ(loops::readTextCorpus(write("\xef\xbb\xbfhello\n")), "hello\n");
  // Only a leading one: elsewhere U+FEFF is an ordinary character.
  EXPECT_EQ(loops::readTextCorpus(write("a\xef\xbb\xbf")), "a\xef\xbb\xbf");
}

TEST_F(TextCorpusTest, RejectsAMissingFileAndADirectory) {
  std::string missing = scratch.path("absent.txt");
  expectError([&] { loops::readTextCorpus(missing); }, missing, {"cannot open"});
  std::filesystem::create_directory(scratch.path("folder"));
  std::string folder = scratch.path("folder");
  expectError([&] { loops::readTextCorpus(folder); }, folder, {"directory"});
}

TEST_F(TextCorpusTest, RejectsEmptyAndWhitespaceOnlyFiles) {
  expectRejected("", {"empty"});
  expectRejected("\xef\xbb\xbf", {"empty"}); // nothing but a byte-order mark
  expectRejected(" \n\t\r\n  \f\v", {"only whitespace"});
  expectRejected("\xef\xbb\xbf\n\n", {"only whitespace"});
}

TEST_F(TextCorpusTest, RejectsANulByteWithItsOffset) {
  expectRejected(std::string("hello\0world", 11), {"NUL byte", "offset 5"});
  expectRejected(std::string("\0", 1), {"NUL byte", "offset 0"});
  expectRejected(std::string("  \0  ", 5), {"NUL byte", "offset 2"});
}

TEST_F(TextCorpusTest, OffsetsCountTheByteOrderMark) {
  // The offset is the file's, as a hex dump of the file shows it.
  expectRejected(std::string("\xef\xbb\xbf" "ab\0", 6), {"NUL byte", "offset 5"});
  expectRejected("\xef\xbb\xbf" "abc\xff", {"0xff", "offset 6"});
}

TEST_F(TextCorpusTest, RejectsInvalidUtf8WithItsOffset) {
  expectRejected("abc\xff" "def", {"not UTF-8", "0xff", "offset 3"});
  expectRejected("abc\xfe", {"0xfe", "offset 3"});
  expectRejected("\x80" "abc", {"0x80", "offset 0"});             // a lone continuation byte
  expectRejected("ok \xe4\xb8\xad" "\xbf", {"0xbf", "offset 6"}); // a continuation after a complete character
  expectRejected("x\xc3" "a", {"0xc3", "offset 1"});              // a lead byte without its continuation
  expectRejected("x\xe4\xb8" "a", {"0xe4", "offset 1"});
  expectRejected("\xf5\x80\x80\x80", {"0xf5", "offset 0"}); // lead bytes above F4 do not exist
}

TEST_F(TextCorpusTest, RejectsOverlongEncodings) {
  expectRejected("a\xc0\xaf", {"0xc0", "offset 1"});         // '/' in two bytes
  expectRejected("a\xc1\xbf", {"0xc1", "offset 1"});
  expectRejected("ab\xe0\x80\xaf", {"0xe0", "offset 2"});    // in three bytes
  expectRejected("ab\xe0\x9f\xbf", {"0xe0", "offset 2"});    // U+07FF in three bytes
  expectRejected("abc\xf0\x80\x80\xaf", {"0xf0", "offset 3"}); // in four bytes
  expectRejected("abc\xf0\x8f\xbf\xbf", {"0xf0", "offset 3"}); // U+FFFF in four bytes
}

TEST_F(TextCorpusTest, RejectsSurrogatesAndCodePointsAboveTheMaximum) {
  expectRejected("x\xed\xa0\x80y", {"0xed", "offset 1"}); // U+D800
  expectRejected("x\xed\xbf\xbfy", {"0xed", "offset 1"}); // U+DFFF
  expectRejected("x\xf4\x90\x80\x80", {"0xf4", "offset 1"}); // U+110000
}

TEST_F(TextCorpusTest, RejectsAMultiByteCharacterTruncatedAtTheEnd) {
  expectRejected("ab\xe4\xb8", {"0xe4", "offset 2"});
  expectRejected("ab\xf0\x9f\x98", {"0xf0", "offset 2"});
  expectRejected("ab\xc3", {"0xc3", "offset 2"});
}

// --- splitCorpus ----------------------------------------------------------------

TEST(SplitCorpusTest, CutsAtALineBoundaryAndThePartsConcatenateToTheInput) {
  std::string text;
  for (int i = 0; i < 40; ++i)
    text += "line number " + std::to_string(i) + " of the corpus\n";
  for (double fraction : {0.05, 0.1, 0.25, 0.5, 0.9}) {
    SCOPED_TRACE(fraction);
    loops::CorpusSplit split = loops::splitCorpus(text, fraction);
    EXPECT_EQ(std::string(split.train) + std::string(split.validation), text);
    EXPECT_EQ(split.train.data(), text.data()); // views into the input
    ASSERT_FALSE(split.train.empty());
    ASSERT_FALSE(split.validation.empty());
    EXPECT_EQ(split.train.back(), '\n');
    EXPECT_EQ(split.validation.rfind("line number ", 0), 0u); // starts a line
    // Close to the requested fraction: within one line (at most 30 bytes).
    double wanted = static_cast<double>(text.size()) * fraction;
    EXPECT_NEAR(static_cast<double>(split.validation.size()), wanted, 31.0);
    EXPECT_GE(static_cast<double>(split.validation.size()), wanted - 1.5); // the cut moves back (or past a newline right at it)
  }
}

TEST(SplitCorpusTest, NoValidationFractionKeepsEverythingForTraining) {
  std::string text = "a\nb\nc\n";
  loops::CorpusSplit split = loops::splitCorpus(text, 0.0);
  EXPECT_EQ(split.train, text);
  EXPECT_TRUE(split.validation.empty());
}

TEST(SplitCorpusTest, WithoutANewlineTheCutStaysOnACharacterBoundary) {
  // One line of 3-byte characters: no line boundary to cut at, and the cut
  // must not split a character (both parts stay valid UTF-8).
  std::string text;
  for (int i = 0; i < 100; ++i)
    text += "中";
  for (double fraction : {0.123, 0.333, 0.456, 0.5}) { // cuts at bytes 263, 200, 163, 150
    SCOPED_TRACE(fraction);
    loops::CorpusSplit split = loops::splitCorpus(text, fraction);
    EXPECT_EQ(std::string(split.train) + std::string(split.validation), text);
    EXPECT_EQ(split.train.size() % 3, 0u);
    EXPECT_FALSE(split.validation.empty());
  }
}

// --- TokenWindows ---------------------------------------------------------------

TEST(TokenWindowsTest, NonOverlappingWindowsDropTheTail) {
  std::vector<int32_t> tokens(11);
  std::iota(tokens.begin(), tokens.end(), 100);
  TokenWindows windows(tokens, 3);
  EXPECT_EQ(windows.count(), 3);
  EXPECT_EQ(windows.length(), 3);
  EXPECT_EQ(windows.tokens(), std::vector<int32_t>(tokens.begin(), tokens.begin() + 9));
  for (int64_t w = 0; w < 3; ++w)
    for (int64_t k = 0; k < 3; ++k)
      EXPECT_EQ(windows.window(w)[k], 100 + 3 * w + k);

  TokenWindows exact(std::vector<int32_t>(8, 1), 4);
  EXPECT_EQ(exact.count(), 2);
  EXPECT_EQ(exact.tokens().size(), 8u);
  TokenWindows tooShort(std::vector<int32_t>(3, 1), 4);
  EXPECT_EQ(tooShort.count(), 0);
  EXPECT_TRUE(tooShort.tokens().empty());
}

// --- ShuffledOrder --------------------------------------------------------------

std::vector<int64_t> epochOrder(ShuffledOrder &order, int64_t windows, int64_t epoch) {
  std::vector<int64_t> result;
  for (int64_t i = 0; i < windows; ++i)
    result.push_back(order.window(epoch * windows + i));
  return result;
}

TEST(ShuffledOrderTest, EachEpochVisitsEveryWindowOnce) {
  const int64_t windows = 37;
  ShuffledOrder order(windows, 7);
  std::vector<int64_t> identity(windows);
  std::iota(identity.begin(), identity.end(), 0);
  for (int64_t epoch = 0; epoch < 4; ++epoch) {
    std::vector<int64_t> visited = epochOrder(order, windows, epoch);
    EXPECT_NE(visited, identity) << "epoch " << epoch << " is not shuffled";
    std::sort(visited.begin(), visited.end());
    EXPECT_EQ(visited, identity) << "epoch " << epoch;
  }
  EXPECT_EQ(order.epochOf(0), 0);
  EXPECT_EQ(order.epochOf(36), 0);
  EXPECT_EQ(order.epochOf(37), 1);
  EXPECT_EQ(order.epochOf(3 * 37 + 5), 3);
}

TEST(ShuffledOrderTest, OrderDiffersBetweenEpochsAndSeeds) {
  const int64_t windows = 20;
  ShuffledOrder a(windows, 1), b(windows, 2);
  std::vector<int64_t> a0 = epochOrder(a, windows, 0), a1 = epochOrder(a, windows, 1);
  std::vector<int64_t> b0 = epochOrder(b, windows, 0);
  EXPECT_NE(a0, a1);
  EXPECT_NE(a0, b0);
  ShuffledOrder again(windows, 1);
  EXPECT_EQ(epochOrder(again, windows, 0), a0);
  EXPECT_EQ(epochOrder(again, windows, 1), a1);
}

TEST(ShuffledOrderTest, AFreshOrderGivesTheSameWindowForAnySampleInAnyOrder) {
  // What makes a resumed run continue exactly: window(i) depends on i alone.
  const int64_t windows = 13;
  ShuffledOrder reference(windows, 2024);
  std::vector<int64_t> sequential;
  for (int64_t sample = 0; sample < 5 * windows; ++sample)
    sequential.push_back(reference.window(sample));

  std::vector<int64_t> samples(sequential.size());
  std::iota(samples.begin(), samples.end(), 0);
  std::reverse(samples.begin(), samples.end());
  std::swap(samples[3], samples[40]);
  ShuffledOrder shared(windows, 2024); // jumps back and forth between epochs
  for (int64_t sample : samples) {
    ShuffledOrder fresh(windows, 2024);
    EXPECT_EQ(fresh.window(sample), sequential[static_cast<size_t>(sample)]) << "sample " << sample;
    EXPECT_EQ(shared.window(sample), sequential[static_cast<size_t>(sample)]) << "sample " << sample;
  }
}

TEST(ShuffledOrderTest, ShuffleIsUnbiased) {
  // Over many seeds, each window is first about equally often (a Sattolo
  // off-by-one, say, would never put window 0 first).
  const int64_t windows = 5;
  const int seeds = 5000;
  std::vector<int> first(windows, 0);
  for (int seed = 0; seed < seeds; ++seed) {
    ShuffledOrder order(windows, static_cast<uint64_t>(seed));
    ++first[static_cast<size_t>(order.window(0))];
  }
  for (int count : first)
    EXPECT_NEAR(count, seeds / windows, 120);
}

TEST(ShuffledOrderTest, OneWindowAndNoWindows) {
  ShuffledOrder single(1, 3);
  for (int64_t sample = 0; sample < 5; ++sample) {
    EXPECT_EQ(single.window(sample), 0);
    EXPECT_EQ(single.epochOf(sample), sample);
  }
  EXPECT_THROW(ShuffledOrder(0, 3), Error);
}

} // namespace
} // namespace ptm::test
