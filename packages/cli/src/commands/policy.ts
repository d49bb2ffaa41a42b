/**
 * `secretwatch policy check [FILE]`: validates the detection policy (FILE, or the repository's
 * secretwatch.policy.yaml, or the file `SECRETWATCH_POLICY_FILE` names). Valid: one summary line
 * on stdout, warnings on stderr, exit 0. Invalid: every problem on stderr as
 * `file:line: path: message`, exit 2. No policy file: says the documented defaults apply.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
 */
import {
  type CompiledPolicy,
  compilePolicy,
  DEFAULT_POLICY,
  formatPolicyProblem,
  POLICY_FILE_SETTING,
} from "@secretwatch/core";
import { Command, Option } from "commander";
import type { CommandContext } from "../main.js";
import { readPolicyFile } from "../policy-file.js";
import { plural } from "../words.js";

/** `sha256:ab12cd34…`: enough of the hash to tell two policies apart. */
export function shortHash(hash: string): string {
  return `${hash.slice(0, "sha256:".length + 8)}…`;
}

/** `12 expected rules, 2 decoy patterns, 3 sensitive patterns, notify medium, page high (sha256:ab12cd34…)` */
export function policySummary(compiled: CompiledPolicy): string {
  const { policy } = compiled;
  return [
    plural(policy.expected.length, "expected rule"),
    plural(policy.decoys.length, "decoy pattern"),
    plural(policy.sensitive.length, "sensitive pattern"),
    `notify ${policy.notify}`,
    `page ${policy.page} (${shortHash(compiled.hash)})`,
  ].join(", ");
}

/** `--format json`: one object with what the text says (problems and warnings as `file:line: path: message`). */
async function checkJson(ctx: CommandContext, file: string | undefined): Promise<void> {
  const found = await readPolicyFile(ctx.io, file);
  const defaults = found.kind === "defaults" ? compilePolicy(DEFAULT_POLICY, "defaults") : null;
  const result = found.kind === "defaults" ? null : found.result;
  const compiled = defaults ?? (result?.ok ? result.compiled : null);
  const report = {
    file: found.kind === "defaults" ? null : found.name,
    valid: compiled !== null,
    defaults: defaults !== null,
    summary: compiled ? policySummary(compiled) : null,
    hash: compiled?.hash ?? null,
    problems: result && !result.ok ? result.problems.map((p) => formatPolicyProblem(p, found.name)) : [],
    warnings: (result?.warnings ?? []).map((w) => formatPolicyProblem(w, found.name)),
  };
  ctx.io.stdout.write(`${JSON.stringify(report)}\n`);
  if (!report.valid) ctx.setExitCode(2);
}

async function runCheck(ctx: CommandContext, file: string | undefined, format: "text" | "json"): Promise<void> {
  const { io } = ctx;
  if (format === "json") return checkJson(ctx, file);
  const found = await readPolicyFile(io, file);
  if (found.kind === "defaults") {
    io.stdout.write(
      `no policy file (${found.name}, or one named by ${POLICY_FILE_SETTING}): the documented defaults apply: ${policySummary(compilePolicy(DEFAULT_POLICY, "defaults"))}\n`,
    );
    return;
  }
  const { result, name } = found;
  if (result.ok) io.stdout.write(`${name}: valid: ${policySummary(result.compiled)}\n`);
  else {
    for (const problem of result.problems) io.stderr.write(`${formatPolicyProblem(problem, name)}\n`);
    ctx.setExitCode(2);
  }
  for (const warning of result.warnings) io.stderr.write(`warning: ${formatPolicyProblem(warning, name)}\n`);
}

export function policyCommand(ctx: CommandContext): Command {
  const policy = new Command("policy").description("Work with the detection policy file (secretwatch.policy.yaml).");
  policy
    .command("check")
    .summary("validate the policy file; exit 2 listing every problem")
    .description(
      `Validates the policy file: FILE, else secretwatch.policy.yaml or the file ${POLICY_FILE_SETTING} names. ` +
        "Valid: one summary line, exit 0. Invalid: every problem as file:line: path: message, exit 2.",
    )
    .argument("[file]", "the policy file to check (relative to the current directory)")
    .addOption(
      new Option("--format <format>", "text: a summary line and the problems; json: one JSON object")
        .choices(["text", "json"])
        .default("text"),
    )
    .addHelpText(
      "after",
      "\nExamples:\n  $ secretwatch policy check\n  $ secretwatch policy check my.policy.yaml --format json\n",
    )
    .action((file: string | undefined, options: { format: "text" | "json" }) => runCheck(ctx, file, options.format));
  return policy;
}
