/**
 * The CLI's cache of compiled policies (policy-file.ts): a valid file's compiled policy and
 * warnings are reused for the same text, name and build; anything else is parsed again.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UserError } from "../../packages/cli/src/errors.js";
import type { Io } from "../../packages/cli/src/io.js";
import { CACHE_DIR_SETTING, loadPolicy, policyCacheOf } from "../../packages/cli/src/policy-file.js";
import { compilePolicy, DEFAULT_POLICY } from "../../packages/core/src/policy.js";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/policies");

let dir: string;
let cache: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "secretwatch-policy-cache-"));
  cache = path.join(dir, "cache");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const io = (env: Record<string, string> = { [CACHE_DIR_SETTING]: cache }): Io => ({
  stdout: { write: () => true },
  stderr: { write: () => true },
  env,
  cwd: dir,
  now: () => new Date("2024-07-30T12:00:00Z"),
});
const entries = async () => (await readdir(cache).catch(() => [])).filter((f) => f.endsWith(".json"));
const copy = async (fixture: string, name = "policy.yaml") =>
  writeFile(path.join(dir, name), await readFile(path.join(FIXTURES, fixture), "utf8"));

describe("the compiled-policy cache", () => {
  it("keeps a valid policy and its warnings, and gives them back for the same file", async () => {
    await copy("warnings/sensitive-overlap.yaml");
    const first = await loadPolicy(io(), "policy.yaml");
    expect(first.warnings.length).toBeGreaterThan(0);
    expect(await entries()).toHaveLength(1);
    const second = await loadPolicy(io(), "policy.yaml");
    expect(second).toEqual(first);
    expect(await entries()).toHaveLength(1);
  });

  it("is what a second run uses: an entry's (valid) policy wins over the file's", async () => {
    await copy("valid/full.yaml");
    await loadPolicy(io(), "policy.yaml");
    const [file] = await entries();
    const entry = JSON.parse(await readFile(path.join(cache, file!), "utf8"));
    const other = compilePolicy({ ...DEFAULT_POLICY, notify: "critical" }, "policy.yaml");
    await writeFile(path.join(cache, file!), JSON.stringify({ ...entry, compiled: JSON.stringify(other) }));
    expect((await loadPolicy(io(), "policy.yaml")).compiled.hash).toBe(other.hash);
  });

  it("parses again when the entry does not match its hash, and rewrites it", async () => {
    await copy("valid/full.yaml");
    const real = await loadPolicy(io(), "policy.yaml");
    const [file] = await entries();
    const entry = JSON.parse(await readFile(path.join(cache, file!), "utf8"));
    const tampered = { ...JSON.parse(entry.compiled), policy: { ...DEFAULT_POLICY, notify: "critical" } };
    await writeFile(path.join(cache, file!), JSON.stringify({ ...entry, compiled: JSON.stringify(tampered) }));
    expect((await loadPolicy(io(), "policy.yaml")).compiled).toEqual(real.compiled);
    expect(JSON.parse(JSON.parse(await readFile(path.join(cache, file!), "utf8")).compiled).hash).toBe(
      real.compiled.hash,
    );
  });

  it("keys by text and name: an edited file or another name is parsed, not served from the old entry", async () => {
    await copy("valid/full.yaml");
    const before = await loadPolicy(io(), "policy.yaml");
    await copy("valid/full.yaml", "other.yaml");
    expect((await loadPolicy(io(), "other.yaml")).compiled.source).toBe("other.yaml");
    const text = await readFile(path.join(dir, "policy.yaml"), "utf8");
    await writeFile(path.join(dir, "policy.yaml"), text.replace(/notify: \w+/, "notify: critical"));
    const after = await loadPolicy(io(), "policy.yaml");
    expect(after.compiled.policy.notify).toBe("critical");
    expect(after.compiled.hash).not.toBe(before.compiled.hash);
    expect(await entries()).toHaveLength(3);
  });

  it("never keeps an invalid policy", async () => {
    await copy("invalid/bad-account.yaml");
    await expect(loadPolicy(io(), "policy.yaml")).rejects.toThrow(UserError);
    await expect(loadPolicy(io(), "policy.yaml")).rejects.toThrow(UserError);
    expect(await entries()).toHaveLength(0);
  });

  it("is off with SECRETWATCH_CACHE_DIR=off, and from sources unless a directory is given", async () => {
    await copy("valid/full.yaml");
    await loadPolicy(io({ [CACHE_DIR_SETTING]: "off" }), "policy.yaml");
    await loadPolicy(io({}), "policy.yaml");
    expect(await entries()).toHaveLength(0);
    expect(await policyCacheOf({})).toBeNull();
    // The built CLI (a .mjs module) uses node_modules/.cache beside its package.
    const built = path.join(dir, "cli", "dist", "chunk.mjs");
    await mkdir(path.dirname(built), { recursive: true });
    await writeFile(built, "");
    const found = await policyCacheOf({}, pathToFileURL(built).href);
    expect(found?.dir).toBe(path.join(dir, "cli", "node_modules", ".cache", "secretwatch"));
  });
});
