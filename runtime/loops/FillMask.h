// Masked-token prediction with a BERT artifact, as Hugging Face's fill-mask
// pipeline (transformers 4.36) answers it: the text is encoded as
// [CLS] text [SEP], the `forward` entry runs once, and each [MASK] position
// gets the most probable tokens of a softmax over the vocabulary, each with
// the text it fills in.
#pragma once

#include "runtime/Session.h"
#include "runtime/tokenizers/WordPiece.h"

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace ptm::loops {

// The encoded text, checked against the artifact's forward entry.
struct FillMaskQuery {
  std::vector<int32_t> ids;           // [CLS] text [SEP], unpadded
  std::vector<int64_t> maskPositions; // indices of [MASK] in ids, ascending
  std::string logitsName;             // the entry's output: prediction_logits or logits
};

// Encodes `text` for the forward entry of `artifact`. Throws ptm::Error (naming
// the artifact, or --text for the text) when the artifact is not a BERT model
// (a GPT-2 one sees no [MASK]), when it has no forward entry
// with an input_ids input and a prediction_logits or logits output, when its
// logits do not cover exactly the tokenizer's vocabulary, when the text holds
// no [MASK], or when it does not fit the entry's sequence length.
FillMaskQuery prepareFillMask(const ArtifactReader &artifact, const WordPiece &tokenizer, std::string_view text);

struct FillMaskCandidate {
  int32_t tokenId;
  std::string token;    // the pipeline's token_str
  double probability;   // softmax over the vocabulary, in double
  std::string sequence; // the pipeline's "sequence": the text with the token filled in
};

struct MaskPrediction {
  int64_t position;                          // in [CLS] text [SEP]
  std::vector<FillMaskCandidate> candidates; // most probable first
};

// Runs the forward entry of `session` (weights bound) on the query, padded
// with [PAD] and attention_mask 0 to the entry's sequence length (row 0 of a
// larger batch; the other rows are all padding), and returns the `topK` most
// probable tokens of each mask (fewer when the vocabulary is smaller).
// Sequences are decoded as the pipeline decodes them: [PAD] left out, all
// special tokens left out too where the text has one mask only (the other
// masks would vanish otherwise), tokens joined with spaces, "##"
// continuations glued on, and clean_up_tokenization's rules (" ." -> ".",
// " n't" -> "n't", ...). Chinese characters thus come out space-separated.
std::vector<MaskPrediction> fillMask(Session &session, const WordPiece &tokenizer, const FillMaskQuery &query,
                                     int topK);

// Prints each mask as
//   [MASK] 1 of 2 (position 7):
//     1. 首  0.8123  巴 黎 是 法 國 的 首 都 。
// with the tokens padded to a common length (in code points).
void printMaskPredictions(std::ostream &out, const std::vector<MaskPrediction> &predictions);

} // namespace ptm::loops
