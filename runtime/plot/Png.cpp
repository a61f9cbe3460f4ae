#include "runtime/plot/Png.h"

#include "runtime/AtomicFile.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>

namespace ptm::plot {

Image::Image(int width, int height, Rgb background) : width_(width), height_(height) {
  if (width < 1 || height < 1 || width > 16384 || height > 16384)
    throw std::invalid_argument("image size " + std::to_string(width) + "x" + std::to_string(height) +
                                " is outside 1x1 .. 16384x16384");
  pixels_.resize(static_cast<size_t>(width) * height * 3);
  for (size_t i = 0; i < pixels_.size(); i += 3) {
    pixels_[i] = background.red;
    pixels_[i + 1] = background.green;
    pixels_[i + 2] = background.blue;
  }
}

Rgb Image::pixel(int x, int y) const {
  const uint8_t *p = row(y) + static_cast<size_t>(x) * 3;
  return {p[0], p[1], p[2]};
}

void Image::setPixel(int x, int y, Rgb colour) {
  if (x < 0 || y < 0 || x >= width_ || y >= height_)
    return;
  uint8_t *p = &pixels_[(static_cast<size_t>(y) * width_ + x) * 3];
  p[0] = colour.red;
  p[1] = colour.green;
  p[2] = colour.blue;
}

namespace {

// CRC-32 as PNG chunks use it (polynomial 0xEDB88320, reflected), continuing
// from `crc` (0 to start).
uint32_t updateCrc32(uint32_t crc, const uint8_t *data, size_t size) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> entries{};
    for (uint32_t byte = 0; byte < 256; ++byte) {
      uint32_t value = byte;
      for (int bit = 0; bit < 8; ++bit)
        value = (value & 1) ? 0xEDB88320u ^ (value >> 1) : value >> 1;
      entries[byte] = value;
    }
    return entries;
  }();
  crc = ~crc;
  for (size_t i = 0; i < size; ++i)
    crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

// The zlib stream's checksum of the uncompressed data.
uint32_t adler32(const std::vector<uint8_t> &data) {
  constexpr uint32_t kModulus = 65521;
  // 5552 bytes is the most that can be summed before `b` could overflow 32 bits.
  constexpr size_t kBlock = 5552;
  uint32_t a = 1, b = 0;
  for (size_t i = 0; i < data.size();) {
    size_t blockEnd = std::min(data.size(), i + kBlock);
    for (; i < blockEnd; ++i) {
      a += data[i];
      b += a;
    }
    a %= kModulus;
    b %= kModulus;
  }
  return (b << 16) | a;
}

void appendBigEndian32(std::vector<uint8_t> &bytes, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8)
    bytes.push_back(static_cast<uint8_t>(value >> shift));
}

// Deflate's bit order: values are packed least significant bit first, except
// Huffman codes, which are packed most significant bit first.
class BitWriter {
public:
  explicit BitWriter(std::vector<uint8_t> &bytes) : bytes_(bytes) {}

  void writeBits(uint32_t value, int count) {
    buffer_ |= static_cast<uint64_t>(value) << filled_;
    filled_ += count;
    while (filled_ >= 8) {
      bytes_.push_back(static_cast<uint8_t>(buffer_));
      buffer_ >>= 8;
      filled_ -= 8;
    }
  }

  void writeCode(uint32_t code, int length) {
    uint32_t reversed = 0;
    for (int i = 0; i < length; ++i)
      reversed |= ((code >> i) & 1) << (length - 1 - i);
    writeBits(reversed, length);
  }

  void flushToByte() {
    if (filled_ > 0)
      writeBits(0, 8 - filled_);
  }

private:
  std::vector<uint8_t> &bytes_;
  uint64_t buffer_ = 0;
  int filled_ = 0;
};

// The fixed Huffman code of literal/length symbol 0..287 (RFC 1951, 3.2.6).
void writeLiteralOrLength(BitWriter &bits, int symbol) {
  if (symbol < 144)
    bits.writeCode(0x30 + symbol, 8);
  else if (symbol < 256)
    bits.writeCode(0x190 + (symbol - 144), 9);
  else if (symbol < 280)
    bits.writeCode(symbol - 256, 7);
  else
    bits.writeCode(0xC0 + (symbol - 280), 8);
}

constexpr int kEndOfBlock = 256;
constexpr std::array<int, 29> kLengthBase = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                             31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr std::array<int, 29> kLengthExtraBits = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                                  2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr std::array<int, 30> kDistanceBase = {1,    2,    3,    4,    5,    7,    9,    13,    17,    25,
                                               33,   49,   65,   97,   129,  193,  257,  385,   513,   769,
                                               1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
constexpr std::array<int, 30> kDistanceExtraBits = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                                    6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

void writeMatch(BitWriter &bits, int length, int distance) {
  int lengthCode = static_cast<int>(kLengthBase.size()) - 1;
  while (kLengthBase[lengthCode] > length)
    --lengthCode;
  writeLiteralOrLength(bits, kEndOfBlock + 1 + lengthCode);
  bits.writeBits(length - kLengthBase[lengthCode], kLengthExtraBits[lengthCode]);
  int distanceCode = static_cast<int>(kDistanceBase.size()) - 1;
  while (kDistanceBase[distanceCode] > distance)
    --distanceCode;
  bits.writeCode(distanceCode, 5); // fixed distance codes are all 5 bits long
  bits.writeBits(distance - kDistanceBase[distanceCode], kDistanceExtraBits[distanceCode]);
}

// A zlib stream holding one fixed-Huffman deflate block. Matches are found
// greedily through a hash of the next three bytes that remembers only the latest
// position: crude, but filtered chart rows are long runs of equal bytes, which
// this catches at distance 1.
std::vector<uint8_t> zlibCompress(const std::vector<uint8_t> &data) {
  constexpr size_t kWindow = 32768, kMinMatch = 3, kMaxMatch = 258;
  constexpr int kHashBits = 15;
  std::vector<uint8_t> stream = {0x78, 0x01}; // deflate, 32 KiB window, no dictionary; header check bits
  BitWriter bits(stream);
  bits.writeBits(1, 1); // final block
  bits.writeBits(1, 2); // fixed Huffman codes

  auto hashAt = [&](size_t i) {
    uint32_t key = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16);
    return (key * 2654435761u) >> (32 - kHashBits);
  };
  std::vector<size_t> latest(size_t{1} << kHashBits, SIZE_MAX);
  size_t position = 0;
  while (position < data.size()) {
    size_t length = 0, distance = 0;
    if (position + kMinMatch <= data.size()) {
      uint32_t hash = hashAt(position);
      size_t candidate = latest[hash];
      latest[hash] = position;
      if (candidate != SIZE_MAX && position - candidate <= kWindow) {
        size_t limit = std::min(kMaxMatch, data.size() - position);
        while (length < limit && data[candidate + length] == data[position + length])
          ++length;
        distance = position - candidate;
      }
    }
    if (length >= kMinMatch) {
      writeMatch(bits, static_cast<int>(length), static_cast<int>(distance));
      for (size_t skipped = position + 1; skipped < position + length && skipped + kMinMatch <= data.size(); ++skipped)
        latest[hashAt(skipped)] = skipped;
      position += length;
    } else {
      writeLiteralOrLength(bits, data[position]);
      ++position;
    }
  }
  writeLiteralOrLength(bits, kEndOfBlock);
  bits.flushToByte();
  appendBigEndian32(stream, adler32(data));
  return stream;
}

void appendChunk(std::vector<uint8_t> &png, const char (&type)[5], const std::vector<uint8_t> &data) {
  appendBigEndian32(png, static_cast<uint32_t>(data.size()));
  size_t typeStart = png.size();
  png.insert(png.end(), type, type + 4);
  png.insert(png.end(), data.begin(), data.end());
  appendBigEndian32(png, updateCrc32(0, &png[typeStart], png.size() - typeStart));
}

// Every row gets filter type 2 ("Up": the difference to the row above), which
// turns the rows a chart repeats (background, vertical grid lines) into zeros.
std::vector<uint8_t> filterRows(const Image &image) {
  constexpr uint8_t kFilterUp = 2;
  size_t rowBytes = static_cast<size_t>(image.width()) * 3;
  std::vector<uint8_t> filtered;
  filtered.reserve((rowBytes + 1) * image.height());
  for (int y = 0; y < image.height(); ++y) {
    const uint8_t *row = image.row(y);
    const uint8_t *above = y > 0 ? image.row(y - 1) : nullptr;
    filtered.push_back(kFilterUp);
    for (size_t i = 0; i < rowBytes; ++i)
      filtered.push_back(static_cast<uint8_t>(row[i] - (above ? above[i] : 0)));
  }
  return filtered;
}

std::vector<uint8_t> encodePng(const Image &image) {
  std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  std::vector<uint8_t> header;
  appendBigEndian32(header, static_cast<uint32_t>(image.width()));
  appendBigEndian32(header, static_cast<uint32_t>(image.height()));
  header.insert(header.end(), {8 /*bits per channel*/, 2 /*truecolour*/, 0 /*deflate*/, 0 /*adaptive filtering*/,
                               0 /*not interlaced*/});
  appendChunk(png, "IHDR", header);
  appendChunk(png, "IDAT", zlibCompress(filterRows(image)));
  appendChunk(png, "IEND", {});
  return png;
}

} // namespace

void writePng(const std::string &path, const Image &image) {
  std::vector<uint8_t> png = encodePng(image);
  writeFileAtomically(path, [&](std::ostream &stream) {
    stream.write(reinterpret_cast<const char *>(png.data()), static_cast<std::streamsize>(png.size()));
  });
}

} // namespace ptm::plot
