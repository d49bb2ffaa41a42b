/** The targets, checked and reported; a missed target never fails the run. */
import type { HandlerBench, Kind, PolicyCase } from "../handler.js";
import type { ReplayBench } from "../replay.js";

export interface Target {
  name: string;
  goal: string;
  value: number | null;
  /** null when it could not be measured. */
  met: boolean | null;
}

export function ratios(a: ReplayBench | undefined) {
  const med = (id: string) => a?.cases.find((c) => c.id === id)?.time?.median ?? Number.NaN;
  const limit = med("limit");
  const floor = med("floor");
  const r1 = med("replay-1");
  const r1p = med("replay-1-policy");
  const rn = med("replay-N");
  const jq = med("jq");
  const start = (id: string) => a?.cases.find((c) => c.id === id)?.startup?.median ?? Number.NaN;
  const nan = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    replay1OverLimit: nan(r1 / limit),
    replay1PolicyOverLimit: nan(r1p / limit),
    replayNOverLimit: nan(rn / limit),
    jqOverReplay1: nan(jq / r1),
    jqOverReplay1Policy: nan(jq / r1p),
    jqOverLimit: nan(jq / limit),
    /** Against gunzip + a byte scan of every file in one process (issue 9's floor for a selective scan). */
    replay1OverFloor: nan(r1 / floor),
    replay1PolicyOverFloor: nan(r1p / floor),
    /** Both minus their start-up cost on an empty file: the per-record work alone. */
    replay1OverLimitNet: nan((r1 - start("replay-1")) / (limit - start("limit"))),
    replay1PolicyOverLimitNet: nan((r1p - start("replay-1-policy")) / (limit - start("limit"))),
    /** The baseline build (another tree, `--baseline`) against this one, same command. */
    baselineOverReplay1Policy: nan(med("baseline-replay-1-policy") / r1p),
  };
}

/** handler median / decode median for one payload and policy (this tree's bundle), or null. */
export function handlerRatio(b: HandlerBench | undefined, kind: Kind, policy: PolicyCase): number | null {
  return b?.cases.find((c) => c.kind === kind && c.policy === policy && c.build === "current")?.ratio ?? null;
}

export function targets(a: ReplayBench | undefined, b: HandlerBench | undefined): Target[] {
  const r = ratios(a);
  const check = (value: number | null, ok: (v: number) => boolean) => (value === null ? null : ok(value));
  const readsPolicy = handlerRatio(b, "reads", "bench");
  const reads = handlerRatio(b, "reads", "default");
  const mixed = handlerRatio(b, "mixed", "default");
  const rules = b ? `${b.policyRules}-rule policy` : "bench policy";
  return [
    {
      name: `handler, reads only, ${rules}, vs decode only`,
      goal: "≤ 2.00×",
      value: readsPolicy,
      met: check(readsPolicy, (v) => v <= 2),
    },
    {
      name: "same, default policy",
      goal: "≤ 2.00×",
      value: reads,
      met: check(reads, (v) => v <= 2),
    },
    {
      name: "handler, mixed (~1% reads), default policy",
      goal: "≤ 2.00×",
      value: mixed,
      met: check(mixed, (v) => v <= 2),
    },
    {
      name: "replay --workers 1 --policy vs the limit",
      goal: "≤ 1.00× (as fast or faster)",
      value: r.replay1PolicyOverLimit,
      met: check(r.replay1PolicyOverLimit, (v) => v <= 1),
    },
    {
      name: "jq vs replay --workers 1 --policy",
      goal: "≥ 3.00×",
      value: r.jqOverReplay1Policy,
      met: check(r.jqOverReplay1Policy, (v) => v >= 3),
    },
    {
      name: "replay --workers 1 --policy vs the floor (gunzip+scan)",
      goal: "≤ 1.50×",
      value: r.replay1PolicyOverFloor,
      met: check(r.replay1PolicyOverFloor, (v) => v <= 1.5),
    },
    {
      name: "replay --workers 1 vs the floor (gunzip+scan)",
      goal: "≤ 1.50×",
      value: r.replay1OverFloor,
      met: check(r.replay1OverFloor, (v) => v <= 1.5),
    },
    {
      name: "jq vs replay --workers 1",
      goal: "≥ 3.00×",
      value: r.jqOverReplay1,
      met: check(r.jqOverReplay1, (v) => v >= 3),
    },
    {
      name: "replay --workers 1 (default policy) vs the limit",
      goal: "≤ 1.00×",
      value: r.replay1OverLimit,
      met: check(r.replay1OverLimit, (v) => v <= 1),
    },
  ];
}
