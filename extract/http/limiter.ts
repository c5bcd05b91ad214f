// Paces request starts per endpoint family so the documented limit is kept before the server
// complains. A token bucket per family; the rate adapts (AIMD: halve on 429, creep back up on
// success) and the whole family pauses when a server sends Retry-After. It paces starts only:
// any number of requests may be in flight, so 15 req/s with 100 ms latency runs ~2 at a time.
import { InterruptedError, InvariantError } from '../../core/errors.ts'
import { formatRate, type RateLimit } from './rates.ts'

/**
 * Fraction of the documented limit left unused. Arrivals at the server are spread by network
 * latency jitter (the simulator's 100 ± 50 ms); 2% of 150/10 s is 3 requests of slack, ~200 ms of
 * jitter. Small enough for the positions bench (≤ 1.05 × the rate-limit floor).
 */
export const HEADROOM_FRACTION = 0.02
/**
 * Tokens an idle family may save up. A bucket of C tokens refilling at r admits C + r·W requests
 * in a window W, so anything above 1 eats into the headroom; 1 spaces starts evenly.
 */
export const BURST_TOKENS = 1
/**
 * How far apart in time the server may see two starts we made back to back: network latency
 * jitter (the simulator's 100 ± 50 ms). Starts made within this much of a window's end can land
 * inside it, so the headroom must hold them.
 */
export const ARRIVAL_JITTER_MS = 100

/**
 * Extra tokens a busy family may hold: timers fire late, and a blocked event loop (parsing a large
 * page, a garbage collection: 100–150 ms seen while walking Gamma) holds them back further. While
 * callers wait, that lateness is carried to the next starts instead of lost, so starts keep the
 * ideal schedule. A family's carry is what its headroom has left once the jitter is paid for:
 * count × HEADROOM_FRACTION − rate × ARRIVAL_JITTER_MS − BURST_TOKENS (2 for Gamma's 300/10 s,
 * 4 for 500/10 s), and at least 1, which timer lateness alone needs (measured at 98 starts/s:
 * capping at BURST_TOKENS lost ~10% of the rate).
 */
function latenessTokens(count: number, maxRatePerMs: number): number {
  return Math.max(
    1,
    Math.floor(count * HEADROOM_FRACTION - maxRatePerMs * ARRIVAL_JITTER_MS - BURST_TOKENS + TOKEN_EPSILON),
  )
}
/** Multiplicative decrease on a 429: halve the rate (AIMD, as in TCP congestion control). */
export const DECREASE_FACTOR = 0.5
/** Additive increase per success, as a fraction of the limit: half speed to full in 25 answers. */
export const INCREASE_FRACTION = 0.02
/** The rate never falls below this fraction of the limit (four halvings): 429s slow, never stall. */
export const MIN_RATE_FRACTION = 1 / 16
/** Float slack when comparing token counts (a refill of exactly one token may sum to 0.9999…). */
const TOKEN_EPSILON = 1e-9

/** Time for the limiter; tests pass a fake one. `now` is monotonic milliseconds. */
export interface Clock {
  now(): number
  setTimer(callback: () => void, ms: number): unknown
  clearTimer(handle: unknown): void
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer: (callback, ms) => setTimeout(callback, ms),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
}

export interface LimiterState {
  family: string
  /** The configured limit, e.g. `150/10s`. */
  limit: string
  /** Starts per second allowed at full speed (the limit less the headroom). */
  maxPerSecond: number
  /** Starts per second allowed now, after adapting to 429s. */
  currentPerSecond: number
  /** Callers waiting for a start. */
  waiting: number
  /** Milliseconds left in a Retry-After pause (0 when not paused). */
  pausedForMs: number
  /** How many times a 429 has cut the rate. */
  decreases: number
}

interface Waiter {
  resolve: (grantedAt: number) => void
  reject: (error: unknown) => void
  signal: AbortSignal | undefined
  onAbort: () => void
}

export class RateLimiter {
  readonly #clock: Clock
  /** Rates are in tokens per millisecond. */
  readonly #maxRate: number
  readonly #minRate: number
  readonly #lateness: number
  #rate: number
  #tokens = BURST_TOKENS
  #refilledAt: number
  #pausedUntil = Number.NEGATIVE_INFINITY
  #lastDecreaseAt = Number.NEGATIVE_INFINITY
  #decreases = 0
  readonly #waiters: Waiter[] = []
  #timer: unknown

  constructor(
    readonly family: string,
    readonly limit: RateLimit,
    options: { clock?: Clock } = {},
  ) {
    if (!(limit.count > 0 && limit.windowMs > 0)) {
      throw new RangeError(`rate limit of ${family} must be positive: got ${limit.count}/${limit.windowMs}ms`)
    }
    this.#clock = options.clock ?? systemClock
    this.#maxRate = (limit.count * (1 - HEADROOM_FRACTION)) / limit.windowMs
    this.#minRate = this.#maxRate * MIN_RATE_FRACTION
    this.#lateness = latenessTokens(limit.count, this.#maxRate)
    this.#rate = this.#maxRate
    this.#refilledAt = this.#clock.now()
  }

  /**
   * Waits for this family's next start and resolves with its time (clock ms); pass that time to
   * `onRateLimited` so 429s from requests sent before a cut do not cut again. Callers are served
   * in arrival order. Rejects with InterruptedError when `signal` aborts.
   */
  acquire(signal?: AbortSignal): Promise<number> {
    if (signal?.aborted) return Promise.reject(interrupted(this.family, signal))
    const now = this.#clock.now()
    if (this.#waiters.length === 0 && this.#take(now)) return Promise.resolve(now)
    return new Promise<number>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.#waiters.indexOf(waiter)
          if (index >= 0) this.#waiters.splice(index, 1)
          reject(interrupted(this.family, signal))
          this.#schedule()
        },
      }
      signal?.addEventListener('abort', waiter.onAbort, { once: true })
      this.#waiters.push(waiter)
      this.#schedule()
    })
  }

  /** A request of this family succeeded: additive increase, up to the configured limit. */
  onSuccess(): void {
    if (this.#rate >= this.#maxRate) return
    this.#refill(this.#clock.now())
    this.#rate = Math.min(this.#maxRate, this.#rate + this.#maxRate * INCREASE_FRACTION)
    if (this.#waiters.length > 0) this.#schedule()
  }

  /**
   * The server answered 429: halve the rate — once per burst of 429s, since requests started
   * before the last cut (`startedAt` < that cut) were paced at the old rate — and pause the
   * family for `retryAfterMs` when the server said how long. True when that pause is news (`pause`).
   */
  onRateLimited(options: { startedAt?: number; retryAfterMs?: number | undefined } = {}): boolean {
    const paused = options.retryAfterMs !== undefined && this.pause(options.retryAfterMs)
    if (options.startedAt !== undefined && options.startedAt < this.#lastDecreaseAt) return paused
    const now = this.#clock.now()
    this.#refill(now)
    this.#rate = Math.max(this.#minRate, this.#rate * DECREASE_FACTOR)
    this.#tokens = 0
    this.#lastDecreaseAt = now
    this.#decreases++
    this.#schedule()
    return paused
  }

  /**
   * No start of this family before `ms` from now (a Retry-After); no burst after it either. True
   * when this moved the end of the pause later (a pause already as long says nothing new).
   */
  pause(ms: number): boolean {
    const now = this.#clock.now()
    const until = now + Math.max(0, ms)
    if (until <= this.#pausedUntil) return false
    this.#refill(now)
    this.#pausedUntil = until
    this.#tokens = 0
    this.#schedule()
    return true
  }

  state(): LimiterState {
    const now = this.#clock.now()
    return {
      family: this.family,
      limit: formatRate(this.limit),
      maxPerSecond: this.#maxRate * 1_000,
      currentPerSecond: this.#rate * 1_000,
      waiting: this.#waiters.length,
      pausedForMs: Math.max(0, this.#pausedUntil - now),
      decreases: this.#decreases,
    }
  }

  /** Adds the tokens earned since the last refill; none accrue while paused. */
  #refill(now: number): void {
    const from = Math.max(this.#refilledAt, this.#pausedUntil)
    const cap = this.#waiters.length > 0 ? BURST_TOKENS + this.#lateness : BURST_TOKENS
    if (now > from) this.#tokens = Math.min(cap, this.#tokens + (now - from) * this.#rate)
    this.#refilledAt = Math.max(this.#refilledAt, now)
  }

  #take(now: number): boolean {
    this.#refill(now)
    if (now < this.#pausedUntil || this.#tokens < 1 - TOKEN_EPSILON) return false
    this.#tokens -= 1
    return true
  }

  #release = (): void => {
    this.#timer = undefined
    const now = this.#clock.now()
    while (this.#waiters.length > 0 && this.#take(now)) {
      const waiter = this.#waiters.shift() as Waiter
      waiter.signal?.removeEventListener('abort', waiter.onAbort)
      waiter.resolve(now)
    }
    this.#schedule()
  }

  /** One timer per family, set for when the first waiter can start. */
  #schedule(): void {
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer)
    this.#timer = undefined
    if (this.#waiters.length === 0) return
    const now = this.#clock.now()
    this.#refill(now)
    const start = Math.max(now, this.#pausedUntil)
    const missing = Math.max(0, 1 - this.#tokens)
    const wait = start - now + missing / this.#rate
    // Timers may fire a little early; #release re-checks the clock and reschedules.
    this.#timer = this.#clock.setTimer(this.#release, Math.max(1, Math.ceil(wait)))
  }
}

function interrupted(family: string, signal: AbortSignal | undefined): InterruptedError {
  return new InterruptedError(`stopped while waiting to call ${family}`, { cause: signal?.reason })
}

/** One limiter per endpoint family, built from resolved limits (defaults ⊕ `--rate`). */
export class RateLimiters {
  readonly #limiters = new Map<string, RateLimiter>()

  constructor(limits: Readonly<Record<string, RateLimit>>, options: { clock?: Clock } = {}) {
    for (const [family, limit] of Object.entries(limits)) {
      this.#limiters.set(family, new RateLimiter(family, limit, options))
    }
  }

  get(family: string): RateLimiter {
    const limiter = this.#limiters.get(family)
    if (!limiter) {
      throw new InvariantError(
        `no rate limit for endpoint family '${family}'; add it to DEFAULT_RATE_LIMITS in extract/http/rates.ts (known: ${[...this.#limiters.keys()].join(', ')})`,
      )
    }
    return limiter
  }

  families(): string[] {
    return [...this.#limiters.keys()]
  }

  states(): LimiterState[] {
    return [...this.#limiters.values()].map((limiter) => limiter.state())
  }
}
