// A named, dense, row-major host tensor that owns its storage. The storage is
// 64-byte aligned (a cache line, and the widest vector load compiled code issues)
// and zero-filled on creation.
#pragma once

#include "runtime/DType.h"

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace ptm {

inline constexpr size_t kTensorAlignment = 64;

// Product of the dimensions; a scalar (empty shape) has one element. Throws
// ptm::Error on a negative dimension or when the count overflows int64.
int64_t elementCount(const std::vector<int64_t> &shape);

// "[2,16,768]"
std::string formatShape(const std::vector<int64_t> &shape);

// "i64[2,16]"
std::string formatSignature(DType dtype, const std::vector<int64_t> &shape);

// "1,234,567"
std::string withThousands(int64_t value);

class Tensor {
public:
  Tensor() = default;
  Tensor(std::string name, DType dtype, std::vector<int64_t> shape);

  Tensor(Tensor &&) noexcept = default;
  Tensor &operator=(Tensor &&) noexcept = default;
  // Copies are explicit (clone) because tensors can be hundreds of megabytes.
  Tensor(const Tensor &) = delete;
  Tensor &operator=(const Tensor &) = delete;

  Tensor clone(std::string newName) const;

  const std::string &name() const { return name_; }
  void setName(std::string name) { name_ = std::move(name); }
  DType dtype() const { return dtype_; }
  const std::vector<int64_t> &shape() const { return shape_; }
  int64_t numElements() const { return numElements_; }
  size_t byteSize() const { return static_cast<size_t>(numElements_) * elementSize(dtype_); }

  void *data() { return storage_.get(); }
  const void *data() const { return storage_.get(); }
  template <typename T> T *dataAs() { return static_cast<T *>(data()); }
  template <typename T> const T *dataAs() const { return static_cast<const T *>(data()); }

private:
  struct FreeStorage {
    void operator()(void *storage) const { std::free(storage); }
  };

  std::string name_;
  DType dtype_ = DType::F32;
  std::vector<int64_t> shape_;
  int64_t numElements_ = 0;
  std::unique_ptr<void, FreeStorage> storage_;
};

} // namespace ptm
