/**
 * Bundles a Lambda handler the way SST 4 builds Node functions: esbuild, ESM with an `.mjs`
 * extension, a `createRequire` banner (so bundled CommonJS can `require` built-ins), names
 * kept, Node 22 target, everything (the AWS SDK included) inside the bundle.
 */
import path from "node:path";
import { type BuildOptions, build } from "esbuild";

export interface BundleResult {
  file: string;
  bytes: number;
  /** Source files with code in the bundle (esbuild's metafile: parsed but tree-shaken files are not listed). */
  inputs: string[];
}

/** The esbuild options SST uses for a Node function (the bench's baseline build uses them too). */
export const SST_FUNCTION_BUILD = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
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

export async function bundleHandler(entry: string, outdir: string, minify = true): Promise<BundleResult> {
  const result = await build({
    ...SST_FUNCTION_BUILD,
    entryPoints: { enricher: path.resolve(entry) },
    outdir,
    minify,
  });
  const [file, meta] = Object.entries(result.metafile.outputs).find(([f]) => f.endsWith(".mjs")) ?? [];
  if (!file || !meta) throw new Error("esbuild produced no .mjs output");
  const inputs = Object.entries(meta.inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([input]) => input);
  return { file: path.resolve(file), bytes: meta.bytes, inputs };
}
