// Prints the real token counts of the corpus samples as JSON:
//   {"samples":[{"id":"prose/prose-short","chars":41,"bytes":41,"cl100k_base":8,"o200k_base":8},...]}
// Usage: node real_counts.js CORPUS_DIR   (js-tiktoken from this folder's node_modules, via NODE_PATH
// or the folder itself). Special-token text such as "<|endoftext|>" is counted as plain text.
"use strict";
const { getEncoding } = require("js-tiktoken");
const { readCorpus } = require("./corpus.js");

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node real_counts.js CORPUS_DIR");
  process.exit(2);
}
const encodings = ["cl100k_base", "o200k_base"].map((name) => [name, getEncoding(name)]);
const samples = readCorpus(dir).map(({ id, text }) => {
  const row = { id, chars: [...text].length, bytes: Buffer.byteLength(text, "utf8") };
  for (const [name, enc] of encodings) row[name] = enc.encode(text, [], []).length;
  return row;
});
process.stdout.write(JSON.stringify({ samples }) + "\n");
