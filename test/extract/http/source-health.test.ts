// When a source that never worked is given up on: only after the same failure repeated for a while,
// never once it has answered.
import { describe, expect, it } from 'vitest'
import { SourceUnavailableError } from '../../../core/errors.ts'
import type { Failure } from '../../../extract/http/failure.ts'
import { FAIL_FAST_ATTEMPTS, FAIL_FAST_SPAN_MS, SourceHealth } from '../../../extract/http/source-health.ts'

const gamma = new URL('https://gamma.example:8443/markets/keyset?limit=100')
const html: Failure = {
  kind: 'html',
  retryable: true,
  status: 200,
  reason: 'HTTP 200 HTML page instead of JSON ("Down for maintenance")',
}
const refused: Failure = { kind: 'connection', retryable: true, reason: 'connection refused (ECONNREFUSED)' }
const throttled: Failure = {
  kind: 'rate-limited',
  retryable: true,
  status: 429,
  reason: 'HTTP 429 rate limited',
}

function clocked() {
  let now = 0
  const health = new SourceHealth({ now: () => now, settingOf: () => '--gamma-url or GAMMA_URL' })
  return { health, advance: (ms: number) => (now += ms) }
}

/** Fails `count` attempts spread evenly over `spanMs`; the error of the attempt that tipped, if one did. */
function failMany(
  health: SourceHealth,
  advance: (ms: number) => void,
  failure: Failure,
  count: number,
  spanMs: number,
) {
  let down: SourceUnavailableError | undefined
  for (let i = 0; i < count; i++) {
    down ??= health.failed(gamma, failure)
    if (i < count - 1) advance(spanMs / (count - 1))
  }
  return down
}

describe('SourceHealth', () => {
  it('declares a source down after the same failure repeated over the span, with one clear line', () => {
    const { health, advance } = clocked()
    // Eight attempts 1.25 s apart span 8.75 s: not yet. The ninth, at 10 s, tips it.
    expect(failMany(health, advance, html, FAIL_FAST_ATTEMPTS, 8_750)).toBeUndefined()
    advance(1_250)
    const down = health.failed(gamma, html)
    expect(down).toBeInstanceOf(SourceUnavailableError)
    expect(down?.userMessage()).toBe(
      'gamma.example:8443 answered every request the same way since the start: HTTP 200 HTML page instead of JSON ("Down for maintenance") (9 attempts over 10 s); stopped — check --gamma-url or GAMMA_URL, and that the service is up',
    )
    // From then on, every request of the source throws it before anything is sent.
    expect(() => health.check(gamma)).toThrow(down as Error)
    expect(() => health.check(new URL('https://other.example/'))).not.toThrow()
  })

  it('needs the attempts as well as the span: a slow trickle of failures is not enough', () => {
    const { health, advance } = clocked()
    expect(failMany(health, advance, refused, FAIL_FAST_ATTEMPTS - 1, 60_000)).toBeUndefined()
  })

  it('starts over when the failure changes', () => {
    const { health, advance } = clocked()
    failMany(health, advance, refused, FAIL_FAST_ATTEMPTS, FAIL_FAST_SPAN_MS - 1)
    expect(health.failed(gamma, html)).toBeUndefined()
    expect(failMany(health, advance, html, FAIL_FAST_ATTEMPTS - 2, FAIL_FAST_SPAN_MS)).toBeUndefined()
  })

  it('never gives up on a source that answered once', () => {
    const { health, advance } = clocked()
    health.answered(gamma)
    expect(failMany(health, advance, html, 100, 10 * FAIL_FAST_SPAN_MS)).toBeUndefined()
    expect(() => health.check(gamma)).not.toThrow()
  })

  it('counts a 429 only when the server asks for a longer pause than we grant', () => {
    const { health, advance } = clocked()
    expect(failMany(health, advance, throttled, 50, 5 * FAIL_FAST_SPAN_MS)).toBeUndefined()
    let down: SourceUnavailableError | undefined
    for (let i = 0; i < FAIL_FAST_ATTEMPTS + 1; i++) {
      down ??= health.failed(gamma, { ...throttled, retryAfterMs: 99_999_000 }, true)
      advance(FAIL_FAST_SPAN_MS / FAIL_FAST_ATTEMPTS)
    }
    expect(down).toBeInstanceOf(SourceUnavailableError)
  })
})
