// Masked-LM + next-sentence pretraining (BERT): a WordPiece vocabulary
// (loaded, or trained on the training documents), examples made as Google's
// create_pretraining_data makes them (BertPretrainingData.h), streamed from
// the corpus file; validation on held-out documents reports the MLM loss,
// perplexity and accuracy (against always guessing the most frequent masked
// token), the NSP loss and accuracy; at the end the batch-1 `forward` entry
// fills in the masks of a held-out example.
#include "runtime/Error.h"
#include "runtime/loops/BertPretrainingData.h"
#include "runtime/loops/Checkpoint.h"
#include "runtime/loops/PretrainingObjective.h"
#include "runtime/loops/Random.h"
#include "runtime/tokenizers/WordPiece.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

using nlohmann::json;

namespace ptm::loops {
namespace {

// At most this much of the training text trains a vocabulary: enough for a
// WordPiece vocabulary of any usual size, and bounded for huge corpora.
constexpr size_t kVocabularyTextLimit = size_t{64} << 20;
constexpr int64_t kIgnoreIndex = -100;

// The text of the corpus before document `endDocument` (documents counted as
// BertExampleStream counts them: runs of non-blank lines), at most `limit`
// bytes, cut at a line.
std::string textBeforeDocument(const std::string &path, int64_t endDocument, size_t limit) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    throw Error(path, "cannot be read");
  std::string text, line;
  int64_t documents = 0;
  bool inDocument = false;
  while (std::getline(file, line)) {
    bool blank = line.find_first_not_of(" \t\r\f\v") == std::string::npos;
    if (!blank && !inDocument && ++documents > endDocument)
      break;
    inDocument = !blank;
    if (text.size() + line.size() + 1 > limit)
      break;
    text += line;
    text += '\n';
  }
  return text;
}

// Index of output `name` of `entry`, or -1.
int outputIndex(const artifact::Entry &entry, const std::string &name) {
  if (entry.outputs())
    for (unsigned i = 0; i < entry.outputs()->size(); ++i)
      if (entry.outputs()->Get(i)->name()->str() == name)
        return static_cast<int>(i);
  return -1;
}

// Index of the largest of `count` logits.
int64_t argmax(const float *logits, int64_t count) {
  return std::max_element(logits, logits + count) - logits;
}

class MaskedLmObjective : public PretrainingObjective {
public:
  MaskedLmObjective(const PretrainOptions &options, Session &session) : options_(options), session_(session) {
    const ArtifactReader &artifact = session_.artifactReader();
    train_ = tokenInputOf(artifact, artifact.entry("train_step"));
    evalEntry_ = &artifact.entry("loss");
    eval_ = tokenInputOf(artifact, *evalEntry_);
    nextSentence_ = findInput(artifact.entry("train_step"), "next_sentence_label") != nullptr;
    if (const auto *entries = artifact.artifact().entries())
      for (const artifact::Entry *entry : *entries)
        if (entry->name()->str() == "forward")
          forward_ = entry;
    const PretrainRunSettings &run = options_.run;
    data_.maxSeqLength = train_.length;
    data_.maskedLmProb = run.maskedLmProbability.value_or(0.15);
    data_.shortSeqProb = run.shortSequenceProbability.value_or(0.1);
    // Google's choice for 128-token sequences is 20 = 128 * 0.15, rounded up.
    data_.maxPredictionsPerSeq = run.maxPredictionsPerSequence.value_or(
        static_cast<int64_t>(std::ceil(static_cast<double>(train_.length) * data_.maskedLmProb)));
    data_.dupeFactor = run.dupeFactor.value_or(10);
    data_.wholeWordMasking = run.wholeWordMasking.value_or(false);
    lowercase_ = run.lowercase.value_or(true);
    if (!(data_.maskedLmProb > 0 && data_.maskedLmProb < 1))
      throw Error("--masked-lm-prob", "must lie in (0, 1)");
    if (!(data_.shortSeqProb >= 0 && data_.shortSeqProb <= 1))
      throw Error("--short-seq-prob", "must lie in [0, 1]");
    if (data_.maxPredictionsPerSeq < 1)
      throw Error("--max-predictions", "must be at least 1");
    if (data_.dupeFactor < 1)
      throw Error("--dupe-factor", "must be at least 1");
    if (eval_.length != train_.length)
      throw Error(options_.artifactPath, "the 'loss' entry's sequence length differs from train_step's");
  }

  json readCorpus() override {
    FileIdentity identity = identityOfFile(options_.dataPath);
    documents_ = BertExampleStream::countDocuments(options_.dataPath);
    return {{"path", options_.dataPath}, {"bytes", identity.bytes}, {"fnv1a64", identity.checksum}};
  }

  json settings() const override {
    return {{"masked_lm_prob", data_.maskedLmProb},
            {"short_seq_prob", data_.shortSeqProb},
            {"max_predictions_per_seq", data_.maxPredictionsPerSeq},
            {"dupe_factor", data_.dupeFactor},
            {"whole_word_masking", data_.wholeWordMasking},
            {"lowercase", lowercase_}};
  }

  void resumeSettings(const json &stored, const std::string &checkpoint) override {
    json current = settings();
    const PretrainRunSettings &run = options_.run;
    // Only what the command line gives again must agree; the rest is taken.
    std::vector<std::pair<const char *, bool>> given = {
        {"masked_lm_prob", run.maskedLmProbability.has_value()},
        {"short_seq_prob", run.shortSequenceProbability.has_value()},
        {"max_predictions_per_seq", run.maxPredictionsPerSequence.has_value()},
        {"dupe_factor", run.dupeFactor.has_value()},
        {"whole_word_masking", run.wholeWordMasking.has_value()},
        {"lowercase", run.lowercase.has_value()}};
    for (const auto &[key, isGiven] : given)
      if (isGiven && stored.contains(key) && stored.at(key) != current.at(key))
        throw Error(checkpoint, std::string("was trained with a different ") + key +
                                    " than given now; a resumed run keeps its settings (leave the flag out)");
    data_.maskedLmProb = stored.value("masked_lm_prob", data_.maskedLmProb);
    data_.shortSeqProb = stored.value("short_seq_prob", data_.shortSeqProb);
    data_.maxPredictionsPerSeq = stored.value("max_predictions_per_seq", data_.maxPredictionsPerSeq);
    data_.dupeFactor = stored.value("dupe_factor", data_.dupeFactor);
    data_.wholeWordMasking = stored.value("whole_word_masking", data_.wholeWordMasking);
    lowercase_ = stored.value("lowercase", lowercase_);
  }

  void prepare(const RunSettings &settings, const std::string &checkpoint) override {
    int64_t validationDocuments =
        std::max<int64_t>(1, std::llround(settings.validationFraction * static_cast<double>(documents_)));
    trainDocuments_ = documents_ - validationDocuments;
    if (trainDocuments_ < 1)
      throw Error(options_.dataPath, "has " + std::to_string(documents_) +
                                         " document(s) (separated by blank lines): too few to hold out validation "
                                         "documents and train on the others");
    loadTokenizer(checkpoint);

    BertVocabulary vocabulary;
    vocabulary.size = tokenizer_->vocabSize();
    vocabulary.clsId = tokenizer_->clsId();
    vocabulary.sepId = tokenizer_->sepId();
    vocabulary.maskId = tokenizer_->maskId();
    vocabulary.padId = tokenizer_->padId();
    const WordPiece *tokenizer = tokenizer_.get();
    vocabulary.tokenize = [tokenizer](std::string_view line) { return tokenizer->encode(line); };
    vocabulary.continuesWord = [tokenizer](int32_t id) { return tokenizer->continuesWord(id); };

    BertDataOptions trainData = data_;
    trainData.seed = deriveSeed(settings.seed, kMaskedDataStream, 0);
    trainStream_.emplace(options_.dataPath, 0, trainDocuments_, vocabulary, trainData);
    // Validation: the same examples at every evaluation (one round of masking
    // of the held-out documents, as many as the evaluation batches hold).
    BertDataOptions validationData = data_;
    validationData.seed = deriveSeed(settings.seed, kValidationDataStream, 0);
    validationData.dupeFactor = 1;
    BertExampleStream validationStream(options_.dataPath, trainDocuments_, documents_, vocabulary, validationData);
    int64_t validationExamples = std::max<int64_t>(options_.evalBatches, 1) * eval_.rows;
    std::map<int32_t, int64_t> labelCounts;
    int64_t predictions = 0;
    for (int64_t i = 0; i < validationExamples; ++i) {
      validationExamples_.push_back(validationStream.next());
      for (int32_t label : validationExamples_.back().labels)
        if (label != kIgnoreIndex) {
          ++labelCounts[label];
          ++predictions;
        }
    }
    int64_t mostFrequent = 0;
    for (const auto &[label, count] : labelCounts)
      if (count > mostFrequent) {
        mostFrequent = count;
        mostFrequentToken_ = label;
      }
    baselineAccuracy_ = predictions ? static_cast<double>(mostFrequent) / static_cast<double>(predictions) : 0.0;
    // Google's pairing makes "random next" more frequent than half when
    // documents are short, so NSP accuracy is shown next to always guessing
    // the more frequent label.
    int64_t randomNext = 0;
    for (const BertExample &example : validationExamples_)
      randomNext += example.nextSentenceLabel == 1;
    double randomShare = static_cast<double>(randomNext) / static_cast<double>(validationExamples_.size());
    nspBaselineAccuracy_ = std::max(randomShare, 1.0 - randomShare);
    std::printf("data: %s, %s documents for training, %s held out (%s validation examples, %s masked tokens); "
                "masked-LM prob %.3g, at most %lld predictions, short-sequence prob %.3g, dupe factor %lld%s; "
                "most frequent masked token '%s' (%.1f%% of them)\n",
                options_.dataPath.c_str(), withThousands(trainDocuments_).c_str(),
                withThousands(validationDocuments).c_str(), withThousands(validationExamples).c_str(),
                withThousands(predictions).c_str(), data_.maskedLmProb,
                static_cast<long long>(data_.maxPredictionsPerSeq), data_.shortSeqProb,
                static_cast<long long>(data_.dupeFactor), data_.wholeWordMasking ? ", whole-word masking" : "",
                tokenizer_->token(mostFrequentToken_).c_str(), 100.0 * baselineAccuracy_);
  }

  int64_t tokensPerStep() const override { return train_.rows * train_.length; }

  TensorMap trainingBatch(int64_t step, int64_t &epoch) override {
    // A resumed run continues the stream where the checkpoint left it.
    int64_t wanted = (step - 1) * train_.rows;
    if (trainStream_->position() < wanted)
      trainStream_->skip(wanted - trainStream_->position());
    std::vector<BertExample> examples;
    for (int64_t row = 0; row < train_.rows; ++row)
      examples.push_back(trainStream_->next());
    epoch = trainStream_->pass();
    return batchOf(examples.data(), static_cast<int64_t>(examples.size()), train_.rows);
  }

  std::vector<std::string> metricNames() const override {
    std::vector<std::string> names = {"val_mlm_loss", "val_mlm_perplexity", "val_mlm_accuracy"};
    if (nextSentence_) {
      names.push_back("val_nsp_loss");
      names.push_back("val_nsp_accuracy");
    }
    return names;
  }

  ValidationResult validate() override {
    int mlmLossIndex = outputIndex(*evalEntry_, nextSentence_ ? "mlm_loss" : "loss");
    int nspLossIndex = outputIndex(*evalEntry_, "nsp_loss");
    int predictionIndex = outputIndex(*evalEntry_, nextSentence_ ? "prediction_logits" : "logits");
    int relationshipIndex = outputIndex(*evalEntry_, "seq_relationship_logits");
    if (mlmLossIndex < 0 || predictionIndex < 0 || (nextSentence_ && (nspLossIndex < 0 || relationshipIndex < 0)))
      throw Error(options_.artifactPath, "the 'loss' entry lacks the masked-LM outputs (compile it with this ptmc)");
    double mlmLoss = 0, nspLoss = 0;
    int64_t masked = 0, maskedRight = 0, pairs = 0, pairsRight = 0;
    auto size = static_cast<int64_t>(validationExamples_.size());
    for (int64_t first = 0; first < size; first += eval_.rows) {
      int64_t count = std::min(eval_.rows, size - first);
      const BertExample *examples = validationExamples_.data() + first;
      std::vector<Tensor> outputs = session_.run("loss", batchOf(examples, count, eval_.rows), options_.dataPath);
      const float *predictions = outputs[static_cast<size_t>(predictionIndex)].dataAs<float>();
      int64_t batchMasked = 0, batchMaskedRight = 0;
      for (int64_t row = 0; row < count; ++row)
        for (int64_t t = 0; t < eval_.length; ++t) {
          int32_t label = examples[row].labels[static_cast<size_t>(t)];
          if (label == kIgnoreIndex)
            continue;
          ++batchMasked;
          batchMaskedRight += argmax(predictions + (row * eval_.length + t) * eval_.vocabulary, eval_.vocabulary) == label;
        }
      // The entry's losses are means over what each batch scores.
      mlmLoss += scalarValue(outputs[static_cast<size_t>(mlmLossIndex)]) * static_cast<double>(batchMasked);
      masked += batchMasked;
      maskedRight += batchMaskedRight;
      if (nextSentence_) {
        const float *relationship = outputs[static_cast<size_t>(relationshipIndex)].dataAs<float>();
        for (int64_t row = 0; row < count; ++row)
          pairsRight += argmax(relationship + row * 2, 2) == examples[row].nextSentenceLabel;
        nspLoss += scalarValue(outputs[static_cast<size_t>(nspLossIndex)]) * static_cast<double>(count);
        pairs += count;
      }
    }
    ValidationResult result;
    double meanMlm = mlmLoss / static_cast<double>(std::max<int64_t>(masked, 1));
    double mlmAccuracy = static_cast<double>(maskedRight) / static_cast<double>(std::max<int64_t>(masked, 1));
    result.metrics = {meanMlm, std::exp(meanMlm), mlmAccuracy};
    char text[256];
    if (nextSentence_) {
      double meanNsp = nspLoss / static_cast<double>(std::max<int64_t>(pairs, 1));
      double nspAccuracy = static_cast<double>(pairsRight) / static_cast<double>(std::max<int64_t>(pairs, 1));
      result.loss = meanMlm + meanNsp;
      result.metrics.push_back(meanNsp);
      result.metrics.push_back(nspAccuracy);
      std::snprintf(text, sizeof text,
                    "val loss %.4f | mlm loss %.4f | mlm ppl %.2f | mlm accuracy %.4f (most frequent token %.4f) | "
                    "nsp loss %.4f | nsp accuracy %.4f (more frequent label %.4f)",
                    result.loss, meanMlm, std::exp(meanMlm), mlmAccuracy, baselineAccuracy_, meanNsp, nspAccuracy,
                    nspBaselineAccuracy_);
    } else {
      result.loss = meanMlm;
      std::snprintf(text, sizeof text, "val loss %.4f | mlm ppl %.2f | mlm accuracy %.4f (most frequent token %.4f)",
                    meanMlm, std::exp(meanMlm), mlmAccuracy, baselineAccuracy_);
    }
    result.summary = text;
    return result;
  }

  void saveTokenizer(const std::string &directory) const override { tokenizer_->save(directory); }

  // The masks of the first held-out example, filled in by the model: the
  // token that was there and the model's three likeliest.
  void finish() override {
    if (!forward_ || validationExamples_.empty())
      return;
    int predictionIndex = outputIndex(*forward_, nextSentence_ ? "prediction_logits" : "logits");
    TokenInput input = tokenInputOf(session_.artifactReader(), *forward_);
    if (predictionIndex < 0 || input.length != train_.length)
      return;
    const BertExample &example = validationExamples_.front();
    std::vector<Tensor> outputs = session_.run("forward", batchOf(&example, 1, input.rows, /*withTargets=*/false),
                                               "a validation example");
    const float *logits = outputs[static_cast<size_t>(predictionIndex)].dataAs<float>();
    std::vector<int32_t> shown(example.inputIds.begin(), example.inputIds.end());
    std::printf("filled masks of a held-out example:\n");
    for (int64_t t = 0; t < input.length; ++t) {
      int32_t label = example.labels[static_cast<size_t>(t)];
      if (label == kIgnoreIndex)
        continue;
      const float *row = logits + t * input.vocabulary;
      int64_t vocabulary = std::min<int64_t>(input.vocabulary, tokenizer_->vocabSize());
      std::vector<int32_t> order(static_cast<size_t>(vocabulary));
      for (int32_t id = 0; id < vocabulary; ++id)
        order[static_cast<size_t>(id)] = id;
      std::partial_sort(order.begin(), order.begin() + 3, order.end(),
                        [&](int32_t a, int32_t b) { return row[a] > row[b]; });
      double maximum = row[order[0]], total = 0;
      for (int32_t id = 0; id < vocabulary; ++id)
        total += std::exp(static_cast<double>(row[id]) - maximum);
      std::printf("  position %3lld: was '%s' (input '%s'), model:", static_cast<long long>(t),
                  tokenizer_->token(label).c_str(), tokenizer_->token(example.inputIds[static_cast<size_t>(t)]).c_str());
      for (int k = 0; k < 3; ++k)
        std::printf(" '%s' %.3f", tokenizer_->token(order[static_cast<size_t>(k)]).c_str(),
                    std::exp(static_cast<double>(row[order[static_cast<size_t>(k)]]) - maximum) / total);
      std::printf("\n");
      shown[static_cast<size_t>(t)] = order[0];
    }
    shown.resize(static_cast<size_t>(std::count(example.attentionMask.begin(), example.attentionMask.end(), 1)));
    std::printf("  filled in: %s\n", tokenizer_->decode(shown).c_str());
  }

private:
  void loadTokenizer(const std::string &checkpoint) {
    // A resumed run, or one that starts from a model directory with a
    // vocabulary, keeps the vocabulary its weights were trained with.
    std::string source = !checkpoint.empty() ? checkpoint : options_.tokenizerPath;
    if (source.empty() && !options_.weightsPath.empty() && WordPiece::hasVocabulary(options_.weightsPath))
      source = options_.weightsPath;
    if (!source.empty()) {
      tokenizer_ = std::make_unique<WordPiece>(WordPiece::load(source));
      checkVocabularySize(source);
      std::printf("tokenizer: %s (%s WordPiece tokens)\n", source.c_str(),
                  withThousands(tokenizer_->vocabSize()).c_str());
      return;
    }
    Clock::time_point start = Clock::now();
    std::string text = textBeforeDocument(options_.dataPath, trainDocuments_, kVocabularyTextLimit);
    tokenizer_ = std::make_unique<WordPiece>(WordPiece::train(text, train_.vocabulary, lowercase_));
    checkVocabularySize(options_.dataPath + " (a WordPiece vocabulary trained on it keeps every character)");
    std::printf("tokenizer: WordPiece trained on the training documents (%s), %s tokens in %.1f s\n",
                lowercase_ ? "lower-cased" : "cased", withThousands(tokenizer_->vocabSize()).c_str(),
                secondsSince(start));
  }

  void checkVocabularySize(const std::string &source) const {
    if (tokenizer_->vocabSize() > train_.vocabulary)
      throw Error(source, "the tokenizer has " + withThousands(tokenizer_->vocabSize()) +
                              " tokens, more than the model's vocabulary of " + withThousands(train_.vocabulary));
  }

  // The examples as the entry's inputs (with the targets unless
  // `withTargets` is false); rows past `count` are padding that scores nothing.
  TensorMap batchOf(const BertExample *examples, int64_t count, int64_t rows, bool withTargets = true) const {
    int64_t length = train_.length;
    Tensor ids("input_ids", DType::I64, {rows, length});
    Tensor mask("attention_mask", DType::I64, {rows, length});
    Tensor types("token_type_ids", DType::I64, {rows, length});
    Tensor labels("labels", DType::I64, {rows, length});
    Tensor nextSentence("next_sentence_label", DType::I64, {rows});
    for (int64_t row = 0; row < rows; ++row) {
      bool present = row < count;
      for (int64_t t = 0; t < length; ++t) {
        auto at = static_cast<size_t>(t);
        int64_t index = row * length + t;
        ids.dataAs<int64_t>()[index] = present ? examples[row].inputIds[at] : tokenizer_->padId();
        mask.dataAs<int64_t>()[index] = present ? examples[row].attentionMask[at] : (t == 0);
        types.dataAs<int64_t>()[index] = present ? examples[row].tokenTypeIds[at] : 0;
        labels.dataAs<int64_t>()[index] = present ? examples[row].labels[at] : kIgnoreIndex;
      }
      nextSentence.dataAs<int64_t>()[row] = present ? examples[row].nextSentenceLabel : kIgnoreIndex;
    }
    TensorMap batch;
    batch.emplace("input_ids", std::move(ids));
    batch.emplace("attention_mask", std::move(mask));
    batch.emplace("token_type_ids", std::move(types));
    if (!withTargets)
      return batch;
    batch.emplace("labels", std::move(labels));
    if (nextSentence_)
      batch.emplace("next_sentence_label", std::move(nextSentence));
    return batch;
  }

  const PretrainOptions &options_;
  Session &session_;
  TokenInput train_{}, eval_{};
  const artifact::Entry *evalEntry_ = nullptr;
  const artifact::Entry *forward_ = nullptr;
  bool nextSentence_ = false;
  BertDataOptions data_;
  bool lowercase_ = true;
  int64_t documents_ = 0, trainDocuments_ = 0;
  std::unique_ptr<WordPiece> tokenizer_;
  std::optional<BertExampleStream> trainStream_;
  std::vector<BertExample> validationExamples_;
  int32_t mostFrequentToken_ = 0;
  double baselineAccuracy_ = 0, nspBaselineAccuracy_ = 0;
};

} // namespace

std::unique_ptr<PretrainingObjective> makeMaskedLmObjective(const PretrainOptions &options, Session &session) {
  return std::make_unique<MaskedLmObjective>(options, session);
}

} // namespace ptm::loops
