// The text normalisation and splitting that BERT's tokenizer does before
// WordPiece: Hugging Face's BasicTokenizer (transformers 4.36, slow
// BertTokenizer) together with the special-token handling of
// PreTrainedTokenizer.tokenize.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ptm {

struct BertNormalization {
  bool lowercase = true;    // do_lower_case
  bool stripAccents = true; // resolved: BERT's strip_accents=None means "when lower-casing"
  bool splitChineseChars = true; // tokenize_chinese_chars
};

// Splits `text` into BERT's words, in order, calling onWord(word, specialIndex)
// for each: an occurrence of one of `specialTokens` (found literally in the raw
// text, leftmost and then longest first, never lower-cased; or a whole word
// that spells one after cleaning) comes with its index into the list, every
// other word with kOrdinaryText (Gpt2Pretokenizer.h). Ordinary text goes
// through these steps, as BasicTokenizer does:
//  1. lower-casing per character with Python's str.lower() (full case mapping:
//     U+0130 'İ' becomes "i̇"), when `lowercase`;
//  2. U+0000, U+FFFD and characters of category C* other than \t \n \r are
//     dropped; \t \n \r and category Zs become a space;
//  3. a space on each side of every CJK ideograph, when `splitChineseChars`;
//  4. NFC, then a split at Python's str.isspace() characters;
//  5. per word: lower-casing again, then NFD and removal of category Mn when
//     `stripAccents`, then a split around every punctuation character (ASCII
//     non-alphanumeric symbols and category P*).
// Categories come from utf8proc, whose Unicode version may be newer than
// Python's: characters assigned since Python's version (Cn there) are kept
// here rather than dropped. Invalid UTF-8 first becomes U+FFFD (one per
// invalid stretch, as Python's errors='replace'), which step 2 then drops.
// Words are valid UTF-8 and never empty.
void forEachBertWord(std::string_view text, const BertNormalization &normalization,
                     const std::vector<std::string> &specialTokens,
                     const std::function<void(std::string_view word, int32_t specialIndex)> &onWord);

// Python's str.isspace(), which is where BERT splits words.
bool isPythonSpace(int32_t codePoint);

} // namespace ptm
