// WordPiece::train: BPE with the "##" continuation prefix over the distinct
// words of the text, each with its frequency, as Hugging Face tokenizers'
// WordPieceTrainer does, merged by PairMerges.
#include "runtime/tokenizers/WordPiece.h"

#include "runtime/Error.h"
#include "runtime/tokenizers/Gpt2Pretokenizer.h"
#include "runtime/tokenizers/PairMerges.h"
#include "runtime/tokenizers/Utf8.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

namespace ptm {

namespace {

constexpr const char *kTrainingOrigin = "WordPiece training";


void appendUtf8(int32_t codePoint, std::string &out) {
  if (codePoint < 0x80) {
    out += static_cast<char>(codePoint);
  } else if (codePoint < 0x800) {
    out += static_cast<char>(0xC0 | (codePoint >> 6));
    out += static_cast<char>(0x80 | (codePoint & 0x3F));
  } else if (codePoint < 0x10000) {
    out += static_cast<char>(0xE0 | (codePoint >> 12));
    out += static_cast<char>(0x80 | ((codePoint >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (codePoint & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (codePoint >> 18));
    out += static_cast<char>(0x80 | ((codePoint >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((codePoint >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (codePoint & 0x3F));
  }
}

std::vector<int32_t> codePointsOf(std::string_view text) {
  std::vector<int32_t> codePoints;
  while (!text.empty()) {
    Utf8Step step = decodeUtf8(text);
    codePoints.push_back(step.codePoint);
    text.remove_prefix(step.length);
  }
  return codePoints;
}

} // namespace

WordPiece WordPiece::train(std::string_view text, int64_t vocabSize, bool lowercase,
                           const TrainingProgress &progress) {
  if (vocabSize > std::numeric_limits<int32_t>::max())
    throw Error(kTrainingOrigin, "a vocabulary of " + std::to_string(vocabSize) + " tokens needs ids beyond 32 bits");
  if (vocabSize < kSpecialCount)
    throw Error(kTrainingOrigin, "a vocabulary of " + std::to_string(vocabSize) + " tokens cannot hold the " +
                                     std::to_string(kSpecialCount) + " special tokens");
  BertNormalization normalization;
  normalization.lowercase = lowercase;
  normalization.stripAccents = lowercase;

  std::unordered_map<std::string, int64_t> frequencies;
  forEachBertWord(text, normalization, specialTokens(), [&](std::string_view word, int32_t specialIndex) {
    if (specialIndex == kOrdinaryText)
      ++frequencies[std::string(word)];
  });

  // The alphabet: every character as a word start, and every character seen
  // inside a word as a continuation, each in code point order.
  std::vector<std::vector<int32_t>> wordCharacters;
  std::vector<int64_t> wordFrequencies;
  std::set<int32_t> characters, continuationCharacters;
  for (const auto &[word, frequency] : frequencies) {
    std::vector<int32_t> codePoints = codePointsOf(word);
    characters.insert(codePoints.begin(), codePoints.end());
    continuationCharacters.insert(codePoints.begin() + 1, codePoints.end());
    wordCharacters.push_back(std::move(codePoints));
    wordFrequencies.push_back(frequency);
  }
  std::vector<std::string> tokens;
  std::unordered_map<std::string, int32_t> idsByToken;
  auto addToken = [&](std::string token) {
    auto [found, isNew] = idsByToken.emplace(token, static_cast<int32_t>(tokens.size()));
    if (isNew)
      tokens.push_back(std::move(token));
    return std::make_pair(found->second, isNew);
  };
  for (const std::string &special : specialTokens())
    addToken(special);
  std::map<int32_t, int32_t> characterIds, continuationIds;
  for (int32_t character : characters) {
    std::string token;
    appendUtf8(character, token);
    characterIds[character] = addToken(token).first;
  }
  for (int32_t character : continuationCharacters) {
    std::string token(kContinuationPrefix);
    appendUtf8(character, token);
    continuationIds[character] = addToken(token).first;
  }

  std::vector<PairMerges::Word> words;
  words.reserve(wordCharacters.size());
  for (size_t index = 0; index < wordCharacters.size(); ++index) {
    PairMerges::Word word{{}, wordFrequencies[index]};
    for (size_t position = 0; position < wordCharacters[index].size(); ++position)
      word.symbols.push_back(position == 0 ? characterIds[wordCharacters[index][position]]
                                           : continuationIds[wordCharacters[index][position]]);
    words.push_back(std::move(word));
  }

  PairMerges pairs(std::move(words));
  while (static_cast<int64_t>(tokens.size()) < vocabSize) {
    std::optional<std::pair<int32_t, int32_t>> pair = pairs.takeMostFrequentPair();
    if (!pair)
      break;
    const auto [left, right] = *pair;
    // Words start with a plain token and continue with "##" ones, so the
    // right side of a pair always carries the prefix.
    auto [merged, isNew] = addToken(tokens[left] + tokens[right].substr(kContinuationPrefix.size()));

    pairs.merge(left, right, merged);
    if (progress && isNew)
      progress(static_cast<int64_t>(tokens.size()), vocabSize);
  }
  return WordPiece(std::move(tokens), normalization, kTrainingOrigin);
}

} // namespace ptm
