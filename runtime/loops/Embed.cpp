#include "runtime/loops/Embed.h"

#include "runtime/Error.h"
#include "runtime/InputFile.h"
#include "runtime/JsonFile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iterator>

namespace ptm::loops {
namespace {

constexpr const char *kEntryName = "forward";
constexpr const char *kOutputName = "last_hidden_state";
// torch.nn.functional.normalize's default, which sentence-transformers' Normalize uses.
constexpr double kNormalizeEpsilon = 1e-12;

std::string pathIn(const std::string &directory, const std::string &name) {
  return (std::filesystem::path(directory) / name).string();
}

bool fileExists(const std::string &path) {
  std::error_code ignored;
  return std::filesystem::is_regular_file(path, ignored);
}

// The Pooling module's mode from its config.json: exactly one of the modes
// that embedTexts implements.
Pooling poolingOf(const std::string &configPath) {
  nlohmann::json config = readJsonFile(configPath);
  if (!config.is_object())
    throw Error(configPath, "is not a JSON object");
  std::vector<std::string> modes;
  for (const auto &[key, value] : config.items())
    if (key.rfind("pooling_mode_", 0) == 0) {
      if (!value.is_boolean())
        throw Error(configPath, "'" + key + "' is " + value.dump() + ", expected true or false");
      if (value.get<bool>())
        modes.push_back(key);
    }
  if (modes.size() != 1)
    throw Error(configPath, "sets " + std::to_string(modes.size()) +
                                " pooling modes; ptm-run embed needs exactly one of pooling_mode_mean_tokens and "
                                "pooling_mode_cls_token");
  if (modes[0] == "pooling_mode_mean_tokens")
    return Pooling::Mean;
  if (modes[0] == "pooling_mode_cls_token")
    return Pooling::Cls;
  throw Error(configPath, "asks for " + modes[0] +
                              ", which ptm-run embed does not compute (it pools by mean or [CLS] token)");
}

} // namespace

EmbeddingOptions embeddingOptionsOf(const std::string &modelDirectory) {
  EmbeddingOptions options;
  std::string modulesPath = pathIn(modelDirectory, "modules.json");
  if (!fileExists(modulesPath))
    return options;
  nlohmann::json modules = readJsonFile(modulesPath);
  if (!modules.is_array())
    throw Error(modulesPath, "is not a JSON array of modules");
  for (const nlohmann::json &module : modules) {
    if (!module.is_object() || !module.contains("type") || !module["type"].is_string())
      throw Error(modulesPath, "lists a module without a \"type\" string: " + module.dump());
    std::string type = module["type"].get<std::string>();
    std::string kind = type.substr(type.rfind('.') + 1);
    if (kind == "Transformer")
      continue;
    if (kind == "Normalize") {
      options.normalize = true;
    } else if (kind == "Pooling") {
      std::string path = module.value("path", "");
      options.pooling = poolingOf(pathIn(pathIn(modelDirectory, path), "config.json"));
    } else {
      throw Error(modulesPath, "lists a " + type +
                                   " module; ptm-run embed runs only Transformer, Pooling and Normalize");
    }
  }
  std::string sentenceConfigPath = pathIn(modelDirectory, "sentence_bert_config.json");
  if (fileExists(sentenceConfigPath)) {
    nlohmann::json config = readJsonFile(sentenceConfigPath);
    if (!config.is_object())
      throw Error(sentenceConfigPath, "is not a JSON object");
    if (auto found = config.find("max_seq_length"); found != config.end() && !found->is_null()) {
      if (!found->is_number_integer() || found->get<int64_t>() < 2)
        throw Error(sentenceConfigPath, "'max_seq_length' is " + found->dump() + ", expected an integer of at least 2");
      options.maxSeqLength = found->get<int64_t>();
    }
  }
  return options;
}

EncoderShape checkEncoderArtifact(const ArtifactReader &artifact, const WordPiece &tokenizer) {
  const flatbuffers::String *modelType = artifact.artifact().model_type();
  if (modelType && modelType->str() != "bert")
    throw Error(artifact.path(), "holds a " + modelType->str() + " model; embed needs a BERT encoder");
  const artifact::Entry &entry = artifact.entry(kEntryName);
  const artifact::TensorDesc *inputIds = findInput(entry, "input_ids");
  if (!inputIds || shapeOf(*inputIds).size() != 2)
    throw Error(artifact.path(), "the forward entry has no input_ids input of shape [batch, seq], as BERT's has");
  // Without a mask, padding (of short texts and of a batch's spare rows)
  // would be attended to.
  if (!findInput(entry, "attention_mask"))
    throw Error(artifact.path(), "the forward entry has no attention_mask input, which padding needs");
  const artifact::TensorDesc *hidden = findOutput(entry, kOutputName);
  std::vector<int64_t> inputShape = shapeOf(*inputIds);
  if (!hidden)
    throw Error(artifact.path(), "the forward entry has no last_hidden_state output (compile the model with "
                                 "ptmc --task embed)");
  std::vector<int64_t> hiddenShape = shapeOf(*hidden);
  if (hiddenShape.size() != 3 || hiddenShape[0] != inputShape[0] || hiddenShape[1] != inputShape[1])
    throw Error(artifact.path(), "the forward entry's last_hidden_state is " +
                                     formatSignature(toRuntimeDType(hidden->dtype()), hiddenShape) +
                                     ", expected [batch, seq, hidden] for input_ids " +
                                     formatSignature(toRuntimeDType(inputIds->dtype()), inputShape));
  DType hiddenDType = toRuntimeDType(hidden->dtype());
  if (hiddenDType != DType::F32 && hiddenDType != DType::F64)
    throw Error(artifact.path(), "the forward entry's last_hidden_state is " +
                                     std::string(signatureName(hiddenDType)) + ", expected f32 or f64");
  if (inputIds->value_bound() > 0 && inputIds->value_bound() != tokenizer.vocabSize())
    throw Error(artifact.path(), "the model's vocabulary has " + std::to_string(inputIds->value_bound()) +
                                     " tokens, the tokenizer's has " + std::to_string(tokenizer.vocabSize()));
  return {inputShape[0], inputShape[1], hiddenShape[2]};
}

EncodedText encodeForEmbedding(const WordPiece &tokenizer, const std::string &text, int64_t maxTokens) {
  std::vector<int32_t> textIds = tokenizer.encode(text);
  size_t kept = std::min<size_t>(textIds.size(), static_cast<size_t>(std::max<int64_t>(maxTokens - 2, 0)));
  EncodedText encoded;
  encoded.truncated = kept < textIds.size();
  encoded.ids.reserve(kept + 2);
  encoded.ids.push_back(tokenizer.clsId());
  encoded.ids.insert(encoded.ids.end(), textIds.begin(), textIds.begin() + static_cast<std::ptrdiff_t>(kept));
  encoded.ids.push_back(tokenizer.sepId());
  return encoded;
}

EmbeddingRun embedTexts(Session &session, const WordPiece &tokenizer, const std::vector<std::string> &texts,
                        const EmbeddingOptions &options) {
  const EncoderShape shape = checkEncoderArtifact(session.artifactReader(), tokenizer);
  const artifact::Entry &entry = session.artifactReader().entry(kEntryName);
  const int64_t maxTokens = options.maxSeqLength > 0 ? std::min(options.maxSeqLength, shape.seqLen) : shape.seqLen;
  const std::vector<int64_t> inputShape = {shape.batch, shape.seqLen};

  EmbeddingRun run;
  run.maxTokens = maxTokens;
  run.embeddings.reserve(texts.size());
  std::vector<double> pooled(static_cast<size_t>(shape.width));
  for (size_t first = 0; first < texts.size(); first += static_cast<size_t>(shape.batch)) {
    const size_t rows = std::min(texts.size() - first, static_cast<size_t>(shape.batch));
    Tensor inputIds("input_ids", DType::I64, inputShape);
    Tensor attentionMask("attention_mask", DType::I64, inputShape);
    Tensor tokenTypeIds("token_type_ids", DType::I64, inputShape); // zero-filled: all segment A
    std::fill_n(inputIds.dataAs<int64_t>(), inputIds.numElements(), tokenizer.padId());
    std::vector<int64_t> lengths(rows);
    for (size_t row = 0; row < rows; ++row) {
      EncodedText encoded = encodeForEmbedding(tokenizer, texts[first + row], maxTokens);
      run.truncatedTexts += encoded.truncated;
      const std::vector<int32_t> &ids = encoded.ids;
      lengths[row] = static_cast<int64_t>(ids.size());
      for (size_t t = 0; t < ids.size(); ++t) {
        inputIds.dataAs<int64_t>()[row * shape.seqLen + t] = ids[t];
        attentionMask.dataAs<int64_t>()[row * shape.seqLen + t] = 1;
      }
    }
    TensorMap inputs;
    inputs.emplace("input_ids", std::move(inputIds));
    inputs.emplace("attention_mask", std::move(attentionMask));
    if (findInput(entry, "token_type_ids"))
      inputs.emplace("token_type_ids", std::move(tokenTypeIds));

    auto start = std::chrono::steady_clock::now();
    std::vector<Tensor> outputs = session.run(kEntryName, std::move(inputs), "the texts");
    run.encoderMilliseconds +=
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    ++run.batches;
    const Tensor &hidden = *std::find_if(outputs.begin(), outputs.end(),
                                         [](const Tensor &output) { return output.name() == kOutputName; });
    auto value = [&](size_t row, int64_t t, int64_t d) -> double {
      int64_t index = (static_cast<int64_t>(row) * shape.seqLen + t) * shape.width + d;
      return hidden.dtype() == DType::F64 ? hidden.dataAs<double>()[index] : hidden.dataAs<float>()[index];
    };

    for (size_t row = 0; row < rows; ++row) {
      // The mask is 1 exactly on the row's first lengths[row] tokens.
      const int64_t pooledTokens = options.pooling == Pooling::Cls ? 1 : lengths[row];
      for (int64_t d = 0; d < shape.width; ++d) {
        double sum = 0;
        for (int64_t t = 0; t < pooledTokens; ++t)
          sum += value(row, t, d);
        pooled[d] = sum / static_cast<double>(pooledTokens);
      }
      double scale = 1;
      if (options.normalize) {
        double squares = 0;
        for (double x : pooled)
          squares += x * x;
        scale = 1 / std::max(std::sqrt(squares), kNormalizeEpsilon);
      }
      std::vector<float> embedding(pooled.size());
      for (size_t d = 0; d < pooled.size(); ++d)
        embedding[d] = static_cast<float>(pooled[d] * scale);
      run.embeddings.push_back(std::move(embedding));
    }
  }
  return run;
}

std::vector<std::string> readTextLines(const std::string &path) {
  InputFile file = openInputFile(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(file.stream, line);)
    lines.push_back(std::move(line));
  if (file.stream.bad())
    throw Error(path, "read failed");
  return lines;
}

std::vector<std::string> readTextPairs(const std::string &path) {
  std::vector<std::string> texts;
  size_t lineNumber = 0;
  for (const std::string &line : readTextLines(path)) {
    ++lineNumber;
    size_t tab = line.find('\t');
    if (tab == std::string::npos)
      throw Error(path, "line " + std::to_string(lineNumber) + " has no tab between the two texts");
    texts.push_back(line.substr(0, tab));
    texts.push_back(line.substr(tab + 1));
  }
  return texts;
}

double cosineSimilarity(const std::vector<float> &a, const std::vector<float> &b) {
  double dot = 0, squaresA = 0, squaresB = 0;
  for (size_t d = 0; d < a.size() && d < b.size(); ++d) {
    dot += static_cast<double>(a[d]) * b[d];
    squaresA += static_cast<double>(a[d]) * a[d];
    squaresB += static_cast<double>(b[d]) * b[d];
  }
  return dot / (std::max(std::sqrt(squaresA), kNormalizeEpsilon) * std::max(std::sqrt(squaresB), kNormalizeEpsilon));
}

std::vector<std::vector<double>> cosineMatrix(const std::vector<std::vector<float>> &embeddings) {
  std::vector<std::vector<double>> matrix;
  for (const std::vector<float> &a : embeddings) {
    matrix.emplace_back();
    for (const std::vector<float> &b : embeddings)
      matrix.back().push_back(cosineSimilarity(a, b));
  }
  return matrix;
}

std::vector<std::vector<double>> pairCosines(const std::vector<std::vector<float>> &embeddings) {
  std::vector<std::vector<double>> cosines;
  for (size_t i = 0; i + 1 < embeddings.size(); i += 2)
    cosines.push_back({cosineSimilarity(embeddings[i], embeddings[i + 1])});
  return cosines;
}

namespace {

template <typename T> void printRowsOf(std::ostream &out, const std::vector<std::vector<T>> &rows) {
  char number[32];
  std::string line;
  for (const std::vector<T> &row : rows) {
    line.clear();
    for (size_t i = 0; i < row.size(); ++i) {
      std::snprintf(number, sizeof number, "%.9g", static_cast<double>(row[i]));
      line += (i ? " " : "");
      line += number;
    }
    out << line << "\n";
  }
}

} // namespace

void printRows(std::ostream &out, const std::vector<std::vector<float>> &rows) { printRowsOf(out, rows); }
void printRows(std::ostream &out, const std::vector<std::vector<double>> &rows) { printRowsOf(out, rows); }

} // namespace ptm::loops
