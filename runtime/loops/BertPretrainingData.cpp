#include "runtime/loops/BertPretrainingData.h"

#include "runtime/Error.h"
#include "runtime/InputFile.h"
#include "runtime/tokenizers/Utf8.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>

namespace ptm::loops {
namespace {

// The seed streams named in the header.
constexpr uint64_t kBlockOrderStream = 1;
constexpr uint64_t kRoundStream = 2;
constexpr uint64_t kBlockStream = 3;
constexpr uint64_t kMaskStream = 4;

constexpr int32_t kIgnoredLabel = -100; // what HF's cross-entropy skips

// Python's random.randint(low, high): uniform over [low, high].
int64_t uniformBetween(Random &random, int64_t low, int64_t high) {
  return low + static_cast<int64_t>(random.below(static_cast<uint64_t>(high - low + 1)));
}

// Python's random.shuffle: Fisher-Yates from the back.
template <typename T> void shuffleLikePython(std::vector<T> &items, Random &random) {
  for (size_t i = items.size(); i > 1; --i)
    std::swap(items[i - 1], items[random.below(i)]);
}

std::string_view stripAsciiWhitespace(std::string_view text) {
  constexpr std::string_view kWhitespace = " \t\n\r\f\v";
  size_t begin = text.find_first_not_of(kWhitespace);
  if (begin == std::string_view::npos)
    return {};
  return text.substr(begin, text.find_last_not_of(kWhitespace) - begin + 1);
}

std::string hexByte(char byte) {
  std::ostringstream hex;
  hex << std::hex << static_cast<int>(static_cast<unsigned char>(byte));
  return hex.str();
}

// Reads a corpus document by document from a position in the file, keeping
// the byte offset and line number of where it stands (so that blocks can be
// found again with a seek) and, when asked, checking that the text is UTF-8.
class CorpusReader {
public:
  // `linesBefore`: the lines of the file before `offset`, for messages.
  CorpusReader(const std::string &path, std::ifstream &stream, uint64_t offset, int64_t linesBefore, bool checkText)
      : path_(path), stream_(stream), offset_(offset), linesRead_(linesBefore), checkText_(checkText) {}

  // Passes each stripped line of the next document to `onLine`; false when
  // the file ends before another document starts.
  template <typename OnLine> bool readDocument(OnLine &&onLine) {
    bool started = false;
    while (readLine()) {
      std::string_view text = stripAsciiWhitespace(line_);
      if (text.empty()) {
        if (started)
          return true;
        continue;
      }
      started = true;
      onLine(text);
    }
    return started;
  }

  uint64_t offset() const { return offset_; } // of the next unread line
  int64_t linesRead() const { return linesRead_; }

private:
  bool readLine() {
    if (!std::getline(stream_, line_))
      return false;
    uint64_t lineOffset = offset_;
    offset_ += line_.size() + 1;
    ++linesRead_;
    uint64_t markBytes = 0;
    if (lineOffset == 0 && line_.compare(0, 3, "\xef\xbb\xbf") == 0) {
      line_.erase(0, 3);
      markBytes = 3;
    }
    if (checkText_)
      checkText(lineOffset + markBytes);
    return true;
  }

  // `contentOffset`: the file offset of line_[0] (after a byte-order mark).
  void checkText(uint64_t contentOffset) const {
    std::string_view text = line_;
    for (size_t i = 0; i < text.size();) {
      unsigned char byte = static_cast<unsigned char>(text[i]);
      if (byte == 0)
        throw Error(path_, "line " + std::to_string(linesRead_) + ": not a text file: NUL byte at offset " +
                               std::to_string(contentOffset + i));
      if (byte < 0x80) {
        ++i;
        continue;
      }
      Utf8Step step = decodeUtf8(text.substr(i));
      if (step.codePoint == kInvalidCodePoint)
        throw Error(path_, "line " + std::to_string(linesRead_) + ": not UTF-8 text: invalid byte 0x" +
                               hexByte(text[i]) + " at offset " + std::to_string(contentOffset + i));
      i += step.length;
    }
  }

  const std::string &path_;
  std::ifstream &stream_;
  std::string line_;
  uint64_t offset_;
  int64_t linesRead_;
  bool checkText_;
};

void checkOptions(const BertVocabulary &vocabulary, const BertDataOptions &options) {
  auto fail = [](const std::string &problem) { throw Error("BERT pretraining data: " + problem); };
  if (options.maxSeqLength < 5)
    fail("maxSeqLength " + std::to_string(options.maxSeqLength) + " is below 5");
  auto isProbability = [](double p) { return p >= 0.0 && p <= 1.0; };
  if (!isProbability(options.shortSeqProb) || !isProbability(options.maskedLmProb))
    fail("shortSeqProb and maskedLmProb must lie in [0, 1]");
  if (options.maxPredictionsPerSeq < 0)
    fail("maxPredictionsPerSeq is negative");
  if (options.dupeFactor < 1 || options.documentBuffer < 1)
    fail("dupeFactor and documentBuffer must be at least 1");
  if (vocabulary.size <= 0 || vocabulary.size > int64_t{std::numeric_limits<int32_t>::max()} + 1)
    fail("vocabulary size " + std::to_string(vocabulary.size) + " out of range");
  for (int32_t id : {vocabulary.clsId, vocabulary.sepId, vocabulary.maskId, vocabulary.padId})
    if (id < 0 || id >= vocabulary.size)
      fail("special token id " + std::to_string(id) + " outside the vocabulary");
  if (!vocabulary.tokenize)
    fail("no tokenize callback");
  if (options.wholeWordMasking && !vocabulary.continuesWord)
    fail("whole-word masking without a continuesWord callback");
}

} // namespace

int64_t BertExampleStream::countDocuments(const std::string &path) {
  InputFile file = openInputFile(path);
  CorpusReader reader(path, file.stream, 0, 0, /*checkText=*/true);
  int64_t documents = 0;
  while (reader.readDocument([](std::string_view) {}))
    ++documents;
  return documents;
}

BertExampleStream::BertExampleStream(std::string path, int64_t firstDocument, int64_t endDocument,
                                     BertVocabulary vocabulary, BertDataOptions options)
    : path_(std::move(path)), firstDocument_(firstDocument), endDocument_(endDocument),
      vocabulary_(std::move(vocabulary)), options_(options) {
  checkOptions(vocabulary_, options_);
  file_ = std::move(openInputFile(path_).stream);
  if (firstDocument < 0 || endDocument <= firstDocument)
    throw Error(path_, "no documents in the range [" + std::to_string(firstDocument) + ", " +
                           std::to_string(endDocument) + ")");

  // Balanced blocks: block b starts at document b * count / blockCount of the range.
  int64_t count = endDocument - firstDocument;
  int64_t blockCount = (count + options_.documentBuffer - 1) / options_.documentBuffer;
  auto blockBegin = [&](int64_t block) { return block * count / blockCount; };
  CorpusReader reader(path_, file_, 0, 0, /*checkText=*/true);
  for (int64_t document = 0; document < endDocument; ++document) {
    int64_t inRange = document - firstDocument;
    int64_t nextBlock = static_cast<int64_t>(blocks_.size());
    if (inRange >= 0 && nextBlock < blockCount && inRange == blockBegin(nextBlock))
      blocks_.push_back({reader.offset(), reader.linesRead(), blockBegin(nextBlock + 1) - inRange});
    if (!reader.readDocument([](std::string_view) {}))
      throw Error(path_, document == 0 ? std::string("holds no document (every line is blank)")
                                       : "has " + std::to_string(document) + " documents, the range [" +
                                             std::to_string(firstDocument) + ", " + std::to_string(endDocument) +
                                             ") needs more");
  }
}

std::vector<BertExampleStream::Document> BertExampleStream::readBlock(const BlockStart &block) {
  file_.clear();
  file_.seekg(static_cast<std::streamoff>(block.offset));
  CorpusReader reader(path_, file_, block.offset, block.linesBefore, /*checkText=*/false);
  std::vector<Document> documents;
  for (int64_t i = 0; i < block.documents; ++i) {
    Document document;
    bool complete = reader.readDocument([&](std::string_view line) {
      Segment segment = vocabulary_.tokenize(line);
      if (!segment.empty())
        document.push_back(std::move(segment));
    });
    if (!complete)
      throw Error(path_, "changed while being read: a document after line " + std::to_string(reader.linesRead()) +
                             " is gone");
    if (!document.empty())
      documents.push_back(std::move(document));
  }
  return documents;
}

// Google's create_instances_from_document, draw for draw.
void BertExampleStream::appendInstances(const std::vector<Document> &documents, size_t documentIndex,
                                        Random &random) {
  const Document &document = documents[documentIndex];
  const int64_t maxNumTokens = options_.maxSeqLength - 3; // room left by [CLS], [SEP], [SEP]
  int64_t targetLength = maxNumTokens;
  if (random.uniform() < options_.shortSeqProb)
    targetLength = uniformBetween(random, 2, maxNumTokens);

  std::vector<const Segment *> chunk;
  int64_t chunkLength = 0;
  const int64_t segmentCount = static_cast<int64_t>(document.size());
  for (int64_t i = 0; i < segmentCount; ++i) {
    chunk.push_back(&document[static_cast<size_t>(i)]);
    chunkLength += static_cast<int64_t>(document[static_cast<size_t>(i)].size());
    if (i != segmentCount - 1 && chunkLength < targetLength)
      continue;

    const int64_t chunkSize = static_cast<int64_t>(chunk.size());
    int64_t aEnd = chunkSize >= 2 ? uniformBetween(random, 1, chunkSize - 1) : 1;
    Segment a, b;
    for (int64_t j = 0; j < aEnd; ++j)
      a.insert(a.end(), chunk[static_cast<size_t>(j)]->begin(), chunk[static_cast<size_t>(j)]->end());
    bool randomNext = chunkSize == 1 || random.uniform() < 0.5;
    if (randomNext) {
      int64_t targetLengthB = targetLength - static_cast<int64_t>(a.size());
      size_t otherIndex = documentIndex;
      for (int attempt = 0; attempt < 10; ++attempt) {
        otherIndex = static_cast<size_t>(uniformBetween(random, 0, static_cast<int64_t>(documents.size()) - 1));
        if (otherIndex != documentIndex)
          break;
      }
      const Document &other = documents[otherIndex];
      for (size_t j = static_cast<size_t>(uniformBetween(random, 0, static_cast<int64_t>(other.size()) - 1));
           j < other.size(); ++j) {
        b.insert(b.end(), other[j].begin(), other[j].end());
        if (static_cast<int64_t>(b.size()) >= targetLengthB)
          break;
      }
      // The segments after A were not used: they start the next chunk.
      i -= chunkSize - aEnd;
    } else {
      for (int64_t j = aEnd; j < chunkSize; ++j)
        b.insert(b.end(), chunk[static_cast<size_t>(j)]->begin(), chunk[static_cast<size_t>(j)]->end());
    }

    // truncate_seq_pair: windows [aBegin, aStop) and [bBegin, bStop).
    size_t aBegin = 0, aStop = a.size(), bBegin = 0, bStop = b.size();
    while (static_cast<int64_t>((aStop - aBegin) + (bStop - bBegin)) > maxNumTokens) {
      bool fromA = aStop - aBegin > bStop - bBegin;
      bool fromFront = random.uniform() < 0.5;
      if (fromFront)
        ++(fromA ? aBegin : bBegin);
      else
        --(fromA ? aStop : bStop);
    }

    Instance instance;
    instance.tokens.reserve(aStop - aBegin + bStop - bBegin + 3);
    instance.tokens.push_back(vocabulary_.clsId);
    instance.tokens.insert(instance.tokens.end(), a.begin() + static_cast<std::ptrdiff_t>(aBegin),
                           a.begin() + static_cast<std::ptrdiff_t>(aStop));
    instance.tokens.push_back(vocabulary_.sepId);
    instance.tokens.insert(instance.tokens.end(), b.begin() + static_cast<std::ptrdiff_t>(bBegin),
                           b.begin() + static_cast<std::ptrdiff_t>(bStop));
    instance.tokens.push_back(vocabulary_.sepId);
    instance.lengthA = static_cast<int32_t>(aStop - aBegin);
    instance.lengthB = static_cast<int32_t>(bStop - bBegin);
    instance.targetLength = static_cast<int32_t>(targetLength);
    instance.randomNext = randomNext;
    instances_.push_back(std::move(instance));

    chunk.clear();
    chunkLength = 0;
  }
}

void BertExampleStream::loadNextBlock() {
  if (round_ < 0 || blocksDone_ == blockOrder_.size()) {
    if (round_ >= 0 && instancesThisRound_ == 0)
      throw Error(path_, "no line of documents [" + std::to_string(firstDocument_) + ", " +
                             std::to_string(endDocument_) + ") has a token");
    ++round_;
    instancesThisRound_ = 0;
    blocksDone_ = 0;
    blockOrder_.resize(blocks_.size());
    std::iota(blockOrder_.begin(), blockOrder_.end(), size_t{0});
    Random orderRandom(deriveSeed(options_.seed, kBlockOrderStream, static_cast<uint64_t>(round_)));
    shuffleLikePython(blockOrder_, orderRandom);
  }
  size_t block = blockOrder_[blocksDone_++];
  Random random(
      deriveSeed(deriveSeed(options_.seed, kRoundStream, static_cast<uint64_t>(round_)), kBlockStream, block));
  std::vector<Document> documents = readBlock(blocks_[block]);
  shuffleLikePython(documents, random);
  instances_.clear();
  nextInstance_ = 0;
  for (size_t i = 0; i < documents.size(); ++i)
    appendInstances(documents, i, random);
  shuffleLikePython(instances_, random);
  instancesThisRound_ += static_cast<int64_t>(instances_.size());
}

const BertExampleStream::Instance &BertExampleStream::nextInstance() {
  while (nextInstance_ == instances_.size())
    loadNextBlock();
  return instances_[nextInstance_++];
}

BertExample BertExampleStream::next() {
  const Instance &instance = nextInstance();
  BertExample example = mask(instance, deriveSeed(options_.seed, kMaskStream, static_cast<uint64_t>(position_)));
  ++position_;
  return example;
}

void BertExampleStream::skip(int64_t count) {
  while (count > 0) {
    if (nextInstance_ == instances_.size()) {
      loadNextBlock();
      continue;
    }
    int64_t step = std::min(count, static_cast<int64_t>(instances_.size() - nextInstance_));
    nextInstance_ += static_cast<size_t>(step);
    position_ += step;
    count -= step;
  }
}

// Google's create_masked_lm_predictions, draw for draw, plus the HF layout.
BertExample BertExampleStream::mask(const Instance &instance, uint64_t seed) const {
  Random random(seed);
  const std::vector<int32_t> &tokens = instance.tokens;

  // Candidate groups, flat: group g is candidates[groupStarts[g], groupStarts[g + 1]).
  std::vector<int32_t> candidates;
  std::vector<size_t> groupStarts;
  candidates.reserve(tokens.size());
  groupStarts.reserve(tokens.size() + 1);
  for (size_t i = 0; i < tokens.size(); ++i) {
    int32_t id = tokens[i];
    if (id == vocabulary_.clsId || id == vocabulary_.sepId)
      continue;
    if (!(options_.wholeWordMasking && !groupStarts.empty() && vocabulary_.continuesWord(id)))
      groupStarts.push_back(candidates.size());
    candidates.push_back(static_cast<int32_t>(i));
  }
  std::vector<size_t> groupOrder(groupStarts.size());
  std::iota(groupOrder.begin(), groupOrder.end(), size_t{0});
  groupStarts.push_back(candidates.size());
  shuffleLikePython(groupOrder, random);

  const double expected = static_cast<double>(tokens.size()) * options_.maskedLmProb;
  const size_t toPredict = static_cast<size_t>(std::min<int64_t>(
      options_.maxPredictionsPerSeq, std::max<int64_t>(1, static_cast<int64_t>(std::nearbyint(expected)))));

  const size_t length = static_cast<size_t>(options_.maxSeqLength);
  BertExample example;
  example.inputIds.assign(length, vocabulary_.padId);
  example.tokenTypeIds.assign(length, 0);
  example.attentionMask.assign(length, 0);
  example.labels.assign(length, kIgnoredLabel);
  std::copy(tokens.begin(), tokens.end(), example.inputIds.begin());
  std::fill_n(example.tokenTypeIds.begin() + instance.lengthA + 2, instance.lengthB + 1, 1);
  std::fill_n(example.attentionMask.begin(), tokens.size(), 1);
  example.nextSentenceLabel = instance.randomNext ? 1 : 0;
  example.lengthA = instance.lengthA;
  example.lengthB = instance.lengthB;
  example.targetLength = instance.targetLength;

  // Groups partition the candidates, so Google's check that a group's
  // positions are not covered yet never fires and is left out.
  for (size_t group : groupOrder) {
    if (example.predictions.size() >= toPredict)
      break;
    size_t groupSize = groupStarts[group + 1] - groupStarts[group];
    if (example.predictions.size() + groupSize > toPredict)
      continue;
    for (size_t k = groupStarts[group]; k < groupStarts[group + 1]; ++k) {
      int32_t position = candidates[k];
      MaskFill fill = MaskFill::Mask;
      int32_t id = vocabulary_.maskId;
      if (random.uniform() >= 0.8) {
        if (random.uniform() < 0.5) {
          fill = MaskFill::Keep;
          id = tokens[static_cast<size_t>(position)];
        } else {
          fill = MaskFill::Random;
          id = static_cast<int32_t>(random.below(static_cast<uint64_t>(vocabulary_.size)));
        }
      }
      example.inputIds[static_cast<size_t>(position)] = id;
      example.labels[static_cast<size_t>(position)] = tokens[static_cast<size_t>(position)];
      example.predictions.push_back({position, fill});
    }
  }
  std::sort(example.predictions.begin(), example.predictions.end(),
            [](const BertPrediction &x, const BertPrediction &y) { return x.position < y.position; });
  return example;
}

} // namespace ptm::loops
