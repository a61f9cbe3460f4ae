#include "runtime/artifact/ArtifactReader.h"

#include "runtime/artifact/ArtifactFile.h"
#include "test/runtime/TestArtifact.h"

#include <gtest/gtest.h>

namespace ptm::test {
namespace {

class ArtifactReaderTest : public ::testing::Test {
protected:
  void SetUp() override {
    path = scratch.path("model.ptm");
    writeTestArtifact(path, testModelSpec());
    goodBytes = readFileBytes(path);
  }

  // Replaces the artifact with `bytes` and expects loading to fail with `fragments`.
  void expectRejected(const std::vector<uint8_t> &bytes, const std::vector<std::string> &fragments) {
    writeFileBytes(path, bytes);
    expectError([&] { ArtifactReader reader(path); }, path, fragments);
  }

  ScratchDirectory scratch;
  std::string path;
  std::vector<uint8_t> goodBytes;
};

TEST_F(ArtifactReaderTest, ReadsAGoodFile) {
  EXPECT_EQ(scratch.fileNames(), std::vector<std::string>{"model.ptm"}); // no temporary file left
  ArtifactReader reader(path);
  EXPECT_EQ(reader.formatVersion(), artifact::kArtifactFormatVersion);
  EXPECT_EQ(reader.artifact().producer()->str(), "ptm-tests");
  ASSERT_EQ(reader.artifact().parameters()->size(), 3u);
  EXPECT_EQ(reader.entry("embed").symbol()->str(), "ptm_test_embed");
  EXPECT_EQ(formatTensorDesc(*reader.entry("embed").inputs()->Get(0)), "input_ids: i64[2,4]");

  ArtifactReader moved = std::move(reader);
  EXPECT_EQ(moved.artifact().entries()->size(), 3u);
}

TEST_F(ArtifactReaderTest, UnknownEntryListsTheAvailableOnes) {
  ArtifactReader reader(path);
  expectError([&] { reader.entry("train_step"); }, path, {"'train_step'", "add_bias, embed, pack_parameters"});
}

TEST_F(ArtifactReaderTest, RejectsTruncatedPayload) {
  std::vector<uint8_t> bytes(goodBytes.begin(), goodBytes.end() - 1);
  expectRejected(bytes, {"truncated"});
}

TEST_F(ArtifactReaderTest, RejectsTruncatedHeader) {
  std::vector<uint8_t> bytes(goodBytes.begin(), goodBytes.begin() + 20);
  expectRejected(bytes, {"truncated", "32-byte"});
}

TEST_F(ArtifactReaderTest, RejectsTrailingBytes) {
  std::vector<uint8_t> bytes = goodBytes;
  bytes.push_back(0);
  expectRejected(bytes, {"corrupt", "1 unexpected bytes"});
}

TEST_F(ArtifactReaderTest, RejectsFlippedPayloadByte) {
  std::vector<uint8_t> bytes = goodBytes;
  bytes[bytes.size() / 2] ^= 0x10;
  expectRejected(bytes, {"corrupt", "checksum"});
}

TEST_F(ArtifactReaderTest, RejectsWrongMagic) {
  std::vector<uint8_t> bytes = goodBytes;
  bytes[0] = 'X';
  expectRejected(bytes, {"not a ptm artifact"});
  expectRejected({'{', '}'}, {"not a ptm artifact"});
}

TEST_F(ArtifactReaderTest, RejectsOtherFormatVersions) {
  std::vector<uint8_t> bytes = goodBytes;
  bytes[8] = static_cast<uint8_t>(artifact::kArtifactFormatVersion + 1);
  expectRejected(bytes, {"format version " + std::to_string(artifact::kArtifactFormatVersion + 1), "newer"});
  bytes[8] = static_cast<uint8_t>(artifact::kArtifactFormatVersion - 1);
  expectRejected(bytes, {"format version " + std::to_string(artifact::kArtifactFormatVersion - 1), "older",
                         "recompile"});
}

TEST_F(ArtifactReaderTest, RejectsPayloadThatFailsVerification) {
  std::vector<uint8_t> payload = buildArtifactPayload(testModelSpec());
  payload[0] = 0xff; // the root table offset now points far outside the buffer
  payload[1] = 0xff;
  artifact::writeArtifactFile(path, payload.data(), payload.size());
  expectError([&] { ArtifactReader reader(path); }, path, {"corrupt", "verification"});
}

TEST_F(ArtifactReaderTest, RejectsOtherFileIdentifier) {
  std::vector<uint8_t> payload = buildArtifactPayload(testModelSpec());
  payload[4] = 'X';
  artifact::writeArtifactFile(path, payload.data(), payload.size());
  expectError([&] { ArtifactReader reader(path); }, path, {"corrupt", "'PTMA'"});
}

TEST_F(ArtifactReaderTest, RejectsParameterIndexOutOfRange) {
  ArtifactSpec spec = testModelSpec();
  spec.entries[0].parameterIndices = {3};
  writeTestArtifact(path, spec);
  expectError([&] { ArtifactReader reader(path); }, path, {"entry 'add_bias'", "parameter index 3"});
}

TEST_F(ArtifactReaderTest, RejectsUpdateOfAParameterTheEntryDoesNotTake) {
  ArtifactSpec spec = testModelSpec();
  spec.entries[0].updatedParameterIndices = {2};
  writeTestArtifact(path, spec);
  expectError([&] { ArtifactReader reader(path); }, path, {"entry 'add_bias'", "updates parameter index 2"});
}

TEST_F(ArtifactReaderTest, RejectsTieToUnknownOrMismatchedParameter) {
  ArtifactSpec spec = testModelSpec();
  spec.parameters[2].tiedTo = "wte";
  writeTestArtifact(path, spec);
  expectError([&] { ArtifactReader reader(path); }, path, {"'lm_head.weight' is tied to 'wte'"});

  spec.parameters[2].tiedTo = "bias";
  writeTestArtifact(path, spec);
  expectError([&] { ArtifactReader reader(path); }, path, {"f32[5,3]", "f32[4]"});
}

TEST_F(ArtifactReaderTest, RejectsNegativeShape) {
  ArtifactSpec spec = testModelSpec();
  spec.entries[1].outputs[0].shape = {2, -4, 3};
  writeTestArtifact(path, spec);
  expectError([&] { ArtifactReader reader(path); }, path, {"output 'embeddings'", "negative"});
}

} // namespace
} // namespace ptm::test
