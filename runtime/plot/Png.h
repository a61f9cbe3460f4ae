// An 8-bit RGB raster and a PNG writer for it, so that ptm-run can draw charts
// (loss curves) without an image library. The encoder is our own: rows are
// "Up"-filtered and compressed with a small deflate (fixed Huffman codes, greedy
// LZ77), which shrinks a chart's flat backgrounds to a few kilobytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ptm::plot {

struct Rgb {
  uint8_t red = 0, green = 0, blue = 0;
  bool operator==(const Rgb &other) const { return red == other.red && green == other.green && blue == other.blue; }
  bool operator!=(const Rgb &other) const { return !(*this == other); }
};

class Image {
public:
  // Throws std::invalid_argument unless both sides are in [1, 16384].
  Image(int width, int height, Rgb background);

  int width() const { return width_; }
  int height() const { return height_; }
  Rgb pixel(int x, int y) const;
  // Pixels outside the image are ignored, so drawing code need not clip at the
  // image border.
  void setPixel(int x, int y, Rgb colour);
  // The `width() * 3` bytes of row `y`, red, green, blue per pixel.
  const uint8_t *row(int y) const { return &pixels_[static_cast<size_t>(y) * width_ * 3]; }

private:
  int width_;
  int height_;
  std::vector<uint8_t> pixels_;
};

// Writes `image` as a truecolour PNG, atomically (see runtime/AtomicFile.h).
// Throws ptm::Error naming `path` when it cannot be written.
void writePng(const std::string &path, const Image &image);

} // namespace ptm::plot
