/**
 * Every command's help in one style: a description that is a sentence, required options
 * marked, examples, and `--format text|json` on every command that prints a report.
 */
import type { Command, Option } from "commander";
import { describe, expect, test } from "vitest";
import { COMMANDS, type CommandContext } from "../../packages/cli/src/main.js";
import { runCli } from "./run-cli.js";

const ctx = { io: {} as CommandContext["io"], setExitCode: () => {} };

/** Every command's help. */
const CHECKED = ["replay", "lookup", "redrive", "policy", "baseline", "doctor", "test-alarm", "history", "resubscribe"];
/** Commands that print a report, and so take `--format text|json`. */
const FORMATTED = ["replay", "lookup", "redrive", "policy check", "doctor", "history"];

async function leaves(name: string): Promise<Array<[string, Command]>> {
  const command = (await COMMANDS[name]!.load())(ctx);
  const subs = command.commands.filter((c) => c.name() !== "help");
  return subs.length > 0 ? subs.map((c) => [`${name} ${c.name()}`, c]) : [[name, command]];
}

describe.each(CHECKED)("%s --help", (name) => {
  test("a description that is a sentence, required options marked, examples", async () => {
    for (const [path, command] of await leaves(name)) {
      expect(command.description(), path).toMatch(/^[A-Z].*\.$/s);
      const options = (command as unknown as { options: Option[] }).options;
      for (const option of options.filter((o) => o.mandatory)) {
        expect(option.description, `${path} ${option.flags}`).toMatch(/^\(required\) /);
      }
      const help = await runCli([...path.split(" "), "--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout, path).toContain("\nExamples:\n  $ secretwatch ");
    }
  });
});

test.each(FORMATTED)("%s takes --format text|json", async (path) => {
  const [name = ""] = path.split(" ");
  const command = (await leaves(name)).find(([p]) => p === path)?.[1];
  const format = (command as unknown as { options: Option[] }).options.find((o) => o.long === "--format");
  expect(format?.argChoices).toEqual(["text", "json"]);
  expect(format?.defaultValue).toBe("text");
});

test("every command is listed with its summary in secretwatch --help", async () => {
  const help = await runCli(["--help"]);
  for (const [name, entry] of Object.entries(COMMANDS)) {
    expect(help.stdout.replace(/\s+/g, " ")).toContain(`${name} ${entry.summary}`);
  }
});
