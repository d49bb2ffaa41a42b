/**
 * Policy files for scenarios, in a temporary directory removed after the file's tests. A
 * scenario points SECRETWATCH_POLICY_FILE at one (`runApp({ policyFile })`); an absolute path
 * resolves to itself, so nothing is written into the repository.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";

const dir = mkdtempSync(path.join(os.tmpdir(), "secretwatch-policy-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `text` to a policy file named `name` and returns its absolute path. */
export function policyFile(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** A path where no file exists. */
export function missingPolicyFile(name = "missing.policy.yaml"): string {
  return path.join(dir, name);
}

/** A directory where a policy file is expected: it exists, but cannot be read as a file. */
export function unreadablePolicyFile(name = "directory.policy.yaml"): string {
  const file = path.join(dir, name);
  mkdirSync(file, { recursive: true });
  return file;
}

/** `count` expected-reader rules on roles nobody in the fixtures uses (`bulk-0`…). */
export function bulkRules(count: number): string {
  return Array.from(
    { length: count },
    (_, i) =>
      `  - id: bulk-${i}\n    principal: arn:aws:iam::111122223333:role/bulk-${i}\n    secret: bulk/${i}/*\n    note: rule ${i} of a large policy\n`,
  ).join("");
}
