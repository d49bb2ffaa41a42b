/**
 * Hostile records for the HTML report: every string a caller chooses (user agent, role
 * session name, the secret ID it asks for, the error it provokes) carries markup that would run
 * script if the report ever parsed it as HTML. Each payload sets `window.__pwned` or opens a
 * dialog, so a browser test can see that none ran. Built on a real record shape from
 * tests/fixtures/cloudtrail/triage.json, plus the committed hostile.json fixture.
 */
import { readFileSync } from "node:fs";
import type { CloudTrailRecord } from "../../../packages/core/src/types.js";
import { type Assessed, assess } from "./hits.js";

const FIXTURES = new URL("../../fixtures/cloudtrail/", import.meta.url).pathname;
const load = (name: string) => JSON.parse(readFileSync(`${FIXTURES}${name}.json`, "utf8")) as CloudTrailRecord[];

/** Strings that run script if parsed as HTML (in text, in an attribute, or by ending the data block). */
export const PAYLOADS = {
  script: `<script>window.__pwned="ua"</script>`,
  img: `"><img src=x onerror="window.__pwned='img';alert(1)">`,
  endData: `</script><script>window.__pwned="secret"</script><!--`,
  session: `a"b'c<svg onload="window.__pwned='svg'">`,
  separators: "x\u2028</SCRIPT >\u2029<!-- y",
  error: `<iframe srcdoc="<script>parent.__pwned='iframe'</script>">`,
} as const;

function hostileRecords(): CloudTrailRecord[] {
  const template = load("triage").find((r) => (r.userIdentity as { type?: string }).type === "AssumedRole");
  if (!template) throw new Error("triage.json has no AssumedRole record");
  const rec = (i: number, patch: (r: any) => void): CloudTrailRecord => {
    const r = structuredClone(template) as any;
    r.eventID = `4a11c0de-0000-4000-8000-00000000000${i}`;
    r.eventTime = `2024-05-14T1${i}:00:00Z`;
    r.sourceIPAddress = "203.0.113.7";
    delete r.vpcEndpointId;
    patch(r);
    return r;
  };
  return [
    rec(0, (r) => {
      r.userAgent = PAYLOADS.script;
    }),
    rec(1, (r) => {
      r.userAgent = PAYLOADS.img;
      r.requestParameters.secretId = PAYLOADS.img;
    }),
    rec(2, (r) => {
      r.requestParameters.secretId = PAYLOADS.endData;
    }),
    rec(3, (r) => {
      r.userIdentity.arn = `arn:aws:sts::111122223333:assumed-role/payments-api/${PAYLOADS.session}`;
      r.userIdentity.principalId = `AROAQXZ5EXAMPLEROLE01:${PAYLOADS.session}`;
      r.userAgent = PAYLOADS.separators;
    }),
    rec(4, (r) => {
      r.errorCode = "AccessDenied";
      r.errorMessage = PAYLOADS.error;
      r.requestParameters.secretId = PAYLOADS.error;
    }),
  ];
}

/** The hostile records assessed with the default policy, and the committed hostile.json fixture's. */
export function hostileHits(): Promise<Assessed> {
  return assess([hostileRecords(), load("hostile")], null, new Date("2024-08-01T00:00:00Z"));
}
