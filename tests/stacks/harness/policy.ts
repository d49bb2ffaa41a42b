/**
 * IAM policy documents under Pulumi mocks.
 *
 * `aws.iam.getPolicyDocument` is computed by the provider, which does not run under mocks
 * (they would echo the inputs and every policy would come out empty). `renderPolicyDocument`
 * turns its inputs into the JSON the provider would produce, following the Terraform data
 * source's rules: a one-element list becomes a bare string, principals are grouped by type,
 * `{type: "*", identifiers: ["*"]}` becomes `"Principal": "*"`, and conditions are grouped by
 * operator, then by key.
 *
 * `readPolicy` parses such JSON back into a normal form that tests can compare exactly:
 * lists always lists, principals always `{ type: [ids] }` or `"*"`.
 */

type Values = string | string[];
type Principal = "*" | Record<string, Values>;

interface InputStatement {
  sid?: string;
  effect?: string;
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  notResources?: string[];
  principals?: { type: string; identifiers: string[] }[];
  notPrincipals?: { type: string; identifiers: string[] }[];
  conditions?: { test: string; variable: string; values: string[] }[];
}

const single = (values: string[]): Values => (values.length === 1 ? (values[0] as string) : values);

function principalBlock(principals: { type: string; identifiers: string[] }[]): Principal {
  if (principals.length === 1 && principals[0]?.type === "*" && principals[0].identifiers.join() === "*") return "*";
  const grouped: Record<string, string[]> = {};
  for (const p of principals) grouped[p.type] = [...(grouped[p.type] ?? []), ...p.identifiers];
  return Object.fromEntries(Object.entries(grouped).map(([type, ids]) => [type, single(ids)]));
}

function conditionBlock(conditions: NonNullable<InputStatement["conditions"]>) {
  const block: Record<string, Record<string, Values>> = {};
  for (const c of conditions) {
    const byKey = block[c.test] ?? {};
    const previous = byKey[c.variable];
    const values = previous === undefined ? c.values : [...[previous].flat(), ...c.values];
    byKey[c.variable] = single(values);
    block[c.test] = byKey;
  }
  return block;
}

/** What the provider's `getPolicyDocument` returns, from its inputs. */
export function renderPolicyDocument(inputs: { version?: string; statements?: InputStatement[] }) {
  const Statement = (inputs.statements ?? []).map((s) => ({
    ...(s.sid ? { Sid: s.sid } : {}),
    Effect: s.effect ?? "Allow",
    ...(s.principals?.length ? { Principal: principalBlock(s.principals) } : {}),
    ...(s.notPrincipals?.length ? { NotPrincipal: principalBlock(s.notPrincipals) } : {}),
    ...(s.actions?.length ? { Action: single(s.actions) } : {}),
    ...(s.notActions?.length ? { NotAction: single(s.notActions) } : {}),
    ...(s.resources?.length ? { Resource: single(s.resources) } : {}),
    ...(s.notResources?.length ? { NotResource: single(s.notResources) } : {}),
    ...(s.conditions?.length ? { Condition: conditionBlock(s.conditions) } : {}),
  }));
  const json = JSON.stringify({ Version: inputs.version ?? "2012-10-17", Statement }, null, 2);
  return { ...inputs, id: "rendered", json, minifiedJson: JSON.stringify(JSON.parse(json)) };
}

/** A statement in normal form: every list a list. */
export interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: "*" | Record<string, string[]>;
  Action: string[];
  Resource: string[];
  NotAction?: string[];
  NotResource?: string[];
  Condition: Record<string, Record<string, string[]>>;
}

const list = (v: unknown): string[] => (v === undefined ? [] : ([] as string[]).concat(v as string[]));

/** Parses a policy document (JSON text) into statements in normal form. */
export function readPolicy(json: unknown): Statement[] {
  if (typeof json !== "string") throw new Error(`expected policy JSON text, got ${typeof json}: ${String(json)}`);
  const doc = JSON.parse(json) as { Version?: string; Statement: unknown };
  if (doc.Version !== "2012-10-17") throw new Error(`unexpected policy version ${doc.Version}`);
  return list(doc.Statement as never).map((raw) => {
    const s = raw as unknown as Record<string, any>;
    const principal =
      s.Principal === undefined
        ? undefined
        : s.Principal === "*"
          ? "*"
          : Object.fromEntries(Object.entries(s.Principal).map(([k, v]) => [k, list(v)]));
    const condition = Object.fromEntries(
      Object.entries((s.Condition ?? {}) as Record<string, Record<string, unknown>>).map(([op, byKey]) => [
        op,
        Object.fromEntries(Object.entries(byKey).map(([k, v]) => [k, list(v)])),
      ]),
    );
    return {
      ...(s.Sid ? { Sid: s.Sid } : {}),
      Effect: s.Effect,
      ...(principal ? { Principal: principal } : {}),
      Action: list(s.Action),
      Resource: list(s.Resource),
      ...(s.NotAction ? { NotAction: list(s.NotAction) } : {}),
      ...(s.NotResource ? { NotResource: list(s.NotResource) } : {}),
      Condition: condition,
    } as Statement;
  });
}

/** Every action an Allow statement grants, across statements. */
export function allowedActions(statements: Statement[]): string[] {
  return statements.filter((s) => s.Effect === "Allow").flatMap((s) => s.Action);
}

/** IAM `ArnLike`: `*` matches any run of characters, `?` any one character. */
export function arnLike(pattern: string, arn: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${regex}$`).test(arn);
}
