// Packs compiled code and the model's interface into a ptm artifact
// (runtime/artifact/artifact.fbs).
#pragma once

#include "compiler/codegen/cpu/ObjectEmitter.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ptm::compiler {

struct ArtifactContents {
  // The model at the ptm level: entries, their signatures and parameters are
  // read from the `ptm.*` attributes of its functions.
  mlir::ModuleOp ptmModule;
  std::string modelType;
  std::string mode;
  std::string modelConfigJson;
  int64_t batch = 0;
  int64_t seqLen = 0;
  codegen::CpuTarget target;
  std::string sharedObject;
  // (file name, contents) of the model directory's tokenizer files.
  std::vector<std::pair<std::string, std::string>> tokenizerFiles;
  // Per entry name: ptm-tile's choice for each contraction (ptm.schedule).
  std::map<std::string, std::vector<std::string>> schedules;
};

// Serialises the artifact (header + flatbuffer) into bytes.
llvm::Expected<std::string> buildArtifact(const ArtifactContents &contents);

// Writes the artifact to `path` atomically.
llvm::Error writeArtifact(llvm::StringRef path, const ArtifactContents &contents);

} // namespace ptm::compiler
