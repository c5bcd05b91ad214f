// One failed attempt, described the same way whatever it was (a refused connection, an HTML page, a
// 429), and the one mapping from that description to the error the caller sees. The API client and
// the JSON-RPC client both describe their failures here, so each kind has one policy.

import { formatDuration } from '../../core/duration.ts'
import {
  HttpStatusError,
  NonRetryableError,
  type PolyhouseError,
  RateLimitedError,
  ResponseTooLargeError,
  RetryableError,
} from '../../core/errors.ts'
import type { FailureKind, TransportKind } from './classify.ts'

/**
 * Longest pause a server's Retry-After may impose on a family (override: `--max-pause`,
 * POLYHOUSE_MAX_PAUSE). Polymarket's limits are per 10 s window (Polymarket's documentation, docs.polymarket.com), so a real
 * throttle never needs more than seconds; a server asking for longer is down or refusing us, and
 * a request it keeps refusing fails after its attempts (MAX_ATTEMPTS × this at most, ~5 min)
 * instead of stalling the run for as long as it asks (a Retry-After of 99999 is 28 hours).
 */
export const MAX_PAUSE_MS = 60_000

export interface Failure {
  kind: FailureKind | TransportKind | 'too-large'
  retryable: boolean
  /** What happened, without the URL: `HTTP 200 HTML page instead of JSON ("Maintenance")`. */
  reason: string
  /** The HTTP status, when an answer came. */
  status?: number | undefined
  /** What the server's Retry-After asked for (ms), before MAX_PAUSE_MS caps it. */
  retryAfterMs?: number | undefined
  /** A non-standard code for the error, e.g. ECONNREFUSED. */
  code?: string | undefined
}

/** The wait a failure imposes: the server's Retry-After, at most `maxPauseMs`. */
export function pauseOf(failure: Failure, maxPauseMs: number): number | undefined {
  return failure.retryAfterMs === undefined ? undefined : Math.min(failure.retryAfterMs, maxPauseMs)
}

/** The server asked for a longer pause than we grant. */
export function pauseRefused(failure: Failure, maxPauseMs: number): boolean {
  return failure.retryAfterMs !== undefined && failure.retryAfterMs > maxPauseMs
}

/** The error a caller sees for a failed attempt of `label` (e.g. `GET https://host/… (gamma-markets)`). */
export function errorOf(
  failure: Failure,
  label: string,
  options: { maxPauseMs: number; cause?: unknown; maxBytes?: number },
): PolyhouseError {
  const retryAfterMs = pauseOf(failure, options.maxPauseMs)
  const asked = pauseRefused(failure, options.maxPauseMs)
    ? `; the server asked to wait ${formatDuration(failure.retryAfterMs as number)}, more than --max-pause ${formatDuration(options.maxPauseMs)} allows`
    : ''
  const message = `${label}: ${failure.reason}${asked}`
  const cause = options.cause
  if (failure.kind === 'too-large')
    return new ResponseTooLargeError(message, options.maxBytes ?? 0, { cause })
  if (failure.kind === 'rate-limited') return new RateLimitedError(message, { retryAfterMs, cause })
  if (failure.retryable) return new RetryableError(message, { retryAfterMs, cause })
  if (failure.status !== undefined && (failure.kind === 'client-error' || failure.kind === 'blocked')) {
    return new HttpStatusError(failure.status, message, {
      cause,
      hint:
        failure.kind === 'blocked'
          ? 'Cloudflare is refusing this client; lower --rate or try later'
          : undefined,
    })
  }
  return new NonRetryableError(message, { cause })
}
