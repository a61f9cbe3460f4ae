#include "compiler/codegen/cpu/ObjectEmitter.h"

#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

using namespace llvm;

namespace ptm::codegen {
namespace {

Error failure(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

Expected<std::unique_ptr<TargetMachine>> createTargetMachine(const CpuTarget &target) {
  InitializeNativeTarget();
  InitializeNativeTargetAsmPrinter();
  Triple triple(target.triple);
  std::string error;
  const Target *backend = TargetRegistry::lookupTarget(triple, error);
  if (!backend)
    return failure("no code generator for target '" + target.triple + "': " + error);
  TargetOptions options;
  std::unique_ptr<TargetMachine> machine(
      backend->createTargetMachine(triple, target.cpu, target.features, options, Reloc::PIC_,
                                   std::nullopt, CodeGenOptLevel::Aggressive));
  if (!machine)
    return failure("cannot create a target machine for '" + target.triple + "'");
  return machine;
}

void optimize(Module &module, TargetMachine &machine) {
  LoopAnalysisManager loopAnalyses;
  FunctionAnalysisManager functionAnalyses;
  CGSCCAnalysisManager cgsccAnalyses;
  ModuleAnalysisManager moduleAnalyses;
  PassBuilder builder(&machine);
  builder.registerModuleAnalyses(moduleAnalyses);
  builder.registerCGSCCAnalyses(cgsccAnalyses);
  builder.registerFunctionAnalyses(functionAnalyses);
  builder.registerLoopAnalyses(loopAnalyses);
  builder.crossRegisterProxies(loopAnalyses, functionAnalyses, cgsccAnalyses, moduleAnalyses);
  builder.buildPerModuleDefaultPipeline(OptimizationLevel::O3).run(module, moduleAnalyses);
}

// LLVM IR for `module`, optimised at -O3 for the target, with the machine
// that will emit it.
struct OptimizedModule {
  std::unique_ptr<TargetMachine> machine;
  std::unique_ptr<LLVMContext> context;
  std::unique_ptr<Module> module;
};

Expected<OptimizedModule> translateAndOptimize(mlir::ModuleOp module, const CpuTarget &target) {
  OptimizedModule result;
  Expected<std::unique_ptr<TargetMachine>> machine = createTargetMachine(target);
  if (!machine)
    return machine.takeError();
  result.machine = std::move(*machine);
  result.context = std::make_unique<LLVMContext>();
  result.module = mlir::translateModuleToLLVMIR(module, *result.context);
  if (!result.module)
    return failure("cannot translate the LLVM dialect module to LLVM IR");
  result.module->setTargetTriple(result.machine->getTargetTriple());
  result.module->setDataLayout(result.machine->createDataLayout());
  optimize(*result.module, *result.machine);
  return result;
}

// The linker that turns the object into a shared object: LLVM's lld when
// installed (it ships with the LLVM ptmc is built against), else the system's.
Expected<std::string> findLinker() {
  for (StringRef name : {"ld.lld-22", "ld.lld"})
    if (ErrorOr<std::string> path = sys::findProgramByName(name))
      return *path;
  if (ErrorOr<std::string> path = sys::findProgramByName("ld.lld", {"/usr/lib/llvm-22/bin"}))
    return *path;
  if (ErrorOr<std::string> path = sys::findProgramByName("ld"))
    return *path;
  return failure("no linker found (install lld-22 or binutils)");
}

// Removes a temporary file when it goes out of scope.
struct TemporaryFile {
  SmallString<128> path;
  ~TemporaryFile() {
    if (!path.empty())
      sys::fs::remove(path);
  }
};

} // namespace

CpuTarget hostCpuTarget() {
  CpuTarget target;
  target.triple = sys::getDefaultTargetTriple();
  target.cpu = sys::getHostCPUName().str();
  // Only the enabled features: the CPU name implies the rest, and the list
  // is what `ptm-run info` shows.
  std::vector<std::string> enabled;
  for (const auto &feature : sys::getHostCPUFeatures())
    if (feature.second)
      enabled.push_back("+" + feature.first().str());
  llvm::sort(enabled);
  std::string features = llvm::join(enabled, ",");
  target.features = features;
  return target;
}

Expected<std::string> emitLlvmIr(mlir::ModuleOp module, const CpuTarget &target) {
  Expected<OptimizedModule> optimized = translateAndOptimize(module, target);
  if (!optimized)
    return optimized.takeError();
  std::string text;
  raw_string_ostream os(text);
  optimized->module->print(os, nullptr);
  return text;
}

Expected<std::string> emitSharedObject(mlir::ModuleOp module, const CpuTarget &target) {
  Expected<OptimizedModule> optimized = translateAndOptimize(module, target);
  if (!optimized)
    return optimized.takeError();

  SmallString<0> object;
  {
    raw_svector_ostream objectStream(object);
    legacy::PassManager codegen;
    if (optimized->machine->addPassesToEmitFile(codegen, objectStream, nullptr,
                                        CodeGenFileType::ObjectFile))
      return failure("the target cannot emit object files");
    codegen.run(*optimized->module);
  }

  TemporaryFile objectFile, sharedObjectFile;
  if (std::error_code ec = sys::fs::createTemporaryFile("ptm-code", "o", objectFile.path))
    return failure("cannot create a temporary file: " + ec.message());
  if (std::error_code ec = sys::fs::createTemporaryFile("ptm-code", "so", sharedObjectFile.path))
    return failure("cannot create a temporary file: " + ec.message());
  {
    std::error_code ec;
    raw_fd_ostream out(objectFile.path, ec, sys::fs::OF_None);
    if (ec)
      return failure("cannot write '" + objectFile.path + "': " + ec.message());
    out << object;
  }
  Expected<std::string> linker = findLinker();
  if (!linker)
    return linker.takeError();
  std::string message;
  SmallVector<StringRef> arguments{*linker, "-shared", "-o", sharedObjectFile.path,
                                   objectFile.path};
  int status = sys::ExecuteAndWait(*linker, arguments, std::nullopt, {}, 0, 0, &message);
  if (status != 0)
    return failure("linking the shared object with '" + *linker + "' failed" +
                   (message.empty() ? "" : ": " + message));
  ErrorOr<std::unique_ptr<MemoryBuffer>> bytes = MemoryBuffer::getFile(sharedObjectFile.path);
  if (!bytes)
    return failure("cannot read the linked shared object: " + bytes.getError().message());
  return (*bytes)->getBuffer().str();
}

} // namespace ptm::codegen
