/**
 * The Lambda's assessment, run by the CLI over many delivery units with one in-memory state:
 * replay's backtest of a policy (first-seen, rapid retrieval and repeat suppression as the
 * Lambda would have had them), lookup and redrive. Units are assessed in event-time order; the
 * state learns from each unit once its alerts are "sent", as the Lambda's would.
 */
import {
  type AssessedAccess,
  assessAndPlan,
  type CompiledPolicy,
  compilePolicy,
  DEFAULT_POLICY,
  emailedMemos,
  InMemoryStateStore,
  type Plan,
  PolicyMatcher,
  type SecretAccess,
  stateRequest,
} from "@secretwatch/core";

export interface AssessorOptions {
  app: string;
  stage: string;
  /** Alerts per unit before the summary (the Lambda's cap); lookup prints them all. */
  maxMessages?: number;
  /** Reads before this time (epoch ms) only teach the state. */
  baselineUntil?: number;
  /** Assess as the Lambda without a state store does (no first-seen, `state-unavailable`). */
  stateless?: boolean;
}

export interface AssessedUnit {
  hits: AssessedAccess[];
  plan: Plan;
}

/** The default policy, compiled, for commands run without a policy file. */
export const DEFAULT_COMPILED_POLICY: CompiledPolicy = compilePolicy(DEFAULT_POLICY, "defaults");

/** Whether a hit's alert would be emailed (as its own alert, or listed in the summary). */
export function emailedIn(plan: Plan): Map<AssessedAccess, boolean> {
  return new Map(plan.decisions.map((d) => [d.hit, d.outcome === "alert" || d.outcome === "summary"]));
}

export class Assessor {
  readonly matcher: PolicyMatcher;
  private readonly store = new InMemoryStateStore();

  constructor(
    readonly policy: CompiledPolicy,
    private readonly options: AssessorOptions,
  ) {
    this.matcher = new PolicyMatcher(policy.policy);
  }

  /** One delivery unit, as one Lambda invocation with the state so far. */
  async unit(hits: readonly SecretAccess[]): Promise<AssessedUnit> {
    const snapshot = this.options.stateless ? null : await this.store.load(stateRequest(hits, this.matcher));
    const {
      hits: assessed,
      plan,
      update,
    } = assessAndPlan(hits, {
      matcher: this.matcher,
      snapshot,
      app: this.options.app,
      stage: this.options.stage,
      ...(this.options.maxMessages !== undefined && { maxMessages: this.options.maxMessages }),
      ...(this.options.baselineUntil !== undefined && { baselineUntil: this.options.baselineUntil }),
    });
    await this.store.save({ accesses: update.accesses, alerts: emailedMemos(plan) });
    return { hits: assessed, plan };
  }
}
