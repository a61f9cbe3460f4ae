// Sentence embeddings with a BERT encoder artifact (ptmc --task embed: the
// forward entry's last_hidden_state), as sentence-transformers computes them
// for a Transformer -> Pooling [-> Normalize] model such as all-MiniLM-L6-v2:
// each text is encoded as [CLS] text [SEP] (truncated with [SEP] kept last,
// token types 0), the encoder runs on batches of the entry's rows, and each
// text's token vectors are pooled (the mean over its attention mask, [CLS] and
// [SEP] included, or the [CLS] vector) and optionally L2-normalised. Pooling
// and normalisation are post-processing in the runtime, accumulated in double.
#pragma once

#include "runtime/Session.h"
#include "runtime/tokenizers/WordPiece.h"

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace ptm::loops {

enum class Pooling { Mean, Cls };

struct EmbeddingOptions {
  Pooling pooling = Pooling::Mean;
  bool normalize = false;
  int64_t maxSeqLength = 0; // tokens with [CLS] and [SEP]; 0: the artifact's sequence length
};

// The options a model directory asks for. A sentence-transformers directory
// (modules.json) gives the pooling of its Pooling module's config.json
// (pooling_mode_cls_token or pooling_mode_mean_tokens), normalisation when a
// Normalize module follows, and sentence_bert_config.json's max_seq_length.
// Anything else gets what sentence-transformers gives a plain Hugging Face
// model: mean pooling, no normalisation, the artifact's length. Throws
// ptm::Error naming the file when a module other than Transformer, Pooling
// and Normalize is listed (a Dense projection, say), when the pooling mode is
// another one (max, weighted mean, ...) or several at once, or when a file is
// not the JSON it should be.
EmbeddingOptions embeddingOptionsOf(const std::string &modelDirectory);

// The shape of an artifact's forward entry that embedding needs.
struct EncoderShape {
  int64_t batch;  // rows per call
  int64_t seqLen; // tokens per row
  int64_t width;  // hidden size: the embedding's length
};

// Checks that `artifact` is a BERT encoder whose forward entry takes
// input_ids and attention_mask [B, T] (token_type_ids optional) and gives
// last_hidden_state [B, T, D] in f32 or f64, and that the tokenizer's
// vocabulary is the model's; throws ptm::Error naming the artifact otherwise.
EncoderShape checkEncoderArtifact(const ArtifactReader &artifact, const WordPiece &tokenizer);

// [CLS] text [SEP] in at most `maxTokens` tokens: the text's tokens are cut to
// maxTokens - 2, as Hugging Face's truncation=True, max_length=maxTokens does.
struct EncodedText {
  std::vector<int32_t> ids;
  bool truncated = false; // whether text tokens were cut
};
EncodedText encodeForEmbedding(const WordPiece &tokenizer, const std::string &text, int64_t maxTokens);

struct EmbeddingRun {
  std::vector<std::vector<float>> embeddings; // one per text, in order
  int64_t maxTokens = 0;                      // the length limit applied, [CLS] and [SEP] included
  int64_t truncatedTexts = 0;                 // texts cut to fit
  int64_t batches = 0;                        // forward calls
  double encoderMilliseconds = 0;             // time in those calls
};

// Embeds `texts` with the forward entry of `session` (weights bound), batch by
// batch; rows after the last text of a batch are padding (attention_mask 0).
EmbeddingRun embedTexts(Session &session, const WordPiece &tokenizer, const std::vector<std::string> &texts,
                        const EmbeddingOptions &options);

// The lines of a UTF-8 text file (split at "\n", which is dropped), one text
// each; an empty line is an empty text.
std::vector<std::string> readTextLines(const std::string &path);

// The texts of a file of "A<TAB>B" lines (split at the first tab), as
// A1 B1 A2 B2 ...; throws ptm::Error naming the file and line of a line
// without a tab.
std::vector<std::string> readTextPairs(const std::string &path);

// sentence-transformers' util.cos_sim: the dot product of the two vectors
// each L2-normalised (eps 1e-12), in double.
double cosineSimilarity(const std::vector<float> &a, const std::vector<float> &b);

// The cosine similarity of every two embeddings: row i, column j for i and j.
std::vector<std::vector<double>> cosineMatrix(const std::vector<std::vector<float>> &embeddings);

// The cosine similarity of embeddings 0 and 1, 2 and 3, ..., one per row (the
// pairs of readTextPairs).
std::vector<std::vector<double>> pairCosines(const std::vector<std::vector<float>> &embeddings);

// One line per row, values separated by spaces, each as %.9g (which float
// values survive exactly).
void printRows(std::ostream &out, const std::vector<std::vector<float>> &rows);
void printRows(std::ostream &out, const std::vector<std::vector<double>> &rows);

} // namespace ptm::loops
