/**
 * Where a call came from: an IP address (with its ipaddr.js range), `AWS Internal`, an AWS
 * service host name, or unknown; plus the VPC endpoint it went through.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
import ipaddr from "ipaddr.js";
import { stringOrNull } from "./decode.js";
import type { CloudTrailRecord, SecretAccess, Source } from "./types.js";

const AWS_INTERNAL = "AWS Internal";
/** A service principal host such as `lambda.amazonaws.com` (China: `.amazonaws.com.cn`). */
const SERVICE_HOST = /^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?$/i;
/**
 * Dotted-quad IPv4, read as decimal. Anonymised records hold octets like `045` or `08`:
 * ipaddr.js would read those as octal (or refuse them), and it also accepts `1.2.3` or a bare
 * number, which are not what CloudTrail writes.
 */
const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

type Address = Pick<Source, "kind" | "ip" | "ipVersion" | "range" | "service">;

const UNKNOWN: Address = { kind: "unknown", ip: null, ipVersion: null, range: null, service: null };

function ipv4(text: string): Address | null {
  const match = DOTTED_QUAD.exec(text);
  if (!match) return null;
  const octets = match.slice(1).map((octet) => Number.parseInt(octet, 10));
  if (octets.some((octet) => octet > 255)) return null;
  const range = ipaddr.fromByteArray(octets).range();
  return { kind: "ip", ip: text, ipVersion: 4, range, service: null };
}

function ipv6(text: string): Address | null {
  if (!text.includes(":") || !ipaddr.IPv6.isValid(text)) return null;
  return { kind: "ip", ip: text, ipVersion: 6, range: ipaddr.IPv6.parse(text).range(), service: null };
}

/** Addresses classified so far (a batch repeats a few NAT, VPC and service addresses); never changed once made. */
const classified = new Map<string, Address>();
const MAX_CACHED_ADDRESSES = 4096;

function classify(raw: string | null): Address {
  if (raw === null) return UNKNOWN;
  let address = classified.get(raw);
  if (address === undefined) {
    address = classifyText(raw);
    if (classified.size >= MAX_CACHED_ADDRESSES) classified.clear();
    classified.set(raw, address);
  }
  return address;
}

function classifyText(raw: string): Address {
  if (raw === AWS_INTERNAL) return { ...UNKNOWN, kind: "aws-internal" };
  const ip = ipv4(raw) ?? ipv6(raw);
  if (ip !== null) return ip;
  if (SERVICE_HOST.test(raw)) return { ...UNKNOWN, kind: "aws-service", service: raw };
  return UNKNOWN;
}

/**
 * Classifies `sourceIPAddress` and copies `vpcEndpointId` / `vpcEndpointAccountId`. Addresses
 * are not rejected for looking odd (anonymised fixtures use reserved space); `range` is the
 * ipaddr.js range name as-is (`unicast`, `private`, `reserved`, `uniqueLocal`…).
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/vpc-endpoint-overview.html
 */
export function sourceOf(record: CloudTrailRecord): Source {
  const raw = stringOrNull(record.sourceIPAddress);
  const address = classify(raw);
  // Field by field, not a spread into the middle of a literal (V8 copies those one by one, per read).
  return {
    raw,
    kind: address.kind,
    ip: address.ip,
    ipVersion: address.ipVersion,
    range: address.range,
    service: address.service,
    vpcEndpointId: stringOrNull(record.vpcEndpointId),
    vpcEndpointAccountId: stringOrNull(record.vpcEndpointAccountId),
  };
}

/**
 * The call came through a VPC endpoint that CloudTrail says belongs to an account other than
 * the secret's (`recipientAccountId`) and the caller's. A private address is no sign of the
 * account's own network: anyone can make a VPC with any address range and an endpoint in it.
 * Null-safe: a record without `vpcEndpointAccountId` (older ones) is not foreign.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
export function viaOtherAccountsEndpoint(hit: SecretAccess): boolean {
  const owner = hit.source.vpcEndpointAccountId;
  if (!hit.source.vpcEndpointId || owner === null || owner === "") return false;
  return owner !== hit.recipientAccountId && owner !== hit.identity.accountId;
}
