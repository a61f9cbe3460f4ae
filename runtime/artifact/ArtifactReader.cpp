#include "runtime/artifact/ArtifactReader.h"

#include "runtime/Error.h"
#include "runtime/InputFile.h"
#include "runtime/Tensor.h"
#include "runtime/artifact/ArtifactFormat.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <set>

namespace ptm {

static_assert(static_cast<int>(artifact::DType_MAX) + 1 == kDTypeCount,
              "runtime DType must mirror artifact DType");
static_assert(static_cast<int>(artifact::DType_bf16) == static_cast<int>(DType::BF16) &&
                  static_cast<int>(artifact::DType_bool_) == static_cast<int>(DType::Bool),
              "runtime DType values must equal artifact DType values");

namespace {

uint64_t loadLittleEndian(const uint8_t *bytes, size_t byteCount) {
  uint64_t value = 0;
  for (size_t i = byteCount; i-- > 0;)
    value = (value << 8) | bytes[i];
  return value;
}

std::string hex(uint64_t value) {
  char text[19];
  std::snprintf(text, sizeof text, "0x%016llx", static_cast<unsigned long long>(value));
  return text;
}

// Checks what flatbuffers verification cannot: enum ranges, shapes, and the
// references between tables, so that later code may rely on them.
class ReferenceValidator {
public:
  ReferenceValidator(const std::string &path, const artifact::Artifact &artifact)
      : path_(path), artifact_(artifact) {}

  void run() {
    std::set<std::string> parameterNames;
    if (const auto *parameters = artifact_.parameters()) {
      for (const artifact::Parameter *parameter : *parameters) {
        std::string name = parameter->desc()->name()->str();
        checkTensorDesc(*parameter->desc(), "parameter '" + name + "'");
        if (!parameterNames.insert(name).second)
          fail("two parameters are named '" + name + "'");
        if (parameter->init() < artifact::InitKind_MIN || parameter->init() > artifact::InitKind_MAX)
          fail("parameter '" + name + "' has an unknown init kind");
        if (!(parameter->init_std() >= 0.0f))
          fail("parameter '" + name + "' has init_std " + std::to_string(parameter->init_std()) +
               ", expected a non-negative number");
      }
      for (const artifact::Parameter *parameter : *parameters)
        if (const auto *tiedTo = parameter->tied_to())
          checkTie(*parameter, tiedTo->str());
    }
    uint32_t parameterCount = artifact_.parameters() ? artifact_.parameters()->size() : 0;

    std::set<std::string> entryNames;
    if (const auto *entries = artifact_.entries()) {
      for (const artifact::Entry *entry : *entries) {
        std::string name = entry->name()->str();
        if (!entryNames.insert(name).second)
          fail("two entries are named '" + name + "'");
        checkSignature(entry->inputs(), "input", name);
        checkSignature(entry->outputs(), "output", name);
        std::set<uint32_t> used;
        if (const auto *indices = entry->parameter_indices())
          for (uint32_t index : *indices) {
            if (index >= parameterCount)
              fail("entry '" + name + "' uses parameter index " + std::to_string(index) + " but there are " +
                   std::to_string(parameterCount) + " parameters");
            used.insert(index);
          }
        if (const auto *updated = entry->updated_parameter_indices())
          for (uint32_t index : *updated)
            if (!used.count(index))
              fail("entry '" + name + "' updates parameter index " + std::to_string(index) +
                   ", which it does not take");
      }
    }

    if (const auto *blobs = artifact_.code())
      for (const artifact::CodeBlob *blob : *blobs)
        if (blob->kind() < artifact::CodeKind_MIN || blob->kind() > artifact::CodeKind_MAX)
          fail("a code blob has an unknown kind " + std::to_string(static_cast<int>(blob->kind())));
  }

private:
  static std::string describeType(const artifact::TensorDesc &desc) {
    return formatSignature(toRuntimeDType(desc.dtype()), shapeOf(desc));
  }

  [[noreturn]] void fail(const std::string &problem) const { throw Error(path_, problem); }

  void checkSignature(const flatbuffers::Vector<flatbuffers::Offset<artifact::TensorDesc>> *descs,
                      const char *role, const std::string &entryName) {
    if (!descs)
      return;
    std::set<std::string> names;
    for (const artifact::TensorDesc *desc : *descs) {
      std::string what = std::string(role) + " '" + desc->name()->str() + "' of entry '" + entryName + "'";
      checkTensorDesc(*desc, what);
      if (!names.insert(desc->name()->str()).second)
        fail("entry '" + entryName + "' has two " + role + "s named '" + desc->name()->str() + "'");
    }
  }

  // A tied parameter takes its target's value, so both must agree on dtype and shape.
  void checkTie(const artifact::Parameter &parameter, const std::string &targetName) {
    std::string name = parameter.desc()->name()->str();
    const artifact::Parameter *target = nullptr;
    for (const artifact::Parameter *candidate : *artifact_.parameters())
      if (candidate->desc()->name()->str() == targetName)
        target = candidate;
    if (!target || target == &parameter)
      fail("parameter '" + name + "' is tied to '" + targetName + "', which is not another parameter");
    if (target->desc()->dtype() != parameter.desc()->dtype() || shapeOf(*target->desc()) != shapeOf(*parameter.desc()))
      fail("parameter '" + name + "' (" + describeType(*parameter.desc()) + ") is tied to '" + targetName +
           "' of a different type (" + describeType(*target->desc()) + ")");
  }

  void checkTensorDesc(const artifact::TensorDesc &desc, const std::string &what) {
    if (desc.dtype() < artifact::DType_MIN || desc.dtype() > artifact::DType_MAX)
      fail(what + " has an unknown dtype " + std::to_string(static_cast<int>(desc.dtype())));
    try {
      elementCount(shapeOf(desc));
    } catch (const Error &error) {
      fail(what + ": " + error.what());
    }
    if (desc.value_bound() < 0)
      fail(what + " has a negative value_bound");
  }

  const std::string &path_;
  const artifact::Artifact &artifact_;
};

} // namespace

ArtifactReader::ArtifactReader(std::string path) : path_(std::move(path)) {
  auto [file, fileSize] = openInputFile(path_);
  fileBytes_.resize(fileSize);
  if (!file.read(reinterpret_cast<char *>(fileBytes_.data()), static_cast<std::streamsize>(fileSize)))
    throw Error(path_, "cannot read the file");

  size_t magicBytesPresent = std::min(fileBytes_.size(), sizeof artifact::kArtifactMagic);
  if (std::memcmp(fileBytes_.data(), artifact::kArtifactMagic, magicBytesPresent) != 0)
    throw Error(path_, "not a ptm artifact (the file does not start with 'PTMARTIF')");
  if (fileBytes_.size() < artifact::kArtifactHeaderSize)
    throw Error(path_, "truncated: " + std::to_string(fileBytes_.size()) + " bytes, shorter than the " +
                           std::to_string(artifact::kArtifactHeaderSize) + "-byte artifact header");

  formatVersion_ = static_cast<uint32_t>(loadLittleEndian(fileBytes_.data() + 8, 4));
  std::string supported = std::to_string(artifact::kArtifactFormatVersion);
  if (formatVersion_ > artifact::kArtifactFormatVersion)
    throw Error(path_, "artifact format version " + std::to_string(formatVersion_) +
                           " is newer than this runtime supports (" + supported + "); use a newer ptm-run");
  if (formatVersion_ < artifact::kArtifactFormatVersion)
    throw Error(path_, "artifact format version " + std::to_string(formatVersion_) +
                           " is older than this runtime supports (" + supported +
                           "); recompile the model with a matching ptmc");

  uint64_t declaredPayloadSize = loadLittleEndian(fileBytes_.data() + 16, 8);
  uint64_t actualPayloadSize = fileBytes_.size() - artifact::kArtifactHeaderSize;
  if (actualPayloadSize < declaredPayloadSize)
    throw Error(path_, "truncated: the header announces " + std::to_string(declaredPayloadSize) +
                           " payload bytes but only " + std::to_string(actualPayloadSize) + " follow it");
  if (actualPayloadSize > declaredPayloadSize)
    throw Error(path_, "corrupt: " + std::to_string(actualPayloadSize - declaredPayloadSize) +
                           " unexpected bytes follow the " + std::to_string(declaredPayloadSize) +
                           "-byte payload");

  const uint8_t *payload = fileBytes_.data() + artifact::kArtifactHeaderSize;
  uint64_t expectedChecksum = loadLittleEndian(fileBytes_.data() + 24, 8);
  uint64_t actualChecksum = artifact::fnv1a64(payload, actualPayloadSize);
  if (actualChecksum != expectedChecksum)
    throw Error(path_, "corrupt: payload checksum is " + hex(actualChecksum) + ", the header says " +
                           hex(expectedChecksum));

  // A flatbuffer starts with its root offset and file identifier, 4 bytes each.
  if (actualPayloadSize < 8 || !artifact::ArtifactBufferHasIdentifier(payload))
    throw Error(path_, "corrupt: the payload is not a ptm artifact flatbuffer (file identifier is not 'PTMA')");
  flatbuffers::Verifier verifier(payload, actualPayloadSize);
  if (!artifact::VerifyArtifactBuffer(verifier))
    throw Error(path_, "corrupt: the artifact flatbuffer fails verification");
  artifact_ = artifact::GetArtifact(payload);
  ReferenceValidator(path_, *artifact_).run();
}

const artifact::Entry &ArtifactReader::entry(const std::string &name) const {
  std::string available;
  if (const auto *entries = artifact_->entries()) {
    for (const artifact::Entry *entry : *entries) {
      if (entry->name()->str() == name)
        return *entry;
      available += (available.empty() ? "" : ", ") + entry->name()->str();
    }
  }
  throw Error(path_, "no entry named '" + name + "' (available: " + (available.empty() ? "none" : available) + ")");
}

DType toRuntimeDType(artifact::DType dtype) { return static_cast<DType>(dtype); }

std::vector<int64_t> shapeOf(const artifact::TensorDesc &desc) {
  if (!desc.shape())
    return {};
  return std::vector<int64_t>(desc.shape()->begin(), desc.shape()->end());
}

std::string formatTensorDesc(const artifact::TensorDesc &desc) {
  return desc.name()->str() + ": " + formatSignature(toRuntimeDType(desc.dtype()), shapeOf(desc));
}

namespace {

const artifact::TensorDesc *findByName(const flatbuffers::Vector<flatbuffers::Offset<artifact::TensorDesc>> *descs,
                                       const std::string &name) {
  if (descs)
    for (const artifact::TensorDesc *desc : *descs)
      if (desc->name()->str() == name)
        return desc;
  return nullptr;
}

} // namespace

const artifact::TensorDesc *findInput(const artifact::Entry &entry, const std::string &name) {
  return findByName(entry.inputs(), name);
}

const artifact::TensorDesc *findOutput(const artifact::Entry &entry, const std::string &name) {
  return findByName(entry.outputs(), name);
}

} // namespace ptm
