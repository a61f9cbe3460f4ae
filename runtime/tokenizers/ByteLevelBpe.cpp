#include "runtime/tokenizers/ByteLevelBpe.h"

#include "runtime/AtomicFile.h"
#include "runtime/Error.h"
#include "runtime/InputFile.h"
#include "runtime/tokenizers/Gpt2Pretokenizer.h"
#include "runtime/tokenizers/TokenizerJson.h"
#include "runtime/tokenizers/Utf8.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <limits>
#include <mutex>
#include <queue>

namespace ptm {

namespace {

// GPT-2's bytes_to_unicode(): the code point that spells byte `value` in
// vocabulary strings. Printable bytes stand for themselves; the others (control
// characters, space, DEL, NBSP, soft hyphen) take U+0100 upwards in byte order,
// so that no vocabulary string holds whitespace or a control character.
int32_t byteCodePoint(uint8_t value) {
  auto printable = [](int32_t byte) {
    return (byte >= '!' && byte <= '~') || (byte >= 0xA1 && byte <= 0xAC) || (byte >= 0xAE && byte <= 0xFF);
  };
  if (printable(value))
    return value;
  int32_t unprintableBefore = 0;
  for (int32_t byte = 0; byte < value; ++byte)
    unprintableBefore += printable(byte) ? 0 : 1;
  return 0x100 + unprintableBefore;
}

void appendUtf8(int32_t codePoint, std::string &out) {
  // Byte code points are below U+0800, so one or two bytes suffice.
  if (codePoint < 0x80) {
    out += static_cast<char>(codePoint);
  } else {
    out += static_cast<char>(0xC0 | (codePoint >> 6));
    out += static_cast<char>(0x80 | (codePoint & 0x3F));
  }
}

// Spelling and unspelling vocabulary strings.
struct ByteAlphabet {
  std::string symbols[256];
  std::unordered_map<int32_t, uint8_t> bytesByCodePoint;

  ByteAlphabet() {
    for (int32_t byte = 0; byte < 256; ++byte) {
      int32_t codePoint = byteCodePoint(static_cast<uint8_t>(byte));
      appendUtf8(codePoint, symbols[byte]);
      bytesByCodePoint[codePoint] = static_cast<uint8_t>(byte);
    }
  }

  // The bytes a vocabulary string spells, or nullopt if it holds a character
  // outside the alphabet.
  std::optional<std::string> bytesOf(std::string_view spelled) const {
    std::string bytes;
    while (!spelled.empty()) {
      Utf8Step step = decodeUtf8(spelled);
      auto found = bytesByCodePoint.find(step.codePoint);
      if (found == bytesByCodePoint.end())
        return std::nullopt;
      bytes += static_cast<char>(found->second);
      spelled.remove_prefix(step.length);
    }
    return bytes;
  }
};

const ByteAlphabet &byteAlphabet() {
  static const ByteAlphabet alphabet;
  return alphabet;
}

std::string readWholeFile(const std::string &path) {
  InputFile file = openInputFile(path);
  std::string content(file.size, '\0');
  if (!file.stream.read(content.data(), static_cast<std::streamsize>(content.size())))
    throw Error(path, "read failed");
  return content;
}

std::vector<std::string> readVocabulary(const std::string &path) {
  nlohmann::json vocabulary;
  try {
    vocabulary = nlohmann::json::parse(readWholeFile(path));
  } catch (const nlohmann::json::parse_error &error) {
    throw Error(path, std::string("malformed JSON: ") + error.what());
  }
  return vocabularyById(vocabulary, path);
}

struct MergesFile {
  std::vector<std::pair<std::string, std::string>> merges;
  std::vector<int64_t> lines;
};

MergesFile readMerges(const std::string &path) {
  std::string content = readWholeFile(path);
  MergesFile file;
  std::string_view rest = content;
  for (int64_t lineNumber = 1; !rest.empty(); ++lineNumber) {
    size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    if (lineNumber == 1 && line.rfind("#version", 0) == 0)
      continue;
    size_t space = line.find(' ');
    if (space == 0 || space == std::string_view::npos || space + 1 == line.size() ||
        line.find(' ', space + 1) != std::string_view::npos)
      throw Error(path, "line " + std::to_string(lineNumber) + " is not a merge 'a b': '" + std::string(line) + "'");
    file.merges.emplace_back(line.substr(0, space), line.substr(space + 1));
    file.lines.push_back(lineNumber);
  }
  return file;
}

std::string pathIn(const std::string &directory, const char *fileName) {
  return (std::filesystem::path(directory) / fileName).string();
}

bool isFile(const std::string &path) {
  std::error_code ignored;
  return std::filesystem::is_regular_file(path, ignored);
}

// Words longer than this are rarely seen twice, so caching them would only
// fill the cache.
constexpr size_t kMaxCachedWordBytes = 64;
constexpr size_t kWordCacheCapacity = 1 << 17;

} // namespace

// Pre-token -> ids. Text repeats its words, and looking one up is far cheaper
// than running BPE on it again. Entries are never evicted: once the cache is
// full, new words are simply not added.
struct ByteLevelBpe::WordCache {
  std::mutex mutex;
  std::unordered_map<std::string, std::vector<int32_t>> idsByWord;
};

const std::string &ByteLevelBpe::spelledByte(uint8_t byte) { return byteAlphabet().symbols[byte]; }

ByteLevelBpe::ByteLevelBpe(ByteLevelBpe &&) noexcept = default;
ByteLevelBpe &ByteLevelBpe::operator=(ByteLevelBpe &&) noexcept = default;
ByteLevelBpe::~ByteLevelBpe() = default;

bool ByteLevelBpe::hasVocabulary(const std::string &directory) {
  return isFile(pathIn(directory, "vocab.json")) || isFile(pathIn(directory, "encoder.json")) ||
         tokenizerJsonModelType(directory) == "BPE";
}

ByteLevelBpe ByteLevelBpe::load(const std::string &directory) {
  std::string vocabPath = pathIn(directory, "vocab.json");
  std::string mergesPath = pathIn(directory, "merges.txt");
  if (!isFile(vocabPath)) {
    vocabPath = pathIn(directory, "encoder.json");
    mergesPath = pathIn(directory, "vocab.bpe");
  }
  if (!isFile(vocabPath)) {
    if (tokenizerJsonModelType(directory).empty())
      throw Error(directory, "holds neither vocab.json + merges.txt (Hugging Face) nor encoder.json + vocab.bpe "
                             "(OpenAI) nor tokenizer.json");
    return loadTokenizerJson(tokenizerJsonPath(directory));
  }
  std::vector<std::string> tokens = readVocabulary(vocabPath);
  MergesFile merges = readMerges(mergesPath);
  return ByteLevelBpe(std::move(tokens), merges.merges, merges.lines, vocabPath, mergesPath);
}

ByteLevelBpe ByteLevelBpe::loadTokenizerJson(const std::string &path) {
  nlohmann::json spec = readTokenizerJson(path);
  const nlohmann::json &model = spec["model"];
  const std::string type = model["type"].get<std::string>();
  if (type != "BPE")
    throw Error(path, "holds a " + type + " tokenizer, not GPT-2's byte-level BPE");
  const nlohmann::json &preTokenizer = spec.contains("pre_tokenizer") ? spec["pre_tokenizer"] : nlohmann::json();
  if (!preTokenizer.is_object() || preTokenizer.value("type", "") != "ByteLevel" ||
      preTokenizer.value("add_prefix_space", false) || !preTokenizer.value("use_regex", true))
    throw Error(path, "its pre_tokenizer is not GPT-2's (ByteLevel with add_prefix_space false and use_regex true): " +
                          preTokenizer.dump());
  if (!spec.value("normalizer", nlohmann::json()).is_null())
    throw Error(path, "has a normalizer, which GPT-2's byte-level BPE does not: " + spec["normalizer"].dump());
  std::vector<std::string> tokens = tokenizerJsonVocabulary(spec, path);

  // Merges are "a b" strings (tokenizers before 0.20) or ["a", "b"] pairs.
  const std::string mergesOrigin = path + " (model.merges)";
  if (!model.contains("merges") || !model["merges"].is_array())
    throw Error(path, "its model has no merges list");
  std::vector<std::pair<std::string, std::string>> merges;
  std::vector<int64_t> mergeNumbers;
  for (const nlohmann::json &merge : model["merges"]) {
    std::string where = "merge " + std::to_string(merges.size() + 1);
    if (merge.is_array() && merge.size() == 2 && merge[0].is_string() && merge[1].is_string()) {
      merges.emplace_back(merge[0].get<std::string>(), merge[1].get<std::string>());
    } else if (merge.is_string()) {
      std::string text = merge.get<std::string>();
      size_t space = text.find(' ');
      if (space == 0 || space == std::string::npos || space + 1 == text.size() ||
          text.find(' ', space + 1) != std::string::npos)
        throw Error(mergesOrigin, where + " is not a merge 'a b': '" + text + "'");
      merges.emplace_back(text.substr(0, space), text.substr(space + 1));
    } else {
      throw Error(mergesOrigin, where + " is neither an 'a b' string nor a pair of strings: " + merge.dump());
    }
    mergeNumbers.push_back(static_cast<int64_t>(merges.size()));
  }
  return ByteLevelBpe(std::move(tokens), merges, mergeNumbers, path, mergesOrigin, "merge");
}

ByteLevelBpe::ByteLevelBpe(std::vector<std::string> tokens,
                           const std::vector<std::pair<std::string, std::string>> &merges,
                           const std::vector<int64_t> &mergeLines, const std::string &vocabOrigin,
                           const std::string &mergesOrigin, const char *mergePosition)
    : tokens_(std::move(tokens)), cache_(std::make_unique<WordCache>()) {
  const ByteAlphabet &alphabet = byteAlphabet();
  for (size_t id = 0; id < tokens_.size(); ++id) {
    auto [existing, inserted] = idsByToken_.emplace(tokens_[id], static_cast<int32_t>(id));
    if (!inserted)
      throw Error(vocabOrigin, "token '" + tokens_[id] + "' has two ids, " + std::to_string(existing->second) +
                                   " and " + std::to_string(id));
  }
  std::vector<bool> isSpecial(tokens_.size(), true);
  for (int byte = 0; byte < 256; ++byte) {
    auto found = idsByToken_.find(alphabet.symbols[byte]);
    if (found == idsByToken_.end()) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", byte);
      throw Error(vocabOrigin, std::string("has no token for byte ") + hex + " ('" + alphabet.symbols[byte] + "')");
    }
    byteIds_[byte] = found->second;
    isSpecial[found->second] = false;
  }

  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const auto &[left, right] = merges[rank];
    std::string where = std::string(mergePosition) + " " + std::to_string(mergeLines[rank]) + ": merge '" + left +
                        " " + right + "' ";
    auto idOf = [&](const std::string &part, const char *role) {
      auto found = idsByToken_.find(part);
      if (found == idsByToken_.end())
        throw Error(mergesOrigin, where + role + " '" + part + "', which is not in " + vocabOrigin);
      return found->second;
    };
    int32_t leftId = idOf(left, "joins");
    int32_t rightId = idOf(right, "joins");
    int32_t resultId = idOf(left + right, "gives");
    auto [existing, inserted] =
        merges_.emplace(pairKey(leftId, rightId), Merge{static_cast<int32_t>(rank), resultId});
    if (!inserted)
      throw Error(mergesOrigin, where + "repeats " + mergePosition + " " +
                                    std::to_string(mergeLines[existing->second.rank]));
    mergeOrder_.emplace_back(leftId, rightId);
    isSpecial[resultId] = false;
  }

  tokenBytes_.reserve(tokens_.size());
  for (size_t id = 0; id < tokens_.size(); ++id) {
    if (isSpecial[id]) {
      specialTokens_.push_back(tokens_[id]);
      specialIds_.push_back(static_cast<int32_t>(id));
      tokenBytes_.push_back(tokens_[id]);
      continue;
    }
    std::optional<std::string> bytes = alphabet.bytesOf(tokens_[id]);
    if (!bytes)
      throw Error(vocabOrigin, "token '" + tokens_[id] + "' comes from merges but is not spelled in byte symbols");
    tokenBytes_.push_back(std::move(*bytes));
  }
}

void ByteLevelBpe::save(const std::string &directory) const {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error)
    throw Error(directory, "cannot create directory: " + error.message());
  // Written by hand in id order: nlohmann's ordered_json finds keys by linear
  // search, which takes seconds for GPT-2's 50,257 tokens.
  writeFileAtomically(pathIn(directory, "vocab.json"), [&](std::ostream &out) {
    out << '{';
    for (size_t id = 0; id < tokens_.size(); ++id)
      out << (id == 0 ? "" : ",") << nlohmann::json(tokens_[id]).dump() << ':' << id;
    out << '}';
  });
  writeFileAtomically(pathIn(directory, "merges.txt"), [&](std::ostream &out) {
    out << "#version: 0.2\n";
    for (const auto &[left, right] : mergeOrder_)
      out << tokens_[left] << ' ' << tokens_[right] << '\n';
  });
}

void ByteLevelBpe::encodeWord(std::string_view word, std::vector<int32_t> &ids) const {
  if (word.size() == 1) {
    ids.push_back(byteIds_[static_cast<uint8_t>(word[0])]);
    return;
  }
  bool cacheable = word.size() <= kMaxCachedWordBytes;
  if (cacheable) {
    std::lock_guard<std::mutex> lock(cache_->mutex);
    auto found = cache_->idsByWord.find(std::string(word));
    if (found != cache_->idsByWord.end()) {
      ids.insert(ids.end(), found->second.begin(), found->second.end());
      return;
    }
  }

  // The symbols as a linked list over their starting byte, and the candidate
  // merges of adjacent symbols in a heap: O(n log n) even for huge words.
  struct Symbol {
    int32_t id; // kMerged once merged into its left neighbour
    int32_t previous;
    int32_t next; // -1 at the ends
  };
  constexpr int32_t kMerged = -1;
  struct Candidate {
    int32_t rank;
    int32_t left; // symbol index
    int32_t leftId;
    int32_t rightId;
    int32_t result;
    bool operator>(const Candidate &other) const {
      return rank != other.rank ? rank > other.rank : left > other.left;
    }
  };
  const int32_t count = static_cast<int32_t>(word.size());
  std::vector<Symbol> symbols(count);
  for (int32_t index = 0; index < count; ++index)
    symbols[index] = {byteIds_[static_cast<uint8_t>(word[index])], index - 1, index + 1 < count ? index + 1 : -1};

  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> candidates;
  // OpenAI's reference merges every occurrence of the best pair, left to
  // right, before it looks for the next best. A merge can form a pair of lower
  // rank than the one being applied (only with merge lists that use a token
  // before the merge that makes it), so such pairs wait until the current rank
  // is done.
  std::vector<Candidate> deferred;
  int32_t currentRank = -1;
  auto consider = [&](int32_t left) {
    if (left < 0 || symbols[left].next < 0)
      return;
    int32_t right = symbols[left].next;
    auto merge = merges_.find(pairKey(symbols[left].id, symbols[right].id));
    if (merge == merges_.end())
      return;
    Candidate candidate{merge->second.rank, left, symbols[left].id, symbols[right].id, merge->second.result};
    if (candidate.rank < currentRank)
      deferred.push_back(candidate);
    else
      candidates.push(candidate);
  };
  for (int32_t index = 0; index + 1 < count; ++index)
    consider(index);

  while (!candidates.empty()) {
    Candidate best = candidates.top();
    candidates.pop();
    currentRank = best.rank;
    Symbol &left = symbols[best.left];
    // Earlier merges may have consumed either symbol since this was queued.
    if (left.id == best.leftId && left.next >= 0 && symbols[left.next].id == best.rightId) {
      Symbol &right = symbols[left.next];
      left.id = best.result;
      right.id = kMerged;
      left.next = right.next;
      if (right.next >= 0)
        symbols[right.next].previous = best.left;
      consider(left.previous);
      consider(best.left);
    }
    if (candidates.empty() || candidates.top().rank != currentRank) {
      for (const Candidate &candidate : deferred)
        candidates.push(candidate);
      deferred.clear();
    }
  }

  size_t first = ids.size();
  for (int32_t index = 0; index >= 0; index = symbols[index].next)
    ids.push_back(symbols[index].id);
  if (cacheable) {
    std::lock_guard<std::mutex> lock(cache_->mutex);
    if (cache_->idsByWord.size() < kWordCacheCapacity)
      cache_->idsByWord.emplace(word, std::vector<int32_t>(ids.begin() + first, ids.end()));
  }
}

std::vector<int32_t> ByteLevelBpe::encode(std::string_view text) const {
  std::vector<int32_t> ids;
  for (const TextSegment &segment : splitAtSpecialTokens(text, specialTokens_)) {
    if (segment.specialIndex != kOrdinaryText) {
      ids.push_back(specialIds_[segment.specialIndex]);
      continue;
    }
    for (std::string_view word : gpt2Pretokens(segment.text))
      encodeWord(word, ids);
  }
  return ids;
}

void ByteLevelBpe::checkId(int32_t id) const {
  if (id < 0 || id >= vocabSize())
    throw Error("token ids", "id " + std::to_string(id) + " is outside the vocabulary of " +
                                 std::to_string(vocabSize()) + " tokens");
}

std::string ByteLevelBpe::decode(const std::vector<int32_t> &ids) const {
  std::string bytes;
  for (int32_t id : ids) {
    checkId(id);
    bytes += tokenBytes_[id];
  }
  return bytes;
}

std::string ByteLevelBpe::decodeText(const std::vector<int32_t> &ids) const { return replaceInvalidUtf8(decode(ids)); }

std::optional<int32_t> ByteLevelBpe::tokenId(std::string_view token) const {
  auto found = idsByToken_.find(std::string(token));
  if (found == idsByToken_.end())
    return std::nullopt;
  return found->second;
}

const std::string &ByteLevelBpe::token(int32_t id) const {
  checkId(id);
  return tokens_[id];
}

} // namespace ptm
