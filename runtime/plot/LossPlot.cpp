#include "runtime/plot/LossPlot.h"

#include "runtime/Error.h"
#include "runtime/InputFile.h"
#include "runtime/plot/Font.h"
#include "runtime/plot/Png.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string_view>

namespace ptm::plot {

namespace {

std::string_view trimmed(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos)
    return {};
  return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
}

std::vector<std::string_view> splitFields(std::string_view line) {
  std::vector<std::string_view> fields;
  for (size_t start = 0;;) {
    size_t comma = line.find(',', start);
    fields.push_back(trimmed(line.substr(start, comma == std::string_view::npos ? comma : comma - start)));
    if (comma == std::string_view::npos)
      return fields;
    start = comma + 1;
  }
}

// Parses the whole field as a number; strtod also accepts "nan" and "inf",
// which a diverged run writes.
bool parseNumber(std::string_view field, double &value) {
  if (field.empty())
    return false;
  std::string text(field);
  char *end = nullptr;
  errno = 0;
  value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size())
    return false;
  // Out of double's range: strtod saturates to +-inf or flushes to 0, either of
  // which is the right value to plot (skipped, or drawn at 0).
  return errno == 0 || errno == ERANGE;
}

std::string joined(const std::vector<std::string_view> &names) {
  std::string text;
  for (std::string_view name : names)
    text += (text.empty() ? "" : ",") + std::string(name);
  return text;
}

// Reads the next line that is not blank, without its line ending; false at the
// end of the file.
bool nextNonBlankLine(InputFile &file, const std::string &path, std::string &line, size_t &lineNumber) {
  while (std::getline(file.stream, line)) {
    ++lineNumber;
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (!trimmed(line).empty())
      return true;
  }
  if (file.stream.bad())
    throw Error(path, "read failed after line " + std::to_string(lineNumber));
  return false;
}

constexpr size_t kNoColumn = SIZE_MAX;

size_t findColumn(const std::vector<std::string_view> &columns, std::string_view name) {
  auto found = std::find(columns.begin(), columns.end(), name);
  return found == columns.end() ? kNoColumn : static_cast<size_t>(found - columns.begin());
}

} // namespace

TrainingLog readTrainingLog(const std::string &csvPath) {
  InputFile file = openInputFile(csvPath);
  if (file.size == 0)
    throw Error(csvPath, "is empty; expected a CSV header such as 'step,train_loss,val_loss' and data rows");

  std::string header;
  size_t lineNumber = 0;
  if (!nextNonBlankLine(file, csvPath, header, lineNumber))
    throw Error(csvPath, "has no header line, only blank lines");
  std::vector<std::string_view> columns = splitFields(header);
  std::string where = "line " + std::to_string(lineNumber) + ": ";
  if (std::all_of(columns.begin(), columns.end(), [](std::string_view name) {
        double ignored;
        return name.empty() || parseNumber(name, ignored);
      }))
    throw Error(csvPath,
                where + "expected a header of column names such as 'step,train_loss,val_loss', found '" + header + "'");
  size_t stepColumn = findColumn(columns, "step");
  size_t trainColumn = findColumn(columns, "train_loss");
  size_t valColumn = findColumn(columns, "val_loss");
  if (stepColumn == kNoColumn)
    throw Error(csvPath, where + "no 'step' column in the header (columns: " + joined(columns) + ")");
  if (trainColumn == kNoColumn && valColumn == kNoColumn)
    throw Error(csvPath, where + "neither a 'train_loss' nor a 'val_loss' column in the header (columns: " +
                             joined(columns) + ")");

  TrainingLog log;
  log.hasTrainLoss = trainColumn != kNoColumn;
  log.hasValLoss = valColumn != kNoColumn;
  std::string line;
  while (nextNonBlankLine(file, csvPath, line, lineNumber)) {
    where = "line " + std::to_string(lineNumber) + ": ";
    std::vector<std::string_view> fields = splitFields(line);
    if (fields.size() != columns.size())
      throw Error(csvPath, where + std::to_string(fields.size()) + " fields, but the header has " +
                               std::to_string(columns.size()) + " columns");
    ++log.rows;
    double step;
    if (!parseNumber(fields[stepColumn], step) || !std::isfinite(step))
      throw Error(csvPath, where + "'step' must be a finite number, found '" + std::string(fields[stepColumn]) + "'");
    auto readLoss = [&](size_t column, std::vector<LossPoint> &points) {
      if (column == kNoColumn || fields[column].empty())
        return;
      double loss;
      if (!parseNumber(fields[column], loss))
        throw Error(csvPath, where + "'" + std::string(columns[column]) + "' field '" + std::string(fields[column]) +
                                 "' is not a number");
      if (std::isfinite(loss))
        points.push_back({step, loss});
      else
        ++log.nonFiniteLosses;
    };
    readLoss(trainColumn, log.train);
    readLoss(valColumn, log.validation);
  }
  if (log.rows == 0)
    throw Error(csvPath, "has a header but no data rows");
  if (log.train.empty() && log.validation.empty())
    throw Error(csvPath, "no finite train_loss or val_loss value in " + std::to_string(log.rows) + " rows");
  return log;
}

std::vector<double> niceTicks(double low, double high, int targetCount) {
  if (!(high > low) || !std::isfinite(low) || !std::isfinite(high))
    return {low};
  constexpr std::array<double, 3> kMantissas = {1, 2, 5};
  double rawSpacing = (high - low) / std::max(1, targetCount);
  int exponent = static_cast<int>(std::floor(std::log10(rawSpacing)));
  int mantissa = 0;
  // The smallest 1-2-5 spacing at least the raw one...
  while (kMantissas[mantissa] * std::pow(10.0, exponent) < rawSpacing) {
    if (++mantissa == static_cast<int>(kMantissas.size())) {
      mantissa = 0;
      ++exponent;
    }
  }
  // ...made finer until at least two ticks fall inside the range.
  for (;;) {
    double spacing = kMantissas[mantissa] * std::pow(10.0, exponent);
    // The tolerance keeps ticks that sit on the range's ends despite rounding.
    double first = std::ceil(low / spacing - 1e-9), last = std::floor(high / spacing + 1e-9);
    if (last - first >= 1) {
      std::vector<double> ticks;
      for (double k = first; k <= last; ++k)
        ticks.push_back(k * spacing);
      return ticks;
    }
    if (--mantissa < 0) {
      mantissa = static_cast<int>(kMantissas.size()) - 1;
      --exponent;
    }
  }
}

namespace {

const Rgb kBackground{255, 255, 255};
const Rgb kFrame{60, 60, 60};
const Rgb kGrid{226, 226, 226};
const Rgb kText{20, 20, 20};
const Rgb kNote{110, 110, 110};
const Rgb kTrainColour{31, 119, 180};
const Rgb kValColour{255, 127, 14};

constexpr int kMinWidth = 240, kMinHeight = 160, kMaxSide = 16384;

// Pixel rectangle [left, right) x [top, bottom).
struct Rect {
  int left, top, right, bottom;
  bool contains(int x, int y) const { return x >= left && x < right && y >= top && y < bottom; }
};

void fillRect(Image &image, const Rect &rect, Rgb colour) {
  for (int y = rect.top; y < rect.bottom; ++y)
    for (int x = rect.left; x < rect.right; ++x)
      image.setPixel(x, y, colour);
}

// Draws thick lines and dots, clipped to the plot area so that nothing spills
// over the frame.
class Pen {
public:
  Pen(Image &image, const Rect &clip, Rgb colour, int thickness)
      : image_(image), clip_(clip), colour_(colour), thickness_(thickness) {}

  void dab(int x, int y) {
    int start = -(thickness_ / 2);
    for (int dy = start; dy < start + thickness_; ++dy)
      for (int dx = start; dx < start + thickness_; ++dx)
        if (clip_.contains(x + dx, y + dy))
          image_.setPixel(x + dx, y + dy, colour_);
  }

  // Bresenham's line, with a square brush of the pen's thickness at every step.
  void line(int x0, int y0, int x1, int y1) {
    int dx = std::abs(x1 - x0), dy = -std::abs(y1 - y0);
    int stepX = x0 < x1 ? 1 : -1, stepY = y0 < y1 ? 1 : -1;
    int error = dx + dy;
    for (;;) {
      dab(x0, y0);
      if (x0 == x1 && y0 == y1)
        return;
      int doubled = 2 * error;
      if (doubled >= dy) {
        error += dy;
        x0 += stepX;
      }
      if (doubled <= dx) {
        error += dx;
        y0 += stepY;
      }
    }
  }

  void disc(int centreX, int centreY, int radius) {
    for (int dy = -radius; dy <= radius; ++dy)
      for (int dx = -radius; dx <= radius; ++dx)
        if (dx * dx + dy * dy <= radius * radius + radius && clip_.contains(centreX + dx, centreY + dy))
          image_.setPixel(centreX + dx, centreY + dy, colour_);
  }

private:
  Image &image_;
  Rect clip_;
  Rgb colour_;
  int thickness_;
};

// A tick's label with as many decimals as the tick spacing needs.
std::string formatTick(double value, double spacing) {
  if (value == 0)
    return "0"; // not "-0"
  char text[32];
  double magnitude = std::fabs(value);
  if (magnitude >= 1e7 || magnitude < 1e-4) {
    std::snprintf(text, sizeof text, "%g", value);
    return text;
  }
  int decimals = spacing >= 1 ? 0 : std::min(10, static_cast<int>(std::ceil(-std::log10(spacing) - 1e-9)));
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

struct Tick {
  double value;
  std::string label;
};

std::vector<Tick> linearTicks(double low, double high, int targetCount) {
  std::vector<double> values = niceTicks(low, high, targetCount);
  double spacing = values.size() > 1 ? values[1] - values[0] : 1;
  std::vector<Tick> ticks;
  for (double value : values)
    ticks.push_back({value, formatTick(value, spacing)});
  return ticks;
}

// Ticks for a log axis over the values [low, high] (> 0). Under one decade,
// linear 1-2-5 ticks label it best; over more, 1-2-5 times powers of ten, or
// just (every n-th) power of ten when those would crowd the axis.
std::vector<Tick> logarithmicTicks(double low, double high, int targetCount) {
  if (high / low < 10)
    return linearTicks(low, high, targetCount);
  int firstExponent = static_cast<int>(std::floor(std::log10(low)));
  int lastExponent = static_cast<int>(std::ceil(std::log10(high)));
  auto ticksWith = [&](std::vector<double> mantissas, int exponentStride) {
    std::vector<Tick> ticks;
    for (int exponent = firstExponent; exponent <= lastExponent; ++exponent) {
      if ((exponent - firstExponent) % exponentStride != 0)
        continue;
      for (double mantissa : mantissas) {
        double value = mantissa * std::pow(10.0, exponent);
        if (value >= low * (1 - 1e-9) && value <= high * (1 + 1e-9)) {
          char text[32];
          std::snprintf(text, sizeof text, "%g", value);
          ticks.push_back({value, text});
        }
      }
    }
    return ticks;
  };
  std::vector<Tick> ticks = ticksWith({1, 2, 5}, 1);
  for (int stride = 1; ticks.size() > static_cast<size_t>(std::max(2, targetCount)); ++stride)
    ticks = ticksWith({1}, stride);
  return ticks;
}

// Maps data values to pixels along one axis, in log10 space for a log axis.
struct Axis {
  double low, high; // in the axis' own space (log10 of the value for a log axis)
  bool logarithmic;
  int pixelAtLow, pixelAtHigh;

  double position(double value) const { return logarithmic ? std::log10(value) : value; }
  int pixel(double value) const {
    double fraction = (position(value) - low) / (high - low);
    return static_cast<int>(std::lround(pixelAtLow + fraction * (pixelAtHigh - pixelAtLow)));
  }
};

// [low, high] widened by `margin` of its span on each side, or by `emptyPad`
// when the span is empty (one row, a constant loss).
std::pair<double, double> paddedRange(double low, double high, double margin, double emptyPad) {
  double pad = high > low ? (high - low) * margin : emptyPad;
  return {low - pad, high + pad};
}

struct Series {
  std::string name;
  Rgb colour;
  bool dots;
  std::vector<LossPoint> points;
};

} // namespace

void plotTrainingLog(const std::string &csvPath, const std::string &pngPath, const LossPlotOptions &options) {
  if (options.width < kMinWidth || options.height < kMinHeight || options.width > kMaxSide || options.height > kMaxSide)
    throw Error(pngPath, "image size " + std::to_string(options.width) + "x" + std::to_string(options.height) +
                             " is outside " + std::to_string(kMinWidth) + "x" + std::to_string(kMinHeight) + " .. " +
                             std::to_string(kMaxSide) + "x" + std::to_string(kMaxSide));
  TrainingLog log = readTrainingLog(csvPath);

  size_t notPositive = 0;
  std::vector<Series> series;
  auto addSeries = [&](const char *name, Rgb colour, bool dots, const std::vector<LossPoint> &points) {
    Series entry{name, colour, dots, {}};
    for (const LossPoint &point : points) {
      if (options.logScale && point.loss <= 0)
        ++notPositive;
      else
        entry.points.push_back(point);
    }
    if (!entry.points.empty())
      series.push_back(std::move(entry));
  };
  addSeries("train_loss", kTrainColour, false, log.train);
  addSeries("val_loss", kValColour, true, log.validation);
  if (series.empty())
    throw Error(csvPath, "no loss above 0, so nothing to show on a log scale");

  double minStep = INFINITY, maxStep = -INFINITY, minLoss = INFINITY, maxLoss = -INFINITY;
  for (const Series &entry : series)
    for (const LossPoint &point : entry.points) {
      minStep = std::min(minStep, point.step);
      maxStep = std::max(maxStep, point.step);
      minLoss = std::min(minLoss, point.loss);
      maxLoss = std::max(maxLoss, point.loss);
    }

  // Text and strokes grow with the image so that a large chart stays readable:
  // scale 2 (10x16 pixel glyph cells) at the default 960x540.
  int scale = std::clamp(std::min(options.width / 480, options.height / 270), 1, 4);
  int titleScale = scale + 1;
  int textH = textHeight(scale);
  int margin = 8 * scale, gap = 4 * scale, tickLength = 4 * scale;

  Image image(options.width, options.height, kBackground);
  Rect plot;
  plot.top = margin + textHeight(titleScale) + 2 * gap;
  plot.bottom = options.height - (margin + textH + gap + textH + gap + tickLength);
  plot.right = options.width - 3 * margin;

  auto [lossLow, lossHigh] = options.logScale
                                 ? paddedRange(std::log10(minLoss), std::log10(maxLoss), 0.05, 0.05)
                                 : paddedRange(minLoss, maxLoss, 0.05, minLoss == 0 ? 1 : std::fabs(minLoss) * 0.05);
  Axis lossAxis{lossLow, lossHigh, options.logScale, plot.bottom - 1, plot.top};
  int lossTickTarget = std::max(2, (plot.bottom - plot.top) / (textH * 4));
  std::vector<Tick> lossTicks =
      options.logScale ? logarithmicTicks(std::pow(10.0, lossLow), std::pow(10.0, lossHigh), lossTickTarget)
                       : linearTicks(lossLow, lossHigh, lossTickTarget);
  int labelWidth = 0;
  for (const Tick &tick : lossTicks)
    labelWidth = std::max(labelWidth, textWidth(tick.label, scale));
  plot.left = margin + textH + 2 * gap + labelWidth + gap + tickLength;

  auto [stepLow, stepHigh] = paddedRange(minStep, maxStep, 0.02, 1);
  Axis stepAxis{stepLow, stepHigh, false, plot.left, plot.right - 1};
  // Room for the longest label the range can produce plus a few digits of gap,
  // and no more ticks than whole steps: steps are counted, so a tick at 0.5 is
  // noise.
  size_t stepDigits = std::max(formatTick(stepLow, 1).size(), formatTick(stepHigh, 1).size()) + 4;
  int stepTickTarget = (plot.right - plot.left) / textWidth(std::string(stepDigits, '0'), scale);
  stepTickTarget = static_cast<int>(std::min<double>(stepTickTarget, stepHigh - stepLow));
  std::vector<Tick> stepTicks = linearTicks(stepLow, stepHigh, std::max(1, stepTickTarget));

  // Grid, then frame, ticks and their labels.
  for (const Tick &tick : lossTicks) {
    int y = lossAxis.pixel(tick.value);
    fillRect(image, {plot.left, y, plot.right, y + 1}, kGrid);
    fillRect(image, {plot.left - tickLength, y, plot.left, y + 1}, kFrame);
    drawText(image, plot.left - tickLength - gap - textWidth(tick.label, scale), y - textH / 2, tick.label, kText,
             scale);
  }
  for (const Tick &tick : stepTicks) {
    int x = stepAxis.pixel(tick.value);
    fillRect(image, {x, plot.top, x + 1, plot.bottom}, kGrid);
    fillRect(image, {x, plot.bottom, x + 1, plot.bottom + tickLength}, kFrame);
    drawText(image, x - textWidth(tick.label, scale) / 2, plot.bottom + tickLength + gap, tick.label, kText, scale);
  }
  fillRect(image, {plot.left - 1, plot.top - 1, plot.right + 1, plot.top}, kFrame);
  fillRect(image, {plot.left - 1, plot.bottom, plot.right + 1, plot.bottom + 1}, kFrame);
  fillRect(image, {plot.left - 1, plot.top, plot.left, plot.bottom}, kFrame);
  fillRect(image, {plot.right, plot.top, plot.right + 1, plot.bottom}, kFrame);

  // The curves, inside the frame.
  int thickness = std::max(2, scale);
  for (const Series &entry : series) {
    Pen pen(image, plot, entry.colour, thickness);
    int previousX = stepAxis.pixel(entry.points[0].step), previousY = lossAxis.pixel(entry.points[0].loss);
    for (const LossPoint &point : entry.points) {
      int x = stepAxis.pixel(point.step), y = lossAxis.pixel(point.loss);
      pen.line(previousX, previousY, x, y);
      previousX = x;
      previousY = y;
    }
    // A lone point would be a speck without a dot.
    if (entry.dots || entry.points.size() == 1)
      for (const LossPoint &point : entry.points)
        pen.disc(stepAxis.pixel(point.step), lossAxis.pixel(point.loss), thickness + scale);
  }

  // The legend, with a note on skipped points, in the plot corner that hides the
  // fewest points (top right first: where a falling loss leaves room).
  std::vector<std::string> notes;
  if (log.nonFiniteLosses > 0)
    notes.push_back(std::to_string(log.nonFiniteLosses) + " nan/inf skipped");
  if (notPositive > 0)
    notes.push_back(std::to_string(notPositive) + " <= 0 skipped");
  int swatchLength = 8 * textH / 3, rowHeight = textH + gap;
  int legendWidth = 0;
  for (const Series &entry : series)
    legendWidth = std::max(legendWidth, swatchLength + gap + textWidth(entry.name, scale));
  for (const std::string &note : notes)
    legendWidth = std::max(legendWidth, textWidth(note, scale));
  legendWidth += 2 * gap;
  int legendHeight = static_cast<int>(series.size() + notes.size()) * rowHeight + gap;
  std::array<Rect, 4> corners = {
      Rect{plot.right - margin - legendWidth, plot.top + margin, plot.right - margin, plot.top + margin + legendHeight},
      Rect{plot.left + margin, plot.top + margin, plot.left + margin + legendWidth, plot.top + margin + legendHeight},
      Rect{plot.left + margin, plot.bottom - margin - legendHeight, plot.left + margin + legendWidth,
           plot.bottom - margin},
      Rect{plot.right - margin - legendWidth, plot.bottom - margin - legendHeight, plot.right - margin,
           plot.bottom - margin}};
  Rect legend = corners[0];
  size_t fewestHidden = SIZE_MAX;
  for (const Rect &corner : corners) {
    size_t hidden = 0;
    for (const Series &entry : series)
      for (const LossPoint &point : entry.points)
        hidden += corner.contains(stepAxis.pixel(point.step), lossAxis.pixel(point.loss));
    if (hidden < fewestHidden) {
      fewestHidden = hidden;
      legend = corner;
    }
  }
  fillRect(image, legend, kBackground);
  fillRect(image, {legend.left, legend.top, legend.right, legend.top + 1}, kFrame);
  fillRect(image, {legend.left, legend.bottom - 1, legend.right, legend.bottom}, kFrame);
  fillRect(image, {legend.left, legend.top, legend.left + 1, legend.bottom}, kFrame);
  fillRect(image, {legend.right - 1, legend.top, legend.right, legend.bottom}, kFrame);
  int rowTop = legend.top + gap;
  for (const Series &entry : series) {
    Pen pen(image, legend, entry.colour, thickness);
    int middle = rowTop + textH / 2;
    pen.line(legend.left + gap, middle, legend.left + gap + swatchLength, middle);
    if (entry.dots)
      pen.disc(legend.left + gap + swatchLength / 2, middle, thickness + scale);
    drawText(image, legend.left + 2 * gap + swatchLength, rowTop, entry.name, kText, scale);
    rowTop += rowHeight;
  }
  for (const std::string &note : notes) {
    drawText(image, legend.left + gap, rowTop, note, kNote, scale);
    rowTop += rowHeight;
  }

  // Axis labels and the title.
  drawText(image, (plot.left + plot.right - textWidth("step", scale)) / 2, options.height - margin - textH, "step",
           kText, scale);
  std::string lossLabel = options.logScale ? "loss (log scale)" : "loss";
  drawTextUpwards(image, margin, (plot.top + plot.bottom - textWidth(lossLabel, scale)) / 2, lossLabel, kText, scale);
  std::string title = options.title.empty() ? std::filesystem::path(csvPath).filename().string() : options.title;
  int titleWidth = textWidth(title, titleScale);
  drawText(image, std::max(margin, (options.width - titleWidth) / 2), margin, title, kText, titleScale);

  writePng(pngPath, image);
}

} // namespace ptm::plot
