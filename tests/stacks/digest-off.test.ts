/**
 * Scenario: SECRETWATCH_DIGEST=off. The digest is the only place reads below the policy's
 * `notify` appear, so `off` is refused, before any resource is declared, unless `notify` is
 * `info`; then no digest resource exists. `sst remove` (which reads no policy) never refuses.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { SETTING_NAMES } from "../../packages/core/src/settings";
import { policyFile } from "./harness/policy-file";
import { recorded } from "./harness/recorder";
import { type RunOptions, runApp } from "./harness/sst-globals";

// Stack modules throw while they load; give each run fresh modules.
beforeEach(() => {
  vi.resetModules();
});

const off = { alertEmails: "security@example.com", digest: "off" };
const notify = (severity: string) => policyFile(`notify-${severity}.policy.yaml`, `version: 1\nnotify: ${severity}\n`);

/** The resources one run declares (custom resources only). */
async function declared(options: RunOptions) {
  const before = recorded.length;
  const result = await runApp(options);
  return { result, resources: recorded.slice(before).filter((r) => r.custom) };
}

describe("SECRETWATCH_DIGEST=off", () => {
  it.each(["medium (the default)", "low", "high"])(
    "is refused when notify is %s, naming both settings",
    async (level) => {
      const severity = level.split(" ")[0]!;
      const before = recorded.filter((r) => r.custom).length;
      const options = {
        stage: "dev",
        env: off,
        ...(level === "medium (the default)" ? {} : { policyFile: notify(severity) }),
      };
      const error = await runApp(options).then(
        () => expect.fail("the deploy should have been refused"),
        (e: unknown) => e as Error & { setting?: string },
      );
      expect(error.name).toBe("SettingsError");
      expect(error.setting).toBe(SETTING_NAMES.digest);
      expect(error.message).toContain(`${SETTING_NAMES.digest}=off is refused`);
      expect(error.message).toContain(`the policy's notify is "${severity}"`);
      expect(recorded.filter((r) => r.custom).length, "resources declared before the refusal").toBe(before);
    },
  );

  it("is accepted when notify is info: no schedule, function, queue, role or alarm of the digest", async () => {
    const { result, resources } = await declared({ stage: "dev", env: off, policyFile: notify("info") });
    expect(resources.map((r) => r.name).filter((n) => /digest/i.test(n))).toEqual([]);
    expect(resources.filter((r) => r.type.startsWith("aws:scheduler/"))).toEqual([]);
    expect(resources.some((r) => r.name === "EnricherFunction")).toBe(true);
    expect(result.outputs.digest).toBe("off");
  });

  it("never stops `sst remove` (which reads no policy)", async () => {
    await expect(runApp({ stage: "dev", env: off, command: "remove" })).resolves.toBeDefined();
  });
});
