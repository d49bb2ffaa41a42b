// The single-thread limit for replay: read, gunzip and JSON.parse each CloudTrail file given
// (paths relative to the working directory), nothing else, on one thread. Prints the record count.
// Usage: node bench/limit.mjs <file.json.gz>...
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

let records = 0;
for (const file of process.argv.slice(2)) {
  const doc = JSON.parse(gunzipSync(readFileSync(file)).toString("utf8"));
  records += doc.Records.length;
}
process.stdout.write(`${records}\n`);
