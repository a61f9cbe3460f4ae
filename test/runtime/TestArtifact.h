// Helpers shared by the runtime tests: building artifacts with the flatbuffers
// builder, a scratch directory, and raw file access.
#pragma once

#include "runtime/Error.h"
#include "runtime/Safetensors.h"
#include "runtime/artifact/artifact_generated.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ptm::test {

struct TensorSpec {
  std::string name;
  artifact::DType dtype = artifact::DType_f32;
  std::vector<int64_t> shape;
  int64_t valueBound = 0;
};

struct ParameterSpec {
  TensorSpec desc;
  artifact::InitKind init = artifact::InitKind_normal;
  float initStd = 0.02f;
  std::string tiedTo; // empty: not tied
};

struct EntrySpec {
  std::string name;
  std::string symbol;
  std::vector<TensorSpec> inputs;
  std::vector<TensorSpec> outputs;
  std::vector<uint32_t> parameterIndices;
  std::vector<uint32_t> updatedParameterIndices;
};

struct ArtifactSpec {
  std::vector<ParameterSpec> parameters;
  std::vector<EntrySpec> entries;
  std::vector<uint8_t> cpuCode; // empty: no code blob
};

// The model the tests run: the entries of TestEntries.c over the parameters
//   0 bias f32[4] (init ones), 1 transformer.wte.weight f32[5,3],
//   2 lm_head.weight f32[5,3] tied to transformer.wte.weight
// with entries add_bias, embed and pack_parameters (see TestEntries.c).
ArtifactSpec testModelSpec();

// The finished flatbuffer (the artifact payload) for `spec`.
std::vector<uint8_t> buildArtifactPayload(const ArtifactSpec &spec);

// Writes `spec` as an artifact file (header + payload) to `path`.
void writeTestArtifact(const std::string &path, const ArtifactSpec &spec);

// The bytes of the shared library built from TestEntries.c.
std::vector<uint8_t> testEntriesLibrary();

std::vector<uint8_t> readFileBytes(const std::string &path);
void writeFileBytes(const std::string &path, const std::vector<uint8_t> &bytes);

// A tensor holding `values` converted to `dtype`, which must not be F16/BF16
// (tests write those bit patterns themselves).
Tensor makeTensor(const std::string &name, DType dtype, std::vector<int64_t> shape, const std::vector<double> &values);
std::vector<float> floatValues(const Tensor &tensor);

// A fresh directory, removed with its contents at destruction.
class ScratchDirectory {
public:
  ScratchDirectory();
  ~ScratchDirectory();
  ScratchDirectory(const ScratchDirectory &) = delete;
  ScratchDirectory &operator=(const ScratchDirectory &) = delete;

  std::string path(const std::string &fileName) const { return directory_ + "/" + fileName; }
  // Names of the files in the directory, sorted.
  std::vector<std::string> fileNames() const;

private:
  std::string directory_;
};

// Runs `action`, expecting a ptm::Error whose message starts with
// `fileName + ": "` and contains every one of `fragments`.
template <typename Action>
void expectError(Action &&action, const std::string &fileName, const std::vector<std::string> &fragments) {
  try {
    action();
    ADD_FAILURE() << "expected an error mentioning '" << fileName << "'";
  } catch (const Error &error) {
    std::string message = error.what();
    EXPECT_EQ(message.rfind(fileName + ": ", 0), 0u) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    for (const std::string &fragment : fragments)
      EXPECT_NE(message.find(fragment), std::string::npos) << "'" << fragment << "' not in: " << message;
  }
}

} // namespace ptm::test
