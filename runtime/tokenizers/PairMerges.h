// The engine that both vocabulary trainers (byte-level BPE, WordPiece) run:
// the distinct words of a corpus as symbol sequences, each with its
// frequency, the frequency-weighted count of every adjacent pair, and merges
// of the most frequent pair. Pair counts are kept up to date as merges
// rewrite the words that hold the merged pair (found through a per-pair list
// of words), and the most frequent pair comes from a heap whose stale entries
// are skipped, so each merge costs time in proportion to the words it touches.
#pragma once

#include <cstdint>
#include <optional>
#include <queue>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ptm {

class PairMerges {
public:
  struct Word {
    std::vector<int32_t> symbols;
    int64_t frequency;
  };

  explicit PairMerges(std::vector<Word> words);

  // Takes the most frequent adjacent pair (ties: the smaller left symbol,
  // then the smaller right one), or nothing when no pair is left.
  std::optional<std::pair<int32_t, int32_t>> takeMostFrequentPair();

  // Rewrites every occurrence of (left, right) as `merged`, left to right,
  // and updates the counts.
  void merge(int32_t left, int32_t right, int32_t merged);

private:
  struct CountedPair {
    int64_t count;
    uint64_t pair;
    // The heap's top is the highest count, then the smallest pair key.
    bool operator<(const CountedPair &other) const {
      return count != other.count ? count < other.count : pair > other.pair;
    }
  };

  struct TrackedWord {
    Word word;
    int64_t lastVisit = -1; // the merge that last rewrote it
  };

  static uint64_t pairKey(int32_t left, int32_t right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
  }

  std::vector<TrackedWord> words_;
  std::unordered_map<uint64_t, int64_t> pairCounts_;
  std::unordered_map<uint64_t, std::vector<int32_t>> wordsByPair_; // may repeat a word or list stale ones
  std::priority_queue<CountedPair> heap_;
  int64_t merges_ = 0;
};

} // namespace ptm
