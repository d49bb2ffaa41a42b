/**
 * Anchoring of the policy's globs and what each principal and source form matches: a rule for
 * one role never matches a longer-named role, a secret glob never a longer name, ARNs and names
 * are case-sensitive, sso-user rules only Identity Center's own roles, and attacker-chosen
 * fields (session names, user agents) never make a read expected.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
 * @see https://docs.aws.amazon.com/singlesignon/latest/userguide/using-service-linked-roles.html
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { enrichOrBare, enrichRecord } from "../../packages/core/src/enrich.js";
import { DEFAULT_POLICY, type ExpectedRule } from "../../packages/core/src/policy.js";
import { globTest, globToRegExp, PolicyMatcher } from "../../packages/core/src/policy-match.js";
import type { CloudTrailRecord, Identity, SecretAccess } from "../../packages/core/src/types.js";
import { cloudTrailFixture } from "../helpers/fixtures.js";
import { ACCOUNT, anIdentity, aSecretAccess, aSource } from "./builders.js";

const ROLE = `arn:aws:iam::${ACCOUNT}:role`;

/** A session of `role` (its ARN after `role/`) named `session`. */
function roleSession(role: string, session = "i-0abc123"): Identity {
  const name = role.split("/").at(-1)!;
  return anIdentity({
    principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/${session}`,
    principalId: `AROAEXAMPLEROLEID1234:${session}`,
    userName: name,
    roleSessionName: session,
    sessionIssuerArn: `${ROLE}/${role}`,
    sessionIssuerName: name,
  });
}

function awsService(invokedBy: string): Identity {
  return anIdentity({
    type: "AWSService",
    principalArn: null,
    principalId: null,
    userName: null,
    roleSessionName: null,
    sessionIssuerArn: null,
    sessionIssuerName: null,
    sessionIssuerType: null,
    invokedBy,
    accessKeyId: null,
    label: invokedBy,
  });
}

function iamUser(name: string): Identity {
  return anIdentity({
    type: "IAMUser",
    principalArn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
    principalId: "AIDAEXAMPLEUSERID123",
    userName: name,
    roleSessionName: null,
    sessionIssuerArn: null,
    sessionIssuerName: null,
    sessionIssuerType: null,
    accessKeyId: "AKIAEXAMPLEKEY123456",
  });
}

/** The id of the rule that makes `hit` expected under these rules, or null. */
function expectedBy(rules: Omit<ExpectedRule, "id">[], hit: SecretAccess): string | null {
  const expected = rules.map((r, i) => ({ id: `rule-${i}`, ...r }));
  return new PolicyMatcher({ ...DEFAULT_POLICY, expected }).expectedRule(hit)?.id ?? null;
}

const read = (identity: Identity, secretId = "prod/payments/db", overrides: Partial<SecretAccess> = {}) =>
  aSecretAccess({
    identity,
    secretId,
    secretArn: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${secretId}-AbCdEf`,
    ...overrides,
  });

describe("globToRegExp", () => {
  it.each([
    ["prod/payments/*", "prod/payments/db", true],
    ["prod/payments/*", "prod/payments/a/b", true],
    ["prod/payments/*", "prod/paymentsX", false],
    ["prod/payments/*", "xprod/payments/db", false],
    ["prod/db", "prod/db2", false],
    ["prod/db", "my-prod/db", false],
    ["prod/d?", "prod/db", true],
    ["prod/d?", "prod/dbx", false],
    ["a.b", "aXb", false],
    ["a+b", "aab", false],
    ["Prod/db", "prod/db", false],
    ["*", "anything/at:all", true],
  ])("%s ~ %s: %s", (glob, text, matches) => {
    expect(globToRegExp(glob).test(text)).toBe(matches);
    // The matcher's test (exact, prefix or pattern, by the glob's shape) answers the same.
    expect(globTest(glob)(text)).toBe(matches);
  });

  it("globTest's plain-string shortcuts agree with the pattern on any glob and text", () => {
    const piece = fc.constantFrom("a", "b", "/", ".", "*", "?", "+", "\n", "A");
    const glob = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(""));
    const text = fc.array(fc.constantFrom("a", "b", "/", ".", "+", "\n", "A", "ab"), { maxLength: 8 });
    fc.assert(
      fc.property(glob, text, (g, parts) => {
        const t = parts.join("");
        for (const flags of ["", "i"]) expect(globTest(g, flags)(t)).toBe(globToRegExp(g, flags).test(t));
        // Texts that start with the glob's literal part exercise the prefix shortcut.
        const literal = g.replace(/[*?]/g, "");
        expect(globTest(g)(literal + t)).toBe(globToRegExp(g).test(literal + t));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("role rules are anchored on the session issuer", () => {
  const rule = { principal: `${ROLE}/payments-api`, secret: "prod/payments/*" };

  it.each([
    ["payments-api", "rule-0"],
    ["payments-api-evil", null],
    ["evil-payments-api", null],
    ["Payments-API", null],
    ["team/payments-api", null],
  ])("a session of role/%s: %s", (role, expected) => {
    expect(expectedBy([rule], read(roleSession(role)))).toBe(expected);
  });

  it("a role glob matches every session of each role it names, and only in its account", () => {
    const anyPaymentsRole = { principal: `${ROLE}/payments-*`, secret: "prod/payments/*" };
    expect(expectedBy([anyPaymentsRole], read(roleSession("payments-worker", "anything")))).toBe("rule-0");
    const other = roleSession("payments-api");
    other.sessionIssuerArn = "arn:aws:iam::999999999999:role/payments-api";
    expect(expectedBy([rule], read(other))).toBeNull();
  });

  it("the caller-chosen session name, user agent or sourceIdentity never stand in for the role", () => {
    const forged = roleSession("DevOps", "payments-api");
    forged.principalArn = `arn:aws:sts::${ACCOUNT}:assumed-role/payments-api/payments-api`;
    forged.sourceIdentity = `${ROLE}/payments-api`;
    const hit = read(forged, "prod/payments/db", { userAgent: `${ROLE}/payments-api` });
    expect(expectedBy([rule], hit)).toBeNull();
  });

  it("secret globs are anchored and case-sensitive", () => {
    const session = roleSession("payments-api");
    expect(expectedBy([rule], read(session, "prod/paymentsX"))).toBeNull();
    expect(expectedBy([rule], read(session, "Prod/payments/db"))).toBeNull();
    expect(expectedBy([rule], read(session, "staging/prod/payments/db"))).toBeNull();
    expect(expectedBy([rule], read(session, "prod/payments/db"))).toBe("rule-0");
  });

  it("a secret ARN glob matches the read's ARN with or without its random suffix", () => {
    const byArn = {
      principal: `${ROLE}/payments-api`,
      secret: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/db`,
    };
    expect(expectedBy([byArn], read(roleSession("payments-api"), "prod/db"))).toBe("rule-0");
    expect(expectedBy([byArn], read(roleSession("payments-api"), "prod/db2"))).toBeNull();
  });
});

describe("user, root and service rules", () => {
  it("an IAM user rule matches that user only, never a role session", () => {
    const rule = { principal: `arn:aws:iam::${ACCOUNT}:user/bob`, secret: "*" };
    expect(expectedBy([rule], read(iamUser("bob")))).toBe("rule-0");
    expect(expectedBy([rule], read(iamUser("bobby")))).toBeNull();
    expect(expectedBy([rule], read(iamUser("Bob")))).toBeNull();
    expect(expectedBy([rule], read(roleSession("bob", "bob")))).toBeNull();
  });

  it("a service principal rule matches an AWSService identity's invokedBy, anchored", () => {
    const rule = { principal: "lambda.amazonaws.com", secret: "prod/*" };
    expect(expectedBy([rule], read(awsService("lambda.amazonaws.com")))).toBe("rule-0");
    expect(expectedBy([rule], read(awsService("evil-lambda.amazonaws.com")))).toBeNull();
    expect(expectedBy([rule], read(awsService("lambda.amazonaws.com.evil.example")))).toBeNull();
    const viaRole = roleSession("payments-api");
    viaRole.invokedBy = "lambda.amazonaws.com";
    expect(expectedBy([rule], read(viaRole))).toBeNull();
  });

  it("a root rule matches only the root user", () => {
    const rule = { principal: `arn:aws:iam::${ACCOUNT}:root`, secret: "*" };
    const root = anIdentity({
      type: "Root",
      principalArn: `arn:aws:iam::${ACCOUNT}:root`,
      roleSessionName: null,
      sessionIssuerArn: null,
    });
    expect(expectedBy([rule], read(root))).toBe("rule-0");
    expect(expectedBy([rule], read(iamUser("root")))).toBeNull();
  });
});

describe("sso-user rules match only IAM Identity Center's own roles", () => {
  const rule = { principal: "sso-user:alice@example.com", secret: "prod/*" };
  const sso = (issuer: string, session = "alice@example.com") => {
    const identity = roleSession("x", session);
    identity.sessionIssuerArn = issuer;
    return identity;
  };

  it.each([
    [`${ROLE}/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef`, "rule-0"],
    [`${ROLE}/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef`, "rule-0"],
    [`${ROLE}/AWSReservedSSO_Admin_0123456789abcdef`, null],
    [`${ROLE}/evil/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef`, null],
    [`${ROLE}/aws-reserved/sso.amazonaws.com/NotReserved_Admin`, null],
  ])("a session of %s: %s", (issuer, expected) => {
    expect(expectedBy([rule], read(sso(issuer)))).toBe(expected);
  });

  it("the user name is anchored: alice@example.com is not alice@example.com.evil", () => {
    const issuer = `${ROLE}/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef`;
    expect(expectedBy([rule], read(sso(issuer, "alice@example.com.evil")))).toBeNull();
    expect(expectedBy([rule], read(sso(issuer, "malice@example.com")))).toBeNull();
  });
});

describe("sources", () => {
  const rule = (source: string[]) => [{ principal: `${ROLE}/payments-api`, secret: "prod/*", source }];
  const from = (overrides: Parameters<typeof aSource>[0]) =>
    read(roleSession("payments-api"), "prod/db", { source: aSource(overrides) });
  const ip = (address: string) => from({ raw: address, ip: address, ipVersion: address.includes(":") ? 6 : 4 });

  it.each([
    ["10.20.0.0/16", "10.20.5.6", true],
    ["10.20.0.0/16", "10.21.0.1", false],
    ["10.20.0.0/16", "::ffff:10.20.0.1", true],
    ["192.0.2.10", "192.0.2.10", true],
    ["192.0.2.10", "192.0.2.100", false],
    ["2001:db8::/32", "2001:db8:1::1", true],
    ["2001:db8::/32", "2001:db9::1", false],
    ["2001:db8::/32", "10.20.5.6", false],
  ])("CIDR %s, read from %s: %s", (cidr, address, matches) => {
    expect(expectedBy(rule([cidr]), ip(address)) !== null).toBe(matches);
  });

  it("an address seen through another account's VPC endpoint matches no CIDR, unless networks names that account", () => {
    // Anyone can make a VPC with 10.20.0.0/16 and an endpoint in it: the recorded owner decides.
    const through = (owner: string) =>
      from({ raw: "10.20.5.6", ip: "10.20.5.6", vpcEndpointId: "vpce-0badbadbad0000001", vpcEndpointAccountId: owner });
    const rules = rule(["10.20.0.0/16"]).map((r, i) => ({ id: `rule-${i}`, ...r }));
    const matcher = (networks: string[]) => new PolicyMatcher({ ...DEFAULT_POLICY, expected: rules, networks });
    expect(matcher([]).expectedRule(through(ACCOUNT))?.id).toBe("rule-0");
    expect(matcher([]).expectedRule(through("444455556666"))).toBeNull();
    expect(matcher([]).isForeignEndpoint(through("444455556666"))).toBe(true);
    // A shared-VPC network account listed as the account's own.
    expect(matcher(["444455556666"]).expectedRule(through("444455556666"))?.id).toBe("rule-0");
    expect(matcher(["444455556666"]).isForeignEndpoint(through("444455556666"))).toBe(false);
    // A rule naming the endpoint itself still names it.
    expect(expectedBy(rule(["vpce-0badbadbad0000001"]), through("444455556666"))).toBe("rule-0");
  });

  it("a VPC endpoint ID matches exactly", () => {
    const endpoint = "vpce-0a1b2c3d4e5f67890";
    expect(expectedBy(rule([endpoint]), from({ vpcEndpointId: endpoint }))).toBe("rule-0");
    expect(expectedBy(rule([endpoint]), from({ vpcEndpointId: "vpce-0a1b2c3d4e5f67891" }))).toBeNull();
    expect(expectedBy(rule([endpoint]), from({ vpcEndpointId: null }))).toBeNull();
  });

  it("a service source matches the service the call came through", () => {
    const service = from({
      kind: "aws-service",
      raw: "ecs-tasks.amazonaws.com",
      ip: null,
      service: "ecs-tasks.amazonaws.com",
    });
    expect(expectedBy(rule(["ecs-tasks.amazonaws.com"]), service)).toBe("rule-0");
    expect(expectedBy(rule(["ec2.amazonaws.com"]), service)).toBeNull();
    expect(expectedBy(rule(["ecs-tasks.amazonaws.com"]), ip("10.20.5.6"))).toBeNull();
  });

  it("a source entry that does not compile (a hand-edited compiled policy) matches no read: the read is reported", () => {
    // The schema rejects such entries; the matcher compiles sources lazily and must fail closed.
    expect(expectedBy(rule(["10.0.0.0/99"]), ip("10.1.2.3"))).toBeNull();
    expect(expectedBy(rule(["10.0.0.0/99", "10.0.0.0/8"]), ip("10.1.2.3"))).toBe("rule-0");
  });

  it("any one listed source is enough; none listed means anywhere", () => {
    expect(expectedBy(rule(["10.0.0.0/8", "vpce-0a1b2c3d4e5f67890"]), ip("10.1.2.3"))).toBe("rule-0");
    expect(expectedBy([{ principal: `${ROLE}/payments-api`, secret: "prod/*" }], ip("203.0.113.7"))).toBe("rule-0");
  });
});

describe("secret patterns", () => {
  it.each([
    ["prod/*", null],
    ["rds!db-*", null],
    ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:rds!cluster-*", null],
    ["prod db", "has characters no secret name holds"],
    ["", "is empty"],
  ])("%s", async (pattern, problem) => {
    const { secretPatternProblem } = await import("../../packages/core/src/policy-match.js");
    const found = secretPatternProblem(pattern);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toContain(problem);
  });
});

describe("one matcher across many reads (its caches must not mix principals)", () => {
  const SSO_ROLE = `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef`;
  const ssoSession = (user: string) =>
    anIdentity({
      principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/${user}`,
      roleSessionName: user,
      sessionIssuerArn: SSO_ROLE,
      userName: "AWSReservedSSO_Admin_0123456789abcdef",
    });
  const rootOf = (account: string) =>
    anIdentity({
      type: "Root",
      principalArn: `arn:aws:iam::${account}:root`,
      accountId: account,
      sessionIssuerArn: null,
    });
  const read = (identity: Identity) => aSecretAccess({ identity, source: aSource({ range: "private" }) });

  it.each([
    ["alice first, then bob", ["alice@example.com", "bob@example.com"]],
    ["bob first, then alice", ["bob@example.com", "alice@example.com"]],
  ])("an Identity Center user's rule covers that user only (%s)", (_order, users) => {
    const matcher = new PolicyMatcher({
      ...DEFAULT_POLICY,
      expected: [{ id: "alice", principal: "sso-user:alice@example.com", secret: "*" }],
    });
    const got = Object.fromEntries(users.map((u) => [u, matcher.expectedRule(read(ssoSession(u)))?.id ?? null]));
    expect(got).toEqual({ "alice@example.com": "alice", "bob@example.com": null });
  });

  it.each([
    ["this account's root first", ["111122223333", "444455556666"]],
    ["the other account's root first", ["444455556666", "111122223333"]],
  ])("a root rule covers that account's root only (%s)", (_order, accounts) => {
    const matcher = new PolicyMatcher({
      ...DEFAULT_POLICY,
      expected: [{ id: "root", principal: "arn:aws:iam::111122223333:root", secret: "*" }],
    });
    const got = Object.fromEntries(accounts.map((a) => [a, matcher.expectedRule(read(rootOf(a)))?.id ?? null]));
    expect(got).toEqual({ "111122223333": "root", "444455556666": null });
  });

  it("two AWS services get their own rules, whichever comes first", () => {
    const matcher = new PolicyMatcher({
      ...DEFAULT_POLICY,
      expected: [{ id: "ecs", principal: "ecs-tasks.amazonaws.com", secret: "*" }],
    });
    // Also as records that name one role as the issuer of both services' calls: still told apart.
    const issuer = { sessionIssuerArn: `${ROLE}/shared` };
    const rules = (extra = {}) =>
      ["lambda.amazonaws.com", "ecs-tasks.amazonaws.com", "lambda.amazonaws.com"].map(
        (service) => matcher.expectedRule(read({ ...awsService(service), ...extra }))?.id ?? null,
      );
    for (const extra of [{}, issuer, {}, issuer]) expect(rules(extra)).toEqual([null, "ecs", null]);
  });

  it("one secret name under many ARNs: each read is judged by its own ARN, past the cache's entries per name", () => {
    const decoyAccount = "999999999999";
    const matcher = new PolicyMatcher({
      ...DEFAULT_POLICY,
      decoys: [`arn:aws:secretsmanager:us-east-1:${decoyAccount}:secret:prod/db`],
    });
    // 40 accounts (more than a name's cache entries), every fifth the decoy's; asked twice, in turn.
    const reads = Array.from({ length: 40 }, (_, i) => {
      const account = i % 5 === 0 ? decoyAccount : String(100000000000 + i);
      const secretArn = `arn:aws:secretsmanager:us-east-1:${account}:secret:prod/db-A${String(i).padStart(5, "0")}`;
      // The recipient and the region the same for all: only the ARN tells the reads apart.
      return aSecretAccess({
        secretId: "prod/db",
        secretArn,
        requestedSecretId: secretArn,
        recipientAccountId: ACCOUNT,
      });
    });
    const decoys = () => reads.map((hit) => matcher.isDecoy(hit));
    const expected = reads.map((_, i) => i % 5 === 0);
    expect(decoys()).toEqual(expected);
    expect(decoys()).toEqual(expected);
    expect([...reads].reverse().map((hit) => matcher.isDecoy(hit))).toEqual([...expected].reverse());
  });

  it("two sessions of one role get the same rule", () => {
    const matcher = new PolicyMatcher({
      ...DEFAULT_POLICY,
      expected: [{ id: "devops", principal: `arn:aws:iam::${ACCOUNT}:role/DevOps`, secret: "*" }],
    });
    expect(matcher.expectedRule(read(roleSession("DevOps", "alice")))?.id).toBe("devops");
    expect(matcher.expectedRule(read(roleSession("DevOps", "bob")))?.id).toBe("devops");
  });
});

describe("decoys and sensitive patterns see every name a requested ARN may stand for", () => {
  const [real] = cloudTrailFixture<Record<string, unknown>>("stratus-secretsmanager");
  const ARN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret`;
  /** A real GetSecretValue record asking for `secretId`, enriched as the Lambda does (or bare, as when enrichment fails). */
  const asking = (secretId: string, bare = false) => {
    const record = { ...real!, requestParameters: { secretId } } as unknown as CloudTrailRecord;
    return bare ? enrichOrBare(record, { now: null }, () => failure()) : enrichRecord(record, { now: null });
  };
  const failure = (): never => {
    throw new TypeError("enrichment failed on purpose");
  };
  const matcher = (policy: Partial<typeof DEFAULT_POLICY>) => new PolicyMatcher({ ...DEFAULT_POLICY, ...policy });

  it.each<[string, string, boolean, boolean]>([
    // [why, requested ID, bare read, decoy?] under decoys ["canary/db-backup", "canary/*"] in turn
    ["a partial ARN of a name ending in '-' and six letters", `${ARN}:canary/db-backup`, false, true],
    ["the name itself", "canary/db-backup", false, true],
    ["a full ARN of it", `${ARN}:canary/db-backup-AbC123`, false, true],
    ["another secret", `${ARN}:canary/db-other1`, false, false],
  ])("an exact decoy: %s", (_why, id, bare, decoy) => {
    expect(matcher({ decoys: ["canary/db-backup"] }).isDecoy(asking(id, bare))).toBe(decoy);
  });

  it.each<[string, string, boolean]>([
    ["a full ARN, enriched", `${ARN}:canary/db-AbC123`, false],
    ["a full ARN, in a bare read (enrichment failed)", `${ARN}:canary/db-AbC123`, true],
    ["a partial ARN, in a bare read", `${ARN}:canary/db`, true],
  ])("a decoy glob by name sees %s", (_why, id, bare) => {
    const hit = asking(id, bare);
    expect(matcher({ decoys: ["canary/*"] }).isDecoy(hit)).toBe(true);
    expect(matcher({ sensitive: ["canary/*"] }).isSensitive(hit)).toBe(true);
  });

  it("a batch that lists a decoy by its full ARN asks for the decoy", () => {
    const hit = aSecretAccess({
      eventName: "BatchGetSecretValue",
      secretId: null,
      secretArn: null,
      requestedSecretId: null,
      batch: { filters: null, secretIdList: [`${ARN}:canary/db-AbC123`], broad: false, broadReasons: [] },
    });
    expect(matcher({ decoys: ["canary/*"] }).isDecoy(hit)).toBe(true);
  });

  it("the further names never make a read expected: a rule for the longer name does not match a read keyed shorter", () => {
    // `…:secret:prod/db-backup` is keyed `prod/db` (it may be the full ARN of prod/db); a rule for prod/db-backup must not lower it.
    const hit = asking(`${ARN}:prod/db-backup`);
    expect(hit.secretId).toBe("prod/db");
    const rule = { id: "backup", principal: "arn:aws:iam::*:user/*", secret: "prod/db-backup" };
    expect(matcher({ expected: [rule] }).expectedRule(hit)).toBeNull();
  });
});
