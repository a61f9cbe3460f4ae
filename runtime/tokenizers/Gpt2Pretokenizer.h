// The text splitting that GPT-2's tokenizer does before BPE: special tokens
// are cut out first, then the rest is split into "pre-tokens" that BPE never
// merges across.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ptm {

// A piece of text: ordinary text, or an occurrence of a special token.
struct TextSegment {
  std::string_view text;
  int32_t specialIndex; // into the special token list, or kOrdinaryText
};

constexpr int32_t kOrdinaryText = -1;

// Splits `text` at literal occurrences of `specialTokens` (none may be empty):
// the leftmost occurrence wins, and of those starting at the same place the
// longest, as Hugging Face's added-token matching does. The segments
// concatenate to `text`; ordinary segments are never empty.
std::vector<TextSegment> splitAtSpecialTokens(std::string_view text, const std::vector<std::string> &specialTokens);

// Splits `text` exactly as GPT-2's pattern
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// does under Python's `regex` module (and Hugging Face's ByteLevel
// pre-tokenizer). The pieces concatenate to `text`.
//  - \p{L} and \p{N} are the general categories L* and N* of utf8proc's Unicode
//    version; characters assigned in a later Unicode version count as neither.
//  - \s is the White_Space property, which unlike Python's str.isspace() leaves
//    out U+001C..U+001F.
//  - The contractions are case-sensitive: "'S" is not one.
//  - Input that is not valid UTF-8 is accepted: each invalid stretch (see
//    decodeUtf8) is one character that is neither letter, number nor space.
std::vector<std::string_view> gpt2Pretokens(std::string_view text);

} // namespace ptm
