// ByteLevelBpe::train: BPE over the distinct pre-tokens of the text, each with
// its frequency, merged by PairMerges.
#include "runtime/tokenizers/ByteLevelBpe.h"

#include "runtime/Error.h"
#include "runtime/tokenizers/Gpt2Pretokenizer.h"
#include "runtime/tokenizers/PairMerges.h"
#include "runtime/tokenizers/Utf8.h"

#include <algorithm>
#include <limits>
#include <unordered_set>

namespace ptm {

namespace {

constexpr const char *kTrainingOrigin = "BPE training";


void checkSpecialTokens(const std::vector<std::string> &specialTokens) {
  std::unordered_set<std::string> seen;
  for (const std::string &token : specialTokens) {
    if (token.empty())
      throw Error(kTrainingOrigin, "a special token is empty");
    if (replaceInvalidUtf8(token) != token)
      throw Error(kTrainingOrigin, "special token '" + replaceInvalidUtf8(token) + "' is not valid UTF-8");
    if (!seen.insert(token).second)
      throw Error(kTrainingOrigin, "special token '" + token + "' is given twice");
  }
}

} // namespace

ByteLevelBpe ByteLevelBpe::train(std::string_view text, int64_t vocabSize,
                                 const std::vector<std::string> &specialTokens, const TrainingProgress &progress) {
  checkSpecialTokens(specialTokens);
  const int64_t specialCount = static_cast<int64_t>(specialTokens.size());
  if (vocabSize > std::numeric_limits<int32_t>::max())
    throw Error(kTrainingOrigin, "a vocabulary of " + std::to_string(vocabSize) + " tokens needs ids beyond 32 bits");
  if (vocabSize < 256 + specialCount)
    throw Error(kTrainingOrigin, "a vocabulary of " + std::to_string(vocabSize) +
                                     " tokens cannot hold the 256 byte tokens and " + std::to_string(specialCount) +
                                     " special tokens");
  const int64_t learnedWanted = vocabSize - specialCount;

  std::unordered_map<std::string_view, int64_t> frequencies;
  for (const TextSegment &segment : splitAtSpecialTokens(text, specialTokens))
    if (segment.specialIndex == kOrdinaryText)
      for (std::string_view piece : gpt2Pretokens(segment.text))
        ++frequencies[piece];
  std::vector<PairMerges::Word> words;
  words.reserve(frequencies.size());
  for (const auto &[piece, frequency] : frequencies) {
    PairMerges::Word word{{}, frequency};
    for (char byte : piece)
      word.symbols.push_back(static_cast<uint8_t>(byte));
    words.push_back(std::move(word));
  }

  std::vector<std::string> tokenBytes; // by id
  std::unordered_map<std::string, int32_t> idsByBytes;
  for (int byte = 0; byte < 256; ++byte) {
    tokenBytes.emplace_back(1, static_cast<char>(byte));
    idsByBytes.emplace(tokenBytes.back(), byte);
  }

  PairMerges pairs(std::move(words));

  std::vector<std::pair<int32_t, int32_t>> merges;
  // A pair merged before can form again once a later merge recreates one of
  // its tokens by another route (a+bc after ab+c). It is merged again, as
  // encoding would, but listed once.
  std::unordered_set<uint64_t> mergedPairs;
  while (static_cast<int64_t>(tokenBytes.size()) < learnedWanted) {
    std::optional<std::pair<int32_t, int32_t>> pair = pairs.takeMostFrequentPair();
    if (!pair)
      break;
    const auto [left, right] = *pair;
    std::string bytes = tokenBytes[left] + tokenBytes[right];
    auto [found, isNew] = idsByBytes.emplace(bytes, static_cast<int32_t>(tokenBytes.size()));
    const int32_t merged = found->second;
    if (isNew)
      tokenBytes.push_back(std::move(bytes));
    if (mergedPairs.insert(ByteLevelBpe::pairKey(left, right)).second)
      merges.emplace_back(left, right);
    pairs.merge(left, right, merged);

    if (progress && isNew)
      progress(static_cast<int64_t>(tokenBytes.size()) + specialCount, vocabSize);
  }

  // Spell the result the way vocabulary files do, and let the constructor
  // check it like a loaded one.
  std::vector<std::string> tokens;
  for (const std::string &bytes : tokenBytes) {
    std::string spelled;
    for (char byte : bytes)
      spelled += spelledByte(static_cast<uint8_t>(byte));
    tokens.push_back(std::move(spelled));
  }
  tokens.insert(tokens.end(), specialTokens.begin(), specialTokens.end());
  std::vector<std::pair<std::string, std::string>> spelledMerges;
  std::vector<int64_t> mergeNumbers;
  for (const auto &[left, right] : merges) {
    spelledMerges.emplace_back(tokens[left], tokens[right]);
    mergeNumbers.push_back(static_cast<int64_t>(mergeNumbers.size()) + 1);
  }
  return ByteLevelBpe(std::move(tokens), spelledMerges, mergeNumbers, kTrainingOrigin, kTrainingOrigin);
}

} // namespace ptm
