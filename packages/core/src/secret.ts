/**
 * Which secret (or secrets) a retrieval asked for: one canonical key per secret, whether it
 * was named or given by ARN, and the shape of a batch request.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html#iam-resources
 */
import { isJsonObject, stringOrNull } from "./decode.js";
import type { BatchDetails } from "./types.js";

/** `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>` (names hold no `:`). */
const SECRET_ARN = /^arn:[a-z0-9-]+:secretsmanager:[^:]*:[^:]*:secret:([^:]+)$/;
/** Secrets Manager appends `-` and six random characters to the name in a full ARN. */
const RANDOM_SUFFIX = /^(.+)-[A-Za-z0-9]{6}$/;
const SECRET_RESOURCE_TYPE = "AWS::SecretsManager::Secret";

/**
 * The key that names a secret the same way however it was requested: a full ARN
 * `…:secret:<name>-AbC123` gives `<name>` and keeps the ARN; a name stays as it is. A partial
 * ARN whose name happens to end in `-` and six letters/digits cannot be told from a full ARN
 * (AWS warns against such names) and loses that ending.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/troubleshoot.html#ARN_secretnamehyphen
 */
export function canonicalSecretKey(secretId: string): { key: string; arn: string | null } {
  const name = arnName(secretId);
  if (name === null) return { key: secretId, arn: null };
  return { key: withoutSuffix(name) ?? name, arn: secretId };
}

/**
 * The name a secret ARN ends in ({@link SECRET_ARN}'s group: the text after its last `:`), or
 * null for any other text. Tested, then cut: no match array is made for every read.
 */
function arnName(id: string): string | null {
  return SECRET_ARN.test(id) ? id.slice(id.lastIndexOf(":") + 1) : null;
}

/** `name` without a final `-` and six letters or digits ({@link RANDOM_SUFFIX}'s group), or null when it has none. */
function withoutSuffix(name: string): string | null {
  return RANDOM_SUFFIX.test(name) ? name.slice(0, -7) : null;
}

/**
 * The names an ARN may stand for, for the patterns that raise a read (decoys, sensitive): the
 * name it ends in, as written and without a final `-` and six letters or digits. A full ARN ends
 * in Secrets Manager's random suffix, but a partial ARN of a name that ends that way
 * (`…:secret:canary/db-backup`) is the same text, and {@link canonicalSecretKey} then keys the
 * read as `canary/db`: a decoy named `canary/db-backup` must still see it. Empty for a text that
 * is not a secret ARN.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/troubleshoot.html#ARN_secretnamehyphen
 */
export function arnNameVariants(id: string): string[] {
  const name = arnName(id);
  if (!name) return [];
  const stripped = withoutSuffix(name);
  return stripped ? [name, stripped] : [name];
}

/**
 * The ARN of the first `resources[]` entry of type `AWS::SecretsManager::Secret`, if any.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
export function secretArnFromResources(resources: unknown): string | null {
  if (!Array.isArray(resources)) return null;
  for (const resource of resources as unknown[]) {
    if (!isJsonObject(resource) || resource.type !== SECRET_RESOURCE_TYPE) continue;
    // Older Secrets Manager records spelt the key `aRN`.
    const arn = stringOrNull(resource.ARN) ?? stringOrNull(resource.aRN) ?? stringOrNull(resource.arn);
    if (arn !== null) return arn;
  }
  return null;
}

function strings(value: unknown): string[] | null {
  return Array.isArray(value) ? (value as unknown[]).filter((v): v is string => typeof v === "string") : null;
}

function parseFilters(value: unknown): BatchDetails["filters"] {
  if (!Array.isArray(value)) return null;
  const filters: { key: string; values: string[] }[] = [];
  for (const filter of value as unknown[]) {
    if (!isJsonObject(filter) || typeof filter.key !== "string") continue;
    filters.push({ key: filter.key, values: strings(filter.values) ?? [] });
  }
  return filters;
}

/** Why the filters of a batch can sweep up many secrets. */
function broadReasons(filters: { key: string; values: string[] }[]): string[] {
  if (filters.length === 0) return [];
  const reasons = ["filter-based batch can return every matching secret"];
  for (const { key, values } of filters) {
    if (key === "all") reasons.push(`filter key "all" matches names, descriptions, tags and more`);
    if (key === "tag-key") reasons.push("tag-key filter matches every secret that carries the tag");
    for (const value of values) {
      const negated = value.startsWith("!");
      const term = negated ? value.slice(1) : value;
      if (negated) reasons.push(`negated filter value "${value}" matches every secret except those`);
      if (term.length <= 2) reasons.push(`very short filter value "${value}" matches many secrets`);
    }
  }
  return reasons;
}

/**
 * Details of a `BatchGetSecretValue` request. A batch by `filters` is broad (it returns whatever
 * matches, up to 20 per page); a batch by `secretIdList` names its secrets and is not. Odd
 * shapes give `null`, never an exception.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_BatchGetSecretValue.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_Filter.html
 */
export function batchDetails(requestParameters: unknown): BatchDetails {
  const params = isJsonObject(requestParameters) ? requestParameters : {};
  const filters = parseFilters(params.filters);
  const reasons = broadReasons(filters ?? []);
  return { filters, secretIdList: strings(params.secretIdList), broad: reasons.length > 0, broadReasons: reasons };
}
