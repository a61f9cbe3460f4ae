// BERT's WordPiece tokenizer (Hugging Face's slow BertTokenizer, transformers
// 4.36), id for id, plus a trainer for new vocabularies in the same format.
//
// Text is split into words by BertPretokenizer.h (cleaning, optional
// lower-casing and accent stripping, CJK and punctuation splitting, special
// tokens written in the text kept whole), and each word becomes the longest
// vocabulary token that starts it, then the longest "##" continuation token
// that starts the rest, and so on. A word longer than 100 characters (code
// points), or one that cannot be covered this way, becomes [UNK] as a whole.
//
// The vocabulary must hold the special tokens [PAD] [UNK] [CLS] [SEP] [MASK];
// where they occur literally in the text given to encode() they become their
// ids.
#pragma once

#include "runtime/tokenizers/BertPretokenizer.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ptm {

class WordPiece {
public:
  // Loads DIRECTORY/vocab.txt: one token per line, id = line number - 1. Lines
  // end at "\n", "\r\n" or a lone "\r", as Python's text-mode readlines() in
  // BERT's load_vocab splits them; other line separators (U+2028, U+0085) are
  // part of a token. Normalisation follows `lowercase` when given, otherwise
  // DIRECTORY/tokenizer_config.json when present: do_lower_case (default
  // true), strip_accents (default: when lower-casing) and
  // tokenize_chinese_chars (default true), as BertTokenizer's defaults.
  // Throws ptm::Error naming the file at fault when vocab.txt is missing or
  // empty, a token occurs twice, a special token is missing, or the config is
  // not a JSON object with booleans (or null for strip_accents) there.
  // Without vocab.txt, DIRECTORY/tokenizer.json is read (loadTokenizerJson).
  static WordPiece load(const std::string &directory, std::optional<bool> lowercase = std::nullopt);
  // Loads a fast tokenizer's tokenizer.json of BERT's kind: model type
  // WordPiece with its vocab (unk_token [UNK], continuing_subword_prefix "##",
  // max_input_chars_per_word 100 where given), the added tokens appended where
  // the vocab lacks them, BertPreTokenizer, and BertNormalizer's lowercase,
  // strip_accents and handle_chinese_chars as the normalisation (`lowercase`
  // overrides lowercase as in load()). Throws ptm::Error naming the file when
  // it describes another tokenizer.
  static WordPiece loadTokenizerJson(const std::string &path, std::optional<bool> lowercase = std::nullopt);
  // Whether DIRECTORY holds a vocab.txt or a WordPiece tokenizer.json, a
  // vocabulary that load() reads.
  static bool hasVocabulary(const std::string &directory);

  // Called during training each time the vocabulary grows, with its size.
  using TrainingProgress = std::function<void(int64_t vocabSize, int64_t vocabSizeWanted)>;

  // Learns a vocabulary of `vocabSize` tokens from `text`, as Hugging Face
  // tokenizers' WordPieceTrainer does (BPE with the "##" continuation prefix):
  //  - ids 0-4 are [PAD] [UNK] [CLS] [SEP] [MASK];
  //  - then every character of the words as a word-initial token, in code
  //    point order, then every character that occurs inside a word as its
  //    "##" continuation, in code point order;
  //  - then merges: the adjacent pair of tokens that occurs most often
  //    (counting each distinct word with its frequency) is joined (a + ##b ->
  //    ab, ##a + ##b -> ##ab); ties go to the pair whose left token has the
  //    smaller id, then the right one. A merge that spells an existing token
  //    reuses it.
  // Words come from BertPretokenizer.h with `lowercase` (accents stripped with
  // it) and CJK splitting; special tokens written in the text are left out.
  // The alphabet is kept whole, as Hugging Face's trainer keeps it, even where
  // it alone exceeds `vocabSize`; training stops early, with fewer tokens,
  // when no pair is left to merge.
  // Throws ptm::Error when `vocabSize` cannot hold the special tokens.
  static WordPiece train(std::string_view text, int64_t vocabSize, bool lowercase,
                         const TrainingProgress &progress = {});

  // Writes DIRECTORY/vocab.txt, tokenizer_config.json (do_lower_case,
  // strip_accents, tokenize_chinese_chars, tokenizer_class "BertTokenizer"
  // and the special tokens) and special_tokens_map.json, each atomically, so
  // that load() and Hugging Face's BertTokenizer.from_pretrained() read it
  // back. Creates DIRECTORY if needed.
  void save(const std::string &directory) const;

  // BertTokenizer.encode(text, add_special_tokens=False). `text` may be any
  // bytes (see BertPretokenizer.h for invalid UTF-8). Safe to call from
  // several threads.
  std::vector<int32_t> encode(std::string_view text) const;
  // [CLS] text [SEP].
  std::vector<int32_t> encodeWithSpecialTokens(std::string_view text) const;

  struct EncodedPair {
    std::vector<int32_t> ids;          // [CLS] first [SEP] second [SEP]
    std::vector<int32_t> tokenTypeIds; // 0 up to the first [SEP], then 1
  };
  EncodedPair encodePair(std::string_view first, std::string_view second) const;

  // The token strings of encode(text) (BertTokenizer.tokenize).
  std::vector<std::string> tokenize(std::string_view text) const;

  // BertTokenizer.convert_tokens_to_string of the ids' tokens: joined with
  // spaces, " ##" removed, surrounding whitespace stripped. Throws ptm::Error
  // on an id outside the vocabulary.
  std::string decode(const std::vector<int32_t> &ids) const;

  int64_t vocabSize() const { return static_cast<int64_t>(tokens_.size()); }
  std::optional<int32_t> tokenId(std::string_view token) const;
  // The token of `id`; throws ptm::Error outside the vocabulary.
  const std::string &token(int32_t id) const;
  // Whether `id` continues a word ("##..."), for whole-word masking; false
  // outside the vocabulary.
  bool continuesWord(int32_t id) const;

  int32_t padId() const { return specialIds_[kPad]; }
  int32_t unkId() const { return specialIds_[kUnk]; }
  int32_t clsId() const { return specialIds_[kCls]; }
  int32_t sepId() const { return specialIds_[kSep]; }
  int32_t maskId() const { return specialIds_[kMask]; }
  const BertNormalization &normalization() const { return normalization_; }

  // The token index points into tokens_, so a copy would point into the
  // original; moves keep the strings where they are.
  WordPiece(const WordPiece &) = delete;
  WordPiece &operator=(const WordPiece &) = delete;
  WordPiece(WordPiece &&) noexcept = default;
  WordPiece &operator=(WordPiece &&) noexcept = default;

  // BertTokenizer's special tokens, in the order of the ids above and of
  // trained vocabularies.
  static const std::vector<std::string> &specialTokens();
  // What continuation tokens start with.
  static constexpr std::string_view kContinuationPrefix = "##";

private:
  enum SpecialIndex { kPad, kUnk, kCls, kSep, kMask, kSpecialCount };

  // Validates and indexes `tokens` (by id); errors name `origin`.
  WordPiece(std::vector<std::string> tokens, const BertNormalization &normalization, const std::string &origin);

  void appendWordPieces(std::string_view word, std::vector<int32_t> &ids) const;
  void checkId(int32_t id) const;

  std::vector<std::string> tokens_; // by id
  std::unordered_map<std::string_view, int32_t> idsByToken_; // views into tokens_
  int32_t specialIds_[kSpecialCount];
  size_t longestTokenChars_ = 0; // in code points, to bound the longest-match search
  BertNormalization normalization_;
};

} // namespace ptm
