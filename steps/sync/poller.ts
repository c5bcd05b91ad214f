// A poller is one small unit of `polyhouse sync`: it runs on its own cadence, reuses a step's code
// for its part of the sources, writes only what changed, and says what it did in one line.
import type { StepContext, UnitFailure } from '../step.ts'

/** In the order `--once` runs them: markets first (tokens for the views), resolutions after the open listing, wallets after the chain. */
export const POLLER_ORDER = ['hot', 'open', 'resolution', 'short', 'chain', 'wallets'] as const
export type PollerName = (typeof POLLER_ORDER)[number]

export interface PollOutcome {
  /** Rows written (new versions, new fills, positions). */
  rows: number
  /** What was looked at and what changed, for the poll's line: "top 3 events by volume · 4 markets upserted". */
  summary: string
  failures: UnitFailure[]
}

export interface Poller {
  readonly name: PollerName
  poll(context: StepContext): Promise<PollOutcome>
}

/** `n thing` / `n things`, with thousands separators. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? noun : plural}`
}
