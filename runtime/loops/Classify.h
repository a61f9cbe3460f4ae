// Zero- and few-shot classification with a causal language model, as GPT-3
// evaluates it: each candidate label is scored as a continuation of the
// prompt, log P(" " + label | prompt), and the most likely label is the
// prediction.
//
// The prompt is the template with "{text}" replaced by the example's text.
// Few-shot prompts put k demonstrations before it, each the template filled
// with a shot's text, then " " + its label and "\n\n". The k shots of each
// example are drawn without replacement from the shots file, independently
// for each example (GPT-3 draws k random training examples per test example):
// a partial Fisher-Yates shuffle of the shot indices, position j swapped with
// j + below(n - j), whose random numbers come from one SplitMix64 stream
// (runtime/loops/Random.h) seeded with the seed, k draws per example, the
// examples in file order.
#pragma once

#include "runtime/loops/Score.h"

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace ptm::loops {

struct LabeledText {
  std::string text;
  int label; // index into the label names
};

// Reads a TSV file with a header row (SST-2's "sentence<TAB>label"): the
// text of `textColumn`, stripped of surrounding whitespace, and the label of
// `labelColumn`, either an index into `labelNames` (0 = the first name) or
// one of the names. Empty lines are skipped. Throws ptm::Error naming the file
// (and line) when a column is missing, a row has too few fields, or a label
// is neither.
std::vector<LabeledText> readLabeledTsv(const std::string &path, const std::string &textColumn,
                                        const std::string &labelColumn, const std::vector<std::string> &labelNames);

// The template as given on a command line with "\n", "\t" and "\\" escapes
// turned into a line break, a tab and a backslash. Throws ptm::Error (naming
// --template) when it holds no "{text}".
std::string parsePromptTemplate(const std::string &written);

struct ClassifyOptions {
  std::vector<std::string> labelNames;
  std::string promptTemplate; // with "{text}"
  int shotCount = 0;          // k; 0: zero-shot
  uint64_t seed = 0;
  bool normalizeByTokens = false; // rank by mean log-probability per label token
};

struct Classification {
  int label;
  int prediction;
  std::vector<double> scores;      // per label: log-likelihood (nats), or its per-token mean
  std::vector<int64_t> shotIndices; // 0-based data rows of the shots file, in prompt order
};

// The prompt of `example` after the demonstrations `shotIndices` of `shots`.
std::string fewShotPrompt(const ClassifyOptions &options, const std::vector<LabeledText> &shots,
                          const std::vector<int64_t> &shotIndices, const LabeledText &example);

// Classifies every example: all (example, label) pairs are scored together,
// packed into the artifact's batch rows. A tie goes to the earlier label.
// Throws ptm::Error when fewer shots are given than k (check that first to
// name the shots file).
std::vector<Classification> classify(CausalLmScorer &scorer, const ByteLevelBpe &tokenizer, int32_t endOfText,
                                     const std::vector<LabeledText> &examples, const std::vector<LabeledText> &shots,
                                     const ClassifyOptions &options);

// Writes one TSV row per example: index, label, prediction, score_<label>...
// (6 decimals) and the shot indices (comma-separated), after a header row.
void writePredictions(const std::string &path, const std::vector<std::string> &labelNames,
                      const std::vector<Classification> &classifications);

// Prints the number of examples, the accuracy, the majority-class baseline,
// the confusion matrix and each label's precision and recall.
void printClassificationReport(std::ostream &out, const std::vector<std::string> &labelNames,
                               const std::vector<Classification> &classifications);

} // namespace ptm::loops
