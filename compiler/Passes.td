#ifndef PTM_PASSES_TD
#define PTM_PASSES_TD

include "mlir/Pass/PassBase.td"

def PtmAutodiff : Pass<"ptm-autodiff", "mlir::ModuleOp"> {
  let summary = "Reverse-mode differentiation of loss functions";
  let description = [{
    Each function marked `ptm.differentiate` must return one rank-0 loss.
    The pass appends, after the loss, the gradient of the loss with respect
    to every argument that carries `ptm.parameter`, named by that parameter
    in its `ptm.output` result attribute, and drops the marker.

    The backward pass is built in reverse program order from the seed
    d(loss) = 1: each op on the path to the loss contributes the gradients
    of its operands through its `DifferentiableOpInterface` rule, and the
    contributions to a value used several times (fan-out: a tied
    embedding, the residual stream) are summed with `ptm.add`. Forward
    values the rules read are saved (kept alive from the forward pass);
    the `*_grad` ops recompute their internals (attention probabilities,
    layer-norm statistics, softmax of the logits). A parameter that does
    not influence the loss gets a zero gradient. An op on the path without
    a rule is an error naming the op.
  }];
  let dependentDialects = ["::ptm::PtmDialect", "::mlir::arith::ArithDialect"];
}

def PtmAccumulateGradients : Pass<"ptm-accumulate-gradients", "mlir::ModuleOp"> {
  let summary = "Run a differentiated loss function over micro-batches";
  let description = [{
    Runs after ptm-autodiff (and before ptm-optimizer) on functions marked
    `ptm.grad_accum = K`, whose results are the loss and one gradient per
    parameter of one micro-batch. The inputs of rank 1 or more (input_ids,
    labels, attention_mask: `[batch, ...]`) become `[K * batch, ...]`, and
    the body moves into a private function `<name>_micro_batch` of the full
    inputs and a micro-batch index k, which reads rows
    `[k * batch, (k + 1) * batch)` of every input. The entry calls it in an
    `scf.for` over the K micro-batches and adds its loss and gradients to
    loop-carried sums, so that memory and code size do not grow with K. The
    step stays a function of its own (`noinline`): LLVM's loop passes then
    never see the whole forward and backward pass inside a loop, which would
    make compilation several times slower.

    The sums are exactly the loss and gradients of the whole batch: every
    `ptm.cross_entropy` (and its `cross_entropy_grad`) divides by the count
    of scored targets of the whole batch, a `ptm.count_targets` of the full
    labels computed before the loop, instead of by its micro-batch's own
    count. A micro-batch then contributes n_k / N of its mean loss and
    gradients, and one whose targets are all ignored contributes zero.

    A rank-0 input named `dropout_seed` becomes `seed * K + k` in
    micro-batch k, so that every micro-batch draws its own dropout masks.
  }];
  let dependentDialects = ["::ptm::PtmDialect", "::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect", "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

def PtmOptimizer : Pass<"ptm-optimizer", "mlir::ModuleOp"> {
  let summary = "Append the AdamW update to a differentiated loss function";
  let description = [{
    Runs after ptm-autodiff on functions marked
    `ptm.optimizer = {beta1, beta2, epsilon, weight_decay, max_grad_norm}`
    (and optionally `decay_all = true`),
    whose results are the loss and one gradient per parameter. It turns them
    into a training step:
    - new parameters `optimizer.exp_avg.<name>` and
      `optimizer.exp_avg_sq.<name>` (the AdamW moments, `ptm.optimizer_state`,
      initialised to zeros when a checkpoint has none), placed after the
      model parameters;
    - new inputs `learning_rate` and `step` (rank 0, step counts from 1);
    - the gradients are scaled by the global-norm clipping factor
      (`max_grad_norm` > 0) and each parameter takes one `ptm.adamw` step,
      with weight decay only for parameters of rank 2 or more (not biases or
      LayerNorm weights), as GPT-2 training recipes configure AdamW, unless
      `decay_all` asks to decay every parameter;
    - the results become the loss, then the new value of every parameter and
      moment under its own name, marked `ptm.updates_parameter`; the
      parameters and moments become writable (`bufferization.writable`).
      After bufferization, ptm-update-parameters-in-place makes each such
      result a write over its parameter's buffer, so a step needs no second
      copy of the model and optimizer state.
  }];
  let dependentDialects = ["::ptm::PtmDialect", "::mlir::arith::ArithDialect"];
}

def PtmFuse : Pass<"ptm-fuse", "mlir::func::FuncOp"> {
  let summary = "Fuse matmul epilogues (bias, GELU) into ptm.linear";
  let description = [{
    Graph fusion at the ptm level. A `ptm.matmul` with a rank-2 weight whose
    only user adds a bias over the last dimension becomes a `ptm.linear` with
    that bias; a `ptm.linear` whose only user is a GELU takes the GELU as its
    activation. Lowering then computes the epilogue on each output tile right
    after its products, instead of streaming the whole output through memory
    once per elementwise op.
  }];
  let dependentDialects = ["::ptm::PtmDialect"];
}

def PtmFuseResidualNorm : Pass<"ptm-fuse-residual-norm", "mlir::func::FuncOp"> {
  let summary = "Fuse a residual add into the layer norm of its sum";
  let description = [{
    Graph fusion at the ptm level: a `ptm.layer_norm` whose input is a
    same-shape `ptm.add` (a residual connection) becomes a
    `ptm.residual_layer_norm`, which lowering computes a block of rows at a
    time: the add, both row statistics and the normalisation read each row
    while it is in cache, instead of streaming the sum through memory four
    times. Other users of the add take the new op's `sum`. Runs after
    differentiation (the fused op has no gradient); `ptmc
    --no-fuse-residual-norm` turns it off.
  }];
  let dependentDialects = ["::ptm::PtmDialect"];
}

def PtmFuseAttention : Pass<"ptm-fuse-attention", "mlir::func::FuncOp"> {
  let summary = "Lower attention to one tiled kernel with an online softmax";
  let description = [{
    Each `ptm.attention` without dropout becomes an `scf.forall` over heads
    and blocks of query rows. A task walks the keys a block at a time with an
    online softmax (a running row maximum, a running sum of exponentials and
    a running output, rescaled when the maximum grows), so the `[B, H, T, S]`
    scores never exist in memory: only one `[query-block, key-block]` block
    per task. With a causal mask, key blocks after a query block's last row
    are skipped. The block products are `linalg.matmul` ops that ptm-tile
    register-tiles. Attention with dropout keeps ptm-decompose's unfused
    lowering. `ptmc --no-fuse-attention` turns it off.
  }];
  let options = [
    Option<"queryBlock", "query-block", "int64_t", "32",
           "Most query rows per task (the largest divisor of the query length up to this)">,
    Option<"keyBlock", "key-block", "int64_t", "64",
           "Most keys per online-softmax step (a divisor of the key length, in multiples of key-multiple where one divides)">,
    Option<"keyMultiple", "key-multiple", "int64_t", "16",
           "Key blocks come in multiples of this where one divides the key length: ptm-tile's register-tile-n, so that the score blocks get register tiles">
  ];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect", "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect", "::mlir::scf::SCFDialect"
  ];
}

def PtmFuseElementwise : Pass<"ptm-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuse chains of elementwise linalg ops into one loop nest";
  let description = [{
    Fuses a linalg op into an elementwise (all-parallel) consumer when the
    consumer is its only user: bias + residual adds, the GELU epilogue and
    layer norm's final affine map each become one pass over memory. Producers
    are never fused into reductions or contractions, where they would be
    recomputed once per reduction step.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def PtmDecompose : Pass<"ptm-decompose", "mlir::ModuleOp"> {
  let summary = "Lower ptm ops to linalg, tensor, arith and math";
  let description = [{
    Every ptm op becomes structured linalg ops on tensors: contractions become
    `linalg.matmul` / `linalg.batch_matmul` (transposes expressed through
    their indexing maps, never materialised), reductions and elementwise math
    become `linalg.generic`, shape ops become tensor reshapes and slices.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect", "::mlir::scf::SCFDialect"
  ];
}

def PtmFuseEpilogues : Pass<"ptm-fuse-epilogues", "mlir::func::FuncOp"> {
  let summary = "Compute matmul epilogues on each output tile";
  let description = [{
    A `linalg.matmul` whose only user is an elementwise `linalg.generic` over
    its `[M, N]` result (ptm.linear's bias and activation, possibly merged
    with a residual add by ptm-fuse-elementwise) is fused into that
    generic's tiles: the generic is tiled into the output tiles ptm-tile
    would give the matmul (an `scf.forall`, the same `tile-m`, `tile-n`,
    `register-tile-n` and `min-tiles`), and the matmul and the fill of its
    accumulator are computed per tile inside it. The epilogue then reads
    each product tile while it is in cache instead of streaming the whole
    product through memory once more. ptm-tile leaves the fused matmul's
    output tiling alone (it is already its task's tile) and gives it
    register tiles. Shapes the tiles do not divide stay unfused. `ptmc
    --no-fuse-epilogues` turns it off.
  }];
  let options = [
    Option<"tileM", "tile-m", "int64_t", "512", "Rows of the result per tile (as ptm-tile)">,
    Option<"tileN", "tile-n", "int64_t", "128", "Columns of the result per tile (as ptm-tile)">,
    Option<"registerTileN", "register-tile-n", "int64_t", "32", "Columns of a register tile (as ptm-tile)">,
    Option<"minTiles", "min-tiles", "int64_t", "8", "Fewest output tiles to aim for (as ptm-tile)">
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect", "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

def PtmTile : Pass<"ptm-tile", "mlir::func::FuncOp"> {
  let summary = "Tile contractions for cache locality";
  let description = [{
    Tiles every `linalg.matmul` and `linalg.batch_matmul` on tensors into
    `tile-m` x `tile-n` output tiles, an `scf.forall` whose iterations are
    independent (the runtime runs them on its thread pool), and `tile-k`
    reduction steps, an `scf.for` inside each output tile. A contraction
    already inside an `scf.forall` (a block product of fused attention, a
    matmul fused into its epilogue's tiles) is its task's own tile: it gets no output tiling, only the rest. The default tiles
    are tall (all rows of a model's activations, up to 512) and narrow: each
    rhs tile is packed once and serves every row, and a tile-k x
    register-tile-n panel of it (16 KiB with AVX2's 16 columns) stays in
    L1 while the lhs rows stream past it from L2. Each tile then
    becomes a generic whose innermost loop runs along the contiguous dimension
    (N for a [K, N] rhs, K for a transposed one), so that the vector code
    generator streams rows instead of striding columns. A matmul tile (plain
    or with a transposed rhs) whose columns divide into register tiles
    (`register-tile-m` x `register-tile-n`) instead accumulates each register
    tile in vector registers across the reduction; ptmc picks it for the
    host (8 x 32 with AVX-512, 6 x 16 with AVX2). With `pack-rhs` (the
    default) each rhs tile is first copied, in vector registers, into
    panels of `register-tile-n` contiguous columns, so that a register
    tile's k steps read consecutive memory: unpacked they are a whole rhs row
    apart, and for widths that are multiples of 1024 floats every such row
    falls into the same L1 cache set. A contraction of at most
    `register-tile-m` rows (a decoding step) is not packed: each rhs
    element would be copied to be read once. A bf16 rhs (`ptmc --precision
    bf16`) is widened to f32 as it is packed, and is packed at any row
    count (the panel copy widens whole vectors); with `pack-rhs=false` it
    takes the generic loops. Packed, the rows left after the last
    whole register tile get one shorter register tile (128 rows: 21 of 6
    and one of 2); unpacked, the rows must divide into register tiles. A
    transposed rhs is register tiled only when packed. Register tiles are
    finally computed one row at a time, their vectors split into pieces of
    `vector-width` lanes: a row's broadcast lhs element meets each of its
    register-wide rhs vectors and is then dead, so a 6 x 16 tile on AVX2
    needs 15 of the 16 registers (12 accumulators, 2 rhs vectors, 1
    broadcast) and a register tile of 24 columns is three FMAs per row, not
    one 24-lane vector that LLVM would pad and shuffle.

    A packed contraction whose rhs is a function argument (a weight, read
    once per call from memory, not from cache) gets `ptm.prefetch` hints
    (with `prefetch-rhs`): the weight tile that the next reduction step
    packs, or the next output tile's first one, is spread over the current
    step's register tiles, a few rows of the tile each, so that the weight
    streams in while the current tile computes instead of stalling the next
    panel copy.

    The pass records what it chose in the function's `ptm.schedule`: for
    each distinct contraction shape, one line with its layouts, output and
    k tiles and kernel. ptmc stores the lines in the artifact, and
    `ptm-run info` prints them.
  }];
  let options = [
    Option<"tileM", "tile-m", "int64_t", "512", "Rows of the result per tile">,
    Option<"tileN", "tile-n", "int64_t", "128", "Columns of the result per tile">,
    Option<"tileK", "tile-k", "int64_t", "256", "Reduction depth per tile">,
    Option<"minTiles", "min-tiles", "int64_t", "8",
           "Output tiles a contraction should have at least, for the thread pool to balance; "
           "tile-n is halved (down to two register tiles) until it has them">,
    Option<"registerTileM", "register-tile-m", "int64_t", "8",
           "Rows of a register tile (a vector.contract kept in registers)">,
    Option<"registerTileN", "register-tile-n", "int64_t", "32",
           "Columns of a register tile (the vector width of its rows)">,
    Option<"packRhs", "pack-rhs", "bool", "true",
           "Copy each rhs tile into contiguous register-tile-n-column panels first">,
    Option<"vectorWidth", "vector-width", "int64_t", "16",
           "f32 lanes of the target's vector registers (16 with AVX-512, 8 with AVX2)">,
    Option<"prefetchRhs", "prefetch-rhs", "bool", "true",
           "Prefetch the next weight tile of a packed contraction while the current one computes">
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect", "::mlir::linalg::LinalgDialect",
                           "::mlir::affine::AffineDialect", "::mlir::vector::VectorDialect",
                           "::ptm::PtmDialect"];
}

def PtmParallelizeLoops : Pass<"ptm-parallelize-loops", "mlir::func::FuncOp"> {
  let summary = "Split the outer loop of elementwise ops and reductions into parallel chunks";
  let description = [{
    Every linalg op other than a contraction (ptm-tile handles those) or a
    fill, whose outermost loop is parallel and static, is tiled along that
    loop into at most `chunks` equal pieces in an `scf.forall`: layer norm,
    softmax, GELU epilogues and the other row-wise ops then run on the
    runtime's thread pool. Each forall becomes its own function in
    ptm-parallel-to-runtime, which also keeps the entry function small
    enough for LLVM's loop optimisations to stay fast on large models.
  }];
  let options = [
    Option<"chunks", "chunks", "int64_t", "16", "Most pieces the outer loop is split into">
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect", "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def PtmUpdateParametersInPlace : Pass<"ptm-update-parameters-in-place", "mlir::ModuleOp"> {
  let summary = "Write parameter updates over the parameters' buffers";
  let description = [{
    Runs after one-shot bufferization, before results become out-parameters.
    Each entry result marked `ptm.updates_parameter` holds the new value of
    the parameter argument that its `ptm.output` names. The result is
    removed from the function; when bufferization already computed it in
    the parameter's buffer (AdamW's update takes its destinations from its
    operands, and the step's parameters are writable) nothing else changes,
    otherwise a `memref.copy` into the parameter's buffer just before the
    return takes its place. The artifact lists such results as the entry's
    updated parameters rather than as outputs, and the runtime passes no
    buffer for them. A marked result without a parameter of its name, or
    one whose parameter is read-only, is an error.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def PtmWriteResultsInPlace : Pass<"ptm-write-results-in-place", "mlir::func::FuncOp"> {
  let summary = "Compute reshaped results in their out-parameters";
  let description = [{
    Runs after `buffer-results-to-out-params`, whose `hoist-static-allocs`
    computes a result in its out-parameter only when the function returns
    the allocation itself. A result returned through reshapes (GPT-2's
    logits are computed as [B*T, V] and returned as [B, T, V]) was computed
    in a buffer of its own and copied into the out-parameter at the end: at
    batch 8, 206 MB written twice, from a buffer too large for the
    allocator to keep, so every call faulted it in again. For each
    `memref.copy` in the function's body from reshapes of a `memref.alloc`
    (each reshape feeding only the next) into an out-parameter that nothing
    else uses, when no use of the allocation follows the copy, the
    allocation becomes the inverse reshapes of the out-parameter and the
    copy goes. Copies that do not fit the pattern stay as they are.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def PtmFreeAfterLastUse : Pass<"ptm-free-after-last-use", "mlir::func::FuncOp"> {
  let summary = "Free each buffer right after its last use";
  let description = [{
    Runs after the buffer deallocation pipeline, which frees every buffer at
    the end of the block that allocated it. In an entry function that block
    is the whole body, so every activation, gradient and temporary of a
    train step stayed allocated until the step returned: the peak was the
    sum of all buffers. This pass moves each unconditional `memref.dealloc`
    of a `memref.alloc` up to just after the last operation of the block
    that uses the buffer or anything that may alias it (any memref result
    of a user is taken as an alias; uses inside nested regions count as
    uses by the op that holds them). A buffer whose alias reaches the
    block's terminator, or whose address is taken as an index, keeps its
    dealloc where it is. The allocator then reuses freed memory for later
    buffers, so the peak follows the buffers that are live at once.
    `ptmc --no-free-early` turns the pass off for comparison.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def PtmParallelToRuntime : Pass<"ptm-parallel-to-runtime", "mlir::ModuleOp"> {
  let summary = "Run scf.forall loops on the runtime's thread pool";
  let description = [{
    Runs on buffers, before lowering to LLVM. Each outermost `scf.forall`
    with constant bounds becomes a call of the runtime's `parallel_for`
    callback (runtime/RuntimeCallbacks.h): its body is outlined into a
    function `void body(int64_t begin, int64_t end, void *context)` that
    runs the linearised iterations [begin, end), and the values it uses from
    above are packed into a stack-allocated context (memrefs as their
    descriptors). The callback table is the one the entry wrapper received
    (see ptm-emit-entry-abi), kept in the module global
    `ptm_runtime_callbacks`. Nested foralls stay serial.
  }];
  let options = [
    Option<"grain", "grain", "int64_t", "1",
           "Fewest iterations a thread takes at once">
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect", "::mlir::scf::SCFDialect",
                           "::mlir::func::FuncDialect", "::mlir::arith::ArithDialect"];
}

def PtmStridedCopiesToLoops : Pass<"ptm-strided-copies-to-loops", "mlir::func::FuncOp"> {
  let summary = "Copy strided buffers with generated loops";
  let description = [{
    A `memref.copy` between buffers that are not both contiguous lowers to
    a call of `memrefCopy` from MLIR's C runner library, which the runtime
    does not ship. This pass rewrites such copies into `linalg.copy`, which
    becomes loops like every other linalg op. Contiguous copies are kept:
    they become `memcpy`.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect", "::mlir::memref::MemRefDialect"];
}

def PtmApproximateMath : Pass<"ptm-approximate-math", "mlir::func::FuncOp"> {
  let summary = "Evaluate f32 tanh, erf, exp, expm1, log and log1p as polynomials";
  let description = [{
    Rewrites these math ops on f32 (scalars or vectors) into MLIR's
    polynomial approximations (range reduction, then a minimax polynomial
    or rational function; special values such as exp(-inf) = 0 and
    log(0) = -inf are kept). Lowered to libm, each element of GELU,
    softmax or cross-entropy costs a call and keeps its loop scalar; as
    arithmetic the loop vectorises. f64 ops (gradient checks) keep libm.
    `ptmc --libm-math` turns the pass off for comparison.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def PtmEmitEntryAbi : Pass<"ptm-emit-entry-abi", "mlir::ModuleOp"> {
  let summary = "Give each entry function the runtime's C calling convention";
  let description = [{
    Runs on the LLVM dialect. For each function marked `ptm.entry`, emits
    `void ptm_entry_<name>(void **buffers, const PtmRuntimeCallbacks *cb)`,
    which loads one pointer per argument from `buffers` and calls the
    bare-pointer function. The runtime needs no knowledge of MLIR's memref
    descriptors and the argument count is unlimited. When the module runs
    loops in parallel, the wrapper first stores the callback table in
    `ptm_runtime_callbacks`.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // PTM_PASSES_TD
