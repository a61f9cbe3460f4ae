// WordPiece::train: BPE with the "##" continuation prefix over the distinct
// words of the text, each with its frequency, as Hugging Face tokenizers'
// WordPieceTrainer does. Pair counts are kept up to date as merges rewrite the
// words that hold the merged pair (found through a per-pair list of words),
// and the most frequent pair comes from a heap whose stale entries are
// skipped, so each merge costs time in proportion to the words it touches.
#include "runtime/tokenizers/WordPiece.h"

#include "runtime/Error.h"
#include "runtime/tokenizers/Gpt2Pretokenizer.h"
#include "runtime/tokenizers/Utf8.h"

#include <algorithm>
#include <limits>
#include <map>
#include <queue>
#include <set>

namespace ptm {

namespace {

constexpr const char *kTrainingOrigin = "WordPiece training";

struct Word {
  std::vector<int32_t> symbols;
  int64_t frequency;
  int64_t lastVisit = -1; // the step that last rewrote it
};

uint64_t pairKey(int32_t left, int32_t right) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
}

struct PairCount {
  int64_t count;
  uint64_t pair;
  // The heap's top is the highest count, then the smallest pair key.
  bool operator<(const PairCount &other) const {
    return count != other.count ? count < other.count : pair > other.pair;
  }
};

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

  std::vector<Word> words;
  words.reserve(wordCharacters.size());
  for (size_t index = 0; index < wordCharacters.size(); ++index) {
    Word word{{}, wordFrequencies[index]};
    for (size_t position = 0; position < wordCharacters[index].size(); ++position)
      word.symbols.push_back(position == 0 ? characterIds[wordCharacters[index][position]]
                                           : continuationIds[wordCharacters[index][position]]);
    words.push_back(std::move(word));
  }

  std::unordered_map<uint64_t, int64_t> pairCounts;
  std::unordered_map<uint64_t, std::vector<int32_t>> wordsByPair; // may repeat a word or list stale ones
  for (size_t index = 0; index < words.size(); ++index) {
    const Word &word = words[index];
    for (size_t position = 0; position + 1 < word.symbols.size(); ++position) {
      uint64_t pair = pairKey(word.symbols[position], word.symbols[position + 1]);
      pairCounts[pair] += word.frequency;
      wordsByPair[pair].push_back(static_cast<int32_t>(index));
    }
  }
  std::priority_queue<PairCount> heap;
  for (const auto &[pair, count] : pairCounts)
    heap.push({count, pair});

  for (int64_t step = 0; static_cast<int64_t>(tokens.size()) < vocabSize && !heap.empty(); ++step) {
    PairCount top = heap.top();
    heap.pop();
    int64_t current = pairCounts[top.pair];
    if (current != top.count) { // counts only fall without a new entry
      if (current > 0)
        heap.push({current, top.pair});
      continue;
    }
    const int32_t left = static_cast<int32_t>(top.pair >> 32);
    const int32_t right = static_cast<int32_t>(top.pair & 0xFFFFFFFFu);
    // Words start with a plain token and continue with "##" ones, so the
    // right side of a pair always carries the prefix.
    auto [merged, isNew] = addToken(tokens[left] + tokens[right].substr(kContinuationPrefix.size()));

    // Pairs that hold the new token are the only ones whose counts grow.
    std::vector<uint64_t> grown;
    std::vector<int32_t> affected = std::move(wordsByPair[top.pair]);
    wordsByPair.erase(top.pair);
    for (int32_t index : affected) {
      Word &word = words[index];
      if (word.lastVisit == step)
        continue;
      word.lastVisit = step;
      std::vector<int32_t> &symbols = word.symbols;
      std::vector<int32_t> rewritten;
      rewritten.reserve(symbols.size());
      for (size_t position = 0; position < symbols.size(); ++position) {
        if (position + 1 < symbols.size() && symbols[position] == left && symbols[position + 1] == right) {
          rewritten.push_back(merged);
          ++position;
        } else {
          rewritten.push_back(symbols[position]);
        }
      }
      if (rewritten.size() == symbols.size())
        continue; // listed for a pair it no longer holds
      for (size_t position = 0; position + 1 < symbols.size(); ++position)
        pairCounts[pairKey(symbols[position], symbols[position + 1])] -= word.frequency;
      for (size_t position = 0; position + 1 < rewritten.size(); ++position) {
        uint64_t pair = pairKey(rewritten[position], rewritten[position + 1]);
        pairCounts[pair] += word.frequency;
        if (rewritten[position] == merged || rewritten[position + 1] == merged) {
          wordsByPair[pair].push_back(index);
          grown.push_back(pair);
        }
      }
      symbols = std::move(rewritten);
    }
    std::sort(grown.begin(), grown.end());
    grown.erase(std::unique(grown.begin(), grown.end()), grown.end());
    for (uint64_t pair : grown)
      heap.push({pairCounts[pair], pair});
    if (progress && isNew)
      progress(static_cast<int64_t>(tokens.size()), vocabSize);
  }
  return WordPiece(std::move(tokens), normalization, kTrainingOrigin);
}

} // namespace ptm
