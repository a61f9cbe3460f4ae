#ifndef PTM_OPS_TD
#define PTM_OPS_TD

include "dialects/ptm/PtmDialect.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"

//===----------------------------------------------------------------------===//
// Embedding
//===----------------------------------------------------------------------===//

def Ptm_EmbeddingOp : Ptm_Op<"embedding", [Pure]> {
  let summary = "Row lookup in an embedding table";
  let description = [{
    `result[i..., d] = table[indices[i...], d]`. The table is `[vocab, dim]`;
    the result has the index tensor's shape followed by `dim`. Indices outside
    `[0, vocab)` are undefined behaviour: the runtime checks token ids before a
    call.

    ```mlir
    %h = ptm.embedding %wte, %ids : (tensor<50257x768xf32>, tensor<2x16xi64>) -> tensor<2x16x768xf32>
    ```
  }];
  let arguments = (ins Ptm_FloatTensor:$table, Ptm_IndexTensor:$indices);
  let results = (outs Ptm_FloatTensor:$result);
  let assemblyFormat = "$table `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

def Ptm_MatmulOp : Ptm_Op<"matmul", [Pure]> {
  let summary = "Batched matrix product";
  let description = [{
    `lhs` is `[batch..., M, K]`. `rhs` is either `[batch..., K, N]` (same batch
    dimensions) or a rank-2 `[K, N]` shared by every batch element (a weight).
    With `transpose_rhs`, `rhs` is given as `[..., N, K]` (a tied embedding
    used as the output projection, or keys in attention). The result is
    `[batch..., M, N]`.

    ```mlir
    %y = ptm.matmul %x, %w : (tensor<2x16x64xf32>, tensor<64x192xf32>) -> tensor<2x16x192xf32>
    ```
  }];
  let arguments = (ins Ptm_FloatTensor:$lhs, Ptm_FloatTensor:$rhs,
                   DefaultValuedAttr<BoolAttr, "false">:$transpose_rhs);
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
    BERT). `bias` is `[N]`. `activation` is `none`, `gelu_tanh` or `gelu_erf`.
    `ptm-fuse` forms this op from a matmul and its epilogue so that lowering
    can compute the epilogue while the output tile is still in cache.
  }];
  let arguments = (ins Ptm_FloatTensor:$input, Ptm_FloatTensor:$weight,
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
    : Ptm_Op<mnemonic, [Pure]> {
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

def Ptm_GeluOp : Ptm_Op<"gelu", [Pure, SameOperandsAndResultType]> {
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

//===----------------------------------------------------------------------===//
// Normalisation
//===----------------------------------------------------------------------===//

def Ptm_LayerNormOp : Ptm_Op<"layer_norm", [Pure]> {
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

def Ptm_SoftmaxOp : Ptm_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "Softmax along one dimension";
  let arguments = (ins Ptm_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Ptm_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

def Ptm_AttentionOp : Ptm_Op<"attention", [Pure]> {
  let summary = "Scaled dot-product attention with causal and padding masks";
  let description = [{
    `query`, `key`, `value` are `[B, H, T, Dh]` (keys and values may have
    another length `S`). Computes `softmax(scale · Q Kᵀ + masks) V`.

    `causal` hides keys after the query position. `key_mask` (`[B, S]`, 1 to
    keep, 0 for padding) hides padded keys. A query that can see no key at
    all (left padding) gets a zero output, as torch's
    scaled_dot_product_attention, Hugging Face's default, returns.
  }];
  let arguments = (ins Ptm_FloatTensor:$query, Ptm_FloatTensor:$key,
                   Ptm_FloatTensor:$value, Optional<Ptm_MaskTensor>:$key_mask,
                   F64Attr:$scale, DefaultValuedAttr<BoolAttr, "false">:$causal);
  let results = (outs Ptm_FloatTensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`,` $key_mask^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

def Ptm_ReshapeOp : Ptm_Op<"reshape", [Pure]> {
  let summary = "Reinterpret a tensor with another shape of the same size";
  let arguments = (ins Ptm_FloatTensor:$input);
  let results = (outs Ptm_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Ptm_TransposeOp : Ptm_Op<"transpose", [Pure]> {
  let summary = "Permute dimensions";
  let description = [{ `result` dimension `i` is `input` dimension `permutation[i]`. }];
  let arguments = (ins Ptm_FloatTensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Ptm_FloatTensor:$result);
  let assemblyFormat = "$input $permutation attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Ptm_SliceOp : Ptm_Op<"slice", [Pure]> {
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

#endif // PTM_OPS_TD
