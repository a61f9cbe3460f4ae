/* Hand-written stand-ins for compiled entries, built as a shared library that the
 * runtime tests pack into artifacts. Each follows the entry ABI of artifact.fbs:
 * buffers = parameters (entry order), inputs, outputs. */
#include "runtime/RuntimeCallbacks.h"

#include <string.h>

struct AddBiasContext {
  const float *bias;
  const float *input;
  float *output;
};

enum { kAddBiasRows = 2, kAddBiasWidth = 4 };

static void addBiasRows(int64_t begin, int64_t end, void *opaque) {
  struct AddBiasContext *context = opaque;
  for (int64_t row = begin; row < end; ++row)
    for (int64_t column = 0; column < kAddBiasWidth; ++column)
      context->output[row * kAddBiasWidth + column] =
          context->input[row * kAddBiasWidth + column] + context->bias[column];
}

/* parameters: bias f32[4]; inputs: x f32[2,4]; outputs: y f32[2,4] = x + bias.
 * Rows go through the thread pool, as generated code does. */
void ptm_test_add_bias(void **buffers, const PtmRuntimeCallbacks *callbacks) {
  struct AddBiasContext context = {buffers[0], buffers[1], buffers[2]};
  callbacks->parallel_for(kAddBiasRows, 1, addBiasRows, &context);
}

enum { kEmbedBatch = 2, kEmbedSeq = 4, kEmbedWidth = 3 };

/* parameters: table f32[5,3]; inputs: input_ids i64[2,4], attention_mask i64[2,4];
 * outputs: embeddings f32[2,4,3] = table[input_ids] * attention_mask. */
void ptm_test_embed(void **buffers, const PtmRuntimeCallbacks *callbacks) {
  (void)callbacks;
  const float *table = buffers[0];
  const int64_t *ids = buffers[1];
  const int64_t *mask = buffers[2];
  float *embeddings = buffers[3];
  for (int64_t position = 0; position < kEmbedBatch * kEmbedSeq; ++position)
    for (int64_t column = 0; column < kEmbedWidth; ++column)
      embeddings[position * kEmbedWidth + column] =
          table[ids[position] * kEmbedWidth + column] * (float)mask[position];
}

/* parameters: two f32[5,3] tables then bias f32[4]; no inputs;
 * outputs: packed f32[34], the three parameters back to back. Shows the order in
 * which parameters arrive. */
void ptm_test_pack_parameters(void **buffers, const PtmRuntimeCallbacks *callbacks) {
  (void)callbacks;
  float *packed = buffers[3];
  memcpy(packed, buffers[0], 15 * sizeof(float));
  memcpy(packed + 15, buffers[1], 15 * sizeof(float));
  memcpy(packed + 30, buffers[2], 4 * sizeof(float));
}
