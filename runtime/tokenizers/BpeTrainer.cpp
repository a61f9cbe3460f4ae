// ByteLevelBpe::train: BPE over the distinct pre-tokens of the text, each with
// its frequency. Pair counts are kept up to date as merges rewrite the words
// that hold the merged pair (found through a per-pair list of words), and the
// most frequent pair comes from a heap whose stale entries are skipped, so
// each merge costs time in proportion to the words it touches.
#include "runtime/tokenizers/ByteLevelBpe.h"

#include "runtime/Error.h"
#include "runtime/tokenizers/Gpt2Pretokenizer.h"
#include "runtime/tokenizers/Utf8.h"

#include <algorithm>
#include <limits>
#include <queue>
#include <unordered_set>

namespace ptm {

namespace {

constexpr const char *kTrainingOrigin = "BPE training";

struct Word {
  std::vector<int32_t> symbols;
  int64_t frequency;
  int64_t lastVisit = -1; // the step that last rewrote it
};

struct PairCount {
  int64_t count;
  uint64_t pair;
  // The heap's top is the highest count, then the smallest pair key.
  bool operator<(const PairCount &other) const {
    return count != other.count ? count < other.count : pair > other.pair;
  }
};

void checkSpecialTokens(const std::vector<std::string> &specialTokens) {
  std::unordered_set<std::string> seen;
  for (const std::string &token : specialTokens) {
    if (token.empty())
      throw Error(kTrainingOrigin, "a special token is empty");
    if (replaceInvalidUtf8(token) != token)
      throw Error(kTrainingOrigin, "special token '" + replaceInvalidUtf8(token) + "' is not valid UTF-8");
    if (!seen.insert(token).second)
      throw Error(kTrainingOrigin, "special token '" + token + "' is given twice");
  }
}

} // namespace

ByteLevelBpe ByteLevelBpe::train(std::string_view text, int64_t vocabSize,
                                 const std::vector<std::string> &specialTokens, const TrainingProgress &progress) {
  checkSpecialTokens(specialTokens);
  const int64_t specialCount = static_cast<int64_t>(specialTokens.size());
  if (vocabSize > std::numeric_limits<int32_t>::max())
    throw Error(kTrainingOrigin, "a vocabulary of " + std::to_string(vocabSize) + " tokens needs ids beyond 32 bits");
  if (vocabSize < 256 + specialCount)
    throw Error(kTrainingOrigin, "a vocabulary of " + std::to_string(vocabSize) +
                                     " tokens cannot hold the 256 byte tokens and " + std::to_string(specialCount) +
                                     " special tokens");
  const int64_t learnedWanted = vocabSize - specialCount;

  std::unordered_map<std::string_view, int64_t> frequencies;
  for (const TextSegment &segment : splitAtSpecialTokens(text, specialTokens))
    if (segment.specialIndex == kOrdinaryText)
      for (std::string_view piece : gpt2Pretokens(segment.text))
        ++frequencies[piece];
  std::vector<Word> words;
  words.reserve(frequencies.size());
  for (const auto &[piece, frequency] : frequencies) {
    Word word{{}, frequency};
    for (char byte : piece)
      word.symbols.push_back(static_cast<uint8_t>(byte));
    words.push_back(std::move(word));
  }

  std::vector<std::string> tokenBytes; // by id
  std::unordered_map<std::string, int32_t> idsByBytes;
  for (int byte = 0; byte < 256; ++byte) {
    tokenBytes.emplace_back(1, static_cast<char>(byte));
    idsByBytes.emplace(tokenBytes.back(), byte);
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

  std::vector<std::pair<int32_t, int32_t>> merges;
  // A pair merged before can form again once a later merge recreates one of
  // its tokens by another route (a+bc after ab+c). It is merged again, as
  // encoding would, but listed once.
  std::unordered_set<uint64_t> mergedPairs;
  for (int64_t step = 0; static_cast<int64_t>(tokenBytes.size()) < learnedWanted && !heap.empty(); ++step) {
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
    std::string bytes = tokenBytes[left] + tokenBytes[right];
    auto [found, isNew] = idsByBytes.emplace(bytes, static_cast<int32_t>(tokenBytes.size()));
    const int32_t merged = found->second;
    if (isNew)
      tokenBytes.push_back(std::move(bytes));
    if (mergedPairs.insert(top.pair).second)
      merges.emplace_back(left, right);

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
      progress(static_cast<int64_t>(tokenBytes.size()) + specialCount, vocabSize);
  }

  // Spell the result the way vocabulary files do, and let the constructor
  // check it like a loaded one.
  std::vector<std::string> tokens;
  for (const std::string &bytes : tokenBytes) {
    std::string spelled;
    for (char byte : bytes)
      spelled += spelledByte(static_cast<uint8_t>(byte));
    tokens.push_back(std::move(spelled));
  }
  tokens.insert(tokens.end(), specialTokens.begin(), specialTokens.end());
  std::vector<std::pair<std::string, std::string>> spelledMerges;
  std::vector<int64_t> mergeNumbers;
  for (const auto &[left, right] : merges) {
    spelledMerges.emplace_back(tokens[left], tokens[right]);
    mergeNumbers.push_back(static_cast<int64_t>(mergeNumbers.size()) + 1);
  }
  return ByteLevelBpe(std::move(tokens), spelledMerges, mergeNumbers, kTrainingOrigin, kTrainingOrigin);
}

} // namespace ptm
