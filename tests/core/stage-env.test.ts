/**
 * The one merge rule for `.env`, the process environment and `.env.<stage>` (SST 4.17.1's
 * order; tests/stacks/sst-env-order.test.ts checks it against SST's own binary).
 */
import { describe, expect, it } from "vitest";
import { type EnvSource, mergeStageEnv, stageEnvFile } from "../../packages/core/src/stage-env.js";

describe("mergeStageEnv", () => {
  const files = { dotenv: "V=dotenv\n", stageFile: "V=stage\n" };

  it.each<[string, { dotenv?: string; stageFile?: string }, Record<string, string>, string, EnvSource]>([
    [".env alone", { dotenv: files.dotenv }, {}, "dotenv", "dotenv"],
    ["the process alone", {}, { V: "process" }, "process", "process"],
    [".env.<stage> alone", { stageFile: files.stageFile }, {}, "stage", "stage-file"],
    ["the process over .env", { dotenv: files.dotenv }, { V: "process" }, "process", "process"],
    [".env.<stage> over .env", files, {}, "stage", "stage-file"],
    [".env.<stage> over the process", { stageFile: files.stageFile }, { V: "process" }, "stage", "stage-file"],
    [".env.<stage> over both", files, { V: "process" }, "stage", "stage-file"],
    ["a variable set empty in the process over .env", { dotenv: files.dotenv }, { V: "" }, "", "process"],
  ])("%s", (_, given, processEnv, value, source) => {
    const merged = mergeStageEnv(given, processEnv);
    expect(merged.env.V).toBe(value);
    expect(merged.source.V).toBe(source);
  });

  it("keeps every variable of every layer, and none that is unset", () => {
    const merged = mergeStageEnv(
      { dotenv: "A=1\nB=1\n", stageFile: "C=3\n" },
      { B: "2", UNSET: undefined, PATH: "/bin" },
    );
    expect(merged.env).toEqual({ A: "1", B: "2", C: "3", PATH: "/bin" });
    expect(merged.source).toEqual({ A: "dotenv", B: "process", C: "stage-file", PATH: "process" });
  });

  it("reads the dotenv syntax SST accepts: comments, quotes, export, spaces", () => {
    const text = [
      "# a comment",
      'Q="quoted value"',
      "S='single'",
      "C=value # inline comment",
      "export E=exported",
      "SP =  spaced  ",
      "EMPTY=",
    ].join("\n");
    expect(mergeStageEnv({ stageFile: text }, {}).env).toEqual({
      Q: "quoted value",
      S: "single",
      C: "value",
      E: "exported",
      SP: "spaced",
      EMPTY: "",
    });
  });

  it("names the stage file", () => {
    expect(stageEnvFile("prod")).toBe(".env.prod");
  });
});
