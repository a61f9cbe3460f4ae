#include "runtime/Tensor.h"

#include "runtime/Error.h"

#include <cstring>
#include <limits>
#include <new>

namespace ptm {

int64_t elementCount(const std::vector<int64_t> &shape) {
  int64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0)
      throw Error("shape " + formatShape(shape) + " has a negative dimension");
    if (dim != 0 && count > std::numeric_limits<int64_t>::max() / dim)
      throw Error("shape " + formatShape(shape) + " has too many elements");
    count *= dim;
  }
  return count;
}

std::string formatShape(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      text += ',';
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

std::string withThousands(int64_t value) {
  std::string digits = std::to_string(value);
  size_t firstDigit = value < 0 ? 1 : 0;
  for (size_t position = digits.size(); position > firstDigit + 3; position -= 3)
    digits.insert(position - 3, ",");
  return digits;
}

std::string formatSignature(DType dtype, const std::vector<int64_t> &shape) {
  return std::string(signatureName(dtype)) + formatShape(shape);
}

Tensor::Tensor(std::string name, DType dtype, std::vector<int64_t> shape)
    : name_(std::move(name)), dtype_(dtype), shape_(std::move(shape)),
      numElements_(elementCount(shape_)) {
  if (static_cast<uint64_t>(numElements_) > std::numeric_limits<size_t>::max() / 8)
    throw Error("tensor '" + name_ + "' of shape " + formatShape(shape_) + " is too large");
  // aligned_alloc wants a size that is a multiple of the alignment; an empty
  // tensor still gets a (non-null) buffer so every entry argument is a valid pointer.
  size_t allocationSize = (byteSize() + kTensorAlignment - 1) / kTensorAlignment * kTensorAlignment;
  if (allocationSize == 0)
    allocationSize = kTensorAlignment;
  void *storage = std::aligned_alloc(kTensorAlignment, allocationSize);
  if (!storage)
    throw std::bad_alloc();
  std::memset(storage, 0, allocationSize);
  storage_.reset(storage);
}

Tensor Tensor::clone(std::string newName) const {
  Tensor copy(std::move(newName), dtype_, shape_);
  std::memcpy(copy.data(), data(), byteSize());
  return copy;
}

} // namespace ptm
