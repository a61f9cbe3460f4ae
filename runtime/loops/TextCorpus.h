// Text corpora for language-model training: reading and checking a text file,
// the train/validation split, and the token windows a causal LM trains on,
// visited in a seeded, per-epoch shuffled order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ptm::loops {

// Reads a UTF-8 text file whole (a leading byte-order mark is dropped). Throws
// ptm::Error naming the file when it is missing, not a regular file, empty or
// only whitespace, or binary (a NUL byte, or bytes that are not UTF-8: the
// message gives the byte offset in the file).
std::string readTextCorpus(const std::string &path);

// The corpus minus its last `validationFraction`, cut at a line boundary, and
// that last part. Without a newline before the cut, the cut stays where it is,
// moved back to a UTF-8 character boundary.
struct CorpusSplit {
  std::string_view train;
  std::string_view validation;
};
CorpusSplit splitCorpus(std::string_view text, double validationFraction);

// Non-overlapping windows of `length` consecutive tokens (the tail that does
// not fill a window is dropped).
class TokenWindows {
public:
  TokenWindows(std::vector<int32_t> tokens, int64_t length);

  int64_t count() const { return count_; }
  int64_t length() const { return length_; }
  const int32_t *window(int64_t index) const { return tokens_.data() + index * length_; }
  const std::vector<int32_t> &tokens() const { return tokens_; }

private:
  std::vector<int32_t> tokens_;
  int64_t length_;
  int64_t count_;
};

// Which window the `sample`-th training example (counted from the start of
// the run, across epochs) is: each epoch visits every window once, in an order
// shuffled by (seed, epoch). Depends on nothing but its arguments, so a
// resumed run continues the same order.
class ShuffledOrder {
public:
  ShuffledOrder(int64_t windowCount, uint64_t seed);

  int64_t window(int64_t sample);
  int64_t epochOf(int64_t sample) const { return sample / windowCount_; }

private:
  int64_t windowCount_;
  uint64_t seed_;
  int64_t epoch_ = -1;
  std::vector<int64_t> permutation_;
};

} // namespace ptm::loops
