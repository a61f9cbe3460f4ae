// Constants and helpers shared by the artifact writer (compiler) and the
// loader (runtime). Header-only and free of compiler and runtime dependencies.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ptm::artifact {

inline constexpr char kArtifactMagic[8] = {'P', 'T', 'M', 'A', 'R', 'T', 'I', 'F'};
inline constexpr uint32_t kArtifactFormatVersion = 2;
inline constexpr size_t kArtifactHeaderSize = 32;

// FNV-1a, 64 bit: cheap and good enough to detect corruption (not tampering).
// `hash` continues an earlier call's result, so that data can be hashed in
// pieces (files streamed through a buffer).
inline constexpr uint64_t kFnv1a64Start = 0xcbf29ce484222325ull;
inline uint64_t fnv1a64(const uint8_t *data, size_t size, uint64_t hash = kFnv1a64Start) {
  for (size_t i = 0; i < size; ++i) {
    hash ^= data[i];
    hash *= 0x100000001b3ull;
  }
  return hash;
}

namespace detail {
inline void storeLittleEndian(uint8_t *destination, uint64_t value, size_t byteCount) {
  for (size_t i = 0; i < byteCount; ++i)
    destination[i] = static_cast<uint8_t>(value >> (8 * i));
}
} // namespace detail

// The header that precedes `payload` on disk: magic, format version, reserved
// zero bytes, payload size and payload checksum, integers little endian.
inline std::array<uint8_t, kArtifactHeaderSize> makeArtifactHeader(const uint8_t *payload,
                                                                   size_t payloadSize) {
  std::array<uint8_t, kArtifactHeaderSize> header{};
  std::memcpy(header.data(), kArtifactMagic, sizeof kArtifactMagic);
  detail::storeLittleEndian(header.data() + 8, kArtifactFormatVersion, 4);
  detail::storeLittleEndian(header.data() + 16, payloadSize, 8);
  detail::storeLittleEndian(header.data() + 24, fnv1a64(payload, payloadSize), 8);
  return header;
}

} // namespace ptm::artifact
