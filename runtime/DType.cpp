#include "runtime/DType.h"

#include <cstring>

namespace ptm {

namespace {

struct DTypeInfo {
  size_t elementSize;
  std::string_view safetensorsName;
  std::string_view signatureName;
  bool integerLike;
};

// Indexed by the DType value.
constexpr DTypeInfo kDTypeInfo[kDTypeCount] = {
    {4, "F32", "f32", false}, {8, "F64", "f64", false},  {4, "I32", "i32", true},
    {8, "I64", "i64", true},  {2, "F16", "f16", false},  {2, "BF16", "bf16", false},
    {1, "I8", "i8", true},    {1, "U8", "u8", true},     {1, "BOOL", "bool", true},
};

const DTypeInfo &info(DType dtype) { return kDTypeInfo[static_cast<uint8_t>(dtype)]; }

float floatFromBits(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

} // namespace

size_t elementSize(DType dtype) { return info(dtype).elementSize; }

std::string_view safetensorsName(DType dtype) { return info(dtype).safetensorsName; }

std::optional<DType> dtypeFromSafetensorsName(std::string_view name) {
  for (uint8_t value = 0; value < kDTypeCount; ++value)
    if (kDTypeInfo[value].safetensorsName == name)
      return static_cast<DType>(value);
  return std::nullopt;
}

std::string_view signatureName(DType dtype) { return info(dtype).signatureName; }

bool isIntegerLike(DType dtype) { return info(dtype).integerLike; }

float halfToFloat(uint16_t bits) {
  uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  uint32_t exponent = (bits >> 10) & 0x1fu;
  uint32_t mantissa = bits & 0x3ffu;
  if (exponent == 0x1f) // infinity or NaN: keep the payload
    return floatFromBits(sign | 0x7f800000u | (mantissa << 13));
  if (exponent == 0) {
    if (mantissa == 0)
      return floatFromBits(sign);
    // Subnormal half: value = mantissa * 2^-24, exactly representable in f32.
    float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
    return sign ? -magnitude : magnitude;
  }
  // Normal: rebias the exponent from 15 to 127 and widen the mantissa.
  return floatFromBits(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

float bfloat16ToFloat(uint16_t bits) {
  // bfloat16 is the upper half of an f32.
  return floatFromBits(static_cast<uint32_t>(bits) << 16);
}

uint16_t floatToBfloat16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  if ((bits & 0x7fffffffu) > 0x7f800000u)
    return static_cast<uint16_t>((bits >> 16) | 0x40u);
  // Adding 0x7fff plus the lowest kept bit rounds the dropped half to
  // nearest, ties to the even upper half; a carry correctly bumps the
  // exponent (up to infinity).
  uint32_t rounding = 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>((bits + rounding) >> 16);
}

} // namespace ptm
