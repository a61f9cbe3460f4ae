// Opening a file the runtime reads (artifact, checkpoint, inputs) with the
// failure cases turned into one-line ptm::Error messages naming the file.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>

namespace ptm {

struct InputFile {
  std::ifstream stream; // binary, positioned at the start
  uint64_t size;
};

// Throws ptm::Error when `path` does not exist, is not a regular file (a
// directory, say) or cannot be opened.
InputFile openInputFile(const std::string &path);

} // namespace ptm
