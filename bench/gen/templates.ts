/**
 * Real captured records (Stratus Red Team detonations, hand-written policy traps) reused as
 * templates: each use keeps the record's real shape (request and response fields, errors,
 * resources) and gets a new account, Region, caller, time, addresses and IDs.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Rng } from "../lib/prng.js";
import { buildRecord, type CallContext, type Json, type JsonObject } from "./record.js";

const FIXTURES = path.resolve(import.meta.dirname, "../../tests/fixtures/cloudtrail");
/** Template files; their secret-value retrievals are left out (the corpus adds its own). */
const FILES = ["stratus-other-techniques.json", "stratus-secretsmanager.json", "policy-traps.json"];
const SECRET_VALUE = new Set(["GetSecretValue", "BatchGetSecretValue"]);

let cache: JsonObject[] | undefined;

export function templates(): JsonObject[] {
  cache ??= FILES.flatMap((file) => JSON.parse(readFileSync(path.join(FIXTURES, file), "utf8")) as JsonObject[]).filter(
    (r) => !(r.eventSource === "secretsmanager.amazonaws.com" && SECRET_VALUE.has(String(r.eventName))),
  );
  return cache;
}

/** Deep copy of `value` with every string passed through `edit`. */
function rewrite(value: Json | undefined, edit: (s: string) => string): Json | undefined {
  if (typeof value === "string") return edit(value);
  if (Array.isArray(value)) return value.map((v) => rewrite(v, edit) ?? null);
  if (value && typeof value === "object") {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = rewrite(v, edit);
    return out;
  }
  return value;
}

function editor(rng: Rng, template: JsonObject, ctx: CallContext): (s: string) => string {
  const region = String(template.awsRegion);
  const name = `${ctx.account.name}-${rng.pick(["ops", "audit", "migration", "sandbox"])}-${rng.hex(4)}`;
  return (s) =>
    s
      .replaceAll(region, ctx.region)
      .replace(/\b\d{12}\b/g, ctx.account.id)
      .replaceAll("stratus-red-team", name)
      .replace(/\bi-[0-9a-z]{16,17}\b/g, () => `i-0${rng.hex(16)}`);
}

let byEvent: JsonObject[][] | undefined;

/** One record from a random template (each distinct event equally likely), made to belong to `ctx`. */
export function templateRecord(ctx: CallContext): JsonObject {
  if (!byEvent) {
    const groups = new Map<string, JsonObject[]>();
    for (const r of templates()) {
      const key = `${r.eventSource} ${r.eventName}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    byEvent = [...groups.values()];
  }
  const t = ctx.rng.pick(ctx.rng.pick(byEvent));
  const edit = editor(ctx.rng, t, ctx);
  const eventSource = String(t.eventSource);
  const service = eventSource.replace(/\.amazonaws\.com$/, "");
  const global = service === "iam" || service === "signin";
  const errorCode = typeof t.errorCode === "string" ? t.errorCode : undefined;
  const errorMessage = typeof t.errorMessage === "string" ? edit(t.errorMessage) : undefined;
  const record = buildRecord(
    ctx,
    {
      service,
      name: String(t.eventName),
      readOnly: t.readOnly === true,
      requestParameters: rewrite(t.requestParameters, edit) ?? null,
      responseElements: rewrite(t.responseElements, edit) ?? null,
      ...(t.additionalEventData !== undefined && {
        additionalEventData: rewrite(t.additionalEventData, edit) as JsonObject,
      }),
      ...(Array.isArray(t.resources) && { resources: rewrite(t.resources, edit) as JsonObject[] }),
      ...(errorCode && { error: { code: errorCode, ...(errorMessage && { message: errorMessage }) } }),
      ...(global && { host: service === "iam" ? "iam.amazonaws.com" : "signin.aws.amazon.com" }),
      ...(service === "iam" && { region: "us-east-1" }),
    },
    { eventType: String(t.eventType ?? "AwsApiCall"), eventVersion: String(t.eventVersion ?? "1.09") },
  );
  record.eventSource = eventSource;
  return record;
}
