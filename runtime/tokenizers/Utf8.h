// UTF-8 decoding that never fails: the tokenizers see arbitrary bytes (raw
// files, token ids cut in the middle of a character), so every byte sequence
// decodes to valid code points plus marked invalid stretches.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ptm {

struct Utf8Step {
  // The decoded code point, or kInvalidCodePoint when the bytes at the start
  // are not well-formed UTF-8.
  int32_t codePoint;
  // Bytes consumed (1-4). For invalid input this is the "maximal subpart" of
  // Unicode's recommended practice (a truncated but otherwise valid prefix
  // counts as one unit), which is what Python's errors='replace' replaces with
  // one U+FFFD each.
  size_t length;
};

constexpr int32_t kInvalidCodePoint = -1;

// Decodes the character at the start of `bytes`, which must not be empty.
// Overlong forms, surrogates and values above U+10FFFF are invalid.
Utf8Step decodeUtf8(std::string_view bytes);

// `bytes` as text: each invalid stretch becomes U+FFFD, exactly as Python's
// bytes.decode('utf-8', errors='replace').
std::string replaceInvalidUtf8(std::string_view bytes);

} // namespace ptm
