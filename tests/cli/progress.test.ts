/**
 * The progress line (progress.ts): drawn on stderr only when stdout is not the same terminal,
 * never `0/0` or a bar while the total is being counted, and gone before the summary. The
 * last test runs the built CLI on a real pseudo-terminal (tmux) and reads the final screen.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { progressLine, progressWanted } from "../../packages/cli/src/progress.js";

describe("the progress line", () => {
  test("while the total is unknown: a count, never 0/0 and never a bar", () => {
    for (const value of [0, 1, 250]) {
      const line = progressLine("replay", value, 0, "files read");
      expect(line).toBe(`replay: ${value} files read (counting...)`);
      expect(line).not.toMatch(/\[|\//);
    }
  });

  test("a bar that is full only when everything is done, never more than full", () => {
    expect(progressLine("replay", 0, 4)).toBe(`replay [${"-".repeat(30)}] 0/4`);
    expect(progressLine("replay", 2, 4)).toBe(`replay [${"#".repeat(15)}${"-".repeat(15)}] 2/4`);
    expect(progressLine("replay", 3, 4)).not.toContain("#".repeat(30));
    expect(progressLine("replay", 4, 4)).toBe(`replay [${"#".repeat(30)}] 4/4`);
    expect(progressLine("replay", 9, 4)).toBe(`replay [${"#".repeat(30)}] 4/4`);
  });

  test("wanted only when stderr is a terminal and stdout is not the same one", () => {
    const tty = { write: () => true, isTTY: true };
    const pipe = { write: () => true, isTTY: false };
    expect(progressWanted({ stdout: pipe, stderr: tty })).toBe(true);
    expect(progressWanted({ stdout: tty, stderr: tty })).toBe(false);
    expect(progressWanted({ stdout: tty, stderr: pipe })).toBe(false);
    expect(progressWanted({ stdout: pipe, stderr: pipe })).toBe(false);
  });
});

const hasTmux = spawnSync("tmux", ["-V"]).status === 0;
const work = mkdtempSync(path.join(tmpdir(), "secretwatch-pty-"));
const socket = path.join(work, "tmux.sock");
afterAll(() => {
  spawnSync("tmux", ["-S", socket, "kill-server"]);
  rmSync(work, { recursive: true, force: true });
});

const tmux = (...args: string[]) => execFileSync("tmux", ["-S", socket, ...args], { encoding: "utf8" });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `shell` in a 100 x 40 tmux pane and returns every byte written to the terminal and
 * the final screen once it printed the end marker.
 */
async function onTerminal(name: string, shell: string): Promise<{ raw: string; screen: string }> {
  const raw = path.join(work, `${name}.raw`);
  const ready = path.join(work, `${name}.ready`);
  const script = `while [ ! -e '${ready}' ]; do sleep 0.05; done; ${shell}; echo __END__; sleep 60`;
  tmux("new-session", "-d", "-x", "100", "-y", "40", "-s", name, "sh", "-c", script);
  tmux("pipe-pane", "-t", name, "-o", `cat >> '${raw}'`);
  execFileSync("touch", [ready]);
  for (let i = 0; i < 600; i++) {
    // The whole history of the pane, wrapped lines joined: what a person scrolling back sees.
    const screen = tmux("capture-pane", "-p", "-J", "-S", "-", "-t", name);
    if (screen.includes("__END__")) {
      await sleep(200); // pipe-pane copies asynchronously
      tmux("kill-session", "-t", name);
      return { raw: existsSync(raw) ? readFileSync(raw, "latin1") : "", screen };
    }
    await sleep(100);
  }
  throw new Error(`${name}: the command did not finish on the terminal`);
}

const BAR = /\[[#-]{30}\]/;
const ZERO_OF_ZERO = /(^|[^0-9])0\/0/;

describe.skipIf(!hasTmux)("on a real terminal (tmux)", () => {
  const bin = path.resolve("packages/cli/bin/secretwatch.js");
  const node = process.execPath;
  const fixtures = path.resolve("tests/fixtures/cloudtrail");

  test("stdout to a file: the line is drawn on the terminal, then gone before the summary", async () => {
    const out = path.join(work, "out.ndjson");
    const { raw, screen } = await onTerminal(
      "redirected",
      `'${node}' '${bin}' replay '${fixtures}' --format json --workers 1 > '${out}'`,
    );
    expect(raw).toMatch(/replay(: \d+ files read \(counting\.\.\.\)| \[[#-]{30}\] \d+\/\d+)/); // it was drawn
    expect(raw).not.toMatch(ZERO_OF_ZERO);
    const lines = screen.split("\n");
    const summary = lines.findIndex((l) => /^replay: \d+ files \(/.test(l));
    expect(summary).toBeGreaterThanOrEqual(0);
    expect(screen).not.toMatch(BAR);
    expect(screen).not.toContain("counting...");
    expect(lines.slice(0, summary).join("\n").trim()).toBe(""); // nothing left above the summary
    expect(readFileSync(out, "utf8").split("\n").filter(Boolean).length).toBeGreaterThan(10);
  });

  test("stdout on the same terminal: no progress line is ever written", async () => {
    const { raw, screen } = await onTerminal(
      "same",
      `'${node}' '${bin}' replay '${fixtures}' --format json --workers 1`,
    );
    expect(screen).toContain("__END__");
    expect(raw).toContain('"eventID"');
    expect(raw).not.toMatch(BAR);
    expect(raw).not.toContain("counting...");
  });
});

if (!hasTmux) {
  test.skip("on a real terminal: SKIPPED, tmux is not installed (apt-get install tmux)", () => {});
}
