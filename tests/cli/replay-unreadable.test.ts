/**
 * Replay, like the enricher, reads past a record its enrichment fails on: that read comes out
 * bare (`unreadable-record`, high) and the file's other reads as usual, where the whole file
 * used to be reported unreadable. The failure is made on purpose (`identityOf` throws for the
 * marked record); replay runs in process with one worker, so the mock applies.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_COMPILED_POLICY } from "../../packages/cli/src/assessment.js";
import type { Io } from "../../packages/cli/src/io.js";
import { runReplay } from "../../packages/cli/src/replay/run.js";
import { FAILS_ENRICHMENT } from "../helpers/failing-identity.js";
import { NOW, reads, tempDir } from "./replay-inputs.js";
import { tamperRecords } from "./replay-tamper-cases.js";
import { runCli } from "./run-cli.js";

vi.mock("../../packages/core/src/identity.js", async (original) =>
  (await import("../helpers/failing-identity.js")).identityFailing(original),
);

const dir = tempDir();
afterEach(() => dir.remove());

describe("replay of a file with a record the enrichment fails on", () => {
  it("prints that read bare and high, and every other read of the file", async () => {
    const [first, second] = [reads[0]!, reads[1]!];
    const broken = {
      ...first,
      eventID: "0c1d2e3f-0000-4000-8000-00000000dead",
      userIdentity: { arn: FAILS_ENRICHMENT },
    };
    const file = dir.gzip("AWSLogs/trail.json.gz", { Records: [first, broken, second] });
    let [stdout, stderr] = ["", ""];
    const io: Io = {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
      ...{ env: {}, cwd: dir.root, now: () => NOW },
    };
    const filters = { since: null, until: null, secrets: [], secretParts: [], secretKeys: [], principals: [] };
    await runReplay(
      { io, setExitCode: () => {} },
      {
        ...{ paths: [file], format: "json" as const, workers: 1, publish: null, filters },
        ...{ policy: DEFAULT_COMPILED_POLICY, app: "a", stage: "s", maxTextBytes: 4096 },
      },
    );
    const lines = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { eventID: string; severity: string; reasons: string[]; unreadable?: string });
    expect(lines.map((l) => l.eventID)).toEqual([first.eventID, broken.eventID, second.eventID]);
    const bare = lines[1]!;
    expect(bare).toMatchObject({ severity: "high", unreadable: "TypeError" });
    expect(bare.reasons).toContain("unreadable-record");
    expect(lines[0]!.unreadable).toBeUndefined();
    expect(stderr).not.toContain("unreadable");
  });

  it("with --stage, prints a tamper record the classifier fails on as a bare tamper-unreadable line", async () => {
    const stop = tamperRecords("trail").find((r) => r.eventName === "StopLogging")!;
    const broken = {
      ...stop,
      eventID: "0c1d2e3f-0000-4000-8000-00000000beef",
      userIdentity: { arn: FAILS_ENRICHMENT },
    };
    const file = dir.json("AWSLogs/tamper.json", { Records: [reads[0], broken, stop] });
    const run = await runCli(["replay", "--workers", "1", "--format", "json", "--stage", "dev", file]);
    expect(run.code, run.stderr).toBe(0);
    const tamper = run.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { kind: string; eventID: string; severity: string; reasons: string[] })
      .filter((l) => l.kind === "tamper");
    expect(tamper.map((l) => [l.eventID, l.severity, l.reasons])).toEqual([
      [broken.eventID, "high", ["tamper-unreadable"]],
      [stop.eventID, "critical", ["trail-stopped"]],
    ]);
  });
});
