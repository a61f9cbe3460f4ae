#ifndef PTM_CODEGEN_OPS_TD
#define PTM_CODEGEN_OPS_TD

// Ops of the ptm dialect that only code generation creates: they appear
// after ptm-tile and are gone once tensors become buffers.

include "dialects/ptm/PtmDialect.td"
include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.td"

def Ptm_PrefetchOp : Ptm_Op<"prefetch", [
    DeclareOpInterfaceMethods<BufferizableOpInterface,
                              ["bufferizesToMemoryRead", "bufferizesToMemoryWrite",
                               "getAliasingValues", "bufferize"]>]> {
  let summary = "Ask the cache for a block of a tensor that will be read soon";
  let description = [{
    A hint with no result: the rows `[offsets[0], offsets[0] + sizes[0])`
    and columns `[offsets[1], offsets[1] + sizes[1])` of the rank-2
    `source` are about to be read, so their cache lines should be fetched
    into L2 now. ptm-tile places these in the register-tile loops of a
    packed contraction for the weight tile that the next reduction step (or
    the next output tile) packs, so that the weight streams from memory
    while the current tile computes. Bufferization turns the op into one
    `memref.prefetch` per 64-byte line of the block; it reads nothing and
    changes nothing the program can observe. Offsets must keep the block
    inside the source.

    ```mlir
    ptm.prefetch %w[%row, %column] [4, 128] : tensor<768x2304xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$source, Variadic<Index>:$offsets, DenseI64ArrayAttr:$sizes);
  let assemblyFormat = "$source `[` $offsets `]` $sizes attr-dict `:` type($source)";
  let hasVerifier = 1;
}

#endif // PTM_CODEGEN_OPS_TD
