#include "runtime/tokenizers/Utf8.h"

namespace ptm {

Utf8Step decodeUtf8(std::string_view bytes) {
  auto byteAt = [&](size_t index) { return static_cast<uint8_t>(bytes[index]); };
  uint8_t lead = byteAt(0);
  if (lead < 0x80)
    return {lead, 1};

  // The allowed range of the second byte depends on the lead byte: that is how
  // UTF-8 excludes overlong forms (E0, F0), surrogates (ED) and code points
  // above U+10FFFF (F4). Later continuation bytes are always 80..BF.
  size_t length;
  int32_t codePoint;
  uint8_t secondLow = 0x80, secondHigh = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    codePoint = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    codePoint = lead & 0x0F;
    if (lead == 0xE0)
      secondLow = 0xA0;
    else if (lead == 0xED)
      secondHigh = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    codePoint = lead & 0x07;
    if (lead == 0xF0)
      secondLow = 0x90;
    else if (lead == 0xF4)
      secondHigh = 0x8F;
  } else {
    return {kInvalidCodePoint, 1}; // a continuation byte, C0, C1 or F5..FF
  }

  for (size_t index = 1; index < length; ++index) {
    uint8_t low = index == 1 ? secondLow : 0x80;
    uint8_t high = index == 1 ? secondHigh : 0xBF;
    if (index >= bytes.size() || byteAt(index) < low || byteAt(index) > high)
      return {kInvalidCodePoint, index};
    codePoint = (codePoint << 6) | (byteAt(index) & 0x3F);
  }
  return {codePoint, length};
}

std::string replaceInvalidUtf8(std::string_view bytes) {
  static constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";
  std::string text;
  text.reserve(bytes.size());
  while (!bytes.empty()) {
    Utf8Step step = decodeUtf8(bytes);
    if (step.codePoint == kInvalidCodePoint)
      text += kReplacementCharacter;
    else
      text += bytes.substr(0, step.length);
    bytes.remove_prefix(step.length);
  }
  return text;
}

} // namespace ptm
