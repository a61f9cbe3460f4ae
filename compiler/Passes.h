// Declarations and registration of all ptm passes and pipelines.
#pragma once

#include <cstdint>
#include <utility>

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

#include "dialects/ptm/PtmDialect.h"

namespace ptm {

#define GEN_PASS_DECL
#include "compiler/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/Passes.h.inc"

// Attribute names that tie IR to the artifact: entry functions and the role
// of each argument and result.
inline constexpr llvm::StringLiteral kEntryAttr = "ptm.entry";
inline constexpr llvm::StringLiteral kParameterAttr = "ptm.parameter";
inline constexpr llvm::StringLiteral kInputAttr = "ptm.input";
inline constexpr llvm::StringLiteral kOutputAttr = "ptm.output";
// Marks a loss function for ptm-autodiff.
inline constexpr llvm::StringLiteral kDifferentiateAttr = "ptm.differentiate";
// Number of micro-batches of a differentiated loss function, for
// ptm-accumulate-gradients.
inline constexpr llvm::StringLiteral kGradAccumAttr = "ptm.grad_accum";
// The input that seeds the dropout masks of a training entry.
inline constexpr llvm::StringLiteral kDropoutSeedInput = "dropout_seed";
// Marks a differentiated loss function for ptm-optimizer (AdamW settings).
inline constexpr llvm::StringLiteral kOptimizerAttr = "ptm.optimizer";
// On an entry result: the new value of the parameter its ptm.output names,
// written over that parameter's buffer (ptm-update-parameters-in-place)
// instead of into an output.
inline constexpr llvm::StringLiteral kUpdatesParameterAttr = "ptm.updates_parameter";
// On an entry function: ptm-tile's choice for each contraction shape, one
// line each (an array of strings), which the artifact keeps.
inline constexpr llvm::StringLiteral kScheduleAttr = "ptm.schedule";

struct CpuPipelineOptions {
  bool fuse = true;
  // ptm-fuse-residual-norm (only with fuse).
  bool fuseResidualNorm = true;
  // ptm-fuse-attention (only with fuse).
  bool fuseAttention = true;
  // ptm-fuse-epilogues (only with fuse and tile).
  bool fuseEpilogues = true;
  bool tile = true;
  // ptm-tile's register tile; 0: the host's (see registerTileForHost).
  int64_t registerTileM = 0, registerTileN = 0;
  // ptm-tile copies rhs tiles into contiguous panels (see its pack-rhs).
  bool packRhs = true;
  // ptm-tile prefetches the next weight tile of packed contractions.
  bool prefetchRhs = true;
  // ptm-approximate-math evaluates f32 tanh, erf, exp and log inline.
  bool approximateMath = true;
  // ptm-free-after-last-use frees each buffer after its last use.
  bool freeEarly = true;
  // ptm-tile's cache tile; 0: the pass's default.
  int64_t tileM = 0, tileN = 0, tileK = 0;
  // ptm-fuse-attention's blocks; 0: the pass's default.
  int64_t attentionQueryBlock = 0, attentionKeyBlock = 0;
};

// The register tile that fits the host's vector registers: 8 x 32 f32
// (16 accumulators of 512 bits) with AVX-512, else 6 x 16 (12 accumulators of
// 256 bits, leaving AVX2's other 4 registers for two rhs vectors and a
// broadcast).
std::pair<int64_t, int64_t> registerTileForHost();

// f32 lanes of the host's vector registers: 16 with AVX-512, else 8.
int64_t vectorWidthForHost();

// ptm (tensor level) -> LLVM dialect with the entry ABI, for the host CPU.
void buildCpuLoweringPipeline(mlir::OpPassManager &pm, const CpuPipelineOptions &options);

// The stages `ptmc --emit=` can stop after. The graph stage completes the
// model at the ptm level (gradients); its output fixes the entry signatures.
void buildPtmGraphPipeline(mlir::OpPassManager &pm);
void buildPtmToLinalgPipeline(mlir::OpPassManager &pm, const CpuPipelineOptions &options);
void buildLinalgToLlvmPipeline(mlir::OpPassManager &pm, const CpuPipelineOptions &options);

// Registers ptm's passes and the `ptm-lower-to-llvm` pipeline with the global
// registry (ptm-opt, plugins).
void registerPtmPassesAndPipelines();

} // namespace ptm
