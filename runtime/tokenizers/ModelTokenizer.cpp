#include "runtime/tokenizers/ModelTokenizer.h"

#include "runtime/Error.h"

namespace ptm {

ModelTokenizer loadModelTokenizer(const std::string &directory, std::optional<bool> lowercase) {
  ModelTokenizer tokenizer;
  if (WordPiece::hasVocabulary(directory))
    tokenizer.wordPiece.emplace(WordPiece::load(directory, lowercase));
  else if (ByteLevelBpe::hasVocabulary(directory))
    tokenizer.byteLevelBpe.emplace(ByteLevelBpe::load(directory));
  else
    throw Error(directory, "holds no tokenizer: none of vocab.txt (WordPiece), vocab.json + merges.txt or "
                           "encoder.json + vocab.bpe (byte-level BPE), tokenizer.json");
  return tokenizer;
}

ByteLevelBpe loadByteLevelBpeTokenizer(const std::string &directory, const std::string &user) {
  ModelTokenizer tokenizer = loadModelTokenizer(directory);
  if (!tokenizer.byteLevelBpe)
    throw Error(directory, "holds a WordPiece tokenizer (BERT's); " + user + " needs GPT-2's byte-level BPE");
  return std::move(*tokenizer.byteLevelBpe);
}

WordPiece loadWordPieceTokenizer(const std::string &directory, const std::string &user) {
  ModelTokenizer tokenizer = loadModelTokenizer(directory);
  if (!tokenizer.wordPiece)
    throw Error(directory, "holds a byte-level BPE tokenizer (GPT-2's); " + user + " needs BERT's WordPiece");
  return std::move(*tokenizer.wordPiece);
}

} // namespace ptm
