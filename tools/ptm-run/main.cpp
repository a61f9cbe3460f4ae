// ptm-run: inspects and runs ptm artifacts. A thin driver: it parses the command
// line and prints; loading, binding and running live in runtime/.
//
// Exit codes: 0 success, 1 error (bad artifact, weights, inputs, ...),
// 2 usage error (unknown flag, missing argument).
#include "runtime/AtomicFile.h"
#include "runtime/Error.h"
#include "runtime/Safetensors.h"
#include "runtime/Session.h"
#include "runtime/artifact/ArtifactReader.h"
#include "runtime/loops/Classify.h"
#include "runtime/loops/Embed.h"
#include "runtime/loops/FillMask.h"
#include "runtime/loops/Generate.h"
#include "runtime/loops/Pretrain.h"
#include "runtime/loops/Score.h"
#include "runtime/plot/LossPlot.h"
#include "runtime/tokenizers/ByteLevelBpe.h"
#include "runtime/tokenizers/ModelTokenizer.h"
#include "runtime/tokenizers/WordPiece.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <chrono>
#include <fstream>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

constexpr const char *kMainUsage = R"(usage: ptm-run <command> [arguments]

Loads a ptm artifact (written by ptmc) and runs it.

commands:
  info      describe an artifact: target, entries, signatures, parameters
  forward   run an entry on inputs from a safetensors file
  grad      loss and parameter gradients of a training artifact
  train     AdamW training steps of a training artifact on given batches
  pretrain  causal-LM pretraining of a training artifact on a text file
  plot      turn a training log (CSV) into a PNG loss curve
  tokenize  text to token ids with a WordPiece or byte-level BPE vocabulary
  fill-mask predict the [MASK] tokens of a text with a BERT artifact
  generate  continue prompts with a GPT-2 model (KV cache, sampling, streaming)
  embed     sentence embeddings (and cosine similarities) with a BERT encoder
  score     log-likelihood and perplexity of texts with a GPT-2 artifact
  classify  zero- and few-shot classification by label likelihood (GPT-3 style)
  bench     time an entry with random weights and inputs

Run 'ptm-run <command> --help' for a command's arguments.
)";

constexpr const char *kInfoUsage = R"(usage: ptm-run info MODEL.ptm

Prints the artifact's producer, format version, model, target code, every
entry's input and output signatures, and the parameter table.
)";

constexpr const char *kForwardUsage = R"(usage: ptm-run forward MODEL.ptm --weights W.safetensors --inputs IN.safetensors
                       --out OUT.safetensors [--entry NAME] [--threads K]

Binds the weights (Hugging Face parameter names; F16/BF16 are widened to F32),
runs the entry on the named input tensors and writes its outputs.

  --weights FILE   safetensors checkpoint with the model's parameters
                   (not needed when the artifact has none)
  --inputs FILE    safetensors file with one tensor per entry input
                   (attention_mask may be omitted: all ones)
  --out FILE       safetensors file to write the outputs to
  --entry NAME     entry to run (default: forward)
  --threads K      worker threads (default: all hardware threads)
)";

constexpr const char *kGradUsage = R"(usage: ptm-run grad MODEL.ptm --weights W.safetensors --inputs IN.safetensors
                    --out G.safetensors [--threads K]

Runs the 'grad' entry of an artifact compiled with 'ptmc --mode train': writes
'loss' and the gradient of every parameter under the parameter's Hugging Face
name. The inputs hold input_ids, labels (-100 = not scored; shifted inside,
as in Hugging Face) and optionally attention_mask; artifacts compiled with
--dropout also take dropout_seed (i64 scalar, default 0), the key of every
dropout mask.

  --weights FILE   safetensors checkpoint with the model's parameters
  --inputs FILE    safetensors file with input_ids, labels[, attention_mask]
  --out FILE       safetensors file to write loss and gradients to
  --threads K      worker threads (default: all hardware threads)
)";

constexpr const char *kTrainUsage = R"(usage: ptm-run train MODEL.ptm --weights W.safetensors --inputs IN.safetensors
                     --steps N --lr LR --out OUT.safetensors [--optimizer-out S.safetensors]
                     [--threads K]

Runs N 'train_step' entries (ptmc --mode train: loss, gradients, global-norm
clipping and AdamW, compiled) and writes the trained parameters. Step k
(0-based) reads input_ids_<k>, labels_<k> and attention_mask_<k> from the
inputs file when present, else input_ids, labels and attention_mask; with
--dropout, dropout_seed_<k> or dropout_seed, else k + 1.

  --weights FILE         model parameters; optimizer state too when present
                         (else the optimizer starts fresh)
  --inputs FILE          the batches
  --steps N              number of steps
  --lr LR                learning rate
  --out FILE             trained model parameters (Hugging Face names)
  --optimizer-out FILE   also write the optimizer state (AdamW moments)
  --threads K            worker threads (default: all hardware threads)
)";

constexpr const char *kPretrainUsage = R"(usage: ptm-run pretrain MODEL.ptm --data CORPUS.txt [options]

Pretrains a training artifact (ptmc --mode train) on a UTF-8 text file. Each
step runs the compiled train_step (loss, gradients, clipping, AdamW) on one
batch; every --eval-every steps the compiled 'loss' entry measures the
validation loss.

GPT (causal LM): the last --val-fraction of the text (cut at a line) is held
out for validation; the rest is tokenized and cut into windows of the
artifact's sequence length, visited in an order shuffled by --seed each
epoch. At the end the batch-1 'forward' entry continues --prompt with a
sample.

BERT (masked LM + next sentence prediction, or masked LM alone for --task
mlm): the text has one sentence per line and documents separated by blank
lines; the last --val-fraction of the documents is held out. Examples are
made from the documents as Google's create_pretraining_data makes them
(sentence pairs filling the sequence, 50% random next sentence from another
document, --masked-lm-prob of the tokens predicted, 80% [MASK] / 10% random /
10% kept), streamed from the file. Validation reports the MLM loss,
perplexity and accuracy (next to always guessing the most frequent masked
token) and the NSP loss and accuracy; at the end the model fills in the masks
of a held-out example.

data and tokenizer:
  --data FILE            training text (UTF-8)
  --tokenizer DIR        vocabulary to use: GPT: byte-level BPE (vocab.json +
                         merges.txt, or GPT-2's encoder.json + vocab.bpe);
                         BERT: WordPiece (vocab.txt); or either's
                         tokenizer.json; default: train one of the model's
                         vocabulary size on the training text
  --val-fraction F       held-out fraction of the text (default 0.1)
BERT data:
  --masked-lm-prob P     fraction of the tokens to predict (default 0.15)
  --max-predictions N    at most N predictions per sequence (default
                         ceil(seq * masked-lm-prob), 20 for 128)
  --short-seq-prob P     probability of a shorter target length (default 0.1)
  --dupe-factor N        maskings of each document per pass (default 10)
  --whole-word-masking   mask all pieces of a word together
  --lowercase, --no-lowercase
                         lower-casing of a vocabulary trained on the corpus
                         (default: lower-cased, like bert-base-uncased)
schedule:
  --steps N              training steps (default 1000)
  --lr LR                peak learning rate (default 6e-4)
  --min-lr LR            final learning rate (default lr / 10)
  --warmup N             linear warmup steps (default min(100, steps / 10))
  --schedule KIND        decay after warmup: cosine (default), linear, constant
  --seed S               data order, initialisation, dropout and sampling (default 1234)
  --weights FILE|DIR     start from these weights instead of a random initialisation
                         (a model directory's tokenizer comes along)
progress and checkpoints:
  --eval-every N         validate every N steps (default 100) and at the end
  --eval-batches N       validation batches per evaluation (default 8)
  --log-every N          progress line every N steps (default 10)
  --log FILE.csv         per-step CSV log (see 'ptm-run plot')
  --out DIR              write checkpoints DIR/checkpoint-<step> (config.json,
                         model.safetensors, tokenizer files: loadable by
                         Hugging Face; optimizer.safetensors, trainer_state.json)
  --checkpoint-every N   checkpoint interval (default: every validation)
  --keep-checkpoints N   keep the newest N checkpoints (default 3)
  --resume PATH          continue a run from a checkpoint (or the newest one in
                         PATH) exactly where it stopped; its settings are kept
sample:
  --sample-tokens N      tokens to generate at the end (default 200; 0: none)
  --prompt TEXT          start of the sample (default: the end-of-text token)
  --temperature T        sampling temperature (default 0.8; 0: greedy)
  --top-k K              sample among the K most likely tokens (default 40; 0: all)
  --top-p P              nucleus sampling mass (default 1: off)
  --threads K            worker threads (default: all hardware threads)
)";

constexpr const char *kPlotUsage = R"(usage: ptm-run plot LOG.csv --out CURVE.png [--title TEXT] [--log-scale]
                    [--width W] [--height H]

Draws the train and validation loss of a training log (ptm-run pretrain
--log) against the step.
)";

constexpr const char *kTokenizeUsage = R"(usage: ptm-run tokenize --tokenizer DIR --in TEXT.txt --out IDS.txt [--add-special-tokens]
                        [--lowercase | --no-lowercase] [--pairs [--token-types TYPES.txt]]
       ptm-run tokenize --tokenizer DIR --decode --in IDS.txt --out TEXT.txt

Encodes each line of the input (without its line break) as one line of
space-separated token ids, or with --decode turns such lines back into text.
DIR holds a WordPiece vocabulary (BERT's vocab.txt, with tokenizer_config.json
for do_lower_case) or a byte-level BPE one (vocab.json + merges.txt, or GPT-2's
encoder.json + vocab.bpe), or, without those, a fast tokenizer's
tokenizer.json of either kind. WordPiece gives the ids of Hugging Face's
BertTokenizer; invalid UTF-8 becomes U+FFFD, which BERT drops. Its decoding
joins the tokens with spaces and glues "##" continuations on.

WordPiece only:
  --add-special-tokens  each line as [CLS] ... [SEP]
  --lowercase           lower-case (do_lower_case, accents stripped with it
                        unless strip_accents says otherwise) whatever
                        tokenizer_config.json says; --no-lowercase: never
  --pairs               each line is "A<TAB>B" (split at the first tab), encoded
                        as [CLS] A [SEP] B [SEP]
  --token-types FILE    with --pairs, also write the token type ids, one line
                        per pair: 0 up to the first [SEP], then 1
)";

constexpr const char *kFillMaskUsage = R"(usage: ptm-run fill-mask MODEL.ptm --weights DIR --text TEXT [--tokenizer DIR] [--top-k K]
                         [--threads K]

Predicts each [MASK] written in TEXT with the forward entry of a BERT artifact
(ptmc on a BertForPreTraining config, or with --task mlm a BertForMaskedLM
one), as Hugging Face's fill-mask pipeline does. TEXT is encoded as
[CLS] TEXT [SEP] and padded to the entry's sequence length. For each mask, in
order, the K most probable tokens of a softmax over the vocabulary are printed
with their probability and the text with the token filled in, decoded as the
pipeline's "sequence": tokens joined with spaces ("##" pieces glued on, so
Chinese characters come out space-separated), special tokens left out where
TEXT has a single mask and kept where it has several.

  --weights DIR    the model: a Hugging Face model directory (its
                   model.safetensors) or a safetensors file
  --text TEXT      the text, with [MASK] where tokens are to be predicted
  --tokenizer DIR  WordPiece vocabulary (vocab.txt, with tokenizer_config.json
                   for do_lower_case, or tokenizer.json) (default: the
                   weights' directory)
  --top-k K        tokens shown per mask (default: 5)
  --threads K      worker threads (default: all hardware threads)
)";

constexpr const char *kGenerateUsage = R"(usage: ptm-run generate MODEL.ptm --weights DIR --prompt TEXT [options]

Continues a prompt with a GPT-2 model. The generated text goes to stdout as
it is decoded (streaming); timings go to stderr. MODEL.ptm comes from
ptmc --mode generate (prefill_<P> and decode_step_<C> entries with a
key/value cache; the smallest bucket that fits is used) or from --mode infer
(entry 'forward': every step reruns the last seq_len tokens). Generation stops
at --max-new-tokens, at the config's eos_token_id (<|endoftext|>), at a stop
string, or when the largest cache bucket is full.

  --weights FILE|DIR         model parameters (a model directory: its model.safetensors)
  --prompt TEXT              the prompt
  --prompts FILE             one prompt per line, decoded in batches of the artifact's
                             batch size; each continuation is printed as one line
                             (newlines as \n, backslashes as \\)
  --prompt-ids IDS           token ids instead of text: "5,17,3"; several prompts
                             separated by ';'
  --tokenizer DIR            vocab.json + merges.txt, encoder.json + vocab.bpe or a
                             BPE tokenizer.json;
                             default: the weights directory
  --max-new-tokens N         at most N new tokens per prompt (default 64)
  --temperature T            0: greedy (argmax); otherwise sampling at T (default 1)
  --top-k K                  sample among the K most likely tokens (default 0: all)
  --top-p P                  nucleus sampling: the smallest set with mass >= P (default 1)
  --repetition-penalty R     divide the logits of tokens already present by R (default 1)
  --stop TEXT                stop before this text (may be repeated; \n and \t are
                             newline and tab)
  --seed S                   sampling seed (default 0): the same seed, the same text
  --ignore-eos               do not stop at eos_token_id
  --print-ids                print the new token ids (one line per prompt) instead of text
  --threads K                worker threads (default: all hardware threads)
)";

constexpr const char *kEmbedUsage = R"(usage: ptm-run embed MODEL.ptm --weights DIR (--text TEXT | --in TEXTS.txt) [--similarity]
                     [--pooling mean|cls] [--normalize | --no-normalize] [--out FILE]
                     [--tokenizer DIR] [--threads K]
       ptm-run embed MODEL.ptm --weights DIR --in PAIRS.txt --pairs [options]

Sentence embeddings with a BERT encoder artifact (ptmc --task embed), as
sentence-transformers computes them: each text is encoded as [CLS] TEXT [SEP]
(cut to the sequence length with [SEP] kept last), the artifact's batches are
filled with texts (padding rows masked out), and each text's last_hidden_state
is pooled and optionally L2-normalised. Prints one line per text of
space-separated floats; with --similarity the matrix of cosine similarities
of the texts instead, with --pairs the cosine similarity of each pair.

A sentence-transformers model directory sets the defaults: the pooling of its
1_Pooling/config.json, normalisation when modules.json lists Normalize, and
the length limit of sentence_bert_config.json's max_seq_length (within the
artifact's). Another directory gets mean pooling without normalisation.

  --weights DIR      the model: a Hugging Face model directory (its
                     model.safetensors) or a safetensors file
  --text TEXT        one text to embed
  --in FILE          texts to embed, one per line
  --pairs            each line of --in is "A<TAB>B" (split at the first tab):
                     print the cosine similarity of A and B
  --similarity       print the N x N cosine similarities of the texts
  --pooling MODE     mean: the mean over the text's tokens, [CLS] and [SEP]
                     included; cls: the [CLS] token's vector
  --normalize        L2-normalise the embeddings; --no-normalize: do not
  --out FILE         write the lines to FILE instead of standard output
  --tokenizer DIR    WordPiece vocabulary (vocab.txt, with tokenizer_config.json
                     for do_lower_case) (default: the weights' directory)
  --threads K        worker threads (default: all hardware threads)
)";

constexpr const char *kScoreUsage = R"(usage: ptm-run score MODEL.ptm --weights DIR (--text TEXT | --in FILE) [--context TEXT]
                     [--tokenizer DIR] [--threads K]

Scores texts with the forward entry of a GPT-2 artifact (ptmc DIR --batch B
--seq T): the log-likelihood of each text's tokens, each given all tokens
before it, as lm-evaluation-harness measures it. A text is scored after the
end-of-text token (the tokenizer's bos_token, or <|endoftext|>), so that every
token of it counts; with --context only the continuation's tokens are scored,
given the context (context and continuation encoded on their own and the ids
joined, the context's trailing whitespace moved to the continuation, as
lm-evaluation-harness does). Texts longer than T are scored in windows of T
tokens advancing by T/2, each token once, with at least T/2 tokens of
context. Windows are packed B to a call; the log-softmax is taken in double
precision.

Prints per text "LOG-LIKELIHOOD<TAB>TOKENS<TAB>PERPLEXITY<TAB>TEXT" (nats;
perplexity = exp(-log-likelihood / tokens)), then a "# total:" line with the
perplexity of all tokens together.

  --weights DIR    the model: a Hugging Face model directory (its
                   model.safetensors) or a safetensors file
  --text TEXT      one text to score (with --context: the continuation)
  --in FILE        score each line of FILE (UTF-8; empty lines are skipped;
                   with --context: each line is a continuation of it)
  --context TEXT   score the texts as continuations of TEXT
  --tokenizer DIR  byte-level BPE vocabulary (vocab.json + merges.txt,
                   encoder.json + vocab.bpe, or tokenizer.json) (default: the
                   weights' directory)
  --threads K      worker threads (default: all hardware threads)
)";

constexpr const char *kClassifyUsage = R"(usage: ptm-run classify MODEL.ptm --weights DIR --labels A,B,... --template TEXT --in FILE.tsv
                        (--zero-shot | --shots FILE.tsv [--k N] [--seed S]) [options]

Classifies each example of a TSV file by the likelihood of its label, as GPT-3
evaluates zero- and few-shot classification: every label is scored as the
continuation " LABEL" of the prompt (see 'ptm-run score'), and the most
likely one is the prediction. The prompt is the template with {text} replaced
by the example's text; with --shots, k demonstrations come first, each the
template filled with a shot's text, then " LABEL" and a blank line. Each
example gets its own k shots, drawn without replacement by --seed (a partial
Fisher-Yates shuffle of the shot rows driven by SplitMix64, k draws per
example in file order; --predictions lists the rows drawn).

Prints the number of examples, the accuracy, the majority-class baseline, the
confusion matrix and each label's precision and recall.

  --weights DIR          the model: a Hugging Face model directory or a
                         safetensors file
  --labels A,B,...       the label names; label i of the TSV (0-based) is the
                         i-th name, and a TSV label may also be a name
  --template TEXT        the prompt, with {text}; "\n" is a line break, "\t" a
                         tab (e.g. "Review: {text}\nSentiment:")
  --in FILE.tsv          the examples: a TSV file with a header row, as SST-2's
                         "sentence<TAB>label"
  --zero-shot            no demonstrations
  --shots FILE.tsv       draw demonstrations from this TSV file (same columns)
  --k N                  demonstrations per example (default 4)
  --seed S               seed of the demonstration draw (default 0)
  --text-column NAME     column of the texts (default sentence)
  --label-column NAME    column of the labels (default label)
  --per-token            rank labels by their mean log-probability per label
                         token (default: by the sum over the label's tokens)
  --predictions FILE     write per example: index, label, prediction, each
                         label's score and the shot rows used (TSV)
  --tokenizer DIR        byte-level BPE vocabulary (default: the weights'
                         directory)
  --threads K            worker threads (default: all hardware threads)
)";

constexpr const char *kBenchUsage = R"(usage: ptm-run bench MODEL.ptm [--entry NAME] [--iters N] [--warmup W] [--threads K]

Times an entry with random weights and random inputs (token ids uniform below
their bound, masks all ones) and prints the median and minimum time per call,
then one machine-readable line:
  bench entry=NAME iters=N threads=K median_ms=X min_ms=Y

  --entry NAME   entry to time (default: forward)
  --iters N      timed calls (default: 20)
  --warmup W     untimed calls before timing (default: 3)
  --threads K    worker threads (default: all hardware threads)
)";

// A mistake on the command line: reported with a hint at the command's help.
struct UsageError {
  std::string message;
};

// The positional arguments and --flag values of one command.
struct CommandLine {
  std::vector<std::string> positionals;
  std::map<std::string, std::string> flags;
  std::map<std::string, std::vector<std::string>> lists;
  bool help = false;

  bool has(const std::string &flag) const { return flags.count(flag) != 0; }
  std::string value(const std::string &flag, const std::string &fallback) const {
    auto found = flags.find(flag);
    return found == flags.end() ? fallback : found->second;
  }
};

// Flags that take no value: present or absent.
const std::set<std::string> kSwitches = {"--log-scale", "--decode", "--add-special-tokens", "--lowercase",
                                          "--no-lowercase", "--pairs", "--whole-word-masking", "--ignore-eos",
                                          "--print-ids", "--similarity", "--normalize", "--no-normalize",
                                          "--zero-shot", "--per-token"};
// Flags that may be given more than once; CommandLine::lists holds their values.
const std::set<std::string> kRepeatable = {"--stop"};

// Parses argv[first..] for a command that accepts `valueFlags` (each takes a
// value, as "--flag value" or "--flag=value", unless it is one of kSwitches)
// plus --help.
CommandLine parseCommandLine(int argc, char **argv, int first, const std::set<std::string> &valueFlags) {
  CommandLine commandLine;
  for (int i = first; i < argc; ++i) {
    std::string argument = argv[i];
    if (argument == "--help" || argument == "-h") {
      commandLine.help = true;
      continue;
    }
    if (argument.size() < 2 || argument[0] != '-') {
      commandLine.positionals.push_back(argument);
      continue;
    }
    std::string flag = argument;
    std::string value;
    bool hasInlineValue = false;
    if (size_t equals = argument.find('='); equals != std::string::npos) {
      flag = argument.substr(0, equals);
      value = argument.substr(equals + 1);
      hasInlineValue = true;
    }
    if (!valueFlags.count(flag))
      throw UsageError{"unknown flag '" + flag + "'"};
    if (kSwitches.count(flag)) {
      if (hasInlineValue)
        throw UsageError{"flag '" + flag + "' takes no value"};
      value = "1";
    } else if (!hasInlineValue) {
      if (i + 1 >= argc)
        throw UsageError{"flag '" + flag + "' needs a value"};
      value = argv[++i];
    }
    if (kRepeatable.count(flag)) {
      commandLine.lists[flag].push_back(value);
      continue;
    }
    if (!commandLine.flags.emplace(flag, value).second)
      throw UsageError{"flag '" + flag + "' is given twice"};
  }
  return commandLine;
}

// The command's single positional argument, `what` (a path).
const std::string &onlyPositional(const CommandLine &commandLine, const std::string &what) {
  if (commandLine.positionals.empty())
    throw UsageError{"missing " + what};
  if (commandLine.positionals.size() > 1)
    throw UsageError{"unexpected argument '" + commandLine.positionals[1] + "'"};
  return commandLine.positionals[0];
}

// The command's single positional argument, the artifact path.
const std::string &modelPath(const CommandLine &commandLine) {
  return onlyPositional(commandLine, "the artifact path");
}

const std::string &requiredFlag(const CommandLine &commandLine, const std::string &flag) {
  auto found = commandLine.flags.find(flag);
  if (found == commandLine.flags.end())
    throw UsageError{"missing required flag '" + flag + "'"};
  return found->second;
}

int integerFlag(const CommandLine &commandLine, const std::string &flag, int fallback, int minimum) {
  if (!commandLine.has(flag))
    return fallback;
  const std::string &text = commandLine.flags.at(flag);
  size_t parsedLength = 0;
  long value = 0;
  try {
    value = std::stol(text, &parsedLength);
  } catch (const std::exception &) {
    parsedLength = 0;
  }
  if (parsedLength != text.size() || text.empty() || value < minimum || value > 1000000000)
    throw UsageError{"flag '" + flag + "' needs an integer of at least " + std::to_string(minimum) + ", got '" +
                     text + "'"};
  return static_cast<int>(value);
}

double numberFlag(const CommandLine &commandLine, const std::string &flag, double fallback) {
  if (!commandLine.has(flag))
    return fallback;
  const std::string &text = commandLine.flags.at(flag);
  size_t parsedLength = 0;
  double value = 0;
  try {
    value = std::stod(text, &parsedLength);
  } catch (const std::exception &) {
    parsedLength = 0;
  }
  if (parsedLength != text.size() || text.empty() || !std::isfinite(value))
    throw UsageError{"flag '" + flag + "' needs a number, got '" + text + "'"};
  return value;
}

template <typename T> std::optional<T> optionalFlag(const CommandLine &commandLine, const std::string &flag, T value) {
  return commandLine.has(flag) ? std::optional<T>(value) : std::nullopt;
}

// "1 parameter", "3 parameters"
std::string counted(int64_t count, const std::string &noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

const char *codeKindName(ptm::artifact::CodeKind kind) { return ptm::artifact::EnumNameCodeKind(kind); }

std::string orDash(const flatbuffers::String *text) {
  return text && text->size() ? text->str() : std::string("-");
}

void printSignature(const char *role, const flatbuffers::Vector<flatbuffers::Offset<ptm::artifact::TensorDesc>> *descs) {
  std::cout << "    " << role << ":\n";
  if (!descs || descs->size() == 0) {
    std::cout << "      (none)\n";
    return;
  }
  for (const ptm::artifact::TensorDesc *desc : *descs) {
    std::cout << "      " << ptm::formatTensorDesc(*desc);
    if (desc->value_bound() > 0) {
      std::cout << "  (values in [0, " << desc->value_bound() << ")";
      if (desc->has_value_exception())
        std::cout << " or " << desc->value_exception();
      std::cout << ")";
    }
    std::cout << "\n";
  }
}

int runInfo(const CommandLine &commandLine) {
  ptm::ArtifactReader reader(modelPath(commandLine));
  const ptm::artifact::Artifact &artifact = reader.artifact();
  std::cout << "artifact:  " << reader.path() << "\n"
            << "producer:  " << orDash(artifact.producer()) << "\n"
            << "format:    version " << reader.formatVersion() << "\n"
            << "model:     " << orDash(artifact.model_type()) << ", mode " << orDash(artifact.mode()) << ", batch "
            << artifact.batch() << ", seq_len " << artifact.seq_len() << "\n";

  std::cout << "code:\n";
  if (!artifact.code() || artifact.code()->size() == 0)
    std::cout << "  (none)\n";
  else
    for (const ptm::artifact::CodeBlob *blob : *artifact.code())
      std::cout << "  " << codeKindName(blob->kind()) << ": triple " << orDash(blob->target_triple()) << ", cpu "
                << orDash(blob->target_cpu()) << ", features " << orDash(blob->target_features()) << ", "
                << ptm::withThousands(blob->bytes() ? blob->bytes()->size() : 0) << " bytes\n";

  std::cout << "tokenizer:";
  if (!artifact.tokenizer_files() || artifact.tokenizer_files()->size() == 0)
    std::cout << " (none: ptm-run reads it from --tokenizer or the weights directory)";
  else
    for (const ptm::artifact::TokenizerFile *file : *artifact.tokenizer_files())
      std::cout << (file == *artifact.tokenizer_files()->begin() ? " " : ", ") << file->name()->str() << " ("
                << ptm::withThousands(file->contents() ? file->contents()->size() : 0) << " bytes)";
  std::cout << "\n";

  std::cout << "entries:\n";
  if (!artifact.entries() || artifact.entries()->size() == 0)
    std::cout << "  (none)\n";
  else
    for (const ptm::artifact::Entry *entry : *artifact.entries()) {
      size_t parameterCount = entry->parameter_indices() ? entry->parameter_indices()->size() : 0;
      size_t updatedCount = entry->updated_parameter_indices() ? entry->updated_parameter_indices()->size() : 0;
      std::cout << "  " << entry->name()->str() << " (symbol " << entry->symbol()->str() << ", "
                << counted(parameterCount, "parameter")
                << (updatedCount ? ", updates " + std::to_string(updatedCount) + " in place" : "") << ")\n";
      printSignature("inputs", entry->inputs());
      printSignature("outputs", entry->outputs());
      if (entry->schedule() && entry->schedule()->size() > 0) {
        std::cout << "    contractions:\n";
        for (const flatbuffers::String *line : *entry->schedule())
          std::cout << "      " << line->str() << "\n";
      }
    }

  size_t parameterCount = artifact.parameters() ? artifact.parameters()->size() : 0;
  std::cout << "parameters: " << counted(static_cast<int64_t>(parameterCount), "tensor") << "\n";
  if (parameterCount == 0)
    return 0;
  size_t nameWidth = 0;
  size_t typeWidth = 0;
  for (const ptm::artifact::Parameter *parameter : *artifact.parameters()) {
    const ptm::artifact::TensorDesc &desc = *parameter->desc();
    nameWidth = std::max<size_t>(nameWidth, desc.name()->size());
    typeWidth = std::max(typeWidth, ptm::formatSignature(ptm::toRuntimeDType(desc.dtype()), ptm::shapeOf(desc)).size());
  }
  int64_t total = 0;
  int64_t tiedTotal = 0;
  for (const ptm::artifact::Parameter *parameter : *artifact.parameters()) {
    const ptm::artifact::TensorDesc &desc = *parameter->desc();
    int64_t count = ptm::elementCount(ptm::shapeOf(desc));
    std::string type = ptm::formatSignature(ptm::toRuntimeDType(desc.dtype()), ptm::shapeOf(desc));
    std::cout << "  " << std::left << std::setw(static_cast<int>(nameWidth)) << desc.name()->str() << "  "
              << std::setw(static_cast<int>(typeWidth)) << type << "  " << std::right << std::setw(14)
              << ptm::withThousands(count);
    if (parameter->tied_to())
      std::cout << "  (tied to " << parameter->tied_to()->str() << ")";
    std::cout << "\n";
    total += count;
    if (parameter->tied_to())
      tiedTotal += count;
  }
  std::cout << "total parameters: " << ptm::withThousands(total);
  if (tiedTotal)
    std::cout << " (" << ptm::withThousands(total - tiedTotal) << " without tied copies)";
  std::cout << "\n";
  return 0;
}

// Runs `entryName` on the inputs file and writes all its outputs.
int runEntryOnFiles(const CommandLine &commandLine, const std::string &entryName) {
  const std::string &model = modelPath(commandLine);
  const std::string &inputsPath = requiredFlag(commandLine, "--inputs");
  const std::string &outputPath = requiredFlag(commandLine, "--out");
  int threads = integerFlag(commandLine, "--threads", 0, 1);

  ptm::Session session(model, ptm::SessionOptions{threads});
  session.artifactReader().entry(entryName); // an unknown entry fails before the slow weight loading
  // A kernel module compiled with ptmc may have no parameters to bind.
  const auto *parameters = session.artifactReader().artifact().parameters();
  if (commandLine.has("--weights") || (parameters && parameters->size() > 0))
    session.bindWeights(requiredFlag(commandLine, "--weights"));
  ptm::TensorMap inputs = ptm::readSafetensors(inputsPath);
  auto start = std::chrono::steady_clock::now();
  std::vector<ptm::Tensor> outputs = session.run(entryName, std::move(inputs), inputsPath);
  std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - start;

  std::vector<const ptm::Tensor *> outputPointers;
  std::string written;
  for (const ptm::Tensor &output : outputs) {
    outputPointers.push_back(&output);
    written += (written.empty() ? "" : ", ") + output.name() + ": " + ptm::formatSignature(output.dtype(), output.shape());
  }
  ptm::writeSafetensors(outputPath, outputPointers);
  std::printf("%s: ran in %.3f ms, wrote %s to %s\n", entryName.c_str(), elapsed.count(), written.c_str(),
              outputPath.c_str());
  return 0;
}

int runForward(const CommandLine &commandLine) {
  return runEntryOnFiles(commandLine, commandLine.value("--entry", "forward"));
}

int runGrad(const CommandLine &commandLine) { return runEntryOnFiles(commandLine, "grad"); }

int runTrain(const CommandLine &commandLine) {
  const std::string &model = modelPath(commandLine);
  const std::string &weightsPath = requiredFlag(commandLine, "--weights");
  const std::string &inputsPath = requiredFlag(commandLine, "--inputs");
  const std::string &outputPath = requiredFlag(commandLine, "--out");
  int steps = integerFlag(commandLine, "--steps", -1, 1);
  if (steps < 1)
    throw ptm::Error(model, "--steps is required");
  requiredFlag(commandLine, "--lr");
  double learningRate = numberFlag(commandLine, "--lr", 0);
  int threads = integerFlag(commandLine, "--threads", 0, 1);

  ptm::Session session(model, ptm::SessionOptions{threads});
  const ptm::artifact::Entry &entry = session.artifactReader().entry("train_step");
  session.bindWeights(weightsPath);
  ptm::TensorMap batches = ptm::readSafetensors(inputsPath);
  for (int step = 0; step < steps; ++step) {
    ptm::TensorMap inputs;
    for (const char *name : {"input_ids", "labels", "attention_mask"}) {
      std::string perStep = std::string(name) + "_" + std::to_string(step);
      auto found = batches.find(perStep);
      if (found == batches.end())
        found = batches.find(name);
      if (found != batches.end())
        inputs.emplace(name, found->second.clone(name));
    }
    inputs.emplace("learning_rate", ptm::scalarInput(entry, "learning_rate", learningRate));
    inputs.emplace("step", ptm::scalarInput(entry, "step", step + 1));
    // Artifacts compiled with --dropout: each step draws its own masks
    // (the inputs file may fix them with dropout_seed or dropout_seed_<k>).
    if (ptm::findInput(entry, "dropout_seed")) {
      std::string perStep = "dropout_seed_" + std::to_string(step);
      auto given = batches.find(perStep);
      if (given == batches.end())
        given = batches.find("dropout_seed");
      if (given != batches.end()) {
        inputs.emplace("dropout_seed", given->second.clone("dropout_seed"));
      } else {
        ptm::Tensor seed("dropout_seed", ptm::DType::I64, {});
        seed.dataAs<int64_t>()[0] = step + 1;
        inputs.emplace("dropout_seed", std::move(seed));
      }
    }
    auto start = std::chrono::steady_clock::now();
    std::vector<ptm::Tensor> outputs = session.run("train_step", std::move(inputs), inputsPath);
    std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - start;
    const ptm::Tensor &loss = outputs.front();
    std::printf("step %d/%d: loss %.6f (%.1f ms)\n", step + 1, steps, ptm::scalarValue(loss), elapsed.count());
  }
  session.writeParameters(outputPath, ptm::Session::ParameterSelection::Model);
  if (commandLine.has("--optimizer-out"))
    session.writeParameters(commandLine.value("--optimizer-out", ""), ptm::Session::ParameterSelection::All);
  std::printf("wrote the trained parameters to %s\n", outputPath.c_str());
  return 0;
}

int runPretrain(const CommandLine &commandLine) {
  ptm::loops::PretrainOptions options;
  options.artifactPath = modelPath(commandLine);
  options.dataPath = requiredFlag(commandLine, "--data");
  options.tokenizerPath = commandLine.value("--tokenizer", "");
  options.weightsPath = commandLine.value("--weights", "");
  options.resumePath = commandLine.value("--resume", "");
  options.outputDirectory = commandLine.value("--out", "");
  options.logPath = commandLine.value("--log", "");
  ptm::loops::PretrainRunSettings &run = options.run;
  run.steps = optionalFlag<int64_t>(commandLine, "--steps", integerFlag(commandLine, "--steps", 1, 1));
  run.learningRate = optionalFlag(commandLine, "--lr", numberFlag(commandLine, "--lr", 0));
  run.minLearningRate = optionalFlag(commandLine, "--min-lr", numberFlag(commandLine, "--min-lr", 0));
  run.warmupSteps = optionalFlag<int64_t>(commandLine, "--warmup", integerFlag(commandLine, "--warmup", 0, 0));
  run.schedule = optionalFlag(commandLine, "--schedule", commandLine.value("--schedule", ""));
  run.seed = optionalFlag<uint64_t>(commandLine, "--seed", integerFlag(commandLine, "--seed", 0, 0));
  run.validationFraction = optionalFlag(commandLine, "--val-fraction", numberFlag(commandLine, "--val-fraction", 0));
  run.maskedLmProbability =
      optionalFlag(commandLine, "--masked-lm-prob", numberFlag(commandLine, "--masked-lm-prob", 0));
  run.shortSequenceProbability =
      optionalFlag(commandLine, "--short-seq-prob", numberFlag(commandLine, "--short-seq-prob", 0));
  run.maxPredictionsPerSequence =
      optionalFlag<int64_t>(commandLine, "--max-predictions", integerFlag(commandLine, "--max-predictions", 1, 1));
  run.dupeFactor = optionalFlag<int64_t>(commandLine, "--dupe-factor", integerFlag(commandLine, "--dupe-factor", 1, 1));
  if (commandLine.has("--whole-word-masking"))
    run.wholeWordMasking = true;
  if (commandLine.has("--lowercase") && commandLine.has("--no-lowercase"))
    throw UsageError{"--lowercase and --no-lowercase exclude each other"};
  if (commandLine.has("--lowercase") || commandLine.has("--no-lowercase"))
    run.lowercase = commandLine.has("--lowercase");
  if (!options.resumePath.empty() && !options.weightsPath.empty())
    throw UsageError{"--resume and --weights exclude each other (a checkpoint holds its weights)"};
  if (!options.resumePath.empty() && !options.tokenizerPath.empty())
    throw UsageError{"--resume and --tokenizer exclude each other (a checkpoint holds its tokenizer)"};
  options.evalEvery = integerFlag(commandLine, "--eval-every", 100, 1);
  options.evalBatches = integerFlag(commandLine, "--eval-batches", 8, 1);
  options.logEvery = integerFlag(commandLine, "--log-every", 10, 1);
  options.checkpointEvery = integerFlag(commandLine, "--checkpoint-every", 0, 1);
  options.keepCheckpoints = integerFlag(commandLine, "--keep-checkpoints", 3, 1);
  options.sampleTokens = integerFlag(commandLine, "--sample-tokens", 200, 0);
  options.prompt = commandLine.value("--prompt", "");
  options.sampling.temperature = numberFlag(commandLine, "--temperature", 0.8);
  options.sampling.topK = integerFlag(commandLine, "--top-k", 40, 0);
  options.sampling.topP = numberFlag(commandLine, "--top-p", 1.0);
  if (options.sampling.temperature < 0)
    throw UsageError{"--temperature must not be negative"};
  if (!(options.sampling.topP > 0 && options.sampling.topP <= 1))
    throw UsageError{"--top-p must lie in (0, 1]"};
  options.threads = integerFlag(commandLine, "--threads", 0, 1);
  ptm::loops::pretrain(options);
  return 0;
}

int runPlot(const CommandLine &commandLine) {
  const std::string &csvPath = onlyPositional(commandLine, "the training log (CSV) path");
  const std::string &pngPath = requiredFlag(commandLine, "--out");
  ptm::plot::LossPlotOptions options;
  options.title = commandLine.value("--title", "");
  options.width = integerFlag(commandLine, "--width", options.width, 1);
  options.height = integerFlag(commandLine, "--height", options.height, 1);
  options.logScale = commandLine.has("--log-scale");
  ptm::plot::plotTrainingLog(csvPath, pngPath, options);
  std::printf("wrote %s\n", pngPath.c_str());
  return 0;
}

int runTokenize(const CommandLine &commandLine) {
  if (!commandLine.positionals.empty())
    throw UsageError{"unexpected argument '" + commandLine.positionals[0] + "'"};
  const std::string &tokenizerPath = requiredFlag(commandLine, "--tokenizer");
  const std::string &inputPath = requiredFlag(commandLine, "--in");
  const std::string &outputPath = requiredFlag(commandLine, "--out");
  const std::string tokenTypesPath = commandLine.value("--token-types", "");
  bool decoding = commandLine.has("--decode");
  bool pairs = commandLine.has("--pairs");
  bool addSpecialTokens = commandLine.has("--add-special-tokens");
  if (commandLine.has("--lowercase") && commandLine.has("--no-lowercase"))
    throw UsageError{"--lowercase and --no-lowercase exclude each other"};
  if (!tokenTypesPath.empty() && !pairs)
    throw UsageError{"--token-types needs --pairs"};
  if (decoding && (pairs || addSpecialTokens))
    throw UsageError{"--decode excludes --pairs and --add-special-tokens"};
  std::optional<bool> lowercase;
  if (commandLine.has("--lowercase") || commandLine.has("--no-lowercase"))
    lowercase = commandLine.has("--lowercase");

  for (const char *flag : {"--add-special-tokens", "--lowercase", "--no-lowercase", "--pairs"})
    if (commandLine.has(flag) && !ptm::WordPiece::hasVocabulary(tokenizerPath))
      throw ptm::Error(tokenizerPath, std::string("holds no WordPiece vocabulary (vocab.txt or tokenizer.json), which ") +
                                          flag + " needs");
  ptm::ModelTokenizer tokenizer = ptm::loadModelTokenizer(tokenizerPath, lowercase);
  const std::optional<ptm::WordPiece> &wordPiece = tokenizer.wordPiece;
  const std::optional<ptm::ByteLevelBpe> &byteLevelBpe = tokenizer.byteLevelBpe;
  const int64_t vocabSize = tokenizer.vocabSize();

  std::ifstream input(inputPath, std::ios::binary);
  if (!input)
    throw ptm::Error(inputPath, "cannot be read");
  std::string output, tokenTypes, line;
  auto appendIdLine = [](std::string &out, const std::vector<int32_t> &ids) {
    for (size_t i = 0; i < ids.size(); ++i)
      out += (i ? " " : "") + std::to_string(ids[i]);
    out += "\n";
  };
  int64_t lineNumber = 0, tokenCount = 0;
  while (std::getline(input, line)) {
    ++lineNumber;
    std::vector<int32_t> ids;
    if (decoding) {
      std::istringstream fields(line);
      std::string field;
      while (fields >> field) {
        size_t parsed = 0;
        long value = -1;
        try {
          value = std::stol(field, &parsed);
        } catch (const std::exception &) {
          parsed = 0;
        }
        if (parsed != field.size() || value < 0 || value >= vocabSize)
          throw ptm::Error(inputPath, "line " + std::to_string(lineNumber) + ": '" + field +
                                          "' is not a token id below " + std::to_string(vocabSize));
        ids.push_back(static_cast<int32_t>(value));
      }
      output += (wordPiece ? wordPiece->decode(ids) : byteLevelBpe->decode(ids)) + "\n";
    } else if (pairs) {
      size_t tab = line.find('\t');
      if (tab == std::string::npos)
        throw ptm::Error(inputPath, "line " + std::to_string(lineNumber) + " has no tab between the two texts");
      ptm::WordPiece::EncodedPair pair = wordPiece->encodePair(line.substr(0, tab), line.substr(tab + 1));
      ids = std::move(pair.ids);
      appendIdLine(output, ids);
      appendIdLine(tokenTypes, pair.tokenTypeIds);
    } else {
      ids = !wordPiece ? byteLevelBpe->encode(line)
            : addSpecialTokens ? wordPiece->encodeWithSpecialTokens(line)
                               : wordPiece->encode(line);
      appendIdLine(output, ids);
    }
    tokenCount += static_cast<int64_t>(ids.size());
  }
  if (input.bad())
    throw ptm::Error(inputPath, "read failed");
  ptm::writeFileAtomically(outputPath, [&](std::ostream &stream) { stream << output; });
  if (!tokenTypesPath.empty())
    ptm::writeFileAtomically(tokenTypesPath, [&](std::ostream &stream) { stream << tokenTypes; });
  std::fprintf(stderr, "%s: %lld lines, %lld tokens -> %s\n", inputPath.c_str(), static_cast<long long>(lineNumber),
               static_cast<long long>(tokenCount), outputPath.c_str());
  return 0;
}

int runFillMask(const CommandLine &commandLine) {
  const std::string &model = modelPath(commandLine);
  const std::string &weightsPath = requiredFlag(commandLine, "--weights");
  const std::string &text = requiredFlag(commandLine, "--text");
  int topK = integerFlag(commandLine, "--top-k", 5, 1);
  int threads = integerFlag(commandLine, "--threads", 0, 1);
  ptm::Session session(model, ptm::SessionOptions{threads});
  ptm::TokenizerDirectory tokenizerDirectory(commandLine.value("--tokenizer", ""), weightsPath,
                                             session.artifactReader());
  if (!commandLine.has("--tokenizer") && !ptm::WordPiece::hasVocabulary(tokenizerDirectory.path()))
    throw ptm::Error(tokenizerDirectory.path(), "holds no vocab.txt nor a WordPiece tokenizer.json (a WordPiece "
                                                "vocabulary); name one with --tokenizer");
  ptm::WordPiece tokenizer = ptm::loadWordPieceTokenizer(tokenizerDirectory.path(), "fill-mask");
  // A text or artifact that cannot work fails before the slow weight loading.
  ptm::loops::FillMaskQuery query = ptm::loops::prepareFillMask(session.artifactReader(), tokenizer, text);
  session.bindWeights(weightsPath);
  ptm::loops::printMaskPredictions(std::cout, ptm::loops::fillMask(session, tokenizer, query, topK));
  return 0;
}

// "\n", "\t" and "\\" in a flag's text as the characters they name.
std::string unescape(const std::string &text) {
  std::string result;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == 'n' || text[i + 1] == 't' || text[i + 1] == '\\')) {
      result += text[i + 1] == 'n' ? '\n' : text[i + 1] == 't' ? '\t' : '\\';
      ++i;
    } else {
      result += text[i];
    }
  }
  return result;
}

// A continuation on one line: newlines and backslashes escaped.
std::string escapeLine(const std::string &text) {
  std::string result;
  for (char c : text)
    result += c == '\n' ? std::string("\\n") : c == '\\' ? std::string("\\\\") : std::string(1, c);
  return result;
}

std::vector<std::vector<int32_t>> parsePromptIds(const std::string &text) {
  std::vector<std::vector<int32_t>> prompts;
  std::stringstream all(text);
  std::string prompt;
  while (std::getline(all, prompt, ';')) {
    std::vector<int32_t> ids;
    std::stringstream items(prompt);
    std::string item;
    while (std::getline(items, item, ',')) {
      size_t parsed = 0;
      long value = -1;
      try {
        value = std::stol(item, &parsed);
      } catch (const std::exception &) {
        parsed = 0;
      }
      if (parsed == 0 || parsed != item.size() || value < 0 || value > std::numeric_limits<int32_t>::max())
        throw UsageError{"--prompt-ids needs non-negative integers separated by ',' (prompts by ';'), got '" +
                         item + "'"};
      ids.push_back(static_cast<int32_t>(value));
    }
    prompts.push_back(std::move(ids));
  }
  return prompts;
}

int runGenerate(const CommandLine &commandLine) {
  const std::string &model = modelPath(commandLine);
  const std::string &weightsPath = requiredFlag(commandLine, "--weights");
  int sources = commandLine.has("--prompt") + commandLine.has("--prompts") + commandLine.has("--prompt-ids");
  if (sources != 1)
    throw UsageError{"give exactly one of --prompt, --prompts and --prompt-ids"};
  ptm::loops::GenerationOptions options;
  options.maxNewTokens = integerFlag(commandLine, "--max-new-tokens", 64, 0);
  options.sampling.temperature = numberFlag(commandLine, "--temperature", 1.0);
  options.sampling.topK = integerFlag(commandLine, "--top-k", 0, 0);
  options.sampling.topP = numberFlag(commandLine, "--top-p", 1.0);
  options.repetitionPenalty = numberFlag(commandLine, "--repetition-penalty", 1.0);
  options.seed = static_cast<uint64_t>(integerFlag(commandLine, "--seed", 0, 0));
  if (options.sampling.temperature < 0)
    throw UsageError{"--temperature must be 0 (greedy) or positive"};
  if (!(options.sampling.topP > 0 && options.sampling.topP <= 1))
    throw UsageError{"--top-p must be in (0, 1]"};
  if (!(options.repetitionPenalty > 0))
    throw UsageError{"--repetition-penalty must be positive"};
  if (auto stops = commandLine.lists.find("--stop"); stops != commandLine.lists.end())
    for (const std::string &stop : stops->second) {
      if (stop.empty())
        throw UsageError{"--stop needs a non-empty text"};
      options.stopStrings.push_back(unescape(stop));
    }
  bool printIds = commandLine.has("--print-ids");
  int threads = integerFlag(commandLine, "--threads", 0, 1);

  // The tokenizer: needed for text prompts, stop strings and text output.
  bool needsTokenizer = !commandLine.has("--prompt-ids") || !options.stopStrings.empty() || !printIds;
  ptm::Session session(model, ptm::SessionOptions{threads});
  std::optional<ptm::ByteLevelBpe> tokenizer;
  if (needsTokenizer) {
    ptm::TokenizerDirectory tokenizerDirectory(commandLine.value("--tokenizer", ""), weightsPath,
                                               session.artifactReader());
    tokenizer.emplace(ptm::loadByteLevelBpeTokenizer(tokenizerDirectory.path(), "generate"));
  }

  std::vector<std::vector<int32_t>> prompts;
  if (commandLine.has("--prompt-ids")) {
    prompts = parsePromptIds(commandLine.flags.at("--prompt-ids"));
  } else {
    std::vector<std::string> texts;
    if (commandLine.has("--prompt")) {
      texts.push_back(commandLine.flags.at("--prompt"));
    } else {
      const std::string &path = commandLine.flags.at("--prompts");
      std::ifstream in(path, std::ios::binary);
      if (!in)
        throw ptm::Error(path, "cannot be read");
      for (std::string line; std::getline(in, line);)
        texts.push_back(line.size() && line.back() == '\r' ? line.substr(0, line.size() - 1) : line);
      if (texts.empty())
        throw ptm::Error(path, "holds no prompts");
    }
    for (const std::string &text : texts) {
      std::vector<int32_t> ids = tokenizer->encode(text);
      // An empty prompt starts from <|endoftext|>, as GPT-2 was trained to.
      if (ids.empty())
        if (std::optional<int32_t> endOfText = tokenizer->tokenId("<|endoftext|>"))
          ids.push_back(*endOfText);
      prompts.push_back(std::move(ids));
    }
  }

  ptm::loops::Generator generator(session);
  if (!commandLine.has("--ignore-eos"))
    options.endOfText = ptm::loops::configuredEndOfText(session.artifactReader(), generator.vocabulary());
  if (tokenizer)
    options.choosableVocabulary = std::min<int64_t>(tokenizer->vocabSize(), generator.vocabulary());
  session.bindWeights(weightsPath);

  ptm::loops::TokenDecoder decode;
  if (tokenizer)
    decode = [&](const std::vector<int32_t> &ids) { return tokenizer->decode(ids); };
  bool streaming = prompts.size() == 1 && !printIds;
  ptm::loops::TextSink sink;
  if (streaming)
    sink = [](size_t, const std::string &bytes) {
      std::fwrite(bytes.data(), 1, bytes.size(), stdout);
      std::fflush(stdout);
    };
  ptm::loops::GenerationStatistics statistics;
  std::vector<ptm::loops::Generation> generations = generator.generate(prompts, options, decode, sink, statistics);
  for (const ptm::loops::Generation &generation : generations) {
    if (printIds) {
      for (size_t i = 0; i < generation.tokens.size(); ++i)
        std::printf("%s%d", i ? " " : "", generation.tokens[i]);
      std::printf("\n");
    } else if (!streaming) {
      std::printf("%s\n", escapeLine(generation.text).c_str());
    }
  }
  if (streaming)
    std::printf("\n");
  std::fflush(stdout);

  std::map<std::string, int> reasons;
  for (const ptm::loops::Generation &generation : generations)
    reasons[ptm::loops::stopReasonName(generation.stopReason)] += 1;
  std::string stopped;
  for (const auto &[reason, count] : reasons)
    stopped += (stopped.empty() ? "" : ", ") + reason + (prompts.size() > 1 ? " " + std::to_string(count) : "");
  std::fprintf(stderr,
               "%s: %zu prompt%s (%lld tokens), %s; prefill %.1f ms; %lld new tokens in %.3f s "
               "(decoding %.1f tokens/s, %lld steps of %lld rows); stopped: %s\n",
               model.c_str(), prompts.size(), prompts.size() == 1 ? "" : "s",
               static_cast<long long>(statistics.promptTokens),
               generator.usesKeyValueCache() ? "key/value cache" : "full forward per token",
               1e3 * statistics.prefillSeconds, static_cast<long long>(statistics.generatedTokens),
               statistics.decodeSeconds,
               statistics.decodeSeconds > 0
                   ? (statistics.generatedTokens - statistics.tokensFromPrefill) / statistics.decodeSeconds
                   : 0.0,
               static_cast<long long>(statistics.decodeSteps), static_cast<long long>(generator.batchRows()),
               stopped.c_str());
  return 0;
}

int runEmbed(const CommandLine &commandLine) {
  const std::string &model = modelPath(commandLine);
  const std::string &weightsPath = requiredFlag(commandLine, "--weights");
  if (commandLine.has("--text") == commandLine.has("--in"))
    throw UsageError{commandLine.has("--text") ? "--text and --in exclude each other"
                                               : "missing the texts: --text or --in"};
  if (commandLine.has("--pairs") && !commandLine.has("--in"))
    throw UsageError{"--pairs needs --in"};
  if (commandLine.has("--similarity") && commandLine.has("--pairs"))
    throw UsageError{"--similarity and --pairs exclude each other"};
  if (commandLine.has("--normalize") && commandLine.has("--no-normalize"))
    throw UsageError{"--normalize and --no-normalize exclude each other"};
  const std::string pooling = commandLine.value("--pooling", "");
  if (!pooling.empty() && pooling != "mean" && pooling != "cls")
    throw UsageError{"flag '--pooling' needs mean or cls, got '" + pooling + "'"};
  int threads = integerFlag(commandLine, "--threads", 0, 1);
  const std::string modelDirectory = ptm::weightsDirectoryOf(weightsPath);

  ptm::loops::EmbeddingOptions options = ptm::loops::embeddingOptionsOf(modelDirectory);
  if (!pooling.empty())
    options.pooling = pooling == "cls" ? ptm::loops::Pooling::Cls : ptm::loops::Pooling::Mean;
  if (commandLine.has("--normalize") || commandLine.has("--no-normalize"))
    options.normalize = commandLine.has("--normalize");
  const std::string inputPath = commandLine.value("--in", "");
  std::vector<std::string> texts = commandLine.has("--text") ? std::vector<std::string>{commandLine.value("--text", "")}
                                   : commandLine.has("--pairs") ? ptm::loops::readTextPairs(inputPath)
                                                                : ptm::loops::readTextLines(inputPath);
  ptm::Session session(model, ptm::SessionOptions{threads});
  ptm::TokenizerDirectory tokenizerDirectory(commandLine.value("--tokenizer", ""), weightsPath,
                                             session.artifactReader());
  if (!commandLine.has("--tokenizer") && !ptm::WordPiece::hasVocabulary(tokenizerDirectory.path()))
    throw ptm::Error(tokenizerDirectory.path(), "holds no vocab.txt (a WordPiece vocabulary); name one with --tokenizer");
  ptm::WordPiece tokenizer = ptm::WordPiece::load(tokenizerDirectory.path());
  // An artifact that cannot work fails before the slow weight loading.
  ptm::loops::EncoderShape shape = ptm::loops::checkEncoderArtifact(session.artifactReader(), tokenizer);
  session.bindWeights(weightsPath);
  ptm::loops::EmbeddingRun run = ptm::loops::embedTexts(session, tokenizer, texts, options);

  auto print = [&](std::ostream &out) {
    if (commandLine.has("--pairs"))
      ptm::loops::printRows(out, ptm::loops::pairCosines(run.embeddings));
    else if (commandLine.has("--similarity"))
      ptm::loops::printRows(out, ptm::loops::cosineMatrix(run.embeddings));
    else
      ptm::loops::printRows(out, run.embeddings);
  };
  if (commandLine.has("--out"))
    ptm::writeFileAtomically(commandLine.value("--out", ""), print);
  else
    print(std::cout);
  std::fprintf(stderr, "%s of %lld floats (%s pooling%s), %s cut to %lld tokens; %s on %lld x %lld tokens, "
               "%.1f ms each\n",
               counted(static_cast<int64_t>(texts.size()), "embedding").c_str(), static_cast<long long>(shape.width),
               options.pooling == ptm::loops::Pooling::Cls ? "[CLS]" : "mean", options.normalize ? ", normalised" : "",
               counted(run.truncatedTexts, "text").c_str(), static_cast<long long>(run.maxTokens),
               counted(run.batches, "encoder call").c_str(), static_cast<long long>(shape.batch),
               static_cast<long long>(shape.seqLen), run.batches ? run.encoderMilliseconds / run.batches : 0.0);
  return 0;
}

// The byte-level BPE tokenizer of a causal LM that score and classify use
// (--tokenizer, the weights' directory or the artifact's) and the token
// every scored text starts from.
struct ScoringTokenizer {
  ptm::ByteLevelBpe tokenizer;
  int32_t endOfText;
};

ScoringTokenizer loadScoringTokenizer(const CommandLine &commandLine, const std::string &weightsPath,
                                      const ptm::Session &session, const std::string &user) {
  ptm::TokenizerDirectory directory(commandLine.value("--tokenizer", ""), weightsPath, session.artifactReader());
  ptm::ByteLevelBpe tokenizer = ptm::loadByteLevelBpeTokenizer(directory.path(), user);
  int32_t endOfText = ptm::loops::endOfTextId(tokenizer, directory.path());
  return {std::move(tokenizer), endOfText};
}

int runScore(const CommandLine &commandLine) {
  const std::string &model = modelPath(commandLine);
  const std::string &weightsPath = requiredFlag(commandLine, "--weights");
  if (commandLine.has("--text") == commandLine.has("--in"))
    throw UsageError{"give exactly one of --text and --in"};
  int threads = integerFlag(commandLine, "--threads", 0, 1);

  std::vector<std::string> texts;
  if (commandLine.has("--text")) {
    texts.push_back(commandLine.value("--text", ""));
    if (texts.back().empty())
      throw ptm::Error("--text", "is empty: there is nothing to score");
  } else {
    const std::string inputPath = commandLine.value("--in", "");
    std::ifstream input(inputPath, std::ios::binary);
    if (!input)
      throw ptm::Error(inputPath, "cannot be read");
    int64_t emptyLines = 0;
    for (std::string line; std::getline(input, line);) {
      if (!line.empty() && line.back() == '\r')
        line.pop_back();
      if (line.empty())
        ++emptyLines;
      else
        texts.push_back(std::move(line));
    }
    if (input.bad())
      throw ptm::Error(inputPath, "read failed");
    if (texts.empty())
      throw ptm::Error(inputPath, "holds no text to score");
    if (emptyLines)
      std::fprintf(stderr, "%s: skipped %s\n", inputPath.c_str(), counted(emptyLines, "empty line").c_str());
  }

  ptm::Session session(model, ptm::SessionOptions{threads});
  auto [tokenizer, endOfText] = loadScoringTokenizer(commandLine, weightsPath, session, "scoring");
  ptm::loops::CausalLmScorer scorer(session, tokenizer.vocabSize(), endOfText);
  std::vector<ptm::loops::ScoreRequest> requests;
  for (const std::string &text : texts)
    requests.push_back(commandLine.has("--context")
                           ? ptm::loops::continuationRequest(tokenizer, endOfText, commandLine.value("--context", ""), text)
                           : ptm::loops::textRequest(tokenizer, endOfText, text));
  session.bindWeights(weightsPath);
  ptm::loops::printScores(std::cout, texts, scorer.score(requests));
  return 0;
}

int runClassify(const CommandLine &commandLine) {
  const std::string &model = modelPath(commandLine);
  const std::string &weightsPath = requiredFlag(commandLine, "--weights");
  const std::string &examplesPath = requiredFlag(commandLine, "--in");
  if (commandLine.has("--zero-shot") == commandLine.has("--shots"))
    throw UsageError{"give exactly one of --zero-shot and --shots"};
  for (const char *flag : {"--k", "--seed"})
    if (commandLine.has(flag) && !commandLine.has("--shots"))
      throw UsageError{std::string(flag) + " needs --shots"};
  ptm::loops::ClassifyOptions options;
  std::stringstream labelList(requiredFlag(commandLine, "--labels"));
  for (std::string label; std::getline(labelList, label, ',');)
    options.labelNames.push_back(label);
  std::set<std::string> distinctLabels(options.labelNames.begin(), options.labelNames.end());
  if (options.labelNames.size() < 2 || distinctLabels.size() != options.labelNames.size() || distinctLabels.count(""))
    throw UsageError{"--labels needs two or more distinct, non-empty names separated by commas"};
  options.promptTemplate = ptm::loops::parsePromptTemplate(requiredFlag(commandLine, "--template"));
  options.shotCount = commandLine.has("--shots") ? integerFlag(commandLine, "--k", 4, 1) : 0;
  options.seed = static_cast<uint64_t>(integerFlag(commandLine, "--seed", 0, 0));
  options.normalizeByTokens = commandLine.has("--per-token");
  const std::string textColumn = commandLine.value("--text-column", "sentence");
  const std::string labelColumn = commandLine.value("--label-column", "label");
  int threads = integerFlag(commandLine, "--threads", 0, 1);

  std::vector<ptm::loops::LabeledText> examples =
      ptm::loops::readLabeledTsv(examplesPath, textColumn, labelColumn, options.labelNames);
  if (examples.empty())
    throw ptm::Error(examplesPath, "holds no examples");
  std::vector<ptm::loops::LabeledText> shots;
  if (commandLine.has("--shots")) {
    const std::string shotsPath = commandLine.value("--shots", "");
    shots = ptm::loops::readLabeledTsv(shotsPath, textColumn, labelColumn, options.labelNames);
    if (static_cast<int64_t>(shots.size()) < options.shotCount)
      throw ptm::Error(shotsPath, "holds " + counted(static_cast<int64_t>(shots.size()), "example") +
                                      ", fewer than the " + std::to_string(options.shotCount) +
                                      " demonstrations per example of --k");
  }

  ptm::Session session(model, ptm::SessionOptions{threads});
  auto [tokenizer, endOfText] = loadScoringTokenizer(commandLine, weightsPath, session, "classify");
  ptm::loops::CausalLmScorer scorer(session, tokenizer.vocabSize(), endOfText);
  session.bindWeights(weightsPath);
  auto start = std::chrono::steady_clock::now();
  std::vector<ptm::loops::Classification> classifications =
      ptm::loops::classify(scorer, tokenizer, endOfText, examples, shots, options);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "%s: %s, %s each, scored in %.2f s\n", examplesPath.c_str(),
               counted(static_cast<int64_t>(examples.size()), "example").c_str(),
               counted(static_cast<int64_t>(options.labelNames.size()), "label").c_str(), seconds);
  if (commandLine.has("--predictions"))
    ptm::loops::writePredictions(commandLine.value("--predictions", ""), options.labelNames, classifications);
  ptm::loops::printClassificationReport(std::cout, options.labelNames, classifications);
  return 0;
}

// Valid random inputs for `entry`: token ids uniform below their bound, other
// integers zero, floats standard normal. attention_mask is left out so that the
// session supplies its default of all ones.
ptm::TensorMap randomInputs(const ptm::artifact::Entry &entry, uint64_t seed) {
  std::mt19937_64 generator(seed);
  ptm::TensorMap inputs;
  if (!entry.inputs())
    return inputs;
  for (const ptm::artifact::TensorDesc *desc : *entry.inputs()) {
    std::string name = desc->name()->str();
    if (name == "attention_mask")
      continue;
    ptm::Tensor tensor(name, ptm::toRuntimeDType(desc->dtype()), ptm::shapeOf(*desc));
    int64_t bound = desc->value_bound();
    std::uniform_int_distribution<int64_t> tokenId(0, bound > 0 ? bound - 1 : 0);
    std::normal_distribution<double> normal(0.0, 1.0);
    for (int64_t i = 0; i < tensor.numElements(); ++i) {
      switch (tensor.dtype()) {
      case ptm::DType::I64: tensor.dataAs<int64_t>()[i] = tokenId(generator); break;
      case ptm::DType::I32: tensor.dataAs<int32_t>()[i] = static_cast<int32_t>(tokenId(generator)); break;
      case ptm::DType::F32: tensor.dataAs<float>()[i] = static_cast<float>(normal(generator)); break;
      case ptm::DType::F64: tensor.dataAs<double>()[i] = normal(generator); break;
      default:
        throw ptm::Error("bench cannot make random values for input '" + name + "' of dtype " +
                         std::string(ptm::signatureName(tensor.dtype())));
      }
    }
    inputs.emplace(name, std::move(tensor));
  }
  return inputs;
}

int runBench(const CommandLine &commandLine) {
  const std::string &model = modelPath(commandLine);
  std::string entryName = commandLine.value("--entry", "forward");
  int iterations = integerFlag(commandLine, "--iters", 20, 1);
  int warmup = integerFlag(commandLine, "--warmup", 3, 0);
  int threads = integerFlag(commandLine, "--threads", 0, 1);

  ptm::Session session(model, ptm::SessionOptions{threads});
  const ptm::artifact::Entry &entry = session.artifactReader().entry(entryName);
  session.initRandomWeights(/*seed=*/0);
  ptm::EntryCall call = session.prepareCall(entryName, randomInputs(entry, /*seed=*/0), "random inputs");
  for (int i = 0; i < warmup; ++i)
    call.invoke();
  std::vector<double> milliseconds;
  for (int i = 0; i < iterations; ++i) {
    auto start = std::chrono::steady_clock::now();
    call.invoke();
    milliseconds.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(milliseconds.begin(), milliseconds.end());
  size_t middle = milliseconds.size() / 2;
  double median = milliseconds.size() % 2 ? milliseconds[middle] : (milliseconds[middle - 1] + milliseconds[middle]) / 2;
  int threadCount = session.threadPool().threadCount();
  std::printf("%s: %s after %d warm-up, %s: median %.3f ms, min %.3f ms\n", entryName.c_str(),
              counted(iterations, "call").c_str(), warmup, counted(threadCount, "thread").c_str(), median,
              milliseconds.front());
  std::printf("bench entry=%s iters=%d threads=%d median_ms=%.3f min_ms=%.3f\n", entryName.c_str(), iterations,
              threadCount, median, milliseconds.front());
  return 0;
}

struct Command {
  const char *name;
  const char *usage;
  std::set<std::string> valueFlags;
  int (*run)(const CommandLine &);
};

const std::vector<Command> &commands() {
  static const std::vector<Command> all = {
      {"info", kInfoUsage, {}, runInfo},
      {"forward", kForwardUsage, {"--weights", "--inputs", "--out", "--entry", "--threads"}, runForward},
      {"grad", kGradUsage, {"--weights", "--inputs", "--out", "--threads"}, runGrad},
      {"train", kTrainUsage,
       {"--weights", "--inputs", "--steps", "--lr", "--out", "--optimizer-out", "--threads"},
       runTrain},
      {"pretrain", kPretrainUsage,
       {"--data", "--tokenizer", "--val-fraction", "--steps", "--lr", "--min-lr", "--warmup", "--schedule", "--seed",
        "--weights", "--eval-every", "--eval-batches", "--log-every", "--log", "--out", "--checkpoint-every",
        "--keep-checkpoints", "--resume", "--sample-tokens", "--prompt", "--temperature", "--top-k", "--top-p",
        "--threads", "--masked-lm-prob", "--max-predictions", "--short-seq-prob", "--dupe-factor",
        "--whole-word-masking", "--lowercase", "--no-lowercase"},
       runPretrain},
      {"plot", kPlotUsage, {"--out", "--title", "--log-scale", "--width", "--height"}, runPlot},
      {"tokenize", kTokenizeUsage,
       {"--tokenizer", "--in", "--out", "--decode", "--add-special-tokens", "--lowercase", "--no-lowercase", "--pairs",
        "--token-types"},
       runTokenize},
      {"fill-mask", kFillMaskUsage, {"--weights", "--text", "--tokenizer", "--top-k", "--threads"}, runFillMask},
      {"generate", kGenerateUsage,
       {"--weights", "--prompt", "--prompts", "--prompt-ids", "--tokenizer", "--max-new-tokens", "--temperature",
        "--top-k", "--top-p", "--repetition-penalty", "--stop", "--seed", "--ignore-eos", "--print-ids",
        "--threads"},
       runGenerate},
      {"embed", kEmbedUsage,
       {"--weights", "--text", "--in", "--pairs", "--similarity", "--pooling", "--normalize", "--no-normalize", "--out",
        "--tokenizer", "--threads"},
       runEmbed},
      {"score", kScoreUsage, {"--weights", "--text", "--in", "--context", "--tokenizer", "--threads"}, runScore},
      {"classify", kClassifyUsage,
       {"--weights", "--labels", "--template", "--in", "--zero-shot", "--shots", "--k", "--seed", "--text-column",
        "--label-column", "--per-token", "--predictions", "--tokenizer", "--threads"},
       runClassify},
      {"bench", kBenchUsage, {"--entry", "--iters", "--warmup", "--threads"}, runBench},
  };
  return all;
}

int usageError(const std::string &message, const std::string &helpCommand) {
  std::cerr << "ptm-run: error: " << message << " (see '" << helpCommand << " --help')\n";
  return kExitUsage;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2)
    return usageError("missing command", "ptm-run");
  std::string commandName = argv[1];
  if (commandName == "--help" || commandName == "-h") {
    std::cout << kMainUsage;
    return 0;
  }
  if (commandName == "--version") {
    std::cout << "ptm-run " << PTM_VERSION_STRING << "\n";
    return 0;
  }
  const Command *command = nullptr;
  for (const Command &candidate : commands())
    if (commandName == candidate.name)
      command = &candidate;
  if (!command)
    return usageError("unknown command '" + commandName + "'", "ptm-run");

  std::string helpCommand = "ptm-run " + commandName;
  try {
    CommandLine commandLine = parseCommandLine(argc, argv, 2, command->valueFlags);
    if (commandLine.help) {
      std::cout << command->usage;
      return 0;
    }
    return command->run(commandLine);
  } catch (const UsageError &error) {
    return usageError(error.message, helpCommand);
  } catch (const std::bad_alloc &) {
    std::cerr << "ptm-run: error: out of memory\n";
  } catch (const std::exception &error) {
    std::cerr << "ptm-run: error: " << error.what() << "\n";
  }
  return kExitError;
}
