// Reads tests/data/token_corpus/*.txt samples (format: tests/data/token_corpus/README.md).
"use strict";
const fs = require("fs");
const path = require("path");

function readCorpus(dir) {
  const samples = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".txt")).sort()) {
    let current = null;
    // The file's final newline ends the last sample's last line; it is not part of the sample.
    const content = fs.readFileSync(path.join(dir, file), "utf8").replace(/\n$/, "");
    for (const line of content.split("\n")) {
      if (line.startsWith("@@@ ")) {
        current = { id: `${file.replace(/\.txt$/, "")}/${line.slice(4).trim()}`, lines: [] };
        samples.push(current);
      } else if (current) {
        current.lines.push(line);
      }
    }
  }
  return samples.map((s) => ({ id: s.id, text: s.lines.join("\n") }));
}

module.exports = { readCorpus };
