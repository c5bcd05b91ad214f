// What the services refuse: per-endpoint rate limits (429 + Retry-After) and the eth_getLogs caps
// of JSON-RPC providers, answered with each provider's real error code and message.

/** At most `limit` requests admitted in any sliding window of `windowMs`. */
export interface RateRule {
  limit: number
  windowMs: number
}

// Polymarket's documented limits (https://docs.polymarket.com/api-reference/rate-limits, "Limits
// reset on sliding time windows"): Gamma general 4,000, /events 500, /markets 300, "/markets +
// /events listing" 900, /tags 200; Data API general 1,000, /positions 150 — all per 10 s.
export const DEFAULT_RATE_RULES = {
  'gamma-general': { limit: 4_000, windowMs: 10_000 },
  'gamma-markets': { limit: 300, windowMs: 10_000 },
  'gamma-events': { limit: 500, windowMs: 10_000 },
  'gamma-listing': { limit: 900, windowMs: 10_000 },
  'gamma-tags': { limit: 200, windowMs: 10_000 },
  'data-general': { limit: 1_000, windowMs: 10_000 },
  'data-positions': { limit: 150, windowMs: 10_000 },
} as const satisfies Record<string, RateRule>

export type BucketName = keyof typeof DEFAULT_RATE_RULES | 'rpc'

/** Sliding-window log: a ring of the last `limit` admission times. Exact, O(1) per request. */
export class SlidingWindow {
  private readonly times: Float64Array
  private head = 0
  private filled = 0
  admitted = 0
  rejected = 0
  /** The most requests admitted within any one window so far (the server's own clock). */
  maxInWindow = 0

  constructor(readonly rule: RateRule) {
    this.times = new Float64Array(rule.limit)
  }

  /** Milliseconds until `cost` more requests fit in the window (0: now). A cost above the limit counts as the limit. */
  waitMs(now: number, cost = 1): number {
    const limit = this.rule.limit
    const needed = Math.min(cost, limit) - (limit - this.filled)
    if (needed <= 0) return 0
    const oldest = this.filled < limit ? 0 : this.head
    const expiring = this.times[(oldest + needed - 1) % limit] as number
    return Math.max(0, expiring + this.rule.windowMs - now)
  }

  record(now: number): void {
    this.times[this.head] = now
    this.head = (this.head + 1) % this.rule.limit
    this.filled = Math.min(this.filled + 1, this.rule.limit)
    this.admitted++
    this.maxInWindow = Math.max(this.maxInWindow, this.countInWindow(now))
  }

  /** Admissions in (now − window, now]: the ring holds the last `limit` in time order. */
  private countInWindow(now: number): number {
    let count = 0
    for (let k = 1; k <= this.filled; k++) {
      const time = this.times[(this.head - k + this.rule.limit) % this.rule.limit] as number
      if (time <= now - this.rule.windowMs) break
      count++
    }
    return count
  }
}

export interface BucketSnapshot {
  limit: number
  windowMs: number
  admitted: number
  rejected: number
  maxInWindow: number
}

/** A set of buckets; a request passes only if every bucket it belongs to has room. */
export class RateLimiter {
  private readonly buckets = new Map<string, SlidingWindow>()

  constructor(rules: Partial<Record<BucketName, RateRule>>) {
    for (const [name, rule] of Object.entries(rules))
      if (rule && rule.limit > 0) this.buckets.set(name, new SlidingWindow(rule))
  }

  /** Admits (and records) the request, or says how long to wait. `cost` is the number of calls in a JSON-RPC batch. */
  tryAdmit(
    names: readonly string[],
    now: number,
    cost = 1,
  ): { admitted: true } | { admitted: false; waitMs: number } {
    let waitMs = 0
    const windows: SlidingWindow[] = []
    for (const name of names) {
      const window = this.buckets.get(name)
      if (!window) continue
      windows.push(window)
      waitMs = Math.max(waitMs, window.waitMs(now, cost))
    }
    if (waitMs > 0) {
      for (const window of windows) window.rejected++
      return { admitted: false, waitMs }
    }
    for (const window of windows)
      for (let k = 0; k < Math.min(cost, window.rule.limit); k++) window.record(now)
    return { admitted: true }
  }

  snapshot(): Record<string, BucketSnapshot> {
    const out: Record<string, BucketSnapshot> = {}
    for (const [name, window] of this.buckets) {
      out[name] = {
        ...window.rule,
        admitted: window.admitted,
        rejected: window.rejected,
        maxInWindow: window.maxInWindow,
      }
    }
    return out
  }
}

export type ProviderName = 'alchemy' | 'infura' | 'quicknode' | 'none'

export interface ProviderLimits {
  /** Largest block span (to − from + 1) accepted regardless of results, or Infinity. */
  maxRange: number
  /** Largest result count accepted for wider spans, or Infinity. */
  maxResults: number
  /** Spans up to this many blocks are answered whatever their size (Alchemy's "2K block range"). */
  uncappedRange: number
}

export const PROVIDER_LIMITS: Record<ProviderName, ProviderLimits> = {
  // "up to a 2K block range and no limit on the response size, or ... any block range with a cap
  // of 10K logs in the response" (Alchemy's -32602 message, quoted in getLogsError below).
  alchemy: { maxRange: Number.POSITIVE_INFINITY, maxResults: 10_000, uncappedRange: 2_000 },
  // "query returned more than 10000 results" (Infura -32005): a result cap, no span cap.
  infura: { maxRange: Number.POSITIVE_INFINITY, maxResults: 10_000, uncappedRange: 0 },
  // "eth_getLogs is limited to a 10,000 range" (QuickNode -32614): a span cap, no result cap.
  quicknode: { maxRange: 10_000, maxResults: Number.POSITIVE_INFINITY, uncappedRange: 0 },
  none: { maxRange: Number.POSITIVE_INFINITY, maxResults: Number.POSITIVE_INFINITY, uncappedRange: 0 },
}

export interface RpcError {
  code: number
  message: string
  data?: unknown
}

const hex = (n: number) => `0x${n.toString(16)}`

/**
 * The provider's error for a span that is too wide (before looking at results).
 * QuickNode: `{"code":-32614,"message":"eth_getLogs is limited to a 10,000 range"}` — verbatim in
 * smartcontractkit/chainlink core/chains/evm/client/errors_test.go (Test_IsTooManyResultsError).
 */
export function rangeError(provider: ProviderName, from: number, to: number): RpcError | undefined {
  const limits = PROVIDER_LIMITS[provider]
  if (to - from + 1 <= limits.maxRange) return undefined
  return {
    code: -32614,
    message: `eth_getLogs is limited to a ${limits.maxRange.toLocaleString('en-US')} range`,
  }
}

/**
 * The provider's error when a span returns too many logs; `fitsTo` is the last block whose logs
 * still fit under the cap (the range the provider suggests). Messages are verbatim from
 * smartcontractkit/chainlink errors_test.go:
 *   Alchemy -32602 "Log response size exceeded. You can make eth_getLogs requests with up to a 2K
 *     block range and no limit on the response size, or you can request any block range with a cap
 *     of 10K logs in the response. Based on your parameters and the response size limit, this
 *     block range should work: [0x0, 0x133e71]"
 *   Infura -32005 data {"from":"0xCB3D","limit":10000,"to":"0x7B737"} "query returned more than
 *     10000 results. Try with this block range [0xCB3D, 0x7B737]."
 */
export function resultsError(provider: ProviderName, from: number, fitsTo: number): RpcError {
  if (provider === 'infura') {
    const upper = (n: number) => `0x${n.toString(16).toUpperCase()}`
    return {
      code: -32005,
      data: { from: upper(from), limit: PROVIDER_LIMITS.infura.maxResults, to: upper(fitsTo) },
      message: `query returned more than ${PROVIDER_LIMITS.infura.maxResults} results. Try with this block range [${upper(from)}, ${upper(fitsTo)}].`,
    }
  }
  return {
    code: -32602,
    message:
      'Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit on the response size, ' +
      'or you can request any block range with a cap of 10K logs in the response. Based on your parameters and the response size limit, ' +
      `this block range should work: [${hex(from)}, ${hex(fitsTo)}]`,
  }
}
