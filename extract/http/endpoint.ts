// One endpoint family as the clients see it: its limiter (pace, 429s, pauses), its counters, and the
// health of the source behind it. Every attempt of the API client and of the JSON-RPC client goes
// through `send` here, and every failed one through `failed`, so the policy for each kind of
// failure — slow down, pause and say so, give up on a source that never worked — is written once.
import { formatDuration } from '../../core/duration.ts'
import type { PolyhouseError } from '../../core/errors.ts'
import { errorOf, type Failure, MAX_PAUSE_MS, pauseOf, pauseRefused } from './failure.ts'
import type { RateLimiter } from './limiter.ts'
import { MAX_ATTEMPTS } from './retry.ts'
import type { SourceHealth } from './source-health.ts'
import type { FamilyCounters } from './stats.ts'
import type { HttpReply, HttpRequest, HttpTransport } from './transport.ts'

/**
 * Pauses shorter than this pass without a note: an ordinary 429 asks for a second or two, and the
 * progress line's rate shows it. Longer ones are news for whoever reads the log (PROGRESS_INTERVAL_MS
 * is 8 s: a pause this long can hold a whole progress line still).
 */
export const PAUSE_NOTE_MS = 5_000

/** A family stopped starting requests because a server asked it to (Retry-After). */
export interface PauseEvent {
  family: string
  /** Wall-clock epoch ms when requests start again. */
  until: number
  pauseMs: number
  /** What the server asked for; more than `pauseMs` when --max-pause cut it. */
  askedMs: number
  /** The answer that asked for it, e.g. `HTTP 429 rate limited`. */
  reason: string
  maxPauseMs: number
}

export type PauseListener = (event: PauseEvent) => void

/** One line for the log: which family waits, until when, and why. */
export function describePause(event: PauseEvent): string {
  const until = new Date(event.until).toISOString().replace(/\.\d+Z$/, 'Z')
  const capped =
    event.askedMs > event.pauseMs
      ? `; the server asked for ${formatDuration(event.askedMs)}, --max-pause allows ${formatDuration(event.maxPauseMs)}, and a request refused like this ${MAX_ATTEMPTS} times is recorded as failed`
      : ''
  return `${event.family} paused until ${until} (${formatDuration(event.pauseMs)}) after ${event.reason}${capped}`
}

export interface EndpointFamilyOptions {
  maxPauseMs?: number | undefined
  /** Pause notes go to every listener in this set (the clients let steps subscribe). */
  listeners: ReadonlySet<PauseListener>
}

export class EndpointFamily {
  readonly maxPauseMs: number

  constructor(
    readonly family: string,
    readonly limiter: RateLimiter,
    readonly counters: FamilyCounters,
    readonly health: SourceHealth,
    private readonly options: EndpointFamilyOptions,
  ) {
    this.maxPauseMs = options.maxPauseMs ?? MAX_PAUSE_MS
  }

  /**
   * One attempt: waits for `cost` starts (one per JSON-RPC call of a batch), sends, and returns the
   * answer whatever its status, with the time it started (for `onRateLimited`). A transport failure
   * is recorded and thrown as its typed error; a source declared down throws before anything is sent.
   */
  async send(
    transport: HttpTransport,
    request: HttpRequest,
    cost = 1,
  ): Promise<{ reply: HttpReply; startedAt: number }> {
    this.health.check(request.url)
    let startedAt = await this.limiter.acquire(request.signal)
    for (let call = 1; call < cost; call++) startedAt = await this.limiter.acquire(request.signal)
    // A wait as long as a pause may end after the source was declared down.
    this.health.check(request.url)
    const counters = this.counters
    counters.requests++
    counters.inFlight++
    counters.firstRequestAt ??= startedAt
    counters.lastRequestAt = startedAt
    try {
      const sent = await transport.send(request)
      if (!sent.ok) {
        throw this.failed(request.url, sent.failure, request.label, {
          startedAt,
          cause: sent.cause,
          maxBytes: transport.maxResponseBytes,
        })
      }
      counters.bytes += sent.reply.bytes.length
      return { reply: sent.reply, startedAt }
    } finally {
      counters.inFlight--
    }
  }

  /** The source gave a usable answer: the rate may creep back up, and it is known to work. */
  answered(url: URL): void {
    this.limiter.onSuccess()
    this.health.answered(url)
  }

  /**
   * Records a failed attempt — the limiter slows down on a 429 and pauses on Retry-After (at most
   * maxPauseMs, said in a note when long), the source's health counts it — and returns the error
   * to throw: the failure's own, or SourceUnavailableError when this attempt declared the source down.
   */
  failed(
    url: URL,
    failure: Failure,
    label: string,
    options: { startedAt?: number; cause?: unknown; maxBytes?: number } = {},
  ): PolyhouseError {
    this.counters.errors++
    const pauseMs = pauseOf(failure, this.maxPauseMs)
    let paused = false
    if (failure.kind === 'rate-limited') {
      this.counters.rateLimited++
      paused = this.limiter.onRateLimited({ startedAt: options.startedAt, retryAfterMs: pauseMs })
    } else if (pauseMs !== undefined) {
      paused = this.limiter.pause(pauseMs)
    }
    const refused = pauseRefused(failure, this.maxPauseMs)
    if (paused && pauseMs !== undefined && (pauseMs >= PAUSE_NOTE_MS || refused)) {
      const event: PauseEvent = {
        family: this.family,
        until: Date.now() + pauseMs,
        pauseMs,
        askedMs: failure.retryAfterMs ?? pauseMs,
        reason: failure.reason.split(':')[0] ?? failure.reason,
        maxPauseMs: this.maxPauseMs,
      }
      for (const listener of this.options.listeners) listener(event)
    }
    return (
      this.health.failed(url, failure, refused) ??
      errorOf(failure, label, {
        maxPauseMs: this.maxPauseMs,
        cause: options.cause,
        maxBytes: options.maxBytes,
      })
    )
  }
}
