// Hugging Face's tokenizer.json: the `tokenizers` library's one-file
// description of a fast tokenizer (normalizer, pre-tokenizer, model with its
// vocabulary, added tokens), which model repositories ship next to, or
// instead of, the slow tokenizers' vocab.json + merges.txt or vocab.txt.
// ByteLevelBpe and WordPiece read the parts of it that they use.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ptm {

// DIRECTORY/tokenizer.json.
std::string tokenizerJsonPath(const std::string &directory);

// The model type of DIRECTORY/tokenizer.json ("BPE", "WordPiece", ...), or ""
// when the directory has no tokenizer.json. Throws ptm::Error naming the file
// when it is not what readTokenizerJson accepts.
std::string tokenizerJsonModelType(const std::string &directory);

// The parsed file. Throws ptm::Error naming it when it is not a JSON object
// with a "model" object that has a string "type".
nlohmann::json readTokenizerJson(const std::string &path);

// The model's vocabulary (model.vocab, token -> id with the ids exactly
// 0..N-1) as token strings by id, followed by the added tokens
// (added_tokens) that it lacks, each at the next id, as `tokenizers` numbers
// them. Throws ptm::Error naming `path` on a malformed vocabulary or an added
// token whose id disagrees with it.
std::vector<std::string> tokenizerJsonVocabulary(const nlohmann::json &spec, const std::string &path);

// A JSON object mapping each token to its id (vocab.json, model.vocab) as
// token strings by id; errors name `origin`.
std::vector<std::string> vocabularyById(const nlohmann::json &vocabulary, const std::string &origin);

} // namespace ptm
