/**
 * Matching reads against the policy: anchored globs on principals (on AWS-set identity fields
 * only), on secret names or ARNs, and source constraints (CIDRs, VPC endpoints, AWS service
 * principals). The checks that reject a pattern which can never match live here too, so the
 * schema (policy-schema.ts) and the matcher agree on what a pattern means.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html#iam-resources
 */
import ipaddr from "ipaddr.js";
import { type ActorFacts, actorFacts, identityCenterUser, isRoot } from "./actor.js";
import type { ExpectedRule, Policy } from "./policy.js";
import { arnNameVariants } from "./secret.js";
import { viaOtherAccountsEndpoint } from "./source.js";
import type { Identity, SecretAccess, Source } from "./types.js";

/** `*` any run of characters (`/` included), `?` one character; everything else literal; anchored. */
export function globToRegExp(glob: string, flags = ""): RegExp {
  let out = "";
  for (const ch of glob) {
    if (ch === "*") out += "[\\s\\S]*";
    else if (ch === "?") out += "[\\s\\S]";
    else out += ch.replace(/[.+^${}()|[\]\\/-]/g, "\\$&");
  }
  return new RegExp(`^${out}$`, flags);
}

/**
 * {@link globToRegExp} as a test. The shapes most rules have are plain string tests, with no
 * pattern to compile: a glob without wildcards is an exact match, and one whose only wildcard
 * is a final `*` (`prod/payments/*`) a prefix match. Any other glob first checks its literal
 * start (the text before its first `*` or `?`), which most names fail, then runs the pattern.
 * Case-insensitive globs always run the pattern (its case folding is the regular expression's).
 */
type GlobTest = (text: string) => boolean;
export function globTest(glob: string, flags = ""): GlobTest {
  const wild = glob.search(/[*?]/);
  const caseless = flags.includes("i");
  if (!caseless && wild < 0) return (text) => text === glob;
  const prefix = wild < 0 ? glob : glob.slice(0, wild);
  if (!caseless && wild === glob.length - 1 && glob.endsWith("*")) return (text) => text.startsWith(prefix);
  const re = globToRegExp(glob, flags);
  if (caseless || prefix === "") return (text) => re.test(text);
  return (text) => text.startsWith(prefix) && re.test(text);
}

const PARTITION = "(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|\\*)";
const ACCOUNT = "(\\d{12}|\\*)";
const PARTITION_ONLY = new RegExp(`^${PARTITION}$`);
const ACCOUNT_ONLY = new RegExp(`^${ACCOUNT}$`);
/** `arn:<partition>:iam::<account>:<role|user>/<path/name>` or `:root`. */
const IAM_ARN = new RegExp(`^arn:${PARTITION}:iam::${ACCOUNT}:(role/.+|user/.+|root)$`);
const ANY_IAM_ARN = /^arn:([^:]*):iam::([^:]*):(.*)$/;
const STS_ARN = /^arn:[^:]*:sts::/;
/** Characters IAM allows in names and paths, plus the glob characters. */
const IAM_NAME_CHARS = /^[\w+=,.@/*?-]+$/;
/** `sso-user:<user name>`: an IAM Identity Center user (the session name of its role). */
export const SSO_USER_PREFIX = "sso-user:";
/** An AWS service principal, `lambda.amazonaws.com` (also `.amazonaws.com.cn`). */
const SERVICE_PRINCIPAL = /^[a-z0-9*?][a-z0-9.*?-]*\.amazonaws\.com(\.cn)?$/;
/**
 * Characters Secrets Manager allows in names (`/_+=.@-`, letters, digits), `!` (secrets other
 * services manage are named `<service>!…`, such as RDS's `rds!db-…`), plus the glob characters.
 */
const SECRET_NAME_CHARS = /^[A-Za-z0-9/_+=.@!*?-]+$/;
const SECRET_ARN = new RegExp(`^arn:${PARTITION}:secretsmanager:([a-z0-9-]+|\\*):${ACCOUNT}:secret:(.+)$`);
const VPC_ENDPOINT = /^vpce-[0-9a-f]{8,17}$/;

/** Why a principal pattern can never match (or may not be used), or null when it is usable. */
export function principalPatternProblem(pattern: string): string | null {
  if (pattern.trim() === "") return "is empty: it would never match";
  if (pattern !== pattern.trim()) return "has leading or trailing spaces: it would never match";
  if (pattern.startsWith(SSO_USER_PREFIX)) {
    const user = pattern.slice(SSO_USER_PREFIX.length);
    return user === "" ? "names no Identity Center user after sso-user:" : null;
  }
  if (STS_ARN.test(pattern)) {
    return "is an assumed-role session ARN: the session name is chosen by the caller, so name the role instead (arn:aws:iam::<account>:role/<name>), which matches all its sessions";
  }
  if (pattern.startsWith("arn:")) {
    const parts = ANY_IAM_ARN.exec(pattern);
    if (!parts) return "is not an IAM ARN (arn:aws:iam::<account>:role/<name>, :user/<name> or :root)";
    const [, partition, account, resource] = parts;
    if (!PARTITION_ONLY.test(partition ?? "")) return `has an unknown partition "${partition}"`;
    if (!ACCOUNT_ONLY.test(account ?? "")) {
      return `has a malformed account ID "${account}" (12 digits, or *): it would never match`;
    }
    if (!IAM_ARN.test(pattern)) return `names "${resource}", which is not role/<name>, user/<name> or root`;
    if (resource !== "root" && !IAM_NAME_CHARS.test(resource ?? "")) {
      return "has characters IAM never puts in a role or user name: it would never match";
    }
    return null;
  }
  if (SERVICE_PRINCIPAL.test(pattern)) return null;
  return "is not an IAM role or user ARN, the root ARN, sso-user:<name> or an AWS service principal (name.amazonaws.com)";
}

/** Why a secret pattern can never match, or null. */
export function secretPatternProblem(pattern: string): string | null {
  if (pattern === "") return "is empty: it would never match";
  if (pattern.startsWith("arn:")) {
    const parts = SECRET_ARN.exec(pattern);
    if (!parts) {
      return "is not a Secrets Manager ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>): it would never match";
    }
    return SECRET_NAME_CHARS.test(parts[4] ?? "") ? null : "has characters no secret name holds: it would never match";
  }
  if (!SECRET_NAME_CHARS.test(pattern)) {
    return "has characters no secret name holds (letters, digits and /_+=.@!- only): it would never match";
  }
  return null;
}

/** Why a source entry is not a CIDR, an IP address, a VPC endpoint ID or a service principal, or null. */
export function sourceProblem(entry: string): string | null {
  if (VPC_ENDPOINT.test(entry)) return null;
  if (SERVICE_PRINCIPAL.test(entry) && !/[*?]/.test(entry)) return null;
  if (entry.includes("/") ? ipaddr.isValidCIDR(entry) : ipaddr.isValid(entry) && isPlainAddress(entry)) return null;
  return "is not a CIDR (10.0.0.0/8), an IP address, a VPC endpoint ID (vpce-0abc1234…) or an AWS service principal (ec2.amazonaws.com)";
}

/** A `networks` entry naming an account whose VPC endpoints are the account's own (12 digits). */
const ENDPOINT_ACCOUNT = /^\d{12}$/;

/** Why a `networks` entry is not a CIDR, an IP address or an account ID, or null. */
export function networkProblem(entry: string): string | null {
  if (ENDPOINT_ACCOUNT.test(entry)) return null;
  if (entry.includes("/") ? ipaddr.isValidCIDR(entry) : ipaddr.isValid(entry) && isPlainAddress(entry)) return null;
  return "is not a CIDR (203.0.113.0/28), an IP address or an account ID whose VPC endpoints are yours (12 digits)";
}

/** ipaddr.js also accepts `10` or `1.2.3`; a policy means dotted quads and IPv6 text. */
function isPlainAddress(text: string): boolean {
  return text.includes(":") || /^\d{1,3}(\.\d{1,3}){3}$/.test(text);
}

type Principal = (identity: Identity) => boolean;

/** A principal pattern as a test on AWS-set identity fields. Call only on a pattern without a problem. */
function compilePrincipal(pattern: string): Principal {
  if (pattern.startsWith(SSO_USER_PREFIX)) {
    const user = globTest(pattern.slice(SSO_USER_PREFIX.length), "i");
    return (identity) => {
      const name = identityCenterUser(identity);
      return name !== null && user(name);
    };
  }
  if (pattern.startsWith("arn:")) {
    const test = globTest(pattern);
    if (pattern.endsWith(":root")) return (identity) => isRoot(identity) && test(identity.principalArn ?? "");
    if (/:role\//.test(pattern)) {
      // The session issuer is the role AWS recorded; the assumed-role ARN's last part is the caller's choice.
      return (identity) =>
        identity.type === "AssumedRole" && identity.sessionIssuerArn !== null && test(identity.sessionIssuerArn);
    }
    return (identity) => identity.type === "IAMUser" && test(identity.principalArn ?? "");
  }
  const test = globTest(pattern);
  return (identity) => identity.type === "AWSService" && test(identity.invokedBy ?? "");
}

/** `foreign`: the call came through another account's VPC endpoint (see {@link PolicyMatcher.isForeignEndpoint}). */
type SourceTest = (source: Source, identity: Identity, foreign: boolean) => boolean;

type Address = ReturnType<typeof ipaddr.process>;
/** Source addresses parsed so far (a batch repeats a few NAT and VPC addresses): text → address and its text form. */
const parsedAddresses = new Map<string, { ip: Address; text: string } | null>();
const MAX_CACHED_ADDRESSES = 4096;

/** `ipaddr.process` of a valid address (IPv4-mapped IPv6 as IPv4), or null: parsed once per distinct text. */
function sourceAddress(text: string): { ip: Address; text: string } | null {
  let parsed = parsedAddresses.get(text);
  if (parsed === undefined) {
    const ip = ipaddr.isValid(text) ? ipaddr.process(text) : null;
    parsed = ip && { ip, text: ip.toString() };
    if (parsedAddresses.size >= MAX_CACHED_ADDRESSES) parsedAddresses.clear();
    parsedAddresses.set(text, parsed);
  }
  return parsed;
}

function compileSource(entry: string): SourceTest {
  if (VPC_ENDPOINT.test(entry)) return (source) => source.vpcEndpointId === entry;
  if (SERVICE_PRINCIPAL.test(entry))
    return (source, identity) => identity.invokedBy === entry || source.service === entry;
  const [range, bits] = entry.includes("/") ? ipaddr.parseCIDR(entry) : [ipaddr.parse(entry), -1];
  const [kind, text] = [range.kind(), range.toString()];
  // An address seen through another account's endpoint is in that account's VPC, whatever range it is in.
  return (source, _identity, foreign) => {
    if (foreign || source.kind !== "ip" || source.ip === null) return false;
    const address = sourceAddress(source.ip);
    if (address === null || address.ip.kind() !== kind) return false;
    return bits < 0 ? address.text === text : address.ip.match(range, bits);
  };
}

/** The names and ARNs a secret is known by in a record: the key, the recorded ARN, the ARN built from AWS-set fields. */
export function secretNames(hit: SecretAccess): string[] {
  const names: string[] = [];
  if (hit.secretId !== null) names.push(hit.secretId);
  if (hit.secretArn !== null) {
    names.push(hit.secretArn);
    // A full ARN ends in `-` and six random characters; a rule names the secret without them.
    const bare = /^(.*:secret:.+)-[A-Za-z0-9]{6}$/.exec(hit.secretArn)?.[1];
    if (bare) names.push(bare);
  }
  if (hit.secretId !== null && hit.region && hit.recipientAccountId && !hit.secretId.startsWith("arn:")) {
    names.push(`arn:aws:secretsmanager:${hit.region}:${hit.recipientAccountId}:secret:${hit.secretId}`);
  }
  return names;
}

/**
 * Names of a secret that only decoy and sensitive patterns are tested on: each ARN's name with
 * and without a final `-` and six characters ({@link arnNameVariants}), those not among `names`.
 * More names can only make a read a decoy or sensitive, never expected.
 */
export function raisingNames(ids: readonly (string | null)[], names: readonly string[]): string[] {
  const out: string[] = [];
  for (const id of ids) {
    if (id === null) continue;
    for (const name of arnNameVariants(id)) if (!names.includes(name) && !out.includes(name)) out.push(name);
  }
  return out;
}

type Key = string | null;

/** One value of a {@link KeyTree}, with the keys it is stored under (after the first). */
interface KeyEntry<V> {
  b: Key;
  c: Key;
  d: Key;
  e: Key;
  f: Key;
  value: V;
}

/**
 * Values under up to six keys. The first picks a short list from a Map: callers give a text the
 * assessment hashes anyway (the read's secret, its role), so that hash is paid once; the others
 * are compared as they are (`===`), so the longer texts (a secret's ARN) are never hashed.
 * One field can never spill into the next. A list holds at most {@link KeyTree.PER_KEY} entries
 * (a caller who names one secret by a thousand different ARNs cannot make lookups slow: past
 * that, the oldest entry makes room), and the whole tree is emptied past {@link KeyTree.MAX}, so
 * a long-lived matcher (one per container) stays small.
 */
class KeyTree<V> {
  static readonly MAX = 20_000;
  static readonly PER_KEY = 16;
  private root = new Map<Key, KeyEntry<V>[]>();
  private size = 0;

  get(a: Key, b: Key, c: Key, d: Key, e: Key, f: Key): V | undefined {
    const list = this.root.get(a);
    if (list === undefined) return undefined;
    for (const x of list) if (x.b === b && x.c === c && x.d === d && x.e === e && x.f === f) return x.value;
    return undefined;
  }

  set(a: Key, b: Key, c: Key, d: Key, e: Key, f: Key, value: V): V {
    if (this.size >= KeyTree.MAX) [this.root, this.size] = [new Map(), 0];
    let list = this.root.get(a);
    if (list === undefined) {
      list = [];
      this.root.set(a, list);
    }
    if (list.length >= KeyTree.PER_KEY) list.shift();
    else this.size++;
    list.push({ b, c, d, e, f, value });
    return value;
  }
}

/** What the policy says of one secret: a decoy, sensitive, and the rules whose secret pattern it matches. */
interface SecretInfo {
  decoy: boolean;
  sensitive: boolean;
  rules: Set<number>;
}

/** What the policy says of a hit's secrets: each one's, and whether any is a decoy or sensitive. */
interface HitSecrets {
  infos: SecretInfo[];
  decoy: boolean;
  sensitive: boolean;
}

/** A hit as the policy sees it: {@link PolicyMatcher.isDecoy}, `isSensitive` and `expectedRule` in one. */
export interface HitMatch {
  decoy: boolean;
  sensitive: boolean;
  /** The first expected rule that matches; null when none does or it was not asked for. */
  rule: ExpectedRule | null;
}

/** Every secret of the hit matches rule `i`'s secret pattern (loops, not closures: this runs per read and rule). */
function allHave(secrets: readonly SecretInfo[], i: number): boolean {
  for (const info of secrets) if (!info.rules.has(i)) return false;
  return true;
}

function anySource(tests: readonly SourceTest[], hit: SecretAccess, foreign: boolean): boolean {
  for (const test of tests) if (test(hit.source, hit.identity, foreign)) return true;
  return false;
}

function hitSecrets(infos: SecretInfo[]): HitSecrets {
  return { infos, decoy: infos.some((i) => i.decoy), sensitive: infos.some((i) => i.sensitive) };
}

interface CompiledRule {
  rule: ExpectedRule;
  principal: Principal;
  secret: GlobTest;
  anySecret: boolean;
  /**
   * The rule's source tests, compiled the first time its principal and secret match a read
   * (parsing a CIDR is the costliest part of compiling a rule; most rules never get that far
   * in a given run); null when the rule has no sources.
   */
  sources: SourceTest[] | null | undefined;
}

/** A source test that matches nothing: an entry that does not compile makes its rule stricter, never looser. */
const NO_SOURCE: SourceTest = () => false;

/**
 * {@link compileSource}, or {@link NO_SOURCE} for an entry that does not compile. The schema
 * rejects such entries (`sourceProblem`, `networkProblem`); one that slipped past it (a compiled
 * policy edited by hand) makes its rule or network match no read: the read is reported, and the
 * rest of the policy still works.
 */
function compileOrNothing(entry: string): SourceTest {
  try {
    return compileSource(entry);
  } catch {
    return NO_SOURCE;
  }
}

/** {@link CompiledRule.sources}, compiled on first use (see {@link compileOrNothing}). */
function sourcesOf(r: CompiledRule): SourceTest[] | null {
  if (r.sources === undefined) {
    const entries = r.rule.source;
    r.sources = entries && entries.length > 0 ? entries.map(compileOrNothing) : null;
  }
  return r.sources;
}

/**
 * The policy's patterns compiled once. Lookups are cached per distinct secret and per distinct
 * identity, so a batch of hundreds of reads of a few secrets by a few roles tests each pattern
 * a few times, not once per read and rule.
 */
export class PolicyMatcher {
  private readonly rules: CompiledRule[];
  private readonly decoys: GlobTest[];
  private readonly sensitive: GlobTest[];
  /** The account's own egress addresses (`networks`), as source tests. */
  private readonly networks: SourceTest[];
  /** Accounts `networks` names: their VPC endpoints count as the account's own. */
  private readonly endpointAccounts: ReadonlySet<string>;
  private readonly secretCache = new Map<string, SecretInfo>();
  /** secretId, then secretArn, region and recipient account → the hit's secret infos (single-secret hits). */
  private readonly hitSecrets = new KeyTree<HitSecrets>();
  /** Issuer ARN, else principal ARN, else invokedBy; then type, principal ARN (users, root), issuer ARN, Identity Center user and invokedBy → the rules whose principal matches. */
  private readonly principals = new KeyTree<number[]>();

  constructor(readonly policy: Policy) {
    this.rules = policy.expected.map((rule) => ({
      rule,
      principal: compilePrincipal(rule.principal),
      secret: globTest(rule.secret),
      anySecret: rule.secret === "*",
      sources: undefined,
    }));
    this.decoys = policy.decoys.map((g) => globTest(g));
    this.sensitive = policy.sensitive.map((g) => globTest(g));
    // Compiled policies of an older version may have no `networks`. An entry that does not
    // compile is no own network: reads from it stay "from the internet" (fail closed).
    const networks = policy.networks ?? [];
    this.networks = networks.filter((n) => !ENDPOINT_ACCOUNT.test(n)).map(compileOrNothing);
    this.endpointAccounts = new Set(networks.filter((n) => ENDPOINT_ACCOUNT.test(n)));
  }

  /** The read came from one of the account's own egress addresses (`networks`). */
  isOwnNetwork(hit: SecretAccess): boolean {
    if (this.networks.length === 0) return false;
    const foreign = this.isForeignEndpoint(hit);
    return anySource(this.networks, hit, foreign);
  }

  /**
   * The call came through a VPC endpoint of an account that is neither the secret's, nor the
   * caller's, nor one `networks` names ({@link viaOtherAccountsEndpoint}): no address range the
   * policy lists can then vouch for it.
   */
  isForeignEndpoint(hit: SecretAccess): boolean {
    return viaOtherAccountsEndpoint(hit) && !this.endpointAccounts.has(hit.source.vpcEndpointAccountId ?? "");
  }

  /**
   * The secrets a hit concerns, each by its names (what every pattern is tested on) and the
   * further names only decoy and sensitive patterns are tested on ({@link raisingNames}): its
   * one secret, or a batch's listed IDs.
   */
  private secretsOf(hit: SecretAccess): Array<[names: string[], raising: string[]]> {
    if (hit.batch) return (hit.batch.secretIdList ?? []).map((id) => [[id], raisingNames([id], [id])]);
    if (hit.secretId === null && hit.secretArn === null) return [];
    const names = secretNames(hit);
    return [[names, raisingNames([hit.secretId, hit.secretArn], names)]];
  }

  /** What the policy says of each secret of the hit. */
  private infosOf(hit: SecretAccess): HitSecrets {
    if (hit.batch) return this.lookUpInfos(hit);
    // secretNames and raisingNames read only these four fields: the same values give the same secrets.
    const { secretId, secretArn, region, recipientAccountId: account } = hit;
    return (
      this.hitSecrets.get(secretId, secretArn, region, account, null, null) ??
      this.hitSecrets.set(secretId, secretArn, region, account, null, null, this.lookUpInfos(hit))
    );
  }

  /** {@link infosOf} without its cache of single-secret hits. */
  private lookUpInfos(hit: SecretAccess): HitSecrets {
    return hitSecrets(this.secretsOf(hit).map(([names, raising]) => this.secretInfo(names, raising)));
  }

  private secretInfo(names: string[], raising: string[]): SecretInfo {
    const key = `${names.join("\n")}\0${raising.join("\n")}`;
    let info = this.secretCache.get(key);
    if (!info) {
      const any = (tests: GlobTest[]) => tests.some((test) => names.some(test) || raising.some(test));
      info = {
        decoy: any(this.decoys),
        sensitive: any(this.sensitive),
        // Expected rules see the names only: the requested ID is the caller's text, and no spelling of it may lower a read.
        rules: new Set(this.rules.flatMap((r, i) => (r.anySecret || names.some(r.secret) ? [i] : []))),
      };
      this.secretCache.set(key, info);
    }
    return info;
  }

  /**
   * The rules whose principal matches. The predicates read the type, the session issuer, the
   * calling service, the Identity Center user (never another session name) and the principal
   * ARN only for IAM users and root: those are the key, so every session of a role shares one.
   */
  private principalRules(identity: Identity, facts: ActorFacts): number[] {
    const { type, sessionIssuerArn, invokedBy } = identity;
    const arn = type === "IAMUser" || facts.root ? identity.principalArn : null;
    // First the text the actor key is made of for most reads (a role's ARN, an IAM user's): hashed anyway.
    const first = sessionIssuerArn ?? arn ?? invokedBy;
    return (
      this.principals.get(first, type, arn, sessionIssuerArn, facts.ssoUser, invokedBy) ??
      this.principals.set(
        first,
        type,
        arn,
        sessionIssuerArn,
        facts.ssoUser,
        invokedBy,
        this.rules.flatMap((r, i) => (r.principal(identity) ? [i] : [])),
      )
    );
  }

  /** A decoy is read or asked for (a batch listing one counts). */
  isDecoy(hit: SecretAccess): boolean {
    return this.infosOf(hit).decoy;
  }

  isSensitive(hit: SecretAccess): boolean {
    return this.infosOf(hit).sensitive;
  }

  /**
   * {@link isDecoy}, {@link isSensitive} and (when `withRule`) {@link expectedRule}, the hit's
   * secrets looked up once. `facts`: the identity's {@link ActorFacts}, when the caller has them.
   */
  match(hit: SecretAccess, withRule: boolean, facts?: ActorFacts): HitMatch {
    const secrets = this.infosOf(hit);
    const rule = withRule ? this.ruleFor(hit, secrets.infos, facts) : null;
    return { decoy: secrets.decoy, sensitive: secrets.sensitive, rule };
  }

  /**
   * The first expected rule matching the principal, the secret (every listed secret of a
   * batch; a filter batch only a rule for `*`) and, if the rule has any, a source.
   */
  expectedRule(hit: SecretAccess): ExpectedRule | null {
    return this.ruleFor(hit, null);
  }

  private ruleFor(hit: SecretAccess, infos: SecretInfo[] | null, facts?: ActorFacts): ExpectedRule | null {
    const byPrincipal = this.principalRules(hit.identity, facts ?? actorFacts(hit.identity));
    if (byPrincipal.length === 0) return null;
    const secrets = infos ?? this.infosOf(hit).infos;
    const foreign = this.isForeignEndpoint(hit); // once per read, not per rule
    for (const i of byPrincipal) {
      const r = this.rules[i]!;
      if (!(secrets.length === 0 ? r.anySecret : allHave(secrets, i))) continue;
      const sources = sourcesOf(r);
      if (sources && !anySource(sources, hit, foreign)) continue;
      return r.rule;
    }
    return null;
  }
}
