#include "runtime/Safetensors.h"

#include "test/runtime/TestArtifact.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

namespace ptm::test {
namespace {

// A safetensors file from a literal header and data section; `declaredLength`
// overrides the header length field when given.
std::vector<uint8_t> rawSafetensors(const std::string &header, size_t dataBytes, uint64_t declaredLength = ~0ull) {
  uint64_t length = declaredLength == ~0ull ? header.size() : declaredLength;
  std::vector<uint8_t> bytes(8);
  for (int i = 0; i < 8; ++i)
    bytes[i] = static_cast<uint8_t>(length >> (8 * i));
  bytes.insert(bytes.end(), header.begin(), header.end());
  bytes.resize(bytes.size() + dataBytes, 0);
  return bytes;
}

class SafetensorsTest : public ::testing::Test {
protected:
  // Writes `bytes` as bad.safetensors and expects reading it to fail with `fragments`.
  void expectRejected(const std::vector<uint8_t> &bytes, const std::vector<std::string> &fragments) {
    std::string path = scratch.path("bad.safetensors");
    writeFileBytes(path, bytes);
    expectError([&] { readSafetensors(path); }, path, fragments);
  }

  ScratchDirectory scratch;
};

TEST_F(SafetensorsTest, RoundTripKeepsNamesDtypesShapesAndBytes) {
  std::vector<Tensor> tensors;
  tensors.push_back(makeTensor("z.weight", DType::F32, {2, 3}, {1, 2, 3, 4, 5, 6.5}));
  tensors.push_back(makeTensor("a.ids", DType::I64, {3}, {7, -1, 1ll << 40}));
  tensors.push_back(makeTensor("m.mask", DType::Bool, {1, 2}, {1, 0}));
  tensors.push_back(makeTensor("scalar", DType::F64, {}, {3.25}));
  tensors.push_back(makeTensor("empty", DType::I32, {0, 4}, {}));
  Tensor half("h.half", DType::BF16, {2});
  half.dataAs<uint16_t>()[0] = 0x3f80;
  half.dataAs<uint16_t>()[1] = 0xc000;
  tensors.push_back(std::move(half));

  std::vector<const Tensor *> pointers;
  for (const Tensor &tensor : tensors)
    pointers.push_back(&tensor);
  std::string path = scratch.path("round.safetensors");
  writeSafetensors(path, pointers);
  EXPECT_EQ(scratch.fileNames(), std::vector<std::string>{"round.safetensors"}); // no temporary file left

  TensorMap loaded = readSafetensors(path);
  ASSERT_EQ(loaded.size(), tensors.size());
  for (const Tensor &original : tensors) {
    SCOPED_TRACE(original.name());
    const Tensor &copy = loaded.at(original.name());
    EXPECT_EQ(copy.name(), original.name());
    EXPECT_EQ(copy.dtype(), original.dtype());
    EXPECT_EQ(copy.shape(), original.shape());
    ASSERT_EQ(copy.byteSize(), original.byteSize());
    EXPECT_EQ(std::memcmp(copy.data(), original.data(), copy.byteSize()), 0);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(copy.data()) % kTensorAlignment, 0u);
  }
}

TEST_F(SafetensorsTest, HeaderIsSortedAndPaddedToEightBytes) {
  TensorMap tensors;
  tensors.emplace("b", makeTensor("b", DType::F32, {1}, {1}));
  tensors.emplace("a", makeTensor("a", DType::U8, {3}, {1, 2, 3}));
  std::string path = scratch.path("sorted.safetensors");
  writeSafetensors(path, tensors);

  std::vector<uint8_t> bytes = readFileBytes(path);
  uint64_t length = 0;
  for (int i = 7; i >= 0; --i)
    length = (length << 8) | bytes[i];
  EXPECT_EQ(length % 8, 0u);
  std::string header(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(length));
  EXPECT_EQ(header[header.find_last_not_of(' ')], '}'); // padded with trailing spaces only
  EXPECT_LT(header.find("\"a\""), header.find("\"b\""));
  EXPECT_EQ(bytes.size(), 8 + length + 3 + 4);
}

TEST_F(SafetensorsTest, MetadataIsAccepted) {
  std::string header = R"({"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  std::string path = scratch.path("meta.safetensors");
  writeFileBytes(path, rawSafetensors(header, 8));
  TensorMap loaded = readSafetensors(path);
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded.at("w").shape(), std::vector<int64_t>{2});
}

TEST_F(SafetensorsTest, RejectsFileShorterThanTheLengthField) {
  expectRejected({1, 0, 0, 0}, {"truncated", "4 bytes"});
}

TEST_F(SafetensorsTest, RejectsHeaderLengthBeyondTheFile) {
  std::string header = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  expectRejected(rawSafetensors(header, 0, 1000), {"truncated", "header length 1000"});
}

TEST_F(SafetensorsTest, RejectsInvalidJson) {
  expectRejected(rawSafetensors("{\"w\": [1, 2", 0), {"not valid JSON"});
  expectRejected(rawSafetensors("[1,2]", 0), {"not a JSON object"});
}

TEST_F(SafetensorsTest, RejectsOffsetsOutsideTheDataSection) {
  std::string header = R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}})";
  expectRejected(rawSafetensors(header, 16), {"tensor 'w'", "data_offsets [8,24]", "16 bytes"});
}

TEST_F(SafetensorsTest, RejectsSizeNotMatchingShape) {
  std::string header = R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}})";
  expectRejected(rawSafetensors(header, 20), {"tensor 'w'", "shape [2,3]", "span 20 bytes"});
}

TEST_F(SafetensorsTest, RejectsUnknownDtype) {
  std::string header = R"({"w":{"dtype":"Q4","shape":[2],"data_offsets":[0,1]}})";
  expectRejected(rawSafetensors(header, 1), {"tensor 'w'", "unsupported dtype 'Q4'"});
}

TEST_F(SafetensorsTest, RejectsOverlappingTensors) {
  std::string header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                       R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})";
  expectRejected(rawSafetensors(header, 12), {"'a' and 'b' overlap"});
}

TEST_F(SafetensorsTest, RejectsMalformedEntries) {
  expectRejected(rawSafetensors(R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,0]}})", 0),
                 {"tensor 'w'", "shape entry"});
  expectRejected(rawSafetensors(R"({"w":{"dtype":"F32","shape":[1]}})", 4), {"tensor 'w'", "data_offsets"});
  expectRejected(rawSafetensors(R"({"w":3})", 0), {"tensor 'w'", "not a JSON object"});
}

TEST_F(SafetensorsTest, MissingFileNamesThePath) {
  std::string path = scratch.path("absent.safetensors");
  expectError([&] { readSafetensors(path); }, path, {"cannot open"});
}

TEST_F(SafetensorsTest, RejectsDuplicateNamesOnWrite) {
  Tensor first = makeTensor("w", DType::F32, {1}, {1});
  Tensor second = makeTensor("w", DType::F32, {1}, {2});
  std::string path = scratch.path("dup.safetensors");
  expectError([&] { writeSafetensors(path, std::vector<const Tensor *>{&first, &second}); }, path, {"'w'"});
  EXPECT_TRUE(scratch.fileNames().empty());
}

TEST(DTypeTest, HalfPrecisionConvertsExactly) {
  EXPECT_EQ(halfToFloat(0x3c00), 1.0f);
  EXPECT_EQ(halfToFloat(0xc000), -2.0f);
  EXPECT_EQ(halfToFloat(0x7bff), 65504.0f);
  EXPECT_EQ(halfToFloat(0x0001), 0x1p-24f);
  EXPECT_EQ(halfToFloat(0x0400), 0x1p-14f);
  EXPECT_TRUE(std::signbit(halfToFloat(0x8000)));
  EXPECT_EQ(halfToFloat(0x7c00), INFINITY);
  EXPECT_TRUE(std::isnan(halfToFloat(0x7e00)));
  EXPECT_EQ(bfloat16ToFloat(0x3f80), 1.0f);
  EXPECT_EQ(bfloat16ToFloat(0xc0a0), -5.0f);
}

TEST(DTypeTest, FloatRoundsToNearestEvenBfloat16) {
  EXPECT_EQ(floatToBfloat16(1.0f), 0x3f80);
  EXPECT_EQ(floatToBfloat16(-5.0f), 0xc0a0);
  // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: ties go to the even 1.
  EXPECT_EQ(floatToBfloat16(1.0f + 0x1p-8f), 0x3f80);
  // (1 + 2^-7) + 2^-8 is halfway too; the even neighbour is 1 + 2^-6.
  EXPECT_EQ(floatToBfloat16(1.0f + 0x1p-7f + 0x1p-8f), 0x3f82);
  // Just above halfway rounds up.
  EXPECT_EQ(floatToBfloat16(1.0f + 0x1p-8f + 0x1p-20f), 0x3f81);
  // The largest float rounds up into infinity; infinities and signed zero stay.
  EXPECT_EQ(floatToBfloat16(3.4028235e38f), 0x7f80);
  EXPECT_EQ(floatToBfloat16(INFINITY), 0x7f80);
  EXPECT_EQ(floatToBfloat16(-0.0f), 0x8000);
  EXPECT_TRUE(std::isnan(bfloat16ToFloat(floatToBfloat16(NAN))));
  // A NaN whose payload lies only in the dropped bits stays a NaN.
  float lowPayloadNan;
  uint32_t bits = 0x7f800001u;
  std::memcpy(&lowPayloadNan, &bits, sizeof bits);
  EXPECT_TRUE(std::isnan(bfloat16ToFloat(floatToBfloat16(lowPayloadNan))));
  for (float value : {0.1f, -3.75f, 1e-30f, 65504.0f})
    EXPECT_LE(std::fabs(bfloat16ToFloat(floatToBfloat16(value)) - value), std::fabs(value) * 0x1p-8f);
}

TEST(DTypeTest, SafetensorsNamesRoundTrip) {
  for (uint8_t value = 0; value < kDTypeCount; ++value) {
    DType dtype = static_cast<DType>(value);
    EXPECT_EQ(dtypeFromSafetensorsName(safetensorsName(dtype)), dtype);
  }
  EXPECT_EQ(safetensorsName(DType::Bool), "BOOL");
  EXPECT_FALSE(dtypeFromSafetensorsName("f32"));
}

} // namespace
} // namespace ptm::test
