#include "runtime/loops/Score.h"

#include "runtime/Error.h"
#include "runtime/JsonFile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

namespace ptm::loops {
namespace {

constexpr const char *kEntryName = "forward";
constexpr const char *kEndOfText = "<|endoftext|>";

// The content of a special-token entry of a tokenizer config: a string, or
// an AddedToken object {"content": ...}; empty when absent or null.
std::string specialTokenOf(const nlohmann::json &config, const char *key) {
  auto found = config.find(key);
  if (found == config.end())
    return "";
  if (found->is_string())
    return found->get<std::string>();
  if (found->is_object())
    if (auto content = found->find("content"); content != found->end() && content->is_string())
      return content->get<std::string>();
  return "";
}

nlohmann::json readJsonObject(const std::string &path) {
  nlohmann::json json = readJsonFile(path);
  if (!json.is_object())
    throw Error(path, "is not a JSON object");
  return json;
}

void appendEncoded(const ByteLevelBpe &tokenizer, std::string_view text, std::vector<int32_t> &ids) {
  std::vector<int32_t> encoded = tokenizer.encode(text);
  ids.insert(ids.end(), encoded.begin(), encoded.end());
}

bool isAsciiSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// The windows of one request, flattened into the rows that the batches run.
struct PlannedRow {
  size_t request;
  ScoreWindow window;
};

} // namespace

std::vector<ScoreWindow> scoreWindows(int64_t length, int64_t firstScored, int64_t sequenceLength) {
  std::vector<ScoreWindow> windows;
  if (firstScored >= length)
    return windows;
  const int64_t stride = sequenceLength / 2;
  int64_t end = std::min(length, std::max(sequenceLength, firstScored + stride));
  windows.push_back({std::max<int64_t>(0, end - sequenceLength), firstScored, end});
  while (end < length) {
    int64_t scoredFrom = end;
    end = std::min(length, end + stride);
    windows.push_back({end - sequenceLength, scoredFrom, end});
  }
  return windows;
}

int32_t endOfTextId(const ByteLevelBpe &tokenizer, const std::string &directory) {
  std::string token;
  for (const char *fileName : {"tokenizer_config.json", "special_tokens_map.json"}) {
    std::string path = (std::filesystem::path(directory) / fileName).string();
    std::error_code ignored;
    if (!token.empty() || !std::filesystem::is_regular_file(path, ignored))
      continue;
    nlohmann::json config = readJsonObject(path);
    token = specialTokenOf(config, "bos_token");
    if (token.empty())
      token = specialTokenOf(config, "eos_token");
    if (!token.empty() && !tokenizer.tokenId(token))
      throw Error(path, "names the special token '" + token + "', which the vocabulary does not hold");
  }
  if (token.empty())
    token = kEndOfText;
  std::optional<int32_t> id = tokenizer.tokenId(token);
  if (!id)
    throw Error(directory, std::string("the tokenizer has no ") + kEndOfText +
                               " token (nor a bos_token in tokenizer_config.json), which starts a scored text");
  return *id;
}

ScoreRequest textRequest(const ByteLevelBpe &tokenizer, int32_t endOfText, std::string_view text) {
  return {{endOfText}, tokenizer.encode(text)};
}

ScoreRequest continuationRequest(const ByteLevelBpe &tokenizer, int32_t endOfText, std::string_view context,
                                 std::string_view continuation) {
  size_t kept = context.size();
  while (kept > 0 && isAsciiSpace(context[kept - 1]))
    --kept;
  std::string movedContinuation = std::string(context.substr(kept)) + std::string(continuation);
  ScoreRequest request;
  appendEncoded(tokenizer, context.substr(0, kept), request.context);
  if (request.context.empty())
    request.context.push_back(endOfText);
  appendEncoded(tokenizer, movedContinuation, request.continuation);
  return request;
}

void printScores(std::ostream &out, const std::vector<std::string> &texts, const std::vector<ScoreResult> &results) {
  double total = 0;
  int64_t tokens = 0;
  auto perplexity = [](double logLikelihood, int64_t count) {
    return count ? std::exp(-logLikelihood / static_cast<double>(count)) : std::nan("");
  };
  char numbers[128];
  for (size_t i = 0; i < texts.size(); ++i) {
    const ScoreResult &result = results[i];
    std::snprintf(numbers, sizeof numbers, "%.6f\t%lld\t%.6f\t", result.logLikelihood,
                  static_cast<long long>(result.tokens), perplexity(result.logLikelihood, result.tokens));
    out << numbers << texts[i] << "\n";
    total += result.logLikelihood;
    tokens += result.tokens;
  }
  std::snprintf(numbers, sizeof numbers, "log-likelihood %.6f, perplexity %.6f", total, perplexity(total, tokens));
  out << "# total: " << texts.size() << (texts.size() == 1 ? " text, " : " texts, ") << tokens
      << (tokens == 1 ? " token, " : " tokens, ") << numbers << "\n";
}

CausalLmScorer::CausalLmScorer(Session &session, int64_t vocabSize, int32_t padId)
    : session_(session), vocabSize_(vocabSize), padId_(padId) {
  const ArtifactReader &artifact = session.artifactReader();
  const flatbuffers::String *modelType = artifact.artifact().model_type();
  if (modelType && modelType->str() != "gpt2")
    throw Error(artifact.path(), "holds a " + modelType->str() + " model; scoring needs a causal language model (gpt2)");
  const artifact::Entry &entry = artifact.entry(kEntryName);
  const artifact::TensorDesc *inputIds = findInput(entry, "input_ids");
  if (!inputIds || shapeOf(*inputIds).size() != 2)
    throw Error(artifact.path(), "the forward entry has no input_ids input of shape [batch, seq], as GPT-2's has");
  batch_ = shapeOf(*inputIds)[0];
  seqLen_ = shapeOf(*inputIds)[1];
  if (seqLen_ < 2)
    throw Error(artifact.path(), "the forward entry takes sequences of " + std::to_string(seqLen_) +
                                     " token; scoring needs at least 2 (compile with a larger ptmc --seq)");
  hasAttentionMask_ = findInput(entry, "attention_mask") != nullptr;
  const artifact::TensorDesc *logits = nullptr;
  if (entry.outputs())
    for (const artifact::TensorDesc *desc : *entry.outputs())
      if (desc->name()->str() == "logits")
        logits = desc;
  if (!logits || shapeOf(*logits).size() != 3 || shapeOf(*logits)[0] != batch_ || shapeOf(*logits)[1] != seqLen_)
    throw Error(artifact.path(), "the forward entry has no logits output of shape [batch, seq, vocab], as a causal "
                                 "language model's has");
  if (shapeOf(*logits)[2] != vocabSize)
    throw Error(artifact.path(), "the forward entry's logits cover " + std::to_string(shapeOf(*logits)[2]) +
                                     " tokens, the tokenizer's vocabulary has " + std::to_string(vocabSize));
  DType logitsDType = toRuntimeDType(logits->dtype());
  if (logitsDType != DType::F32 && logitsDType != DType::F64)
    throw Error(artifact.path(), "the forward entry's logits are " + std::string(signatureName(logitsDType)) +
                                     ", expected f32 or f64");
}

std::vector<ScoreResult> CausalLmScorer::score(const std::vector<ScoreRequest> &requests) {
  std::vector<ScoreResult> results(requests.size());
  std::vector<std::vector<int32_t>> sequences(requests.size());
  std::vector<PlannedRow> rows;
  for (size_t r = 0; r < requests.size(); ++r) {
    const ScoreRequest &request = requests[r];
    if (request.context.empty())
      throw Error("a scored continuation needs at least one token of context");
    std::vector<int32_t> &sequence = sequences[r];
    sequence = request.context;
    sequence.insert(sequence.end(), request.continuation.begin(), request.continuation.end());
    for (int32_t id : sequence)
      if (id < 0 || id >= vocabSize_)
        throw Error("token id " + std::to_string(id) + " lies outside the vocabulary of " +
                    std::to_string(vocabSize_));
    results[r].tokens = static_cast<int64_t>(request.continuation.size());
    for (const ScoreWindow &window : scoreWindows(static_cast<int64_t>(sequence.size()),
                                                  static_cast<int64_t>(request.context.size()), seqLen_))
      rows.push_back({r, window});
  }

  std::vector<int64_t> shape = {batch_, seqLen_};
  for (size_t first = 0; first < rows.size(); first += static_cast<size_t>(batch_)) {
    size_t count = std::min(rows.size() - first, static_cast<size_t>(batch_));
    Tensor inputIds("input_ids", DType::I64, shape);
    Tensor attentionMask("attention_mask", DType::I64, shape);
    std::fill_n(inputIds.dataAs<int64_t>(), inputIds.numElements(), padId_);
    std::fill_n(attentionMask.dataAs<int64_t>(), attentionMask.numElements(), 0);
    for (size_t b = 0; b < count; ++b) {
      const PlannedRow &row = rows[first + b];
      const std::vector<int32_t> &sequence = sequences[row.request];
      for (int64_t i = row.window.start; i < row.window.end; ++i) {
        int64_t offset = static_cast<int64_t>(b) * seqLen_ + (i - row.window.start);
        inputIds.dataAs<int64_t>()[offset] = sequence[i];
        attentionMask.dataAs<int64_t>()[offset] = 1;
      }
    }
    TensorMap inputs;
    inputs.emplace("input_ids", std::move(inputIds));
    if (hasAttentionMask_)
      inputs.emplace("attention_mask", std::move(attentionMask));
    std::vector<Tensor> outputs = session_.run(kEntryName, std::move(inputs), "the scored text");
    const Tensor &logits = *std::find_if(outputs.begin(), outputs.end(),
                                         [](const Tensor &output) { return output.name() == "logits"; });
    for (size_t b = 0; b < count; ++b) {
      const PlannedRow &row = rows[first + b];
      const std::vector<int32_t> &sequence = sequences[row.request];
      for (int64_t i = row.window.scoredFrom; i < row.window.end; ++i) {
        // The logits at position p predict the token at p + 1.
        int64_t offset = (static_cast<int64_t>(b) * seqLen_ + (i - 1 - row.window.start)) * vocabSize_;
        auto logitAt = [&](int64_t v) {
          return logits.dtype() == DType::F64 ? logits.dataAs<double>()[offset + v]
                                              : static_cast<double>(logits.dataAs<float>()[offset + v]);
        };
        // log softmax = logit - (max + log sum exp(logit - max)), in double.
        double maxLogit = logitAt(0);
        for (int64_t v = 1; v < vocabSize_; ++v)
          maxLogit = std::max(maxLogit, logitAt(v));
        double sum = 0;
        for (int64_t v = 0; v < vocabSize_; ++v)
          sum += std::exp(logitAt(v) - maxLogit);
        results[row.request].logLikelihood += logitAt(sequence[i]) - maxLogit - std::log(sum);
      }
    }
  }
  return results;
}

} // namespace ptm::loops
