// The ptmc driver: model directory -> ptm IR -> pipeline -> artifact, with
// the possibility to stop after any stage and print it.
#pragma once

#include "frontends/ModelBuilder.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace ptm::compiler {

enum class EmitStage { Ptm, Linalg, Llvm, LlvmIr, Artifact };

struct DriverOptions {
  std::string modelPath;
  std::string outputPath; // "-" for stdout (not for artifacts)
  EmitStage emit = EmitStage::Artifact;
  // Shapes, mode, precision and optimizer settings of the model to build.
  frontends::BuildOptions model;
  bool fuse = true;
  bool fuseResidualNorm = true;
  bool fuseAttention = true;
  bool fuseEpilogues = true;
  bool tile = true;
  bool packRhs = true;
  bool prefetchRhs = true;
  bool approximateMath = true;
  bool freeEarly = true;
  // Cache tile (M, N, K) and register tile (M, N) of ptm-tile; 0: defaults.
  int64_t tileSizes[3] = {0, 0, 0};
  int64_t registerTile[2] = {0, 0};
  // ptm-fuse-attention's query and key blocks; 0: the pass's default.
  int64_t attentionBlocks[2] = {0, 0};
};

llvm::Error compile(const DriverOptions &options);

} // namespace ptm::compiler
