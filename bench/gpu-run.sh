#!/usr/bin/env bash
# The GPU bench in one call on a bare GPU machine, from what bench/gpu-pack.sh put in .gpu/:
#   run(command='bash bench/gpu-run.sh', carry=['.gpu'], timeout_s=600)
# Installs the Vulkan loader when missing, unpacks Node and dawn.node, times PyTorch (CUDA) on the
# bench models, then bench/gpu.ts (bundled), and writes under $OUT: env.txt, torch-cuda.jsonl,
# gpu-bench.jsonl, gpu-bench.md, run.log. Every step is bounded so the whole stays under 10 minutes.
#   bash bench/gpu-run.sh --quick    reduced plan (a machine without a GPU: llvmpipe through Mesa)
#   GPU_BENCH_ARGS='--submit-batch 64 --no-wasm' bash bench/gpu-run.sh    extra bench/gpu.ts options
set -uo pipefail
cd "$(dirname "$0")/.."
QUICK=""
[ "${1:-}" = "--quick" ] && QUICK="--quick"
G=.gpu
OUT=${OUT:-/tmp/pathlens-gpu-out}
mkdir -p "$OUT"
exec > >(tee -a "$OUT/run.log") 2>&1
started=$(date +%s)
elapsed() { echo $(($(date +%s) - started)); }
[ -s "$G/node.xz" ] || { echo "gpu-run: $G/node.xz missing: run bench/gpu-pack.sh here first and carry .gpu" >&2; exit 1; }

unxz_to() { # unxz_to SRC DEST: xz where installed, else Python's lzma
  if command -v xz >/dev/null; then xz -dc "$1" > "$2"; else python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2],"wb"))' "$1" "$2"; fi
}

# 1. Vulkan loader (H200.md: unpack into / only what is missing). GPU_RUN_SKIP_LOADER=1 leaves / alone
#    (a machine without a GPU, where Mesa's EGL is used instead).
if [ -z "${GPU_RUN_SKIP_LOADER:-}" ] && ! ldconfig -p | grep -q 'libvulkan.so.1'; then
  for f in "$G"/debs/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
NVIDIA_ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f "$NVIDIA_ICD" ] && export VK_DRIVER_FILES=$NVIDIA_ICD
[ -f /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json ] && export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
# pathlens sizes GPU chunks within a memory budget WebGPU cannot query (default 4 GB): an H200 has 139 GiB.
export PATHLENS_GPU_MEMORY_MB=${PATHLENS_GPU_MEMORY_MB:-65536}

# 2. Node, and the bench with dawn.node, unpacked outside .gpu (which must stay small enough to carry).
WORK=${GPU_RUN_WORK:-/tmp/pathlens-gpu}
mkdir -p "$WORK"
[ -x "$WORK/node" ] || { unxz_to "$G/node.xz" "$WORK/node" && chmod +x "$WORK/node"; }
NODE="$WORK/node"
rm -rf "$WORK/bench" && cp -r "$G/bench" "$WORK/bench"
DAWN="$WORK/bench/node_modules/webgpu/dist/linux-x64/dawn.node"
mkdir -p "$(dirname "$DAWN")"
unxz_to "$WORK/bench/node_modules/webgpu/dawn.node.xz" "$DAWN"

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "node: $("$NODE" --version)"
  echo "kernel: $(uname -r)"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | sed 's/^/gpu: /' || echo "gpu: none (nvidia-smi absent)"
  python3 -c 'import torch; print("torch:", torch.__version__, "cuda:", torch.version.cuda, "available:", torch.cuda.is_available())' 2>/dev/null || echo "torch: not importable"
  echo "VK_DRIVER_FILES: ${VK_DRIVER_FILES:-unset}"
} > "$OUT/env.txt"
cat "$OUT/env.txt"
echo "gpu-run: unpacked in $(elapsed) s"

# 3. PyTorch on the same architectures (bench/torch_gradients.py), CUDA when there is one.
if [ -z "$QUICK" ]; then
  PLAN='[{"model":"cnn32","batch":1},{"model":"cnn32","batch":8},{"model":"cnn32","batch":32},{"model":"cnn32","batch":64},{"model":"cnn32","batch":128},{"model":"cnn32","batch":256},
{"model":"mlp784","batch":1},{"model":"mlp784","batch":8},{"model":"mlp784","batch":32},{"model":"mlp784","batch":64},{"model":"mlp784","batch":128},{"model":"mlp784","batch":256},
{"model":"mobilenet224","batch":1},{"model":"mobilenet224","batch":8},{"model":"mobilenet224","batch":32},{"model":"mobilenet224","batch":64},{"model":"mobilenet224","batch":128},{"model":"mobilenet224","batch":256},
{"model":"resnet10_224","batch":1},{"model":"resnet10_224","batch":8},{"model":"resnet10_224","batch":32},{"model":"resnet10_224","batch":64},{"model":"resnet10_224","batch":128},{"model":"resnet10_224","batch":256}]'
else
  PLAN='[{"model":"cnn32","batch":1},{"model":"cnn32","batch":4},{"model":"mlp784","batch":1},{"model":"mlp784","batch":4}]'
fi
if python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  PYTHONUNBUFFERED=1 timeout 150 python3 bench/torch_gradients.py "$PLAN" --device cuda > "$OUT/torch-cuda.jsonl" || echo "gpu-run: torch cut short or failed (rc $?)"
else
  echo "gpu-run: no CUDA for PyTorch here; no torch column"
fi
echo "gpu-run: torch done at $(elapsed) s"

# 4. The Node bench. Its deadline leaves room for the report; a run cut short still has its JSON lines.
left=$((540 - $(elapsed)))
[ -n "$QUICK" ] && left=900
BENCH_WASM_DIR="$WORK/bench/" timeout $((left)) "$NODE" "$WORK/bench/gpu.mjs" $QUICK ${GPU_BENCH_ARGS:-} --out "$OUT" --torch "$OUT/torch-cuda.jsonl" --deadline-s $((left - 100))
rc=$?
if [ $rc -ne 0 ]; then
  echo "gpu-run: bench exited with $rc; summary rebuilt from its JSON lines"
  "$NODE" "$WORK/bench/gpu.mjs" --report-from "$OUT/gpu-bench.jsonl" --torch "$OUT/torch-cuda.jsonl" --out "$OUT"
fi
echo "gpu-run: done in $(elapsed) s; results in $OUT"
