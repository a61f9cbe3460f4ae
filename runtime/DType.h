// Element types of runtime tensors. The enumerator values equal those of
// ptm::artifact::DType (artifact.fbs), so converting between the two is a cast;
// ArtifactReader checks that every dtype in an artifact is in range.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ptm {

enum class DType : uint8_t { F32 = 0, F64 = 1, I32 = 2, I64 = 3, F16 = 4, BF16 = 5, I8 = 6, U8 = 7, Bool = 8 };

inline constexpr uint8_t kDTypeCount = 9;

size_t elementSize(DType dtype);

// The dtype's name in safetensors headers: "F32", "BF16", "BOOL", ...
std::string_view safetensorsName(DType dtype);
std::optional<DType> dtypeFromSafetensorsName(std::string_view name);

// The dtype's name in ptm signatures and messages: "f32", "i64", "bool", ...
std::string_view signatureName(DType dtype);

// Integer-valued dtypes (bool included): these hold token ids and masks.
bool isIntegerLike(DType dtype);

// IEEE binary16 and bfloat16 bit patterns to f32; exact for every value.
float halfToFloat(uint16_t bits);
float bfloat16ToFloat(uint16_t bits);
// f32 to the nearest bfloat16 (ties to even); NaN stays a (quiet) NaN.
uint16_t floatToBfloat16(float value);

} // namespace ptm
