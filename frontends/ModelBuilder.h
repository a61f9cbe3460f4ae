// Building entry functions of a model in the ptm dialect, and the dispatch
// from a Hugging Face config to the architecture's graph builder.
#pragma once

#include "frontends/hf/HFConfig.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <string>
#include <vector>

namespace ptm::frontends {

struct BuildOptions {
  int64_t batch = 1;
  int64_t seqLen = 128;
  std::string mode = "infer";
  // The head on the backbone; empty: the architecture's default (gpt2: lm,
  // bert: mlm-nsp).
  std::string task;
  // Element type of parameters and activations: "f32", "f64" for gradient
  // checks against finite differences, or "bf16" (inference): weight
  // matrices and embedding tables stored in bfloat16, everything else f32,
  // products accumulated in f32.
  std::string precision = "f32";
  // AdamW of the train_step entry (--mode train).
  double adamBeta1 = 0.9;
  double adamBeta2 = 0.95;
  double adamEpsilon = 1e-8;
  double weightDecay = 0.1;
  double maxGradNorm = 1.0;
  // Weight decay on biases and LayerNorm weights too (default: matrices only).
  bool decayAllParameters = false;
  // Micro-batches of `batch` rows that the grad and train_step entries run
  // over (ptm-accumulate-gradients); their inputs are [gradAccum * batch, seq].
  int64_t gradAccum = 1;
  // Dropout (the config's *_pdrop) in the grad and train_step entries, which
  // then take a `dropout_seed` input.
  bool dropout = false;
  // --mode generate: one prefill entry per prompt length and one decode_step
  // entry per key/value cache length (shape buckets; the runtime picks the
  // smallest that fits). Empty: the prompt bucket is seqLen, the cache bucket
  // the model's context length.
  std::vector<int64_t> promptLengths;
  std::vector<int64_t> cacheLengths;
};

enum class ParameterInit { Normal, Zeros, Ones };

// The element type of weight matrices and embedding tables for
// `options.precision` (bf16 under --precision bf16), and of everything else.
mlir::FloatType weightTypeFor(mlir::MLIRContext &context, const BuildOptions &options);
mlir::FloatType computeTypeFor(mlir::MLIRContext &context, const BuildOptions &options);

// Builds one entry function. Parameters may be declared while the body is
// being built (each layer declares its own); `finish` orders the arguments
// as the runtime ABI wants them: parameters, then inputs, then the outputs
// (which bufferization turns into out-parameters).
class EntryBuilder {
public:
  // `weightType`: the element type of weight matrices and embedding tables
  // (weight()); null: `floatType`.
  EntryBuilder(mlir::ModuleOp module, llvm::StringRef name, mlir::FloatType floatType,
               mlir::FloatType weightType = {});
  ~EntryBuilder();

  mlir::OpBuilder &builder() { return builder_; }
  mlir::Location loc() const { return loc_; }
  mlir::FloatType floatType() const { return floatType_; }
  mlir::RankedTensorType tensor(llvm::ArrayRef<int64_t> shape) const {
    return mlir::RankedTensorType::get(shape, floatType());
  }

  // A trainable parameter with its Hugging Face name.
  mlir::Value parameter(llvm::StringRef name, llvm::ArrayRef<int64_t> shape, ParameterInit init,
                        double initStd = 0.0, llvm::StringRef tiedTo = "");
  // A weight matrix or embedding table: a parameter of the weight type.
  mlir::Value weight(llvm::StringRef name, llvm::ArrayRef<int64_t> shape, ParameterInit init,
                     double initStd = 0.0, llvm::StringRef tiedTo = "");
  // A runtime input. `valueBound` > 0 declares valid integer values [0, bound),
  // plus `valueException` if given (the ignore index of labels).
  mlir::Value input(llvm::StringRef name, mlir::RankedTensorType type, int64_t valueBound = 0,
                    std::optional<int64_t> valueException = std::nullopt);
  // Completes the function with the named results.
  mlir::func::FuncOp finish(llvm::ArrayRef<std::pair<std::string, mlir::Value>> outputs);

private:
  mlir::Value addParameter(mlir::RankedTensorType type, llvm::StringRef name, ParameterInit init,
                           double initStd, llvm::StringRef tiedTo);

  struct Argument {
    mlir::Value placeholder;
    mlir::NamedAttrList attributes;
  };
  mlir::ModuleOp module_;
  mlir::FloatType floatType_, weightType_;
  std::string name_;
  mlir::OpBuilder builder_;
  mlir::Location loc_;
  // Holds the body until the argument order is final.
  std::unique_ptr<mlir::Block> body_;
  std::vector<Argument> parameters_, inputs_;
};

// Marks an entry that returns a loss for ptm-autodiff (and for
// ptm-accumulate-gradients with --grad-accum); with `withOptimizer`, for
// ptm-optimizer with the AdamW settings of `options` as well.
void markForTraining(mlir::func::FuncOp function, const BuildOptions &options, bool withOptimizer);

// Builds the module for the model described by `config`.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
buildModel(mlir::MLIRContext &context, const HFConfig &config, const BuildOptions &options);

} // namespace ptm::frontends
