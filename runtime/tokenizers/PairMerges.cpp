#include "runtime/tokenizers/PairMerges.h"

#include <algorithm>

namespace ptm {

PairMerges::PairMerges(std::vector<Word> words) {
  words_.reserve(words.size());
  for (Word &word : words)
    words_.push_back({std::move(word)});
  for (size_t index = 0; index < words_.size(); ++index) {
    const Word &word = words_[index].word;
    for (size_t position = 0; position + 1 < word.symbols.size(); ++position) {
      uint64_t pair = pairKey(word.symbols[position], word.symbols[position + 1]);
      pairCounts_[pair] += word.frequency;
      wordsByPair_[pair].push_back(static_cast<int32_t>(index));
    }
  }
  for (const auto &[pair, count] : pairCounts_)
    heap_.push({count, pair});
}

std::optional<std::pair<int32_t, int32_t>> PairMerges::takeMostFrequentPair() {
  while (!heap_.empty()) {
    CountedPair top = heap_.top();
    heap_.pop();
    int64_t current = pairCounts_[top.pair];
    if (current != top.count) { // counts only fall without a new entry
      if (current > 0)
        heap_.push({current, top.pair});
      continue;
    }
    return std::pair{static_cast<int32_t>(top.pair >> 32), static_cast<int32_t>(top.pair & 0xFFFFFFFFu)};
  }
  return std::nullopt;
}

void PairMerges::merge(int32_t left, int32_t right, int32_t merged) {
  int64_t step = merges_++;
  // Pairs that hold the new token are the only ones whose counts grow.
  std::vector<uint64_t> grown;
  uint64_t mergedPair = pairKey(left, right);
  std::vector<int32_t> affected = std::move(wordsByPair_[mergedPair]);
  wordsByPair_.erase(mergedPair);
  for (int32_t index : affected) {
    TrackedWord &tracked = words_[index];
    if (tracked.lastVisit == step)
      continue;
    tracked.lastVisit = step;
    std::vector<int32_t> &symbols = tracked.word.symbols;
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
    int64_t frequency = tracked.word.frequency;
    for (size_t position = 0; position + 1 < symbols.size(); ++position)
      pairCounts_[pairKey(symbols[position], symbols[position + 1])] -= frequency;
    for (size_t position = 0; position + 1 < rewritten.size(); ++position) {
      uint64_t pair = pairKey(rewritten[position], rewritten[position + 1]);
      pairCounts_[pair] += frequency;
      if (rewritten[position] == merged || rewritten[position + 1] == merged) {
        wordsByPair_[pair].push_back(index);
        grown.push_back(pair);
      }
    }
    symbols = std::move(rewritten);
  }
  std::sort(grown.begin(), grown.end());
  grown.erase(std::unique(grown.begin(), grown.end()), grown.end());
  for (uint64_t pair : grown)
    heap_.push({pairCounts_[pair], pair});
}

} // namespace ptm
