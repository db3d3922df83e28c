#!/bin/sh
# Re-creates the vendored npm files of the inspectors' app (committed, so CI needs no npm).
# Usage: sh traceapp/static/inspect/vendor/update.sh   (needs npm; run from anywhere)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund zxing-wasm@3.1.6 @noble/ed25519@3.2.0 >/dev/null
m=node_modules
mkdir -p "$here/noble-ed25519" "$here/zxing-wasm/reader"
cp $m/@noble/ed25519/index.js $m/@noble/ed25519/LICENSE "$here/noble-ed25519/"
cp $m/zxing-wasm/dist/es/share.js $m/zxing-wasm/LICENSE "$here/zxing-wasm/"
cp $m/zxing-wasm/dist/es/reader/index.js "$here/zxing-wasm/reader/"
cp $m/zxing-wasm/dist/reader/zxing_reader.wasm "$here/zxing-wasm/"
echo "vendored zxing-wasm 3.1.6 and @noble/ed25519 3.2.0 into $here"
