#ifndef PTM_OPS_TD
#define PTM_OPS_TD

include "dialects/ptm/PtmDialect.td"
include "dialects/ptm/PtmInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"

//===----------------------------------------------------------------------===//
// Embedding
//===----------------------------------------------------------------------===//

def Ptm_EmbeddingOp : Ptm_Op<"embedding", [Pure, DeclareOpInterfaceMethods<Ptm_DifferentiableOpInterface>]> {
  let summary = "Row lookup in an embedding table";
  let description = [{
    `result[i..., d] = table[indices[i...], d]`. The table is `[vocab, dim]`;
    the result has the index tensor's shape followed by `dim`. Indices outside
    `[0, vocab)` are undefined behaviour: the runtime checks token ids before a
    call. A bf16 table gives f32 rows.

    ```mlir
    %h = ptm.embedding %wte, %ids : (tensor<50257x768xf32>, tensor<2x16xi64>) -> tensor<2x16x768xf32>
    ```
  }];
  let arguments = (ins Ptm_WeightTensor:$table, Ptm_IndexTensor:$indices);
  let results = (outs Ptm_FloatTensor:$result);
  let assemblyFormat = "$table `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

def Ptm_MatmulOp : Ptm_Op<"matmul", [Pure, DeclareOpInterfaceMethods<Ptm_DifferentiableOpInterface>]> {
  let summary = "Batched matrix product";
  let description = [{
    `lhs` is `[batch..., M, K]`. `rhs` is either `[batch..., K, N]` (same batch
    dimensions) or a rank-2 `[K, N]` shared by every batch element (a weight).
    With `transpose_rhs`, `rhs` is given as `[..., N, K]` (a tied embedding
    used as the output projection, or keys in attention); with
    `transpose_lhs`, `lhs` is given as `[..., K, M]` and `rhs` must have the
    rank of `lhs` (weight gradients `xᵀ · dy`). The result is
    `[batch..., M, N]`. A rank-2 `rhs` may be bf16 with an f32 `lhs`: the
    product is accumulated in f32.

    ```mlir
    %y = ptm.matmul %x, %w : (tensor<2x16x64xf32>, tensor<64x192xf32>) -> tensor<2x16x192xf32>
    ```
  }];
  let arguments = (ins Ptm_FloatTensor:$lhs, Ptm_WeightTensor:$rhs,
                   DefaultValuedAttr<BoolAttr, "false">:$transpose_rhs,
                   DefaultValuedAttr<BoolAttr, "false">:$transpose_lhs);
  let results = (outs Ptm_FloatTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Ptm_LinearOp : Ptm_Op<"linear", [Pure]> {
  let summary = "Dense layer: matmul with a weight, optional bias and activation";
  let description = [{
    `result = activation(input · weight + bias)` over the last dimension of
    `input` (`[..., K]`). `weight` is `[K, N]` (the Conv1D layout of GPT-2
    checkpoints) or, with `transpose_weight`, `[N, K]` (torch.nn.Linear, as in
    BERT), and may be bf16 with an f32 input (f32 accumulation). `bias` is
    `[N]`. `activation` is `none`, `gelu_tanh` or `gelu_erf`.
    `ptm-fuse` forms this op from a matmul and its epilogue so that lowering
    can compute the epilogue while the output tile is still in cache.
  }];
  let arguments = (ins Ptm_FloatTensor:$input, Ptm_WeightTensor:$weight,
                   Optional<Ptm_FloatTensor>:$bias,
                   DefaultValuedAttr<BoolAttr, "false">:$transpose_weight,
                   DefaultValuedAttr<StrAttr, "\"none\"">:$activation);
  let results = (outs Ptm_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class Ptm_BinaryOp<string mnemonic, string what>
    : Ptm_Op<mnemonic, [Pure, DeclareOpInterfaceMethods<Ptm_DifferentiableOpInterface>]> {
  let summary = "Elementwise " # what # " with trailing broadcast";
  let description = [{
    The result has the shape of `lhs`. The shape of `rhs` must equal a trailing
    part of the shape of `lhs` (a bias `[N]` for `[B, T, N]`, position
    embeddings `[T, D]` for `[B, T, D]`); it is repeated over the leading
    dimensions.
  }];
  let arguments = (ins Ptm_FloatTensor:$lhs, Ptm_FloatTensor:$rhs);
  let results = (outs Ptm_FloatTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Ptm_AddOp : Ptm_BinaryOp<"add", "addition">;
def Ptm_MulOp : Ptm_BinaryOp<"mul", "multiplication">;

def Ptm_GeluOp : Ptm_Op<"gelu", [Pure, SameOperandsAndResultType, DeclareOpInterfaceMethods<Ptm_DifferentiableOpInterface>]> {
  let summary = "Gaussian error linear unit";
  let description = [{
    `approximate = "none"`: `x · Φ(x) = 0.5 x (1 + erf(x / √2))` (BERT, HF
    `gelu`). `approximate = "tanh"`: `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))`
    (GPT-2, HF `gelu_new`). The names follow `torch.nn.GELU(approximate=...)`.
  }];
  let arguments = (ins Ptm_FloatTensor:$input,
                   DefaultValuedAttr<StrAttr, "\"none\"">:$approximate);
  let results = (outs Ptm_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Ptm_TanhOp : Ptm_Op<"tanh", [Pure, SameOperandsAndResultType, DeclareOpInterfaceMethods<Ptm_DifferentiableOpInterface>]> {
  let summary = "Hyperbolic tangent";
  let description = [{
    Elementwise `tanh(x)`: the activation of BERT's pooler.
  }];
  let arguments = (ins Ptm_FloatTensor:$input);
  let results = (outs Ptm_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Normalisation
//===----------------------------------------------------------------------===//

def Ptm_LayerNormOp : Ptm_Op<"layer_norm", [Pure, DeclareOpInterfaceMethods<Ptm_DifferentiableOpInterface>]> {
  let summary = "Layer normalisation over the last dimension";
  let description = [{
    `(x - mean) / sqrt(var + epsilon) * weight + bias`, with the biased
    variance over the last dimension, as torch.nn.LayerNorm. `weight` and
    `bias` are `[D]`.
  }];
  let arguments = (ins Ptm_FloatTensor:$input, Ptm_FloatTensor:$weight,
                   Ptm_FloatTensor:$bias, F64Attr:$epsilon);
  let results = (outs Ptm_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight `,` $bias attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Ptm_ResidualLayerNormOp : Ptm_Op<"residual_layer_norm", [Pure]> {
  let summary = "Residual add and the layer normalisation of its sum, row by row";
  let description = [{
    `sum = input + residual` and `result = layer_norm(sum, weight, bias)`
    (as ptm.layer_norm). `input` and `residual` have the same shape;
    `weight` and `bias` are `[D]`. `ptm-fuse-residual-norm` forms this op
    from a `ptm.add` feeding a `ptm.layer_norm`, after differentiation, so it
    has no gradient of its own. Lowering computes both results a block of
    rows at a time, while the rows are in cache; `sum` is written only when
    it is used (the residual stream of a pre-norm GPT-2 block).

    ```mlir
    %sum, %y = ptm.residual_layer_norm %x, %r, %w, %b {epsilon = 1.0e-5 : f64}
        : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>)
        -> (tensor<2x4x8xf32>, tensor<2x4x8xf32>)
    ```
  }];
  let arguments = (ins Ptm_FloatTensor:$input, Ptm_FloatTensor:$residual,
                   Ptm_FloatTensor:$weight, Ptm_FloatTensor:$bias, F64Attr:$epsilon);
  let results = (outs Ptm_FloatTensor:$sum, Ptm_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $residual `,` $weight `,` $bias attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Ptm_SoftmaxOp : Ptm_Op<"softmax", [Pure, SameOperandsAndResultType, DeclareOpInterfaceMethods<Ptm_DifferentiableOpInterface>]> {
  let summary = "Softmax along one dimension";
  let arguments = (ins Ptm_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Ptm_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

def Ptm_AttentionOp : Ptm_Op<"attention", [Pure, AttrSizedOperandSegments, DeclareOpInterfaceMethods<Ptm_DifferentiableOpInterface>]> {
  let summary = "Scaled dot-product attention with causal and padding masks";
  let description = [{
    `query`, `key`, `value` are `[B, H, T, Dh]` (keys and values may have
    another length `S`). Computes `softmax(scale · Q Kᵀ + masks) V`.

    `causal` hides keys after the query position. `key_mask` (`[B, S]`, 1 to
    keep, 0 for padding) hides padded keys. A query that can see no key at
    all (left padding) gets a zero output, as torch's
    scaled_dot_product_attention, Hugging Face's default, returns.

    With `dropout_seed`, the probabilities go through dropout with
    probability `dropout` before they weigh the values (GPT-2's
    `attn_pdrop`), drawn as ptm.dropout draws them with stream
    `dropout_stream` over the `[B, H, T, S]` probabilities; attention_grad
    regenerates the same mask.
  }];
  let arguments = (ins Ptm_FloatTensor:$query, Ptm_FloatTensor:$key,
                   Ptm_FloatTensor:$value, Optional<Ptm_MaskTensor>:$key_mask,
                   Optional<Ptm_SeedTensor>:$dropout_seed,
                   F64Attr:$scale, DefaultValuedAttr<BoolAttr, "false">:$causal,
                   DefaultValuedAttr<F64Attr, "0.0">:$dropout,
                   DefaultValuedAttr<I64Attr, "0">:$dropout_stream);
  let results = (outs Ptm_FloatTensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`,` $key_mask^)? (`dropout_seed` $dropout_seed^)? attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Dropout
//===----------------------------------------------------------------------===//

def Ptm_DropoutOp : Ptm_Op<"dropout", [Pure, DeclareOpInterfaceMethods<Ptm_DifferentiableOpInterface>]> {
  let summary = "Dropout with a counter-based random generator";
  let description = [{
    `result = keep ? input / (1 - probability) : 0`, as torch's dropout in
    training. Element i (row-major linear index) is kept when the first
    word of Philox4x32-10 with key `(lo32(seed), hi32(seed))` and counter
    `(lo32(i), hi32(i), stream, 0)`, read as a uniform number in [0, 1),
    is below `1 - probability`. The mask is a function of (seed, stream, i)
    alone: the gradient is the same dropout of the incoming gradient, which
    regenerates the mask instead of storing it. Graph builders give every
    dropout site its own `stream`.

    ```mlir
    %y = ptm.dropout %x, %seed {probability = 1.000000e-01 : f64, stream = 3 : i64} : (tensor<2x16x64xf32>, tensor<i64>) -> tensor<2x16x64xf32>
    ```
  }];
  let arguments = (ins Ptm_FloatTensor:$input, Ptm_SeedTensor:$seed, F64Attr:$probability,
                   DefaultValuedAttr<I64Attr, "0">:$stream);
  let results = (outs Ptm_FloatTensor:$result);
  let assemblyFormat = "$input `,` $seed attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

def Ptm_ReshapeOp : Ptm_Op<"reshape", [Pure, DeclareOpInterfaceMethods<Ptm_DifferentiableOpInterface>]> {
  let summary = "Reinterpret a tensor with another shape of the same size";
  let arguments = (ins Ptm_FloatTensor:$input);
  let results = (outs Ptm_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Ptm_TransposeOp : Ptm_Op<"transpose", [Pure, DeclareOpInterfaceMethods<Ptm_DifferentiableOpInterface>]> {
  let summary = "Permute dimensions";
  let description = [{ `result` dimension `i` is `input` dimension `permutation[i]`. }];
  let arguments = (ins Ptm_FloatTensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Ptm_FloatTensor:$result);
  let assemblyFormat = "$input $permutation attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Ptm_SliceOp : Ptm_Op<"slice", [Pure, DeclareOpInterfaceMethods<Ptm_DifferentiableOpInterface>]> {
  let summary = "A static, unit-stride window of a tensor";
  let description = [{
    The result is `input[offsets[0] : offsets[0] + sizes[0], ...]`; `sizes` is
    the result shape. Splits a fused QKV projection and takes the first `T`
    rows of the position embeddings.
  }];
  let arguments = (ins Ptm_FloatTensor:$input, DenseI64ArrayAttr:$offsets);
  let results = (outs Ptm_FloatTensor:$result);
  let assemblyFormat = "$input $offsets attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Ptm_ConcatOp : Ptm_Op<"concat", [Pure, DeclareOpInterfaceMethods<Ptm_DifferentiableOpInterface>]> {
  let summary = "Join tensors along one dimension";
  let description = [{
    The inputs agree in every dimension but `dim`; the result stacks them
    along `dim` in operand order. A decoding step attends over the cached
    keys and values joined with those of the new token.

    ```mlir
    %k = ptm.concat %past, %new {dim = 2 : i64} : (tensor<1x12x64x64xf32>, tensor<1x12x1x64xf32>) -> tensor<1x12x65x64xf32>
    ```
  }];
  let arguments = (ins Variadic<Ptm_FloatTensor>:$inputs, I64Attr:$dim);
  let results = (outs Ptm_FloatTensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Loss
//===----------------------------------------------------------------------===//

def Ptm_CrossEntropyOp : Ptm_Op<"cross_entropy", [Pure, DeclareOpInterfaceMethods<Ptm_DifferentiableOpInterface>
]> {
  let summary = "Mean token cross-entropy of logits against labels";
  let description = [{
    `logits` is `[batch..., V]`, `labels` is `[batch...]`. Hugging Face's
    causal-LM loss: with `shift_labels`, the logits at position t are scored
    against the label at t + 1 of the same row (the last position of each row
    has no target); labels equal to `ignore_index` are not counted; the
    result (rank 0) is the mean of `logsumexp(logits) - logits[label]` over
    the counted positions. With `count` (rank 0), the sum is divided by it
    instead (Hugging Face's `num_items_in_batch`): a micro-batch of gradient
    accumulation is normalised by the count of the whole batch, so that the
    micro-batch losses add up to the batch's mean.
  }];
  let arguments = (ins Ptm_FloatTensor:$logits, Ptm_IndexTensor:$labels,
                   Optional<Ptm_FloatTensor>:$count,
                   DefaultValuedAttr<I64Attr, "-100">:$ignore_index,
                   DefaultValuedAttr<BoolAttr, "true">:$shift_labels);
  let results = (outs Ptm_FloatTensor:$result);
  let assemblyFormat = [{
    $logits `,` $labels (`count` $count^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Ptm_CountTargetsOp : Ptm_Op<"count_targets", [Pure]> {
  let summary = "Number of positions a cross-entropy scores";
  let description = [{
    The number (rank 0, as a float) of positions of `labels` whose target is
    not `ignore_index`, with the same `shift_labels` as ptm.cross_entropy
    (the last position of each row has no target). Every other label is a
    class of the vocabulary (the runtime checks labels at the boundary).
    The `count` of the micro-batch cross-entropies of gradient accumulation.

    ```mlir
    %n = ptm.count_targets %labels {ignore_index = -100 : i64} : (tensor<6x24xi64>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Ptm_IndexTensor:$labels,
                   DefaultValuedAttr<I64Attr, "-100">:$ignore_index,
                   DefaultValuedAttr<BoolAttr, "true">:$shift_labels);
  let results = (outs Ptm_FloatTensor:$result);
  let assemblyFormat = "$labels attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Gradient ops: emitted by the VJP rules, never differentiated themselves.
//===----------------------------------------------------------------------===//

def Ptm_CrossEntropyGradOp : Ptm_Op<"cross_entropy_grad", [Pure]> {
  let summary = "Gradient of ptm.cross_entropy with respect to the logits";
  let description = [{
    `grad · (softmax(logits) - onehot(target)) / count` at counted positions,
    zero elsewhere; `grad` is the rank-0 gradient of the loss. `count`, if
    given, replaces the number of counted positions (see ptm.cross_entropy).
  }];
  let arguments = (ins Ptm_FloatTensor:$grad, Ptm_FloatTensor:$logits, Ptm_IndexTensor:$labels,
                   Optional<Ptm_FloatTensor>:$count,
                   DefaultValuedAttr<I64Attr, "-100">:$ignore_index,
                   DefaultValuedAttr<BoolAttr, "true">:$shift_labels);
  let results = (outs Ptm_FloatTensor:$result);
  let assemblyFormat = [{
    $grad `,` $logits `,` $labels (`count` $count^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Ptm_ReduceLeadingOp : Ptm_Op<"reduce_leading", [Pure]> {
  let summary = "Sum over leading dimensions";
  let description = [{
    The result's shape is a trailing part of the input's; the input is summed
    over the other (leading) dimensions. The gradient of a trailing broadcast.
  }];
  let arguments = (ins Ptm_FloatTensor:$input);
  let results = (outs Ptm_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Ptm_GeluGradOp : Ptm_Op<"gelu_grad", [Pure, SameOperandsAndResultType]> {
  let summary = "grad · gelu'(input)";
  let arguments = (ins Ptm_FloatTensor:$grad, Ptm_FloatTensor:$input,
                   DefaultValuedAttr<StrAttr, "\"none\"">:$approximate);
  let results = (outs Ptm_FloatTensor:$result);
  let assemblyFormat = "$grad `,` $input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Ptm_TanhGradOp : Ptm_Op<"tanh_grad", [Pure, SameOperandsAndResultType]> {
  let summary = "grad · (1 - result²)";
  let description = [{
    The gradient of ptm.tanh from its result: `tanh'(x) = 1 - tanh(x)²`, so
    the forward value is reused instead of the input being kept.
  }];
  let arguments = (ins Ptm_FloatTensor:$grad, Ptm_FloatTensor:$result_of_tanh);
  let results = (outs Ptm_FloatTensor:$result);
  let assemblyFormat = "$grad `,` $result_of_tanh attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Ptm_LayerNormGradOp : Ptm_Op<"layer_norm_grad", [Pure]> {
  let summary = "Gradients of ptm.layer_norm";
  let description = [{
    Given the gradient of the output, the input and the weight, returns the
    gradients of the input, the weight and the bias. Mean and variance are
    recomputed from the input.
  }];
  let arguments = (ins Ptm_FloatTensor:$grad, Ptm_FloatTensor:$input, Ptm_FloatTensor:$weight,
                   F64Attr:$epsilon);
  let results = (outs Ptm_FloatTensor:$input_grad, Ptm_FloatTensor:$weight_grad,
                      Ptm_FloatTensor:$bias_grad);
  let assemblyFormat = [{
    $grad `,` $input `,` $weight attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Ptm_SoftmaxGradOp : Ptm_Op<"softmax_grad", [Pure, SameOperandsAndResultType]> {
  let summary = "output · (grad - sum(grad · output)) along the axis";
  let arguments = (ins Ptm_FloatTensor:$grad, Ptm_FloatTensor:$output, I64Attr:$axis);
  let results = (outs Ptm_FloatTensor:$result);
  let assemblyFormat = "$grad `,` $output attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Ptm_AttentionGradOp : Ptm_Op<"attention_grad", [Pure, AttrSizedOperandSegments]> {
  let summary = "Gradients of ptm.attention with respect to query, key and value";
  let description = [{
    Recomputes the attention probabilities P from query and key (with the
    same masks), then dV = Pᵀ·dO, dP = dO·Vᵀ, dS = scale · P ⊙ (dP − rowsum(dP ⊙ P)),
    dQ = dS·K, dK = dSᵀ·Q. Hidden keys have P = 0 and get no gradient. With
    `dropout_seed`, the forward's dropout D is regenerated: dV = D(P)ᵀ·dO
    and dP = D(dO·Vᵀ).
  }];
  let arguments = (ins Ptm_FloatTensor:$grad, Ptm_FloatTensor:$query, Ptm_FloatTensor:$key,
                   Ptm_FloatTensor:$value, Optional<Ptm_MaskTensor>:$key_mask,
                   Optional<Ptm_SeedTensor>:$dropout_seed,
                   F64Attr:$scale, DefaultValuedAttr<BoolAttr, "false">:$causal,
                   DefaultValuedAttr<F64Attr, "0.0">:$dropout,
                   DefaultValuedAttr<I64Attr, "0">:$dropout_stream);
  let results = (outs Ptm_FloatTensor:$query_grad, Ptm_FloatTensor:$key_grad,
                      Ptm_FloatTensor:$value_grad);
  let assemblyFormat = [{
    $grad `,` $query `,` $key `,` $value (`,` $key_mask^)? (`dropout_seed` $dropout_seed^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Ptm_EmbeddingGradOp : Ptm_Op<"embedding_grad", [Pure]> {
  let summary = "Scatter-add of row gradients into a table-shaped gradient";
  let description = [{
    `result[v, d] = Σ grad[i..., d]` over the positions i with `indices[i...] = v`.
    The result type gives the table shape `[vocab, dim]`.
  }];
  let arguments = (ins Ptm_FloatTensor:$grad, Ptm_IndexTensor:$indices);
  let results = (outs Ptm_FloatTensor:$result);
  let assemblyFormat = "$grad `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Ptm_SliceGradOp : Ptm_Op<"slice_grad", [Pure]> {
  let summary = "A slice's gradient: zeros with the window set to grad";
  let arguments = (ins Ptm_FloatTensor:$grad, DenseI64ArrayAttr:$offsets);
  let results = (outs Ptm_FloatTensor:$result);
  let assemblyFormat = "$grad $offsets attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Optimizer
//===----------------------------------------------------------------------===//

def Ptm_ClipScaleOp : Ptm_Op<"clip_scale", [Pure]> {
  let summary = "Global-norm gradient clipping factor";
  let description = [{
    Given the sum of squares of all gradients (rank 0), returns
    `min(1, max_norm / (sqrt(sum_of_squares) + 1e-6))`, the factor
    torch.nn.utils.clip_grad_norm_ multiplies every gradient by.
  }];
  let arguments = (ins Ptm_FloatTensor:$sum_of_squares, F64Attr:$max_norm);
  let results = (outs Ptm_FloatTensor:$result);
  let assemblyFormat = "$sum_of_squares attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Ptm_AdamWOp : Ptm_Op<"adamw", [Pure]> {
  let summary = "One AdamW step of one parameter (PyTorch semantics)";
  let description = [{
    With g = grad · grad_scale and t = step (1 for the first step):
    ```
    param      ← param · (1 − lr · weight_decay)
    exp_avg    ← beta1 · exp_avg + (1 − beta1) · g
    exp_avg_sq ← beta2 · exp_avg_sq + (1 − beta2) · g²
    param      ← param − lr / (1 − beta1ᵗ) · exp_avg / (sqrt(exp_avg_sq) / sqrt(1 − beta2ᵗ) + epsilon)
    ```
    as torch.optim.AdamW. `learning_rate`, `step` and `grad_scale` are rank 0;
    the results are the new parameter and moments.
  }];
  let arguments = (ins Ptm_FloatTensor:$param, Ptm_FloatTensor:$grad, Ptm_FloatTensor:$exp_avg,
                   Ptm_FloatTensor:$exp_avg_sq, Ptm_FloatTensor:$learning_rate,
                   Ptm_FloatTensor:$step, Ptm_FloatTensor:$grad_scale, F64Attr:$beta1,
                   F64Attr:$beta2, F64Attr:$epsilon, F64Attr:$weight_decay);
  let results = (outs Ptm_FloatTensor:$new_param, Ptm_FloatTensor:$new_exp_avg,
                      Ptm_FloatTensor:$new_exp_avg_sq);
  let assemblyFormat = [{
    $param `,` $grad `,` $exp_avg `,` $exp_avg_sq `,` $learning_rate `,` $step `,` $grad_scale
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // PTM_OPS_TD
