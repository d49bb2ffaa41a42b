/** The enricher's V8 heap (stacks/function-heap.ts): what Lambda's bootstrap would run it with, and that it fits. */
import { describe, expect, it } from "vitest";
import {
  ENRICHER_HEAP,
  ENRICHER_MEMORY_MB,
  ENRICHER_NODE_OPTIONS,
  lambdaHeapFlags,
  NATIVE_RESERVE_MB,
  YOUNG_GENERATION_SEMI_SPACES,
} from "../../stacks/function-heap";

describe("lambdaHeapFlags", () => {
  it.each([
    // The bootstrap's own sizes: a tenth of the memory as new space, half of that per semi-space, the rest old space.
    [128, undefined, ["--max-semi-space-size=6", "--max-old-space-size=116"]],
    [256, undefined, ["--max-semi-space-size=12", "--max-old-space-size=231"]],
    [256, "--enable-source-maps", ["--max-semi-space-size=12", "--max-old-space-size=231"]],
    [1024, "", ["--max-semi-space-size=51", "--max-old-space-size=922"]],
    // NODE_OPTIONS that names a size: the bootstrap adds none (V8's default for one left unnamed).
    [
      256,
      "--max-semi-space-size=32 --max-old-space-size=160",
      ["--max-semi-space-size=32", "--max-old-space-size=160"],
    ],
    [256, "--enable-source-maps --max_old_space_size=200", ["--max-old-space-size=200"]],
    [512, "--max-semi-space-size 24", ["--max-semi-space-size=24"]],
  ])("memory %i MB, NODE_OPTIONS %j → %j", (memory, options, flags) => {
    expect(lambdaHeapFlags(memory, options)).toEqual(flags);
  });
});

describe("the enricher's heap", () => {
  it("names both sizes, so the bootstrap adds neither", () => {
    expect(lambdaHeapFlags(ENRICHER_MEMORY_MB, ENRICHER_NODE_OPTIONS)).toEqual([
      `--max-semi-space-size=${ENRICHER_HEAP.semiSpaceMb}`,
      `--max-old-space-size=${ENRICHER_HEAP.oldSpaceMb}`,
    ]);
  });

  it("fits the function's memory with room for Node.js outside V8's heap", () => {
    const heap = YOUNG_GENERATION_SEMI_SPACES * ENRICHER_HEAP.semiSpaceMb + ENRICHER_HEAP.oldSpaceMb;
    expect(heap + NATIVE_RESERVE_MB).toBeLessThanOrEqual(ENRICHER_MEMORY_MB);
  });

  it("gives a young generation larger than the bootstrap's own at this memory (the reason to set it)", () => {
    const [derivedSemi] = lambdaHeapFlags(ENRICHER_MEMORY_MB, undefined);
    expect(Number(derivedSemi?.split("=")[1])).toBeLessThan(ENRICHER_HEAP.semiSpaceMb);
  });
});
