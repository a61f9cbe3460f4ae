// The tokenizer of a model directory, whichever kind its files hold: BERT's
// WordPiece (vocab.txt, or a WordPiece tokenizer.json) or GPT-2's byte-level
// BPE (vocab.json + merges.txt, encoder.json + vocab.bpe, or a BPE
// tokenizer.json). A slow tokenizer's files are read before tokenizer.json,
// as transformers' slow tokenizers read them.
#pragma once

#include "runtime/tokenizers/ByteLevelBpe.h"
#include "runtime/tokenizers/WordPiece.h"

#include <optional>
#include <string>

namespace ptm {

// Exactly one is set.
struct ModelTokenizer {
  std::optional<WordPiece> wordPiece;
  std::optional<ByteLevelBpe> byteLevelBpe;

  int64_t vocabSize() const { return wordPiece ? wordPiece->vocabSize() : byteLevelBpe->vocabSize(); }
};

// Loads the tokenizer of DIRECTORY (`lowercase` as WordPiece::load takes it).
// Throws ptm::Error naming the directory when it holds no tokenizer, or the
// file at fault when one is malformed.
ModelTokenizer loadModelTokenizer(const std::string &directory, std::optional<bool> lowercase = std::nullopt);

// loadModelTokenizer for a command that needs one kind; a tokenizer of the
// other kind throws ptm::Error naming the directory and saying that `user`
// ("fill-mask", ...) needs this kind.
ByteLevelBpe loadByteLevelBpeTokenizer(const std::string &directory, const std::string &user);
WordPiece loadWordPieceTokenizer(const std::string &directory, const std::string &user);

} // namespace ptm
