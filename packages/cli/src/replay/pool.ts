/**
 * Spreads input files over lanes (worker threads, or inline) and hands results back strictly in
 * input order. Memory stays bounded: at most a window of files is dispatched ahead of the
 * oldest unfinished one, and only their hits are held.
 */
import type { InputEntry } from "./files.js";
import { inlineLane, type Lane, type LaneEvents, workerEntry, workerLane } from "./lanes.js";
import type { FileReport, ProcessorConfig, ProcessorMessage, UnitResult } from "./protocol.js";

/** Files queued per lane: one being read, the next ones loading meanwhile. */
const PER_LANE = 3;

export interface PoolHandlers {
  /** A path that yielded no file to read (missing, unreadable directory, ignored by name). */
  entry(entry: Exclude<InputEntry, { kind: "file" }>): void | Promise<void>;
  unit(unit: UnitResult, file: string): void | Promise<void>;
  file(report: FileReport): void | Promise<void>;
}

interface Slot {
  path: string;
  units: UnitResult[];
  report: FileReport | null;
  entry: Exclude<InputEntry, { kind: "file" }> | null;
  lane: Lane | null;
}

export interface PoolOptions {
  workers: number;
  config: ProcessorConfig;
}

/**
 * Lanes opened on demand, up to `workers` threads (or one inline lane for one worker, or when no
 * worker script exists): a file goes to an idle lane, else a new one, else the least busy.
 */
function laneSet(options: PoolOptions, events: LaneEvents) {
  const entry = options.workers > 1 ? workerEntry() : null;
  const max = entry ? options.workers : 1;
  const lanes: Lane[] = [];
  const open = () => (entry ? workerLane(entry, options.config, events) : inlineLane(options.config, events));
  return {
    /** Files dispatched but not yet read, at most. */
    window: max * (PER_LANE + 2),
    hasRoom: () => lanes.length < max || lanes.some((lane) => lane.busy < PER_LANE),
    pick(): Lane {
      const idle = lanes.find((lane) => lane.busy === 0);
      if (idle) return idle;
      if (lanes.length < max) return lanes[lanes.push(open()) - 1]!;
      return lanes.reduce((a, b) => (b.busy < a.busy ? b : a));
    },
    close: () => Promise.all(lanes.map((lane) => lane.close())),
  };
}

/** Reads every file of `entries`, calling `handlers` in input order; resolves when all are handled. */
export async function runPool(entries: AsyncIterable<InputEntry>, options: PoolOptions, handlers: PoolHandlers) {
  const iterator = entries[Symbol.asyncIterator]();
  const slots = new Map<number, Slot>();
  let [cursor, next, exhausted, pumping, again] = [0, 0, false, false, false];
  let drained: Promise<void> = Promise.resolve();
  let settle: { resolve(): void; reject(error: unknown): void } | undefined;
  const finished = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  let failure: unknown = null;
  const fail = (error: unknown) => {
    failure ??= error;
    settle?.reject(failure);
  };

  const lanes = laneSet(options, {
    message: (message: ProcessorMessage) => {
      const index = message.type === "unit" ? message.unit.index : message.report.index;
      const slot = slots.get(index);
      if (!slot) return;
      if (message.type === "unit") slot.units.push(message.unit);
      else {
        slot.report = message.report;
        if (slot.lane) slot.lane.busy--;
        void pump();
      }
      schedule();
    },
    error: fail,
  });

  /** Hands over everything ready at the cursor, in order; one drain runs at a time. */
  async function drain(): Promise<void> {
    for (let slot = slots.get(cursor); slot && failure === null; slot = slots.get(cursor)) {
      for (let unit = slot.units.shift(); unit; unit = slot.units.shift()) await handlers.unit(unit, slot.path);
      if (slot.entry) await handlers.entry(slot.entry);
      else if (slot.report) await handlers.file(slot.report);
      else return;
      slots.delete(cursor++);
      void pump();
    }
    if (exhausted && cursor === next) settle?.resolve();
  }
  function schedule(): void {
    drained = drained.then(drain).catch(fail);
  }

  /** Dispatches files while the window and the lanes have room. */
  async function pump(): Promise<void> {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        while (!exhausted && failure === null && next < cursor + lanes.window && lanes.hasRoom()) {
          const step = await iterator.next();
          if (step.done) exhausted = true;
          else if (step.value.kind === "file") {
            const lane = lanes.pick();
            slots.set(next, { path: step.value.path, units: [], report: null, entry: null, lane });
            lane.busy++;
            lane.post({ index: next++, path: step.value.path });
          } else slots.set(next++, { path: step.value.path, units: [], report: null, entry: step.value, lane: null });
        }
      } while (again);
    } catch (error) {
      fail(error);
    } finally {
      pumping = false;
    }
    schedule();
  }

  void pump();
  try {
    await finished;
  } finally {
    await lanes.close();
    await iterator.return?.();
  }
}
