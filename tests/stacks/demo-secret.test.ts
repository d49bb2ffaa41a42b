/**
 * Scenario: SECRETWATCH_DEMO_SECRET=true on a developer stage creates `TopSecretInfo`, a
 * secret to read and watch the alert arrive.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { demoSecretName } from "../../packages/core/src/naming";
import { named, onlyOfType, secretValue, T } from "./harness/recorder";
import { type RunResult, runApp } from "./harness/sst-globals";

let result: RunResult;
beforeAll(async () => {
  result = await runApp({ stage: "demo", env: { alertEmails: "me@example.com", demoSecret: "true" } });
});

describe("demo secret", () => {
  it("is named <app>-<stage>-TopSecretInfo by naming.ts, and deleted at once on removal", () => {
    const secret = onlyOfType(T.secret);
    expect(secret.name).toBe("TopSecretInfo");
    expect(secret.inputs.name).toBe(demoSecretName({ app: "secretwatch", stage: "demo" }));
    expect(secret.inputs.name).toBe("secretwatch-demo-TopSecretInfo");
    expect(secret.inputs.recoveryWindowInDays).toBe(0);
    expect(result.outputs.demoSecret).toBe("secretwatch-demo-TopSecretInfo");
  });

  it("holds a random value that later deploys do not rotate", () => {
    const version = onlyOfType(T.secretVersion);
    expect(version.inputs.secretId).toBe("TopSecretInfo-id");
    expect(named("TopSecretInfo").type).toBe(T.secret);
    const { secret, value: text } = secretValue(version.inputs.secretString);
    expect(secret).toBe(true);
    const value = JSON.parse(text as string) as { demo: string };
    expect(value.demo).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(version.ignoreChanges).toContain("secretString");
  });

  it("reads of it are what the stack watches: the trail and filters are still there", () => {
    expect(onlyOfType(T.trail).inputs.name).toBe("secretwatch-demo-trail");
    expect(named("SecretAccessMetricFilter").inputs.logGroupName).toBe("/secretwatch/demo/cloudtrail");
  });
});
