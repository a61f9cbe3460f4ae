#include "runtime/tokenizers/ByteLevelBpe.h"

#include "runtime/tokenizers/Gpt2Pretokenizer.h"
#include "runtime/tokenizers/Utf8.h"
#include "test/runtime/TestArtifact.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <thread>

namespace ptm::test {
namespace {

const std::string kFixtures = PTM_TEST_FIXTURES_DIR;
const std::string kGpt2Directory = kFixtures + "/gpt2-bpe";

std::string readText(const std::string &path) {
  std::vector<uint8_t> bytes = readFileBytes(path);
  return std::string(bytes.begin(), bytes.end());
}

void writeText(const std::string &path, const std::string &text) {
  writeFileBytes(path, std::vector<uint8_t>(text.begin(), text.end()));
}

// The lines of a file that ends with a newline, split on "\n" alone (the test
// text holds "\r", U+2028 and friends inside lines).
std::vector<std::string> readLines(const std::string &path) {
  std::string text = readText(path);
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
    lines.push_back(text.substr(start, end - start));
  EXPECT_EQ(start, text.size()) << path << " does not end with a newline";
  return lines;
}

std::vector<int32_t> parseIds(const std::string &line) {
  std::vector<int32_t> ids;
  std::istringstream stream(line);
  for (int32_t id; stream >> id;)
    ids.push_back(id);
  return ids;
}

const ByteLevelBpe &gpt2() {
  static const ByteLevelBpe tokenizer = ByteLevelBpe::load(kGpt2Directory);
  return tokenizer;
}

TEST(ByteLevelBpeTest, MatchesGpt2OnEveryLineOfTheReferenceText) {
  std::vector<std::string> lines = readLines(kFixtures + "/tokenizer-text.txt");
  std::vector<std::string> expected = readLines(kFixtures + "/gpt2-bpe-expected-ids.txt");
  ASSERT_EQ(lines.size(), expected.size());
  ASSERT_GE(lines.size(), 1000u);
  int mismatches = 0;
  for (size_t index = 0; index < lines.size(); ++index) {
    std::vector<int32_t> ids = gpt2().encode(lines[index]);
    if (ids != parseIds(expected[index]) && ++mismatches <= 10)
      ADD_FAILURE() << "line " << index + 1 << " encodes differently: '" << lines[index] << "'";
    EXPECT_EQ(gpt2().decode(ids), lines[index]) << "line " << index + 1;
  }
  EXPECT_EQ(mismatches, 0);
}

TEST(ByteLevelBpeTest, KnowsGpt2VocabularyAndSpecialToken) {
  EXPECT_EQ(gpt2().vocabSize(), 50257);
  EXPECT_EQ(gpt2().tokenId("<|endoftext|>"), 50256);
  EXPECT_EQ(gpt2().tokenId("Ġthe"), 262);
  EXPECT_EQ(gpt2().tokenId("no such token"), std::nullopt);
  EXPECT_EQ(gpt2().token(262), "Ġthe");
  EXPECT_EQ(gpt2().specialTokens(), std::vector<std::string>{"<|endoftext|>"});
  EXPECT_EQ(gpt2().encode("a<|endoftext|>b"), (std::vector<int32_t>{64, 50256, 65}));
  EXPECT_EQ(gpt2().decode({64, 50256, 65}), "a<|endoftext|>b");
}

TEST(ByteLevelBpeTest, DecodeIsByteExactWhereIdsSplitACharacter) {
  // GPT-2 spells U+1F600 as the bytes F0 9F 98, then 80.
  std::vector<int32_t> ids = gpt2().encode("\xF0\x9F\x98\x80");
  ASSERT_EQ(ids, (std::vector<int32_t>{47249, 222}));
  EXPECT_EQ(gpt2().decode({ids[0]}), "\xF0\x9F\x98");
  EXPECT_EQ(gpt2().decode({ids[1]}), "\x80");
  EXPECT_EQ(gpt2().decode({ids[0]}) + gpt2().decode({ids[1]}), "\xF0\x9F\x98\x80");
  EXPECT_EQ(gpt2().decodeText({ids[0]}), "\xEF\xBF\xBD");
  EXPECT_EQ(gpt2().decodeText({ids[1], 64}), "\xEF\xBF\xBD" "a");
  EXPECT_EQ(gpt2().decodeText(ids), "\xF0\x9F\x98\x80");
}

TEST(ByteLevelBpeTest, ReplacesInvalidUtf8LikePython) {
  // Expected values from Python: bytes.decode('utf-8', errors='replace').
  const std::string r = "\xEF\xBF\xBD";
  std::vector<std::pair<std::string, std::string>> cases = {
      {"\xE2\x82", r},
      {"\xE2(\xA1", r + "(" + r},
      {"\xF0\x80\x80", r + r + r},
      {"\xED\xA0\x80", r + r + r},
      {"\xC0\xAF", r + r},
      {"\xF4\x90\x80\x80", r + r + r + r},
      {"\xFF", r},
      {"a\xF0\x9F\x98", "a" + r},
      {"\xF0\x9F\x98\x80\x80", "\xF0\x9F\x98\x80" + r},
      {"\xE0\x80", r + r},
      {"ok \xC3\xA9", "ok \xC3\xA9"},
  };
  for (const auto &[bytes, text] : cases)
    EXPECT_EQ(replaceInvalidUtf8(bytes), text) << bytes;
}

TEST(ByteLevelBpeTest, EncodesAnyBytesAndDecodesThemBack) {
  EXPECT_EQ(gpt2().encode(std::string("\0", 1)), std::vector<int32_t>{188});
  EXPECT_EQ(gpt2().encode(std::string("\0a\x7F", 3)), (std::vector<int32_t>{188, 64, 221}));
  EXPECT_EQ(gpt2().encode(""), std::vector<int32_t>{});
  std::mt19937 random(7);
  for (int trial = 0; trial < 2000; ++trial) {
    std::string bytes(random() % 40, '\0');
    for (char &byte : bytes)
      byte = static_cast<char>(random() % 4 == 0 ? 'a' + random() % 3 : random() % 256);
    EXPECT_EQ(gpt2().decode(gpt2().encode(bytes)), bytes);
  }
}

TEST(ByteLevelBpeTest, PretokenizesLikeGpt2Regex) {
  // Expected values from Python: regex.findall(GPT-2's pattern, text).
  using Pieces = std::vector<std::string_view>;
  EXPECT_EQ(gpt2Pretokens("Hello  world's 'S  \n x"), (Pieces{"Hello", " ", " world", "'s", " '", "S", "  \n", " x"}));
  EXPECT_EQ(gpt2Pretokens("I'M  don't\t\tgo 123abc!!"),
            (Pieces{"I", "'", "M", " ", " don", "'t", "\t", "\t", "go", " 123", "abc", "!!"}));
  EXPECT_EQ(gpt2Pretokens("a \u3000b\u0085"), (Pieces{"a", " ", "\u3000", "b", "\u0085"}));
  EXPECT_EQ(gpt2Pretokens("x\x1C y  "), (Pieces{"x", "\x1C", " y", "  "}));
}

TEST(ByteLevelBpeTest, EncodesConcurrently) {
  std::vector<std::string> lines = readLines(kFixtures + "/tokenizer-text.txt");
  ByteLevelBpe tokenizer = ByteLevelBpe::load(kGpt2Directory); // a cold cache
  std::vector<std::vector<int32_t>> expected;
  for (const std::string &line : lines)
    expected.push_back(gpt2().encode(line));
  // Every thread encodes every line, each starting at a different place, so
  // that they fill the shared word cache at the same time.
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  std::vector<int> mismatches(kThreads, 0);
  for (int thread = 0; thread < kThreads; ++thread)
    threads.emplace_back([&, thread] {
      for (size_t step = 0; step < lines.size(); ++step) {
        size_t index = (step + thread * lines.size() / kThreads) % lines.size();
        mismatches[thread] += tokenizer.encode(lines[index]) != expected[index];
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  EXPECT_EQ(mismatches, std::vector<int>(kThreads, 0));
}

TEST(ByteLevelBpeTest, SavesInHuggingFaceFormatAndLoadsItBack) {
  ScratchDirectory scratch;
  std::string directory = scratch.path("gpt2-hf");
  gpt2().save(directory);
  EXPECT_EQ(readText(directory + "/merges.txt"), readText(kGpt2Directory + "/vocab.bpe"));
  ByteLevelBpe reloaded = ByteLevelBpe::load(directory);
  EXPECT_EQ(reloaded.vocabSize(), gpt2().vocabSize());
  for (int32_t id = 0; id < gpt2().vocabSize(); ++id)
    ASSERT_EQ(reloaded.token(id), gpt2().token(id));
  std::string text = readText(kFixtures + "/tokenizer-text.txt");
  EXPECT_EQ(reloaded.encode(text), gpt2().encode(text));
}

TEST(ByteLevelBpeTest, RejectsIdsOutsideTheVocabulary) {
  expectError([] { gpt2().decode({50257}); }, "token ids", {"id 50257 is outside the vocabulary of 50257 tokens"});
  expectError([] { gpt2().decodeText({0, -1}); }, "token ids", {"id -1 is outside"});
  expectError([] { gpt2().token(50257); }, "token ids", {"id 50257 is outside"});
}

// A valid miniature vocabulary: the 256 byte tokens, merges "a b" -> "ab" and
// "ab c" -> "abc", and the special token "<s>".
class ByteLevelBpeLoadTest : public ::testing::Test {
protected:
  ByteLevelBpeLoadTest() {
    ByteLevelBpe tokenizer = ByteLevelBpe::train("abc abc abc", 256 + 2 + 1, {"<s>"});
    tokenizer.save(directory());
    vocab = readText(vocabPath());
    merges = readText(mergesPath());
  }
  std::string directory() const { return scratch.path("bpe"); }
  std::string vocabPath() const { return directory() + "/vocab.json"; }
  std::string mergesPath() const { return directory() + "/merges.txt"; }
  void expectRejected(const std::string &newVocab, const std::string &newMerges, const std::string &file,
                      const std::vector<std::string> &fragments) {
    writeText(vocabPath(), newVocab);
    writeText(mergesPath(), newMerges);
    expectError([&] { ByteLevelBpe::load(directory()); }, file, fragments);
  }
  static std::string replaced(std::string text, const std::string &from, const std::string &to) {
    size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return text.replace(at, from.size(), to);
  }

  ScratchDirectory scratch;
  std::string vocab;
  std::string merges;
};

TEST_F(ByteLevelBpeLoadTest, TheMiniatureVocabularyLoads) {
  EXPECT_EQ(merges, "#version: 0.2\na b\nab c\n");
  ByteLevelBpe tokenizer = ByteLevelBpe::load(directory());
  EXPECT_EQ(tokenizer.encode("abc<s>ab"), (std::vector<int32_t>{257, 258, 256}));
}

TEST_F(ByteLevelBpeLoadTest, RejectsMissingFiles) {
  ScratchDirectory empty;
  expectError([&] { ByteLevelBpe::load(empty.path("none")); }, empty.path("none"), {"neither vocab.json", "encoder.json"});
  std::remove(mergesPath().c_str());
  expectError([&] { ByteLevelBpe::load(directory()); }, mergesPath(), {"cannot open"});
}

TEST_F(ByteLevelBpeLoadTest, RejectsBadVocabularies) {
  expectRejected("{\"a\": 0,", merges, vocabPath(), {"malformed JSON"});
  expectRejected("[1, 2]", merges, vocabPath(), {"not a JSON object"});
  expectRejected(replaced(vocab, "\"<s>\":258", "\"<s>\":\"x\""), merges, vocabPath(), {"'<s>' has id \"x\""});
  expectRejected(replaced(vocab, "\"<s>\":258", "\"<s>\":259"), merges, vocabPath(), {"expected an integer in 0..258"});
  expectRejected(replaced(vocab, "\"<s>\":258", "\"<s>\":257"), merges, vocabPath(), {"id 257 is given to both"});
  expectRejected(replaced(vocab, "\"a\":97", "\"not a byte\":97"), merges, vocabPath(), {"no token for byte 0x61 ('a')"});
}

TEST_F(ByteLevelBpeLoadTest, RejectsBadMerges) {
  expectRejected(vocab, "#version: 0.2\na b\nabc\n", mergesPath(), {"line 3 is not a merge 'a b': 'abc'"});
  expectRejected(vocab, "a b\n\nab c\n", mergesPath(), {"line 2 is not a merge"});
  expectRejected(vocab, "a  b\n", mergesPath(), {"line 1 is not a merge"});
  expectRejected(vocab, "a b\nab zz\n", mergesPath(), {"line 2: merge 'ab zz' joins 'zz', which is not in"});
  expectRejected(vocab, "a b\nb c\n", mergesPath(), {"line 2: merge 'b c' gives 'bc', which is not in"});
  expectRejected(vocab, "a b\nab c\na b\n", mergesPath(), {"line 3: merge 'a b' repeats line 1"});
}

TEST(ByteLevelBpeTrainerTest, MergesTheMostFrequentPairAndBreaksTiesByIds) {
  // Pairs in "aaabdaaabac": aa 4, ab 2, ... After a+a the word is
  // [aa a b d aa a b a c]: aa+a and a+b both occur twice, and a+b wins because
  // 'a' (97) has a smaller id than "aa" (256). Then aa+ab occurs twice.
  std::vector<int64_t> progress;
  ByteLevelBpe tokenizer = ByteLevelBpe::train("aaabdaaabac<|endoftext|>", 260, {"<|endoftext|>"},
                                               [&](int64_t size, int64_t wanted) {
                                                 EXPECT_EQ(wanted, 260);
                                                 progress.push_back(size);
                                               });
  EXPECT_EQ(progress, (std::vector<int64_t>{258, 259, 260}));
  ASSERT_EQ(tokenizer.vocabSize(), 260);
  EXPECT_EQ(tokenizer.token(97), "a");
  EXPECT_EQ(tokenizer.token(32), "Ġ");
  EXPECT_EQ(tokenizer.token(256), "aa");
  EXPECT_EQ(tokenizer.token(257), "ab");
  EXPECT_EQ(tokenizer.token(258), "aaab");
  EXPECT_EQ(tokenizer.token(259), "<|endoftext|>");
  EXPECT_EQ(tokenizer.encode("aaabdaaabac<|endoftext|>"), (std::vector<int32_t>{258, 100, 258, 97, 99, 259}));
}

TEST(ByteLevelBpeTrainerTest, StopsWhenNoPairIsLeft) {
  ByteLevelBpe tokenizer = ByteLevelBpe::train("ab ab", 1000, {});
  // "ab" and " ab" are the pre-tokens: a+b, then Ġ+ab.
  EXPECT_EQ(tokenizer.vocabSize(), 258);
  EXPECT_EQ(tokenizer.encode("ab ab"), (std::vector<int32_t>{256, 257}));
}

TEST(ByteLevelBpeTrainerTest, RejectsImpossibleRequests) {
  expectError([] { ByteLevelBpe::train("text", 256, {"<|endoftext|>"}); }, "BPE training",
              {"256 tokens cannot hold the 256 byte tokens and 1 special tokens"});
  expectError([] { ByteLevelBpe::train("text", 300, {"<a>", "<a>"}); }, "BPE training", {"'<a>' is given twice"});
  expectError([] { ByteLevelBpe::train("text", 300, {""}); }, "BPE training", {"empty"});
  expectError([] { ByteLevelBpe::train("text", 300, {"\xFF"}); }, "BPE training", {"not valid UTF-8"});
  expectError([] { ByteLevelBpe::train("text", 300, {"t"}); }, "BPE training", {"token 't' has two ids"});
}

TEST(ByteLevelBpeTrainerTest, TrainedVocabularyRoundTripsThroughFiles) {
  std::string text = readText(kFixtures + "/tokenizer-text.txt");
  ByteLevelBpe trained = ByteLevelBpe::train(text, 2000, {"<|endoftext|>", "<|pad|>"});
  ASSERT_EQ(trained.vocabSize(), 2000);
  EXPECT_EQ(trained.tokenId("<|endoftext|>"), 1998);
  EXPECT_EQ(trained.tokenId("<|pad|>"), 1999);

  ScratchDirectory scratch;
  trained.save(scratch.path("first"));
  ByteLevelBpe::train(text, 2000, {"<|endoftext|>", "<|pad|>"}).save(scratch.path("second"));
  EXPECT_EQ(readText(scratch.path("first/vocab.json")), readText(scratch.path("second/vocab.json")));
  EXPECT_EQ(readText(scratch.path("first/merges.txt")), readText(scratch.path("second/merges.txt")));

  ByteLevelBpe loaded = ByteLevelBpe::load(scratch.path("first"));
  EXPECT_EQ(loaded.vocabSize(), 2000);
  std::vector<int32_t> ids = loaded.encode(text);
  EXPECT_EQ(ids, trained.encode(text));
  EXPECT_LT(ids.size(), text.size() / 2); // the merges do compress
  EXPECT_EQ(loaded.decode(ids), text);
}

} // namespace
} // namespace ptm::test
