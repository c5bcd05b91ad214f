// Bounded retries with exponential backoff and full jitter. The loop asks the error whether to
// retry (`isRetryable`) and how long the server asked us to wait (`retryAfterMs`), never its text.
import { AttemptsExhaustedError, InterruptedError, isRetryable, RetryableError } from '../../core/errors.ts'
import { sleep } from '../../core/sleep.ts'

/** Attempts per request, the first included: 5 retries span ~30 s of backoff, then the unit is recorded in etl_errors. */
export const MAX_ATTEMPTS = 6
/** Backoff cap before the first retry; doubles per retry (1, 2, 4, 8, 16 s caps). */
export const BACKOFF_BASE_MS = 1_000
/** No single backoff longer than this (Retry-After may ask for longer and is honoured). */
export const BACKOFF_MAX_MS = 30_000

export interface RetryEvent {
  /** The attempt that failed (1 = the first). */
  attempt: number
  delayMs: number
  error: unknown
}

export interface RetryOptions {
  maxAttempts?: number
  baseDelayMs?: number
  maxDelayMs?: number
  signal?: AbortSignal | undefined
  /** Names the operation in the exhausted error, e.g. `GET https://gamma-api…/markets/keyset`. */
  label?: string
  random?: () => number
  onRetry?: (event: RetryEvent) => void
}

/** Full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"): uniform in [0, cap). */
export function backoffDelayMs(
  failedAttempt: number,
  random: () => number = Math.random,
  baseDelayMs = BACKOFF_BASE_MS,
  maxDelayMs = BACKOFF_MAX_MS,
): number {
  const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** (failedAttempt - 1))
  return Math.floor(random() * cap)
}

/**
 * Runs `operation` until it succeeds, throws a non-retryable error (rethrown as is), or fails
 * `maxAttempts` times (AttemptsExhaustedError, retryable, `cause` = the last error). Waits the
 * error's `retryAfterMs` when it has one, else a jittered backoff. Aborting `signal` ends the
 * wait with InterruptedError.
 */
export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const maxAttempts = options.maxAttempts ?? MAX_ATTEMPTS
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt)
    } catch (error) {
      if (!isRetryable(error)) throw error
      const retryAfterMs = error instanceof RetryableError ? error.retryAfterMs : undefined
      if (attempt >= maxAttempts) {
        const message = error instanceof Error ? error.message : String(error)
        throw new AttemptsExhaustedError(
          `${options.label ?? 'request'} failed after ${attempt} attempts; last: ${message}`,
          attempt,
          { cause: error, retryAfterMs, hint: 'the unit stays not done and the next run retries it' },
        )
      }
      const delayMs =
        retryAfterMs ?? backoffDelayMs(attempt, options.random, options.baseDelayMs, options.maxDelayMs)
      options.onRetry?.({ attempt, delayMs, error })
      if (!(await sleep(delayMs, options.signal))) {
        const label = options.label ?? 'request'
        throw new InterruptedError(`stopped while waiting to retry ${label}`, {
          cause: options.signal?.reason,
        })
      }
    }
  }
}
