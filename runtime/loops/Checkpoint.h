// Training checkpoints: directories that Hugging Face loads as they are
// (config.json, model.safetensors, tokenizer files) plus the optimizer state
// and ptm's trainer_state.json, which lists every file with its size and
// checksum. A checkpoint is assembled in a staging directory and renamed into
// place when complete, so a crash never leaves a half-written checkpoint under
// its final name; reading one verifies every listed file first.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ptm::loops {

class CheckpointWriter {
public:
  // Stages the checkpoint that will become `directory`.
  explicit CheckpointWriter(std::string directory);
  ~CheckpointWriter(); // removes the staging directory unless committed
  CheckpointWriter(const CheckpointWriter &) = delete;
  CheckpointWriter &operator=(const CheckpointWriter &) = delete;

  // Where to write the checkpoint file `fileName` before commit().
  std::string path(const std::string &fileName) const;

  // Writes trainer_state.json (the JSON object `stateJson` plus a "files"
  // entry listing every staged file's size and checksum), then renames the
  // staging directory to its final name, replacing an older checkpoint there.
  void commit(const std::string &stateJson);

private:
  std::string directory_;
  std::string staging_;
  bool committed_ = false;
};

// Checks every file that DIR/trainer_state.json lists (present, size,
// checksum) and returns the state's JSON text. Throws ptm::Error naming the
// faulty file: missing, truncated, corrupt, or not a checkpoint at all.
std::string verifyCheckpoint(const std::string &directory);

// `path` itself when it is a checkpoint (has trainer_state.json), else the
// newest checkpoint-<step> directory inside it; throws ptm::Error when none.
std::string resolveCheckpoint(const std::string &path);

// Removes all but the newest `keep` checkpoint-<step> directories in
// `parent`, and what runs killed while writing a checkpoint left behind.
void pruneCheckpoints(const std::string &parent, int keep);

// The checksum trainer_state.json records for a file of these bytes (FNV-1a
// 64, hexadecimal), for data that a checkpoint identifies without holding it.
std::string checksumOf(std::string_view bytes);

// The size and checksum of a file, read streamed: what a checkpoint records
// of a corpus too large to hold in memory.
struct FileIdentity {
  uint64_t bytes;
  std::string checksum;
};
FileIdentity identityOfFile(const std::string &path);

// "checkpoint-<step>" under `parent`.
std::string checkpointDirectory(const std::string &parent, long step);

} // namespace ptm::loops
