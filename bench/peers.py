#!/usr/bin/env python3
"""One measurement of one of ptm's peers, run by bench/run.py in a process of
its own (so that its peak memory is its own and one peer's failure or crash
cannot take the others down).

    python bench/peers.py PEER TASK --model gpt2|bert --config DIR --batch B --seq T
                          --iters N --warmup W --threads K --work DIR [--reuse]
                          [--prompt P --new N]

PEER x TASK: eager|compile x forward|train, ort|iree x forward, eager x decode,
and eager x weights, which saves the random GPT-2 weights into --work that the
decode runs of ptm and PyTorch both load. The last line on stdout is one JSON object: {"median_ms": X, "min_ms": Y} for
forward and train (with "baseline_mib": the peak resident memory once torch
is loaded, before the model is built), {"tokens_per_s": X} for decode, or {"unavailable": REASON}
when a library is missing or the peer cannot run this model.

Every peer runs the model of the same config.json with random weights (seed
0), float32, dropout off (like ptm's artifacts compiled without --dropout), on
--threads threads. The train step is the one ptmc compiles: forward, loss,
backward, global-norm clipping to 1.0 and AdamW (lr 1e-4, betas 0.9/0.95, eps
1e-8, weight decay 0.1 on matrices only). ONNX Runtime and IREE run the same
ONNX export (static shapes) of the forward; it and IREE's compiled module are
cached in --work (with --reuse they are not made again).
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ptm_bench  # noqa: E402

ONNX_OPSET = 18
# Peak resident memory once Python, torch and transformers are loaded, before any model is built: the part of
# the process's peak memory that is not the model's.
BASELINE_MIB = None


class Unavailable(Exception):
    """The peer cannot be measured here; the message says why."""


def short(e):
    lines = str(e).strip().splitlines()
    return "%s: %s" % (type(e).__name__, lines[0][:200] if lines else "")


def import_torch(threads):
    try:
        import torch
        import transformers  # noqa: F401 - checked here so that the reason names it
    except ImportError as e:
        raise Unavailable("torch/transformers not installed (%s)" % e)
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    global BASELINE_MIB
    BASELINE_MIB = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux
    return torch


def build_model(torch, args):
    """The HF model of --config (GPT2LMHeadModel or BertForPreTraining), random weights, dropout off."""
    from transformers import BertConfig, BertForPreTraining, GPT2Config, GPT2LMHeadModel
    path = os.path.join(args.config, "config.json")
    if args.model == "gpt2":
        config = GPT2Config.from_json_file(path)
        config.resid_pdrop = config.embd_pdrop = config.attn_pdrop = 0.0
        return GPT2LMHeadModel(config)
    config = BertConfig.from_json_file(path)
    config.hidden_dropout_prob = config.attention_probs_dropout_prob = 0.0
    return BertForPreTraining(config)


def example_inputs(torch, config, args):
    """Forward inputs as a tuple in the order of ForwardOutputs.forward, plus the train step's labels."""
    g = torch.Generator().manual_seed(1)
    shape = (args.batch, args.seq)
    ids = torch.randint(0, config.vocab_size, shape, generator=g)
    if args.model == "gpt2":
        return (ids,), {"labels": ids}
    types = torch.randint(0, config.type_vocab_size, shape, generator=g)
    mask = torch.ones(shape, dtype=torch.long)
    # Like bench/bert_base.py: ~15% of the positions scored, at least one per sequence.
    scored = torch.rand(shape, generator=g) < 0.15
    scored[:, 0] |= ~scored.any(dim=1)
    labels = torch.where(scored, torch.randint(0, config.vocab_size, shape, generator=g), torch.full_like(ids, -100))
    nsp = torch.randint(0, 2, (args.batch,), generator=g)
    return (ids, mask, types), {"labels": labels, "next_sentence_label": nsp}


def forward_outputs_module(torch, model):
    """The model as a module of positional tensors returning only tensors, as ONNX export needs."""
    class ForwardOutputs(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask=None, token_type_ids=None):
            if token_type_ids is None:
                return self.model(input_ids=input_ids, use_cache=False).logits
            out = self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return out.prediction_logits, out.seq_relationship_logits

    return ForwardOutputs().eval()


def torch_module(torch, model, peer):
    if peer == "eager":
        return model
    if not hasattr(torch, "compile"):
        raise Unavailable("torch %s has no torch.compile" % torch.__version__)
    return torch.compile(model)


def time_torch_forward(args, peer):
    torch = import_torch(args.threads)
    model = build_model(torch, args).eval()
    inputs, _ = example_inputs(torch, model.config, args)
    run = torch_module(torch, forward_outputs_module(torch, model), peer)
    with torch.no_grad():
        return ptm_bench.time_calls(lambda: run(*inputs), args.iters, args.warmup)


def time_torch_train(args, peer):
    torch = import_torch(args.threads)
    model = build_model(torch, args).train()
    inputs, targets = example_inputs(torch, model.config, args)
    names = ("input_ids", "attention_mask", "token_type_ids")
    kwargs = dict(zip(names, inputs), **targets)
    run = torch_module(torch, model, peer)
    optimizer = ptm_bench.ptmc_adamw(torch, model)

    def step():
        optimizer.zero_grad(set_to_none=True)
        run(**kwargs).loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()

    return ptm_bench.time_calls(step, args.iters, args.warmup)


def onnx_file(args):
    """Export the forward to ONNX (static shapes) unless --reuse finds it; return (path, numpy inputs)."""
    torch = import_torch(args.threads)
    model = build_model(torch, args).eval()
    inputs, _ = example_inputs(torch, model.config, args)
    numpy_inputs = [t.numpy() for t in inputs]
    path = os.path.join(args.work, "%s-b%d-t%d.onnx" % (args.model, args.batch, args.seq))
    if args.reuse and os.path.exists(path):
        return path, numpy_inputs
    try:
        import onnx  # noqa: F401 - the exporter needs it
    except ImportError as e:
        raise Unavailable("onnx not installed (%s)" % e)
    names = ["input_ids", "attention_mask", "token_type_ids"][:len(inputs)]
    outputs = ["logits"] if args.model == "gpt2" else ["prediction_logits", "seq_relationship_logits"]
    ptm_bench.progress("exporting %s to ONNX (opset %d)" % (path, ONNX_OPSET))
    # Written under another name first, so that --reuse never finds a half-written file.
    partial = path + ".partial.onnx"
    try:
        torch.onnx.export(forward_outputs_module(torch, model), inputs, partial, opset_version=ONNX_OPSET,
                          input_names=names, output_names=outputs, dynamo=True, external_data=False)
    except Exception as e:  # noqa: BLE001 - any exporter failure makes both ONNX peers unavailable
        raise Unavailable("torch.onnx.export failed: " + short(e))
    os.replace(partial, path)
    return path, numpy_inputs


def time_ort_forward(args):
    try:
        import onnxruntime as ort
    except ImportError as e:
        raise Unavailable("onnxruntime not installed (%s)" % e)
    path, inputs = onnx_file(args)
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    feed = {i.name: x for i, x in zip(session.get_inputs(), inputs)}
    return ptm_bench.time_calls(lambda: session.run(None, feed), args.iters, args.warmup)


def iree_module_file(args, onnx_path):
    """iree-import-onnx, then iree-compile for llvm-cpu (host CPU, data tiling) unless --reuse finds it."""
    vmfb = onnx_path[:-len(".onnx")] + ".vmfb"
    if args.reuse and os.path.exists(vmfb):
        return vmfb
    try:
        import iree.compiler
    except ImportError as e:
        raise Unavailable("iree-base-compiler not installed (%s)" % e)
    mlir = onnx_path[:-len(".onnx")] + ".iree.mlir"
    partial = vmfb + ".partial"  # as in onnx_file
    try:
        ptm_bench.progress("importing %s into IREE" % onnx_path)
        p = subprocess.run([sys.executable, "-m", "iree.compiler.tools.import_onnx", onnx_path, "-o", mlir],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise Unavailable("iree-import-onnx failed: " + (p.stderr.strip().splitlines() or ["?"])[-1][:200])
        ptm_bench.progress("compiling %s with iree-compile (llvm-cpu, host, data tiling)" % mlir)
        try:
            iree.compiler.compile_file(mlir, output_file=partial, target_backends=["llvm-cpu"],
                                       extra_args=["--iree-llvmcpu-target-cpu=host", "--iree-opt-data-tiling"])
        except Exception as e:  # noqa: BLE001 - a compile error makes the peer unavailable
            raise Unavailable("iree-compile failed: " + short(e))
    finally:
        if os.path.exists(mlir):
            os.remove(mlir)  # as large as the weights, and only the module is needed again
    os.replace(partial, vmfb)
    return vmfb


def time_iree_forward(args):
    try:
        import iree.runtime
    except ImportError as e:
        raise Unavailable("iree-base-runtime not installed (%s)" % e)
    onnx_path, inputs = onnx_file(args)
    vmfb = iree_module_file(args, onnx_path)
    # The local-task driver's worker count; must be set before the device is created.
    iree.runtime.flags.parse_flags("--task_topology_max_group_count=%d" % args.threads)
    module = iree.runtime.load_vm_flatbuffer_file(vmfb, driver="local-task")
    # The synchronous entry named after the ONNX graph (not its '$async' twin or '__init').
    names = [n for n in module.vm_module.function_names if "$" not in n and not n.startswith("__")]
    if not names:
        raise Unavailable("IREE module has no entry function")
    main = module[names[0]]

    def call():
        outputs = main(*inputs)
        # Copy to host like ONNX Runtime's numpy outputs; it also waits for the device.
        for out in (outputs if isinstance(outputs, (list, tuple)) else [outputs]):
            out.to_host()

    return ptm_bench.time_calls(call, args.iters, args.warmup)


def decode_tokens_per_s(args):
    """PyTorch eager greedy decoding with a KV cache of the weights in --work (see bench/gpt2_decode.py)."""
    import_torch(args.threads)
    import gpt2_decode
    from transformers import GPT2LMHeadModel
    model = GPT2LMHeadModel.from_pretrained(args.work).eval()
    prompt = gpt2_decode.prompt_ids(model.config.vocab_size, args.prompt)
    for _ in range(args.warmup):
        gpt2_decode.torch_run_once(model, prompt, args.new)
    return statistics.median(gpt2_decode.torch_run_once(model, prompt, args.new)[1] for _ in range(args.iters))


def save_weights(args):
    """Save the random GPT-2 weights that ptm's decode run and decode_tokens_per_s both load."""
    import_torch(args.threads)
    import gpt2_decode
    if not (args.reuse and os.path.exists(os.path.join(args.work, "model.safetensors"))):
        gpt2_decode.write_model(args.work, os.path.join(args.config, "config.json"))
    return {"saved": args.work}


def measure(args):
    if args.task == "weights":
        return save_weights(args)
    if args.task == "decode":
        return {"tokens_per_s": decode_tokens_per_s(args)}
    if args.peer == "ort":
        median, minimum = time_ort_forward(args)
    elif args.peer == "iree":
        median, minimum = time_iree_forward(args)
    elif args.task == "forward":
        median, minimum = time_torch_forward(args, args.peer)
    else:
        median, minimum = time_torch_train(args, args.peer)
    return {"median_ms": median, "min_ms": minimum, "baseline_mib": BASELINE_MIB}


SUPPORTED = {("eager", "forward"), ("compile", "forward"), ("ort", "forward"), ("iree", "forward"),
             ("eager", "train"), ("compile", "train"), ("eager", "decode"), ("eager", "weights")}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("peer", choices=["eager", "compile", "ort", "iree"])
    ap.add_argument("task", choices=["forward", "train", "decode", "weights"])
    ap.add_argument("--model", choices=["gpt2", "bert"], required=True)
    ap.add_argument("--config", required=True, help="HF model directory with config.json")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--work", required=True, help="directory for the ONNX and IREE files (decode: the weights)")
    ap.add_argument("--reuse", action="store_true", help="use ONNX, IREE and weight files already in --work")
    ap.add_argument("--prompt", type=int, default=32, help="decode: prompt tokens")
    ap.add_argument("--new", type=int, default=128, help="decode: new tokens")
    args = ap.parse_args(argv)
    if (args.peer, args.task) not in SUPPORTED:
        ap.error("%s has no %s measurement" % (args.peer, args.task))
    try:
        result = measure(args)
    except Unavailable as e:
        result = {"unavailable": str(e)}
    except Exception as e:  # noqa: BLE001 - e.g. Inductor without a C++ compiler; reported, not fatal
        result = {"unavailable": short(e)}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
