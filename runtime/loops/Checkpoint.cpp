#include "runtime/loops/Checkpoint.h"

#include "runtime/AtomicFile.h"
#include "runtime/Error.h"
#include "runtime/artifact/ArtifactFormat.h"
#include <cstdio>
#include <cstring>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace fs = std::filesystem;
using nlohmann::json;

namespace ptm::loops {
namespace {

constexpr const char *kStateFile = "trainer_state.json";
constexpr const char *kPrefix = "checkpoint-";

struct FileDigest {
  uint64_t size = 0;
  uint64_t checksum = 0;
};

// FNV-1a over the file, streamed: checkpoints of large models do not fit twice in memory.
FileDigest digestOf(const fs::path &path) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream)
    throw Error(path.string(), "cannot be read");
  FileDigest digest;
  digest.checksum = artifact::kFnv1a64Start;
  std::vector<uint8_t> buffer(1 << 20);
  while (stream) {
    stream.read(reinterpret_cast<char *>(buffer.data()), static_cast<std::streamsize>(buffer.size()));
    auto got = static_cast<size_t>(stream.gcount());
    digest.checksum = artifact::fnv1a64(buffer.data(), got, digest.checksum);
    digest.size += got;
  }
  return digest;
}

std::string hex(uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

} // namespace

FileIdentity identityOfFile(const std::string &path) {
  FileDigest digest = digestOf(path);
  return {digest.size, hex(digest.checksum)};
}

std::string checksumOf(std::string_view bytes) {
  return hex(artifact::fnv1a64(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size()));
}

namespace {

// The step of a "checkpoint-<step>" directory name, or -1.
long stepOf(const std::string &name) {
  if (name.compare(0, std::strlen(kPrefix), kPrefix) != 0)
    return -1;
  std::string digits = name.substr(std::strlen(kPrefix));
  // More than 18 digits would overflow a long: not a step ptm wrote.
  if (digits.empty() || digits.size() > 18 || digits.find_first_not_of("0123456789") != std::string::npos)
    return -1;
  return std::stol(digits);
}

std::vector<std::pair<long, fs::path>> checkpointsIn(const fs::path &parent) {
  std::vector<std::pair<long, fs::path>> found;
  std::error_code error;
  for (const fs::directory_entry &entry : fs::directory_iterator(parent, error)) {
    long step = stepOf(entry.path().filename().string());
    if (step >= 0 && entry.is_directory() && fs::exists(entry.path() / kStateFile))
      found.emplace_back(step, entry.path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

} // namespace

CheckpointWriter::CheckpointWriter(std::string directory)
    : directory_(std::move(directory)), staging_(directory_ + ".staging." + std::to_string(::getpid())) {
  std::error_code error;
  fs::remove_all(staging_, error);
  if (!fs::create_directories(staging_, error) || error)
    throw Error(directory_, "cannot create the staging directory '" + staging_ + "': " + error.message());
}

CheckpointWriter::~CheckpointWriter() {
  if (!committed_) {
    std::error_code error;
    fs::remove_all(staging_, error);
  }
}

std::string CheckpointWriter::path(const std::string &fileName) const {
  return (fs::path(staging_) / fileName).string();
}

void CheckpointWriter::commit(const std::string &stateJson) {
  json state = json::parse(stateJson);
  json files = json::object();
  for (const fs::directory_entry &entry : fs::directory_iterator(staging_)) {
    std::string name = entry.path().filename().string();
    if (name == kStateFile)
      continue;
    FileDigest digest = digestOf(entry.path());
    files[name] = {{"bytes", digest.size}, {"fnv1a64", hex(digest.checksum)}};
  }
  state["files"] = files;
  writeFileAtomically(path(kStateFile), [&](std::ostream &stream) { stream << state.dump(2) << "\n"; });

  // An older checkpoint of the same name (a resumed run saving the same
  // step again) is moved aside first, so that some complete copy always exists.
  std::error_code error;
  std::string aside = directory_ + ".old." + std::to_string(::getpid());
  bool replacing = fs::exists(directory_, error);
  if (replacing) {
    fs::remove_all(aside, error);
    fs::rename(directory_, aside, error);
    if (error)
      throw Error(directory_, "cannot move the older checkpoint aside: " + error.message());
  }
  fs::rename(staging_, directory_, error);
  if (error)
    throw Error(directory_, "cannot rename the staged checkpoint into place: " + error.message());
  committed_ = true;
  if (replacing)
    fs::remove_all(aside, error);
}

std::string verifyCheckpoint(const std::string &directory) {
  fs::path statePath = fs::path(directory) / kStateFile;
  std::ifstream stream(statePath, std::ios::binary);
  if (!stream)
    throw Error(directory, "not a ptm checkpoint (no readable trainer_state.json)");
  std::string text((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>());
  json state;
  try {
    state = json::parse(text);
  } catch (const json::exception &) {
    throw Error(statePath.string(), "is not valid JSON (truncated or corrupt)");
  }
  if (!state.is_object() || !state.contains("files") || !state["files"].is_object())
    throw Error(statePath.string(), "has no \"files\" list (not written by ptm-run, or corrupt)");
  for (const auto &[name, expected] : state["files"].items()) {
    fs::path file = fs::path(directory) / name;
    if (!fs::exists(file))
      throw Error(file.string(), "is missing from the checkpoint");
    if (!expected.is_object() || !expected.contains("bytes") || !expected["bytes"].is_number_unsigned() ||
        !expected.contains("fnv1a64") || !expected["fnv1a64"].is_string())
      throw Error(statePath.string(), "has a malformed entry for '" + name + "'");
    FileDigest digest = digestOf(file);
    uint64_t bytes = expected["bytes"].get<uint64_t>();
    if (digest.size != bytes)
      throw Error(file.string(), "is truncated or overwritten: " + std::to_string(digest.size) + " bytes, the checkpoint recorded " +
                                     std::to_string(bytes));
    if (hex(digest.checksum) != expected["fnv1a64"].get<std::string>())
      throw Error(file.string(), "is corrupt: its checksum does not match the one recorded in trainer_state.json");
  }
  state.erase("files");
  return state.dump();
}

std::string resolveCheckpoint(const std::string &path) {
  std::error_code error;
  if (!fs::is_directory(path, error))
    throw Error(path, "is not a directory (expected a checkpoint directory or the directory holding checkpoint-<step>)");
  if (fs::exists(fs::path(path) / kStateFile))
    return path;
  auto found = checkpointsIn(path);
  if (found.empty())
    throw Error(path, "holds no checkpoint (no trainer_state.json, no checkpoint-<step> directory)");
  return found.back().second.string();
}

void pruneCheckpoints(const std::string &parent, int keep) {
  auto found = checkpointsIn(parent);
  std::error_code error;
  for (size_t i = 0; i + static_cast<size_t>(keep) < found.size(); ++i)
    fs::remove_all(found[i].second, error);
  // Staging and set-aside directories of runs that were killed mid-write.
  std::string ownSuffix = "." + std::to_string(::getpid());
  for (const fs::directory_entry &entry : fs::directory_iterator(parent, error)) {
    std::string name = entry.path().filename().string();
    bool leftover = name.rfind(kPrefix, 0) == 0 &&
                    (name.find(".staging.") != std::string::npos || name.find(".old.") != std::string::npos);
    bool own = name.size() >= ownSuffix.size() && name.compare(name.size() - ownSuffix.size(), ownSuffix.size(), ownSuffix) == 0;
    if (leftover && !own)
      fs::remove_all(entry.path(), error);
  }
}

std::string checkpointDirectory(const std::string &parent, long step) {
  return (fs::path(parent) / (kPrefix + std::to_string(step))).string();
}

} // namespace ptm::loops
