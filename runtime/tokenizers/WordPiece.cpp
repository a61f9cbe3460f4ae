#include "runtime/tokenizers/WordPiece.h"

#include "runtime/AtomicFile.h"
#include "runtime/Error.h"
#include "runtime/InputFile.h"
#include "runtime/tokenizers/Gpt2Pretokenizer.h"
#include "runtime/tokenizers/TokenizerJson.h"
#include "runtime/tokenizers/Utf8.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <limits>

namespace ptm {

namespace {

// BertTokenizer's max_input_chars_per_word.
constexpr size_t kMaxWordChars = 100;

std::string pathIn(const std::string &directory, const char *fileName) {
  return (std::filesystem::path(directory) / fileName).string();
}

std::string readWholeFile(const std::string &path) {
  InputFile file = openInputFile(path);
  std::string content(file.size, '\0');
  if (!file.stream.read(content.data(), static_cast<std::streamsize>(content.size())))
    throw Error(path, "read failed");
  return content;
}

// The lines of vocab.txt as Python's text-mode readlines() sees them.
std::vector<std::string> readVocabulary(const std::string &path) {
  std::string content = readWholeFile(path);
  if (content.empty())
    throw Error(path, "is empty");
  std::vector<std::string> tokens;
  size_t start = 0;
  while (start < content.size()) {
    size_t end = content.find_first_of("\r\n", start);
    if (end == std::string::npos)
      end = content.size();
    std::string token = content.substr(start, end - start);
    if (replaceInvalidUtf8(token) != token)
      throw Error(path, "line " + std::to_string(tokens.size() + 1) + " is not valid UTF-8");
    tokens.push_back(std::move(token));
    start = end + 1;
    if (end < content.size() && content[end] == '\r' && start < content.size() && content[start] == '\n')
      ++start;
  }
  if (tokens.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max()))
    throw Error(path, "has more tokens than 32-bit ids can number");
  return tokens;
}

bool configFlag(const nlohmann::json &config, const char *key, bool fallback, const std::string &path) {
  auto found = config.find(key);
  if (found == config.end())
    return fallback;
  if (!found->is_boolean())
    throw Error(path, std::string("'") + key + "' is " + found->dump() + ", expected true or false");
  return found->get<bool>();
}

// BertTokenizer's normalisation settings from tokenizer_config.json, if any.
BertNormalization readNormalization(const std::string &directory, std::optional<bool> lowercase) {
  std::string path = pathIn(directory, "tokenizer_config.json");
  nlohmann::json config = nlohmann::json::object();
  std::error_code ignored;
  if (std::filesystem::exists(path, ignored)) {
    try {
      config = nlohmann::json::parse(readWholeFile(path));
    } catch (const nlohmann::json::parse_error &error) {
      throw Error(path, std::string("malformed JSON: ") + error.what());
    }
    if (!config.is_object())
      throw Error(path, "is not a JSON object");
  }
  BertNormalization normalization;
  normalization.lowercase = lowercase ? *lowercase : configFlag(config, "do_lower_case", true, path);
  normalization.splitChineseChars = configFlag(config, "tokenize_chinese_chars", true, path);
  normalization.stripAccents = normalization.lowercase;
  if (auto found = config.find("strip_accents"); found != config.end() && !found->is_null())
    normalization.stripAccents = configFlag(config, "strip_accents", true, path);
  return normalization;
}

// Python's str.strip() of `text`.
std::string_view stripPythonSpace(std::string_view text) {
  while (!text.empty()) {
    Utf8Step step = decodeUtf8(text);
    if (!isPythonSpace(step.codePoint))
      break;
    text.remove_prefix(step.length);
  }
  while (!text.empty()) {
    size_t start = text.size() - 1;
    while (start > 0 && (static_cast<uint8_t>(text[start]) & 0xC0) == 0x80)
      --start;
    if (!isPythonSpace(decodeUtf8(text.substr(start)).codePoint))
      break;
    text.remove_suffix(text.size() - start);
  }
  return text;
}

size_t utf8SequenceLength(uint8_t leadByte) {
  return leadByte < 0x80 ? 1 : leadByte < 0xE0 ? 2 : leadByte < 0xF0 ? 3 : 4;
}

size_t codePointCount(std::string_view text) {
  size_t count = 0;
  for (size_t offset = 0; offset < text.size(); offset += utf8SequenceLength(static_cast<uint8_t>(text[offset])))
    ++count;
  return count;
}

} // namespace

const std::vector<std::string> &WordPiece::specialTokens() {
  static const std::vector<std::string> tokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
  return tokens;
}

bool WordPiece::hasVocabulary(const std::string &directory) {
  std::error_code ignored;
  return std::filesystem::is_regular_file(pathIn(directory, "vocab.txt"), ignored) ||
         tokenizerJsonModelType(directory) == "WordPiece";
}

WordPiece WordPiece::load(const std::string &directory, std::optional<bool> lowercase) {
  std::string vocabPath = pathIn(directory, "vocab.txt");
  std::error_code ignored;
  if (!std::filesystem::is_regular_file(vocabPath, ignored)) {
    if (tokenizerJsonModelType(directory) != "WordPiece")
      throw Error(directory, "holds no vocab.txt nor a WordPiece tokenizer.json (a WordPiece vocabulary)");
    return loadTokenizerJson(tokenizerJsonPath(directory), lowercase);
  }
  std::vector<std::string> tokens = readVocabulary(vocabPath);
  return WordPiece(std::move(tokens), readNormalization(directory, lowercase), vocabPath);
}

WordPiece WordPiece::loadTokenizerJson(const std::string &path, std::optional<bool> lowercase) {
  nlohmann::json spec = readTokenizerJson(path);
  const nlohmann::json &model = spec["model"];
  const std::string type = model["type"].get<std::string>();
  if (type != "WordPiece")
    throw Error(path, "holds a " + type + " tokenizer, not WordPiece");
  // What BertTokenizer fixes, tokenizer.json spells out: only BERT's values
  // are followed.
  auto require = [&](const nlohmann::json &object, const char *key, const nlohmann::json &expected,
                     const std::string &where) {
    if (object.is_object() && object.contains(key) && object[key] != expected)
      throw Error(path, where + "." + key + " is " + object[key].dump() + "; ptm's WordPiece follows BERT's " +
                            expected.dump());
  };
  require(model, "unk_token", "[UNK]", "model");
  require(model, "continuing_subword_prefix", std::string(kContinuationPrefix), "model");
  require(model, "max_input_chars_per_word", kMaxWordChars, "model");
  const nlohmann::json &preTokenizer = spec.contains("pre_tokenizer") ? spec["pre_tokenizer"] : nlohmann::json();
  if (!preTokenizer.is_object() || preTokenizer.value("type", "") != "BertPreTokenizer")
    throw Error(path, "its pre_tokenizer is not BertPreTokenizer: " + preTokenizer.dump());
  const nlohmann::json &normalizer = spec.contains("normalizer") ? spec["normalizer"] : nlohmann::json();
  if (!normalizer.is_object() || normalizer.value("type", "") != "BertNormalizer")
    throw Error(path, "its normalizer is not BertNormalizer: " + normalizer.dump());
  require(normalizer, "clean_text", true, "normalizer");

  // BertNormalizer's defaults are BertTokenizer's: lowercase true,
  // handle_chinese_chars true, strip_accents null (= as lowercase).
  const std::string where = path + " (normalizer)";
  BertNormalization normalization;
  normalization.lowercase = lowercase ? *lowercase : configFlag(normalizer, "lowercase", true, where);
  normalization.splitChineseChars = configFlag(normalizer, "handle_chinese_chars", true, where);
  normalization.stripAccents = normalization.lowercase;
  if (auto found = normalizer.find("strip_accents"); found != normalizer.end() && !found->is_null())
    normalization.stripAccents = configFlag(normalizer, "strip_accents", true, where);
  return WordPiece(tokenizerJsonVocabulary(spec, path), normalization, path);
}

WordPiece::WordPiece(std::vector<std::string> tokens, const BertNormalization &normalization,
                     const std::string &origin)
    : tokens_(std::move(tokens)), normalization_(normalization) {
  idsByToken_.reserve(tokens_.size());
  for (size_t id = 0; id < tokens_.size(); ++id) {
    auto [existing, inserted] = idsByToken_.emplace(tokens_[id], static_cast<int32_t>(id));
    if (!inserted)
      throw Error(origin, "token '" + tokens_[id] + "' has two ids, " + std::to_string(existing->second) + " and " +
                              std::to_string(id));
    longestTokenChars_ = std::max(longestTokenChars_, codePointCount(tokens_[id]));
  }
  for (int index = 0; index < kSpecialCount; ++index) {
    auto found = idsByToken_.find(specialTokens()[index]);
    if (found == idsByToken_.end())
      throw Error(origin, "has no special token '" + specialTokens()[index] + "'");
    specialIds_[index] = found->second;
  }
}

void WordPiece::save(const std::string &directory) const {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error)
    throw Error(directory, "cannot create the directory: " + error.message());
  writeFileAtomically(pathIn(directory, "vocab.txt"), [&](std::ostream &stream) {
    for (const std::string &token : tokens_)
      stream << token << '\n';
  });
  nlohmann::json specialTokensMap = {{"unk_token", "[UNK]"}, {"sep_token", "[SEP]"}, {"pad_token", "[PAD]"},
                                     {"cls_token", "[CLS]"}, {"mask_token", "[MASK]"}};
  nlohmann::json config = specialTokensMap;
  config["tokenizer_class"] = "BertTokenizer";
  config["do_lower_case"] = normalization_.lowercase;
  config["strip_accents"] = normalization_.stripAccents;
  config["tokenize_chinese_chars"] = normalization_.splitChineseChars;
  writeFileAtomically(pathIn(directory, "tokenizer_config.json"),
                      [&](std::ostream &stream) { stream << config.dump(2) << '\n'; });
  writeFileAtomically(pathIn(directory, "special_tokens_map.json"),
                      [&](std::ostream &stream) { stream << specialTokensMap.dump(2) << '\n'; });
}

std::vector<int32_t> WordPiece::encode(std::string_view text) const {
  std::vector<int32_t> ids;
  forEachBertWord(text, normalization_, specialTokens(), [&](std::string_view word, int32_t specialIndex) {
    if (specialIndex == kOrdinaryText)
      appendWordPieces(word, ids);
    else
      ids.push_back(specialIds_[specialIndex]);
  });
  return ids;
}

std::vector<int32_t> WordPiece::encodeWithSpecialTokens(std::string_view text) const {
  std::vector<int32_t> ids = {clsId()};
  std::vector<int32_t> body = encode(text);
  ids.insert(ids.end(), body.begin(), body.end());
  ids.push_back(sepId());
  return ids;
}

WordPiece::EncodedPair WordPiece::encodePair(std::string_view first, std::string_view second) const {
  EncodedPair pair;
  pair.ids = encodeWithSpecialTokens(first);
  pair.tokenTypeIds.assign(pair.ids.size(), 0);
  std::vector<int32_t> secondIds = encode(second);
  secondIds.push_back(sepId());
  pair.ids.insert(pair.ids.end(), secondIds.begin(), secondIds.end());
  pair.tokenTypeIds.resize(pair.ids.size(), 1);
  return pair;
}

std::vector<std::string> WordPiece::tokenize(std::string_view text) const {
  std::vector<std::string> tokens;
  for (int32_t id : encode(text))
    tokens.push_back(tokens_[id]);
  return tokens;
}

void WordPiece::appendWordPieces(std::string_view word, std::vector<int32_t> &ids) const {
  std::vector<size_t> offsets; // of each character, then the end
  for (size_t offset = 0; offset < word.size(); offset += utf8SequenceLength(static_cast<uint8_t>(word[offset])))
    offsets.push_back(offset);
  const size_t charCount = offsets.size();
  offsets.push_back(word.size());
  if (charCount > kMaxWordChars) {
    ids.push_back(unkId());
    return;
  }
  const size_t firstPiece = ids.size();
  std::string continuation;
  for (size_t start = 0; start < charCount;) {
    std::optional<int32_t> match;
    size_t end = std::min(charCount, start + longestTokenChars_);
    for (; end > start; --end) {
      std::string_view piece = word.substr(offsets[start], offsets[end] - offsets[start]);
      if (start > 0) {
        continuation.assign(kContinuationPrefix);
        continuation += piece;
        piece = continuation;
      }
      if (auto found = idsByToken_.find(piece); found != idsByToken_.end()) {
        match = found->second;
        break;
      }
    }
    if (!match) {
      ids.resize(firstPiece);
      ids.push_back(unkId());
      return;
    }
    ids.push_back(*match);
    start = end;
  }
}

std::string WordPiece::decode(const std::vector<int32_t> &ids) const {
  std::string joined;
  for (size_t index = 0; index < ids.size(); ++index) {
    checkId(ids[index]);
    if (index > 0)
      joined += ' ';
    joined += tokens_[ids[index]];
  }
  static constexpr std::string_view kJoinedContinuation = " ##";
  std::string text;
  text.reserve(joined.size());
  for (size_t position = 0; position < joined.size();) {
    if (std::string_view(joined).substr(position, kJoinedContinuation.size()) == kJoinedContinuation) {
      position += kJoinedContinuation.size();
    } else {
      text += joined[position];
      ++position;
    }
  }
  return std::string(stripPythonSpace(text));
}

std::optional<int32_t> WordPiece::tokenId(std::string_view token) const {
  auto found = idsByToken_.find(token);
  if (found == idsByToken_.end())
    return std::nullopt;
  return found->second;
}

const std::string &WordPiece::token(int32_t id) const {
  checkId(id);
  return tokens_[id];
}

bool WordPiece::continuesWord(int32_t id) const {
  return id >= 0 && id < vocabSize() && tokens_[id].compare(0, kContinuationPrefix.size(), kContinuationPrefix) == 0;
}

void WordPiece::checkId(int32_t id) const {
  if (id < 0 || id >= vocabSize())
    throw Error("WordPiece", "token id " + std::to_string(id) + " is outside the vocabulary of " +
                                 std::to_string(vocabSize()) + " tokens");
}

} // namespace ptm
