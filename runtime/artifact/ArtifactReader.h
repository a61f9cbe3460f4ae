// Loading an artifact file (header + flatbuffer, see artifact.fbs) with every
// check done before any of it is used: size, magic, format version, exact payload
// size, checksum, flatbuffer verification and the references between tables.
#pragma once

#include "runtime/DType.h"
#include "runtime/artifact/artifact_generated.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ptm {

class ArtifactReader {
public:
  // Reads and validates the file; throws ptm::Error naming `path` when it is not
  // a usable artifact (too short, bad magic, other format version, truncated,
  // corrupt, or a flatbuffer that fails verification).
  explicit ArtifactReader(std::string path);

  // The flatbuffer points into bytes owned by this object, hence no copies.
  ArtifactReader(const ArtifactReader &) = delete;
  ArtifactReader &operator=(const ArtifactReader &) = delete;
  ArtifactReader(ArtifactReader &&) = default;
  ArtifactReader &operator=(ArtifactReader &&) = default;

  const std::string &path() const { return path_; }
  uint32_t formatVersion() const { return formatVersion_; }
  const artifact::Artifact &artifact() const { return *artifact_; }

  // The entry named `name`; throws ptm::Error listing the available entries.
  const artifact::Entry &entry(const std::string &name) const;

private:
  std::string path_;
  std::vector<uint8_t> fileBytes_;
  uint32_t formatVersion_ = 0;
  const artifact::Artifact *artifact_ = nullptr;
};

// The runtime's view of an artifact dtype (the enumerators have equal values;
// ArtifactReader has already rejected out-of-range ones).
DType toRuntimeDType(artifact::DType dtype);

// The shape of a tensor descriptor (empty for a scalar).
std::vector<int64_t> shapeOf(const artifact::TensorDesc &desc);

// "input_ids: i64[2,16]"
std::string formatTensorDesc(const artifact::TensorDesc &desc);

// The entry's input called `name`, or nullptr when it has none.
const artifact::TensorDesc *findInput(const artifact::Entry &entry, const std::string &name);
// The entry's output called `name`, or nullptr when it has none.
const artifact::TensorDesc *findOutput(const artifact::Entry &entry, const std::string &name);

} // namespace ptm
