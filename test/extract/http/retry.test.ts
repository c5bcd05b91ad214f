import { describe, expect, it } from 'vitest'
import {
  AttemptsExhaustedError,
  InterruptedError,
  NonRetryableError,
  RateLimitedError,
  RetryableError,
} from '../../../core/errors.ts'
import { BACKOFF_MAX_MS, backoffDelayMs, MAX_ATTEMPTS, withRetry } from '../../../extract/http/retry.ts'

describe('backoffDelayMs', () => {
  it('draws uniformly below a cap that doubles per retry (full jitter)', () => {
    expect(backoffDelayMs(1, () => 0.999, 1_000)).toBe(999)
    expect(backoffDelayMs(2, () => 0.999, 1_000)).toBe(1_998)
    expect(backoffDelayMs(5, () => 0.999, 1_000)).toBe(15_984)
    expect(backoffDelayMs(3, () => 0, 1_000)).toBe(0)
    expect(backoffDelayMs(20, () => 0.999)).toBeLessThan(BACKOFF_MAX_MS)
  })
})

describe('withRetry', () => {
  const quick = { baseDelayMs: 1, maxDelayMs: 2 }

  it('retries retryable errors until one attempt succeeds', async () => {
    const seen: number[] = []
    const result = await withRetry(async (attempt) => {
      seen.push(attempt)
      if (attempt < 3) throw new RetryableError('HTTP 503')
      return 'page'
    }, quick)
    expect(result).toBe('page')
    expect(seen).toEqual([1, 2, 3])
  })

  it('rethrows a non-retryable error at once', async () => {
    let attempts = 0
    const failure = new NonRetryableError('HTTP 404')
    await expect(
      withRetry(async () => {
        attempts++
        throw failure
      }, quick),
    ).rejects.toBe(failure)
    expect(attempts).toBe(1)
  })

  it('rethrows errors that are not ours (bugs) at once', async () => {
    await expect(withRetry(async () => JSON.parse('{'), quick)).rejects.toBeInstanceOf(SyntaxError)
  })

  it(`stops after ${MAX_ATTEMPTS} attempts with the last error as cause`, async () => {
    let attempts = 0
    const error = await withRetry(
      async (attempt) => {
        attempts++
        throw new RetryableError(`HTTP 503 #${attempt}`)
      },
      { ...quick, label: 'GET /positions' },
    ).catch((caught: unknown) => caught)
    expect(attempts).toBe(MAX_ATTEMPTS)
    expect(error).toBeInstanceOf(AttemptsExhaustedError)
    expect((error as AttemptsExhaustedError).retryable).toBe(true)
    expect((error as Error).message).toBe(
      `GET /positions failed after ${MAX_ATTEMPTS} attempts; last: HTTP 503 #${MAX_ATTEMPTS}`,
    )
    expect(((error as Error).cause as Error).message).toBe(`HTTP 503 #${MAX_ATTEMPTS}`)
  })

  it("waits the server's Retry-After instead of the backoff", async () => {
    const delays: number[] = []
    await withRetry(
      async (attempt) => {
        if (attempt === 1) throw new RateLimitedError('HTTP 429', { retryAfterMs: 25 })
        if (attempt === 2) throw new RetryableError('HTTP 503')
        return 'ok'
      },
      { baseDelayMs: 100, random: () => 0.5, onRetry: ({ delayMs }) => delays.push(delayMs) },
    )
    expect(delays).toEqual([25, 100]) // attempt 2 failed: cap 2 × 100 ms, jitter 0.5
  })

  it('ends a wait with InterruptedError when the signal aborts', async () => {
    const controller = new AbortController()
    const pending = withRetry(
      async () => {
        throw new RetryableError('HTTP 503')
      },
      {
        baseDelayMs: 60_000,
        random: () => 0.99,
        signal: controller.signal,
        onRetry: () => controller.abort(),
      },
    )
    await expect(pending).rejects.toBeInstanceOf(InterruptedError)
  })
})
