// Writes a file so that readers see either the old file or the complete new one,
// never a partial write: the content goes to `<path>.tmp.<pid>`, which is renamed
// over `path` only once every byte has been written. A crash mid-write leaves at
// most a stray temporary file. Header-only (std + POSIX getpid) so that the
// compiler can use it through artifact/ArtifactFile.h.
#pragma once

#include "runtime/Error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <unistd.h>

namespace ptm {

// Calls writeContent(std::ostream &) to produce the file's bytes. Throws
// ptm::Error naming `path` when the file cannot be written; exceptions thrown by
// writeContent propagate. In both cases the temporary file is removed.
template <typename WriteContent>
void writeFileAtomically(const std::string &path, WriteContent &&writeContent) {
  std::string temporaryPath = path + ".tmp." + std::to_string(::getpid());
  try {
    std::ofstream stream(temporaryPath, std::ios::binary | std::ios::trunc);
    if (!stream)
      throw Error(path, "cannot create '" + temporaryPath + "': " + std::strerror(errno));
    writeContent(static_cast<std::ostream &>(stream));
    stream.close();
    if (!stream)
      throw Error(path, "write failed (disk full?)");
    if (std::rename(temporaryPath.c_str(), path.c_str()) != 0)
      throw Error(path, "cannot rename '" + temporaryPath + "' into place: " + std::strerror(errno));
  } catch (...) {
    std::remove(temporaryPath.c_str());
    throw;
  }
}

} // namespace ptm
