/**
 * Runs (b), the handler bench (./handler.ts), in a child `node` with the V8 heap flags the
 * deployed enricher runs with (stacks/function-heap.ts: its `NODE_OPTIONS`, else what Lambda's
 * bootstrap derives from its memory), so decode-only and the handler are timed under the heap
 * production gives them, not under this machine's defaults. The child gets its options and
 * writes its results as JSON files under `.bench/`; its progress lines go to the same stdout.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ENRICHER_MEMORY_MB, ENRICHER_NODE_OPTIONS, lambdaHeapFlags } from "../stacks/function-heap.js";
import { benchHandler, type HandlerBench, type HandlerOptions } from "./handler.js";

const SELF = fileURLToPath(import.meta.url);

/** The deployed enricher's V8 heap flags. */
export const DEPLOYED_HEAP_FLAGS = lambdaHeapFlags(ENRICHER_MEMORY_MB, ENRICHER_NODE_OPTIONS);

/** {@link benchHandler} in a child process under `heapFlags` (default: the deployed function's). */
export async function benchHandlerAsDeployed(
  o: HandlerOptions,
  scratch: string,
  log: (line: string) => void,
  heapFlags: readonly string[] = DEPLOYED_HEAP_FLAGS,
): Promise<HandlerBench> {
  mkdirSync(scratch, { recursive: true });
  const [input, output] = [path.join(scratch, "handler-options.json"), path.join(scratch, "handler-results.json")];
  writeFileSync(input, JSON.stringify(o));
  const deployed = heapFlags.join(" ") === DEPLOYED_HEAP_FLAGS.join(" ");
  log(
    `  V8 heap: ${heapFlags.join(" ")} (${deployed ? `as deployed, ${ENRICHER_MEMORY_MB} MB function` : "not the deployed function's: --heap"})`,
  );
  // process.execArgv carries tsx's loader, which runs this file's TypeScript in the child too.
  const child = spawn(process.execPath, [...process.execArgv, ...heapFlags, SELF, input, output], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  if (code !== 0) throw new Error(`the handler bench's child process exited with ${code}`);
  return JSON.parse(readFileSync(output, "utf8")) as HandlerBench;
}

if (process.argv[1] === SELF) {
  const [input, output] = process.argv.slice(2) as [string, string];
  const options = JSON.parse(readFileSync(input, "utf8")) as HandlerOptions;
  const result = await benchHandler(options, (line) => process.stdout.write(`${line}\n`));
  writeFileSync(output, JSON.stringify(result));
}
