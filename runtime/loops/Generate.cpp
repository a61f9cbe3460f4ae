#include "runtime/loops/Generate.h"

#include "runtime/Error.h"
#include "runtime/loops/PretrainingObjective.h"
#include "runtime/loops/Random.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <set>

namespace ptm::loops {
namespace {

constexpr const char *kPrefillPrefix = "prefill_";
constexpr const char *kDecodeStepPrefix = "decode_step_";

std::string pastName(int64_t layer, bool value) {
  return "past." + std::to_string(layer) + (value ? ".value" : ".key");
}
std::string presentName(int64_t layer, bool value) {
  return "present." + std::to_string(layer) + (value ? ".value" : ".key");
}

// Copies the first `slots` cache positions of every (row, head) from a
// [B, H, fromLength, Dh] tensor into a [B, H, toLength, Dh] one.
void copyCacheSlots(const Tensor &from, Tensor &to, int64_t slots) {
  const std::vector<int64_t> &source = from.shape(), &target = to.shape();
  int64_t planes = source[0] * source[1], headDim = source[3];
  const float *in = from.dataAs<float>();
  float *out = to.dataAs<float>();
  for (int64_t plane = 0; plane < planes; ++plane)
    std::memcpy(out + plane * target[2] * headDim, in + plane * source[2] * headDim,
                static_cast<size_t>(slots * headDim) * sizeof(float));
}

} // namespace

const char *stopReasonName(StopReason reason) {
  switch (reason) {
  case StopReason::MaxNewTokens:
    return "max-new-tokens";
  case StopReason::EndOfText:
    return "end-of-text";
  case StopReason::StopString:
    return "stop-string";
  case StopReason::ContextFull:
    return "context-full";
  }
  return "?";
}

std::optional<int32_t> configuredEndOfText(const ArtifactReader &artifact, int64_t vocabulary) {
  const flatbuffers::String *config = artifact.artifact().model_config_json();
  if (!config)
    return std::nullopt;
  nlohmann::json parsed = nlohmann::json::parse(config->str(), nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object() || !parsed.contains("eos_token_id") || !parsed["eos_token_id"].is_number_integer())
    return std::nullopt;
  int64_t id = parsed["eos_token_id"].get<int64_t>();
  if (id < 0 || id >= vocabulary)
    return std::nullopt;
  return static_cast<int32_t>(id);
}

struct Generator::Row {
  size_t prompt = 0;              // index into the caller's prompts
  bool padding = false;           // fills an unused batch row
  std::vector<int32_t> sequence;  // prompt, then the new tokens
  size_t promptLength = 0;
  Random random{0};
  bool finished = false;
  std::string bytes;              // decoded new tokens
  size_t emitted = 0;             // bytes given to the sink
  Generation result;
};

Generator::Generator(Session &session) : session_(session) {
  const ArtifactReader &artifact = session.artifactReader();
  if (const auto *entries = session.artifact().entries())
    for (const artifact::Entry *entry : *entries) {
      std::string name = entry->name()->str();
      bool prefill = name.rfind(kPrefillPrefix, 0) == 0, decode = name.rfind(kDecodeStepPrefix, 0) == 0;
      if (name == "forward") {
        forward_ = entry;
      } else if (prefill || decode) {
        // The bucket length is read from the signature, not the name.
        const artifact::TensorDesc *ids = findInput(*entry, "input_ids");
        const artifact::TensorDesc *past = findInput(*entry, pastName(0, false));
        if (!ids || (decode && !past))
          throw Error(artifact.path(), "entry '" + name + "' lacks the inputs of a generation entry");
        int64_t length = prefill ? shapeOf(*ids)[1] : shapeOf(*past)[2];
        (prefill ? prefills_ : decodeSteps_).push_back({length, entry});
      }
    }
  auto byLength = [](const Bucket &a, const Bucket &b) { return a.length < b.length; };
  std::sort(prefills_.begin(), prefills_.end(), byLength);
  std::sort(decodeSteps_.begin(), decodeSteps_.end(), byLength);
  if (prefills_.empty() != decodeSteps_.empty())
    throw Error(artifact.path(), "has prefill entries without decode_step entries or the other way round");

  const artifact::Entry *reference = usesKeyValueCache() ? prefills_.front().entry : forward_;
  if (!reference)
    throw Error(artifact.path(), "has no entries to generate with: compile it with ptmc --mode generate "
                                 "(prefill and decode_step with a key/value cache) or --mode infer (forward)");
  const artifact::TensorDesc *logits = findOutput(*reference, "logits");
  if (!logits || logits->dtype() != artifact::DType_f32)
    throw Error(artifact.path(), "entry '" + reference->name()->str() + "' has no f32 'logits' output");
  std::vector<int64_t> logitsShape = shapeOf(*logits);
  rows_ = logitsShape.front();
  vocabulary_ = logitsShape.back();
  if (usesKeyValueCache()) {
    while (findInput(*decodeSteps_.front().entry, pastName(layers_, false)))
      ++layers_;
  } else {
    forwardLength_ = shapeOf(*findInput(*forward_, "input_ids"))[1];
  }
}

std::vector<Generation> Generator::generate(const std::vector<std::vector<int32_t>> &prompts,
                                            const GenerationOptions &options, const TokenDecoder &decode,
                                            const TextSink &sink, GenerationStatistics &statistics) {
  const std::string &path = session_.artifactReader().path();
  if (!options.stopStrings.empty() && !decode)
    throw Error(path, "stop strings need a tokenizer to decode the new tokens");
  for (size_t p = 0; p < prompts.size(); ++p) {
    const std::vector<int32_t> &prompt = prompts[p];
    std::string which = "prompt " + std::to_string(p + 1);
    if (prompt.empty())
      throw Error(path, which + " has no tokens");
    for (int32_t id : prompt)
      if (id < 0 || id >= vocabulary_)
        throw Error(path, which + " has token id " + std::to_string(id) + ", outside the model's vocabulary of " +
                              std::to_string(vocabulary_));
    if (usesKeyValueCache() && static_cast<int64_t>(prompt.size()) > prefills_.back().length)
      throw Error(path, which + " has " + std::to_string(prompt.size()) +
                            " tokens, more than the largest prefill bucket (" +
                            std::to_string(prefills_.back().length) +
                            "); compile with a larger ptmc --prompt-lengths");
  }
  decode_ = &decode;
  sink_ = &sink;
  std::vector<Generation> results(prompts.size());
  for (size_t first = 0; first < prompts.size(); first += static_cast<size_t>(rows_)) {
    std::vector<Row> rows(static_cast<size_t>(rows_));
    for (size_t r = 0; r < rows.size(); ++r) {
      Row &row = rows[r];
      row.prompt = first + r;
      row.padding = row.prompt >= prompts.size();
      row.sequence = row.padding ? std::vector<int32_t>{0} : prompts[row.prompt];
      row.promptLength = row.sequence.size();
      row.finished = row.padding || options.maxNewTokens == 0;
      row.random = Random(deriveSeed(options.seed, kSampleStream, row.prompt));
      if (!row.padding)
        statistics.promptTokens += static_cast<int64_t>(row.promptLength);
    }
    if (usesKeyValueCache())
      generateWithCache(rows, options, statistics);
    else
      generateWithForward(rows, options, statistics);
    for (Row &row : rows)
      if (!row.padding)
        results[row.prompt] = std::move(row.result);
  }
  return results;
}

namespace {

// The longest suffix of `text` that is a proper prefix of a stop string:
// those bytes may still become one.
size_t heldBackLength(const std::string &text, const std::vector<std::string> &stopStrings) {
  size_t held = 0;
  for (const std::string &stop : stopStrings) {
    if (stop.empty())
      continue;
    for (size_t length = std::min(stop.size() - 1, text.size()); length > held; --length)
      if (text.compare(text.size() - length, length, stop, 0, length) == 0) {
        held = length;
        break;
      }
  }
  return held;
}

int32_t chooseToken(const float *logits, int64_t vocabulary, const std::vector<int32_t> &sequence,
                    const GenerationOptions &options, Random &random) {
  int64_t choosable = options.choosableVocabulary > 0 ? std::min(options.choosableVocabulary, vocabulary)
                                                      : vocabulary;
  if (options.repetitionPenalty == 1.0)
    return sampleToken(logits, choosable, options.sampling, random);
  std::vector<float> penalized(logits, logits + choosable);
  for (int32_t id : std::set<int32_t>(sequence.begin(), sequence.end()))
    if (id < choosable) {
      float &logit = penalized[static_cast<size_t>(id)];
      logit = logit < 0 ? static_cast<float>(logit * options.repetitionPenalty)
                        : static_cast<float>(logit / options.repetitionPenalty);
    }
  return sampleToken(penalized.data(), choosable, options.sampling, random);
}

} // namespace

void Generator::generateWithCache(std::vector<Row> &rows, const GenerationOptions &options,
                                  GenerationStatistics &statistics) {
  const std::string source = "the prompts";
  auto longest = std::max_element(rows.begin(), rows.end(), [](const Row &a, const Row &b) {
    return a.promptLength < b.promptLength;
  });
  const Bucket &prefill = *std::find_if(prefills_.begin(), prefills_.end(), [&](const Bucket &bucket) {
    return bucket.length >= static_cast<int64_t>(longest->promptLength);
  });
  int64_t promptBucket = prefill.length;
  // Right padding: causal attention keeps the padding from earlier positions,
  // and each row's logits are taken at its own last token.
  Tensor ids("input_ids", DType::I64, {rows_, promptBucket});
  Tensor mask("attention_mask", DType::I64, {rows_, promptBucket});
  Tensor last("last_token_index", DType::I64, {rows_});
  for (int64_t r = 0; r < rows_; ++r) {
    const Row &row = rows[static_cast<size_t>(r)];
    for (size_t t = 0; t < row.promptLength; ++t) {
      ids.dataAs<int64_t>()[r * promptBucket + static_cast<int64_t>(t)] = row.sequence[t];
      mask.dataAs<int64_t>()[r * promptBucket + static_cast<int64_t>(t)] = 1;
    }
    last.dataAs<int64_t>()[r] = r * promptBucket + static_cast<int64_t>(row.promptLength) - 1;
  }
  TensorMap prefillInputs;
  prefillInputs.emplace("input_ids", std::move(ids));
  prefillInputs.emplace("attention_mask", std::move(mask));
  prefillInputs.emplace("last_token_index", std::move(last));
  auto start = std::chrono::steady_clock::now();
  EntryCall prefillCall = session_.prepareCall(prefill.entry->name()->str(), std::move(prefillInputs), source);
  prefillCall.invoke();
  statistics.prefillSeconds += secondsSince(start);
  const float *logits = prefillCall.output("logits").dataAs<float>();
  for (int64_t r = 0; r < rows_; ++r) {
    Row &row = rows[static_cast<size_t>(r)];
    if (!row.finished) {
      accept(row, chooseToken(logits + r * vocabulary_, vocabulary_, row.sequence, options, row.random), options, statistics);
      statistics.tokensFromPrefill += 1;
    }
  }

  // The decoding step of the current cache bucket, whose past.* inputs are
  // the cache itself.
  std::optional<EntryCall> step;
  int64_t cacheLength = 0;
  auto moveToBucket = [&](const Bucket &bucket) {
    TensorMap inputs;
    for (int64_t layer = 0; layer < layers_; ++layer)
      for (bool value : {false, true}) {
        std::string name = pastName(layer, value);
        Tensor cache(name, DType::F32, shapeOf(*findInput(*bucket.entry, name)));
        if (step)
          copyCacheSlots(step->input(name), cache, cacheLength);
        else
          copyCacheSlots(prefillCall.output(presentName(layer, value)), cache,
                         std::min(promptBucket, bucket.length));
        inputs.emplace(name, std::move(cache));
      }
    inputs.emplace("input_ids", Tensor("input_ids", DType::I64, {rows_, 1}));
    inputs.emplace("position_ids", Tensor("position_ids", DType::I64, {rows_, 1}));
    step.emplace(session_.prepareCall(bucket.entry->name()->str(), std::move(inputs), source));
    cacheLength = bucket.length;
  };

  while (std::any_of(rows.begin(), rows.end(), [](const Row &row) { return !row.finished; })) {
    // The newest token sits at position sequence.size() - 1; its keys and
    // values go to that cache slot, so the bucket must be longer than that.
    int64_t needed = 0;
    for (const Row &row : rows)
      if (!row.finished)
        needed = std::max<int64_t>(needed, static_cast<int64_t>(row.sequence.size()));
    if (needed > cacheLength) {
      auto bucket = std::find_if(decodeSteps_.begin(), decodeSteps_.end(),
                                 [&](const Bucket &b) { return b.length >= needed; });
      if (bucket == decodeSteps_.end()) {
        for (Row &row : rows)
          if (!row.finished) {
            row.finished = true;
            row.result.stopReason = StopReason::ContextFull;
            accept(row, -1, options, statistics);
          }
        break;
      }
      moveToBucket(*bucket);
    }
    int64_t *tokenIds = step->input("input_ids").dataAs<int64_t>();
    int64_t *positions = step->input("position_ids").dataAs<int64_t>();
    int64_t *keyMask = step->input("attention_mask").dataAs<int64_t>();
    std::fill(keyMask, keyMask + rows_ * (cacheLength + 1), 0);
    for (int64_t r = 0; r < rows_; ++r) {
      const Row &row = rows[static_cast<size_t>(r)];
      // A finished row still takes part in the call; it attends to nothing
      // but its own token at position 0 and its result is ignored.
      int64_t position = row.finished ? 0 : static_cast<int64_t>(row.sequence.size()) - 1;
      tokenIds[r] = row.sequence.back();
      positions[r] = position;
      std::fill(keyMask + r * (cacheLength + 1), keyMask + r * (cacheLength + 1) + position, 1);
      keyMask[r * (cacheLength + 1) + cacheLength] = 1;
    }
    start = std::chrono::steady_clock::now();
    step->invoke();
    statistics.decodeSeconds += secondsSince(start);
    statistics.decodeSteps += 1;
    for (int64_t layer = 0; layer < layers_; ++layer)
      for (bool value : {false, true}) {
        const Tensor &present = step->output(presentName(layer, value));
        Tensor &cache = step->input(pastName(layer, value));
        int64_t heads = cache.shape()[1], headDim = cache.shape()[3];
        for (int64_t r = 0; r < rows_; ++r) {
          const Row &row = rows[static_cast<size_t>(r)];
          if (row.finished)
            continue;
          int64_t slot = static_cast<int64_t>(row.sequence.size()) - 1;
          for (int64_t head = 0; head < heads; ++head)
            std::memcpy(cache.dataAs<float>() + ((r * heads + head) * cacheLength + slot) * headDim,
                        present.dataAs<float>() + (r * heads + head) * headDim,
                        static_cast<size_t>(headDim) * sizeof(float));
        }
      }
    const float *stepLogits = step->output("logits").dataAs<float>();
    for (int64_t r = 0; r < rows_; ++r) {
      Row &row = rows[static_cast<size_t>(r)];
      if (!row.finished)
        accept(row, chooseToken(stepLogits + r * vocabulary_, vocabulary_, row.sequence, options, row.random),
               options, statistics);
    }
  }
}

void Generator::generateWithForward(std::vector<Row> &rows, const GenerationOptions &options,
                                    GenerationStatistics &statistics) {
  TensorMap inputs;
  inputs.emplace("input_ids", Tensor("input_ids", DType::I64, {rows_, forwardLength_}));
  inputs.emplace("attention_mask", Tensor("attention_mask", DType::I64, {rows_, forwardLength_}));
  EntryCall call = session_.prepareCall("forward", std::move(inputs), "the prompts");
  // The first call runs the prompts (the prefill of this path).
  bool prefilling = true;
  while (std::any_of(rows.begin(), rows.end(), [](const Row &row) { return !row.finished; })) {
    int64_t *ids = call.input("input_ids").dataAs<int64_t>();
    int64_t *mask = call.input("attention_mask").dataAs<int64_t>();
    std::fill(ids, ids + rows_ * forwardLength_, 0);
    std::fill(mask, mask + rows_ * forwardLength_, 0);
    std::vector<int64_t> used(rows.size());
    // Each row holds its last seq_len tokens, right-padded.
    for (size_t r = 0; r < rows.size(); ++r) {
      const std::vector<int32_t> &sequence = rows[r].sequence;
      size_t begin = sequence.size() > static_cast<size_t>(forwardLength_) ? sequence.size() - forwardLength_ : 0;
      used[r] = static_cast<int64_t>(sequence.size() - begin);
      for (int64_t t = 0; t < used[r]; ++t) {
        ids[static_cast<int64_t>(r) * forwardLength_ + t] = sequence[begin + static_cast<size_t>(t)];
        mask[static_cast<int64_t>(r) * forwardLength_ + t] = 1;
      }
    }
    auto start = std::chrono::steady_clock::now();
    call.invoke();
    double seconds = secondsSince(start);
    if (prefilling) {
      statistics.prefillSeconds += seconds;
    } else {
      statistics.decodeSeconds += seconds;
      statistics.decodeSteps += 1;
    }
    const float *logits = call.output("logits").dataAs<float>();
    for (size_t r = 0; r < rows.size(); ++r) {
      Row &row = rows[r];
      if (row.finished)
        continue;
      accept(row,
             chooseToken(logits + (static_cast<int64_t>(r) * forwardLength_ + used[r] - 1) * vocabulary_,
                         vocabulary_, row.sequence, options, row.random),
             options, statistics);
      statistics.tokensFromPrefill += prefilling;
    }
    prefilling = false;
  }
}

// `token` -1: the row was stopped from outside (context full); only the
// held-back text is released.
void Generator::accept(Row &row, int32_t token, const GenerationOptions &options,
                       GenerationStatistics &statistics) {
  const TokenDecoder &decode = *decode_;
  const TextSink &sink = *sink_;
  size_t end = row.bytes.size();
  if (token >= 0) {
    row.sequence.push_back(token);
    row.result.tokens.push_back(token);
    statistics.generatedTokens += 1;
    if (options.endOfText && token == *options.endOfText) {
      row.finished = true;
      row.result.stopReason = StopReason::EndOfText;
    } else if (decode) {
      size_t before = row.bytes.size();
      row.bytes += decode({token});
      end = row.bytes.size();
      // A stop string may have begun in the bytes held back before.
      size_t longestStop = 0;
      for (const std::string &stop : options.stopStrings)
        longestStop = std::max(longestStop, stop.size());
      size_t from = before >= longestStop ? before - longestStop + 1 : 0;
      size_t found = std::string::npos;
      for (const std::string &stop : options.stopStrings)
        if (!stop.empty())
          found = std::min(found, row.bytes.find(stop, from));
      if (found != std::string::npos) {
        end = found;
        row.finished = true;
        row.result.stopReason = StopReason::StopString;
      }
    }
    if (!row.finished && static_cast<int64_t>(row.result.tokens.size()) >= options.maxNewTokens) {
      row.finished = true;
      row.result.stopReason = StopReason::MaxNewTokens;
    }
  }
  size_t ready = row.finished ? end : end - heldBackLength(row.bytes, options.stopStrings);
  if (ready > row.emitted && sink) {
    sink(row.prompt, row.bytes.substr(row.emitted, ready - row.emitted));
  }
  row.emitted = std::max(row.emitted, ready);
  if (row.finished)
    row.result.text = row.bytes.substr(0, end);
}

} // namespace ptm::loops
