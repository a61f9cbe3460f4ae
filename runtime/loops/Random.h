// The loops' random numbers (data order, sampling): SplitMix64, which is tiny,
// fast and gives the same sequence on every platform and standard library
// (std::uniform_int_distribution does not), so a seed names one run exactly.
#pragma once

#include <cstdint>

namespace ptm::loops {

class Random {
public:
  explicit Random(uint64_t seed) : state_(seed) {}

  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

  // Uniform in [0, bound) without modulo bias (Lemire's multiply-and-reject).
  uint64_t below(uint64_t bound) {
    unsigned __int128 product = static_cast<unsigned __int128>(next()) * bound;
    uint64_t low = static_cast<uint64_t>(product);
    if (low < bound) {
      uint64_t threshold = -bound % bound;
      while (low < threshold) {
        product = static_cast<unsigned __int128>(next()) * bound;
        low = static_cast<uint64_t>(product);
      }
    }
    return static_cast<uint64_t>(product >> 64);
  }

  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

private:
  uint64_t state_;
};

// A seed derived from a run seed and a stream position (step, epoch), so that
// each step's randomness is independent of how the run was interrupted.
inline uint64_t deriveSeed(uint64_t seed, uint64_t stream, uint64_t position) {
  Random mixer(seed ^ (stream * 0xd1b54a32d192ed03ull));
  mixer.next();
  return mixer.next() ^ (position * 0x9e3779b97f4a7c15ull);
}

} // namespace ptm::loops
