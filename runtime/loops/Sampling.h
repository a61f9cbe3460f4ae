// Choosing the next token from a row of logits: greedy, or sampling with
// temperature, top-k and top-p (nucleus) filtering as Hugging Face's
// generate() applies them (temperature first, then top-k, then top-p).
#pragma once

#include "runtime/loops/Random.h"

#include <cstdint>

namespace ptm::loops {

struct SamplingOptions {
  double temperature = 1.0; // 0: greedy (argmax)
  int64_t topK = 0;         // 0: no top-k filter
  double topP = 1.0;        // 1: no nucleus filter
};

int32_t sampleToken(const float *logits, int64_t vocabSize, const SamplingOptions &options, Random &random);

} // namespace ptm::loops
