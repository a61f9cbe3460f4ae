#include "runtime/tokenizers/WordPiece.h"

#include "runtime/Error.h"
#include "runtime/tokenizers/Gpt2Pretokenizer.h"
#include "test/runtime/TestArtifact.h"

#include <gtest/gtest.h>

#include <sstream>
#include <thread>

namespace ptm::test {
namespace {

const std::string kFixtures = PTM_TEST_FIXTURES_DIR;

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

const WordPiece &uncased() {
  static const WordPiece tokenizer = WordPiece::load(kFixtures + "/bert-base-uncased");
  return tokenizer;
}

const WordPiece &chinese() {
  static const WordPiece tokenizer = WordPiece::load(kFixtures + "/bert-base-chinese");
  return tokenizer;
}

using Tokens = std::vector<std::string>;

void expectMatchesReference(const WordPiece &tokenizer, const std::string &expectedFile) {
  std::vector<std::string> lines = readLines(kFixtures + "/wordpiece-text.txt");
  std::vector<std::string> expected = readLines(kFixtures + "/" + expectedFile);
  ASSERT_EQ(lines.size(), expected.size());
  ASSERT_GE(lines.size(), 1000u);
  int mismatches = 0;
  for (size_t index = 0; index < lines.size(); ++index)
    if (tokenizer.encode(lines[index]) != parseIds(expected[index]) && ++mismatches <= 5)
      ADD_FAILURE() << expectedFile << " line " << index + 1 << " differs";
  EXPECT_EQ(mismatches, 0);
}

TEST(WordPieceTest, MatchesBertBaseUncasedOnEveryLineOfTheReferenceText) {
  EXPECT_TRUE(uncased().normalization().lowercase);
  expectMatchesReference(uncased(), "bert-base-uncased-expected-ids.txt");
}

TEST(WordPieceTest, MatchesBertBaseChineseOnEveryLineOfTheReferenceText) {
  EXPECT_FALSE(chinese().normalization().lowercase);
  expectMatchesReference(chinese(), "bert-base-chinese-expected-ids.txt");
}

TEST(WordPieceTest, SplitsEveryChineseCharacterAndKeepsSpecialTokensWrittenInText) {
  EXPECT_EQ(chinese().tokenize("巴黎是法國的[MASK]都。"), (Tokens{"巴", "黎", "是", "法", "國", "的", "[MASK]", "都", "。"}));
  EXPECT_EQ(chinese().encode("巴黎是法國的[MASK]都。"),
            (std::vector<int32_t>{2349, 7944, 3221, 3791, 1751, 4638, 103, 6963, 511}));
  EXPECT_EQ(uncased().encode("[CLS] hi [MASK]"), (std::vector<int32_t>{101, 7632, 103}));
  // Special tokens are matched before lower-casing, and only as written.
  EXPECT_EQ(uncased().tokenize("x[MASK]y [mask]"), (Tokens{"x", "[MASK]", "y", "[", "mask", "]"}));
  // Without lower-casing, a word that spells a special token once cleaned is one.
  EXPECT_EQ(chinese().tokenize("[MA\x01SK]"), Tokens{"[MASK]"});
}

TEST(WordPieceTest, LowerCasesWithPythonsFullMappingAndStripsAccents) {
  EXPECT_EQ(uncased().tokenize("Café NAÏVE Ångström Straße"),
            (Tokens{"cafe", "naive", "ang", "##strom", "st", "##raße"}));
  EXPECT_EQ(uncased().tokenize("İstanbul"), Tokens{"istanbul"}); // İ -> i + U+0307 -> i
  EXPECT_EQ(uncased().tokenize("ΟΔΟΣ"), (Tokens{"ο", "##δ", "##ο", "##σ"})); // no final sigma
  EXPECT_EQ(chinese().tokenize("Café"), Tokens{"[UNK]"});
  WordPiece lowered = WordPiece::load(kFixtures + "/bert-base-chinese", true);
  EXPECT_EQ(lowered.decode(lowered.encode("CAFÉ")), "cafe");
}

TEST(WordPieceTest, MatchesGreedilyLongestFirstWithContinuations) {
  EXPECT_EQ(uncased().tokenize("unaffable"), (Tokens{"una", "##ffa", "##ble"}));
  EXPECT_EQ(uncased().encode("unaffable"), (std::vector<int32_t>{14477, 20961, 3468}));
  EXPECT_TRUE(uncased().continuesWord(20961));
  EXPECT_FALSE(uncased().continuesWord(14477));
  EXPECT_FALSE(uncased().continuesWord(-1));
}

TEST(WordPieceTest, WordsOverOneHundredCharactersBecomeUnknown) {
  std::vector<int32_t> hundred = uncased().encode(std::string(100, 'a'));
  EXPECT_EQ(hundred.size(), 50u);
  EXPECT_EQ(hundred.front(), 13360); // "aaa", then "##aa" x 48, "##a"
  EXPECT_EQ(uncased().encode(std::string(101, 'a')), std::vector<int32_t>{uncased().unkId()});
  // Counted in characters, not bytes: 100 "α" are 200 bytes.
  std::string greek;
  for (int i = 0; i < 100; ++i)
    greek += "α";
  EXPECT_EQ(uncased().encode(greek).size(), 100u);
  EXPECT_EQ(uncased().encode(greek + "α"), std::vector<int32_t>{uncased().unkId()});
}

TEST(WordPieceTest, DropsControlAndFormatCharactersAndInvalidUtf8) {
  EXPECT_EQ(uncased().tokenize("hello\x01world\u200b!"), (Tokens{"hello", "##world", "!"}));
  EXPECT_EQ(uncased().encode("caf\xC3 x\xFF\xFEy"), uncased().encode("caf xy"));
  EXPECT_EQ(uncased().tokenize("a\u2028b\tc\rd"), (Tokens{"a", "b", "c", "d"}));
  EXPECT_TRUE(uncased().encode(" \t\u200d ").empty());
}

TEST(WordPieceTest, BuildsSingleAndPairInputsWithTokenTypes) {
  EXPECT_EQ(uncased().encodeWithSpecialTokens("unaffable"), (std::vector<int32_t>{101, 14477, 20961, 3468, 102}));
  WordPiece::EncodedPair pair = uncased().encodePair("Is this a test?", "Yes, it is.");
  EXPECT_EQ(pair.ids,
            (std::vector<int32_t>{101, 2003, 2023, 1037, 3231, 1029, 102, 2748, 1010, 2009, 2003, 1012, 102}));
  EXPECT_EQ(pair.tokenTypeIds, (std::vector<int32_t>{0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1}));
  EXPECT_EQ(uncased().clsId(), 101);
  EXPECT_EQ(uncased().sepId(), 102);
  EXPECT_EQ(uncased().maskId(), 103);
  EXPECT_EQ(uncased().padId(), 0);
  EXPECT_EQ(uncased().unkId(), 100);
}

TEST(WordPieceTest, DecodesAsConvertTokensToString) {
  EXPECT_EQ(uncased().decode(uncased().encode("Unaffable tokenization, [MASK]!")), "unaffable tokenization , [MASK] !");
  EXPECT_EQ(uncased().decode({}), "");
  expectError([] { uncased().decode({30522}); }, "WordPiece", {"30522", "outside the vocabulary"});
}

TEST(WordPieceTest, ReadsTheVocabularyAsPythonsReadlinesDoes) {
  // bert-base-chinese holds U+2028 as a token of its own: not a line break.
  EXPECT_EQ(chinese().tokenId("\u2028"), 343);
  EXPECT_EQ(chinese().token(343), "\u2028");
  EXPECT_EQ(uncased().vocabSize(), 30522);
  ScratchDirectory scratch;
  writeText(scratch.path("vocab.txt"), "[PAD]\r\n[UNK]\r[CLS]\n[SEP]\n[MASK]\nab\n##c");
  WordPiece tokenizer = WordPiece::load(scratch.path(""));
  EXPECT_EQ(tokenizer.vocabSize(), 7);
  EXPECT_EQ(tokenizer.tokenId("##c"), 6);
  EXPECT_EQ(tokenizer.tokenize("ABC abd"), (Tokens{"ab", "##c", "[UNK]"}));
  EXPECT_EQ(WordPiece::load(scratch.path(""), false).tokenize("ABC"), Tokens{"[UNK]"});
}

TEST(WordPieceTest, EncodesTheSameFromSeveralThreads) {
  std::vector<std::string> lines = readLines(kFixtures + "/wordpiece-text.txt");
  std::vector<std::vector<int32_t>> serial;
  for (const std::string &line : lines)
    serial.push_back(uncased().encode(line));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int thread = 0; thread < 4; ++thread)
    threads.emplace_back([&, thread] {
      for (size_t index = 0; index < lines.size(); ++index)
        mismatches[thread] += uncased().encode(lines[index]) != serial[index];
    });
  for (std::thread &thread : threads)
    thread.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

TEST(WordPieceTest, LoadErrorsNameTheFile) {
  ScratchDirectory scratch;
  expectError([&] { WordPiece::load(scratch.path("")); }, scratch.path(""), {"no vocab.txt"});
  writeText(scratch.path("vocab.txt"), "");
  expectError([&] { WordPiece::load(scratch.path("")); }, scratch.path("vocab.txt"), {"is empty"});
  writeText(scratch.path("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\n[UNK]\n");
  expectError([&] { WordPiece::load(scratch.path("")); }, scratch.path("vocab.txt"),
              {"token '[UNK]' has two ids, 1 and 6"});
  writeText(scratch.path("vocab.txt"), "[PAD]\n[UNK]\n[SEP]\n[MASK]\n");
  expectError([&] { WordPiece::load(scratch.path("")); }, scratch.path("vocab.txt"), {"no special token '[CLS]'"});
  writeText(scratch.path("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n\xFF\n");
  expectError([&] { WordPiece::load(scratch.path("")); }, scratch.path("vocab.txt"), {"line 6", "not valid UTF-8"});
  writeText(scratch.path("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n");
  writeText(scratch.path("tokenizer_config.json"), "{\"do_lower_case\": tru");
  expectError([&] { WordPiece::load(scratch.path("")); }, scratch.path("tokenizer_config.json"), {"malformed JSON"});
  writeText(scratch.path("tokenizer_config.json"), "[true]");
  expectError([&] { WordPiece::load(scratch.path("")); }, scratch.path("tokenizer_config.json"), {"not a JSON object"});
  writeText(scratch.path("tokenizer_config.json"), "{\"strip_accents\": 1}");
  expectError([&] { WordPiece::load(scratch.path("")); }, scratch.path("tokenizer_config.json"),
              {"'strip_accents' is 1, expected true or false"});
  writeText(scratch.path("tokenizer_config.json"), "{\"do_lower_case\": false, \"strip_accents\": true}");
  EXPECT_EQ(WordPiece::load(scratch.path("")).tokenize("É"), Tokens{"[UNK]"}); // "E", not in the vocabulary
  EXPECT_FALSE(WordPiece::load(scratch.path("")).normalization().lowercase);
  EXPECT_TRUE(WordPiece::load(scratch.path("")).normalization().stripAccents);
}

TEST(WordPieceTrainerTest, PutsSpecialsThenTheAlphabetThenMerges) {
  WordPiece trained = WordPiece::train("ab ab AB ac [MASK] ca", 12, true);
  std::vector<std::string> tokens;
  for (int32_t id = 0; id < trained.vocabSize(); ++id)
    tokens.push_back(trained.token(id));
  // (a, ##b) occurs 3 times; (a, ##c) and (c, ##a) once each, so the tie goes
  // to the smaller left id.
  EXPECT_EQ(tokens, (Tokens{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "c", "##a", "##b", "##c", "ab"}));
  EXPECT_EQ(trained.tokenize("abc [MASK]"), (Tokens{"ab", "##c", "[MASK]"}));
  EXPECT_EQ(trained.maskId(), 4);
  EXPECT_EQ(WordPiece::train("ab ab ac ca", 13, true).token(12), "ac");
}

TEST(WordPieceTrainerTest, IsDeterministicCoversItsCorpusAndRoundTrips) {
  std::string text = readText(kFixtures + "/wordpiece-text.txt");
  std::vector<int64_t> sizes;
  WordPiece trained = WordPiece::train(text, 3000, true, [&](int64_t size, int64_t wanted) {
    EXPECT_EQ(wanted, 3000);
    sizes.push_back(size);
  });
  ASSERT_EQ(trained.vocabSize(), 3000);
  EXPECT_TRUE(std::is_sorted(sizes.begin(), sizes.end()));
  EXPECT_EQ(sizes.back(), 3000);
  for (int32_t id = 0; id < 5; ++id)
    EXPECT_EQ(trained.token(id), WordPiece::specialTokens()[id]);

  // [UNK] comes only from words over 100 characters, which no vocabulary
  // covers, and from "[UNK]" written in the text.
  int64_t expectedUnknowns = 0;
  forEachBertWord(text, trained.normalization(), WordPiece::specialTokens(),
                  [&](std::string_view word, int32_t) {
                    size_t characters = 0;
                    for (char byte : word)
                      characters += (static_cast<uint8_t>(byte) & 0xC0) != 0x80;
                    expectedUnknowns += characters > 100 || word == "[UNK]";
                  });
  std::vector<int32_t> ids = trained.encode(text);
  EXPECT_GT(expectedUnknowns, 0);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), trained.unkId()), expectedUnknowns);

  ScratchDirectory scratch;
  trained.save(scratch.path("first"));
  WordPiece::train(text, 3000, true).save(scratch.path("second"));
  for (const char *file : {"vocab.txt", "tokenizer_config.json", "special_tokens_map.json"})
    EXPECT_EQ(readText(scratch.path("first/") + file), readText(scratch.path("second/") + file)) << file;
  WordPiece loaded = WordPiece::load(scratch.path("first"));
  ASSERT_EQ(loaded.vocabSize(), trained.vocabSize());
  for (int32_t id = 0; id < loaded.vocabSize(); ++id)
    ASSERT_EQ(loaded.token(id), trained.token(id));
  EXPECT_TRUE(loaded.normalization().lowercase);
  EXPECT_EQ(loaded.encode(text), ids);
}

TEST(WordPieceTrainerTest, KeepsCaseWhenAskedAndRejectsTinyVocabularies) {
  WordPiece cased = WordPiece::train("Ab ab", 100, false);
  EXPECT_EQ(cased.tokenize("Ab ab"), (Tokens{"Ab", "ab"}));
  EXPECT_FALSE(cased.normalization().lowercase);
  EXPECT_EQ(cased.vocabSize(), 5 + 4 + 2); // A a b ##b, then Ab ab (no pair left)
  expectError([] { WordPiece::train("text", 4, true); }, "WordPiece training", {"cannot hold the 5 special tokens"});
}

} // namespace
} // namespace ptm::test
