/**
 * How SST 4.17.1 itself loads `.env` and `.env.<stage>`: runs the real `sst` binary (the npm
 * package `sst-<platform>-<arch>`) on an app directory whose sst.config.ts `app()` writes down
 * the variables it sees, then compares them with mergeStageEnv, the rule the CLI and the
 * harness use. `sst install` evaluates `app()` before anything else and needs no network for
 * that; the probe's `app()` then throws to stop it.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mergeStageEnv } from "../../packages/core/src/stage-env";

const require = createRequire(import.meta.url);
const sstBinary = require.resolve(`sst-${process.platform}-${process.arch}/bin/sst`);
const sstPackage = path.join(path.dirname(sstBinary), "..", "package.json");
const sstVersion = (JSON.parse(fs.readFileSync(sstPackage, "utf8")) as { version: string }).version;

const PROBE = `export default $config({
  app() {
    const fs = require("node:fs");
    const seen = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("SWPROBE_")));
    fs.writeFileSync(process.env.PROBE_OUT, JSON.stringify(seen));
    throw new Error("probe done");
  },
  async run() {},
});
`;

const dotenv = [
  "SWPROBE_ALL=from-dotenv",
  "SWPROBE_DOTENV_STAGE=from-dotenv",
  "SWPROBE_DOTENV_PROCESS=from-dotenv",
  "SWPROBE_DOTENV_ONLY=from-dotenv",
  "SWPROBE_EMPTY_IN_PROCESS=from-dotenv",
  "# syntax as users write it",
  'SWPROBE_QUOTED="quoted value"',
  "SWPROBE_SINGLE='single'",
  "SWPROBE_COMMENTED=value # a comment",
  "export SWPROBE_EXPORTED=exported",
  "SWPROBE_SPACED =  spaced  ",
].join("\n");
const stageFile = [
  "SWPROBE_ALL=from-stage-file",
  "SWPROBE_DOTENV_STAGE=from-stage-file",
  "SWPROBE_STAGE_PROCESS=from-stage-file",
  "SWPROBE_STAGE_ONLY=from-stage-file",
  "SWPROBE_EMPTY_IN_STAGE_FILE=",
].join("\n");
const processEnv = {
  SWPROBE_ALL: "from-process",
  SWPROBE_DOTENV_PROCESS: "from-process",
  SWPROBE_STAGE_PROCESS: "from-process",
  SWPROBE_PROCESS_ONLY: "from-process",
  SWPROBE_EMPTY_IN_PROCESS: "",
  SWPROBE_EMPTY_IN_STAGE_FILE: "from-process",
};

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** An app directory with these files (symlinks allowed: `{ link: target }`). */
function appDir(files: Record<string, string | { link: string }>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "secretwatch-sst-env-"));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    if (typeof content === "string") fs.writeFileSync(path.join(dir, name), content);
    else fs.symlinkSync(content.link, path.join(dir, name));
  }
  return dir;
}

/**
 * Runs `sst install --stage <stage>` in `dir` with `env` added to this environment (minus any
 * SST_ or SECRETWATCH_ variable of the developer's), and returns what the probe's app() wrote.
 */
async function sstApp(dir: string, stage: string, env: Record<string, string>): Promise<unknown> {
  const out = path.join(dir, "seen.json");
  fs.rmSync(out, { force: true });
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(SWPROBE_|SST_|SECRETWATCH_)/.test(k)),
  );
  await new Promise<void>((resolve) => {
    execFile(
      sstBinary,
      ["install", "--stage", stage],
      {
        cwd: dir,
        timeout: 60_000,
        env: {
          ...inherited,
          ...env,
          PROBE_OUT: out,
          SST_SKIP_DEPENDENCY_CHECK: "1",
          SST_NO_BUN: "1",
          SST_TELEMETRY_DISABLED: "1",
        },
      },
      // The probe stops SST with an error once app() has run: only its output counts.
      () => resolve(),
    );
  });
  return JSON.parse(fs.readFileSync(out, "utf8"));
}

let seen: Record<string, string>;

beforeAll(async () => {
  const dir = appDir({ "sst.config.ts": PROBE, ".env": dotenv, ".env.probe": stageFile });
  seen = (await sstApp(dir, "probe", processEnv)) as Record<string, string>;
});

describe(`SST ${sstVersion} loads the env files`, () => {
  it("is the pinned SST", () => {
    expect(sstVersion).toBe("4.17.1");
  });

  it("with the stage file over the process environment over .env", () => {
    expect(seen).toMatchObject({
      SWPROBE_ALL: "from-stage-file",
      SWPROBE_DOTENV_STAGE: "from-stage-file",
      SWPROBE_STAGE_PROCESS: "from-stage-file",
      SWPROBE_DOTENV_PROCESS: "from-process",
      SWPROBE_DOTENV_ONLY: "from-dotenv",
      SWPROBE_STAGE_ONLY: "from-stage-file",
      SWPROBE_PROCESS_ONLY: "from-process",
      SWPROBE_EMPTY_IN_PROCESS: "",
      SWPROBE_EMPTY_IN_STAGE_FILE: "",
    });
  });

  it("exactly as mergeStageEnv merges them, syntax included", () => {
    const { env } = mergeStageEnv({ dotenv, stageFile }, processEnv);
    const ours = Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith("SWPROBE_")));
    expect(ours).toEqual(seen);
    expect(Object.keys(seen)).toHaveLength(14);
  });
});

/**
 * This app's own `app()` under SST itself: the real sst.config.ts (and the stacks and packages
 * it imports, linked into the app directory), called by a wrapper config that writes down what
 * it returned. Proves the protection rule with SST's own env loading and bundling.
 */
describe("sst.config.ts app() under SST itself", () => {
  const repo = path.resolve(__dirname, "../..");
  const WRAPPER = `export default $config({
  async app(input) {
    const real = (await import("./real.config.ts")).default;
    const fs = await import("node:fs");
    fs.writeFileSync(process.env.PROBE_OUT, JSON.stringify(await real.app(input)));
    throw new Error("probe done");
  },
  async run() {},
});
`;
  const app = (files: Record<string, string>) =>
    appDir({
      "sst.config.ts": WRAPPER,
      "real.config.ts": { link: path.join(repo, "sst.config.ts") },
      stacks: { link: path.join(repo, "stacks") },
      packages: { link: path.join(repo, "packages") },
      node_modules: { link: path.join(repo, "node_modules") },
      ...files,
    });
  const P = "SECRETWATCH_PRODUCTION";

  it.each<[string, string, Record<string, string>, Record<string, string>, boolean]>([
    ["false in .env", "prod", { ".env": `${P}=false\n` }, {}, true],
    ["false in the environment", "prod", {}, { [P]: "false" }, true],
    ["false in .env.prod", "prod", { ".env.prod": `${P}=false\n` }, {}, false],
    ["false in .env.prod, true in the environment", "prod", { ".env.prod": `${P}=false\n` }, { [P]: "true" }, false],
    ["nothing set", "prod", {}, {}, true],
    ["nothing set", "dev", {}, {}, false],
  ])("%s, stage %s", async (_, stage, files, env, production) => {
    expect(await sstApp(app(files), stage, env)).toEqual({
      name: "secretwatch",
      home: "aws",
      removal: production ? "retain" : "remove",
      protect: production,
    });
  });
});
