// tokenizer.json loading: ByteLevelBpe::loadTokenizerJson and
// WordPiece::loadTokenizerJson against the slow tokenizers' files of the same
// vocabulary, and loadModelTokenizer's choice of kind.
#include "runtime/tokenizers/ModelTokenizer.h"

#include "test/runtime/TestArtifact.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace ptm::test {
namespace {

std::string readText(const std::string &path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

void writeText(const std::string &path, const std::string &text) { std::ofstream(path, std::ios::binary) << text; }

// A miniature GPT-2 tokenizer saved as vocab.json + merges.txt ("slow") and as
// a tokenizer.json whose vocab lacks the special token, which only
// added_tokens holds ("fast"), as tokenizers may write it.
class BpeTokenizerJsonTest : public ::testing::Test {
protected:
  BpeTokenizerJsonTest() {
    ByteLevelBpe::train("low lower lowest newer wider", 256 + 6 + 1, {"<|endoftext|>"}).save(scratch.path("slow"));
    nlohmann::json vocab = nlohmann::json::parse(readText(scratch.path("slow/vocab.json")));
    specialId = vocab["<|endoftext|>"].get<int64_t>();
    vocab.erase("<|endoftext|>");
    nlohmann::json merges = nlohmann::json::array();
    std::istringstream lines(readText(scratch.path("slow/merges.txt")));
    std::string line;
    std::getline(lines, line); // #version
    while (std::getline(lines, line))
      merges.push_back(line);
    spec = {{"version", "1.0"},
            {"added_tokens", {{{"id", specialId}, {"content", "<|endoftext|>"}, {"special", true}}}},
            {"normalizer", nullptr},
            {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}},
            {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", merges}}}};
  }
  std::string saveFast() {
    std::filesystem::create_directories(scratch.path("fast"));
    writeText(scratch.path("fast/tokenizer.json"), spec.dump());
    return scratch.path("fast");
  }

  ScratchDirectory scratch;
  nlohmann::json spec;
  int64_t specialId = 0;
};

TEST_F(BpeTokenizerJsonTest, EncodesAsTheSlowFiles) {
  ByteLevelBpe slow = ByteLevelBpe::load(scratch.path("slow"));
  ByteLevelBpe fast = ByteLevelBpe::load(saveFast());
  EXPECT_EQ(fast.vocabSize(), slow.vocabSize());
  for (const char *text : {"lowest newer<|endoftext|>wider", "slower and lower, 123 ünïcode"})
    EXPECT_EQ(fast.encode(text), slow.encode(text)) << text;
  EXPECT_EQ(fast.tokenId("<|endoftext|>"), specialId);
  EXPECT_TRUE(ByteLevelBpe::hasVocabulary(scratch.path("fast")));
  EXPECT_FALSE(WordPiece::hasVocabulary(scratch.path("fast")));
  EXPECT_TRUE(loadModelTokenizer(scratch.path("fast")).byteLevelBpe.has_value());
}

TEST_F(BpeTokenizerJsonTest, MergesMayBePairs) {
  nlohmann::json pairs = nlohmann::json::array();
  for (const nlohmann::json &merge : spec["model"]["merges"]) {
    std::string text = merge.get<std::string>();
    pairs.push_back({text.substr(0, text.find(' ')), text.substr(text.find(' ') + 1)});
  }
  spec["model"]["merges"] = pairs;
  EXPECT_EQ(ByteLevelBpe::load(saveFast()).encode("lowest newer"),
            ByteLevelBpe::load(scratch.path("slow")).encode("lowest newer"));
}

TEST_F(BpeTokenizerJsonTest, RejectsOtherTokenizersAndBadIds) {
  std::string path = scratch.path("fast/tokenizer.json");
  spec["added_tokens"][0]["id"] = specialId + 1;
  saveFast();
  expectError([&] { ByteLevelBpe::load(scratch.path("fast")); }, path,
              {"added token '<|endoftext|>' has id", "the next free id is"});
  spec["added_tokens"][0]["id"] = specialId;
  spec["pre_tokenizer"]["add_prefix_space"] = true;
  saveFast();
  expectError([&] { ByteLevelBpe::load(scratch.path("fast")); }, path, {"pre_tokenizer is not GPT-2's"});
  spec["pre_tokenizer"]["add_prefix_space"] = false;
  spec["model"]["merges"][0] = "ab";
  saveFast();
  expectError([&] { ByteLevelBpe::load(scratch.path("fast")); }, path + " (model.merges)",
              {"merge 1 is not a merge 'a b'"});
}

// A BERT vocabulary as vocab.txt and as tokenizer.json with a BertNormalizer.
class WordPieceTokenizerJsonTest : public ::testing::Test {
protected:
  WordPieceTokenizerJsonTest() {
    std::vector<std::string> tokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "cafe", "café", "Café", "##s",
                                       "the", "The", "中", "."};
    std::filesystem::create_directories(scratch.path("slow"));
    std::filesystem::create_directories(scratch.path("fast"));
    std::string vocabText;
    nlohmann::json vocab = nlohmann::json::object();
    for (size_t id = 0; id < tokens.size(); ++id) {
      vocabText += tokens[id] + "\n";
      vocab[tokens[id]] = id;
    }
    writeText(scratch.path("slow/vocab.txt"), vocabText);
    spec = {{"normalizer",
             {{"type", "BertNormalizer"}, {"clean_text", true}, {"handle_chinese_chars", true},
              {"strip_accents", nullptr}, {"lowercase", true}}},
            {"pre_tokenizer", {{"type", "BertPreTokenizer"}}},
            {"model",
             {{"type", "WordPiece"}, {"unk_token", "[UNK]"}, {"continuing_subword_prefix", "##"},
              {"max_input_chars_per_word", 100}, {"vocab", vocab}}}};
  }
  WordPiece fast() {
    writeText(scratch.path("fast/tokenizer.json"), spec.dump());
    return WordPiece::load(scratch.path("fast"));
  }

  ScratchDirectory scratch;
  nlohmann::json spec;
};

TEST_F(WordPieceTokenizerJsonTest, FollowsTheNormalizer) {
  const char *text = "The Cafés 中.";
  EXPECT_EQ(fast().encode(text), WordPiece::load(scratch.path("slow"), true).encode(text));
  EXPECT_EQ(fast().encode(text), (std::vector<int32_t>{9, 5, 8, 11, 12}));
  spec["normalizer"]["lowercase"] = false;
  EXPECT_EQ(fast().encode(text), WordPiece::load(scratch.path("slow"), false).encode(text));
  EXPECT_EQ(fast().encode(text), (std::vector<int32_t>{10, 7, 8, 11, 12}));
  spec["normalizer"]["lowercase"] = true;
  spec["normalizer"]["strip_accents"] = false;
  EXPECT_EQ(fast().encode(text), (std::vector<int32_t>{9, 6, 8, 11, 12}));
  EXPECT_TRUE(WordPiece::hasVocabulary(scratch.path("fast")));
  EXPECT_TRUE(loadModelTokenizer(scratch.path("fast")).wordPiece.has_value());
}

TEST_F(WordPieceTokenizerJsonTest, RejectsWhatBertDoesNotDo) {
  std::string path = scratch.path("fast/tokenizer.json");
  spec["model"]["unk_token"] = "<unk>";
  expectError([&] { fast(); }, path, {"model.unk_token is \"<unk>\""});
  spec["model"]["unk_token"] = "[UNK]";
  spec["normalizer"] = nullptr;
  expectError([&] { fast(); }, path, {"normalizer is not BertNormalizer"});
  ScratchDirectory empty;
  expectError([&] { loadModelTokenizer(empty.path("")); }, empty.path(""), {"holds no tokenizer"});
}

} // namespace
} // namespace ptm::test
