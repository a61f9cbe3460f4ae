// GPT-2's byte-level BPE tokenizer (OpenAI's encoder.py, Hugging Face's
// GPT2Tokenizer/GPT2TokenizerFast), token for token, plus a trainer for new
// vocabularies in the same format.
//
// Text is split into pre-tokens (runtime/tokenizers/Gpt2Pretokenizer.h), each
// pre-token's UTF-8 bytes start as one symbol per byte, and adjacent symbols
// are merged by the merge list, lowest rank first, until no pair has a rank.
// Vocabulary strings spell bytes with GPT-2's byte-to-unicode table (printable
// bytes stand for themselves, the others for U+0100 + n, so a space is "Ġ").
//
// Every vocabulary entry that is neither one of the 256 byte tokens nor the
// result of a merge is a special token (GPT-2 has one, "<|endoftext|>" =
// 50256): it is spelled as raw text, and where it occurs literally in the text
// given to encode() it becomes its id, as GPT2TokenizerFast does by default.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ptm {

class ByteLevelBpe {
public:
  // Loads DIRECTORY/vocab.json + DIRECTORY/merges.txt (Hugging Face names) or,
  // when there is no vocab.json, DIRECTORY/encoder.json + DIRECTORY/vocab.bpe
  // (OpenAI names), or, when there is neither, DIRECTORY/tokenizer.json (see
  // loadTokenizerJson). The vocabulary is a JSON object mapping each token to
  // its id, the ids being exactly 0..N-1; the merges file has one "a b" pair
  // per line, highest priority first, after an optional "#version" line.
  // Throws ptm::Error naming the file at fault when a file is missing or
  // malformed, an id is duplicated or missing, a byte token is missing, or a
  // merge's parts or result are not in the vocabulary.
  static ByteLevelBpe load(const std::string &directory);
  // Loads a fast tokenizer's tokenizer.json of GPT-2's kind: model type BPE
  // with its vocab and merges ("a b" strings or ["a", "b"] pairs), the
  // added tokens (<|endoftext|>) appended where the vocab lacks them, a
  // ByteLevel pre-tokenizer without prefix space, no normalizer. Throws
  // ptm::Error naming the file when it describes another tokenizer.
  static ByteLevelBpe loadTokenizerJson(const std::string &path);
  // Whether DIRECTORY holds a vocabulary that load() reads.
  static bool hasVocabulary(const std::string &directory);

  // Called during training each time the vocabulary grows, with its size.
  using TrainingProgress = std::function<void(int64_t vocabSize, int64_t vocabSizeWanted)>;

  // Learns a vocabulary of `vocabSize` tokens from `text`: the 256 byte tokens
  // (id = byte value), then the merges, then `specialTokens` in order. Special
  // tokens are cut out of the text first so that no merge learns from them;
  // the rest is split with GPT-2's pre-tokenizer, and each merge joins the
  // adjacent pair that occurs most often (counting every pre-token with its
  // frequency). Ties go to the pair whose left token has the smaller id, then
  // the right one, so the result depends on the input alone. A merge whose
  // result spells an existing token (a+bc after ab+c) reuses that token's id,
  // as Hugging Face's trainer does. Training stops
  // early, with fewer tokens, when no adjacent pair is left to merge. Throws
  // ptm::Error when `vocabSize` cannot hold the byte and special tokens, or a
  // special token is empty, not valid UTF-8, duplicated, or collides with a
  // learned token.
  static ByteLevelBpe train(std::string_view text, int64_t vocabSize, const std::vector<std::string> &specialTokens,
                            const TrainingProgress &progress = {});

  // Writes DIRECTORY/vocab.json (tokens in id order) and DIRECTORY/merges.txt
  // (a "#version: 0.2" line, then the merges), the Hugging Face format that
  // load() reads back, each file atomically. Creates DIRECTORY if needed.
  void save(const std::string &directory) const;

  // The token ids of `text`, which may be any bytes: invalid UTF-8 is split
  // as Gpt2Pretokenizer.h describes and encoded byte for byte, so that
  // decode(encode(text)) == text always. Safe to call from several threads.
  std::vector<int32_t> encode(std::string_view text) const;

  // The bytes that `ids` stand for, concatenated: exact even where the ids cut
  // a UTF-8 character in two. Throws ptm::Error on an id outside the vocabulary.
  std::string decode(const std::vector<int32_t> &ids) const;

  // decode() as text: invalid UTF-8 is replaced by U+FFFD, as GPT-2's
  // decode(errors="replace") does.
  std::string decodeText(const std::vector<int32_t> &ids) const;

  int64_t vocabSize() const { return static_cast<int64_t>(tokens_.size()); }
  // The id of a vocabulary string (byte-to-unicode spelling, or raw text for a
  // special token such as "<|endoftext|>").
  std::optional<int32_t> tokenId(std::string_view token) const;
  // The vocabulary string of `id`; throws ptm::Error outside the vocabulary.
  const std::string &token(int32_t id) const;
  const std::vector<std::string> &specialTokens() const { return specialTokens_; }

  ByteLevelBpe(ByteLevelBpe &&) noexcept;
  ByteLevelBpe &operator=(ByteLevelBpe &&) noexcept;
  ~ByteLevelBpe();

private:
  struct Merge {
    int32_t rank;
    int32_t result;
  };
  struct WordCache;

  // Validates and indexes a vocabulary (strings by id) and merge list; errors
  // name `vocabOrigin` or `mergesOrigin`. Merges are given by their position
  // (1-based) in `mergesOrigin`, a line number or, with `mergePosition`
  // "merge", an index into a list, to point errors at them.
  ByteLevelBpe(std::vector<std::string> tokens, const std::vector<std::pair<std::string, std::string>> &merges,
               const std::vector<int64_t> &mergeLines, const std::string &vocabOrigin,
               const std::string &mergesOrigin, const char *mergePosition = "line");

  // How vocabulary strings spell `byte`.
  static const std::string &spelledByte(uint8_t byte);
  static uint64_t pairKey(int32_t left, int32_t right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
  }
  void checkId(int32_t id) const;
  // The ids of one pre-token.
  void encodeWord(std::string_view word, std::vector<int32_t> &ids) const;

  std::vector<std::string> tokens_;     // vocabulary strings by id
  std::vector<std::string> tokenBytes_; // what each id decodes to
  std::unordered_map<std::string, int32_t> idsByToken_;
  int32_t byteIds_[256];
  std::unordered_map<uint64_t, Merge> merges_; // by pairKey(left, right)
  std::vector<std::pair<int32_t, int32_t>> mergeOrder_; // by rank, for save()
  std::vector<std::string> specialTokens_;              // raw text, by id
  std::vector<int32_t> specialIds_;
  std::unique_ptr<WordCache> cache_;
};

} // namespace ptm
