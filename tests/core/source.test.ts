import { describe, expect, it } from "vitest";
import { sourceOf } from "../../packages/core/src/source.js";
import type { CloudTrailRecord, Source } from "../../packages/core/src/types.js";
import { cloudTrailFixture } from "../helpers/fixtures.js";

const fixture = (name: string) => cloudTrailFixture<CloudTrailRecord>(name);

const withSource = (sourceIPAddress: unknown, extra: Record<string, unknown> = {}): CloudTrailRecord => ({
  eventSource: "secretsmanager.amazonaws.com",
  eventName: "GetSecretValue",
  eventID: "e",
  sourceIPAddress: sourceIPAddress as string,
  ...extra,
});

type Address = Pick<Source, "kind" | "ip" | "ipVersion" | "range" | "service">;
const ip = (address: string, ipVersion: 4 | 6, range: string): Address => ({
  kind: "ip",
  ip: address,
  ipVersion,
  range,
  service: null,
});
const other = (kind: Source["kind"], service: string | null = null): Address => ({
  kind,
  ip: null,
  ipVersion: null,
  range: null,
  service,
});

describe("sourceOf classifies sourceIPAddress", () => {
  it.each<[string, unknown, Address]>([
    ["public IPv4", "81.2.69.160", ip("81.2.69.160", 4, "unicast")],
    ["private IPv4", "10.0.12.34", ip("10.0.12.34", 4, "private")],
    ["private IPv4 (172.16/12)", "172.31.5.10", ip("172.31.5.10", 4, "private")],
    ["loopback", "127.0.0.1", ip("127.0.0.1", 4, "loopback")],
    ["carrier-grade NAT", "100.64.1.1", ip("100.64.1.1", 4, "carrierGradeNat")],
    ["anonymised, in reserved space", "253.201.144.253", ip("253.201.144.253", 4, "reserved")],
    ["anonymised, leading zero read as decimal", "251.234.045.249", ip("251.234.045.249", 4, "reserved")],
    ["anonymised, leading zero that is not octal", "08.1.250.216", ip("08.1.250.216", 4, "unicast")],
    ["global IPv6", "2a02:c7c:a0d8:c00:9d24:2e55:7a3b:f1e9", ip("2a02:c7c:a0d8:c00:9d24:2e55:7a3b:f1e9", 6, "unicast")],
    ["unique-local IPv6", "fd12:3456:789a:1::10", ip("fd12:3456:789a:1::10", 6, "uniqueLocal")],
    ["link-local IPv6 with zone", "fe80::1%eth0", ip("fe80::1%eth0", 6, "linkLocal")],
    ["IPv4-mapped IPv6", "::ffff:10.0.0.1", ip("::ffff:10.0.0.1", 6, "ipv4Mapped")],
    ["IPv6 loopback", "::1", ip("::1", 6, "loopback")],
    ["AWS Internal", "AWS Internal", other("aws-internal")],
    ["a service host", "lambda.amazonaws.com", other("aws-service", "lambda.amazonaws.com")],
    ["a hyphenated service host", "ecs-tasks.amazonaws.com", other("aws-service", "ecs-tasks.amazonaws.com")],
    ["a China service host", "lambda.amazonaws.com.cn", other("aws-service", "lambda.amazonaws.com.cn")],
    ["a look-alike host", "lambda.amazonaws.com.attacker.example", other("unknown")],
    ["a bare domain", "amazonaws.com", other("unknown")],
    ["wrong case of AWS Internal", "aws internal", other("unknown")],
    ["three-part IPv4 (ipaddr.js would accept it)", "1.2.3", other("unknown")],
    ["a bare number (ipaddr.js would accept it)", "3232235777", other("unknown")],
    ["an octet above 255", "256.1.1.1", other("unknown")],
    ["hex IPv4", "0x7f.0.0.1", other("unknown")],
    ["address with a port", "81.2.69.160:443", other("unknown")],
    ["empty string", "", other("unknown")],
    ["a number", 12345, other("unknown")],
    ["missing", undefined, other("unknown")],
  ])("%s", (_case, raw, expected) => {
    const source = sourceOf(withSource(raw));
    expect(source).toEqual({
      raw: typeof raw === "string" ? raw : null,
      ...expected,
      vpcEndpointId: null,
      vpcEndpointAccountId: null,
    });
  });

  it("copies the VPC endpoint fields when they are strings", () => {
    const source = sourceOf(
      withSource("10.0.12.34", { vpcEndpointId: "vpce-0a1b2c3d4e5f67890", vpcEndpointAccountId: 1 }),
    );
    expect(source).toMatchObject({ vpcEndpointId: "vpce-0a1b2c3d4e5f67890", vpcEndpointAccountId: null });
  });

  it("never rejects the odd-looking addresses of the anonymised real records", () => {
    const records = [...fixture("stratus-secretsmanager"), ...fixture("stratus-other-techniques")];
    const sources = records.map(sourceOf);
    expect(sources.every((s) => s.kind === "ip" && s.ipVersion === 4 && s.ip === s.raw)).toBe(true);
  });
});
