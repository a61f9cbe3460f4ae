#include "runtime/loops/FillMask.h"

#include "runtime/Error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <utility>

namespace ptm::loops {
namespace {

constexpr const char *kEntryName = "forward";

std::string replaceAll(const std::string &text, std::string_view from, std::string_view to) {
  std::string result;
  size_t start = 0;
  for (size_t found; (found = text.find(from, start)) != std::string::npos; start = found + from.size())
    result.append(text, start, found - start).append(to);
  return result.append(text, start, std::string::npos);
}

// transformers' PreTrainedTokenizerBase.clean_up_tokenization, which decode()
// applies by default, in its order.
std::string cleanUpTokenization(std::string text) {
  static const std::pair<std::string_view, std::string_view> kRules[] = {
      {" .", "."},     {" ?", "?"},   {" !", "!"},   {" ,", ","},     {" ' ", "'"},
      {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
  for (const auto &[from, to] : kRules)
    text = replaceAll(text, from, to);
  return text;
}

bool isSpecial(const WordPiece &tokenizer, int32_t id) {
  return id == tokenizer.padId() || id == tokenizer.unkId() || id == tokenizer.clsId() || id == tokenizer.sepId() ||
         id == tokenizer.maskId();
}

// The pipeline's "sequence" for `ids` with `filled` at `position`.
std::string filledSequence(const WordPiece &tokenizer, std::vector<int32_t> ids, int64_t position, int32_t filled,
                           bool skipSpecialTokens) {
  ids[position] = filled;
  ids.erase(std::remove_if(ids.begin(), ids.end(),
                           [&](int32_t id) {
                             return id == tokenizer.padId() || (skipSpecialTokens && isSpecial(tokenizer, id));
                           }),
            ids.end());
  return cleanUpTokenization(tokenizer.decode(ids));
}

size_t codePointCount(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char byte) {
    return (static_cast<unsigned char>(byte) & 0xC0) != 0x80;
  }));
}

} // namespace

FillMaskQuery prepareFillMask(const ArtifactReader &artifact, const WordPiece &tokenizer, std::string_view text) {
  const flatbuffers::String *modelType = artifact.artifact().model_type();
  if (modelType && modelType->str() != "bert")
    throw Error(artifact.path(), "holds a " + modelType->str() + " model; fill-mask needs a masked language model (bert)");
  const artifact::Entry &entry = artifact.entry(kEntryName);
  const artifact::TensorDesc *inputIds = findInput(entry, "input_ids");
  if (!inputIds || shapeOf(*inputIds).size() != 2)
    throw Error(artifact.path(), "the forward entry has no input_ids input of shape [batch, seq], as BERT's has");
  FillMaskQuery query;
  const artifact::TensorDesc *logits = nullptr;
  for (const char *name : {"prediction_logits", "logits"})
    if (!logits && (logits = findOutput(entry, name)))
      query.logitsName = name;
  if (!logits || shapeOf(*logits).size() != 3)
    throw Error(artifact.path(), "the forward entry has no prediction_logits or logits output of shape [batch, seq, "
                                 "vocab], as BERT's masked-LM head gives");
  DType logitsDType = toRuntimeDType(logits->dtype());
  if (logitsDType != DType::F32 && logitsDType != DType::F64)
    throw Error(artifact.path(), "the forward entry's " + query.logitsName + " are " +
                                     std::string(signatureName(logitsDType)) + ", expected f32 or f64");
  int64_t logitsVocabSize = shapeOf(*logits)[2];
  if (logitsVocabSize != tokenizer.vocabSize())
    throw Error(artifact.path(), "the forward entry's logits cover " + std::to_string(logitsVocabSize) +
                                     " tokens, the tokenizer's vocabulary has " +
                                     std::to_string(tokenizer.vocabSize()));

  query.ids = tokenizer.encodeWithSpecialTokens(text);
  for (size_t i = 0; i < query.ids.size(); ++i)
    if (query.ids[i] == tokenizer.maskId())
      query.maskPositions.push_back(static_cast<int64_t>(i));
  if (query.maskPositions.empty())
    throw Error("--text", "holds no [MASK] to fill");
  int64_t seqLen = shapeOf(*inputIds)[1];
  if (static_cast<int64_t>(query.ids.size()) > seqLen)
    throw Error("--text", "is " + std::to_string(query.ids.size()) + " tokens long with [CLS] and [SEP], but " +
                              artifact.path() + " takes at most " + std::to_string(seqLen) +
                              " (compile it with a larger ptmc --seq)");
  return query;
}

std::vector<MaskPrediction> fillMask(Session &session, const WordPiece &tokenizer, const FillMaskQuery &query,
                                     int topK) {
  const artifact::Entry &entry = session.artifactReader().entry(kEntryName);
  std::vector<int64_t> shape = shapeOf(*findInput(entry, "input_ids"));
  Tensor inputIds("input_ids", DType::I64, shape);
  Tensor attentionMask("attention_mask", DType::I64, shape);
  Tensor tokenTypeIds("token_type_ids", DType::I64, shape); // zero-filled: all segment A
  std::fill_n(inputIds.dataAs<int64_t>(), inputIds.numElements(), tokenizer.padId());
  for (size_t i = 0; i < query.ids.size(); ++i) {
    inputIds.dataAs<int64_t>()[i] = query.ids[i];
    attentionMask.dataAs<int64_t>()[i] = 1;
  }
  TensorMap inputs;
  inputs.emplace("input_ids", std::move(inputIds));
  if (findInput(entry, "attention_mask"))
    inputs.emplace("attention_mask", std::move(attentionMask));
  if (findInput(entry, "token_type_ids"))
    inputs.emplace("token_type_ids", std::move(tokenTypeIds));

  std::vector<Tensor> outputs = session.run(kEntryName, std::move(inputs), "--text");
  const Tensor &logits = *std::find_if(outputs.begin(), outputs.end(),
                                       [&](const Tensor &output) { return output.name() == query.logitsName; });
  const int64_t vocabSize = logits.shape()[2];
  const int64_t candidateCount = std::min<int64_t>(topK, vocabSize);
  const bool singleMask = query.maskPositions.size() == 1;

  std::vector<MaskPrediction> predictions;
  std::vector<int32_t> order(static_cast<size_t>(vocabSize));
  std::vector<double> row(static_cast<size_t>(vocabSize));
  for (int64_t position : query.maskPositions) {
    const int64_t offset = position * vocabSize; // in batch row 0
    for (int64_t v = 0; v < vocabSize; ++v)
      row[v] = logits.dtype() == DType::F64 ? logits.dataAs<double>()[offset + v] : logits.dataAs<float>()[offset + v];
    // Shifting by the largest logit keeps exp() from overflowing.
    double maxLogit = *std::max_element(row.begin(), row.end());
    double sum = 0;
    for (double logit : row)
      sum += std::exp(logit - maxLogit);
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + candidateCount, order.end(),
                      [&](int32_t a, int32_t b) { return row[a] > row[b] || (row[a] == row[b] && a < b); });
    MaskPrediction prediction{position, {}};
    for (int64_t rank = 0; rank < candidateCount; ++rank) {
      int32_t id = order[rank];
      prediction.candidates.push_back({id, cleanUpTokenization(tokenizer.decode({id})),
                                       std::exp(row[id] - maxLogit) / sum,
                                       filledSequence(tokenizer, query.ids, position, id, singleMask)});
    }
    predictions.push_back(std::move(prediction));
  }
  return predictions;
}

void printMaskPredictions(std::ostream &out, const std::vector<MaskPrediction> &predictions) {
  for (size_t m = 0; m < predictions.size(); ++m) {
    const MaskPrediction &prediction = predictions[m];
    out << "[MASK] " << m + 1 << " of " << predictions.size() << " (position " << prediction.position << "):\n";
    size_t width = 0;
    for (const FillMaskCandidate &candidate : prediction.candidates)
      width = std::max(width, codePointCount(candidate.token));
    for (size_t rank = 0; rank < prediction.candidates.size(); ++rank) {
      const FillMaskCandidate &candidate = prediction.candidates[rank];
      char probability[32];
      std::snprintf(probability, sizeof probability, "%.4f", candidate.probability);
      out << "  " << rank + 1 << ". " << candidate.token << std::string(width - codePointCount(candidate.token), ' ')
          << "  " << probability << "  " << candidate.sequence << "\n";
    }
  }
}

} // namespace ptm::loops
