#include "compiler/driver/Driver.h"

#include "compiler/Passes.h"
#include "compiler/artifact/ArtifactWriter.h"
#include "compiler/codegen/cpu/ObjectEmitter.h"
#include "dialects/ptm/PtmDialect.h"
#include "frontends/ModelBuilder.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

#include <algorithm>

using namespace mlir;

namespace ptm::compiler {
namespace {

llvm::Error failure(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

// Collects the error diagnostics reported while it lives, as one line
// ("; " between them), for the error message of the step that failed.
class ErrorDiagnostics {
public:
  explicit ErrorDiagnostics(MLIRContext *context)
      : handler(context, [this](Diagnostic &diagnostic) {
          if (diagnostic.getSeverity() == DiagnosticSeverity::Error)
            stream << (text.empty() ? "" : "; ") << diagnostic.getLocation() << ": " << diagnostic.str();
          return success();
        }) {}
  // ": <diagnostics>", or nothing when there were none.
  std::string suffix() const { return text.empty() ? "" : ": " + text; }

private:
  std::string text;
  llvm::raw_string_ostream stream{text};
  ScopedDiagnosticHandler handler;
};

// Runs `pm`, turning MLIR diagnostics into one error message.
llvm::Error runPasses(PassManager &pm, ModuleOp module, const llvm::Twine &stage) {
  ErrorDiagnostics diagnostics(module.getContext());
  if (failed(pm.run(module)))
    return failure(stage + " failed" + diagnostics.suffix());
  return llvm::Error::success();
}

llvm::Error writeText(const std::string &path, llvm::function_ref<void(llvm::raw_ostream &)> print) {
  std::error_code ec;
  llvm::ToolOutputFile output(path.empty() ? "-" : path, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return failure(path + ": cannot write: " + ec.message());
  print(output.os());
  output.keep();
  return llvm::Error::success();
}

// The tokenizer files beside the model's config.json, as Hugging Face ships
// them: a fast tokenizer's tokenizer.json, GPT-2's vocab.json + merges.txt
// (or encoder.json + vocab.bpe), BERT's vocab.txt, and their settings.
llvm::Expected<std::vector<std::pair<std::string, std::string>>>
readTokenizerFiles(const std::string &modelPath) {
  static constexpr const char *kTokenizerFiles[] = {
      "tokenizer.json", "vocab.json",          "merges.txt",          "encoder.json",
      "vocab.bpe",      "vocab.txt",           "tokenizer_config.json", "special_tokens_map.json"};
  llvm::SmallString<256> directory(modelPath);
  if (!llvm::sys::fs::is_directory(directory))
    llvm::sys::path::remove_filename(directory);
  std::vector<std::pair<std::string, std::string>> files;
  for (const char *name : kTokenizerFiles) {
    llvm::SmallString<256> path(directory);
    llvm::sys::path::append(path, name);
    if (!llvm::sys::fs::is_regular_file(path))
      continue;
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer = llvm::MemoryBuffer::getFile(path);
    if (!buffer)
      return failure(path + ": cannot read the tokenizer file: " + buffer.getError().message());
    files.emplace_back(name, (*buffer)->getBuffer().str());
  }
  return files;
}

// A module written by hand in the ptm dialect (kernels to benchmark, passes
// to try): its functions marked `ptm.entry` become the artifact's entries.
struct ParsedModule {
  OwningOpRef<ModuleOp> module;
  std::string modelType;
  std::string configJson;
};

llvm::Expected<ParsedModule> parsePtmModule(MLIRContext &context, const std::string &path) {
  ErrorDiagnostics diagnostics(&context);
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(path, &context);
  if (!module)
    return failure(path + ": not a valid MLIR module" + diagnostics.suffix());
  return ParsedModule{std::move(module), "mlir", "{}"};
}

llvm::Expected<ParsedModule> buildFromConfig(MLIRContext &context, const DriverOptions &options) {
  llvm::Expected<frontends::HFConfig> config = frontends::HFConfig::load(options.modelPath);
  if (!config)
    return config.takeError();
  llvm::Expected<OwningOpRef<ModuleOp>> built = frontends::buildModel(context, *config, options.model);
  if (!built)
    return built.takeError();
  if (failed(verify(**built)))
    return failure("internal error: the " + config->modelType() + " graph does not verify");
  return ParsedModule{std::move(*built), config->modelType(), config->text()};
}

} // namespace

llvm::Error compile(const DriverOptions &options) {
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registry.insert<PtmDialect>();
  registerPtmPassesAndPipelines();
  MLIRContext context(registry);

  bool handWritten = llvm::sys::path::extension(options.modelPath) == ".mlir";
  llvm::Expected<ParsedModule> parsed =
      handWritten ? parsePtmModule(context, options.modelPath) : buildFromConfig(context, options);
  if (!parsed)
    return parsed.takeError();
  OwningOpRef<ModuleOp> module = std::move(parsed->module);

  PassManager graph(&context);
  buildPtmGraphPipeline(graph);
  if (llvm::Error error = runPasses(graph, *module, "differentiation"))
    return error;
  if (options.emit == EmitStage::Ptm)
    return writeText(options.outputPath, [&](llvm::raw_ostream &os) { module->print(os); });

  // The artifact records the ptm-level signatures; lowering rewrites them.
  OwningOpRef<ModuleOp> ptmModule = module->clone();
  CpuPipelineOptions pipelineOptions;
  pipelineOptions.fuse = options.fuse;
  pipelineOptions.fuseResidualNorm = options.fuseResidualNorm;
  pipelineOptions.fuseAttention = options.fuseAttention;
  pipelineOptions.fuseEpilogues = options.fuseEpilogues;
  pipelineOptions.tile = options.tile;
  pipelineOptions.packRhs = options.packRhs;
  pipelineOptions.prefetchRhs = options.prefetchRhs;
  pipelineOptions.approximateMath = options.approximateMath;
  pipelineOptions.freeEarly = options.freeEarly;
  pipelineOptions.registerTileM = options.registerTile[0];
  pipelineOptions.registerTileN = options.registerTile[1];
  pipelineOptions.tileM = options.tileSizes[0];
  pipelineOptions.tileN = options.tileSizes[1];
  pipelineOptions.tileK = options.tileSizes[2];
  pipelineOptions.attentionQueryBlock = options.attentionBlocks[0];
  pipelineOptions.attentionKeyBlock = options.attentionBlocks[1];

  PassManager toLinalg(&context);
  buildPtmToLinalgPipeline(toLinalg, pipelineOptions);
  if (llvm::Error error = runPasses(toLinalg, *module, "lowering to linalg"))
    return error;
  if (options.emit == EmitStage::Linalg)
    return writeText(options.outputPath, [&](llvm::raw_ostream &os) { module->print(os); });
  std::map<std::string, std::vector<std::string>> schedules;
  for (auto function : module->getOps<func::FuncOp>())
    if (auto lines = function->getAttrOfType<ArrayAttr>(kScheduleAttr))
      for (auto line : lines.getAsValueRange<StringAttr>())
        schedules[function.getName().str()].push_back(line.str());

  PassManager toLlvm(&context);
  buildLinalgToLlvmPipeline(toLlvm, pipelineOptions);
  if (llvm::Error error = runPasses(toLlvm, *module, "lowering to LLVM"))
    return error;
  if (options.emit == EmitStage::Llvm)
    return writeText(options.outputPath, [&](llvm::raw_ostream &os) { module->print(os); });

  codegen::CpuTarget target = codegen::hostCpuTarget();
  if (options.emit == EmitStage::LlvmIr) {
    llvm::Expected<std::string> ir = codegen::emitLlvmIr(*module, target);
    if (!ir)
      return ir.takeError();
    return writeText(options.outputPath, [&](llvm::raw_ostream &os) { os << *ir; });
  }

  llvm::Expected<std::string> sharedObject = codegen::emitSharedObject(*module, target);
  if (!sharedObject)
    return sharedObject.takeError();
  ArtifactContents contents;
  contents.ptmModule = *ptmModule;
  contents.schedules = std::move(schedules);
  contents.modelType = parsed->modelType;
  contents.mode = options.model.mode;
  contents.modelConfigJson = parsed->configJson;
  contents.batch = options.model.batch;
  contents.seqLen = options.model.seqLen;
  // A generate artifact's sequence length is its longest prompt bucket.
  if (options.model.mode == "generate" && !options.model.promptLengths.empty())
    contents.seqLen = *std::max_element(options.model.promptLengths.begin(), options.model.promptLengths.end());
  contents.target = target;
  contents.sharedObject = std::move(*sharedObject);
  if (!handWritten) {
    llvm::Expected<std::vector<std::pair<std::string, std::string>>> tokenizerFiles =
        readTokenizerFiles(options.modelPath);
    if (!tokenizerFiles)
      return tokenizerFiles.takeError();
    contents.tokenizerFiles = std::move(*tokenizerFiles);
  }
  if (options.outputPath.empty() || options.outputPath == "-")
    return failure("an artifact needs an output file: -o model.ptm");
  if (llvm::Error error = writeArtifact(options.outputPath, contents))
    return failure(options.outputPath + ": cannot write the artifact: " +
                   llvm::toString(std::move(error)));
  return llvm::Error::success();
}

} // namespace ptm::compiler
