import { describe, expect, it } from 'vitest'
import { sleep } from '../../core/sleep.ts'

describe('sleep', () => {
  it('resolves true once the time has passed', async () => {
    const started = performance.now()
    expect(await sleep(50)).toBe(true)
    expect(performance.now() - started).toBeGreaterThanOrEqual(45)
  })

  it('resolves false as soon as the signal aborts, or at once when it had', async () => {
    const controller = new AbortController()
    const started = performance.now()
    const waiting = sleep(60_000, controller.signal)
    setTimeout(() => controller.abort(), 20)
    expect(await waiting).toBe(false)
    expect(performance.now() - started).toBeLessThan(5_000)
    expect(await sleep(60_000, controller.signal)).toBe(false)
  })
})
