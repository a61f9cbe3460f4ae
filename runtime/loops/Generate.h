// The decoding loop: continues prompts token by token with a causal LM.
//
// With a generate artifact (ptmc --mode generate) the prompt runs once through
// the smallest `prefill_<P>` bucket that holds it, and each new token through
// the smallest `decode_step_<C>` bucket whose key/value cache holds the
// sequence so far; the loop owns the cache and moves it to a larger bucket as
// the sequence grows. With an inference artifact (entry `forward`) every step
// reruns the whole sequence (the last seq_len tokens), which is slower but
// needs nothing else: the reference the cached path is tested against.
//
// Token choice as Hugging Face's generate(): the repetition penalty first,
// then temperature, top-k and top-p (Sampling.h); temperature 0 is greedy.
// Each prompt draws from its own random stream of (seed, prompt index), so a
// prompt's continuation does not depend on the prompts batched with it.
#pragma once

#include "runtime/Session.h"
#include "runtime/loops/Sampling.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ptm::loops {

struct GenerationOptions {
  SamplingOptions sampling;
  // > 1 makes tokens already in the prompt or the continuation less likely
  // (CTRL's penalty as transformers applies it: positive logits divided,
  // negative ones multiplied).
  double repetitionPenalty = 1.0;
  int64_t maxNewTokens = 64;
  // A row stops when its text contains one of these; the text ends before it.
  std::vector<std::string> stopStrings;
  // A row stops at this token, which is not part of its text.
  std::optional<int32_t> endOfText;
  // Tokens at or above this id are never chosen (a tokenizer smaller than
  // the model's vocabulary); 0: the model's vocabulary.
  int64_t choosableVocabulary = 0;
  uint64_t seed = 0;
};

enum class StopReason { MaxNewTokens, EndOfText, StopString, ContextFull };
const char *stopReasonName(StopReason reason);

struct Generation {
  std::vector<int32_t> tokens; // the new tokens, including an end-of-text or stop string's
  std::string text;            // their bytes, up to a stop string
  StopReason stopReason = StopReason::MaxNewTokens;
};

struct GenerationStatistics {
  int64_t promptTokens = 0;
  double prefillSeconds = 0;
  int64_t decodeSteps = 0, generatedTokens = 0;
  // New tokens chosen from the prefill's logits (each prompt's first); the
  // others came from decoding steps.
  int64_t tokensFromPrefill = 0;
  double decodeSeconds = 0;
};

// The bytes that token ids stand for (the tokenizer's decode); empty when
// only ids are wanted, and then stop strings cannot be used.
using TokenDecoder = std::function<std::string(const std::vector<int32_t> &ids)>;
// Receives each prompt's text as it becomes final: bytes that might begin a
// stop string are held back until they cannot.
using TextSink = std::function<void(size_t prompt, const std::string &bytes)>;

// The model config's eos_token_id (the artifact keeps the config.json it
// was compiled from) when it is a token of the model: GPT-2's <|endoftext|>,
// where Hugging Face's generate() stops too.
std::optional<int32_t> configuredEndOfText(const ArtifactReader &artifact, int64_t vocabulary);

class Generator {
public:
  // Finds the generate entries (or `forward`) of the session's artifact;
  // throws ptm::Error naming the artifact when it has neither.
  explicit Generator(Session &session);

  bool usesKeyValueCache() const { return !prefills_.empty(); }
  int64_t batchRows() const { return rows_; }
  int64_t vocabulary() const { return vocabulary_; }

  // Continues every prompt (token ids, none empty), `batchRows()` at a time.
  std::vector<Generation> generate(const std::vector<std::vector<int32_t>> &prompts,
                                   const GenerationOptions &options, const TokenDecoder &decode,
                                   const TextSink &sink, GenerationStatistics &statistics);

private:
  struct Bucket {
    int64_t length;
    const artifact::Entry *entry;
  };
  struct Row;
  void generateWithCache(std::vector<Row> &rows, const GenerationOptions &options,
                         GenerationStatistics &statistics);
  void generateWithForward(std::vector<Row> &rows, const GenerationOptions &options,
                           GenerationStatistics &statistics);
  // Appends the token chosen for `row` and decides whether the row is done;
  // passes text that became final to the sink.
  void accept(Row &row, int32_t token, const GenerationOptions &options, GenerationStatistics &statistics);

  Session &session_;
  std::vector<Bucket> prefills_, decodeSteps_; // by length
  const artifact::Entry *forward_ = nullptr;
  int64_t rows_ = 0, vocabulary_ = 0, layers_ = 0, forwardLength_ = 0;
  const TokenDecoder *decode_ = nullptr;
  const TextSink *sink_ = nullptr;
};

} // namespace ptm::loops
