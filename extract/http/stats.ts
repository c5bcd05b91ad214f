// Counters per endpoint family, for progress lines and benches (requests/s against the limit).
import type { LimiterState } from './limiter.ts'

export interface FamilyCounters {
  /** Attempts sent (each retry counts again). */
  requests: number
  /** Calls that returned data. */
  succeeded: number
  /** Failed attempts that were tried again. */
  retries: number
  /** 429 answers and Cloudflare 1015 pages. */
  rateLimited: number
  /** Failed attempts of any kind (429s, 5xx, timeouts, resets, bad bodies, 4xx). */
  errors: number
  /** Calls that gave up: a non-retryable error, or every attempt failed. */
  failed: number
  /** Response body bytes received, after decompression. */
  bytes: number
  /** Attempts on the wire now. */
  inFlight: number
  /** Clock ms (performance.now) of the first and the latest attempt; undefined before any. */
  firstRequestAt: number | undefined
  lastRequestAt: number | undefined
}

export interface FamilyStats extends FamilyCounters, Omit<LimiterState, 'family'> {
  family: string
  /** Attempts per second between the first and the latest attempt (0 before two attempts). */
  requestsPerSecond: number
}

export function emptyCounters(): FamilyCounters {
  return {
    requests: 0,
    succeeded: 0,
    retries: 0,
    rateLimited: 0,
    errors: 0,
    failed: 0,
    bytes: 0,
    inFlight: 0,
    firstRequestAt: undefined,
    lastRequestAt: undefined,
  }
}

export class HttpStats {
  readonly #families = new Map<string, FamilyCounters>()

  /** The live counters of a family (created on first use); the client mutates them. */
  counters(family: string): FamilyCounters {
    let counters = this.#families.get(family)
    if (!counters) {
      counters = emptyCounters()
      this.#families.set(family, counters)
    }
    return counters
  }

  /** A copy of every family's counters joined with its limiter's state. */
  snapshot(limiters: readonly LimiterState[]): FamilyStats[] {
    return limiters.map(({ family, ...limiter }) => {
      const counters = { ...(this.#families.get(family) ?? emptyCounters()) }
      const span = (counters.lastRequestAt ?? 0) - (counters.firstRequestAt ?? 0)
      const requestsPerSecond =
        counters.requests > 1 && span > 0 ? ((counters.requests - 1) * 1_000) / span : 0
      return { family, ...counters, ...limiter, requestsPerSecond }
    })
  }
}

/** One line per active family: `gamma-markets 29.2 req/s (limit 300/10s, now 29.4/s) 1200 req, 3 retries, 1 429, 0 failed, 84.1 MB`. */
export function formatFamilyStats(stats: FamilyStats): string {
  const throttled =
    stats.currentPerSecond < stats.maxPerSecond ? `, now ${stats.currentPerSecond.toFixed(1)}/s` : ''
  const paused = stats.pausedForMs > 0 ? `, paused ${(stats.pausedForMs / 1_000).toFixed(1)} s` : ''
  return (
    `${stats.family} ${stats.requestsPerSecond.toFixed(1)} req/s (limit ${stats.limit}${throttled}${paused}) ` +
    `${stats.requests} req, ${stats.retries} retries, ${stats.rateLimited} 429s, ${stats.failed} failed, ` +
    `${(stats.bytes / 1e6).toFixed(1)} MB`
  )
}
