// Learning-rate schedules of the training loops: linear warmup from 0 to the
// peak rate, then cosine or linear decay to a floor at the last step (or a
// constant rate), as nanoGPT, Hugging Face's get_cosine_schedule_with_warmup
// and get_linear_schedule_with_warmup define them.
#pragma once

#include <cstdint>
#include <string>

namespace ptm::loops {

enum class DecayKind { Cosine, Linear, Constant };

// "cosine", "linear", "constant"; throws ptm::Error naming `flag` otherwise.
DecayKind parseDecayKind(const std::string &name, const std::string &flag);
const char *decayKindName(DecayKind kind);

struct LearningRateSchedule {
  double peak = 6e-4;
  double floor = 6e-5;
  int64_t warmupSteps = 0;
  int64_t totalSteps = 1;
  DecayKind decay = DecayKind::Cosine;

  // The rate of 1-based step `step`: during warmup peak * step / warmup
  // (never 0, so the first step already learns), then the decay from peak at
  // the end of warmup to floor at totalSteps.
  double at(int64_t step) const;
};

} // namespace ptm::loops
