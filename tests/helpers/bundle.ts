/**
 * Bundles a Lambda handler the way SST 4.17.1 builds Node functions: esbuild, ESM with an
 * `.mjs` extension, a `createRequire` banner (so bundled CommonJS can `require` built-ins),
 * names kept, the runtime's ES target, everything (the AWS SDK included) inside the package;
 * then the `nodejs` arguments the stacks pass ({@link FUNCTION_NODEJS}).
 * @see https://esbuild.github.io/api/#splitting
 * @see https://sst.dev/docs/component/aws/function#nodejs
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { type BuildOptions, build, type Metafile } from "esbuild";
import { FUNCTION_NODEJS } from "../../stacks/function-build";

export { FUNCTION_NODEJS };

export interface BundleResult {
  /** The handler's module (the one Lambda imports). */
  file: string;
  /** Minified bytes that `import()` of the handler loads: its module and the chunks it imports statically. */
  bytes: number;
  /** The same files, each gzipped, summed. */
  gzipBytes: number;
  /** Every `.mjs` file in the package: the loaded ones and the chunks only a dynamic `import()` reaches. */
  packageBytes: number;
  /** Files `import()` of the handler loads (absolute paths), the handler's first. */
  loaded: string[];
  /** Chunks only a dynamic `import()` reaches (absolute paths): never loaded unless that code path runs. */
  lazy: string[];
  /** Source files with code anywhere in the package (esbuild's metafile: tree-shaken files are not listed). */
  inputs: string[];
  /** Source files with code in the loaded files. */
  loadedInputs: string[];
}

/**
 * The esbuild options SST 4.17.1 uses for an ESM Node function with no `nodejs` arguments
 * (`pkg/runtime/node/build.go`: target from the runtime, `nodejs22.x` → ES2023; `module`
 * before `main`; names kept). Left out: its injected `__dirname`/`__filename` shim (no bundled
 * module uses either) and its linked source maps (kept out of the zip; each `.mjs` then ends in
 * a `sourceMappingURL` comment of about 40 bytes). The bench's baseline build uses these too.
 */
export const SST_FUNCTION_BUILD = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "es2023",
  outExtension: { ".js": ".mjs" },
  mainFields: ["module", "main"],
  keepNames: true,
  metafile: true,
  logLevel: "silent",
  banner: {
    js: [
      `import { createRequire as topLevelCreateRequire } from "module";`,
      `const require = topLevelCreateRequire(import.meta.url);`,
    ].join("\n"),
  },
} as const satisfies BuildOptions;

/** SST's esbuild options with {@link FUNCTION_NODEJS} applied (as `build.go` applies them). */
export const FUNCTION_BUILD = {
  ...SST_FUNCTION_BUILD,
  splitting: FUNCTION_NODEJS.splitting,
  external: [...FUNCTION_NODEJS.esbuild.external],
} as const satisfies BuildOptions;

/** The files of `outputs` that loading `entry` loads: it and its static imports, transitively. */
export function staticClosure(outputs: Metafile["outputs"], entry: string): string[] {
  const seen: string[] = [];
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.includes(file)) continue;
    seen.push(file);
    for (const imported of outputs[file]?.imports ?? []) {
      if (imported.kind === "import-statement" && !imported.external) stack.push(imported.path);
    }
  }
  return seen;
}

export async function bundleHandler(entry: string, outdir: string, minify = true): Promise<BundleResult> {
  const result = await build({
    ...FUNCTION_BUILD,
    entryPoints: { enricher: path.resolve(entry) },
    outdir,
    minify,
  });
  const outputs = result.metafile.outputs;
  const modules = Object.keys(outputs).filter((f) => f.endsWith(".mjs"));
  const main = modules.find((f) => path.basename(f) === "enricher.mjs");
  if (!main) throw new Error("esbuild produced no enricher.mjs");
  const loaded = staticClosure(outputs, main);
  const size = (files: string[]) => files.reduce((sum, f) => sum + outputs[f]!.bytes, 0);
  const inputsOf = (files: string[]) => [
    ...new Set(
      files.flatMap((f) =>
        Object.entries(outputs[f]!.inputs)
          .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
          .map(([input]) => input),
      ),
    ),
  ];
  return {
    file: path.resolve(main),
    bytes: size(loaded),
    gzipBytes: loaded.reduce((sum, f) => sum + gzipSync(readFileSync(f)).length, 0),
    packageBytes: size(modules),
    loaded: loaded.map((f) => path.resolve(f)),
    lazy: modules.filter((f) => !loaded.includes(f)).map((f) => path.resolve(f)),
    inputs: inputsOf(modules),
    loadedInputs: inputsOf(loaded),
  };
}
