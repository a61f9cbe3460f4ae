// Log-likelihoods of token sequences under a causal language model (GPT-2),
// as lm-evaluation-harness measures them: the log-probability of each scored
// token given every token before it, summed, with the log-softmax of the
// logits taken here in double precision.
//
// A sequence longer than the artifact's sequence length T is scored in
// windows of at most T tokens (see scoreWindows), so that every token is
// scored exactly once; windows of many sequences are packed into the
// artifact's batch rows, padded on the right with attention_mask 0.
#pragma once

#include "runtime/Session.h"
#include "runtime/tokenizers/ByteLevelBpe.h"

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace ptm::loops {

// Tokens to score given the tokens before them.
struct ScoreRequest {
  std::vector<int32_t> context;      // not scored; at least one token
  std::vector<int32_t> continuation; // scored
};

struct ScoreResult {
  double logLikelihood = 0; // nats, summed over the continuation
  int64_t tokens = 0;       // continuation tokens
};

// A slice [start, end) of a sequence run as one batch row; it scores the
// tokens [scoredFrom, end), each from the logits one position before it.
struct ScoreWindow {
  int64_t start;
  int64_t scoredFrom;
  int64_t end;
};

// The windows that score the tokens [firstScored, length) of a sequence with
// at most `sequenceLength` (T) tokens per window. The first window ends at
// max(T, firstScored + T/2) (or the sequence's end) and starts T tokens
// before that (or at 0); each further window ends T/2 tokens after the
// previous one and scores the tokens it adds, so each token is scored once,
// with at least T/2 tokens of context after the first window. When only a
// continuation is scored this keeps as much of its context as fits, which is
// lm-evaluation-harness's left truncation. Needs 1 <= firstScored and T >= 2.
std::vector<ScoreWindow> scoreWindows(int64_t length, int64_t firstScored, int64_t sequenceLength);

// The end-of-text token that GPT-2 puts before a text: the bos_token (else
// eos_token) of DIRECTORY/tokenizer_config.json or special_tokens_map.json
// when one of them names it, else "<|endoftext|>". Throws ptm::Error naming
// the directory when the tokenizer has no such token, or the file at fault
// when one is not valid JSON.
int32_t endOfTextId(const ByteLevelBpe &tokenizer, const std::string &directory);

// A whole text, scored after the end-of-text token so that its first token is
// scored too, as lm-evaluation-harness's loglikelihood_rolling does.
ScoreRequest textRequest(const ByteLevelBpe &tokenizer, int32_t endOfText, std::string_view text);

// A continuation given its context, encoded as GPT-3 and lm-evaluation-harness
// do: trailing (ASCII) whitespace of the context moves to the continuation, then
// each is encoded on its own and the ids are concatenated. An empty context
// becomes the end-of-text token.
ScoreRequest continuationRequest(const ByteLevelBpe &tokenizer, int32_t endOfText, std::string_view context,
                                 std::string_view continuation);

// Prints one tab-separated line per text: log-likelihood (nats, 6 decimals),
// scored tokens, perplexity exp(-log-likelihood / tokens) and the text; then
// "# total: N texts, M tokens, log-likelihood L, perplexity P", P being the
// perplexity of all tokens together.
void printScores(std::ostream &out, const std::vector<std::string> &texts, const std::vector<ScoreResult> &results);

class CausalLmScorer {
public:
  // Checks the forward entry of the session's artifact: input_ids [B, T]
  // (T >= 2), an optional attention_mask, and logits [B, T, vocabSize] in f32
  // or f64. Throws ptm::Error naming the artifact otherwise. `padId` fills the
  // unused positions of a row.
  CausalLmScorer(Session &session, int64_t vocabSize, int32_t padId);

  int64_t batchSize() const { return batch_; }
  int64_t sequenceLength() const { return seqLen_; }

  // Scores every request (the session's weights bound), B windows per call.
  // Throws ptm::Error on a request without context or with an id outside the
  // vocabulary.
  std::vector<ScoreResult> score(const std::vector<ScoreRequest> &requests);

private:
  Session &session_;
  int64_t batch_ = 0;
  int64_t seqLen_ = 0;
  int64_t vocabSize_ = 0;
  int32_t padId_ = 0;
  bool hasAttentionMask_ = false;
};

} // namespace ptm::loops
