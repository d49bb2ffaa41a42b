/**
 * Reads the CloudTrail `userAgent` field and names the client that made the call.
 *
 * The field is caller-controlled: anything can be in it. Only the first {@link MAX_INPUT}
 * characters are read, split on whitespace and commas into at most {@link MAX_TOKENS}
 * `name/value` tokens; the regexes below are anchored and have no nested quantifiers.
 * Everything the parser emits (except `raw`) is a constant or a piece that passed a strict
 * character check, so hostile bytes never reach `name`, `version` or `detail`.
 */
import type { Client } from "./types.js";

const MAX_INPUT = 1024;
const MAX_TOKENS = 64;
const VERSION = /^\d[\w.+-]{0,39}$/;
const WORD = /^[A-Za-z0-9][\w.-]{0,39}$/;
const HOST = /^[a-z0-9.-]{1,200}\.amazonaws\.com$/;
const COMMAND = /^[a-z0-9-]{1,40}\.[a-z0-9-]{1,60}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const GO_RUNTIME = /\(go(\d[\d.]{0,15})[;)]/;

type Found = Omit<Client, "raw">;
type Token = { name: string; value: string };
type Parsed = { text: string; tokens: Token[] };

function parse(input: string): Parsed {
  let text = input.slice(0, MAX_INPUT).trim();
  if (text.startsWith("[") && text.endsWith("]")) text = text.slice(1, -1).trim();
  const tokens: Token[] = [];
  for (const piece of text.split(/[\s,]+/, MAX_TOKENS)) {
    let start = 0;
    let end = piece.length;
    while (start < end && "[(".includes(piece.charAt(start))) start++;
    while (end > start && "]);".includes(piece.charAt(end - 1))) end--;
    const t = piece.slice(start, end);
    if (!t) continue;
    const slash = t.includes("/") ? t.indexOf("/") : t.length;
    tokens.push({ name: t.slice(0, slash).toLowerCase(), value: t.slice(slash + 1) });
  }
  return { text, tokens };
}

/** The leading version in a token value (`1.2.3/…`, `1.2.3#…`), if it looks like one. */
function version(value: string | undefined): string | null {
  const v = value?.split(/[/#]/, 1)[0] ?? "";
  return VERSION.test(v) ? v : null;
}
const token = (p: Parsed, name: string) => p.tokens.find((t) => t.name === name);
/** `md/key#value` or `md/key/value` (SDK user agent 2.x metadata). */
function meta(p: Parsed, key: string): string | undefined {
  for (const t of p.tokens) {
    if (t.name === "md" && (t.value.startsWith(`${key}#`) || t.value.startsWith(`${key}/`)))
      return t.value.slice(key.length + 1);
  }
  return undefined;
}
const join = (parts: (string | null | undefined)[]) => parts.filter(Boolean).join(" · ") || null;
const withVersion = (label: string, v: string | null) => (v ? `${label} ${v}` : label);
const major = (v: string | null) => v?.split(".", 1)[0] ?? null;

const LANGUAGES: Record<string, string> = {
  python: "Python",
  go: "Go",
  java: "Java",
  kotlin: "Kotlin",
  ruby: "Ruby",
  jruby: "JRuby",
  php: "PHP",
  rust: "Rust",
  "c++": "C++",
  ".net_core": ".NET Core",
  ".net_runtime": ".NET Framework",
};

/** Language and runtime version: `lang/python#3.12`, `md/nodejs#20.1`, or the older `Python/3.9` forms. */
function runtime(p: Parsed): string | null {
  const lang = token(p, "lang");
  if (lang) {
    const [name = "", rest] = lang.value.split(/[#/]/, 2);
    const node = version(meta(p, "nodejs"));
    if (name === "js") return node ? `Node.js ${node}` : "JavaScript";
    const label = LANGUAGES[name.toLowerCase()];
    if (label) return withVersion(label, version(rest));
  }
  const go = GO_RUNTIME.exec(p.text);
  if (go?.[1]) return `Go ${go[1]}`;
  for (const t of p.tokens) {
    if (/^(linux|darwin|win32)$/.test(t.name) && /^v\d/.test(t.value))
      return withVersion("Node.js", version(t.value.slice(1)));
    const label = LANGUAGES[t.name];
    if (label && version(t.value)) return withVersion(label, version(t.value));
  }
  return null;
}

const ENVIRONMENTS: Record<string, string> = { AWS_ECS_FARGATE: "ECS Fargate", AWS_ECS_EC2: "ECS on EC2" };
const SYSTEMS: Record<string, string> = { linux: "Linux", windows: "Windows", darwin: "macOS", macos: "macOS" };

/** Where it ran, from `exec-env/…`: only the AWS-defined Lambda and ECS values are shown. */
function environment(p: Parsed): string | null {
  const env = token(p, "exec-env")?.value ?? "";
  const lambda = /^AWS_Lambda_([a-z0-9.]{1,24})$/i.exec(env);
  if (lambda) return `Lambda ${lambda[1]}`;
  return ENVIRONMENTS[env] ?? null;
}

function os(p: Parsed): string | null {
  const names = [token(p, "os")?.value.split(/[#/]/, 1)[0] ?? "", ...p.tokens.map((t) => t.name)];
  for (const n of names) {
    const label = SYSTEMS[n.toLowerCase()];
    if (label) return label;
  }
  return null;
}

/** `AWS SDK for Java v2` when the major version is one of `majors`, else without a suffix. */
const byMajor = (label: string, majors: string[]) => (v: string | null) => {
  const m = major(v);
  return m && majors.includes(m) ? `${label} v${m}` : label;
};

/** SDK tokens, most specific first (PowerShell carries a .NET SDK token, boto3 a botocore one). */
const SDKS: [test: (name: string) => boolean, name: (v: string | null) => string, language: string][] = [
  [(n) => n.startsWith("awspowershell"), () => "AWS Tools for PowerShell", "PowerShell"],
  [(n) => n === "boto3", () => "boto3", "Python"],
  [(n) => n === "botocore", () => "botocore", "Python"],
  [(n) => n === "aws-sdk-js", byMajor("AWS SDK for JavaScript", ["2", "3"]), "JavaScript"],
  [(n) => n === "aws-sdk-nodejs", () => "AWS SDK for JavaScript v2", "JavaScript"],
  [(n) => n === "aws-sdk-go-v2", () => "AWS SDK for Go v2", "Go"],
  [(n) => n === "aws-sdk-go", () => "AWS SDK for Go v1", "Go"],
  [(n) => n === "aws-sdk-java", byMajor("AWS SDK for Java", ["1", "2"]), "Java"],
  [(n) => n === "aws-sdk-kotlin", () => "AWS SDK for Kotlin", "Kotlin"],
  [(n) => n.startsWith("aws-sdk-dotnet"), () => "AWS SDK for .NET", ".NET"],
  [(n) => n === "aws-sdk-ruby3", () => "AWS SDK for Ruby v3", "Ruby"],
  [(n) => n.startsWith("aws-sdk-ruby"), () => "AWS SDK for Ruby", "Ruby"],
  [(n) => n === "aws-sdk-php", byMajor("AWS SDK for PHP", ["3"]), "PHP"],
  [(n) => n === "aws-sdk-rust", () => "AWS SDK for Rust", "Rust"],
  [(n) => n === "aws-sdk-cpp", () => "AWS SDK for C++", "C++"],
];

function sdk(p: Parsed): { name: string; version: string | null; language: string; label: string } | null {
  for (const [test, name, language] of SDKS) {
    const t = p.tokens.find((x) => test(x.name));
    const v = version(t?.value);
    if (t) return { name: name(v), version: v, language, label: withVersion(name(v), v) };
  }
  return null;
}
const sdkLabel = (p: Parsed) => sdk(p)?.label ?? null;

const SERVICES: Record<string, string> = {
  lambda: "AWS Lambda",
  ssm: "AWS Systems Manager",
  secretsmanager: "AWS Secrets Manager",
};
/** Whole values that mean the console, and what to say about each. */
const CONSOLE: Record<string, string | null> = {
  "console.amazonaws.com": null,
  "signin.amazonaws.com": "sign-in",
  "aws internal": "recorded as AWS Internal",
};
/** Browser tokens in the order to try them (Edge and Chrome UAs also carry `Safari/`). */
const BROWSERS: Record<string, string> = { edg: "Edge", firefox: "Firefox", chrome: "Chrome", version: "Safari" };

function hit(family: string, name: string, version: string | null, detail: string | null): Found {
  return { family, name, version, detail };
}

/** The rule table: first match wins, so the more specific product comes first. */
const RULES: ((p: Parsed) => Found | null | undefined)[] = [
  (p) => {
    const t = token(p, "aws-secrets-manager-agent");
    const name = "AWS Secrets Manager Agent";
    return t && hit("secrets-manager-agent", name, version(t.value), join([sdkLabel(p), runtime(p)]));
  },
  (p) => {
    const t = p.tokens.find((x) => /parameters-?(and-?)?secrets-?lambda-?extension/.test(x.name));
    const name = "AWS Parameters and Secrets Lambda Extension";
    return t && hit("lambda-extension", name, version(t.value), join([runtime(p), environment(p)]));
  },
  (p) => {
    const t = token(p, "awssecretcache") ?? token(p, "awssecretsmanagercachingrust");
    if (!t) return null;
    const language = t.name === "awssecretsmanagercachingrust" ? "Rust" : sdk(p)?.language;
    const name = `Secrets Manager caching client${language ? ` (${language})` : ""}`;
    return hit("caching-client", name, version(t.value), join([sdkLabel(p), runtime(p), environment(p)]));
  },
  (p) => {
    const t = p.tokens.find((x) => x.name.startsWith("stratus-red-team_"));
    if (!t) return null;
    const id = t.name.slice("stratus-red-team_".length);
    const tf = version(token(p, "terraform")?.value);
    const detail = join([UUID.test(id) ? `execution ${id}` : null, tf && `via Terraform ${tf}`]);
    return hit("stratus-red-team", "Stratus Red Team (attack simulation)", null, detail);
  },
  (p) => {
    const t = token(p, "terraform");
    const provider = version(token(p, "terraform-provider-aws")?.value);
    const detail = provider ? `terraform-provider-aws ${provider}` : sdkLabel(p);
    return t && hit("terraform", "Terraform", version(t.value), detail);
  },
  (p) => {
    const t = token(p, "aws-cli");
    if (!t) return null;
    const v = version(t.value);
    const cli = byMajor("AWS CLI", ["1", "2"])(v);
    const raw = token(p, "command")?.value ?? meta(p, "command") ?? "";
    const command = COMMAND.test(raw) ? `aws ${raw.replace(".", " ")}` : null;
    if (token(p, "exec-env")?.value === "CloudShell") return hit("cloudshell", `AWS CloudShell (${cli})`, v, command);
    return hit("aws-cli", cli, v, join([command, os(p), environment(p)]));
  },
  (p) => {
    const lower = p.text.toLowerCase();
    const first = p.tokens[0]?.name ?? "";
    const marker = CONSOLE[lower];
    if (marker !== undefined) return hit("console", "AWS console", null, marker);
    const svc = /^console\.([a-z0-9-]{1,40})\.amazonaws\.com$/.exec(lower);
    if (svc) return hit("console", "AWS console", null, `${svc[1]} console`);
    if (lower.startsWith("aws console") || /^[a-z0-9-]{1,40}console(backend)?$/.test(first)) {
      const label = first === "aws" ? "" : (p.text.split(/[\s,/]/, 1)[0] ?? "");
      return hit("console", "AWS console", null, WORD.test(label) ? label : null);
    }
    if (first !== "mozilla") return null;
    for (const [name, label] of Object.entries(BROWSERS)) {
      const b = version(token(p, name)?.value);
      if (b) return hit("console", "AWS console (browser)", null, `${label} ${b}`);
    }
    return hit("console", "AWS console (browser)", null, null);
  },
  (p) => {
    const host = p.text.toLowerCase();
    if (!HOST.test(host) || host.includes("..")) return null;
    if (host === "cloudformation.amazonaws.com") return hit("cloudformation", "AWS CloudFormation", null, host);
    return hit("aws-service", SERVICES[host.slice(0, -".amazonaws.com".length)] ?? "AWS service", null, host);
  },
  (p) => (token(p, "aws-internal") ? hit("aws-service", "AWS internal caller", null, sdkLabel(p)) : null),
  (p) => {
    const s = sdk(p);
    return s && hit("sdk", s.name, s.version, join([runtime(p) ?? s.language, environment(p)]));
  },
];

/**
 * Parses a CloudTrail `userAgent` into a readable client. Never throws; non-strings and
 * unrecognised values give family `unknown`.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html (`userAgent`)
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-appid.html (SDK user agent, `app/`, `md/`, `ua/2.x` metadata)
 */
export function parseUserAgent(userAgent: string | null | undefined): Client {
  const raw = typeof userAgent === "string" ? userAgent : null;
  if (!raw) return unknownClient(raw);
  // A batch of records repeats the same few user agents: parse each once, and share the result
  // (frozen: a change meant for one read would otherwise show in every read of that agent).
  let client = parsedUserAgents.get(raw);
  if (client === undefined) {
    client = Object.freeze(parseUncached(raw));
    if (parsedUserAgents.size >= MAX_CACHED_USER_AGENTS) parsedUserAgents.clear();
    parsedUserAgents.set(raw, client);
  }
  return client;
}

const MAX_CACHED_USER_AGENTS = 1000;
const parsedUserAgents = new Map<string, Readonly<Client>>();

function unknownClient(raw: string | null): Client {
  return { family: "unknown", name: "Unknown client", version: null, detail: null, raw };
}

function parseUncached(raw: string): Client {
  try {
    const p = parse(raw);
    for (const rule of RULES) {
      const found = rule(p);
      if (found) return { ...found, raw };
    }
  } catch {
    // Defensive only: a bug here must not stop the alert.
  }
  return unknownClient(raw);
}
