#include "runtime/tokenizers/TokenizerJson.h"

#include "runtime/Error.h"
#include "runtime/JsonFile.h"

#include <filesystem>
#include <limits>

namespace ptm {

std::string tokenizerJsonPath(const std::string &directory) {
  return (std::filesystem::path(directory) / "tokenizer.json").string();
}

std::string tokenizerJsonModelType(const std::string &directory) {
  std::string path = tokenizerJsonPath(directory);
  std::error_code ignored;
  if (!std::filesystem::is_regular_file(path, ignored))
    return "";
  return readTokenizerJson(path)["model"]["type"].get<std::string>();
}

nlohmann::json readTokenizerJson(const std::string &path) {
  nlohmann::json spec = readJsonFile(path);
  if (!spec.is_object() || !spec.contains("model") || !spec["model"].is_object() ||
      !spec["model"].contains("type") || !spec["model"]["type"].is_string())
    throw Error(path, "is not a tokenizer.json: expected an object with a \"model\" object that has a \"type\"");
  return spec;
}

std::vector<std::string> vocabularyById(const nlohmann::json &vocabulary, const std::string &origin) {
  if (!vocabulary.is_object())
    throw Error(origin, "is not a JSON object mapping tokens to ids");
  const size_t size = vocabulary.size();
  if (size > static_cast<size_t>(std::numeric_limits<int32_t>::max()))
    throw Error(origin, "has more tokens than 32-bit ids can number");
  std::vector<std::string> tokens(size);
  std::vector<bool> assigned(size, false);
  for (const auto &[token, value] : vocabulary.items()) {
    if (!value.is_number_unsigned() || value.get<uint64_t>() >= size)
      throw Error(origin, "token '" + token + "' has id " + value.dump() + ", expected an integer in 0.." +
                              std::to_string(size - 1));
    size_t id = value.get<uint64_t>();
    if (assigned[id])
      throw Error(origin, "id " + std::to_string(id) + " is given to both '" + tokens[id] + "' and '" + token + "'");
    assigned[id] = true;
    tokens[id] = token;
  }
  return tokens;
}

std::vector<std::string> tokenizerJsonVocabulary(const nlohmann::json &spec, const std::string &path) {
  const nlohmann::json &model = spec["model"];
  if (!model.contains("vocab"))
    throw Error(path, "its model has no vocab");
  std::vector<std::string> tokens = vocabularyById(model["vocab"], path + " (model.vocab)");
  auto added = spec.find("added_tokens");
  if (added == spec.end() || added->is_null())
    return tokens;
  if (!added->is_array())
    throw Error(path, "added_tokens is not a list");
  for (const nlohmann::json &token : *added) {
    if (!token.is_object() || !token.contains("id") || !token["id"].is_number_unsigned() ||
        !token.contains("content") || !token["content"].is_string())
      throw Error(path, "an added token is not an object with an integer id and a string content: " + token.dump());
    size_t id = token["id"].get<uint64_t>();
    std::string content = token["content"].get<std::string>();
    if (id < tokens.size() && tokens[id] == content)
      continue;
    if (id != tokens.size())
      throw Error(path, "added token '" + content + "' has id " + std::to_string(id) + ", but " +
                            (id < tokens.size() ? "the vocabulary gives that id to '" + tokens[id] + "'"
                                                : "the next free id is " + std::to_string(tokens.size())));
    tokens.push_back(std::move(content));
  }
  return tokens;
}

} // namespace ptm
