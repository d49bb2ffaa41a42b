/**
 * compiledPolicySource: the enricher's policy at run time. The defaults without a configured
 * file; otherwise the shipped file, relative to the function root, read once per container,
 * refused (PolicyLoadError) when missing, malformed, tampered with, or not the deployed hash.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import {
  type CompiledPolicy,
  compilePolicy,
  DEFAULT_POLICY,
  type Policy,
  PolicyLoadError,
} from "../../packages/core/src/policy.js";
import { compiledPolicySource, POLICY_ENV } from "../../packages/functions/src/policy-source.js";

const policy: Policy = {
  ...DEFAULT_POLICY,
  page: "medium",
  expected: [{ id: "api", principal: "arn:aws:iam::111122223333:role/api", secret: "prod/api/*" }],
};
const compiled = compilePolicy(policy, "secretwatch.policy.yaml");
const text = JSON.stringify(compiled);

const configured = (extra: Record<string, string> = {}) => ({
  LAMBDA_TASK_ROOT: "/var/task",
  [POLICY_ENV.file]: "secretwatch-policy.json",
  [POLICY_ENV.hash]: compiled.hash,
  ...extra,
});

const enoent = () => Object.assign(new Error("ENOENT: no such file or directory"), { code: "ENOENT" });

/** The PolicyLoadError a call throws (fails the test when it throws nothing or something else). */
function loadError(load: () => CompiledPolicy): PolicyLoadError {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyLoadError);
    expect((error as Error).name).toBe("PolicyLoadError");
    return error as PolicyLoadError;
  }
  return expect.fail("expected a PolicyLoadError");
}

describe("without a configured policy", () => {
  it("gives the documented defaults and reads nothing", () => {
    const readFile = vi.fn(() => text);
    const load = compiledPolicySource({ LAMBDA_TASK_ROOT: "/var/task" }, readFile);
    expect(load()).toEqual(compilePolicy(DEFAULT_POLICY, "defaults"));
    expect(load().policy.page).toBe("high");
    expect(readFile).not.toHaveBeenCalled();
  });

  it("treats a blank setting as not set", () => {
    const readFile = vi.fn(() => text);
    expect(compiledPolicySource({ [POLICY_ENV.file]: "  " }, readFile)().source).toBe("defaults");
    expect(readFile).not.toHaveBeenCalled();
  });
});

describe("with the shipped file", () => {
  it("reads it relative to LAMBDA_TASK_ROOT and returns the compiled policy", () => {
    const readFile = vi.fn(() => text);
    const load = compiledPolicySource(configured(), readFile);
    expect(load()).toEqual(compiled);
    expect(readFile).toHaveBeenCalledWith("/var/task/secretwatch-policy.json", "utf8");
  });

  it("reads it relative to the working directory outside Lambda", () => {
    const readFile = vi.fn(() => text);
    const env = { [POLICY_ENV.file]: "secretwatch-policy.json", [POLICY_ENV.hash]: compiled.hash };
    compiledPolicySource(env, readFile)();
    expect(readFile).toHaveBeenCalledWith(path.resolve(process.cwd(), "secretwatch-policy.json"), "utf8");
  });

  it("reads it once per container", () => {
    const readFile = vi.fn(() => text);
    const load = compiledPolicySource(configured(), readFile);
    expect(load()).toBe(load());
    load();
    expect(readFile).toHaveBeenCalledTimes(1);
  });

  it("tries again on the next call after a failure (a failure is not cached)", () => {
    const readFile = vi.fn<(file: string, encoding: "utf8") => string>().mockImplementationOnce(() => {
      throw enoent();
    });
    readFile.mockImplementation(() => text);
    const load = compiledPolicySource(configured(), readFile);
    loadError(load);
    expect(load()).toEqual(compiled);
    expect(readFile).toHaveBeenCalledTimes(2);
  });

  it("accepts any valid compiled policy when no hash is configured", () => {
    const env = configured();
    delete (env as Record<string, string | undefined>)[POLICY_ENV.hash];
    expect(compiledPolicySource(env, () => text)().hash).toBe(compiled.hash);
  });
});

describe("a configured policy that cannot be used is refused (never the defaults)", () => {
  it("when the file is missing", () => {
    const error = loadError(
      compiledPolicySource(configured(), () => {
        throw enoent();
      }),
    );
    expect(error.message).toContain("/var/task/secretwatch-policy.json");
    expect((error.cause as { code?: string }).code).toBe("ENOENT");
  });

  it("when the file is not JSON, or not a compiled policy", () => {
    for (const bad of ["", "{", "version: 1\n", JSON.stringify({ ...compiled, format: "other/1" })]) {
      const error = loadError(compiledPolicySource(configured(), () => bad));
      expect(error.message, bad).toContain("/var/task/secretwatch-policy.json");
    }
  });

  it("when the policy inside was edited (its own hash no longer matches)", () => {
    const edited = { ...compiled, policy: { ...compiled.policy, expected: [] } };
    loadError(compiledPolicySource(configured(), () => JSON.stringify(edited)));
  });

  it("when it is a valid policy, but not the one deployed (SECRETWATCH_POLICY_HASH)", () => {
    const other = compilePolicy(DEFAULT_POLICY, "defaults");
    const error = loadError(compiledPolicySource(configured(), () => JSON.stringify(other)));
    expect(error.message).toContain(other.hash);
    expect(error.message).toContain(compiled.hash);
  });
});

describe("with the real file system", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "secretwatch-policy-source-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the file beside the bundle with fs.readFileSync by default", () => {
    writeFileSync(path.join(dir, "secretwatch-policy.json"), text);
    expect(compiledPolicySource(configured({ LAMBDA_TASK_ROOT: dir }))()).toEqual(compiled);
    const missing = compiledPolicySource(configured({ LAMBDA_TASK_ROOT: dir, [POLICY_ENV.file]: "nope.json" }));
    expect((loadError(missing).cause as { code?: string }).code).toBe("ENOENT");
  });
});
