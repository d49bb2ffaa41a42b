/**
 * Type-checks sst.config.ts and stacks/ with noUncheckedIndexedAccess on. tsconfig.infra.json
 * cannot turn it on: SST's own sources, which config.d.ts pulls in as .ts files, fail it.
 * Here the same program is checked with it on, and only diagnostics in our files count.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");
// The TypeScript SST's platform ships, as `npm run typecheck` uses.
const ts = createRequire(path.join(root, ".sst/platform/package.json"))("typescript") as typeof import("typescript");

it("finds no type error in sst.config.ts or stacks/, with noUncheckedIndexedAccess", () => {
  const configPath = path.join(root, "tsconfig.infra.json");
  const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
  expect(error).toBeUndefined();
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root);
  const ours = parsed.fileNames.filter((f) => !f.includes("/.sst/"));
  expect(ours.map((f) => path.relative(root, f))).toEqual(expect.arrayContaining(["sst.config.ts", "stacks/trail.ts"]));

  const program = ts.createProgram(parsed.fileNames, { ...parsed.options, noUncheckedIndexedAccess: true });
  const diagnostics = ours.flatMap((file) => {
    const source = program.getSourceFile(file);
    return source ? [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)] : [];
  });
  const messages = diagnostics.map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    const file = d.file ? path.relative(root, d.file.fileName) : "?";
    return `${file}:${(where?.line ?? 0) + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
  expect(messages).toEqual([]);
});
