// The one exception type of the runtime. Its message is a single line that names
// the file at fault and what is wrong with it, so that tools can print it as is:
//   weights.safetensors: tensor 'h.0.attn.c_attn.weight' has shape [64,96], expected [64,192]
// Header-only and dependent on the standard library alone, so that code shared
// with the compiler (artifact/ArtifactFile.h) can throw it too.
#pragma once

#include <stdexcept>
#include <string>

namespace ptm {

class Error : public std::runtime_error {
public:
  explicit Error(const std::string &message) : std::runtime_error(message) {}
  Error(const std::string &file, const std::string &problem)
      : std::runtime_error(file + ": " + problem) {}
};

} // namespace ptm
