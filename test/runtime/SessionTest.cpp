#include "runtime/Session.h"

#include "runtime/CpuModule.h"
#include "test/runtime/TestArtifact.h"

#include <gtest/gtest.h>

namespace ptm::test {
namespace {

const std::vector<double> kWte = {0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32, 40, 41, 42};
const std::vector<double> kLmHead = {-1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12, -13, -14, -15};
const std::vector<double> kBias = {0.5, 1.5, 2.5, 3.5};

std::vector<float> asFloats(const std::vector<double> &values) { return std::vector<float>(values.begin(), values.end()); }

std::vector<float> concatenated(std::initializer_list<std::vector<double>> parts) {
  std::vector<float> result;
  for (const auto &part : parts)
    result.insert(result.end(), part.begin(), part.end());
  return result;
}

class SessionTest : public ::testing::Test {
protected:
  void SetUp() override {
    modelPath = scratch.path("model.ptm");
    writeTestArtifact(modelPath, testModelSpec());
    weightsPath = scratch.path("weights.safetensors");
    inputsPath = scratch.path("in.safetensors");
  }

  // Writes the weights file from the given tensors.
  void writeWeights(std::vector<Tensor> tensors) {
    TensorMap map;
    for (Tensor &tensor : tensors) {
      std::string name = tensor.name();
      map.emplace(name, std::move(tensor));
    }
    writeSafetensors(weightsPath, map);
  }

  // A GPT2LMHeadModel-style checkpoint without lm_head (tied), plus a buffer
  // that the model does not use.
  void writeStandardWeights() {
    std::vector<Tensor> tensors;
    tensors.push_back(makeTensor("bias", DType::F32, {4}, kBias));
    tensors.push_back(makeTensor("transformer.wte.weight", DType::F32, {5, 3}, kWte));
    tensors.push_back(makeTensor("transformer.h.0.attn.bias", DType::F32, {1}, {1}));
    writeWeights(std::move(tensors));
  }

  TensorMap embedInputs(Tensor ids) {
    TensorMap inputs;
    inputs.emplace("input_ids", std::move(ids));
    return inputs;
  }

  Tensor validIds(DType dtype = DType::I64) { return makeTensor("input_ids", dtype, {2, 4}, {0, 1, 2, 3, 4, 4, 0, 1}); }

  ScratchDirectory scratch;
  std::string modelPath, weightsPath, inputsPath;
};

TEST(CpuModuleTest, ResolvesSymbolsAndExplainsMissingOnes) {
  std::vector<uint8_t> library = testEntriesLibrary();
  CpuModule module("model.ptm", library.data(), library.size());
  EXPECT_NE(module.entryFunction("ptm_test_add_bias"), nullptr);
  expectError([&] { module.entryFunction("ptm_forward"); }, "model.ptm", {"no symbol 'ptm_forward'"});
}

// The loader knows a loaded object by the /proc/self/fd path it came from,
// and an object may stay mapped after dlclose: a module loaded later must
// never be handed the earlier one (bytes that are not a shared object
// loaded "successfully" that way when this test ran after the one above).
TEST(CpuModuleTest, LaterModulesAreLoadedFromTheirOwnBytes) {
  std::vector<uint8_t> library = testEntriesLibrary();
  std::vector<uint8_t> garbage(64, 0x42);
  for (int round = 0; round < 3; ++round) {
    { CpuModule module("model.ptm", library.data(), library.size()); }
    expectError([&] { CpuModule module("other.ptm", garbage.data(), garbage.size()); }, "other.ptm",
                {"cannot load the CPU code"});
  }
  CpuModule first("model.ptm", library.data(), library.size());
  CpuModule second("model.ptm", library.data(), library.size());
  EXPECT_NE(first.entryFunction("ptm_test_add_bias"), nullptr);
  EXPECT_NE(second.entryFunction("ptm_test_add_bias"), nullptr);
}

TEST(CpuModuleTest, RejectsBytesThatAreNotASharedObject) {
  std::vector<uint8_t> garbage(64, 0x42);
  expectError([&] { CpuModule module("model.ptm", garbage.data(), garbage.size()); }, "model.ptm",
              {"cannot load the CPU code"});
}

TEST(ThreadPoolTest, ParallelForCoversEveryIterationOnceInChunksOfAtLeastGrain) {
  ThreadPool pool(2);
  EXPECT_EQ(pool.threadCount(), 2);
  struct Coverage {
    std::vector<std::atomic<int>> hits = std::vector<std::atomic<int>>(1000);
    std::atomic<int64_t> smallestChunk{1 << 30};
  } coverage;
  pool.callbacks()->parallel_for(
      1000, 64,
      [](int64_t begin, int64_t end, void *context) {
        auto *state = static_cast<Coverage *>(context);
        for (int64_t i = begin; i < end; ++i)
          ++state->hits[i];
        int64_t previous = state->smallestChunk.load();
        while (end - begin < previous && !state->smallestChunk.compare_exchange_weak(previous, end - begin)) {
        }
      },
      &coverage);
  for (const auto &hit : coverage.hits)
    ASSERT_EQ(hit.load(), 1);
  EXPECT_GE(coverage.smallestChunk.load(), 64);
  EXPECT_EQ(pool.callbacks()->abi_version, 1u);
}

TEST_F(SessionTest, RunsAnEntryEndToEnd) {
  writeStandardWeights();
  Session session(modelPath, SessionOptions{2});
  session.bindWeights(weightsPath);
  TensorMap inputs;
  inputs.emplace("x", makeTensor("x", DType::F32, {2, 4}, {1, 2, 3, 4, 5, 6, 7, 8}));
  std::vector<Tensor> outputs = session.run("add_bias", std::move(inputs), inputsPath);
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_EQ(outputs[0].name(), "y");
  EXPECT_EQ(outputs[0].shape(), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(floatValues(outputs[0]), asFloats({1.5, 3.5, 5.5, 7.5, 5.5, 7.5, 9.5, 11.5}));
}

TEST_F(SessionTest, ParametersArriveInEntryOrderAndTiedOnesCopyTheirTarget) {
  writeStandardWeights();
  Session session(modelPath);
  session.bindWeights(weightsPath);
  std::vector<Tensor> outputs = session.run("pack_parameters", {}, inputsPath);
  EXPECT_EQ(floatValues(outputs[0]), concatenated({kWte, kWte, kBias})); // lm_head (tied), wte, bias

  std::vector<Tensor> untied;
  untied.push_back(makeTensor("bias", DType::F32, {4}, kBias));
  untied.push_back(makeTensor("transformer.wte.weight", DType::F32, {5, 3}, kWte));
  untied.push_back(makeTensor("lm_head.weight", DType::F32, {5, 3}, kLmHead));
  writeWeights(std::move(untied));
  session.bindWeights(weightsPath);
  outputs = session.run("pack_parameters", {}, inputsPath);
  EXPECT_EQ(floatValues(outputs[0]), concatenated({kLmHead, kWte, kBias}));
}

TEST_F(SessionTest, BindsCheckpointsWithoutTheTransformerPrefix) {
  std::vector<Tensor> tensors;
  tensors.push_back(makeTensor("bias", DType::F32, {4}, kBias));
  tensors.push_back(makeTensor("wte.weight", DType::F32, {5, 3}, kWte)); // as GPT2Model saves it
  writeWeights(std::move(tensors));
  Session session(modelPath);
  session.bindWeights(weightsPath);
  EXPECT_EQ(floatValues(session.parameter("transformer.wte.weight")), asFloats(kWte));
  EXPECT_EQ(floatValues(session.parameter("lm_head.weight")), asFloats(kWte));
}

TEST_F(SessionTest, WidensHalfPrecisionWeights) {
  Tensor bias("bias", DType::F16, {4});
  const uint16_t halfBits[] = {0x3800, 0x3e00, 0x4100, 0x4300}; // 0.5 1.5 2.5 3.5
  std::copy(std::begin(halfBits), std::end(halfBits), bias.dataAs<uint16_t>());
  Tensor wte("transformer.wte.weight", DType::BF16, {5, 3});
  for (int i = 0; i < 15; ++i)
    wte.dataAs<uint16_t>()[i] = 0x3f80; // 1.0
  std::vector<Tensor> tensors;
  tensors.push_back(std::move(bias));
  tensors.push_back(std::move(wte));
  writeWeights(std::move(tensors));

  Session session(modelPath);
  session.bindWeights(weightsPath);
  EXPECT_EQ(session.parameter("bias").dtype(), DType::F32);
  EXPECT_EQ(floatValues(session.parameter("bias")), asFloats(kBias));
  EXPECT_EQ(floatValues(session.parameter("lm_head.weight")), std::vector<float>(15, 1.0f));
}

TEST_F(SessionTest, MissingWeightNamesTheParameterAndTheFile) {
  std::vector<Tensor> tensors;
  tensors.push_back(makeTensor("transformer.wte.weight", DType::F32, {5, 3}, kWte));
  writeWeights(std::move(tensors));
  Session session(modelPath);
  expectError([&] { session.bindWeights(weightsPath); }, weightsPath, {"parameter 'bias' not found"});
  EXPECT_FALSE(session.weightsBound());
}

TEST_F(SessionTest, WrongWeightShapeShowsBothShapes) {
  std::vector<Tensor> tensors;
  tensors.push_back(makeTensor("bias", DType::F32, {5}, {1, 2, 3, 4, 5}));
  tensors.push_back(makeTensor("transformer.wte.weight", DType::F32, {5, 3}, kWte));
  writeWeights(std::move(tensors));
  Session session(modelPath);
  expectError([&] { session.bindWeights(weightsPath); }, weightsPath,
              {"tensor 'bias' has shape [5], expected [4]"});
}

TEST_F(SessionTest, WrongWeightDtypeNamesTensorAndDtype) {
  std::vector<Tensor> tensors;
  tensors.push_back(makeTensor("bias", DType::I64, {4}, {1, 2, 3, 4}));
  tensors.push_back(makeTensor("transformer.wte.weight", DType::F32, {5, 3}, kWte));
  writeWeights(std::move(tensors));
  Session session(modelPath);
  expectError([&] { session.bindWeights(weightsPath); }, weightsPath, {"tensor 'bias' has dtype I64", "F32"});
}

TEST_F(SessionTest, FailedBindingKeepsThePreviousWeights) {
  writeStandardWeights();
  Session session(modelPath);
  session.bindWeights(weightsPath);
  std::vector<Tensor> tensors;
  tensors.push_back(makeTensor("bias", DType::F32, {4}, {9, 9, 9, 9}));
  writeWeights(std::move(tensors));
  EXPECT_THROW(session.bindWeights(weightsPath), Error);
  EXPECT_EQ(floatValues(session.parameter("bias")), asFloats(kBias));
}

TEST_F(SessionTest, RandomWeightsAreDeterministicAndFollowTheInitKinds) {
  Session session(modelPath);
  session.initRandomWeights(7);
  std::vector<float> first = floatValues(session.parameter("transformer.wte.weight"));
  EXPECT_EQ(floatValues(session.parameter("bias")), std::vector<float>(4, 1.0f));
  EXPECT_EQ(floatValues(session.parameter("lm_head.weight")), first);
  EXPECT_NE(first, std::vector<float>(15, 0.0f));
  for (float value : first)
    EXPECT_LT(std::abs(value), 0.2f); // std 0.02

  session.initRandomWeights(7);
  EXPECT_EQ(floatValues(session.parameter("transformer.wte.weight")), first);
  session.initRandomWeights(8);
  EXPECT_NE(floatValues(session.parameter("transformer.wte.weight")), first);
}

TEST_F(SessionTest, RunningWithoutWeightsIsAnError) {
  Session session(modelPath);
  expectError([&] { session.run("pack_parameters", {}, inputsPath); }, modelPath, {"no weights are bound"});
}

TEST_F(SessionTest, OmittedAttentionMaskDefaultsToOnes) {
  writeStandardWeights();
  Session session(modelPath);
  session.bindWeights(weightsPath);
  std::vector<Tensor> outputs = session.run("embed", embedInputs(validIds()), inputsPath);
  std::vector<float> expected;
  for (int id : {0, 1, 2, 3, 4, 4, 0, 1})
    for (int column = 0; column < 3; ++column)
      expected.push_back(static_cast<float>(kWte[id * 3 + column]));
  EXPECT_EQ(floatValues(outputs[0]), expected);
}

TEST_F(SessionTest, ConvertsIntegerInputsToTheSignatureDtype) {
  writeStandardWeights();
  Session session(modelPath);
  session.bindWeights(weightsPath);
  TensorMap inputs = embedInputs(validIds(DType::I32));
  inputs.emplace("attention_mask", makeTensor("attention_mask", DType::Bool, {2, 4}, {1, 1, 1, 1, 1, 1, 0, 0}));
  std::vector<Tensor> outputs = session.run("embed", std::move(inputs), inputsPath);
  std::vector<float> values = floatValues(outputs[0]);
  EXPECT_EQ(values[3 * 3 + 1], 31.0f);                          // [0,3] = id 3, column 1
  EXPECT_EQ(std::vector<float>(values.end() - 6, values.end()), // masked positions
            std::vector<float>(6, 0.0f));
}

TEST_F(SessionTest, RejectsInputOfTheWrongShape) {
  writeStandardWeights();
  Session session(modelPath);
  session.bindWeights(weightsPath);
  Tensor ids = makeTensor("input_ids", DType::I64, {1, 4}, {0, 1, 2, 3});
  expectError([&] { session.run("embed", embedInputs(std::move(ids)), inputsPath); }, inputsPath,
              {"input 'input_ids' has shape [1,4], expected [2,4]"});
}

TEST_F(SessionTest, RejectsTokenIdsOutOfRange) {
  writeStandardWeights();
  Session session(modelPath);
  session.bindWeights(weightsPath);
  Tensor ids = makeTensor("input_ids", DType::I64, {2, 4}, {0, 1, 2, 3, 4, 4, 7, 1});
  expectError([&] { session.run("embed", embedInputs(std::move(ids)), inputsPath); }, inputsPath,
              {"input 'input_ids' has value 7 at [1,2], outside [0, 5)"});
  Tensor negative = makeTensor("input_ids", DType::I32, {2, 4}, {0, -1, 2, 3, 4, 4, 0, 1});
  expectError([&] { session.run("embed", embedInputs(std::move(negative)), inputsPath); }, inputsPath,
              {"value -1 at [0,1]"});
}

TEST_F(SessionTest, RejectsUnknownMissingAndMistypedInputs) {
  writeStandardWeights();
  Session session(modelPath);
  session.bindWeights(weightsPath);
  TensorMap unknown = embedInputs(validIds());
  unknown.emplace("token_type_ids", validIds());
  expectError([&] { session.run("embed", std::move(unknown), inputsPath); }, inputsPath,
              {"unknown input 'token_type_ids'", "input_ids: i64[2,4]"});

  TensorMap missing;
  missing.emplace("attention_mask", makeTensor("attention_mask", DType::I64, {2, 4}, std::vector<double>(8, 1)));
  expectError([&] { session.run("embed", std::move(missing), inputsPath); }, inputsPath,
              {"missing input 'input_ids'"});

  Tensor floatIds = makeTensor("input_ids", DType::F32, {2, 4}, std::vector<double>(8, 0));
  expectError([&] { session.run("embed", embedInputs(std::move(floatIds)), inputsPath); }, inputsPath,
              {"input 'input_ids' has dtype f32, expected i64"});

  expectError([&] { session.run("generate", {}, inputsPath); }, modelPath, {"no entry named 'generate'"});
}

TEST_F(SessionTest, PreparedCallRunsRepeatedlyAndRefusesAfterRebinding) {
  writeStandardWeights();
  Session session(modelPath);
  session.bindWeights(weightsPath);
  TensorMap inputs;
  inputs.emplace("x", makeTensor("x", DType::F32, {2, 4}, std::vector<double>(8, 1)));
  EntryCall call = session.prepareCall("add_bias", std::move(inputs), inputsPath);
  call.invoke();
  call.invoke();
  EXPECT_EQ(floatValues(call.outputs()[0])[3], 4.5f);
  session.initRandomWeights(1);
  expectError([&] { call.invoke(); }, modelPath, {"rebound"});
}

TEST_F(SessionTest, ReportsEntrySymbolsMissingFromTheCode) {
  ArtifactSpec spec = testModelSpec();
  spec.entries[0].symbol = "ptm_forward";
  writeTestArtifact(modelPath, spec);
  expectError([&] { Session session(modelPath); }, modelPath, {"no symbol 'ptm_forward'"});
}

} // namespace
} // namespace ptm::test
