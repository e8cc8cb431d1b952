// Compares our estimates with the real counts and prints a table (per sample: real cl100k_base and
// o200k_base counts, the estimate, estimate/real for each) and the min/mean/max ratios. Exits 1
// when any sample's estimate is more than 10% under either real count, or when the two inputs do
// not list the same samples.
// Usage: node compare.js REAL_COUNTS.json ESTIMATES.tsv
"use strict";
const fs = require("fs");

const [realPath, estimatesPath] = process.argv.slice(2);
if (!realPath || !estimatesPath) {
  console.error("usage: node compare.js REAL_COUNTS.json ESTIMATES.tsv");
  process.exit(2);
}
const real = JSON.parse(fs.readFileSync(realPath, "utf8")).samples;
const estimates = new Map(
  fs.readFileSync(estimatesPath, "utf8").split("\n").filter(Boolean).map((line) => {
    const [id, n] = line.split("\t");
    return [id, Number(n)];
  }),
);
const kLowest = 0.9;
const encodings = ["cl100k_base", "o200k_base"];
const ratios = Object.fromEntries(encodings.map((e) => [e, []]));
const failures = [];
const pad = (s, n) => String(s).padEnd(n);
const num = (s, n) => String(s).padStart(n);
console.log(`${pad("sample", 40)} ${num("cl100k", 7)} ${num("o200k", 7)} ${num("est", 7)} ${num("/cl100k", 8)} ${num("/o200k", 8)}`);
for (const row of real) {
  const est = estimates.get(row.id);
  if (est === undefined) {
    failures.push(`${row.id}: no estimate (the tool and corpus.js read the corpus differently)`);
    continue;
  }
  const cells = encodings.map((e) => {
    const ratio = row[e] === 0 ? (est === 0 ? 1 : Infinity) : est / row[e];
    ratios[e].push(ratio);
    if (ratio < kLowest) failures.push(`${row.id}: estimate ${est} is ${((1 - ratio) * 100).toFixed(1)}% under ${e} ${row[e]}`);
    return num(ratio.toFixed(2), 8);
  });
  console.log(`${pad(row.id, 40)} ${num(row.cl100k_base, 7)} ${num(row.o200k_base, 7)} ${num(est, 7)} ${cells.join(" ")}`);
}
if (estimates.size !== real.length) failures.push(`${estimates.size} estimates for ${real.length} samples`);
for (const e of encodings) {
  const r = ratios[e];
  const mean = r.reduce((a, b) => a + b, 0) / r.length;
  console.log(`${e}: ${r.length} samples, estimate/real min ${Math.min(...r).toFixed(2)} mean ${mean.toFixed(2)} max ${Math.max(...r).toFixed(2)}`);
}
if (failures.length > 0) {
  for (const f of failures) console.error(`FAIL ${f}`);
  process.exit(1);
}
