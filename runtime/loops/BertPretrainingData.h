// BERT pretraining examples (masked LM + next sentence prediction) made from a
// text corpus the way Google's create_pretraining_data.py (google-research/bert)
// makes them, but streamed: the corpus is never held in memory whole, and the
// examples come one at a time, forever, as HF BertForPreTraining inputs.
//
// Corpus format (Google's): one sentence ("segment") per line, documents
// separated by blank lines. Lines are stripped of ASCII whitespace before they
// are tokenized (Python's str.strip also strips Unicode spaces such as U+00A0;
// a line of only those is a document separator there and a line that
// tokenizes to nothing here). Lines that tokenize to nothing are skipped,
// documents left without a segment are dropped.
//
// What is Google's, exactly (each random draw as Google makes it, in the same
// order, from this project's Random instead of Python's Mersenne Twister):
//  - pairs: max_num_tokens = maxSeqLength - 3; one target length per document
//    and round (max_num_tokens, or with probability shortSeqProb a uniform
//    length in [2, max_num_tokens]); segments accumulate into a chunk until it
//    reaches the target or the document ends; A = the chunk's first a_end
//    segments (a_end uniform in [1, segments - 1] when it has two or more);
//    B is random (always for a one-segment chunk, else with probability 0.5):
//    segments of another document (10 draws to find one that is not this one)
//    from a uniform start, until B reaches target - len(A), and the chunk's
//    unused segments go back to the document; otherwise B = the chunk's rest;
//    the pair is truncated to max_num_tokens by removing one token at a time
//    from the longer side (B on a tie), front or back with probability 0.5.
//    A consequence kept as it is: a random B makes extra pairs of the
//    segments put back, so IsNext is below 50% of the examples when chunks
//    are short (documents of two short segments give 1/3), near 50% for
//    long ones.
//  - masking: candidates are all positions but [CLS] and [SEP] (compared by
//    id, as Google compares the token strings); with whole-word masking a
//    continuing ("##") token joins the group of the candidate before it, even
//    across the middle [SEP] (a B that truncation cut to start with "##"
//    joins A's last word, as in Google); groups shuffled; num_to_predict =
//    min(maxPredictionsPerSeq, max(1, round(tokens * maskedLmProb))) with
//    tokens counting [CLS]/[SEP] and round() ties-to-even like Python 3's;
//    groups are taken in order when they fit in what is left; each chosen
//    position: 80% [MASK], 10% kept, 10% an id uniform over [0, size).
//
// What differs (so that corpora larger than memory work and a run can resume):
//  - Google shuffles all documents, makes instances from every document
//    dupe_factor times, and shuffles all instances. Here the documents of the
//    range are cut, in file order, into blocks of about documentBuffer
//    documents (ceil(count / documentBuffer) blocks of sizes within one of
//    each other). A round visits every block once, in an order shuffled per
//    round; within a block the documents are shuffled, each makes its
//    instances once, the random B documents are drawn from the block (a
//    block of one document pairs it with itself, as Google does with a
//    one-document corpus), and the block's instances are shuffled before
//    they are yielded. A pass over the range is dupeFactor rounds, each with
//    new draws, so the copies of a document are spread over the pass as in
//    Google's output file, not yielded next to each other. Mixing is
//    therefore within blocks and of the block order, not global.
//  - Masking is drawn when an example is yielded, from a seed derived from
//    its position in the run, instead of from the instance generator's
//    stream; the distribution is the same and skipping needs no masking.
//  - Each round reads and tokenizes its blocks again (nothing is cached
//    across rounds): the tokenizer runs dupeFactor times per pass, where
//    Google runs it once.
//
// Randomness: SplitMix64 (Random.h), so a seed gives the same examples on
// every platform. The block order of round r is drawn from
// deriveSeed(seed, 1, r); the documents, pairs and instance order of block b
// in round r from deriveSeed(deriveSeed(seed, 2, r), 3, b); the masking of the
// run's n-th example from deriveSeed(seed, 4, n). Examples are thus a pure
// function of (corpus, range, vocabulary, options, position).
#pragma once

#include "runtime/loops/Random.h"

#include <cstdint>
#include <fstream>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ptm::loops {

// The tokenizer and its special ids, as callbacks so that any tokenizer fits.
struct BertVocabulary {
  int64_t size = 0; // token ids are [0, size); random replacements are drawn from all of them
  int32_t clsId = 0, sepId = 0, maskId = 0, padId = 0;
  // One stripped, non-empty line (a segment) to its ids; may return none.
  std::function<std::vector<int32_t>(std::string_view line)> tokenize;
  // Whether `id` continues the word of the token before it (WordPiece "##"
  // pieces); used by whole-word masking only.
  std::function<bool(int32_t id)> continuesWord;
};

struct BertDataOptions {
  int64_t maxSeqLength = 128; // at least 5 (Google's short target needs max_num_tokens >= 2)
  double shortSeqProb = 0.1;
  double maskedLmProb = 0.15;
  int64_t maxPredictionsPerSeq = 20;
  bool wholeWordMasking = false;
  int64_t dupeFactor = 10; // rounds per pass
  uint64_t seed = 12345;
  // Documents held (tokenized) at once; also the pool random B segments come
  // from. Memory is about this many documents' tokens plus one round of their
  // instances (an instance is at most maxSeqLength ids).
  int64_t documentBuffer = 10000;
};

// How a masked position was filled in.
enum class MaskFill : uint8_t { Mask, Keep, Random };

struct BertPrediction {
  int32_t position;
  MaskFill fill;
};

// One example, padded to maxSeqLength: inputIds = [CLS] A [SEP] B [SEP] pad...
struct BertExample {
  std::vector<int32_t> inputIds;
  std::vector<int32_t> tokenTypeIds;  // 0 for [CLS] A [SEP] and padding, 1 for B [SEP]
  std::vector<int32_t> attentionMask; // 1 for the pair and its specials, 0 for padding
  std::vector<int32_t> labels;        // -100, except the original id at predicted positions
  int32_t nextSentenceLabel = 0;      // HF convention: 0 = B follows A, 1 = B is random
  // For statistics and checks; training needs none of these.
  int32_t lengthA = 0, lengthB = 0;     // after truncation
  int32_t targetLength = 0;             // Google's target_seq_length for the pair
  std::vector<BertPrediction> predictions; // sorted by position
};

// Not thread-safe: one stream per consumer (a data-loading thread, say).
class BertExampleStream {
public:
  // Examples from documents [firstDocument, endDocument) of `path`, counted
  // in file order as countDocuments counts them (before tokenization, so a
  // range means the same documents whatever the tokenizer). Reads the file up
  // to the range's end once here, streamed, to check the text and find where
  // blocks start. Throws ptm::Error naming the file when it is missing, not
  // UTF-8 or has a NUL byte (line and byte offset given), holds no document,
  // or fewer than endDocument, or the range is empty; a plain ptm::Error for
  // bad options or vocabulary.
  BertExampleStream(std::string path, int64_t firstDocument, int64_t endDocument, BertVocabulary vocabulary,
                    BertDataOptions options);

  // The next example of the endless stream. Throws ptm::Error if a whole
  // round of the range yields none (every line tokenized to nothing).
  BertExample next();
  // Advances by `count` examples without building them: after skip(n) on a
  // fresh stream, next() is the n-th example (0-based) of the run. Costs
  // reading and pairing up to there (no masking).
  void skip(int64_t count);

  int64_t position() const { return position_; } // examples yielded or skipped so far
  // Passes over the range begun so far, counted from 0 (dupeFactor rounds each).
  int64_t pass() const { return round_ < 0 ? 0 : round_ / options_.dupeFactor; }
  int64_t documentCount() const { return endDocument_ - firstDocument_; }

  // Documents (runs of non-blank lines) in `path`, read streamed. Throws
  // ptm::Error naming the file as the constructor does.
  static int64_t countDocuments(const std::string &path);

private:
  using Segment = std::vector<int32_t>; // one line's ids
  using Document = std::vector<Segment>;

  // A pair before masking: [CLS] A [SEP] B [SEP].
  struct Instance {
    std::vector<int32_t> tokens;
    int32_t lengthA, lengthB, targetLength;
    bool randomNext;
  };
  // Where a block of documents starts in the file.
  struct BlockStart {
    uint64_t offset;
    int64_t linesBefore; // for messages
    int64_t documents;
  };

  const Instance &nextInstance();
  void loadNextBlock();
  std::vector<Document> readBlock(const BlockStart &block);
  void appendInstances(const std::vector<Document> &documents, size_t documentIndex, Random &random);
  BertExample mask(const Instance &instance, uint64_t seed) const;

  std::string path_;
  int64_t firstDocument_, endDocument_;
  BertVocabulary vocabulary_;
  BertDataOptions options_;
  std::ifstream file_;
  std::vector<BlockStart> blocks_;

  int64_t round_ = -1;
  std::vector<size_t> blockOrder_;
  size_t blocksDone_ = 0; // of this round, in blockOrder_
  int64_t instancesThisRound_ = 0;
  std::vector<Instance> instances_; // the current block's, shuffled
  size_t nextInstance_ = 0;
  int64_t position_ = 0;
};

} // namespace ptm::loops
