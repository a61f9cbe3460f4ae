#include "runtime/loops/Classify.h"

#include "runtime/AtomicFile.h"
#include "runtime/Error.h"
#include "runtime/loops/Random.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <numeric>

namespace ptm::loops {
namespace {

constexpr std::string_view kTextPlaceholder = "{text}";

std::vector<std::string> splitTabs(const std::string &line) {
  std::vector<std::string> fields;
  size_t start = 0;
  for (size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1)
    fields.push_back(line.substr(start, tab - start));
  fields.push_back(line.substr(start));
  return fields;
}

std::string stripped(const std::string &text) {
  const char *whitespace = " \t\n\r\v\f";
  size_t first = text.find_first_not_of(whitespace);
  if (first == std::string::npos)
    return "";
  return text.substr(first, text.find_last_not_of(whitespace) - first + 1);
}

std::string fillTemplate(const std::string &promptTemplate, const std::string &text) {
  std::string result;
  size_t start = 0;
  for (size_t found; (found = promptTemplate.find(kTextPlaceholder, start)) != std::string::npos;
       start = found + kTextPlaceholder.size())
    result.append(promptTemplate, start, found - start).append(text);
  return result.append(promptTemplate, start, std::string::npos);
}

std::string withDecimals(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

std::string padded(const std::string &text, size_t width) {
  return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

std::string rightAligned(const std::string &text, size_t width) {
  return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

} // namespace

std::vector<LabeledText> readLabeledTsv(const std::string &path, const std::string &textColumn,
                                        const std::string &labelColumn, const std::vector<std::string> &labelNames) {
  std::ifstream input(path, std::ios::binary);
  if (!input)
    throw Error(path, "cannot be read");
  std::string line;
  if (!std::getline(input, line))
    throw Error(path, "is empty; expected a header row such as 'sentence<TAB>label'");
  if (!line.empty() && line.back() == '\r')
    line.pop_back();
  std::vector<std::string> header = splitTabs(line);
  auto columnOf = [&](const std::string &name, const char *flag) {
    auto found = std::find(header.begin(), header.end(), name);
    if (found == header.end())
      throw Error(path, "has no column '" + name + "' in its header row (choose one with " + flag + ")");
    return static_cast<size_t>(found - header.begin());
  };
  size_t textIndex = columnOf(textColumn, "--text-column");
  size_t labelIndex = columnOf(labelColumn, "--label-column");

  std::vector<LabeledText> rows;
  for (int64_t lineNumber = 2; std::getline(input, line); ++lineNumber) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (line.empty())
      continue;
    std::string where = "line " + std::to_string(lineNumber);
    std::vector<std::string> fields = splitTabs(line);
    if (fields.size() <= std::max(textIndex, labelIndex))
      throw Error(path, where + " has " + std::to_string(fields.size()) + " fields, the header " +
                            std::to_string(header.size()));
    std::string label = stripped(fields[labelIndex]);
    int index = -1;
    for (size_t i = 0; i < labelNames.size(); ++i)
      if (label == labelNames[i] || label == std::to_string(i))
        index = static_cast<int>(i);
    if (index < 0) {
      std::string names;
      for (size_t i = 0; i < labelNames.size(); ++i)
        names += (i ? ", " : "") + std::to_string(i) + " = " + labelNames[i];
      throw Error(path, where + ": label '" + label + "' is neither an index nor a name of the labels (" + names + ")");
    }
    rows.push_back({stripped(fields[textIndex]), index});
  }
  if (input.bad())
    throw Error(path, "read failed");
  return rows;
}

std::string parsePromptTemplate(const std::string &written) {
  std::string result;
  for (size_t i = 0; i < written.size(); ++i) {
    if (written[i] == '\\' && i + 1 < written.size() &&
        (written[i + 1] == 'n' || written[i + 1] == 't' || written[i + 1] == '\\')) {
      char next = written[++i];
      result += next == 'n' ? '\n' : next == 't' ? '\t' : '\\';
    } else {
      result += written[i];
    }
  }
  if (result.find(kTextPlaceholder) == std::string::npos)
    throw Error("--template", "holds no {text}, where each example's text goes");
  return result;
}

std::string fewShotPrompt(const ClassifyOptions &options, const std::vector<LabeledText> &shots,
                          const std::vector<int64_t> &shotIndices, const LabeledText &example) {
  std::string prompt;
  for (int64_t index : shotIndices)
    prompt += fillTemplate(options.promptTemplate, shots[index].text) + " " +
              options.labelNames[shots[index].label] + "\n\n";
  return prompt + fillTemplate(options.promptTemplate, example.text);
}

std::vector<Classification> classify(CausalLmScorer &scorer, const ByteLevelBpe &tokenizer, int32_t endOfText,
                                     const std::vector<LabeledText> &examples, const std::vector<LabeledText> &shots,
                                     const ClassifyOptions &options) {
  const int64_t shotCount = options.shotCount;
  if (static_cast<int64_t>(shots.size()) < shotCount)
    throw Error("the shots are " + std::to_string(shots.size()) + " examples, fewer than the " +
                std::to_string(shotCount) + " demonstrations asked for");
  const size_t labelCount = options.labelNames.size();
  Random random(options.seed);
  std::vector<Classification> classifications;
  std::vector<ScoreRequest> requests;
  std::vector<int64_t> order(shots.size());
  for (const LabeledText &example : examples) {
    Classification classification{example.label, 0, {}, {}};
    if (shotCount > 0) {
      std::iota(order.begin(), order.end(), 0);
      for (int64_t j = 0; j < shotCount; ++j)
        std::swap(order[j], order[j + static_cast<int64_t>(random.below(order.size() - j))]);
      classification.shotIndices.assign(order.begin(), order.begin() + shotCount);
    }
    std::string prompt = fewShotPrompt(options, shots, classification.shotIndices, example);
    for (const std::string &name : options.labelNames)
      requests.push_back(continuationRequest(tokenizer, endOfText, prompt, " " + name));
    classifications.push_back(std::move(classification));
  }

  std::vector<ScoreResult> results = scorer.score(requests);
  for (size_t e = 0; e < classifications.size(); ++e) {
    Classification &classification = classifications[e];
    for (size_t l = 0; l < labelCount; ++l) {
      const ScoreResult &result = results[e * labelCount + l];
      classification.scores.push_back(options.normalizeByTokens && result.tokens > 0
                                          ? result.logLikelihood / static_cast<double>(result.tokens)
                                          : result.logLikelihood);
    }
    classification.prediction = static_cast<int>(
        std::max_element(classification.scores.begin(), classification.scores.end()) - classification.scores.begin());
  }
  return classifications;
}

void writePredictions(const std::string &path, const std::vector<std::string> &labelNames,
                      const std::vector<Classification> &classifications) {
  writeFileAtomically(path, [&](std::ostream &out) {
    out << "index\tlabel\tprediction";
    for (const std::string &name : labelNames)
      out << "\tscore_" << name;
    out << "\tshots\n";
    for (size_t i = 0; i < classifications.size(); ++i) {
      const Classification &classification = classifications[i];
      out << i << '\t' << labelNames[classification.label] << '\t' << labelNames[classification.prediction];
      for (double score : classification.scores)
        out << '\t' << withDecimals(score, 6);
      out << '\t';
      for (size_t s = 0; s < classification.shotIndices.size(); ++s)
        out << (s ? "," : "") << classification.shotIndices[s];
      out << '\n';
    }
  });
}

void printClassificationReport(std::ostream &out, const std::vector<std::string> &labelNames,
                               const std::vector<Classification> &classifications) {
  const size_t labelCount = labelNames.size();
  const int64_t total = static_cast<int64_t>(classifications.size());
  std::vector<std::vector<int64_t>> confusion(labelCount, std::vector<int64_t>(labelCount, 0));
  int64_t correct = 0;
  for (const Classification &classification : classifications) {
    ++confusion[classification.label][classification.prediction];
    correct += classification.label == classification.prediction;
  }
  auto share = [&](int64_t count, int64_t of) { return of ? withDecimals(static_cast<double>(count) / of, 4) : "-"; };
  std::vector<int64_t> support(labelCount, 0), predicted(labelCount, 0);
  for (size_t t = 0; t < labelCount; ++t)
    for (size_t p = 0; p < labelCount; ++p) {
      support[t] += confusion[t][p];
      predicted[p] += confusion[t][p];
    }
  size_t majority = static_cast<size_t>(std::max_element(support.begin(), support.end()) - support.begin());

  out << "examples: " << total << "\n";
  out << "accuracy: " << share(correct, total) << " (" << correct << " of " << total << ")\n";
  out << "majority-class baseline: " << share(total ? support[majority] : 0, total) << " (always "
      << labelNames[majority] << ")\n";
  size_t nameWidth = 5; // "label"
  for (const std::string &name : labelNames)
    nameWidth = std::max(nameWidth, name.size());
  size_t cellWidth = nameWidth;
  out << "confusion matrix (rows: label, columns: prediction):\n  " << padded("", nameWidth);
  for (const std::string &name : labelNames)
    out << "  " << rightAligned(name, cellWidth);
  out << "\n";
  for (size_t t = 0; t < labelCount; ++t) {
    out << "  " << padded(labelNames[t], nameWidth);
    for (size_t p = 0; p < labelCount; ++p)
      out << "  " << rightAligned(std::to_string(confusion[t][p]), cellWidth);
    out << "\n";
  }
  out << "  " << padded("label", nameWidth) << "  precision  recall  examples\n";
  for (size_t l = 0; l < labelCount; ++l)
    out << "  " << padded(labelNames[l], nameWidth) << "  " << rightAligned(share(confusion[l][l], predicted[l]), 9)
        << "  " << rightAligned(share(confusion[l][l], support[l]), 6) << "  " << rightAligned(std::to_string(support[l]), 8)
        << "\n";
}

} // namespace ptm::loops
