#include "runtime/loops/LearningRate.h"

#include "runtime/Error.h"

#include <algorithm>
#include <cmath>

namespace ptm::loops {

DecayKind parseDecayKind(const std::string &name, const std::string &flag) {
  if (name == "cosine")
    return DecayKind::Cosine;
  if (name == "linear")
    return DecayKind::Linear;
  if (name == "constant")
    return DecayKind::Constant;
  throw Error(flag, "unknown schedule '" + name + "' (cosine, linear or constant)");
}

const char *decayKindName(DecayKind kind) {
  switch (kind) {
  case DecayKind::Cosine: return "cosine";
  case DecayKind::Linear: return "linear";
  case DecayKind::Constant: return "constant";
  }
  return "cosine";
}

double LearningRateSchedule::at(int64_t step) const {
  if (warmupSteps > 0 && step <= warmupSteps)
    return peak * static_cast<double>(step) / static_cast<double>(warmupSteps);
  if (decay == DecayKind::Constant || totalSteps <= warmupSteps)
    return peak;
  double progress = static_cast<double>(step - warmupSteps) / static_cast<double>(totalSteps - warmupSteps);
  progress = std::clamp(progress, 0.0, 1.0);
  double shape = decay == DecayKind::Cosine ? 0.5 * (1.0 + std::cos(M_PI * progress)) : 1.0 - progress;
  return floor + (peak - floor) * shape;
}

} // namespace ptm::loops
