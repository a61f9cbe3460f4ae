// Reading and writing the safetensors format (https://github.com/huggingface/safetensors):
// an 8-byte little-endian header length, a JSON header mapping each tensor name
// to {dtype, shape, data_offsets}, then the raw little-endian tensor data.
#pragma once

#include "runtime/Tensor.h"

#include <map>
#include <string>
#include <vector>

namespace ptm {

// Tensors by name, in name order.
using TensorMap = std::map<std::string, Tensor>;

// Reads every tensor of the file after validating the whole header: the header
// length fits the file, the JSON parses, each entry has a known dtype, a valid
// shape and data offsets inside the data section that match its byte size, and no
// two entries overlap. Any violation throws ptm::Error naming `path`.
// The optional "__metadata__" entry is accepted and ignored.
TensorMap readSafetensors(const std::string &path);

// Writes `tensors` (names must be unique) atomically: header keys are sorted, the
// data follows in the same order, and the header is padded with spaces to a
// multiple of 8 bytes so that every tensor's data starts 8-byte aligned.
// `metadata`, when not empty, becomes the "__metadata__" entry.
void writeSafetensors(const std::string &path, const std::vector<const Tensor *> &tensors,
                      const std::map<std::string, std::string> &metadata = {});
void writeSafetensors(const std::string &path, const TensorMap &tensors);

} // namespace ptm
