// Validate GLB files with the Khronos glTF validator (npm gltf-validator).
// Usage: node tests/js/validate_gltf.js FILE.glb [...]; prints one JSON report per line
// ({"file", "errors", "warnings", "infos", "messages"}) and exits 0.
"use strict";
const fs = require("fs");
const path = require("path");
const validator = require("gltf-validator");

async function main() {
  for (const file of process.argv.slice(2)) {
    const data = new Uint8Array(fs.readFileSync(file));
    const report = await validator.validateBytes(data, {
      uri: path.basename(file),
      maxIssues: 50,
      externalResourceFunction: () => Promise.reject(new Error("no external resources")),
    });
    const issues = report.issues;
    process.stdout.write(JSON.stringify({
      file,
      errors: issues.numErrors,
      warnings: issues.numWarnings,
      infos: issues.numInfos,
      messages: issues.messages.map((m) => `${m.severity}:${m.code}:${m.pointer || ""}:${m.message}`),
    }) + "\n");
  }
}

main().catch((err) => { console.error(err); process.exit(2); });
