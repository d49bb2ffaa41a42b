/**
 * The `secretwatch` command line: replay CloudTrail archives offline, look up event history,
 * redrive the enricher's failure queue, check every link of a deployed chain, test the alarm.
 * User errors print one line and exit non-zero; never a stack trace (unless SECRETWATCH_DEBUG).
 */
import { Command, CommanderError } from "commander";
import { describeError, UserError } from "./errors.js";
import { type Io, processIo } from "./io.js";

/** What every command gets: where to read and write, and how to report its exit code. */
export interface CommandContext {
  io: Io;
  /** Raise the process exit code (the highest code set wins). */
  setExitCode(code: number): void;
}

export type CommandFactory = (ctx: CommandContext) => Command;

/**
 * Each command's module, loaded on demand: `secretwatch replay` does not pay for loading the
 * AWS SDK clients that `doctor` uses (help and unknown commands load them all).
 */
const COMMANDS: Record<string, () => Promise<CommandFactory>> = {
  replay: async () => (await import("./commands/replay.js")).replayCommand,
  lookup: async () => (await import("./commands/lookup.js")).lookupCommand,
  redrive: async () => (await import("./commands/redrive.js")).redriveCommand,
  doctor: async () => (await import("./commands/doctor.js")).doctorCommand,
  "test-alarm": async () => (await import("./commands/test-alarm.js")).testAlarmCommand,
  policy: async () => (await import("./commands/policy.js")).policyCommand,
  baseline: async () => (await import("./commands/baseline.js")).baselineCommand,
};

async function commandFactories(argv: readonly string[]): Promise<CommandFactory[]> {
  const first = argv[0];
  const names = first !== undefined && Object.hasOwn(COMMANDS, first) ? [first] : Object.keys(COMMANDS);
  return Promise.all(names.map((name) => COMMANDS[name]!()));
}

function configure(command: Command, io: Io): void {
  command
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  for (const sub of command.commands) configure(sub, io);
}

/** Builds the program with the commands `argv` needs; exported for tests that inspect options and help. */
export async function createProgram(ctx: CommandContext, argv: readonly string[] = []): Promise<Command> {
  const program = new Command("secretwatch")
    .description(
      "Know who read which secret in an AWS account: replay, lookup, redrive, doctor, test-alarm, policy check, baseline.",
    )
    .version("0.1.0");
  for (const factory of await commandFactories(argv)) program.addCommand(factory(ctx));
  configure(program, ctx.io);
  return program;
}

/** Runs the CLI with `argv` (without node and script) and resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let exitCode = 0;
  const ctx: CommandContext = { io, setExitCode: (code) => (exitCode = Math.max(exitCode, code)) };
  try {
    const program = await createProgram(ctx, argv);
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode; // commander printed the message (0 for --help)
    io.stderr.write(`secretwatch: ${describeError(error)}\n`);
    if (io.env.SECRETWATCH_DEBUG && error instanceof Error) io.stderr.write(`${error.stack}\n`);
    return error instanceof UserError ? error.exitCode : 1;
  }
  return exitCode;
}
