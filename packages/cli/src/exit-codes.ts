/**
 * The exit codes of every `secretwatch` command: one table, printed into the README
 * (tests/cli/exit-codes.test.ts checks that the README holds it word for word).
 */

export const EXIT = {
  /** The command did what was asked. */
  ok: 0,
  /** The command ran and found a problem. */
  findings: 1,
  /** The command line or the configuration is wrong; nothing was done. */
  usage: 2,
  /** AWS could not be used: unreachable, or no usable credentials. */
  aws: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** What each code means, for people: the rows of the README table. */
export const EXIT_CODE_MEANINGS: ReadonlyArray<{ code: ExitCode; meaning: string }> = [
  { code: EXIT.ok, meaning: "success (replay and lookup: whatever they found is on stdout)" },
  {
    code: EXIT.findings,
    meaning:
      "findings: a `doctor` check failed, nothing in the given paths could be read, alerts could not be published, " +
      "or an unexpected error",
  },
  {
    code: EXIT.usage,
    meaning:
      "usage or configuration error: an unknown option or command, a bad value (`--since 2024-02-30`), no AWS Region, " +
      "an invalid policy file (`policy check` included), Node.js older than 22.12",
  },
  {
    code: EXIT.aws,
    meaning:
      "AWS unreachable (no network, DNS, proxy) or credentials missing, expired or refused (an unknown `AWS_PROFILE`, " +
      "access denied)",
  },
];

/** The Markdown table for the README. */
export function exitCodeTable(): string {
  const rows = EXIT_CODE_MEANINGS.map(({ code, meaning }) => `| ${code} | ${meaning} |`);
  return ["| Exit code | Meaning |", "| --- | --- |", ...rows].join("\n");
}
