/**
 * This stage's resources, and how a value in a record's `requestParameters` is matched against
 * them. Each API names its resource its own way (a Lambda `functionName` may be a name, a partial
 * ARN or a full ARN, with or without a qualifier; SNS takes a topic ARN, or a subscription ARN
 * that starts with it; CloudWatch takes alarm names, in arrays for some calls): every value is
 * reduced to the resource's name, and names are compared exactly. An ARN of a same-named
 * resource in another account or Region also matches: over-reporting, never under-reporting.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/api/API_DeleteFunction.html (FunctionName formats)
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Unsubscribe.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 */

/** Which list of the scope a catalog entry's resource is looked up in. */
export type ScopeKind = "trail" | "logGroup" | "alarm" | "topic" | "function" | "table" | "kmsKey" | "secret";

/** The stage's resources, by name or ARN (as the stacks know them). */
export interface TamperScope {
  /** The trail(s) that feed the watched log group; null when not known (an existing log group): then every trail counts. */
  trails: readonly string[] | null;
  logGroups: readonly string[];
  alarms: readonly string[];
  /** Topic ARNs (the alert topic, the pager topic...). */
  topics: readonly string[];
  /** The enricher and the digest. */
  functions: readonly string[];
  tables: readonly string[];
  /** Customer managed keys the stage uses (key ARNs or key IDs; aliases cannot be resolved from a record). */
  kmsKeys: readonly string[];
}

/** An empty scope: only Secrets Manager events (which concern every secret) match. */
export const EMPTY_SCOPE: TamperScope = {
  trails: [],
  logGroups: [],
  alarms: [],
  topics: [],
  functions: [],
  tables: [],
  kmsKeys: [],
};

const TRAIL_ARN = /^arn:[^:]+:cloudtrail:[^:]*:[^:]*:trail\/(.+)$/;
const LOG_GROUP_ARN = /^arn:[^:]+:logs:[^:]*:[^:]*:log-group:([^:]+)(?::\*)?$/;
const ALARM_ARN = /^arn:[^:]+:cloudwatch:[^:]*:[^:]*:alarm:(.+)$/;
/** `arn:…:lambda:<region>:<account>:function:<name>[:<qualifier>]`, `<account>:function:<name>[:q]`, `<name>[:q]`. */
const FUNCTION_REF = /^(?:arn:[^:]+:lambda:[^:]*:)?(?:[^:]*:function:)?([^:]+)(?::([^:]+))?$/;
const TABLE_ARN = /^arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/([^/]+)(?:\/.*)?$/;
const KEY_ARN = /^arn:[^:]+:kms:[^:]*:[^:]*:key\/(.+)$/;
/** A subscription ARN is the topic ARN followed by `:<subscription id>`. */
const SUBSCRIPTION_ARN = /^(arn:[^:]+:sns:[^:]*:[^:]*:[^:]+):[^:]+$/;

/** A resource reference reduced to what is compared, and any qualifier it carried. */
export interface ResourceRef {
  name: string;
  /** A Lambda version or alias (`name:1`, `…:function:name:prod`). */
  qualifier: string | null;
}

const plain = (name: string): ResourceRef => ({ name, qualifier: null });

/** The name a value refers to, for one kind of resource; null for a value that is not text. */
export function resourceRef(kind: ScopeKind, value: unknown): ResourceRef | null {
  if (typeof value !== "string" || value === "") return null;
  switch (kind) {
    case "trail":
      return plain(TRAIL_ARN.exec(value)?.[1] ?? value);
    case "logGroup":
      return plain(LOG_GROUP_ARN.exec(value)?.[1] ?? value);
    case "alarm":
      return plain(ALARM_ARN.exec(value)?.[1] ?? value);
    case "topic":
      return plain(SUBSCRIPTION_ARN.exec(value)?.[1] ?? value);
    case "function": {
      const m = FUNCTION_REF.exec(value);
      return m?.[1] ? { name: m[1], qualifier: m[2] ?? null } : plain(value);
    }
    case "table":
      return plain(TABLE_ARN.exec(value)?.[1] ?? value);
    case "kmsKey":
      return plain(KEY_ARN.exec(value)?.[1] ?? value);
    case "secret":
      return plain(value);
  }
}

function listOf(scope: TamperScope, kind: ScopeKind): readonly string[] | null {
  switch (kind) {
    case "trail":
      return scope.trails;
    case "logGroup":
      return scope.logGroups;
    case "alarm":
      return scope.alarms;
    case "topic":
      return scope.topics;
    case "function":
      return scope.functions;
    case "table":
      return scope.tables;
    case "kmsKey":
      return scope.kmsKeys;
    case "secret":
      return null;
  }
}

/**
 * The first of `values` that refers to a resource of the scope, as its {@link ResourceRef}; for
 * `secret` (every secret) and an unknown trail list (null), the first usable value, or a
 * placeholder when the record names none. Null when none is in scope.
 */
export function inScope(scope: TamperScope, kind: ScopeKind, values: readonly unknown[]): ResourceRef | null {
  const list = listOf(scope, kind);
  const refs = values.map((v) => resourceRef(kind, v)).filter((r): r is ResourceRef => r !== null);
  if (list === null) return refs[0] ?? plain("(not recorded)");
  const names = new Set(list.map((entry) => resourceRef(kind, entry)?.name).filter(Boolean));
  return refs.find((ref) => names.has(ref.name)) ?? null;
}
