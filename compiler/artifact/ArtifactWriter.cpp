#include "compiler/artifact/ArtifactWriter.h"

#include "compiler/Passes.h"
#include "runtime/artifact/ArtifactFormat.h"
#include "runtime/artifact/artifact_generated.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace fb = ptm::artifact;

namespace ptm::compiler {
namespace {

llvm::Error failure(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::Expected<fb::DType> dtypeOf(Type type) {
  if (type.isF32())
    return fb::DType_f32;
  if (type.isF64())
    return fb::DType_f64;
  if (type.isBF16())
    return fb::DType_bf16;
  if (type.isInteger(64))
    return fb::DType_i64;
  if (type.isInteger(32))
    return fb::DType_i32;
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return failure("element type " + text + " cannot cross the entry ABI");
}

llvm::Expected<flatbuffers::Offset<fb::TensorDesc>>
tensorDesc(flatbuffers::FlatBufferBuilder &fbb, StringRef name, Type type, int64_t valueBound,
           std::optional<int64_t> valueException = std::nullopt) {
  auto tensor = cast<RankedTensorType>(type);
  llvm::Expected<fb::DType> dtype = dtypeOf(tensor.getElementType());
  if (!dtype)
    return dtype.takeError();
  std::vector<int64_t> shape(tensor.getShape().begin(), tensor.getShape().end());
  return fb::CreateTensorDescDirect(fbb, name.str().c_str(), *dtype, &shape, valueBound,
                                    valueException.has_value(), valueException.value_or(0));
}

fb::InitKind initKindOf(StringRef name) {
  if (name == "zeros")
    return fb::InitKind_zeros;
  if (name == "ones")
    return fb::InitKind_ones;
  return fb::InitKind_normal;
}

} // namespace

llvm::Expected<std::string> buildArtifact(const ArtifactContents &contents) {
  flatbuffers::FlatBufferBuilder fbb(contents.sharedObject.size() + (1 << 16));
  std::vector<flatbuffers::Offset<fb::Parameter>> parameters;
  llvm::StringMap<uint32_t> parameterIndex;
  // Entries share a parameter by name, so each name has one type.
  llvm::StringMap<std::pair<Type, StringRef>> parameterFirstSeen;
  std::vector<flatbuffers::Offset<fb::Entry>> entries;

  ModuleOp ptmModule = contents.ptmModule;
  for (auto function : ptmModule.getOps<func::FuncOp>()) {
    if (!function->hasAttr(kEntryAttr))
      continue;
    std::vector<flatbuffers::Offset<fb::TensorDesc>> inputs, outputs;
    std::vector<uint32_t> parameterIndices, updatedParameterIndices;
    // The runtime passes an entry's buffers as its parameters, then its
    // inputs, then its outputs, each in order: the arguments must agree.
    bool inputSeen = false;
    for (unsigned i = 0; i < function.getNumArguments(); ++i) {
      Type type = function.getArgument(i).getType();
      if (auto name = function.getArgAttrOfType<StringAttr>(i, kParameterAttr)) {
        if (inputSeen)
          return failure("entry '" + function.getName() + "' argument #" + llvm::Twine(i) + ": parameter '" +
                         name.getValue() + "' follows an input; parameters come first");
        auto [seen, firstUse] = parameterFirstSeen.try_emplace(name.getValue(), type, function.getName());
        if (!firstUse && seen->second.first != type) {
          std::string types;
          llvm::raw_string_ostream os(types);
          os << seen->second.first << " in entry '" << seen->second.second << "' but " << type
             << " in entry '" << function.getName() << "'";
          return failure("parameter '" + name.getValue() + "' is " + types);
        }
        auto [slot, inserted] = parameterIndex.try_emplace(name.getValue(), parameters.size());
        if (inserted) {
          auto desc = tensorDesc(fbb, name.getValue(), type, 0);
          if (!desc)
            return desc.takeError();
          auto init = function.getArgAttrOfType<StringAttr>(i, "ptm.init");
          auto initStd = function.getArgAttrOfType<FloatAttr>(i, "ptm.init_std");
          auto tiedTo = function.getArgAttrOfType<StringAttr>(i, "ptm.tied_to");
          bool optimizerState = function.getArgAttr(i, "ptm.optimizer_state") != nullptr;
          parameters.push_back(fb::CreateParameterDirect(
              fbb, *desc, initKindOf(init ? init.getValue() : "normal"),
              initStd ? static_cast<float>(initStd.getValueAsDouble()) : 0.0f,
              tiedTo ? tiedTo.getValue().str().c_str() : nullptr, optimizerState));
        }
        parameterIndices.push_back(slot->second);
      } else if (auto name = function.getArgAttrOfType<StringAttr>(i, kInputAttr)) {
        inputSeen = true;
        auto bound = function.getArgAttrOfType<IntegerAttr>(i, "ptm.value_bound");
        auto exception = function.getArgAttrOfType<IntegerAttr>(i, "ptm.value_exception");
        auto desc = tensorDesc(fbb, name.getValue(), type, bound ? bound.getInt() : 0,
                               exception ? std::optional<int64_t>(exception.getInt()) : std::nullopt);
        if (!desc)
          return desc.takeError();
        inputs.push_back(*desc);
      } else {
        return failure("entry '" + function.getName() + "' argument #" + llvm::Twine(i) +
                       " is neither a parameter nor an input");
      }
    }
    for (unsigned i = 0; i < function.getNumResults(); ++i) {
      auto name = function.getResultAttrOfType<StringAttr>(i, kOutputAttr);
      if (!name)
        return failure("entry '" + function.getName() + "' result #" + llvm::Twine(i) +
                       " has no ptm.output name");
      if (function.getResultAttr(i, kUpdatesParameterAttr)) {
        auto updated = parameterIndex.find(name.getValue());
        if (updated == parameterIndex.end() || !llvm::is_contained(parameterIndices, updated->second))
          return failure("entry '" + function.getName() + "' result #" + llvm::Twine(i) + " updates parameter '" +
                         name.getValue() + "', which the entry does not take");
        updatedParameterIndices.push_back(updated->second);
        continue;
      }
      auto desc = tensorDesc(fbb, name.getValue(), function.getResultTypes()[i], 0);
      if (!desc)
        return desc.takeError();
      outputs.push_back(*desc);
    }
    std::string symbol = ("ptm_entry_" + function.getName()).str();
    std::vector<flatbuffers::Offset<flatbuffers::String>> schedule;
    auto choices = contents.schedules.find(function.getName().str());
    if (choices != contents.schedules.end())
      for (const std::string &line : choices->second)
        schedule.push_back(fbb.CreateString(line));
    entries.push_back(fb::CreateEntryDirect(fbb, function.getName().str().c_str(),
                                            symbol.c_str(), &inputs, &outputs,
                                            &parameterIndices, &updatedParameterIndices, &schedule));
  }
  if (entries.empty())
    return failure("the module has no entry function (ptm.entry)");

  std::vector<uint8_t> code(contents.sharedObject.begin(), contents.sharedObject.end());
  std::vector<flatbuffers::Offset<fb::CodeBlob>> blobs{fb::CreateCodeBlobDirect(
      fbb, fb::CodeKind_cpu_shared_object, contents.target.triple.c_str(),
      contents.target.cpu.c_str(), contents.target.features.c_str(), &code)};
  std::vector<flatbuffers::Offset<fb::TokenizerFile>> tokenizerFiles;
  for (const auto &[name, fileContents] : contents.tokenizerFiles) {
    std::vector<uint8_t> bytes(fileContents.begin(), fileContents.end());
    tokenizerFiles.push_back(fb::CreateTokenizerFileDirect(fbb, name.c_str(), &bytes));
  }
  std::string producer = "ptmc " PTM_VERSION_STRING;
  auto root = fb::CreateArtifactDirect(fbb, producer.c_str(), contents.modelType.c_str(),
                                       contents.mode.c_str(), contents.modelConfigJson.c_str(),
                                       contents.batch, contents.seqLen, &parameters, &entries,
                                       &blobs, tokenizerFiles.empty() ? nullptr : &tokenizerFiles);
  fb::FinishArtifactBuffer(fbb, root);

  auto header = artifact::makeArtifactHeader(fbb.GetBufferPointer(), fbb.GetSize());
  std::string bytes(reinterpret_cast<const char *>(header.data()), header.size());
  bytes.append(reinterpret_cast<const char *>(fbb.GetBufferPointer()), fbb.GetSize());
  return bytes;
}

llvm::Error writeArtifact(llvm::StringRef path, const ArtifactContents &contents) {
  llvm::Expected<std::string> bytes = buildArtifact(contents);
  if (!bytes)
    return bytes.takeError();
  // writeToOutput writes a temporary file and renames it into place.
  return llvm::writeToOutput(path, [&](llvm::raw_ostream &os) {
    os << *bytes;
    return llvm::Error::success();
  });
}

} // namespace ptm::compiler
