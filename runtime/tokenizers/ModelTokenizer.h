// The tokenizer of a model directory, whichever kind its files hold: BERT's
// WordPiece (vocab.txt, or a WordPiece tokenizer.json) or GPT-2's byte-level
// BPE (vocab.json + merges.txt, encoder.json + vocab.bpe, or a BPE
// tokenizer.json). A slow tokenizer's files are read before tokenizer.json,
// as transformers' slow tokenizers read them.
#pragma once

#include "runtime/artifact/ArtifactReader.h"
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

// The model directory of a weights path: the path itself when it is a
// directory (a Hugging Face model directory holds its tokenizer next to
// model.safetensors), else the directory of the weights file.
std::string weightsDirectoryOf(const std::string &weightsPath);

// Where a command that runs an artifact reads its tokenizer: the --tokenizer
// directory when given; else the weights' directory (a Hugging Face model
// directory) when it holds a tokenizer; else the tokenizer files that ptmc
// packed into the artifact from the model directory it compiled, unpacked
// into a private temporary directory that lives as long as this object.
// With none of them, path() is the weights' directory, so that the loader's
// error names the place the user pointed at.
class TokenizerDirectory {
public:
  TokenizerDirectory(const std::string &explicitDirectory, const std::string &weightsPath,
                     const ArtifactReader &artifact);
  ~TokenizerDirectory();
  TokenizerDirectory(const TokenizerDirectory &) = delete;
  TokenizerDirectory &operator=(const TokenizerDirectory &) = delete;

  const std::string &path() const { return path_; }

private:
  std::string path_;
  std::string unpacked_; // the temporary directory, removed on destruction
};

} // namespace ptm
