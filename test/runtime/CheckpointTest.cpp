#include "runtime/loops/Checkpoint.h"

#include "test/runtime/TestArtifact.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ptm::test {
namespace {

namespace fs = std::filesystem;
using loops::CheckpointWriter;
using nlohmann::json;

std::string readText(const std::string &path) {
  std::vector<uint8_t> bytes = readFileBytes(path);
  return std::string(bytes.begin(), bytes.end());
}

void writeText(const std::string &path, const std::string &text) {
  writeFileBytes(path, std::vector<uint8_t>(text.begin(), text.end()));
}

// FNV-1a 64, written independently of the library.
std::string fnv1a64(const std::string &bytes) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char byte : bytes) {
    hash ^= byte;
    hash *= 1099511628211ull;
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

std::vector<std::string> namesIn(const std::string &directory) {
  std::vector<std::string> names;
  for (const auto &entry : fs::directory_iterator(directory))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> sorted(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  return names;
}

class CheckpointTest : public ::testing::Test {
protected:
  // Commits a checkpoint of `files` (name -> content) as parent/checkpoint-<step>.
  std::string commit(long step, const std::vector<std::pair<std::string, std::string>> &files,
                     const std::string &state = "") {
    std::string directory = loops::checkpointDirectory(scratch.path("run"), step);
    CheckpointWriter writer(directory);
    for (const auto &[name, content] : files)
      writeText(writer.path(name), content);
    writer.commit(state.empty() ? json{{"step", step}}.dump() : state);
    return directory;
  }

  std::string commitStandard(long step) {
    return commit(step, {{"config.json", "{\"n_layer\": 2}\n"},
                         {"model.safetensors", std::string(1000, 'm') + std::to_string(step)},
                         {"optimizer.safetensors", std::string(3000, '\x01') + "adam"}});
  }

  ScratchDirectory scratch;
};

TEST_F(CheckpointTest, DirectoryNamesHoldTheStep) {
  EXPECT_EQ(loops::checkpointDirectory("out", 42), "out/checkpoint-42");
  EXPECT_EQ(loops::checkpointDirectory("/a/b", 0), "/a/b/checkpoint-0");
}

TEST_F(CheckpointTest, CommitWritesTheFilesAndAStateListingSizesAndChecksums) {
  std::string model = std::string(1000, 'm') + "10";
  std::string directory = commitStandard(10);
  EXPECT_EQ(namesIn(scratch.path("run")), std::vector<std::string>{"checkpoint-10"}); // no staging left
  EXPECT_EQ(namesIn(directory), (std::vector<std::string>{"config.json", "model.safetensors",
                                                          "optimizer.safetensors", "trainer_state.json"}));
  EXPECT_EQ(readText(directory + "/model.safetensors"), model);

  json state = json::parse(readText(directory + "/trainer_state.json"));
  EXPECT_EQ(state.at("step"), 10);
  const json &files = state.at("files");
  ASSERT_EQ(files.size(), 3u); // trainer_state.json does not list itself
  EXPECT_EQ(files.at("model.safetensors").at("bytes"), model.size());
  EXPECT_EQ(files.at("model.safetensors").at("fnv1a64"), fnv1a64(model));
  EXPECT_EQ(files.at("config.json").at("bytes"), 15u);
  EXPECT_EQ(files.at("config.json").at("fnv1a64"), fnv1a64("{\"n_layer\": 2}\n"));
  EXPECT_EQ(files.at("optimizer.safetensors").at("bytes"), 3004u);

  // verifyCheckpoint returns the state without the file list.
  json verified = json::parse(loops::verifyCheckpoint(directory));
  EXPECT_EQ(verified, (json{{"step", 10}}));
}

TEST_F(CheckpointTest, StagedFilesAreInvisibleUntilCommit) {
  std::string directory = loops::checkpointDirectory(scratch.path("run"), 3);
  CheckpointWriter writer(directory);
  EXPECT_NE(writer.path("model.safetensors").rfind(directory + "/", 0), 0u); // not under the final name
  writeText(writer.path("model.safetensors"), "weights");
  EXPECT_FALSE(fs::exists(directory));
  EXPECT_THROW(loops::resolveCheckpoint(scratch.path("run")), Error);
  writer.commit("{\"step\": 3}");
  EXPECT_TRUE(fs::exists(directory + "/model.safetensors"));
  EXPECT_EQ(loops::resolveCheckpoint(scratch.path("run")), directory);
}

TEST_F(CheckpointTest, AWriterDestroyedWithoutCommitLeavesNothing) {
  {
    CheckpointWriter writer(loops::checkpointDirectory(scratch.path("run"), 5));
    writeText(writer.path("model.safetensors"), "half a checkpoint");
  }
  EXPECT_TRUE(namesIn(scratch.path("run")).empty());
}

TEST_F(CheckpointTest, RecommittingAStepReplacesTheOldCheckpoint) {
  commit(20, {{"model.safetensors", "old weights"}, {"stale.bin", "only in the old one"}});
  std::string directory = commit(20, {{"model.safetensors", "new weights!"}}, "{\"step\": 20, \"run\": 2}");
  EXPECT_EQ(namesIn(scratch.path("run")), std::vector<std::string>{"checkpoint-20"}); // nothing set aside is left
  EXPECT_EQ(namesIn(directory), (std::vector<std::string>{"model.safetensors", "trainer_state.json"}));
  EXPECT_EQ(readText(directory + "/model.safetensors"), "new weights!");
  EXPECT_EQ(json::parse(loops::verifyCheckpoint(directory)).at("run"), 2);
}

TEST_F(CheckpointTest, VerifyRejectsATruncatedFile) {
  std::string directory = commitStandard(10);
  std::string file = directory + "/model.safetensors";
  std::vector<uint8_t> bytes = readFileBytes(file);
  bytes.resize(bytes.size() - 1);
  writeFileBytes(file, bytes);
  expectError([&] { loops::verifyCheckpoint(directory); }, file, {"truncated", "1001 bytes", "1002"});
}

TEST_F(CheckpointTest, VerifyRejectsAFileThatGrew) {
  std::string directory = commitStandard(10);
  std::string file = directory + "/optimizer.safetensors";
  std::vector<uint8_t> bytes = readFileBytes(file);
  bytes.push_back(0);
  writeFileBytes(file, bytes);
  expectError([&] { loops::verifyCheckpoint(directory); }, file, {"3005 bytes", "3004"});
}

TEST_F(CheckpointTest, VerifyRejectsAFileWithOneByteFlipped) {
  for (size_t offset : {size_t(0), size_t(500), size_t(1001)}) {
    SCOPED_TRACE(offset);
    std::string directory = commitStandard(10);
    std::string file = directory + "/model.safetensors";
    std::vector<uint8_t> bytes = readFileBytes(file);
    bytes[offset] ^= 0x01;
    writeFileBytes(file, bytes);
    expectError([&] { loops::verifyCheckpoint(directory); }, file, {"corrupt", "checksum"});
  }
}

TEST_F(CheckpointTest, VerifyRejectsAMissingFile) {
  std::string directory = commitStandard(10);
  std::string file = directory + "/optimizer.safetensors";
  fs::remove(file);
  expectError([&] { loops::verifyCheckpoint(directory); }, file, {"missing"});
}

TEST_F(CheckpointTest, VerifyRejectsAMissingTrainerState) {
  std::string directory = commitStandard(10);
  fs::remove(directory + "/trainer_state.json");
  expectError([&] { loops::verifyCheckpoint(directory); }, directory, {"not a ptm checkpoint", "trainer_state.json"});
  std::string plain = scratch.path("plain");
  fs::create_directory(plain);
  expectError([&] { loops::verifyCheckpoint(plain); }, plain, {"trainer_state.json"});
}

TEST_F(CheckpointTest, VerifyRejectsAnInvalidTrainerState) {
  std::string directory = commitStandard(10);
  std::string state = directory + "/trainer_state.json";
  std::string original = readText(state);

  writeText(state, original.substr(0, original.size() / 2)); // truncated
  expectError([&] { loops::verifyCheckpoint(directory); }, state, {"not valid JSON"});
  writeText(state, "");
  expectError([&] { loops::verifyCheckpoint(directory); }, state, {"not valid JSON"});
  writeText(state, "{\"step\": 10}");
  expectError([&] { loops::verifyCheckpoint(directory); }, state, {"\"files\""});
  writeText(state, "[1, 2]");
  expectError([&] { loops::verifyCheckpoint(directory); }, state, {"\"files\""});
  writeText(state, "{\"files\": [\"model.safetensors\"]}");
  expectError([&] { loops::verifyCheckpoint(directory); }, state, {"\"files\""});
  writeText(state, "{\"files\": {\"model.safetensors\": {\"bytes\": 1002}}}");
  expectError([&] { loops::verifyCheckpoint(directory); }, state, {"malformed", "model.safetensors"});
}

TEST_F(CheckpointTest, VerifyRejectsWrongTypesInTheFileListAsAnError) {
  // Valid JSON with the wrong types is as corrupt as invalid JSON: a ptm::Error
  // naming trainer_state.json, not a JSON library exception.
  std::string directory = commitStandard(10);
  std::string state = directory + "/trainer_state.json";
  json good = json::parse(readText(state));
  std::string checksum = good["files"]["model.safetensors"]["fnv1a64"];

  for (const json &entry : {json{{"bytes", "1002"}, {"fnv1a64", checksum}}, json{{"bytes", -5}, {"fnv1a64", checksum}},
                            json{{"bytes", 1002}, {"fnv1a64", 12345}}, json{{"bytes", nullptr}, {"fnv1a64", checksum}},
                            json::array({1002, checksum})}) {
    SCOPED_TRACE(entry.dump());
    json bad = good;
    bad["files"]["model.safetensors"] = entry;
    writeText(state, bad.dump());
    expectError([&] { loops::verifyCheckpoint(directory); }, state, {"malformed", "model.safetensors"});
  }
}

TEST_F(CheckpointTest, ResolvePicksTheNewestCheckpointByStepNumber) {
  for (long step : {5, 20, 100, 9})
    commitStandard(step);
  std::string run = scratch.path("run");
  // Not checkpoints: a crashed writer's staging directory, a directory
  // without trainer_state.json, names that are not checkpoint-<step>, a file.
  fs::create_directories(run + "/checkpoint-500.staging.12345");
  writeText(run + "/checkpoint-500.staging.12345/trainer_state.json", "{\"files\": {}}");
  fs::create_directories(run + "/checkpoint-400");
  writeText(run + "/checkpoint-400/model.safetensors", "no state");
  for (const char *name : {"checkpoint-abc", "checkpoint-", "checkpoint-300x", "checkpoint--1", "other-900"}) {
    fs::create_directories(run + "/" + name);
    writeText(run + "/" + name + "/trainer_state.json", "{\"files\": {}}");
  }
  writeText(run + "/checkpoint-600", "a file");

  EXPECT_EQ(loops::resolveCheckpoint(run), loops::checkpointDirectory(run, 100));
  // A checkpoint directory itself resolves to itself.
  std::string twenty = loops::checkpointDirectory(run, 20);
  EXPECT_EQ(loops::resolveCheckpoint(twenty), twenty);
}

TEST_F(CheckpointTest, ResolveIgnoresAStepTooLargeForANumber) {
  commitStandard(7);
  std::string run = scratch.path("run");
  std::string huge = run + "/checkpoint-99999999999999999999999999";
  fs::create_directories(huge);
  writeText(huge + "/trainer_state.json", "{\"files\": {}}");
  EXPECT_EQ(loops::resolveCheckpoint(run), loops::checkpointDirectory(run, 7));
  loops::pruneCheckpoints(run, 1);
  EXPECT_TRUE(fs::exists(loops::checkpointDirectory(run, 7)));
}

TEST_F(CheckpointTest, ResolveErrorsWithoutACheckpoint) {
  std::string empty = scratch.path("empty");
  fs::create_directories(empty + "/checkpoint-3"); // no trainer_state.json
  expectError([&] { loops::resolveCheckpoint(empty); }, empty, {"no checkpoint"});
  std::string missing = scratch.path("missing");
  expectError([&] { loops::resolveCheckpoint(missing); }, missing, {"not a directory"});
  std::string file = scratch.path("file.txt");
  writeText(file, "x");
  expectError([&] { loops::resolveCheckpoint(file); }, file, {"not a directory"});
}

TEST_F(CheckpointTest, PruneKeepsTheNewestN) {
  for (long step : {100, 5, 20, 9, 1000})
    commitStandard(step);
  std::string run = scratch.path("run");
  // Left behind by runs killed mid-write: removed. Anything else stays.
  fs::create_directories(run + "/checkpoint-1.staging.777");
  fs::create_directories(run + "/checkpoint-9.old.778");
  fs::create_directories(run + "/notes");

  loops::pruneCheckpoints(run, 3);
  EXPECT_EQ(namesIn(run), sorted({"checkpoint-100", "checkpoint-1000", "checkpoint-20", "notes"}));
  loops::pruneCheckpoints(run, 5); // fewer than N: nothing to do
  EXPECT_EQ(namesIn(run).size(), 4u);
  loops::pruneCheckpoints(run, 1);
  EXPECT_EQ(namesIn(run), sorted({"checkpoint-1000", "notes"}));
  EXPECT_NO_THROW(loops::verifyCheckpoint(run + "/checkpoint-1000"));
}

} // namespace
} // namespace ptm::test
