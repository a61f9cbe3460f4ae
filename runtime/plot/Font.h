// A built-in bitmap font for chart labels (ASCII 32..126, 5x7 dots plus a row
// for descenders), so that drawing text needs no font files or libraries. Each
// dot is drawn as a scale x scale square; glyphs are followed by one dot of
// spacing.
#pragma once

#include "runtime/plot/Png.h"

#include <string>

namespace ptm::plot {

int textWidth(const std::string &text, int scale);
int textHeight(int scale);

// Draws `text` left to right with the top-left corner of its box at (x, y).
// Characters outside ASCII 32..126 are drawn as '?'.
void drawText(Image &image, int x, int y, const std::string &text, Rgb colour, int scale);

// Draws `text` turned a quarter anticlockwise, reading bottom to top (a y axis
// label); its box, textHeight wide and textWidth tall, has its top-left at (x, y).
void drawTextUpwards(Image &image, int x, int y, const std::string &text, Rgb colour, int scale);

} // namespace ptm::plot
