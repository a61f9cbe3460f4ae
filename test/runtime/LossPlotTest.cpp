#include "runtime/plot/LossPlot.h"
#include "runtime/plot/Png.h"

#include "test/runtime/TestArtifact.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <stdexcept>

namespace ptm::test {
namespace {

using plot::Image;
using plot::Rgb;

// The colours LossPlot.cpp draws the curves in.
const Rgb kTrainColour{31, 119, 180};
const Rgb kValColour{255, 127, 14};

// A PNG decoder for what writePng produces (8-bit truecolour, not interlaced,
// "Up"-filtered rows, fixed-Huffman deflate blocks), written independently of the
// encoder so that the tests check the format, not the encoder against itself.
// Malformed input throws std::runtime_error, which fails the test.
struct DecodedPng {
  uint32_t width = 0, height = 0;
  std::vector<std::string> chunkTypes;
  std::vector<uint8_t> rgb;
  Rgb pixel(uint32_t x, uint32_t y) const {
    const uint8_t *p = &rgb[(static_cast<size_t>(y) * width + x) * 3];
    return {p[0], p[1], p[2]};
  }
};

uint32_t bitwiseCrc32(const uint8_t *data, size_t size) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < size; ++i) {
    crc ^= data[i];
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
  }
  return ~crc;
}

uint32_t bigEndian32(const std::vector<uint8_t> &bytes, size_t offset) {
  if (offset + 4 > bytes.size())
    throw std::runtime_error("truncated at byte " + std::to_string(offset));
  return (uint32_t{bytes[offset]} << 24) | (uint32_t{bytes[offset + 1]} << 16) | (uint32_t{bytes[offset + 2]} << 8) |
         bytes[offset + 3];
}

class BitReader {
public:
  BitReader(const std::vector<uint8_t> &bytes, size_t startByte) : bytes_(bytes), position_(startByte * 8) {}
  uint32_t bits(int count) { // least significant bit first
    uint32_t value = 0;
    for (int i = 0; i < count; ++i)
      value |= bit() << i;
    return value;
  }
  uint32_t bit() {
    if (position_ / 8 >= bytes_.size())
      throw std::runtime_error("deflate stream runs past its end");
    uint32_t value = (bytes_[position_ / 8] >> (position_ % 8)) & 1;
    ++position_;
    return value;
  }
  void alignToByte() { position_ = (position_ + 7) / 8 * 8; }
  size_t bytePosition() const { return position_ / 8; }

private:
  const std::vector<uint8_t> &bytes_;
  size_t position_;
};

int readFixedLiteralOrLength(BitReader &reader) {
  uint32_t code = 0;
  for (int i = 0; i < 7; ++i)
    code = (code << 1) | reader.bit();
  if (code <= 0x17)
    return 256 + static_cast<int>(code);
  code = (code << 1) | reader.bit();
  if (code >= 0x30 && code <= 0xBF)
    return static_cast<int>(code - 0x30);
  if (code >= 0xC0 && code <= 0xC7)
    return 280 + static_cast<int>(code - 0xC0);
  code = (code << 1) | reader.bit();
  if (code >= 0x190 && code <= 0x1FF)
    return 144 + static_cast<int>(code - 0x190);
  throw std::runtime_error("invalid fixed Huffman code");
}

std::vector<uint8_t> zlibInflate(const std::vector<uint8_t> &stream) {
  if (stream.size() < 6 || (stream[0] & 0x0F) != 8 || ((stream[0] << 8) | stream[1]) % 31 != 0 || (stream[1] & 0x20))
    throw std::runtime_error("bad zlib header");
  static const int lengthBase[] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                   31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
  static const int lengthExtra[] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                    2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
  static const int distanceBase[] = {1,    2,    3,    4,    5,    7,    9,    13,    17,    25,
                                     33,   49,   65,   97,   129,  193,  257,  385,   513,   769,
                                     1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
  static const int distanceExtra[] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                      6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
  std::vector<uint8_t> output;
  BitReader reader(stream, 2);
  for (bool final = false; !final;) {
    final = reader.bit();
    if (reader.bits(2) != 1)
      throw std::runtime_error("not a fixed-Huffman deflate block, the only kind the encoder writes");
    for (;;) {
      int symbol = readFixedLiteralOrLength(reader);
      if (symbol < 256) {
        output.push_back(static_cast<uint8_t>(symbol));
        continue;
      }
      if (symbol == 256)
        break;
      if (symbol > 285)
        throw std::runtime_error("invalid length symbol");
      int length = lengthBase[symbol - 257] + static_cast<int>(reader.bits(lengthExtra[symbol - 257]));
      uint32_t distanceCode = 0;
      for (int i = 0; i < 5; ++i)
        distanceCode = (distanceCode << 1) | reader.bit();
      if (distanceCode > 29)
        throw std::runtime_error("invalid distance code");
      size_t distance = distanceBase[distanceCode] + reader.bits(distanceExtra[distanceCode]);
      if (distance > output.size())
        throw std::runtime_error("distance reaches before the start");
      for (int i = 0; i < length; ++i)
        output.push_back(output[output.size() - distance]);
    }
  }
  reader.alignToByte();
  uint32_t a = 1, b = 0;
  for (uint8_t byte : output) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  if (bigEndian32(stream, reader.bytePosition()) != ((b << 16) | a))
    throw std::runtime_error("Adler-32 mismatch");
  if (reader.bytePosition() + 4 != stream.size())
    throw std::runtime_error("bytes after the zlib stream");
  return output;
}

DecodedPng decodePng(const std::vector<uint8_t> &bytes) {
  const std::vector<uint8_t> signature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (bytes.size() < 8 || !std::equal(signature.begin(), signature.end(), bytes.begin()))
    throw std::runtime_error("bad PNG signature");
  DecodedPng png;
  std::vector<uint8_t> compressed;
  for (size_t offset = 8; offset < bytes.size();) {
    uint32_t length = bigEndian32(bytes, offset);
    if (offset + 12 + length > bytes.size())
      throw std::runtime_error("truncated chunk");
    std::string type(bytes.begin() + offset + 4, bytes.begin() + offset + 8);
    if (bitwiseCrc32(&bytes[offset + 4], 4 + length) != bigEndian32(bytes, offset + 8 + length))
      throw std::runtime_error("CRC mismatch in chunk " + type);
    std::vector<uint8_t> data(bytes.begin() + offset + 8, bytes.begin() + offset + 8 + length);
    png.chunkTypes.push_back(type);
    if (type == "IHDR") {
      if (length != 13)
        throw std::runtime_error("IHDR is not 13 bytes");
      png.width = bigEndian32(data, 0);
      png.height = bigEndian32(data, 4);
      if (data[8] != 8 || data[9] != 2 || data[10] != 0 || data[11] != 0 || data[12] != 0)
        throw std::runtime_error("IHDR is not 8-bit truecolour, deflate, adaptive filtering, not interlaced");
    } else if (type == "IDAT") {
      compressed.insert(compressed.end(), data.begin(), data.end());
    }
    offset += 12 + length;
  }
  if (png.chunkTypes.empty() || png.chunkTypes.front() != "IHDR" || png.chunkTypes.back() != "IEND")
    throw std::runtime_error("chunks do not run from IHDR to IEND");

  std::vector<uint8_t> filtered = zlibInflate(compressed);
  size_t rowBytes = static_cast<size_t>(png.width) * 3;
  if (filtered.size() != (rowBytes + 1) * png.height)
    throw std::runtime_error("image data holds " + std::to_string(filtered.size()) + " bytes");
  png.rgb.resize(rowBytes * png.height);
  for (size_t y = 0; y < png.height; ++y) {
    if (filtered[y * (rowBytes + 1)] != 2)
      throw std::runtime_error("row " + std::to_string(y) + " is not \"Up\"-filtered, as the encoder does");
    const uint8_t *in = &filtered[y * (rowBytes + 1) + 1];
    uint8_t *out = &png.rgb[y * rowBytes];
    for (size_t i = 0; i < rowBytes; ++i)
      out[i] = static_cast<uint8_t>(in[i] + (y > 0 ? out[i - rowBytes] : 0));
  }
  return png;
}

TEST(PngTest, RoundTripsPixelsWithValidChunks) {
  ScratchDirectory scratch;
  Image image(7, 5, {255, 255, 255});
  image.setPixel(0, 0, {1, 2, 3});
  image.setPixel(6, 4, {200, 100, 50});
  image.setPixel(3, 2, {0, 0, 0});
  image.setPixel(7, 0, {9, 9, 9});  // outside: ignored
  image.setPixel(-1, 2, {9, 9, 9}); // outside: ignored
  std::string path = scratch.path("tiny.png");
  plot::writePng(path, image);
  EXPECT_EQ(scratch.fileNames(), std::vector<std::string>{"tiny.png"}); // no temporary file left

  DecodedPng png = decodePng(readFileBytes(path));
  EXPECT_EQ(png.width, 7u);
  EXPECT_EQ(png.height, 5u);
  EXPECT_EQ(png.chunkTypes, (std::vector<std::string>{"IHDR", "IDAT", "IEND"}));
  for (int y = 0; y < 5; ++y)
    for (int x = 0; x < 7; ++x)
      EXPECT_EQ(png.pixel(x, y), image.pixel(x, y)) << x << "," << y;
}

TEST(PngTest, RoundTripsNoisyImage) {
  // Random pixels with repeated stretches exercise every literal and many match
  // lengths and distances.
  ScratchDirectory scratch;
  Image image(301, 67, {0, 0, 0});
  uint32_t state = 12345;
  for (int y = 0; y < image.height(); ++y)
    for (int x = 0; x < image.width(); ++x) {
      state = state * 1664525u + 1013904223u;
      if ((state >> 28) < 6)
        image.setPixel(
            x, y,
            {static_cast<uint8_t>(state >> 8), static_cast<uint8_t>(state >> 16), static_cast<uint8_t>(state >> 24)});
      else if (x > 0)
        image.setPixel(x, y, image.pixel(x - 1, y));
    }
  std::string path = scratch.path("noise.png");
  plot::writePng(path, image);
  DecodedPng png = decodePng(readFileBytes(path));
  ASSERT_EQ(png.width, 301u);
  ASSERT_EQ(png.height, 67u);
  for (int y = 0; y < image.height(); ++y)
    for (int x = 0; x < image.width(); ++x)
      ASSERT_EQ(png.pixel(x, y), image.pixel(x, y)) << x << "," << y;
}

TEST(PngTest, CompressesFlatChart) {
  ScratchDirectory scratch;
  Image image(960, 540, {255, 255, 255});
  for (int x = 0; x < 960; ++x)
    image.setPixel(x, x * 540 / 960, {31, 119, 180});
  std::string path = scratch.path("flat.png");
  plot::writePng(path, image);
  std::vector<uint8_t> bytes = readFileBytes(path);
  EXPECT_LT(bytes.size(), 40000u); // raw it would be 1.5 MB
  DecodedPng png = decodePng(bytes);
  EXPECT_EQ(png.pixel(480, 270), (Rgb{31, 119, 180}));
  EXPECT_EQ(png.pixel(480, 100), (Rgb{255, 255, 255}));
}

TEST(PngTest, UnwritablePathNamesTheFile) {
  std::string path = "/nonexistent-ptm-directory/chart.png";
  expectError([&] { plot::writePng(path, Image(2, 2, {0, 0, 0})); }, path, {"cannot create"});
}

TEST(PngTest, ImageRejectsEmptySizes) {
  EXPECT_THROW(Image(0, 5, {}), std::invalid_argument);
  EXPECT_THROW(Image(5, -1, {}), std::invalid_argument);
}

class LossPlotTest : public ::testing::Test {
protected:
  std::string writeCsv(const std::string &name, const std::string &content) {
    std::string path = scratch.path(name);
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  // A loss falling linearly from 8 to 2 over `rows` steps with val_loss every
  // 10 steps, in the training loop's column layout.
  static std::string decreasingLog(int rows) {
    std::string csv = "step,epoch,lr,train_loss,val_loss,val_perplexity,tokens,tokens_per_second,elapsed_seconds\n";
    for (int step = 1; step <= rows; ++step) {
      double train = 8 - 6.0 * step / rows;
      std::string val = step % 10 == 0 ? std::to_string(train + 0.1) : "";
      csv += std::to_string(step) + ",0,0.0006," + std::to_string(train) + "," + val + ",," +
             std::to_string(step * 2048) + ",1800.0," + std::to_string(step * 1.1) + "\n";
    }
    return csv;
  }

  DecodedPng plotCsv(const std::string &csvPath, const plot::LossPlotOptions &options = {}) {
    std::string pngPath = scratch.path("chart.png");
    plot::plotTrainingLog(csvPath, pngPath, options);
    return decodePng(readFileBytes(pngPath));
  }

  static size_t countColour(const DecodedPng &png, Rgb colour, uint32_t left, uint32_t top, uint32_t right,
                            uint32_t bottom) {
    size_t count = 0;
    for (uint32_t y = top; y < bottom; ++y)
      for (uint32_t x = left; x < right; ++x)
        count += png.pixel(x, y) == colour;
    return count;
  }

  void expectCsvRejected(const std::string &content, const std::vector<std::string> &fragments) {
    std::string csvPath = writeCsv("bad.csv", content);
    std::string pngPath = scratch.path("bad.png");
    expectError([&] { plot::plotTrainingLog(csvPath, pngPath, {}); }, csvPath, fragments);
    EXPECT_EQ(scratch.fileNames(), std::vector<std::string>{"bad.csv"}); // no PNG, no temporary file
  }

  ScratchDirectory scratch;
};

TEST_F(LossPlotTest, FallingLossRunsFromTopLeftToBottomRight) {
  std::string csvPath = writeCsv("run.csv", decreasingLog(200));
  DecodedPng png = plotCsv(csvPath);
  EXPECT_EQ(png.width, 960u);
  EXPECT_EQ(png.height, 540u);
  EXPECT_EQ(scratch.fileNames(), (std::vector<std::string>{"chart.png", "run.csv"}));
  uint32_t midX = png.width / 2, midY = png.height / 2;
  EXPECT_GT(countColour(png, kTrainColour, 0, 0, midX, midY), 100u);                  // starts high
  EXPECT_GT(countColour(png, kTrainColour, midX, midY, png.width, png.height), 100u); // ends low
  // The line crosses the middle of the plot area, which sits a little right of
  // the image's middle (the y labels take more room than the right margin).
  EXPECT_EQ(countColour(png, kTrainColour, 0, midY, midX * 4 / 5, png.height), 0u); // never low early
  EXPECT_GT(countColour(png, kValColour, 0, 0, png.width, png.height), 100u);
}

TEST_F(LossPlotTest, ImageHasTheRequestedSize) {
  std::string csvPath = writeCsv("run.csv", decreasingLog(50));
  plot::LossPlotOptions options;
  options.width = 400;
  options.height = 250;
  options.title = "small run";
  DecodedPng png = plotCsv(csvPath, options);
  EXPECT_EQ(png.width, 400u);
  EXPECT_EQ(png.height, 250u);
  EXPECT_GT(countColour(png, kTrainColour, 0, 0, png.width, png.height), 50u);
}

TEST_F(LossPlotTest, TitleDefaultsToTheCsvFileName) {
  std::string content = decreasingLog(30);
  std::string first = writeCsv("first.csv", content), second = writeCsv("second.csv", content);
  plot::LossPlotOptions titledFirst;
  titledFirst.title = "first.csv";
  std::vector<uint8_t> byDefault = plotCsv(first).rgb;
  EXPECT_EQ(plotCsv(second, titledFirst).rgb, byDefault);
  EXPECT_NE(plotCsv(second).rgb, byDefault);
}

TEST_F(LossPlotTest, FindsColumnsByNameAndToleratesExtrasAndCrLf) {
  std::string csvPath = writeCsv("reordered.csv", "note,val_loss,train_loss,step\r\n"
                                                  "warmup,,5.5,1\r\n"
                                                  "eval, 4.0 , 4.5 ,2\r\n"
                                                  "\r\n");
  plot::TrainingLog log = plot::readTrainingLog(csvPath);
  EXPECT_TRUE(log.hasTrainLoss);
  EXPECT_TRUE(log.hasValLoss);
  EXPECT_EQ(log.rows, 2u);
  ASSERT_EQ(log.train.size(), 2u);
  EXPECT_EQ(log.train[1].step, 2);
  EXPECT_EQ(log.train[1].loss, 4.5);
  ASSERT_EQ(log.validation.size(), 1u); // the empty field is "not measured"
  EXPECT_EQ(log.validation[0].loss, 4.0);
  plotCsv(csvPath);
}

TEST_F(LossPlotTest, ValidationLossAloneIsEnough) {
  std::string csvPath = writeCsv("eval.csv", "step,val_loss\n50,3.5\n100,3.1\n150,2.9\n");
  plot::TrainingLog log = plot::readTrainingLog(csvPath);
  EXPECT_FALSE(log.hasTrainLoss);
  EXPECT_EQ(log.validation.size(), 3u);
  DecodedPng png = plotCsv(csvPath);
  EXPECT_GT(countColour(png, kValColour, 0, 0, png.width, png.height), 100u);
  EXPECT_EQ(countColour(png, kTrainColour, 0, 0, png.width, png.height), 0u);
}

TEST_F(LossPlotTest, SingleRowAndConstantLossArePlotted) {
  DecodedPng single = plotCsv(writeCsv("one.csv", "step,train_loss,val_loss\n1,7.5,7.6\n"));
  EXPECT_GT(countColour(single, kTrainColour, 0, 0, single.width, single.height), 0u);
  EXPECT_GT(countColour(single, kValColour, 0, 0, single.width, single.height), 0u);

  std::string constant = "step,train_loss\n";
  for (int step = 1; step <= 20; ++step)
    constant += std::to_string(step) + ",2.5\n";
  DecodedPng flat = plotCsv(writeCsv("flat.csv", constant));
  // A constant loss is a horizontal line through the middle of the plot.
  EXPECT_GT(countColour(flat, kTrainColour, 0, flat.height * 2 / 5, flat.width, flat.height * 3 / 5), 500u);
}

TEST_F(LossPlotTest, NonFiniteLossesAreSkippedAndCounted) {
  std::string csvPath = writeCsv("diverged.csv", "step,train_loss,val_loss\n1,5,\n2,4,4.2\n3,nan,\n4,inf,-inf\n");
  plot::TrainingLog log = plot::readTrainingLog(csvPath);
  EXPECT_EQ(log.train.size(), 2u);
  EXPECT_EQ(log.validation.size(), 1u);
  EXPECT_EQ(log.nonFiniteLosses, 3u);
  plotCsv(csvPath);
}

TEST_F(LossPlotTest, ThousandsOfRowsArePlottedQuickly) {
  std::string csvPath = writeCsv("long.csv", decreasingLog(20000));
  auto start = std::chrono::steady_clock::now();
  DecodedPng png = plotCsv(csvPath);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 10.0);
  EXPECT_GT(countColour(png, kTrainColour, 0, 0, png.width / 2, png.height / 2), 100u);
}

TEST_F(LossPlotTest, LogScaleSkipsLossesThatAreNotPositive) {
  std::string csvPath = writeCsv("log.csv", "step,train_loss\n1,100\n2,10\n3,1\n4,0.1\n5,0\n");
  plot::LossPlotOptions options;
  options.logScale = true;
  DecodedPng png = plotCsv(csvPath, options);
  EXPECT_GT(countColour(png, kTrainColour, 0, 0, png.width, png.height), 100u);

  std::string zeros = writeCsv("zeros.csv", "step,train_loss\n1,0\n2,-1\n");
  expectError([&] { plot::plotTrainingLog(zeros, scratch.path("zeros.png"), options); }, zeros, {"log scale"});
}

TEST_F(LossPlotTest, NiceTicksUseOneTwoFiveSteps) {
  EXPECT_EQ(plot::niceTicks(0, 10, 5), (std::vector<double>{0, 2, 4, 6, 8, 10}));
  EXPECT_EQ(plot::niceTicks(0, 1000, 4), (std::vector<double>{0, 500, 1000}));
  std::vector<double> fractions = plot::niceTicks(0.13, 0.97, 4);
  ASSERT_EQ(fractions.size(), 4u);
  EXPECT_NEAR(fractions[0], 0.2, 1e-12);
  EXPECT_NEAR(fractions[3], 0.8, 1e-12);
  std::vector<double> narrow = plot::niceTicks(3.0001, 3.0009, 1); // made finer until two fit
  ASSERT_GE(narrow.size(), 2u);
  EXPECT_GE(narrow.front(), 3.0001);
  EXPECT_LE(narrow.back(), 3.0009);
}

TEST_F(LossPlotTest, MissingFileOrDirectoryNamesThePath) {
  std::string absent = scratch.path("absent.csv");
  expectError([&] { plot::plotTrainingLog(absent, scratch.path("out.png"), {}); }, absent, {"cannot open"});
  std::string directory = scratch.path("");
  expectError([&] { plot::readTrainingLog(directory); }, directory, {"directory"});
}

TEST_F(LossPlotTest, RejectsEmptyFile) { expectCsvRejected("", {"is empty"}); }

TEST_F(LossPlotTest, RejectsFileWithoutHeader) {
  expectCsvRejected("\n\n  \n", {"no header"});
  expectCsvRejected("1,0,7.5\n2,0,7.4\n", {"line 1", "expected a header"});
}

TEST_F(LossPlotTest, RejectsMissingStepColumn) {
  expectCsvRejected("epoch,train_loss\n0,7.5\n", {"line 1", "no 'step' column", "epoch,train_loss"});
}

TEST_F(LossPlotTest, RejectsMissingLossColumns) {
  expectCsvRejected("step,lr\n1,0.1\n", {"line 1", "neither a 'train_loss' nor a 'val_loss' column"});
}

TEST_F(LossPlotTest, RejectsRowWithWrongFieldCount) {
  expectCsvRejected("step,train_loss,val_loss\n1,7.5,\n2,7.4\n", {"line 3", "2 fields", "header has 3 columns"});
}

TEST_F(LossPlotTest, RejectsNonNumericFields) {
  expectCsvRejected("step,train_loss\n1,7.5\n2,seven\n", {"line 3", "'train_loss' field 'seven' is not a number"});
  expectCsvRejected("step,train_loss\n\n,7.5\n", {"line 3", "'step' must be a finite number"});
  expectCsvRejected("step,train_loss\nfirst,7.5\n", {"line 2", "'step' must be a finite number, found 'first'"});
}

TEST_F(LossPlotTest, RejectsHeaderWithoutDataRows) {
  expectCsvRejected("step,train_loss,val_loss\n", {"no data rows"});
  expectCsvRejected("step,train_loss,val_loss\n1,,\n2,,\n", {"no finite train_loss or val_loss", "2 rows"});
}

TEST_F(LossPlotTest, RejectsImpossibleImageSize) {
  std::string csvPath = writeCsv("run.csv", decreasingLog(10));
  std::string pngPath = scratch.path("tiny.png");
  plot::LossPlotOptions options;
  options.width = 20;
  expectError([&] { plot::plotTrainingLog(csvPath, pngPath, options); }, pngPath, {"image size 20x540"});
}

} // namespace
} // namespace ptm::test
