// The ptmc driver: model directory -> ptm IR -> pipeline -> artifact, with
// the possibility to stop after any stage and print it.
#pragma once

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace ptm::compiler {

enum class EmitStage { Ptm, Linalg, Llvm, LlvmIr, Artifact };

struct DriverOptions {
  std::string modelPath;
  std::string outputPath; // "-" for stdout (not for artifacts)
  EmitStage emit = EmitStage::Artifact;
  int64_t batch = 1;
  int64_t seqLen = 128;
  std::string mode = "infer";
  std::string precision = "f32";
  double adamBeta1 = 0.9;
  double adamBeta2 = 0.95;
  double adamEpsilon = 1e-8;
  double weightDecay = 0.1;
  double maxGradNorm = 1.0;
  bool fuse = true;
  bool tile = true;
};

llvm::Error compile(const DriverOptions &options);

} // namespace ptm::compiler
