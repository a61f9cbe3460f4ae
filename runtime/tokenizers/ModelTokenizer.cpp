#include "runtime/tokenizers/ModelTokenizer.h"

#include "runtime/Error.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

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

std::string weightsDirectoryOf(const std::string &weightsPath) {
  std::error_code ignored;
  if (std::filesystem::is_directory(weightsPath, ignored))
    return weightsPath;
  std::filesystem::path parent = std::filesystem::path(weightsPath).parent_path();
  return parent.empty() ? "." : parent.string();
}

namespace {

bool holdsTokenizer(const std::string &directory) {
  return WordPiece::hasVocabulary(directory) || ByteLevelBpe::hasVocabulary(directory);
}

} // namespace

TokenizerDirectory::TokenizerDirectory(const std::string &explicitDirectory, const std::string &weightsPath,
                                       const ArtifactReader &artifact) {
  if (!explicitDirectory.empty()) {
    path_ = explicitDirectory;
    return;
  }
  path_ = weightsDirectoryOf(weightsPath);
  const auto *files = artifact.artifact().tokenizer_files();
  if (holdsTokenizer(path_) || !files || files->size() == 0)
    return;
  std::string pattern = (std::filesystem::temp_directory_path() / "ptm-tokenizer-XXXXXX").string();
  if (!::mkdtemp(pattern.data()))
    throw Error(artifact.path(), "cannot unpack its tokenizer: mkdtemp: " + std::string(std::strerror(errno)));
  unpacked_ = pattern;
  try {
    for (const artifact::TokenizerFile *file : *files) {
      std::string name = file->name()->str();
      // ptmc writes plain file names; anything else would escape the directory.
      if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
        throw Error(artifact.path(), "holds a tokenizer file with the invalid name '" + name + "'");
      std::ofstream out(std::filesystem::path(unpacked_) / name, std::ios::binary);
      if (file->contents())
        out.write(reinterpret_cast<const char *>(file->contents()->data()),
                  static_cast<std::streamsize>(file->contents()->size()));
      if (!out)
        throw Error(artifact.path(), "cannot unpack its tokenizer file " + name + " to " + unpacked_);
    }
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove_all(unpacked_, ignored);
    throw;
  }
  path_ = unpacked_;
}

TokenizerDirectory::~TokenizerDirectory() {
  if (!unpacked_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(unpacked_, ignored);
  }
}

} // namespace ptm
