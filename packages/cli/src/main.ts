/**
 * The `secretwatch` command line: replay CloudTrail archives offline, look up event history,
 * redrive the enricher's failure queue, check every link of a deployed chain, test the alarm.
 * Every error prints one line and exits with a code of exit-codes.ts; never a stack trace
 * (unless SECRETWATCH_DEBUG).
 */
import { Command, CommanderError } from "commander";
import { describeError, exitCodeOf } from "./errors.js";
import { EXIT } from "./exit-codes.js";
import type { Io } from "./io.js";

/** What every command gets: where to read and write, and how to report its exit code. */
export interface CommandContext {
  io: Io;
  /** Raise the process exit code (the highest code set wins). */
  setExitCode(code: number): void;
}

export type CommandFactory = (ctx: CommandContext) => Command;

/** One command: its one-line summary (for `secretwatch --help`) and its module, loaded on demand. */
export interface CommandEntry {
  summary: string;
  load(): Promise<CommandFactory>;
}

/**
 * Every command, by name. Only the one named on the command line is loaded: `--help` and
 * `--version` load none (no AWS SDK), `replay` does not pay for `doctor`'s clients.
 */
export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  replay: {
    summary: "find secret-value retrievals in CloudTrail files; print or re-send their alerts",
    load: async () => (await import("./commands/replay.js")).replayCommand,
  },
  lookup: {
    summary: "report secret-value retrievals from CloudTrail event history (last 90 days)",
    load: async () => (await import("./commands/lookup.js")).lookupCommand,
  },
  redrive: {
    summary: "show the enricher's failure queue; with --publish, re-send its alerts",
    load: async () => (await import("./commands/redrive.js")).redriveCommand,
  },
  doctor: {
    summary: "check every link of a deployed stage's chain and print the fix for each failure",
    load: async () => (await import("./commands/doctor.js")).doctorCommand,
  },
  "test-alarm": {
    summary: "send a test alert through the stage's alarm and topic",
    load: async () => (await import("./commands/test-alarm.js")).testAlarmCommand,
  },
  policy: {
    summary: "work with the detection policy file (policy check)",
    load: async () => (await import("./commands/policy.js")).policyCommand,
  },
  baseline: {
    summary: "seed first-seen from history so a new deployment starts with what the account already does",
    load: async () => (await import("./commands/baseline.js")).baselineCommand,
  },
  history: {
    summary: "find secret-value retrievals in the whole CloudTrail archive with Athena, reported like replay",
    load: async () => (await import("./commands/history.js")).historyCommand,
  },
  resubscribe: {
    summary: "re-create the stage's email subscriptions that SNS deleted or a recipient cancelled",
    load: async () => (await import("./commands/resubscribe.js")).resubscribeCommand,
  },
};

const VERSION = "0.1.0";

/** The real streams, environment and clock (here rather than in io.ts, which loads the progress bar). */
export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    // Only `replay -` reads it: created on first use (opening it costs start-up time).
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
  };
}

/** `help replay` is `replay --help`: only that command is loaded either way. */
function normalize(argv: readonly string[]): string[] {
  const [first, second, ...rest] = argv;
  if (first === "help" && second !== undefined && Object.hasOwn(COMMANDS, second)) return [second, "--help", ...rest];
  return [...argv];
}

/** The first error commander reports, kept to be printed as one line by {@link main}. */
interface ErrorSink {
  text: string | null;
  command: string;
}

function configure(command: Command, io: Io, sink: ErrorSink, path: string): void {
  command.exitOverride().configureOutput({
    writeOut: (text) => io.stdout.write(text),
    writeErr: (text) => io.stderr.write(text),
    outputError: (text) => {
      sink.text ??= text;
      sink.command = path;
    },
  });
  for (const sub of command.commands) configure(sub, io, sink, `${path} ${sub.name()}`);
}

/**
 * Builds the program: the command `argv` names, fully loaded, and every other one as a name
 * and summary only. Exported for tests that inspect options and help.
 */
export async function createProgram(
  ctx: CommandContext,
  argv: readonly string[] = [],
  sink: ErrorSink = { text: null, command: "secretwatch" },
): Promise<Command> {
  const program = new Command("secretwatch")
    .description("Know who read which secret in an AWS account.")
    .version(VERSION)
    .helpCommand("help [command]", "show the help of a command");
  const named = argv[0];
  for (const [name, entry] of Object.entries(COMMANDS)) {
    const command = name === named ? (await entry.load())(ctx) : new Command(name);
    program.addCommand(command.summary(entry.summary));
  }
  configure(program, ctx.io, sink, "secretwatch");
  return program;
}

/** One line for a commander error: `unknown option '--x' (Did you mean --y?); see secretwatch replay --help`. */
function commanderLine(sink: ErrorSink, error: CommanderError): string {
  const text = (sink.text ?? error.message)
    .replace(/^error: /, "")
    .replace(/\s*\n\s*/g, " ")
    .trim()
    .replace(/\.$/, "");
  return `${text}; see ${sink.command} --help`;
}

/** Runs the CLI with `argv` (without node and script) and resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let exitCode: number = EXIT.ok;
  const ctx: CommandContext = { io, setExitCode: (code) => (exitCode = Math.max(exitCode, code)) };
  const sink: ErrorSink = { text: null, command: "secretwatch" };
  const args = normalize(argv);
  try {
    const program = await createProgram(ctx, args, sink);
    await program.parseAsync(args, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; help shown for a missing command is a usage error.
      if (error.exitCode === 0) return EXIT.ok;
      if (sink.text !== null) io.stderr.write(`secretwatch: ${commanderLine(sink, error)}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`secretwatch: ${describeError(error)}\n`);
    if (io.env.SECRETWATCH_DEBUG && error instanceof Error) io.stderr.write(`${error.stack}\n`);
    return exitCodeOf(error);
  }
  return exitCode;
}
