#include "runtime/JsonFile.h"

#include "runtime/Error.h"
#include "runtime/InputFile.h"

namespace ptm {

nlohmann::json readJsonFile(const std::string &path) {
  InputFile file = openInputFile(path);
  std::string content(file.size, '\0');
  if (!file.stream.read(content.data(), static_cast<std::streamsize>(content.size())))
    throw Error(path, "read failed");
  try {
    return nlohmann::json::parse(content);
  } catch (const nlohmann::json::parse_error &error) {
    throw Error(path, std::string("malformed JSON: ") + error.what());
  }
}

} // namespace ptm
