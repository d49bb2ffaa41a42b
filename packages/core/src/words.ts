/**
 * Plain words for alerts: plurals, and names a person understands for the identity types
 * CloudTrail records and the address ranges ipaddr.js reports.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 * @see https://github.com/whitequark/ipaddr.js#readme (range names)
 */

/** `1 secret`, `3 secrets`, `2 identical calls`; `many` for irregular plurals. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** `userIdentity.type` in words. */
const IDENTITY_TYPES: Readonly<Record<string, string>> = {
  AssumedRole: "role session",
  IAMUser: "IAM user",
  Root: "root user",
  FederatedUser: "federated user session",
  AWSService: "AWS service",
  AWSAccount: "principal of another AWS account",
  IdentityCenterUser: "IAM Identity Center user",
  SAMLUser: "SAML user",
  WebIdentityUser: "web identity user",
  Unknown: "unknown kind of principal",
};

/** `role session` for `AssumedRole` and so on; null for a type CloudTrail does not document. */
export function identityTypeName(type: string): string | null {
  return Object.hasOwn(IDENTITY_TYPES, type) ? (IDENTITY_TYPES[type] ?? null) : null;
}

/** ipaddr.js range names (IPv4 and IPv6) in words. */
const RANGES: Readonly<Record<string, string>> = {
  unicast: "public internet address",
  private: "private network address (RFC 1918)",
  uniqueLocal: "private IPv6 address",
  loopback: "loopback address (the machine itself)",
  linkLocal: "link-local address (the local network segment only)",
  carrierGradeNat: "shared address space (carrier-grade NAT)",
  reserved: "reserved address range (documentation or test range)",
  unspecified: "unspecified address (no address)",
  broadcast: "broadcast address",
  multicast: "multicast address",
  as112: "AS112 DNS sink address",
  as112v6: "AS112 DNS sink address",
  amt: "multicast tunnel relay address (AMT)",
  ipv4Mapped: "IPv4 address written as IPv6",
  rfc6145: "IPv4-translated IPv6 address",
  rfc6052: "IPv4 address embedded in IPv6 (NAT64)",
  "6to4": "6to4 tunnel address",
  teredo: "Teredo tunnel address",
  benchmarking: "benchmarking test address",
  discard: "discard-only IPv6 address",
  deprecatedSiteLocal: "old site-local IPv6 address (deprecated)",
  deprecatedOrchid: "ORCHID identifier (not routable)",
  orchid2: "ORCHID identifier (not routable)",
  droneRemoteIdProtocolEntityTags: "drone remote ID tag (not routable)",
  segmentRouting: "segment routing address (SRv6)",
};

/** `public internet address` for `unicast` and so on; null for a name ipaddr.js does not give. */
export function rangeName(range: string): string | null {
  return Object.hasOwn(RANGES, range) ? (RANGES[range] ?? null) : null;
}
