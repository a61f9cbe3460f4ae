#include "test/runtime/TestArtifact.h"

#include "runtime/artifact/ArtifactFile.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace ptm::test {

namespace {

flatbuffers::Offset<artifact::TensorDesc> buildTensorDesc(flatbuffers::FlatBufferBuilder &builder,
                                                          const TensorSpec &spec) {
  return artifact::CreateTensorDescDirect(builder, spec.name.c_str(), spec.dtype, &spec.shape, spec.valueBound);
}

std::vector<flatbuffers::Offset<artifact::TensorDesc>> buildTensorDescs(flatbuffers::FlatBufferBuilder &builder,
                                                                        const std::vector<TensorSpec> &specs) {
  std::vector<flatbuffers::Offset<artifact::TensorDesc>> descs;
  for (const TensorSpec &spec : specs)
    descs.push_back(buildTensorDesc(builder, spec));
  return descs;
}

} // namespace

ArtifactSpec testModelSpec() {
  using artifact::DType_f32;
  using artifact::DType_i64;
  ArtifactSpec spec;
  spec.parameters = {
      {{"bias", DType_f32, {4}}, artifact::InitKind_ones, 0.0f, ""},
      {{"transformer.wte.weight", DType_f32, {5, 3}}, artifact::InitKind_normal, 0.02f, ""},
      {{"lm_head.weight", DType_f32, {5, 3}}, artifact::InitKind_normal, 0.02f, "transformer.wte.weight"},
  };
  spec.entries = {
      {"add_bias", "ptm_test_add_bias", {{"x", DType_f32, {2, 4}}}, {{"y", DType_f32, {2, 4}}}, {0}},
      {"embed",
       "ptm_test_embed",
       {{"input_ids", DType_i64, {2, 4}, 5}, {"attention_mask", DType_i64, {2, 4}}},
       {{"embeddings", DType_f32, {2, 4, 3}}},
       {1}},
      {"pack_parameters", "ptm_test_pack_parameters", {}, {{"packed", DType_f32, {34}}}, {2, 1, 0}},
  };
  spec.cpuCode = testEntriesLibrary();
  return spec;
}

std::vector<uint8_t> buildArtifactPayload(const ArtifactSpec &spec) {
  flatbuffers::FlatBufferBuilder builder;
  std::vector<flatbuffers::Offset<artifact::Parameter>> parameters;
  for (const ParameterSpec &parameter : spec.parameters) {
    auto desc = buildTensorDesc(builder, parameter.desc);
    parameters.push_back(artifact::CreateParameterDirect(builder, desc, parameter.init, parameter.initStd,
                                                         parameter.tiedTo.empty() ? nullptr
                                                                                  : parameter.tiedTo.c_str()));
  }
  std::vector<flatbuffers::Offset<artifact::Entry>> entries;
  for (const EntrySpec &entry : spec.entries) {
    auto inputs = buildTensorDescs(builder, entry.inputs);
    auto outputs = buildTensorDescs(builder, entry.outputs);
    entries.push_back(artifact::CreateEntryDirect(builder, entry.name.c_str(), entry.symbol.c_str(), &inputs,
                                                  &outputs, &entry.parameterIndices,
                                                  &entry.updatedParameterIndices));
  }
  std::vector<flatbuffers::Offset<artifact::CodeBlob>> code;
  if (!spec.cpuCode.empty())
    code.push_back(artifact::CreateCodeBlobDirect(builder, artifact::CodeKind_cpu_shared_object,
                                                  "x86_64-unknown-linux-gnu", "generic", "", &spec.cpuCode));
  auto root = artifact::CreateArtifactDirect(builder, "ptm-tests", "test", "infer", "{}", 2, 4, &parameters,
                                             &entries, &code);
  artifact::FinishArtifactBuffer(builder, root);
  return std::vector<uint8_t>(builder.GetBufferPointer(), builder.GetBufferPointer() + builder.GetSize());
}

void writeTestArtifact(const std::string &path, const ArtifactSpec &spec) {
  std::vector<uint8_t> payload = buildArtifactPayload(spec);
  artifact::writeArtifactFile(path, payload.data(), payload.size());
}

std::vector<uint8_t> testEntriesLibrary() { return readFileBytes(PTM_TEST_ENTRIES_LIBRARY); }

std::vector<uint8_t> readFileBytes(const std::string &path) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    throw std::runtime_error("cannot read " + path);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

void writeFileBytes(const std::string &path, const std::vector<uint8_t> &bytes) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(reinterpret_cast<const char *>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!file)
    throw std::runtime_error("cannot write " + path);
}

Tensor makeTensor(const std::string &name, DType dtype, std::vector<int64_t> shape, const std::vector<double> &values) {
  Tensor tensor(name, dtype, std::move(shape));
  if (static_cast<int64_t>(values.size()) != tensor.numElements())
    throw std::invalid_argument("makeTensor: " + std::to_string(values.size()) + " values for " +
                                std::to_string(tensor.numElements()) + " elements");
  for (size_t i = 0; i < values.size(); ++i) {
    switch (dtype) {
    case DType::F32: tensor.dataAs<float>()[i] = static_cast<float>(values[i]); break;
    case DType::F64: tensor.dataAs<double>()[i] = values[i]; break;
    case DType::I32: tensor.dataAs<int32_t>()[i] = static_cast<int32_t>(values[i]); break;
    case DType::I64: tensor.dataAs<int64_t>()[i] = static_cast<int64_t>(values[i]); break;
    case DType::I8: tensor.dataAs<int8_t>()[i] = static_cast<int8_t>(values[i]); break;
    case DType::U8:
    case DType::Bool: tensor.dataAs<uint8_t>()[i] = static_cast<uint8_t>(values[i]); break;
    case DType::F16:
    case DType::BF16: throw std::invalid_argument("makeTensor: write half-precision bit patterns directly");
    }
  }
  return tensor;
}

std::vector<float> floatValues(const Tensor &tensor) {
  return std::vector<float>(tensor.dataAs<float>(), tensor.dataAs<float>() + tensor.numElements());
}

ScratchDirectory::ScratchDirectory() {
  std::string pattern = (std::filesystem::temp_directory_path() / "ptm-test-XXXXXX").string();
  if (!::mkdtemp(pattern.data()))
    throw std::runtime_error("cannot create a scratch directory");
  directory_ = pattern;
}

ScratchDirectory::~ScratchDirectory() { std::filesystem::remove_all(directory_); }

std::vector<std::string> ScratchDirectory::fileNames() const {
  std::vector<std::string> names;
  for (const auto &entry : std::filesystem::directory_iterator(directory_))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

} // namespace ptm::test
