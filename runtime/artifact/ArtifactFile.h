// Writing an artifact file: the 32-byte header described in artifact.fbs followed
// by the flatbuffer payload. Shared by the compiler (which writes artifacts) and
// the runtime tests; header-only, with no dependency beyond the standard library,
// POSIX and other header-only runtime files, so that the compiler can include it
// without linking the runtime.
#pragma once

#include "runtime/AtomicFile.h"
#include "runtime/artifact/ArtifactFormat.h"

#include <cstdint>
#include <ostream>
#include <string>

namespace ptm::artifact {

// Writes header + payload (a finished flatbuffer, e.g. FlatBufferBuilder's
// GetBufferPointer()/GetSize()) to `path` atomically. Throws ptm::Error
// (a std::runtime_error) naming `path` on failure.
inline void writeArtifactFile(const std::string &path, const uint8_t *payload, size_t payloadSize) {
  auto header = makeArtifactHeader(payload, payloadSize);
  writeFileAtomically(path, [&](std::ostream &stream) {
    stream.write(reinterpret_cast<const char *>(header.data()), header.size());
    stream.write(reinterpret_cast<const char *>(payload), static_cast<std::streamsize>(payloadSize));
  });
}

} // namespace ptm::artifact
