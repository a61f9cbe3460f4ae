// The executor: an artifact's compiled code, its bound parameters, and calls of
// its entries. Not thread-safe: one thread drives a session (compiled code
// parallelises internally through the thread pool).
#pragma once

#include "runtime/CpuModule.h"
#include "runtime/Safetensors.h"
#include "runtime/Tensor.h"
#include "runtime/ThreadPool.h"
#include "runtime/artifact/ArtifactReader.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ptm {

class Session;

// A rank-0 input of `entry` (learning_rate, step) holding `value` in the
// entry's float dtype; throws ptm::Error when the entry has no such input.
Tensor scalarInput(const artifact::Entry &entry, const std::string &name, double value);

// The value of a rank-0 f32 or f64 output (a loss).
double scalarValue(const Tensor &tensor);

struct SessionOptions {
  int threadCount = 0; // 0: one thread per hardware thread
};

// One entry call with validated inputs, allocated outputs and the argument array
// built, so that it can be invoked repeatedly (bench) without redoing any of it.
class EntryCall {
public:
  // Runs the compiled entry; outputs() then hold its results. Throws ptm::Error
  // when the session's weights were rebound since this call was prepared.
  void invoke();

  const std::vector<Tensor> &outputs() const { return outputs_; }
  // The output named `name`; throws ptm::Error when the entry has none.
  const Tensor &output(const std::string &name) const;
  // The prepared input named `name`, for loops that rewrite inputs in place
  // between invocations (a decoding step's token, position and key/value
  // cache) instead of preparing a new call. invoke() does not check the
  // values again: the writer keeps token ids within their bounds.
  Tensor &input(const std::string &name);
  std::vector<Tensor> takeOutputs() { return std::move(outputs_); }

private:
  friend class Session;
  EntryCall() = default;

  const Session *session_ = nullptr;
  uint64_t weightsGeneration_ = 0;
  PtmEntryFunction function_ = nullptr;
  const PtmRuntimeCallbacks *callbacks_ = nullptr;
  std::vector<Tensor> inputs_;  // in signature order, converted to the signature dtypes
  std::vector<Tensor> outputs_; // in signature order
  std::vector<void *> buffers_; // parameters (entry order), inputs, outputs
};

class Session {
public:
  // Loads and validates the artifact and its CPU code and resolves every entry's
  // symbol; throws ptm::Error naming the artifact when any of that fails.
  explicit Session(const std::string &artifactPath, const SessionOptions &options = {});

  const ArtifactReader &artifactReader() const { return artifact_; }
  const artifact::Artifact &artifact() const { return artifact_.artifact(); }
  const ThreadPool &threadPool() const { return threadPool_; }

  // Binds every parameter from a safetensors checkpoint. A parameter is looked up
  // by its name, then without the "transformer." prefix (GPT2Model checkpoints
  // lack it), then through its tied_to parameter the same two ways. F16 and BF16
  // tensors are widened to F32. All or nothing: on error (missing tensor, wrong
  // shape or dtype) the previous binding stays. `safetensorsPath` may be a
  // model directory (Hugging Face layout): its model.safetensors is read.
  // `optimizerStatePath`, when given, is a second file with the optimizer
  // state (a training checkpoint's optimizer.safetensors).
  void bindWeights(const std::string &safetensorsPath, const std::string &optimizerStatePath = "");

  // Binds freshly initialised parameters (normal(0, init_std), zeros or ones, as
  // each parameter asks); the same seed gives the same values. Tied parameters
  // copy their target.
  void initRandomWeights(uint64_t seed);

  bool weightsBound() const { return !parameters_.empty() || parameterCount() == 0; }
  size_t parameterCount() const;
  // The bound value of a parameter; throws ptm::Error if unknown or unbound.
  const Tensor &parameter(const std::string &name) const;

  // Validates `inputs` against the entry's signature and prepares the call.
  // Missing optional inputs (attention_mask) default to all ones; integer inputs
  // are converted to the signature's integer dtype and checked against their
  // value_bound. `inputsSource` names where the inputs came from (a file) in
  // error messages.
  EntryCall prepareCall(const std::string &entryName, TensorMap inputs, const std::string &inputsSource);

  // prepareCall + invoke; returns the outputs in signature order. An entry
  // with updated_parameter_indices (a training step) writes the new values
  // of those parameters over their bound buffers.
  std::vector<Tensor> run(const std::string &entryName, TensorMap inputs, const std::string &inputsSource);

  enum class ParameterSelection { Model, OptimizerState, All };
  // Writes the bound parameters (with their Hugging Face names) to a
  // safetensors file, atomically: the model's, the optimizer state's or both.
  // The header carries {"format": "pt"}, which transformers' from_pretrained
  // expects of safetensors checkpoints.
  void writeParameters(const std::string &path, ParameterSelection selection) const;

private:
  friend class EntryCall;

  void requireWeights() const;

  ArtifactReader artifact_;
  ThreadPool threadPool_;
  std::unique_ptr<CpuModule> cpuModule_;
  std::vector<PtmEntryFunction> entryFunctions_; // by entry index
  std::vector<Tensor> parameters_;               // by parameter index; empty until bound
  // Counts bindings, so that an EntryCall holding pointers into an older
  // binding refuses to run.
  uint64_t weightsGeneration_ = 0;
};

} // namespace ptm
