// Reading a JSON file (a config, a tokenizer description) with the failure
// cases turned into one-line ptm::Error messages naming the file.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace ptm {

// The parsed contents of `path`; throws ptm::Error naming it when it cannot
// be opened or read, or is not valid JSON.
nlohmann::json readJsonFile(const std::string &path);

} // namespace ptm
