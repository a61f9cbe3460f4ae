#include "runtime/Safetensors.h"

#include "runtime/AtomicFile.h"
#include "runtime/Error.h"
#include "runtime/InputFile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>

// Tensor data is stored little endian and copied verbatim.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "ptm assumes a little-endian host");

namespace ptm {

namespace {

using nlohmann::json;

// The reference implementation rejects larger headers too; a bigger length is
// certainly garbage, and reading it would allocate an absurd buffer.
constexpr uint64_t kMaxHeaderLength = 100u << 20;

// One validated header entry.
struct EntryLayout {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  uint64_t begin; // data_offsets, relative to the start of the data section
  uint64_t end;
};

std::string describeOffsets(uint64_t begin, uint64_t end) {
  return "[" + std::to_string(begin) + "," + std::to_string(end) + "]";
}

EntryLayout parseEntry(const std::string &path, const std::string &name, const json &value,
                       uint64_t dataSectionSize) {
  std::string tensor = "tensor '" + name + "'";
  if (!value.is_object())
    throw Error(path, "header entry for " + tensor + " is not a JSON object");

  auto dtypeField = value.find("dtype");
  if (dtypeField == value.end() || !dtypeField->is_string())
    throw Error(path, tensor + " has no string field 'dtype'");
  auto dtype = dtypeFromSafetensorsName(dtypeField->get<std::string>());
  if (!dtype)
    throw Error(path, tensor + " has unsupported dtype '" + dtypeField->get<std::string>() + "'");

  auto shapeField = value.find("shape");
  if (shapeField == value.end() || !shapeField->is_array())
    throw Error(path, tensor + " has no array field 'shape'");
  std::vector<int64_t> shape;
  for (const json &dim : *shapeField) {
    if (!dim.is_number_unsigned() ||
        dim.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      throw Error(path, tensor + " has a shape entry that is not a non-negative integer: " + dim.dump());
    shape.push_back(static_cast<int64_t>(dim.get<uint64_t>()));
  }
  int64_t numElements;
  try {
    numElements = elementCount(shape);
  } catch (const Error &error) {
    throw Error(path, tensor + ": " + error.what());
  }

  auto offsetsField = value.find("data_offsets");
  if (offsetsField == value.end() || !offsetsField->is_array() || offsetsField->size() != 2 ||
      !(*offsetsField)[0].is_number_unsigned() || !(*offsetsField)[1].is_number_unsigned())
    throw Error(path, tensor + " has no field 'data_offsets' holding two non-negative integers");
  uint64_t begin = (*offsetsField)[0].get<uint64_t>();
  uint64_t end = (*offsetsField)[1].get<uint64_t>();
  if (begin > end || end > dataSectionSize)
    throw Error(path, tensor + " has data_offsets " + describeOffsets(begin, end) +
                          " outside the data section of " + std::to_string(dataSectionSize) + " bytes");

  uint64_t spanBytes = end - begin;
  uint64_t bytesPerElement = elementSize(*dtype);
  if (static_cast<uint64_t>(numElements) > spanBytes / bytesPerElement ||
      static_cast<uint64_t>(numElements) * bytesPerElement != spanBytes)
    throw Error(path, tensor + " has dtype " + std::string(safetensorsName(*dtype)) + " and shape " +
                          formatShape(shape) + " (" + std::to_string(numElements) + " elements of " +
                          std::to_string(bytesPerElement) + " bytes) but data_offsets " +
                          describeOffsets(begin, end) + " span " + std::to_string(spanBytes) + " bytes");
  return {name, *dtype, std::move(shape), begin, end};
}

void rejectOverlaps(const std::string &path, std::vector<EntryLayout> &layouts) {
  std::sort(layouts.begin(), layouts.end(),
            [](const EntryLayout &a, const EntryLayout &b) { return a.begin < b.begin; });
  for (size_t i = 1; i < layouts.size(); ++i)
    if (layouts[i].begin < layouts[i - 1].end)
      throw Error(path, "tensors '" + layouts[i - 1].name + "' and '" + layouts[i].name +
                            "' overlap in the data section");
}

} // namespace

TensorMap readSafetensors(const std::string &path) {
  auto [file, fileSize] = openInputFile(path);

  if (fileSize < 8)
    throw Error(path, "truncated: " + std::to_string(fileSize) +
                          " bytes, too short for the 8-byte safetensors header length");
  uint8_t lengthBytes[8];
  file.read(reinterpret_cast<char *>(lengthBytes), sizeof lengthBytes);
  uint64_t headerLength = 0;
  for (int i = 7; i >= 0; --i)
    headerLength = (headerLength << 8) | lengthBytes[i];
  if (headerLength > fileSize - 8)
    throw Error(path, "truncated: header length " + std::to_string(headerLength) + " exceeds the " +
                          std::to_string(fileSize - 8) + " bytes that follow it");
  if (headerLength > kMaxHeaderLength)
    throw Error(path, "header length " + std::to_string(headerLength) + " exceeds the 100 MiB limit");

  std::string headerText(headerLength, '\0');
  if (!file.read(headerText.data(), static_cast<std::streamsize>(headerLength)))
    throw Error(path, "cannot read the header");
  json header;
  try {
    header = json::parse(headerText);
  } catch (const json::parse_error &error) {
    throw Error(path, "header is not valid JSON (error at byte " + std::to_string(error.byte) + ")");
  }
  if (!header.is_object())
    throw Error(path, "header is not a JSON object");

  uint64_t dataSectionStart = 8 + headerLength;
  uint64_t dataSectionSize = fileSize - dataSectionStart;
  std::vector<EntryLayout> layouts;
  for (const auto &[name, value] : header.items()) {
    if (name == "__metadata__") {
      if (!value.is_object())
        throw Error(path, "'__metadata__' is not a JSON object");
      continue;
    }
    layouts.push_back(parseEntry(path, name, value, dataSectionSize));
  }
  rejectOverlaps(path, layouts);

  TensorMap tensors;
  for (EntryLayout &layout : layouts) {
    Tensor tensor(layout.name, layout.dtype, std::move(layout.shape));
    file.seekg(static_cast<std::streamoff>(dataSectionStart + layout.begin));
    if (!file.read(static_cast<char *>(tensor.data()), static_cast<std::streamsize>(tensor.byteSize())))
      throw Error(path, "cannot read the data of tensor '" + layout.name + "'");
    tensors.emplace(layout.name, std::move(tensor));
  }
  return tensors;
}

void writeSafetensors(const std::string &path, const std::vector<const Tensor *> &tensors,
                      const std::map<std::string, std::string> &metadata) {
  std::vector<const Tensor *> ordered = tensors;
  std::sort(ordered.begin(), ordered.end(),
            [](const Tensor *a, const Tensor *b) { return a->name() < b->name(); });
  for (size_t i = 1; i < ordered.size(); ++i)
    if (ordered[i]->name() == ordered[i - 1]->name())
      throw Error(path, "two tensors are named '" + ordered[i]->name() + "'");

  // nlohmann::json objects keep their keys sorted, matching the data order.
  json header = json::object();
  uint64_t offset = 0;
  for (const Tensor *tensor : ordered) {
    header[tensor->name()] = {{"dtype", safetensorsName(tensor->dtype())},
                              {"shape", tensor->shape()},
                              {"data_offsets", {offset, offset + tensor->byteSize()}}};
    offset += tensor->byteSize();
  }
  if (!metadata.empty())
    header["__metadata__"] = metadata;
  std::string headerText;
  try {
    headerText = header.dump();
  } catch (const json::exception &error) {
    throw Error(path, std::string("cannot encode the header: ") + error.what());
  }
  // Pad so that the data section, which starts after the 8-byte length and the
  // header, is 8-byte aligned; the format allows trailing spaces in the header.
  headerText.append((8 - headerText.size() % 8) % 8, ' ');

  writeFileAtomically(path, [&](std::ostream &stream) {
    uint8_t lengthBytes[8];
    for (int i = 0; i < 8; ++i)
      lengthBytes[i] = static_cast<uint8_t>(static_cast<uint64_t>(headerText.size()) >> (8 * i));
    stream.write(reinterpret_cast<const char *>(lengthBytes), sizeof lengthBytes);
    stream.write(headerText.data(), static_cast<std::streamsize>(headerText.size()));
    for (const Tensor *tensor : ordered)
      stream.write(static_cast<const char *>(tensor->data()), static_cast<std::streamsize>(tensor->byteSize()));
  });
}

void writeSafetensors(const std::string &path, const TensorMap &tensors) {
  std::vector<const Tensor *> pointers;
  for (const auto &entry : tensors)
    pointers.push_back(&entry.second);
  writeSafetensors(path, pointers);
}

} // namespace ptm
