/**
 * Assembles one CloudTrail record in the field order CloudTrail writes to S3, from a call
 * description and the caller's context.
 */
import type { Rng } from "../lib/prng.js";
import { type Principal, userAgent, userIdentity } from "./identity.js";
import type { Account, World } from "./world.js";

export interface CallContext {
  rng: Rng;
  world: World;
  account: Account;
  region: string;
  time: Date;
  principal: Principal;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };
export type JsonObject = { [key: string]: Json | undefined };

export interface CallSpec {
  /** e.g. `sts` (the SDK id, also the first label of the endpoint host). */
  service: string;
  name: string;
  readOnly: boolean;
  requestParameters?: Json;
  responseElements?: Json;
  additionalEventData?: JsonObject;
  resources?: JsonObject[];
  error?: { code: string; message?: string };
  apiVersion?: string;
  sharedEventID?: string;
  /** Endpoint host when it is not `<service>.<region>.amazonaws.com`. */
  host?: string;
  /** Global services (IAM, STS global endpoint) record `us-east-1`. */
  region?: string;
}

/** `2024-07-30T21:31:21Z`: CloudTrail's eventTime, whole seconds. */
export function ctTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

function cliCommand(service: string, name: string): string {
  const base = name.replace(/20\d{6}(v\d)?$/, "");
  return `${service}.${base.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase()}`;
}

export function buildRecord(ctx: CallContext, spec: CallSpec, extra: JsonObject = {}): JsonObject {
  const { rng, principal: p, account } = ctx;
  const region = spec.region ?? ctx.region;
  const { sourceIPAddress, vpcEndpoint } = extra.sourceIPAddress
    ? { sourceIPAddress: extra.sourceIPAddress as string, vpcEndpoint: Boolean(extra.vpcEndpointId) }
    : originOf(ctx);
  const ua = p.service ? p.service : userAgent(p, rng, spec.service, cliCommand(spec.service, spec.name));
  const eventSource = `${spec.service === "monitoring" ? "monitoring" : spec.service}.amazonaws.com`;
  const record: JsonObject = {
    eventVersion: spec.service === "s3" ? "1.10" : "1.09",
    userIdentity: userIdentity(p, account.id, rng, ctx.time) as JsonObject,
    eventTime: ctTime(ctx.time),
    eventSource,
    eventName: spec.name,
    awsRegion: region,
    sourceIPAddress,
    userAgent: ua,
    errorCode: spec.error?.code,
    errorMessage: spec.error?.message,
    requestParameters: spec.requestParameters ?? null,
    responseElements: spec.error ? null : (spec.responseElements ?? null),
    additionalEventData: spec.additionalEventData,
    requestID: rng.uuid(),
    eventID: rng.uuid(),
    readOnly: spec.readOnly,
    resources: spec.resources,
    eventType: "AwsApiCall",
    apiVersion: spec.apiVersion,
    managementEvent: true,
    recipientAccountId: account.id,
    sharedEventID: spec.sharedEventID,
    vpcEndpointId: vpcEndpoint ? account.vpcEndpointId : undefined,
    vpcEndpointAccountId: vpcEndpoint ? account.id : undefined,
    eventCategory: "Management",
    tlsDetails: p.service
      ? undefined
      : {
          tlsVersion: rng.chance(0.8) ? "TLSv1.3" : "TLSv1.2",
          cipherSuite: rng.chance(0.8) ? "TLS_AES_128_GCM_SHA256" : "ECDHE-RSA-AES128-GCM-SHA256",
          clientProvidedHostHeader: spec.host ?? `${spec.service}.${region}.amazonaws.com`,
        },
    sessionCredentialFromConsole: p.sdk === "console" && !p.service ? "true" : undefined,
    ...extra,
  };
  for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
  return record;
}

function originOf(ctx: CallContext): { sourceIPAddress: string; vpcEndpoint: boolean } {
  const p = ctx.principal;
  const rng = ctx.rng;
  if (p.service) return { sourceIPAddress: p.service, vpcEndpoint: false };
  if (p.kind === "sso" || p.kind === "root") {
    const internal = p.sdk === "console" && rng.chance(0.5);
    return { sourceIPAddress: internal ? "AWS Internal" : rng.pick(ctx.world.officeIps), vpcEndpoint: false };
  }
  if ((p.kind === "ecs" || p.kind === "ec2") && rng.chance(0.35)) {
    return { sourceIPAddress: `10.0.${rng.int(0, 63)}.${rng.int(4, 250)}`, vpcEndpoint: true };
  }
  if (p.kind === "iam-user") {
    return { sourceIPAddress: `20.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`, vpcEndpoint: false };
  }
  return { sourceIPAddress: rng.pick(ctx.account.natIps), vpcEndpoint: false };
}
