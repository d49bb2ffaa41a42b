/**
 * The enricher's memory and V8 heap, as plain data: stacks/enricher.ts deploys them, and the
 * benchmark runs the handler under the same V8 flags (bench/handler-process.ts), so what is
 * measured is what runs.
 *
 * Lambda's Node.js bootstrap sizes V8's heap from the function's memory unless `NODE_OPTIONS`
 * names a size itself: a new space of a tenth of the memory (so each semi-space is a twentieth)
 * and the rest as old space. At 256 MB that is a 12 MB semi-space. One 1 MiB subscription
 * payload allocates about 7 MB of V8 heap while its records and reads are all still alive, so
 * with 12 MB the scavenger often ran mid-invocation, copying and promoting them: the handler's
 * median time was far above its fastest (README, Benchmarks). The function therefore names
 * both sizes: 32 MB semi-spaces (V8's young generation is three of them, 96 MB) and 352 MB of
 * old space, which with 64 MB left for Node.js itself and the payload's buffers fits 512 MB.
 * Twice the memory of before also brings twice the CPU share, so the CPU-bound part of an
 * invocation costs about the same.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
 * @see https://nodejs.org/api/cli.html#--max-semi-space-sizesize-in-mib
 */

/** The enricher's memory (MB). */
export const ENRICHER_MEMORY_MB = 512;

/** V8 sizes (MB) the enricher runs with, set through `NODE_OPTIONS`. */
export const ENRICHER_HEAP = { semiSpaceMb: 32, oldSpaceMb: 352 } as const;

/** What `NODE_OPTIONS` must leave to Node.js outside V8's heap (buffers, code, the runtime). */
export const NATIVE_RESERVE_MB = 64;

/** V8's young generation is three semi-spaces (Node.js documents `--max-semi-space-size` so). */
export const YOUNG_GENERATION_SEMI_SPACES = 3;

/** The enricher's `NODE_OPTIONS`: both sizes, so the bootstrap derives neither from the memory. */
export const ENRICHER_NODE_OPTIONS = `--max-semi-space-size=${ENRICHER_HEAP.semiSpaceMb} --max-old-space-size=${ENRICHER_HEAP.oldSpaceMb}`;

const SIZE_FLAG = /--max[-_](semi|old)[-_]space[-_]size(?:=|\s+)(\d+)/g;

/**
 * The V8 heap flags a Lambda Node.js function runs with: the sizes its `NODE_OPTIONS` names
 * (the bootstrap then adds none), else the bootstrap's own from the memory (new space a tenth,
 * half of it per semi-space, the rest old space).
 */
export function lambdaHeapFlags(memoryMb: number, nodeOptions: string | undefined): string[] {
  const named = [...(nodeOptions ?? "").matchAll(SIZE_FLAG)];
  if (named.length > 0) return named.map(([, space, mb]) => `--max-${space}-space-size=${mb}`);
  const newSpace = Math.floor(memoryMb / 10);
  return [`--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`];
}
