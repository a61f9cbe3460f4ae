# lit configuration for ptm: dialect and pass tests (ptm-opt + FileCheck),
# end-to-end tests (ptmc + ptm-run against golden fixtures) and bad-input tests.
import os

import lit.formats

config.name = "ptm"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mlir", ".test"]
config.excludes = ["fixtures", "Inputs", "tools", "runtime", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.ptm_binary_dir, "test")

tool_dirs = [
    os.path.join(config.ptm_binary_dir, "tools", "ptmc"),
    os.path.join(config.ptm_binary_dir, "tools", "ptm-run"),
    os.path.join(config.ptm_binary_dir, "tools", "ptm-opt"),
    config.llvm_tools_dir,
]
config.environment["PATH"] = os.pathsep.join(tool_dirs + [config.environment.get("PATH", os.environ["PATH"])])
config.substitutions.append(("%fixtures", os.path.join(config.test_source_root, "fixtures")))
config.substitutions.append(("%data", os.path.join(os.path.dirname(config.test_source_root), "examples", "data")))
# Before %compare, which is a prefix of it.
config.substitutions.append(("%compare_rows", "python3 " + os.path.join(config.test_source_root, "tools", "compare_rows.py")))
config.substitutions.append(("%compare", "python3 " + os.path.join(config.test_source_root, "tools", "compare_tensors.py")))
config.substitutions.append(("%python", "python3"))

# The real sentence-transformers all-MiniLM-L6-v2 model directory, for the
# tests marked REQUIRES: minilm: $PTM_MINILM_DIR, else where
# scripts/fetch-minilm.sh unpacks it in the build directory.
minilm_dir = os.environ.get("PTM_MINILM_DIR") or os.path.join(config.ptm_binary_dir, "models", "all-MiniLM-L6-v2")
if os.path.isfile(os.path.join(minilm_dir, "model.safetensors")):
    config.available_features.add("minilm")
    config.substitutions.append(("%minilm", minilm_dir))
