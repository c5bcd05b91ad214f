// A step moves one source into the warehouse under the checkpoint protocol: fetch a unit, validate,
// commit its rows, then record it done. Steps are where extract/ meets load/; the backfill runs them
// in order, each resuming on its own.
import type { CheckpointStore } from '../checkpoints/store.ts'
import type { RunLog } from '../load/run-log.ts'
import type { Warehouse } from '../load/warehouse.ts'

export type StepName = 'markets' | 'chain' | 'transfers' | 'activity' | 'amm' | 'owners' | 'wallets' | 'views'

/**
 * The promise to operators is a progress line per step at least every 10 s. The timer fires late
 * when the event loop is busy (decoding a large eth_getLogs answer, the engine's synchronous calls):
 * a simulated night with a 10 s timer showed gaps of up to 11.5 s, so it ticks every 8 s.
 */
export const PROGRESS_INTERVAL_MS = 8_000

/** What a step reports as it goes; the backfill turns it into log lines or progress bars. */
export interface StepProgress {
  /** Units finished (pages, blocks, wallets). */
  done: number
  /** Units in all, when known. */
  total?: number
  /** What a unit is, for people: "pages", "blocks", "wallets". */
  unit: string
  rows: number
  errors: number
}

export interface StepReporter {
  update(progress: Partial<StepProgress>): void
  /** A line worth keeping in the log (a reorg, a shrunk range), not progress. */
  note(message: string): void
}

export interface StepContext {
  warehouse: Warehouse
  checkpoints: CheckpointStore
  runLog: RunLog
  /** Aborted on SIGINT/SIGTERM: take no new units, let in-flight ones commit or drop. */
  signal: AbortSignal
  reporter: StepReporter
}

/** A unit that failed after its retries; it stays not-done and is retried by the next run. */
export interface UnitFailure {
  unit: string
  error: string
}

export interface StepOutcome {
  rows: number
  failures: UnitFailure[]
  /** False when interrupted or when units remain (for example --max-wallets). */
  complete: boolean
}

/** What `--dry-run` prints for a step: done, remaining, and the cost of the rest at the rate limits. */
export interface StepPlan {
  unit: string
  done: number
  remaining: number
  /** Requests the remaining work needs (an estimate when the source does not say). */
  requests: number
  /** Seconds those requests take at the configured rate limits. */
  seconds: number
  detail?: string
}

export interface Step {
  readonly name: StepName
  plan(context: Omit<StepContext, 'reporter' | 'runLog'>): Promise<StepPlan>
  run(context: StepContext): Promise<StepOutcome>
  /** Discards the step's progress (`--fresh`); its rows stay and are replaced as units re-run. */
  reset(context: Omit<StepContext, 'reporter' | 'runLog'>): Promise<void>
}
