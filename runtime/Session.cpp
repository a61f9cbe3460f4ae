#include "runtime/Session.h"

#include "runtime/Error.h"

#include <nlohmann/json.hpp>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <limits>
#include <malloc.h>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>
#include <random>
#include <type_traits>

namespace ptm {

namespace {

// Hugging Face task models name their backbone ("transformer." in
// GPT2LMHeadModel, "bert." in BertForPreTraining), while checkpoints saved
// from the bare model (GPT2Model, BertModel) hold the same tensors without it.
constexpr std::string_view kBackbonePrefixes[] = {"transformer.", "bert."};

// Inputs that callers may omit, and the value they then get: the attention
// mask, whose absence means "attend to every position" (ones), BERT's token
// type ids (all of the first segment: zeros) and the dropout seed of training
// entries (zero).
bool isOptionalInput(const artifact::TensorDesc &desc) {
  std::string name = desc.name()->str();
  return name == "attention_mask" || name == "token_type_ids" || name == "dropout_seed";
}

// `name` with `suffix` replaced by `replacement`, or nothing when it does not
// end with `suffix`.
std::optional<std::string> replaceSuffix(const std::string &name, std::string_view suffix,
                                         std::string_view replacement) {
  if (name.size() < suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
    return std::nullopt;
  return name.substr(0, name.size() - suffix.size()) + std::string(replacement);
}

// The names under which a checkpoint may hold the tensor for `name`: without
// the backbone prefix, and with the LayerNorm names of the original
// TensorFlow BERT conversion (gamma, beta), which bert-base-uncased still uses.
std::vector<std::string> checkpointNames(const std::string &name) {
  std::vector<std::string> names{name};
  for (std::string_view prefix : kBackbonePrefixes)
    if (name.compare(0, prefix.size(), prefix) == 0)
      names.push_back(name.substr(prefix.size()));
  size_t spelled = names.size();
  for (size_t i = 0; i < spelled; ++i) {
    if (auto gamma = replaceSuffix(names[i], "LayerNorm.weight", "LayerNorm.gamma"))
      names.push_back(*gamma);
    if (auto beta = replaceSuffix(names[i], "LayerNorm.bias", "LayerNorm.beta"))
      names.push_back(*beta);
  }
  return names;
}

std::string quotedList(const std::vector<std::string> &names) {
  std::string text;
  for (const std::string &name : names)
    text += (text.empty() ? "'" : ", '") + name + "'";
  return text;
}

int64_t loadInteger(const Tensor &tensor, int64_t index) {
  switch (tensor.dtype()) {
  case DType::I64: return tensor.dataAs<int64_t>()[index];
  case DType::I32: return tensor.dataAs<int32_t>()[index];
  case DType::I8: return tensor.dataAs<int8_t>()[index];
  case DType::U8: return tensor.dataAs<uint8_t>()[index];
  case DType::Bool: return tensor.dataAs<uint8_t>()[index] != 0;
  default: throw Error("internal: tensor '" + tensor.name() + "' does not hold integers");
  }
}

// Fills `tensor` with ones of its dtype (for default masks and InitKind::ones).
void fillOnes(Tensor &tensor) {
  int64_t count = tensor.numElements();
  auto fill = [&](auto one) {
    using Element = decltype(one);
    Element *data = tensor.dataAs<Element>();
    std::fill(data, data + count, one);
  };
  switch (tensor.dtype()) {
  case DType::F32: fill(1.0f); break;
  case DType::F64: fill(1.0); break;
  case DType::I32: fill(int32_t{1}); break;
  case DType::I64: fill(int64_t{1}); break;
  case DType::F16: fill(uint16_t{0x3c00}); break;
  case DType::BF16: fill(uint16_t{0x3f80}); break;
  case DType::I8: fill(int8_t{1}); break;
  case DType::U8:
  case DType::Bool: fill(uint8_t{1}); break;
  }
}

// "[1,7]": the multi-index of element `flatIndex` of a row-major tensor.
std::string formatPosition(const std::vector<int64_t> &shape, int64_t flatIndex) {
  std::vector<int64_t> position(shape.size());
  for (size_t axis = shape.size(); axis-- > 0;) {
    position[axis] = flatIndex % shape[axis];
    flatIndex /= shape[axis];
  }
  return formatShape(position);
}

// An attention mask given as floats, as i64; every value must be 0 or 1.
Tensor floatMaskToIntegers(Tensor mask, const std::string &inputsSource, const std::vector<int64_t> &shape) {
  Tensor converted(mask.name(), DType::I64, mask.shape());
  for (int64_t i = 0; i < mask.numElements(); ++i) {
    double value = mask.dtype() == DType::F64 ? mask.dataAs<double>()[i] : mask.dataAs<float>()[i];
    if (value != 0.0 && value != 1.0)
      throw Error(inputsSource, "input 'attention_mask' has value " + std::to_string(value) + " at " +
                                    formatPosition(shape, i) + "; a mask holds 0 or 1");
    converted.dataAs<int64_t>()[i] = static_cast<int64_t>(value);
  }
  return converted;
}


// Brings a checkpoint tensor to the parameter's dtype: identical dtypes pass,
// half-precision checkpoints are widened to f32 and f32 ones to f64 (models
// compiled with --precision f64), f32 and f16 ones are rounded to bf16
// (--precision bf16 weights), anything else is an error.
Tensor convertToParameterDType(Tensor tensor, DType parameterDType, const std::string &weightsPath,
                               const std::string &parameterName) {
  if (tensor.dtype() == parameterDType)
    return tensor;
  if (parameterDType == DType::BF16 && (tensor.dtype() == DType::F32 || tensor.dtype() == DType::F16)) {
    Tensor narrowed(tensor.name(), DType::BF16, tensor.shape());
    uint16_t *destination = narrowed.dataAs<uint16_t>();
    for (int64_t i = 0; i < tensor.numElements(); ++i) {
      float value = tensor.dtype() == DType::F32 ? tensor.dataAs<float>()[i] : halfToFloat(tensor.dataAs<uint16_t>()[i]);
      destination[i] = floatToBfloat16(value);
    }
    return narrowed;
  }
  if (parameterDType == DType::F64 && tensor.dtype() == DType::F32) {
    Tensor widened(tensor.name(), DType::F64, tensor.shape());
    const float *source = tensor.dataAs<float>();
    double *destination = widened.dataAs<double>();
    for (int64_t i = 0; i < tensor.numElements(); ++i)
      destination[i] = source[i];
    return widened;
  }
  bool halfPrecision = tensor.dtype() == DType::F16 || tensor.dtype() == DType::BF16;
  if (parameterDType != DType::F32 || !halfPrecision)
    throw Error(weightsPath, "tensor '" + tensor.name() + "' has dtype " + std::string(safetensorsName(tensor.dtype())) +
                                 ", but parameter '" + parameterName + "' needs " +
                                 std::string(safetensorsName(parameterDType)) +
                                 (parameterDType == DType::F32    ? " (F16 and BF16 are converted)"
                                  : parameterDType == DType::F64  ? " (F32 is converted)"
                                  : parameterDType == DType::BF16 ? " (F32 and F16 are converted)"
                                                                  : ""));
  Tensor widened(tensor.name(), DType::F32, tensor.shape());
  const uint16_t *source = tensor.dataAs<uint16_t>();
  float *destination = widened.dataAs<float>();
  float (*widen)(uint16_t) = tensor.dtype() == DType::F16 ? halfToFloat : bfloat16ToFloat;
  for (int64_t i = 0; i < tensor.numElements(); ++i)
    destination[i] = widen(source[i]);
  return widened;
}

// The initial value of parameter `index` as its Parameter entry prescribes,
// drawn from a generator keyed by (seed, index) so that parameters can be
// initialised in parallel and still reproducibly.
Tensor initialValue(const artifact::Parameter &parameter, uint64_t seed, size_t index,
                    const std::string &artifactPath) {
  const artifact::TensorDesc &desc = *parameter.desc();
  Tensor value(desc.name()->str(), toRuntimeDType(desc.dtype()), shapeOf(desc));
  if (parameter.init() == artifact::InitKind_zeros)
    return value; // tensors start zero-filled
  if (parameter.init() == artifact::InitKind_ones) {
    fillOnes(value);
    return value;
  }
  if (parameter.init_std() == 0.0f)
    return value;
  std::seed_seq seedSequence{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
                             static_cast<uint32_t>(index), static_cast<uint32_t>(uint64_t{index} >> 32)};
  std::mt19937_64 generator(seedSequence);
  auto fillNormal = [&](auto *data) {
    using Element = std::remove_pointer_t<decltype(data)>;
    std::normal_distribution<Element> normal(0, parameter.init_std());
    for (int64_t i = 0; i < value.numElements(); ++i)
      data[i] = normal(generator);
  };
  switch (value.dtype()) {
  case DType::F32: fillNormal(value.dataAs<float>()); break;
  case DType::F64: fillNormal(value.dataAs<double>()); break;
  case DType::BF16: {
    std::normal_distribution<float> normal(0, parameter.init_std());
    uint16_t *data = value.dataAs<uint16_t>();
    for (int64_t i = 0; i < value.numElements(); ++i)
      data[i] = floatToBfloat16(normal(generator));
    break;
  }
  default:
    throw Error(artifactPath, "parameter '" + value.name() + "' has dtype " + std::string(signatureName(value.dtype())) +
                                  "; normal initialisation supports f32, f64 and bf16");
  }
  return value;
}

// The compiled code allocates each activation with malloc and frees it when
// it dies. glibc would serve blocks above 128 KiB with mmap and unmap them on
// free (and trim the heap top), so every call faulted its activations in
// again, page by page, zeroed by the kernel. Served from the heap and kept
// there, the second call reuses the first one's pages; the resident size is
// still the peak of live buffers.
void keepFreedBuffersMapped() {
  static std::once_flag once;
  std::call_once(once, [] {
    mallopt(M_MMAP_THRESHOLD, 32 << 20); // glibc's largest threshold
    mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
  });
}

} // namespace

Tensor scalarInput(const artifact::Entry &entry, const std::string &name, double value) {
  const artifact::TensorDesc *desc = findInput(entry, name);
  if (!desc)
    throw Error(entry.name()->str(), "entry has no input '" + name + "'");
  Tensor tensor(name, toRuntimeDType(desc->dtype()), {});
  if (tensor.dtype() == DType::F64)
    tensor.dataAs<double>()[0] = value;
  else
    tensor.dataAs<float>()[0] = static_cast<float>(value);
  return tensor;
}

double scalarValue(const Tensor &tensor) {
  return tensor.dtype() == DType::F64 ? tensor.dataAs<double>()[0] : tensor.dataAs<float>()[0];
}

const Tensor &EntryCall::output(const std::string &name) const {
  for (const Tensor &tensor : outputs_)
    if (tensor.name() == name)
      return tensor;
  throw Error(session_->artifactReader().path(), "the entry has no output '" + name + "'");
}

Tensor &EntryCall::input(const std::string &name) {
  for (Tensor &tensor : inputs_)
    if (tensor.name() == name)
      return tensor;
  throw Error(session_->artifactReader().path(), "the entry has no input '" + name + "'");
}

void EntryCall::invoke() {
  if (session_->weightsGeneration_ != weightsGeneration_)
    throw Error(session_->artifactReader().path(),
                "the weights were rebound after this call was prepared; prepare it again");
  function_(buffers_.data(), callbacks_);
}

Session::Session(const std::string &artifactPath, const SessionOptions &options)
    : artifact_(artifactPath), threadPool_(options.threadCount) {
  keepFreedBuffersMapped();
  const auto *entries = artifact().entries();
  if (!entries || entries->size() == 0)
    return;
  const artifact::CodeBlob *cpuCode = nullptr;
  if (const auto *blobs = artifact().code())
    for (const artifact::CodeBlob *blob : *blobs)
      if (blob->kind() == artifact::CodeKind_cpu_shared_object && !cpuCode)
        cpuCode = blob;
  if (!cpuCode || !cpuCode->bytes())
    throw Error(artifactPath, "the artifact has no CPU code (cpu_shared_object) to run its entries");
  cpuModule_ = std::make_unique<CpuModule>(artifactPath, cpuCode->bytes()->data(), cpuCode->bytes()->size());
  for (const artifact::Entry *entry : *entries)
    entryFunctions_.push_back(cpuModule_->entryFunction(entry->symbol()->str()));
}

size_t Session::parameterCount() const {
  return artifact().parameters() ? artifact().parameters()->size() : 0;
}

const Tensor &Session::parameter(const std::string &name) const {
  requireWeights();
  for (const Tensor &value : parameters_)
    if (value.name() == name)
      return value;
  throw Error(artifact_.path(), "no parameter named '" + name + "'");
}

void Session::requireWeights() const {
  if (!weightsBound())
    throw Error(artifact_.path(), "no weights are bound (bind a safetensors file or random weights first)");
}

namespace {

// The transformers class that loads the checkpoint of a model directory with
// its heads and their names: config.json's first architecture
// (GPT2LMHeadModel, BertForPreTraining, ...), else AutoModel.
std::string architectureOf(const std::filesystem::path &directory) {
  std::ifstream config(directory / "config.json", std::ios::binary);
  nlohmann::json parsed = nlohmann::json::parse(config, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.contains("architectures") && parsed["architectures"].is_array() &&
      !parsed["architectures"].empty() && parsed["architectures"][0].is_string()) {
    std::string name = parsed["architectures"][0].get<std::string>();
    auto isIdentifierChar = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    if (!name.empty() && std::all_of(name.begin(), name.end(), isIdentifierChar))
      return name;
  }
  return "AutoModel";
}

// The checkpoint file of `path`: the file itself, or a model directory's
// model.safetensors (with the conversion command when the directory has only
// PyTorch pickles).
std::string modelFileOf(const std::string &path) {
  std::error_code error;
  if (!std::filesystem::is_directory(path, error))
    return path;
  std::filesystem::path directory(path);
  if (std::filesystem::exists(directory / "model.safetensors", error))
    return (directory / "model.safetensors").string();
  if (std::filesystem::exists(directory / "pytorch_model.bin", error))
    throw Error(path, "has pytorch_model.bin but no model.safetensors; ptm reads safetensors only. Convert it in "
                      "place with: python3 -c \"import transformers as t; t." + architectureOf(directory) +
                      ".from_pretrained('" + path + "').save_pretrained('" + path + "', safe_serialization=True)\"");
  throw Error(path, "is a directory without model.safetensors");
}

} // namespace

void Session::bindWeights(const std::string &weightsPath, const std::string &optimizerStatePath) {
  std::string safetensorsPath = modelFileOf(weightsPath);
  TensorMap checkpoint = readSafetensors(safetensorsPath);
  if (!optimizerStatePath.empty())
    for (auto &[name, tensor] : readSafetensors(optimizerStatePath))
      if (!checkpoint.emplace(name, std::move(tensor)).second)
        throw Error(optimizerStatePath, "tensor '" + name + "' is also in " + safetensorsPath);
  // Which parameter took each checkpoint tensor: tied parameters that resolve
  // to an already bound tensor copy that parameter's value.
  std::map<std::string, size_t> boundFrom;
  std::vector<Tensor> bound(parameterCount());
  for (size_t index = 0; index < bound.size(); ++index) {
    const artifact::Parameter &parameter = *artifact().parameters()->Get(index);
    const artifact::TensorDesc &desc = *parameter.desc();
    std::string name = desc.name()->str();

    std::vector<std::string> candidates = checkpointNames(name);
    if (const auto *tiedTo = parameter.tied_to())
      for (std::string tiedName : checkpointNames(tiedTo->str()))
        candidates.push_back(std::move(tiedName));
    std::string tensorName;
    for (const std::string &candidate : candidates)
      if (checkpoint.count(candidate) || boundFrom.count(candidate)) {
        tensorName = candidate;
        break;
      }
    if (tensorName.empty() && parameter.optimizer_state()) {
      // A model checkpoint without optimizer state starts a fresh optimizer.
      bound[index] = initialValue(parameter, 0, index, artifact_.path());
      continue;
    }
    if (tensorName.empty())
      throw Error(safetensorsPath, "parameter '" + name + "' not found (looked for " + quotedList(candidates) + ")");

    std::vector<int64_t> expectedShape = shapeOf(desc);
    auto previous = boundFrom.find(tensorName);
    const Tensor &source = previous != boundFrom.end() ? bound[previous->second] : checkpoint.at(tensorName);
    if (source.shape() != expectedShape)
      throw Error(safetensorsPath, "tensor '" + tensorName + "' has shape " + formatShape(source.shape()) +
                                       ", expected " + formatShape(expectedShape) +
                                       (tensorName == name ? "" : " (for parameter '" + name + "')"));
    if (previous != boundFrom.end()) {
      bound[index] = bound[previous->second].clone(name);
      continue;
    }
    Tensor value = std::move(checkpoint.at(tensorName));
    checkpoint.erase(tensorName);
    value = convertToParameterDType(std::move(value), toRuntimeDType(desc.dtype()), safetensorsPath, name);
    value.setName(name);
    bound[index] = std::move(value);
    boundFrom.emplace(tensorName, index);
  }
  parameters_ = std::move(bound);
  ++weightsGeneration_;
}

void Session::initRandomWeights(uint64_t seed) {
  std::vector<Tensor> values(parameterCount());
  if (values.empty())
    return;
  const auto &parameters = *artifact().parameters();
  tbb::parallel_for(size_t{0}, values.size(), [&](size_t index) {
    if (!parameters.Get(index)->tied_to())
      values[index] = initialValue(*parameters.Get(index), seed, index, artifact_.path());
  });
  // ArtifactReader guarantees that a tie names another parameter of the same
  // type; ties are resolved in table order, so a tie to a tied parameter works
  // when its target comes first.
  for (size_t index = 0; index < values.size(); ++index) {
    const auto *tiedTo = parameters.Get(index)->tied_to();
    if (!tiedTo)
      continue;
    std::string name = parameters.Get(index)->desc()->name()->str();
    for (size_t target = 0; target < values.size(); ++target)
      if (parameters.Get(target)->desc()->name()->str() == tiedTo->str()) {
        if (!values[target].data())
          throw Error(artifact_.path(), "parameter '" + name + "' is tied to '" + tiedTo->str() +
                                            "', which is tied itself and comes later");
        values[index] = values[target].clone(name);
      }
  }
  parameters_ = std::move(values);
  ++weightsGeneration_;
}

EntryCall Session::prepareCall(const std::string &entryName, TensorMap inputs, const std::string &inputsSource) {
  requireWeights();
  const artifact::Entry &entry = artifact_.entry(entryName);
  size_t entryIndex = 0;
  while (artifact().entries()->Get(entryIndex) != &entry)
    ++entryIndex;

  std::vector<const artifact::TensorDesc *> signature;
  std::string expected;
  if (entry.inputs())
    for (const artifact::TensorDesc *desc : *entry.inputs()) {
      signature.push_back(desc);
      expected += (expected.empty() ? "" : ", ") + formatTensorDesc(*desc);
    }
  for (const auto &[name, tensor] : inputs) {
    bool known = false;
    for (const artifact::TensorDesc *desc : signature)
      known |= desc->name()->str() == name;
    if (!known)
      throw Error(inputsSource, "unknown input '" + name + "' for entry '" + entryName + "' (it takes " +
                                    (expected.empty() ? "no inputs" : expected) + ")");
  }

  EntryCall call;
  call.session_ = this;
  call.weightsGeneration_ = weightsGeneration_;
  call.function_ = entryFunctions_[entryIndex];
  call.callbacks_ = threadPool_.callbacks();
  for (const artifact::TensorDesc *desc : signature) {
    std::string name = desc->name()->str();
    std::string input = "input '" + name + "'";
    DType dtype = toRuntimeDType(desc->dtype());
    std::vector<int64_t> shape = shapeOf(*desc);
    auto provided = inputs.find(name);
    if (provided == inputs.end()) {
      if (!isOptionalInput(*desc))
        throw Error(inputsSource, "missing " + input + " for entry '" + entryName + "' (it takes " + expected + ")");
      Tensor defaulted(name, dtype, shape);
      if (name == "attention_mask")
        fillOnes(defaulted);
      call.inputs_.push_back(std::move(defaulted));
      continue;
    }
    Tensor &tensor = provided->second;
    if (tensor.shape() != shape)
      throw Error(inputsSource, input + " has shape " + formatShape(tensor.shape()) + ", expected " + formatShape(shape));
    // Masks are often built as floats (torch.ones): 0/1 floats are accepted
    // for attention_mask, and only there, so that float token ids stay errors.
    bool floatMask = name == "attention_mask" &&
                     (tensor.dtype() == DType::F32 || tensor.dtype() == DType::F64);
    if (floatMask)
      tensor = floatMaskToIntegers(std::move(tensor), inputsSource, shape);
    bool integerConversion = isIntegerLike(tensor.dtype()) && (dtype == DType::I32 || dtype == DType::I64);
    if (tensor.dtype() != dtype && !integerConversion)
      throw Error(inputsSource, input + " has dtype " + std::string(signatureName(tensor.dtype())) + ", expected " +
                                    std::string(signatureName(dtype)));
    if (!integerConversion) {
      tensor.setName(name);
      call.inputs_.push_back(std::move(tensor));
      continue;
    }
    // Integer inputs: convert to the signature's width and check every value
    // against the declared bound, so that compiled code never indexes out of range.
    Tensor converted(name, dtype, shape);
    int64_t bound = desc->value_bound();
    bool hasException = desc->has_value_exception();
    int64_t exception = desc->value_exception();
    for (int64_t i = 0; i < tensor.numElements(); ++i) {
      int64_t value = loadInteger(tensor, i);
      if (bound > 0 && (value < 0 || value >= bound) && !(hasException && value == exception))
        throw Error(inputsSource, input + " has value " + std::to_string(value) + " at " +
                                      formatPosition(shape, i) + ", outside [0, " + std::to_string(bound) + ")" +
                                      (hasException ? " and not " + std::to_string(exception) : ""));
      if (dtype == DType::I64) {
        converted.dataAs<int64_t>()[i] = value;
      } else {
        if (value < std::numeric_limits<int32_t>::min() || value > std::numeric_limits<int32_t>::max())
          throw Error(inputsSource, input + " has value " + std::to_string(value) + " at " +
                                        formatPosition(shape, i) + ", which does not fit i32");
        converted.dataAs<int32_t>()[i] = static_cast<int32_t>(value);
      }
    }
    call.inputs_.push_back(std::move(converted));
  }
  if (entry.outputs())
    for (const artifact::TensorDesc *desc : *entry.outputs())
      call.outputs_.emplace_back(desc->name()->str(), toRuntimeDType(desc->dtype()), shapeOf(*desc));

  if (entry.parameter_indices())
    for (uint32_t index : *entry.parameter_indices())
      call.buffers_.push_back(parameters_[index].data());
  for (Tensor &tensor : call.inputs_)
    call.buffers_.push_back(tensor.data());
  for (Tensor &tensor : call.outputs_)
    call.buffers_.push_back(tensor.data());
  return call;
}

std::vector<Tensor> Session::run(const std::string &entryName, TensorMap inputs, const std::string &inputsSource) {
  EntryCall call = prepareCall(entryName, std::move(inputs), inputsSource);
  call.invoke();
  return call.takeOutputs();
}

void Session::writeParameters(const std::string &path, ParameterSelection selection) const {
  requireWeights();
  std::vector<const Tensor *> tensors;
  for (size_t index = 0; index < parameters_.size(); ++index) {
    bool optimizerState = artifact().parameters()->Get(index)->optimizer_state();
    if (selection == ParameterSelection::All || optimizerState == (selection == ParameterSelection::OptimizerState))
      tensors.push_back(&parameters_[index]);
  }
  writeSafetensors(path, tensors, {{"format", "pt"}});
}

} // namespace ptm
