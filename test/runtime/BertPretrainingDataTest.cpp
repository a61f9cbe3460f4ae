#include "runtime/loops/BertPretrainingData.h"

#include "runtime/Error.h"
#include "runtime/loops/Random.h"
#include "test/runtime/TestArtifact.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

namespace ptm::test {
namespace {

using loops::BertDataOptions;
using loops::BertExample;
using loops::BertExampleStream;
using loops::BertVocabulary;
using loops::MaskFill;

// The toy tokenizer: words "w<n>" and continuing pieces "##w<n>", each its own
// id; anything else is dropped (so a line of other text tokenizes to nothing).
constexpr int32_t kPad = 0, kCls = 1, kSep = 2, kMask = 3, kFirstWordId = 4;
constexpr int64_t kWordsPerDocument = 1000; // document d uses words [d * 1000, (d + 1) * 1000)
constexpr int64_t kMaxWord = 1000 * kWordsPerDocument;

int32_t wordId(int64_t word, bool continues) {
  return kFirstWordId + static_cast<int32_t>(2 * word + (continues ? 1 : 0));
}
bool isContinuation(int32_t id) { return id >= kFirstWordId && (id - kFirstWordId) % 2 == 1; }
int64_t wordOf(int32_t id) { return (id - kFirstWordId) / 2; }
int64_t documentOf(int32_t id) { return wordOf(id) / kWordsPerDocument; }

BertVocabulary toyVocabulary() {
  BertVocabulary vocabulary;
  vocabulary.size = kFirstWordId + 2 * kMaxWord;
  vocabulary.clsId = kCls;
  vocabulary.sepId = kSep;
  vocabulary.maskId = kMask;
  vocabulary.padId = kPad;
  vocabulary.tokenize = [](std::string_view line) {
    std::vector<int32_t> ids;
    std::istringstream words{std::string(line)};
    for (std::string word; words >> word;) {
      bool continues = word.rfind("##", 0) == 0;
      std::string_view rest = std::string_view(word).substr(continues ? 2 : 0);
      if (rest.size() < 2 || rest[0] != 'w' || rest.find_first_not_of("0123456789", 1) != std::string_view::npos)
        continue;
      ids.push_back(wordId(std::stoll(std::string(rest.substr(1))), continues));
    }
    return ids;
  };
  vocabulary.continuesWord = isContinuation;
  return vocabulary;
}

// A corpus of documents with disjoint vocabularies: document d's k-th word is
// w(d * 1000 + k), so every token tells its document and place.
struct CorpusShape {
  int64_t documents = 300;
  int64_t minLines = 3, maxLines = 15;
  int64_t minWords = 3, maxWords = 20;
  double continuationProb = 0.0; // per word, of being followed by one or two "##" pieces
  std::set<int64_t> untokenizable; // documents whose lines tokenize to nothing
};

std::string makeCorpus(const CorpusShape &shape, uint64_t seed = 7) {
  loops::Random random(seed);
  auto between = [&](int64_t low, int64_t high) { return low + static_cast<int64_t>(random.below(high - low + 1)); };
  std::string text = "\n \n"; // leading blank lines separate nothing
  for (int64_t d = 0; d < shape.documents; ++d) {
    int64_t next = d * kWordsPerDocument;
    int64_t lines = between(shape.minLines, shape.maxLines);
    for (int64_t line = 0; line < lines; ++line) {
      if (shape.untokenizable.count(d)) {
        text += "@@@ ###\n";
        continue;
      }
      int64_t words = between(shape.minWords, shape.maxWords);
      for (int64_t w = 0; w < words; ++w) {
        text += (w ? " w" : "w") + std::to_string(next++);
        if (random.uniform() < shape.continuationProb)
          for (int64_t piece = between(1, 2); piece > 0; --piece)
            text += " ##w" + std::to_string(next++);
      }
      // Lines that tokenize to nothing are skipped without ending the document.
      text += line == 0 && d % 5 == 0 ? "\n!!!\n" : "\n";
    }
    // Separators: blank, whitespace-only, several, CRLF.
    static const char *kSeparators[] = {"\n", " \t\n", "\n\n\n", "\r\n"};
    text += kSeparators[d % 4];
  }
  return text;
}

// The ids the pair had before masking.
std::vector<int32_t> originalIds(const BertExample &example) {
  std::vector<int32_t> ids = example.inputIds;
  for (size_t i = 0; i < ids.size(); ++i)
    if (example.labels[i] != -100)
      ids[i] = example.labels[i];
  return ids;
}

int64_t roundHalfToEven(double x) {
  double floor = std::floor(x);
  double fraction = x - floor;
  int64_t down = static_cast<int64_t>(floor);
  if (fraction != 0.5)
    return fraction < 0.5 ? down : down + 1;
  return down % 2 == 0 ? down : down + 1;
}

// Checks the layout, the labels and the prediction count of one example.
void checkExample(const BertExample &example, const BertDataOptions &options, int64_t vocabularySize) {
  const size_t length = static_cast<size_t>(options.maxSeqLength);
  ASSERT_EQ(example.inputIds.size(), length);
  ASSERT_EQ(example.tokenTypeIds.size(), length);
  ASSERT_EQ(example.attentionMask.size(), length);
  ASSERT_EQ(example.labels.size(), length);
  ASSERT_GE(example.lengthA, 1);
  ASSERT_GE(example.lengthB, 1);
  const size_t pair = static_cast<size_t>(example.lengthA + example.lengthB + 3);
  ASSERT_LE(pair, length);
  const size_t firstSep = static_cast<size_t>(example.lengthA) + 1;

  std::vector<int32_t> original = originalIds(example);
  for (size_t i = 0; i < length; ++i) {
    bool special = i == 0 || i == firstSep || i == pair - 1;
    if (i >= pair) {
      EXPECT_EQ(example.inputIds[i], kPad);
      EXPECT_EQ(example.attentionMask[i], 0);
      EXPECT_EQ(example.tokenTypeIds[i], 0);
      EXPECT_EQ(example.labels[i], -100);
      continue;
    }
    EXPECT_EQ(example.attentionMask[i], 1);
    EXPECT_EQ(example.tokenTypeIds[i], i > firstSep ? 1 : 0);
    if (special) {
      EXPECT_EQ(example.inputIds[i], i == 0 ? kCls : kSep);
      EXPECT_EQ(example.labels[i], -100);
    } else {
      EXPECT_GE(original[i], kFirstWordId);
    }
  }

  int32_t previous = 0;
  for (const loops::BertPrediction &prediction : example.predictions) {
    ASSERT_TRUE(prediction.position > 0 && static_cast<size_t>(prediction.position) < pair - 1);
    size_t p = static_cast<size_t>(prediction.position);
    EXPECT_NE(p, firstSep);
    EXPECT_GT(prediction.position, previous) << "predictions not sorted by position, or repeated";
    previous = prediction.position;
    ASSERT_NE(example.labels[p], -100);
    switch (prediction.fill) {
    case MaskFill::Mask: EXPECT_EQ(example.inputIds[p], kMask); break;
    case MaskFill::Keep: EXPECT_EQ(example.inputIds[p], example.labels[p]); break;
    case MaskFill::Random: EXPECT_TRUE(example.inputIds[p] >= 0 && example.inputIds[p] < vocabularySize); break;
    }
  }
  int64_t labelled = 0;
  for (int32_t label : example.labels)
    labelled += label != -100;
  EXPECT_EQ(labelled, static_cast<int64_t>(example.predictions.size()));

  int64_t toPredict = std::min<int64_t>(
      options.maxPredictionsPerSeq,
      std::max<int64_t>(1, roundHalfToEven(static_cast<double>(pair) * options.maskedLmProb)));
  if (options.wholeWordMasking)
    EXPECT_LE(static_cast<int64_t>(example.predictions.size()), toPredict);
  else
    EXPECT_EQ(static_cast<int64_t>(example.predictions.size()), toPredict);
}

// The documents segment A's and segment B's tokens come from (each segment
// must come from one).
std::pair<int64_t, int64_t> segmentDocuments(const BertExample &example) {
  std::vector<int32_t> original = originalIds(example);
  auto documentOfSpan = [&](size_t begin, size_t end) {
    int64_t document = documentOf(original[begin]);
    for (size_t i = begin; i < end; ++i)
      EXPECT_EQ(documentOf(original[i]), document);
    return document;
  };
  size_t a = static_cast<size_t>(example.lengthA);
  size_t b = static_cast<size_t>(example.lengthB);
  return {documentOfSpan(1, 1 + a), documentOfSpan(a + 2, a + 2 + b)};
}

class BertPretrainingDataTest : public ::testing::Test {
protected:
  std::string write(const std::string &text, const std::string &name = "corpus.txt") {
    std::string path = scratch.path(name);
    writeFileBytes(path, std::vector<uint8_t>(text.begin(), text.end()));
    return path;
  }

  ScratchDirectory scratch;
};

TEST_F(BertPretrainingDataTest, CountsDocumentsAsFileOrderRunsOfLines) {
  CorpusShape shape;
  shape.documents = 57;
  shape.untokenizable = {3};
  EXPECT_EQ(BertExampleStream::countDocuments(write(makeCorpus(shape))), 57);
  EXPECT_EQ(BertExampleStream::countDocuments(write("\xef\xbb\xbfw1\n\n\n  \nw2\nw3")), 2);
  EXPECT_EQ(BertExampleStream::countDocuments(write(" \n\t\n")), 0);
}

TEST_F(BertPretrainingDataTest, StructureAndMaskingStatistics) {
  std::string path = write(makeCorpus(CorpusShape{}));
  BertDataOptions options;
  options.documentBuffer = 64;
  BertVocabulary vocabulary = toyVocabulary();
  BertExampleStream stream(path, 0, 300, vocabulary, options);

  const int64_t examples = 30000;
  int64_t candidates = 0, predictions = 0, randomNext = 0;
  int64_t fills[3] = {0, 0, 0};
  std::chrono::steady_clock::duration generating{};
  for (int64_t n = 0; n < examples; ++n) {
    auto start = std::chrono::steady_clock::now();
    BertExample example = stream.next();
    generating += std::chrono::steady_clock::now() - start;
    checkExample(example, options, vocabulary.size);
    if (::testing::Test::HasFailure())
      FAIL() << "example " << n;
    candidates += example.lengthA + example.lengthB;
    predictions += static_cast<int64_t>(example.predictions.size());
    for (const loops::BertPrediction &prediction : example.predictions)
      ++fills[static_cast<int>(prediction.fill)];
    randomNext += example.nextSentenceLabel;
    auto [documentA, documentB] = segmentDocuments(example);
    if (example.nextSentenceLabel == 1)
      EXPECT_NE(documentA, documentB);
    else
      EXPECT_EQ(documentA, documentB);
  }
  double seconds = std::chrono::duration<double>(generating).count();

  double selected = static_cast<double>(predictions) / static_cast<double>(candidates);
  double masked = static_cast<double>(fills[0]) / static_cast<double>(predictions);
  double kept = static_cast<double>(fills[1]) / static_cast<double>(predictions);
  double replaced = static_cast<double>(fills[2]) / static_cast<double>(predictions);
  double isNext = 1.0 - static_cast<double>(randomNext) / static_cast<double>(examples);
  std::printf("%lld examples of 128 at %.0f examples/s; selected %.4f of %lld tokens; "
              "[MASK] %.4f kept %.4f random %.4f of %lld; IsNext %.4f\n",
              static_cast<long long>(examples), static_cast<double>(examples) / seconds, selected,
              static_cast<long long>(candidates), masked, kept, replaced, static_cast<long long>(predictions),
              isNext);
  // round(0.15 * (pair + 3)) of pair tokens: a little above 15% of them.
  EXPECT_GT(selected, 0.15);
  EXPECT_LT(selected, 0.16);
  EXPECT_NEAR(masked, 0.8, 0.015);
  EXPECT_NEAR(kept, 0.1, 0.015);
  EXPECT_NEAR(replaced, 0.1, 0.015);
  // Below one half: a random B puts the chunk's unused segments back, and
  // they make pairs of their own (see the header); NextSentenceCoinIsFair
  // checks the coin itself.
  EXPECT_GT(isNext, 0.35);
  EXPECT_LT(isNext, 0.50);
}

TEST_F(BertPretrainingDataTest, PredictionsRespectTheCap) {
  std::string path = write(makeCorpus(CorpusShape{}));
  BertDataOptions options;
  options.maxPredictionsPerSeq = 5;
  BertVocabulary vocabulary = toyVocabulary();
  BertExampleStream stream(path, 0, 300, vocabulary, options);
  int64_t atCap = 0;
  for (int n = 0; n < 2000; ++n) {
    BertExample example = stream.next();
    checkExample(example, options, vocabulary.size);
    atCap += example.predictions.size() == 5;
  }
  EXPECT_GT(atCap, 1500); // all but pairs under 30 tokens
}

TEST_F(BertPretrainingDataTest, NextSentenceCoinIsFair) {
  // Two segments of 10 words each: a document round is either one IsNext pair
  // (A = line 1, B = line 2) or, with a random B, two random pairs (line 2
  // is put back and pairs with another random B). So the coin's heads are
  // the IsNext pairs, its tails half the random ones.
  CorpusShape shape;
  shape.documents = 200;
  shape.minLines = shape.maxLines = 2;
  shape.minWords = shape.maxWords = 10;
  std::string path = write(makeCorpus(shape));
  BertDataOptions options;
  options.shortSeqProb = 0.0;
  options.documentBuffer = 50;
  BertExampleStream stream(path, 0, 200, toyVocabulary(), options);

  const int64_t examples = 30000;
  int64_t isNext = 0, random = 0;
  for (int64_t n = 0; n < examples; ++n) {
    BertExample example = stream.next();
    auto [documentA, documentB] = segmentDocuments(example);
    std::vector<int32_t> original = originalIds(example);
    if (example.nextSentenceLabel == 0) {
      ++isNext;
      ASSERT_EQ(example.lengthA, 10);
      ASSERT_EQ(example.lengthB, 10);
      EXPECT_EQ(documentA, documentB);
      for (int k = 0; k < 10; ++k) {
        EXPECT_EQ(wordOf(original[1 + k]), documentA * kWordsPerDocument + k);
        EXPECT_EQ(wordOf(original[12 + k]), documentA * kWordsPerDocument + 10 + k);
      }
    } else {
      ++random;
      EXPECT_NE(documentA, documentB);
    }
  }
  double rounds = static_cast<double>(isNext) + static_cast<double>(random) / 2.0;
  double heads = static_cast<double>(isNext) / rounds;
  double tolerance = 4.0 * 0.5 / std::sqrt(rounds); // four standard deviations of a fair coin
  std::printf("IsNext %.4f of examples (1/3 expected); coin %.4f over %.0f document rounds (0.5 +- %.4f)\n",
              static_cast<double>(isNext) / examples, heads, rounds, tolerance);
  EXPECT_NEAR(heads, 0.5, tolerance);
}

TEST_F(BertPretrainingDataTest, ShortSequencesAtShortSeqProb) {
  // One segment per document: one pair per document round, so the rate of
  // short targets over examples is the rate over draws. randint(2, 125)
  // draws the full length once in 124.
  CorpusShape shape;
  shape.minLines = shape.maxLines = 1;
  std::string path = write(makeCorpus(shape));
  BertDataOptions options;
  BertExampleStream stream(path, 0, 300, toyVocabulary(), options);
  const int64_t examples = 30000;
  int64_t shortTargets = 0;
  for (int64_t n = 0; n < examples; ++n)
    shortTargets += stream.next().targetLength < 125;
  double expected = options.shortSeqProb * 123.0 / 124.0;
  double rate = static_cast<double>(shortTargets) / examples;
  double tolerance = 4.0 * std::sqrt(expected * (1 - expected) / examples);
  std::printf("short targets %.4f (expected %.4f +- %.4f)\n", rate, expected, tolerance);
  EXPECT_NEAR(rate, expected, tolerance);

  // And the targets make the pairs shorter.
  auto meanPairLength = [&](double shortSeqProb, int64_t *fullTargets) {
    BertDataOptions withProb;
    withProb.shortSeqProb = shortSeqProb;
    BertExampleStream pairs(write(makeCorpus(CorpusShape{}), "long.txt"), 0, 300, toyVocabulary(), withProb);
    double total = 0;
    *fullTargets = 0;
    for (int n = 0; n < 5000; ++n) {
      BertExample example = pairs.next();
      total += example.lengthA + example.lengthB;
      *fullTargets += example.targetLength == 125;
    }
    return total / 5000;
  };
  int64_t fullNever, fullAlways;
  double normal = meanPairLength(0.0, &fullAlways);
  double allShort = meanPairLength(1.0, &fullNever);
  std::printf("mean pair length %.1f with shortSeqProb 0, %.1f with 1\n", normal, allShort);
  EXPECT_EQ(fullAlways, 5000);
  EXPECT_LT(fullNever, 5000 / 20);
  EXPECT_LT(allShort, 0.7 * normal);
}

TEST_F(BertPretrainingDataTest, WholeWordMaskingMasksWholeWords) {
  CorpusShape shape;
  shape.continuationProb = 0.4;
  std::string path = write(makeCorpus(shape));
  BertDataOptions options;
  options.wholeWordMasking = true;
  BertVocabulary vocabulary = toyVocabulary();
  BertExampleStream stream(path, 0, 300, vocabulary, options);
  int64_t maskedMultiPieceWords = 0, crossingWords = 0;
  for (int n = 0; n < 5000; ++n) {
    BertExample example = stream.next();
    checkExample(example, options, vocabulary.size);
    std::vector<int32_t> original = originalIds(example);
    std::vector<bool> predicted(original.size(), false);
    for (const loops::BertPrediction &prediction : example.predictions)
      predicted[static_cast<size_t>(prediction.position)] = true;
    // Words: a piece and the "##" pieces after it, over A and B with the
    // [SEP] between them skipped, so that a B truncated to start mid-word
    // continues A's last word (Google's grouping); a truncated A's leading
    // pieces are a word of their own.
    size_t firstSep = static_cast<size_t>(example.lengthA) + 1;
    size_t pairEnd = firstSep + static_cast<size_t>(example.lengthB) + 1;
    std::vector<size_t> positions;
    for (size_t i = 1; i < pairEnd; ++i)
      if (i != firstSep)
        positions.push_back(i);
    for (size_t word = 0; word < positions.size();) {
      size_t stop = word + 1;
      while (stop < positions.size() && isContinuation(original[positions[stop]]))
        ++stop;
      for (size_t k = word; k < stop; ++k)
        ASSERT_EQ(predicted[positions[k]], predicted[positions[word]])
            << "example " << n << " position " << positions[k];
      maskedMultiPieceWords += predicted[positions[word]] && stop - word > 1;
      crossingWords += stop > word + 1 && positions[word] < firstSep && positions[stop - 1] > firstSep;
      word = stop;
    }
  }
  std::printf("%lld multi-piece words masked; %lld words continue across the middle [SEP]\n",
              static_cast<long long>(maskedMultiPieceWords), static_cast<long long>(crossingWords));
  EXPECT_GT(maskedMultiPieceWords, 1000);
  EXPECT_GT(crossingWords, 0);
}

TEST_F(BertPretrainingDataTest, ReproducibleAndResumable) {
  // Small blocks and a short pass, so that the examples span many blocks and
  // rounds.
  CorpusShape shape;
  shape.documents = 40;
  std::string path = write(makeCorpus(shape));
  BertDataOptions options;
  options.documentBuffer = 8;
  options.dupeFactor = 2;
  BertExampleStream reference(path, 0, 40, toyVocabulary(), options);
  std::vector<BertExample> examples;
  for (int n = 0; n < 3000; ++n)
    examples.push_back(reference.next());

  auto same = [](const BertExample &x, const BertExample &y) {
    return x.inputIds == y.inputIds && x.tokenTypeIds == y.tokenTypeIds && x.attentionMask == y.attentionMask &&
           x.labels == y.labels && x.nextSentenceLabel == y.nextSentenceLabel;
  };
  BertExampleStream again(path, 0, 40, toyVocabulary(), options);
  for (int n = 0; n < 3000; ++n)
    ASSERT_TRUE(same(again.next(), examples[static_cast<size_t>(n)])) << "example " << n;

  BertDataOptions otherSeed = options;
  otherSeed.seed = options.seed + 1;
  BertExampleStream other(path, 0, 40, toyVocabulary(), otherSeed);
  int differing = 0;
  for (int n = 0; n < 100; ++n)
    differing += !same(other.next(), examples[static_cast<size_t>(n)]);
  EXPECT_GT(differing, 95);

  for (int64_t n : {0, 1, 57, 1234, 2999}) {
    BertExampleStream resumed(path, 0, 40, toyVocabulary(), options);
    resumed.skip(n);
    EXPECT_EQ(resumed.position(), n);
    EXPECT_TRUE(same(resumed.next(), examples[static_cast<size_t>(n)])) << "skip " << n;
  }
  BertExampleStream midway(path, 0, 40, toyVocabulary(), options);
  for (int n = 0; n < 100; ++n)
    midway.next();
  midway.skip(900);
  EXPECT_TRUE(same(midway.next(), examples[1000]));
}

TEST_F(BertPretrainingDataTest, CorpusLargerThanTheBufferAndDocumentRanges) {
  CorpusShape shape;
  shape.documents = 400;
  shape.untokenizable = {120};
  std::string path = write(makeCorpus(shape));
  ASSERT_EQ(BertExampleStream::countDocuments(path), 400);
  BertDataOptions options;
  options.documentBuffer = 16;
  options.dupeFactor = 1;

  // Documents [100, 300) only; every one of them (but the one without tokens)
  // within a few passes.
  BertExampleStream stream(path, 100, 300, toyVocabulary(), options);
  EXPECT_EQ(stream.documentCount(), 200);
  std::set<int64_t> seen;
  for (int n = 0; n < 20000; ++n) {
    BertExample example = stream.next();
    std::vector<int32_t> original = originalIds(example);
    for (int32_t id : original) {
      if (id < kFirstWordId)
        continue;
      int64_t document = documentOf(id);
      ASSERT_TRUE(document >= 100 && document < 300) << "document " << document << " is outside the range";
      seen.insert(document);
    }
  }
  EXPECT_EQ(seen.size(), 199u);
  EXPECT_EQ(seen.count(120), 0u);
}

TEST_F(BertPretrainingDataTest, RejectsBadInputNamingTheFile) {
  BertDataOptions options;
  std::string missing = scratch.path("absent.txt");
  expectError([&] { BertExampleStream::countDocuments(missing); }, missing, {"cannot open"});
  expectError([&] { BertExampleStream(missing, 0, 1, toyVocabulary(), options); }, missing, {"cannot open"});

  std::string invalid = write("w1 w2\nw3\n\nw4 \xff w5\n", "invalid.txt");
  expectError([&] { BertExampleStream::countDocuments(invalid); }, invalid, {"line 4", "UTF-8", "0xff", "offset 13"});
  expectError([&] { BertExampleStream(invalid, 0, 2, toyVocabulary(), options); }, invalid, {"line 4", "0xff"});
  std::string nul = write(std::string("w1\n\0\n", 5), "nul.txt");
  expectError([&] { BertExampleStream::countDocuments(nul); }, nul, {"line 2", "NUL"});

  std::string blank = write("\n  \n\t\n", "blank.txt");
  expectError([&] { BertExampleStream(blank, 0, 1, toyVocabulary(), options); }, blank, {"no document"});
  std::string empty = write("", "empty.txt");
  expectError([&] { BertExampleStream(empty, 0, 1, toyVocabulary(), options); }, empty, {"no document"});
  std::string two = write("w1\n\nw2\n", "two.txt");
  expectError([&] { BertExampleStream(two, 1, 3, toyVocabulary(), options); }, two, {"has 2 documents"});
  expectError([&] { BertExampleStream(two, 1, 1, toyVocabulary(), options); }, two, {"no documents in the range"});

  std::string noTokens = write("@@@\n\n!!! ???\n", "notokens.txt");
  BertExampleStream stream(noTokens, 0, 2, toyVocabulary(), options);
  expectError([&] { stream.next(); }, noTokens, {"has a token"});

  BertDataOptions tooShort;
  tooShort.maxSeqLength = 4;
  EXPECT_THROW(BertExampleStream(two, 0, 2, toyVocabulary(), tooShort), Error);
}

} // namespace
} // namespace ptm::test
