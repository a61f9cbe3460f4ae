#include "runtime/loops/Sampling.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace ptm::loops {

int32_t sampleToken(const float *logits, int64_t vocabSize, const SamplingOptions &options, Random &random) {
  if (options.temperature <= 0.0)
    return static_cast<int32_t>(std::max_element(logits, logits + vocabSize) - logits);

  std::vector<int32_t> candidates(static_cast<size_t>(vocabSize));
  std::iota(candidates.begin(), candidates.end(), 0);
  auto byLogit = [&](int32_t a, int32_t b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); };
  size_t kept = candidates.size();
  if (options.topK > 0 && options.topK < vocabSize) {
    kept = static_cast<size_t>(options.topK);
    std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(kept), candidates.end(),
                      byLogit);
  } else {
    std::sort(candidates.begin(), candidates.end(), byLogit);
  }
  candidates.resize(kept);

  // Softmax of logits / temperature over the survivors, largest first.
  std::vector<double> probabilities(kept);
  double maxLogit = logits[candidates.front()] / options.temperature;
  double total = 0;
  for (size_t i = 0; i < kept; ++i) {
    probabilities[i] = std::exp(logits[candidates[i]] / options.temperature - maxLogit);
    total += probabilities[i];
  }
  for (double &probability : probabilities)
    probability /= total;
  // Nucleus: the smallest prefix whose mass reaches top_p (always at least one token).
  if (options.topP < 1.0) {
    double mass = 0;
    size_t nucleus = 0;
    while (nucleus < kept && mass < options.topP)
      mass += probabilities[nucleus++];
    probabilities.resize(std::max<size_t>(nucleus, 1));
    total = std::accumulate(probabilities.begin(), probabilities.end(), 0.0);
    for (double &probability : probabilities)
      probability /= total;
  }
  double draw = random.uniform();
  for (size_t i = 0; i < probabilities.size(); ++i) {
    draw -= probabilities[i];
    if (draw < 0)
      return candidates[i];
  }
  return candidates[probabilities.size() - 1];
}

} // namespace ptm::loops
