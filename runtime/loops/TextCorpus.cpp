#include "runtime/loops/TextCorpus.h"

#include "runtime/Error.h"
#include "runtime/InputFile.h"
#include "runtime/loops/Random.h"
#include "runtime/tokenizers/Utf8.h"

#include <algorithm>
#include <numeric>
#include <sstream>

namespace ptm::loops {
namespace {

// The offset of the first byte that breaks UTF-8, or npos.
size_t firstInvalidUtf8(std::string_view text) {
  for (size_t offset = 0; offset < text.size();) {
    Utf8Step step = decodeUtf8(text.substr(offset));
    if (step.codePoint == kInvalidCodePoint)
      return offset;
    offset += step.length;
  }
  return std::string_view::npos;
}

} // namespace

std::string readTextCorpus(const std::string &path) {
  InputFile file = openInputFile(path);
  std::string text(file.size, '\0');
  if (!file.stream.read(text.data(), static_cast<std::streamsize>(text.size())))
    throw Error(path, "cannot read the file");
  // Offsets in messages are the file's (as a hex dump shows them), so they
  // count the byte-order mark that is dropped here.
  size_t markBytes = text.compare(0, 3, "\xef\xbb\xbf") == 0 ? 3 : 0;
  text.erase(0, markBytes);
  if (text.find_first_not_of(" \t\r\n\f\v") == std::string::npos)
    throw Error(path, text.empty() ? "the file is empty" : "the file holds only whitespace");
  if (size_t nul = text.find('\0'); nul != std::string::npos)
    throw Error(path, "not a text file: NUL byte at offset " + std::to_string(markBytes + nul));
  if (size_t invalid = firstInvalidUtf8(text); invalid != std::string_view::npos)
    throw Error(path, "not UTF-8 text: invalid byte 0x" +
                          [&] {
                            std::ostringstream hex;
                            hex << std::hex << static_cast<int>(static_cast<unsigned char>(text[invalid]));
                            return hex.str();
                          }() +
                          " at offset " + std::to_string(markBytes + invalid));
  return text;
}

CorpusSplit splitCorpus(std::string_view text, double validationFraction) {
  size_t cut = static_cast<size_t>(static_cast<double>(text.size()) * (1.0 - validationFraction));
  if (cut >= text.size())
    return {text, {}};
  size_t newline = text.rfind('\n', cut);
  if (newline != std::string_view::npos) {
    cut = newline + 1;
  } else {
    // No line boundary before the cut: at least do not split a UTF-8 character.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80)
      --cut;
  }
  return {text.substr(0, cut), text.substr(cut)};
}

TokenWindows::TokenWindows(std::vector<int32_t> tokens, int64_t length)
    : tokens_(std::move(tokens)), length_(length), count_(static_cast<int64_t>(tokens_.size()) / length) {
  tokens_.resize(static_cast<size_t>(count_ * length_));
}

ShuffledOrder::ShuffledOrder(int64_t windowCount, uint64_t seed) : windowCount_(windowCount), seed_(seed) {
  if (windowCount <= 0)
    throw Error("internal: a shuffled order over no windows");
}

int64_t ShuffledOrder::window(int64_t sample) {
  int64_t epoch = epochOf(sample);
  if (epoch != epoch_) {
    permutation_.resize(static_cast<size_t>(windowCount_));
    std::iota(permutation_.begin(), permutation_.end(), 0);
    Random random(deriveSeed(seed_, /*stream=*/1, static_cast<uint64_t>(epoch)));
    for (size_t i = permutation_.size(); i > 1; --i)
      std::swap(permutation_[i - 1], permutation_[random.below(i)]);
    epoch_ = epoch;
  }
  return permutation_[static_cast<size_t>(sample % windowCount_)];
}

} // namespace ptm::loops
