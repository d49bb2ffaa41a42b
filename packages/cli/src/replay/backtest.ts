/**
 * The backtest both replay and history run: delivery units assessed in event-time order with one
 * state across them (as the Lambda would have seen them), each unit's tamper records planned as
 * the enricher plans them, every plan counted in the alert budget; the units come back placed in
 * input order for printing.
 */
import type { CloudTrailRecord, SecretAccess } from "@secretwatch/core";
import type { Assessor } from "../assessment.js";
import { AlertBudget } from "./budget.js";
import type { PlacedUnit } from "./output.js";
import { planTamperRecords, type TamperSettings } from "./tamper.js";

/** One delivery unit as read: its reads (once across all inputs) and its tamper records. */
export interface BacktestUnit {
  /** Position in the input (the order units are printed in). */
  order: number;
  file: string;
  part: string | null;
  hits: SecretAccess[];
  /** The unit's tamper records of the stage (classified by the reader, planned here). */
  tamper: CloudTrailRecord[];
  /** Earliest event time of the unit (Infinity when none has one). */
  start: number;
}

/** Assesses `units` in event-time order; returns them in input order, with the alert budget. */
export async function backtestUnits(
  units: readonly BacktestUnit[],
  assessor: Assessor,
  tamper: TamperSettings,
  ctx: { app: string; stage: string },
): Promise<{ placed: PlacedUnit[]; budget: AlertBudget }> {
  const budget = new AlertBudget();
  const placed: PlacedUnit[] = new Array(units.length);
  for (const unit of [...units].sort((a, b) => a.start - b.start || a.order - b.order)) {
    const assessed = await assessor.unit(unit.hits);
    budget.add(assessed.plan);
    const planned = unit.tamper.length > 0 ? planTamperRecords(unit.tamper, tamper, ctx) : null;
    if (planned) budget.addTamper(planned);
    placed[unit.order] = { ...assessed, file: unit.file, part: unit.part, tamper: planned };
  }
  return { placed, budget };
}
