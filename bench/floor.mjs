// The floor for a selective scan (issue 9): read and gunzip each CloudTrail file given (paths
// relative to the working directory) and count the byte occurrences of the Secrets Manager
// event source, nothing else, on one thread. Prints the count. Replay must at least gunzip
// every byte and find its candidate records; this is that and no more.
// Usage: node bench/floor.mjs <file.json.gz>...
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

const needle = Buffer.from("secretsmanager.amazonaws.com");
let found = 0;
for (const file of process.argv.slice(2)) {
  const data = gunzipSync(readFileSync(file));
  for (let i = data.indexOf(needle); i >= 0; i = data.indexOf(needle, i + needle.length)) found++;
}
process.stdout.write(`${found}\n`);
