/** The targets, checked and reported; a missed target never fails the run. */
import type { HandlerBench } from "../handler.js";
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
  const r1 = med("replay-1");
  const rn = med("replay-N");
  const jq = med("jq");
  const start = (id: string) => a?.cases.find((c) => c.id === id)?.startup?.median ?? Number.NaN;
  const nan = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    replay1OverLimit: nan(r1 / limit),
    replayNOverLimit: nan(rn / limit),
    jqOverReplay1: nan(jq / r1),
    jqOverLimit: nan(jq / limit),
    /** Both minus their start-up cost on an empty file: the per-record work alone. */
    replay1OverLimitNet: nan((r1 - start("replay-1")) / (limit - start("limit"))),
  };
}

export function targets(a: ReplayBench | undefined, b: HandlerBench | undefined): Target[] {
  const r = ratios(a);
  const handlerRatio = (kind: string) => {
    const c = b?.cases.find((x) => x.kind === kind);
    return c ? c.handler.median / c.decode.median : null;
  };
  const mixed = handlerRatio("mixed");
  const reads = handlerRatio("reads");
  const check = (value: number | null, ok: (v: number) => boolean) => (value === null ? null : ok(value));
  return [
    {
      name: "replay --workers 1 vs single-thread limit",
      goal: "≤ 1.00× (as fast or faster)",
      value: r.replay1OverLimit,
      met: check(r.replay1OverLimit, (v) => v <= 1),
    },
    {
      name: "jq vs replay --workers 1",
      goal: "≥ 3.00×",
      value: r.jqOverReplay1,
      met: check(r.jqOverReplay1, (v) => v >= 3),
    },
    {
      name: "handler vs decode only (1 MiB, mixed)",
      goal: "≤ 2.00×",
      value: mixed,
      met: check(mixed, (v) => v <= 2),
    },
    {
      name: "same, secret reads only (as filter delivers)",
      goal: "≤ 2.00× (informative)",
      value: reads,
      met: check(reads, (v) => v <= 2),
    },
  ];
}
