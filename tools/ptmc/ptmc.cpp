// ptmc: compiles a model spec into a ptm artifact.
//   ptmc MODEL_DIR -o model.ptm --batch B --seq T [--mode infer] [--emit=STAGE]
#include "compiler/driver/Driver.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;

namespace {

cl::OptionCategory category("ptmc options");
cl::opt<std::string> modelPath(cl::Positional, cl::Required,
                               cl::desc("<model dir with config.json | config.json | module.mlir in the ptm dialect>"),
                               cl::cat(category));
cl::opt<std::string> outputPath("o", cl::desc("Output file (artifact, or the printed stage; "
                                              "default stdout for printed stages)"),
                                cl::value_desc("file"), cl::init(""), cl::cat(category));
cl::opt<int64_t> batch("batch", cl::desc("Batch size of the entry points"), cl::init(1),
                       cl::cat(category));
cl::opt<int64_t> seqLen("seq", cl::desc("Sequence length of the entry points"), cl::init(128),
                        cl::cat(category));
cl::opt<std::string> mode("mode",
                          cl::desc("What to compile: infer (entry 'forward': logits), train "
                                   "(entries 'grad', 'train_step', 'loss', 'forward') or generate "
                                   "(gpt2: 'prefill_<P>' and 'decode_step_<C>' with a KV cache)"),
                          cl::init("infer"), cl::cat(category));
cl::opt<std::string> task("task",
                          cl::desc("The head on the backbone: gpt2: lm (default); bert: mlm-nsp "
                                   "(default, BertForPreTraining), mlm (BertForMaskedLM) or embed (BertModel: "
                                   "last_hidden_state, for sentence embeddings)"),
                          cl::init(""), cl::cat(category));
cl::list<int64_t> promptLengths("prompt-lengths",
                                cl::desc("--mode generate: prompt length buckets, one prefill entry "
                                         "each (default: --seq)"),
                                cl::CommaSeparated, cl::cat(category));
cl::list<int64_t> cacheLengths("cache-lengths",
                               cl::desc("--mode generate: key/value cache length buckets, one "
                                        "decode_step entry each (default: n_positions)"),
                               cl::CommaSeparated, cl::cat(category));
cl::opt<std::string> precision("precision",
                               cl::desc("Parameter and activation type: f32; f64 for "
                                        "gradient checks; bf16 (inference) for weight matrices "
                                        "and embedding tables in bfloat16, the rest f32"),
                               cl::init("f32"), cl::cat(category));
cl::opt<ptm::compiler::EmitStage> emit(
    "emit", cl::desc("Stage to stop after"), cl::init(ptm::compiler::EmitStage::Artifact),
    cl::values(clEnumValN(ptm::compiler::EmitStage::Ptm, "ptm", "ptm dialect (with gradients in --mode train)"),
               clEnumValN(ptm::compiler::EmitStage::Linalg, "linalg",
                          "after fusion, decomposition and tiling (linalg on tensors)"),
               clEnumValN(ptm::compiler::EmitStage::Llvm, "llvm", "LLVM dialect"),
               clEnumValN(ptm::compiler::EmitStage::LlvmIr, "llvm-ir", "optimised LLVM IR"),
               clEnumValN(ptm::compiler::EmitStage::Artifact, "artifact",
                          "the artifact (default)")),
    cl::cat(category));
cl::opt<double> adamBeta1("adam-beta1", cl::desc("AdamW beta1 (train_step)"), cl::init(0.9),
                          cl::cat(category));
cl::opt<double> adamBeta2("adam-beta2", cl::desc("AdamW beta2 (train_step)"), cl::init(0.95),
                          cl::cat(category));
cl::opt<double> adamEpsilon("adam-eps", cl::desc("AdamW epsilon (train_step)"), cl::init(1e-8),
                            cl::cat(category));
cl::opt<double> weightDecay("weight-decay",
                            cl::desc("AdamW decoupled weight decay of matrices (biases and "
                                     "LayerNorm weights do not decay)"),
                            cl::init(0.1), cl::cat(category));
cl::opt<double> maxGradNorm("max-grad-norm",
                            cl::desc("Global gradient norm clipping (0: off)"), cl::init(1.0),
                            cl::cat(category));
cl::opt<bool> decayAllParameters("decay-all-parameters",
                                 cl::desc("Apply --weight-decay to biases and LayerNorm weights "
                                          "too"),
                                 cl::cat(category));
cl::opt<int64_t> gradAccum("grad-accum",
                           cl::desc("Micro-batches of --batch rows per grad / train_step call "
                                    "(gradient accumulation; their inputs are [K*batch, seq])"),
                           cl::init(1), cl::cat(category));
cl::opt<bool> dropout("dropout",
                      cl::desc("Apply the config's embd/attn/resid_pdrop in grad and train_step "
                               "(extra input dropout_seed, i64 rank 0)"),
                      cl::cat(category));
cl::opt<bool> noFuse("no-fuse", cl::desc("Disable graph fusion (for comparison)"),
                     cl::cat(category));
cl::opt<bool> noFuseResidualNorm("no-fuse-residual-norm",
                                 cl::desc("Keep residual adds apart from the layer norms of their "
                                          "sums (for comparison)"),
                                 cl::cat(category));
cl::opt<bool> noFuseAttention("no-fuse-attention",
                              cl::desc("Lower attention unfused, through the whole [B, H, T, S] "
                                       "score matrix (for comparison)"),
                              cl::cat(category));
cl::opt<bool> noFuseEpilogues("no-fuse-epilogues",
                              cl::desc("Compute matmul epilogues (bias, GELU, residual add) in a pass "
                                       "of their own instead of on each output tile (for comparison)"),
                              cl::cat(category));
cl::opt<bool> noTile("no-tile", cl::desc("Disable tiling (for comparison)"), cl::cat(category));
cl::opt<bool> noPack("no-pack",
                     cl::desc("Multiply register tiles against the rhs where it lies, without "
                              "copying its tiles into contiguous panels (for comparison)"),
                     cl::cat(category));
cl::opt<bool> noPrefetch("no-prefetch",
                         cl::desc("Do not prefetch the next weight tile of a packed contraction while the "
                                  "current one computes (for comparison)"),
                         cl::cat(category));
cl::opt<bool> libmMath("libm-math",
                       cl::desc("Call libm for f32 tanh, erf, exp and log instead of inline "
                                "polynomials (for comparison)"),
                       cl::cat(category));
cl::opt<bool> noFreeEarly("no-free-early",
                          cl::desc("Free buffers when the entry returns instead of right after "
                                   "their last use (for comparison)"),
                          cl::cat(category));
cl::list<int64_t> tileSizes("tile-sizes",
                            cl::desc("Cache tile M,N,K of contractions (default 512,128,256)"),
                            cl::CommaSeparated, cl::cat(category));
cl::list<int64_t> registerTile("register-tile",
                               cl::desc("Register tile M,N of contractions (default: the host's, "
                                        "8,32 with AVX-512, 6,16 with AVX2)"),
                               cl::CommaSeparated, cl::cat(category));
cl::list<int64_t> attentionBlocks("attention-blocks",
                                  cl::desc("Most query rows and keys per block of fused attention "
                                           "(default 32,64)"),
                                  cl::CommaSeparated, cl::cat(category));

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, "ptmc: compile transformer models to native code\n");
  ptm::compiler::DriverOptions options;
  options.modelPath = modelPath;
  options.outputPath = outputPath;
  options.emit = emit;
  options.model.batch = batch;
  options.model.seqLen = seqLen;
  options.model.mode = mode;
  options.model.task = task;
  options.model.precision = precision;
  options.model.adamBeta1 = adamBeta1;
  options.model.adamBeta2 = adamBeta2;
  options.model.adamEpsilon = adamEpsilon;
  options.model.weightDecay = weightDecay;
  options.model.maxGradNorm = maxGradNorm;
  options.model.decayAllParameters = decayAllParameters;
  options.model.gradAccum = gradAccum;
  options.model.dropout = dropout;
  options.model.promptLengths.assign(promptLengths.begin(), promptLengths.end());
  options.model.cacheLengths.assign(cacheLengths.begin(), cacheLengths.end());
  if ((!tileSizes.empty() && tileSizes.size() != 3) || (!registerTile.empty() && registerTile.size() != 2) ||
      (!attentionBlocks.empty() && attentionBlocks.size() != 2)) {
    WithColor::error(errs(), "ptmc")
        << "--tile-sizes takes M,N,K, --register-tile takes M,N and --attention-blocks takes Q,K\n";
    return 1;
  }
  for (int64_t size : attentionBlocks)
    if (size < 1) {
      WithColor::error(errs(), "ptmc") << "--attention-blocks: block sizes must be positive\n";
      return 1;
    }
  for (size_t i = 0; i < attentionBlocks.size(); ++i)
    options.attentionBlocks[i] = attentionBlocks[i];
  for (size_t i = 0; i < tileSizes.size(); ++i)
    options.tileSizes[i] = tileSizes[i];
  for (size_t i = 0; i < registerTile.size(); ++i)
    options.registerTile[i] = registerTile[i];
  options.fuse = !noFuse;
  options.fuseResidualNorm = !noFuseResidualNorm;
  options.fuseAttention = !noFuseAttention;
  options.fuseEpilogues = !noFuseEpilogues;
  options.packRhs = !noPack;
  options.prefetchRhs = !noPrefetch;
  options.approximateMath = !libmMath;
  options.freeEarly = !noFreeEarly;
  options.tile = !noTile;
  if (Error error = ptm::compiler::compile(options)) {
    WithColor::error(errs(), "ptmc") << toString(std::move(error)) << "\n";
    return 1;
  }
  return 0;
}
