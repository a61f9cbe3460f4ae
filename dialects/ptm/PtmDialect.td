#ifndef PTM_DIALECT_TD
#define PTM_DIALECT_TD

include "mlir/IR/OpBase.td"

def Ptm_Dialect : Dialect {
  let name = "ptm";
  let cppNamespace = "::ptm";
  let summary = "Transformer-level tensor operations";
  let description = [{
    The `ptm` dialect describes transformer models at the level their authors
    think in: embeddings, matmuls and fused linear layers, layer norm, GELU,
    attention. Every op works on statically shaped ranked tensors with value
    semantics. Models enter the compiler in this dialect; fusion passes rewrite
    it; `ptm-decompose` lowers it to linalg, tensor, arith and math.
  }];
}

class Ptm_Op<string mnemonic, list<Trait> traits = []>
    : Op<Ptm_Dialect, mnemonic, traits>;

// Floating-point tensors the model math runs in (f32 today, f64 for gradient
// checks).
def Ptm_FloatTensor : RankedTensorOf<[F32, F64]>;
// A weight that may be stored in bfloat16 (`ptmc --precision bf16`): the
// rank-2 rhs of a matmul, the weight of a linear layer, an embedding table.
// Its users compute in f32, widening each element as they read it.
def Ptm_WeightTensor : RankedTensorOf<[F32, F64, BF16]>;
def Ptm_IndexTensor : RankedTensorOf<[I32, I64]>;
def Ptm_MaskTensor : RankedTensorOf<[I1, I32, I64, F32, F64]>;
// The seed of a counter-based random generator: a rank-0 i64 tensor.
def Ptm_SeedTensor : 0DTensorOf<[I64]>;

#endif // PTM_DIALECT_TD
