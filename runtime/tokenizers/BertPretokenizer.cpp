#include "runtime/tokenizers/BertPretokenizer.h"

#include "runtime/tokenizers/Gpt2Pretokenizer.h"
#include "runtime/tokenizers/Utf8.h"

#include <utf8proc.h>

#include <cstdlib>
#include <memory>

namespace ptm {

bool isPythonSpace(int32_t codePoint) {
  // Bidirectional class WS, B or S, or category Zs (Python's definition).
  switch (codePoint) {
  case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x1C: case 0x1D: case 0x1E: case 0x1F:
  case 0x20: case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F:
  case 0x3000:
    return true;
  default:
    return codePoint >= 0x2000 && codePoint <= 0x200A;
  }
}

namespace {

// BasicTokenizer's _is_control: category C* except the three whitespace
// controls. Unassigned code points (Cn) count too.
bool isControl(int32_t codePoint) {
  if (codePoint == '\t' || codePoint == '\n' || codePoint == '\r')
    return false;
  switch (utf8proc_category(codePoint)) {
  case UTF8PROC_CATEGORY_CC: case UTF8PROC_CATEGORY_CF: case UTF8PROC_CATEGORY_CS:
  case UTF8PROC_CATEGORY_CO: case UTF8PROC_CATEGORY_CN:
    return true;
  default:
    return false;
  }
}

// _is_whitespace.
bool isBertWhitespace(int32_t codePoint) {
  return codePoint == ' ' || codePoint == '\t' || codePoint == '\n' || codePoint == '\r' ||
         utf8proc_category(codePoint) == UTF8PROC_CATEGORY_ZS;
}

// _is_punctuation: BERT counts every non-alphanumeric ASCII symbol ("$", "^",
// "`" are symbols to Unicode) and Unicode's P* categories.
bool isPunctuation(int32_t codePoint) {
  if ((codePoint >= 33 && codePoint <= 47) || (codePoint >= 58 && codePoint <= 64) ||
      (codePoint >= 91 && codePoint <= 96) || (codePoint >= 123 && codePoint <= 126))
    return true;
  switch (utf8proc_category(codePoint)) {
  case UTF8PROC_CATEGORY_PC: case UTF8PROC_CATEGORY_PD: case UTF8PROC_CATEGORY_PS: case UTF8PROC_CATEGORY_PE:
  case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF: case UTF8PROC_CATEGORY_PO:
    return true;
  default:
    return false;
  }
}

// _is_chinese_char: the CJK Unified Ideographs blocks BERT knows (Extension
// A-E and the compatibility blocks), not Hangul, kana or later extensions.
bool isChineseChar(int32_t codePoint) {
  return (codePoint >= 0x4E00 && codePoint <= 0x9FFF) || (codePoint >= 0x3400 && codePoint <= 0x4DBF) ||
         (codePoint >= 0x20000 && codePoint <= 0x2A6DF) || (codePoint >= 0x2A700 && codePoint <= 0x2B73F) ||
         (codePoint >= 0x2B740 && codePoint <= 0x2B81F) || (codePoint >= 0x2B820 && codePoint <= 0x2CEAF) ||
         (codePoint >= 0xF900 && codePoint <= 0xFAFF) || (codePoint >= 0x2F800 && codePoint <= 0x2FA1F);
}

// Python's str.lower() of one character. utf8proc_tolower is the simple case
// mapping; the full mapping differs from it (outside the language-specific
// and final-sigma rules) at U+0130 alone.
void appendLowercase(int32_t codePoint, std::vector<int32_t> &out) {
  if (codePoint == 0x130) {
    out.push_back('i');
    out.push_back(0x307);
  } else {
    out.push_back(utf8proc_tolower(codePoint));
  }
}

void appendUtf8(int32_t codePoint, std::string &out) {
  utf8proc_uint8_t bytes[4];
  utf8proc_ssize_t length = utf8proc_encode_char(codePoint, bytes);
  out.append(reinterpret_cast<const char *>(bytes), static_cast<size_t>(length));
}

std::vector<int32_t> decodeValidUtf8(std::string_view text) {
  std::vector<int32_t> codePoints;
  codePoints.reserve(text.size());
  while (!text.empty()) {
    Utf8Step step = decodeUtf8(text);
    codePoints.push_back(step.codePoint);
    text.remove_prefix(step.length);
  }
  return codePoints;
}

// `codePoints` normalised with utf8proc `options` (NFC or NFD).
std::vector<int32_t> normalized(const std::vector<int32_t> &codePoints, utf8proc_option_t options) {
  std::string bytes;
  for (int32_t codePoint : codePoints)
    appendUtf8(codePoint, bytes);
  utf8proc_uint8_t *result = nullptr;
  utf8proc_ssize_t length = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t *>(bytes.data()),
                                         static_cast<utf8proc_ssize_t>(bytes.size()), &result, options);
  // The input is valid UTF-8 without U+0000, so mapping fails only for memory.
  if (length < 0)
    throw std::bad_alloc();
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owner(result, &std::free);
  return decodeValidUtf8(std::string_view(reinterpret_cast<const char *>(result), static_cast<size_t>(length)));
}

// No character below U+0300 changes under NFC, nor below U+00C0 under NFD, so
// mostly-Latin text skips the normalisation passes.
constexpr int32_t kFirstNfcSensitive = 0x300;
constexpr int32_t kFirstNfdSensitive = 0xC0;

bool anyAtLeast(const std::vector<int32_t> &codePoints, size_t begin, size_t end, int32_t bound) {
  for (size_t index = begin; index < end; ++index)
    if (codePoints[index] >= bound)
      return true;
  return false;
}

class WordSplitter {
public:
  WordSplitter(const BertNormalization &normalization, const std::vector<std::string> &specialTokens,
               const std::function<void(std::string_view, int32_t)> &onWord)
      : normalization_(normalization), specialTokens_(specialTokens), onWord_(onWord) {}

  void splitOrdinaryText(std::string_view text) {
    std::vector<int32_t> cleaned;
    cleaned.reserve(text.size() + 8);
    std::vector<int32_t> lowered;
    while (!text.empty()) {
      Utf8Step step = decodeUtf8(text);
      text.remove_prefix(step.length);
      lowered.clear();
      if (normalization_.lowercase)
        appendLowercase(step.codePoint, lowered);
      else
        lowered.push_back(step.codePoint);
      for (int32_t codePoint : lowered) {
        if (codePoint == 0 || codePoint == 0xFFFD || isControl(codePoint))
          continue;
        if (isBertWhitespace(codePoint)) {
          cleaned.push_back(' ');
        } else if (normalization_.splitChineseChars && isChineseChar(codePoint)) {
          cleaned.push_back(' ');
          cleaned.push_back(codePoint);
          cleaned.push_back(' ');
        } else {
          cleaned.push_back(codePoint);
        }
      }
    }
    if (anyAtLeast(cleaned, 0, cleaned.size(), kFirstNfcSensitive))
      cleaned = normalized(cleaned, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
    size_t start = 0;
    for (size_t index = 0; index <= cleaned.size(); ++index) {
      if (index < cleaned.size() && !isPythonSpace(cleaned[index]))
        continue;
      if (index > start)
        splitWord(cleaned, start, index);
      start = index + 1;
    }
  }

private:
  void splitWord(const std::vector<int32_t> &codePoints, size_t begin, size_t end) {
    std::string spelled;
    for (size_t index = begin; index < end; ++index)
      appendUtf8(codePoints[index], spelled);
    for (size_t special = 0; special < specialTokens_.size(); ++special)
      if (spelled == specialTokens_[special]) {
        onWord_(spelled, static_cast<int32_t>(special));
        return;
      }

    std::vector<int32_t> word;
    word.reserve(end - begin);
    // The text was lowered before NFC; BasicTokenizer lowers each word again.
    for (size_t index = begin; index < end; ++index)
      if (normalization_.lowercase)
        appendLowercase(codePoints[index], word);
      else
        word.push_back(codePoints[index]);
    if (normalization_.stripAccents && anyAtLeast(word, 0, word.size(), kFirstNfdSensitive)) {
      std::vector<int32_t> decomposed =
          normalized(word, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_DECOMPOSE));
      word.clear();
      for (int32_t codePoint : decomposed)
        if (utf8proc_category(codePoint) != UTF8PROC_CATEGORY_MN)
          word.push_back(codePoint);
    }

    std::string piece;
    for (int32_t codePoint : word) {
      if (isPunctuation(codePoint)) {
        if (!piece.empty())
          onWord_(piece, kOrdinaryText);
        piece.clear();
        appendUtf8(codePoint, piece);
        onWord_(piece, kOrdinaryText);
        piece.clear();
      } else {
        appendUtf8(codePoint, piece);
      }
    }
    if (!piece.empty())
      onWord_(piece, kOrdinaryText);
  }

  const BertNormalization &normalization_;
  const std::vector<std::string> &specialTokens_;
  const std::function<void(std::string_view, int32_t)> &onWord_;
};

} // namespace

void forEachBertWord(std::string_view text, const BertNormalization &normalization,
                     const std::vector<std::string> &specialTokens,
                     const std::function<void(std::string_view word, int32_t specialIndex)> &onWord) {
  std::string validText = replaceInvalidUtf8(text);
  WordSplitter splitter(normalization, specialTokens, onWord);
  for (const TextSegment &segment : splitAtSpecialTokens(validText, specialTokens)) {
    if (segment.specialIndex == kOrdinaryText)
      splitter.splitOrdinaryText(segment.text);
    else
      onWord(segment.text, segment.specialIndex);
  }
}

} // namespace ptm
