#include "runtime/tokenizers/Gpt2Pretokenizer.h"

#include "runtime/tokenizers/Utf8.h"

#include <utf8proc.h>

#include <algorithm>

namespace ptm {

std::vector<TextSegment> splitAtSpecialTokens(std::string_view text, const std::vector<std::string> &specialTokens) {
  // Where each special token occurs next; searching again only once the scan
  // has passed that place keeps this linear in the text for a fixed list.
  constexpr size_t kNotFound = std::string_view::npos;
  std::vector<size_t> nextOccurrence;
  for (const std::string &token : specialTokens)
    nextOccurrence.push_back(text.find(token));
  std::vector<TextSegment> segments;
  size_t position = 0;
  while (position < text.size()) {
    size_t bestStart = kNotFound;
    int32_t best = kOrdinaryText;
    for (size_t index = 0; index < specialTokens.size(); ++index) {
      if (nextOccurrence[index] != kNotFound && nextOccurrence[index] < position)
        nextOccurrence[index] = text.find(specialTokens[index], position);
      size_t start = nextOccurrence[index];
      if (start == kNotFound)
        continue;
      if (start < bestStart || (start == bestStart && specialTokens[index].size() > specialTokens[best].size())) {
        bestStart = start;
        best = static_cast<int32_t>(index);
      }
    }
    size_t ordinaryEnd = std::min(bestStart, text.size());
    if (ordinaryEnd > position)
      segments.push_back({text.substr(position, ordinaryEnd - position), kOrdinaryText});
    if (best == kOrdinaryText)
      break;
    segments.push_back({text.substr(bestStart, specialTokens[best].size()), best});
    position = bestStart + specialTokens[best].size();
  }
  return segments;
}

namespace {

enum class CharClass : uint8_t { Letter, Number, Whitespace, Other };

// The White_Space property, which is what \s means in Python's `regex` module
// and in Oniguruma. It has not changed since Unicode 6.
bool isWhiteSpace(int32_t codePoint) {
  switch (codePoint) {
  case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x20: case 0x85: case 0xA0:
  case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
    return true;
  default:
    return codePoint >= 0x2000 && codePoint <= 0x200A;
  }
}

CharClass classify(int32_t codePoint) {
  if (codePoint == kInvalidCodePoint)
    return CharClass::Other;
  if (isWhiteSpace(codePoint))
    return CharClass::Whitespace;
  switch (utf8proc_category(codePoint)) {
  case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
  case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
    return CharClass::Letter;
  case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
    return CharClass::Number;
  default:
    return CharClass::Other;
  }
}

// The length of the contraction ('s 't 're 've 'm 'll 'd) at the start of
// `rest`, or 0.
size_t contractionLength(std::string_view rest) {
  if (rest.size() < 2 || rest[0] != '\'')
    return 0;
  switch (rest[1]) {
  case 's': case 't': case 'm': case 'd':
    return 2;
  case 'r': case 'v':
    return rest.size() >= 3 && rest[2] == 'e' ? 3 : 0;
  case 'l':
    return rest.size() >= 3 && rest[2] == 'l' ? 3 : 0;
  default:
    return 0;
  }
}

} // namespace

std::vector<std::string_view> gpt2Pretokens(std::string_view text) {
  // Decode once: character i spans bytes [offsets[i], offsets[i + 1]).
  std::vector<CharClass> classes;
  std::vector<size_t> offsets;
  classes.reserve(text.size());
  offsets.reserve(text.size() + 1);
  for (size_t offset = 0; offset < text.size();) {
    Utf8Step step = decodeUtf8(text.substr(offset));
    classes.push_back(classify(step.codePoint));
    offsets.push_back(offset);
    offset += step.length;
  }
  offsets.push_back(text.size());
  const size_t count = classes.size();
  auto isSpaceCharacter = [&](size_t index) { return text[offsets[index]] == ' '; };

  std::vector<std::string_view> pieces;
  auto emit = [&](size_t first, size_t last) {
    pieces.push_back(text.substr(offsets[first], offsets[last] - offsets[first]));
  };
  for (size_t index = 0; index < count;) {
    // The alternatives in the pattern's order; the first that matches wins.
    // Contractions are ASCII, so bytes and characters coincide.
    size_t contraction = contractionLength(text.substr(offsets[index]));
    if (contraction > 0) {
      emit(index, index + contraction);
      index += contraction;
      continue;
    }
    // " ?\p{L}+", " ?\p{N}+", " ?[^\s\p{L}\p{N}]+": an optional space, then a
    // run of one class that is not whitespace.
    size_t runStart = index;
    if (isSpaceCharacter(index) && index + 1 < count && classes[index + 1] != CharClass::Whitespace)
      runStart = index + 1;
    CharClass runClass = classes[runStart];
    size_t end = runStart + 1;
    if (runClass != CharClass::Whitespace) {
      while (end < count && classes[end] == runClass)
        ++end;
    } else {
      // "\s+(?!\S)" then "\s+": a whitespace run followed by a non-space gives
      // up its last character, which then prefixes the next piece (if it is a
      // space) or stands alone.
      while (end < count && classes[end] == CharClass::Whitespace)
        ++end;
      if (end < count && end - index > 1)
        --end;
    }
    emit(index, end);
    index = end;
  }
  return pieces;
}

} // namespace ptm
