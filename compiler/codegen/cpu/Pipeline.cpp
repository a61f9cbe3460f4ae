// The CPU compilation pipeline, stage by stage. `ptmc --emit=` stops after a
// stage; ptm-opt exposes the whole as `ptm-lower-to-llvm`.
#include "compiler/Passes.h"

#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/TargetParser/Host.h"

#include <string>

using namespace mlir;

namespace ptm {
namespace {

void addPipeline(OpPassManager &pm, StringRef pipeline) {
  std::string errors;
  llvm::raw_string_ostream errorStream(errors);
  if (failed(parsePassPipeline(pipeline, pm, errorStream)))
    llvm::report_fatal_error(llvm::Twine("ptm: invalid built-in pipeline: ") + errors);
}

bool hostHasAvx512() { return llvm::sys::getHostCPUFeatures().lookup("avx512f"); }

} // namespace

void buildPtmGraphPipeline(OpPassManager &pm) {
  addPipeline(pm, "ptm-autodiff,ptm-accumulate-gradients,ptm-optimizer");
}

std::pair<int64_t, int64_t> registerTileForHost() {
  if (hostHasAvx512())
    return {8, 32};
  return {6, 16};
}

int64_t vectorWidthForHost() { return hostHasAvx512() ? 16 : 8; }

void buildPtmToLinalgPipeline(OpPassManager &pm, const CpuPipelineOptions &options) {
  auto [hostM, hostN] = registerTileForHost();
  int64_t registerM = options.registerTileM > 0 ? options.registerTileM : hostM;
  int64_t registerN = options.registerTileN > 0 ? options.registerTileN : hostN;
  if (options.fuse) {
    std::string fusion = "func.func(ptm-fuse";
    if (options.fuseResidualNorm)
      fusion += ",ptm-fuse-residual-norm";
    if (options.fuseAttention) {
      // Key blocks in whole register tiles, so that the score blocks get them.
      fusion += ",ptm-fuse-attention{key-multiple=" + std::to_string(options.tile ? registerN : 1);
      if (options.attentionQueryBlock > 0)
        fusion += " query-block=" + std::to_string(options.attentionQueryBlock);
      if (options.attentionKeyBlock > 0)
        fusion += " key-block=" + std::to_string(options.attentionKeyBlock);
      fusion += "}";
    }
    addPipeline(pm, fusion + ")");
  }
  addPipeline(pm, "canonicalize,ptm-decompose,canonicalize,cse");
  if (options.fuse)
    addPipeline(pm, "func.func(ptm-fuse-elementwise),canonicalize,cse");
  if (options.tile) {
    std::string tileOptions = "vector-width=" + std::to_string(vectorWidthForHost()) +
                              " register-tile-m=" + std::to_string(registerM) +
                              " register-tile-n=" + std::to_string(registerN) +
                              (options.packRhs ? "" : " pack-rhs=false") +
                              (options.prefetchRhs ? "" : " prefetch-rhs=false");
    if (options.tileM > 0)
      tileOptions += " tile-m=" + std::to_string(options.tileM);
    if (options.tileN > 0)
      tileOptions += " tile-n=" + std::to_string(options.tileN);
    if (options.tileK > 0)
      tileOptions += " tile-k=" + std::to_string(options.tileK);
    std::string epilogues;
    if (options.fuse && options.fuseEpilogues) {
      epilogues = "ptm-fuse-epilogues{register-tile-n=" + std::to_string(registerN);
      if (options.tileM > 0)
        epilogues += " tile-m=" + std::to_string(options.tileM);
      if (options.tileN > 0)
        epilogues += " tile-n=" + std::to_string(options.tileN);
      epilogues += "},";
    }
    addPipeline(pm, "func.func(" + epilogues + "ptm-tile{" + tileOptions + "},ptm-parallelize-loops),canonicalize,cse");
  }
}

void buildLinalgToLlvmPipeline(OpPassManager &pm, const CpuPipelineOptions &options) {
  // Tensors become buffers. Function arguments keep plain row-major layouts
  // so that the entry ABI can pass bare pointers; parameter updates are
  // written over the parameters; the other results become caller-owned
  // out-parameters that the final producer writes directly, through
  // reshapes when the result is a reshaped view.
  addPipeline(pm, "one-shot-bufferize{bufferize-function-boundaries "
                  "function-boundary-type-conversion=identity-layout-map},"
                  "ptm-update-parameters-in-place,"
                  "buffer-results-to-out-params{hoist-static-allocs modify-public-functions},"
                  "func.func(ptm-write-results-in-place),"
                  "canonicalize,buffer-deallocation-pipeline");
  if (options.freeEarly)
    addPipeline(pm, "func.func(ptm-free-after-last-use)");
  addPipeline(pm, "ptm-parallel-to-runtime,scf-forall-to-for,canonicalize,"
                  "func.func(ptm-strided-copies-to-loops)");
  if (options.approximateMath)
    addPipeline(pm, "func.func(ptm-approximate-math)");
  // Register tiles: n-D transfers unroll into rows, contractions into
  // broadcast + FMA outer products. No arith-expand: it rewrites maximumf
  // into a compare, a NaN test and selects, which LLVM's loop vectoriser
  // does not take for a max reduction, so every softmax row maximum ran one
  // scalar element at a time; convert-arith-to-llvm lowers maximumf to
  // llvm.maximum, whose reductions vectorise.
  addPipeline(pm, "func.func(convert-linalg-to-loops),"
                  "func.func(convert-vector-to-scf{full-unroll}),"
                  "expand-strided-metadata,lower-affine,"
                  "canonicalize,cse,func.func(loop-invariant-code-motion),"
                  "convert-vector-to-llvm{vector-contract-lowering=outerproduct},"
                  "convert-scf-to-cf,convert-math-to-llvm,convert-math-to-libm,"
                  "convert-arith-to-llvm,convert-index-to-llvm,"
                  "finalize-memref-to-llvm,"
                  "convert-func-to-llvm{use-bare-ptr-memref-call-conv},"
                  "convert-cf-to-llvm,convert-ub-to-llvm,reconcile-unrealized-casts,"
                  "ptm-emit-entry-abi,canonicalize");
}

void buildCpuLoweringPipeline(OpPassManager &pm, const CpuPipelineOptions &options) {
  buildPtmGraphPipeline(pm);
  buildPtmToLinalgPipeline(pm, options);
  buildLinalgToLlvmPipeline(pm, options);
}

void registerPtmPassesAndPipelines() {
  static bool registered = false;
  if (registered)
    return;
  registered = true;
  registerAllPasses();
  registerPtmPasses();
  PassPipelineRegistration<>("ptm-lower-to-llvm",
                             "Lower ptm to the LLVM dialect with the runtime entry ABI",
                             [](OpPassManager &pm) { buildCpuLoweringPipeline(pm, {}); });
  PassPipelineRegistration<>("ptm-lower-to-linalg",
                             "Fuse, decompose and tile ptm into linalg on tensors",
                             [](OpPassManager &pm) {
                               buildPtmGraphPipeline(pm);
                               buildPtmToLinalgPipeline(pm, {});
                             });
}

} // namespace ptm
