#!/usr/bin/env bash
# Rebuild the offline front-end assets for `jixiao serve`.
# Needs node >= 18 and npm; reaches only the npm registry (during `npm ci`).
set -euo pipefail
cd "$(dirname "$0")"

npm ci --no-audit --no-fund

rm -rf dist
mkdir -p dist

# CodeMirror 6 YAML editor -> one minified IIFE exposing window.JixiaoEditor
npx --no-install esbuild src/editor.js \
  --bundle --minify --format=iife --target=es2020 \
  --legal-comments=none --charset=utf8 \
  --metafile=dist/meta.json \
  --outfile=dist/editor.min.js

# htmx: shipped as the package's own minified build
cp node_modules/htmx.org/dist/htmx.min.js dist/htmx.min.js

# Licence texts of everything bundled
node scripts/licenses.mjs

ls -l dist
