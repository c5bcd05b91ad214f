// Rate limits hold under concurrent clients: over the limit the simulator answers 429 with a
// Retry-After (seconds, sometimes an HTTP date), counts every refusal, and never admits more than
// the limit in a sliding window. Small windows keep the test short; no speed is asserted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Simulator, startSimulator } from '../../simulator/index.ts'

const LIMIT = 20
const WINDOW_MS = 1_000
const RUN_MS = 2_500
const CLIENTS = 4

let sim: Simulator

beforeAll(async () => {
  sim = await startSimulator({
    seed: 'rates',
    markets: 200,
    wallets: 20,
    fills: 2_000,
    rateLimits: {
      'data-positions': { limit: LIMIT, windowMs: WINDOW_MS },
      'gamma-markets': { limit: LIMIT, windowMs: WINDOW_MS },
    },
  })
})
afterAll(() => sim.close())

interface Outcome {
  status: number
  retryAfter: string | null
  /** Date.now() when the response arrived: an HTTP-date Retry-After is relative to it. */
  receivedAt: number
}

async function hammer(urls: string[]): Promise<{ outcomes: Outcome[]; elapsedMs: number }> {
  const outcomes: Outcome[] = []
  const started = performance.now()
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      for (let i = 0; performance.now() - started < RUN_MS; i++) {
        const response = await fetch(urls[(client + i) % urls.length] as string)
        await response.arrayBuffer()
        outcomes.push({
          status: response.status,
          retryAfter: response.headers.get('retry-after'),
          receivedAt: Date.now(),
        })
      }
    }),
  )
  return { outcomes, elapsedMs: performance.now() - started }
}

function retryAfterMs(outcome: Outcome): number {
  const value = outcome.retryAfter ?? ''
  return /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - outcome.receivedAt
}

describe('rate limits', () => {
  it('hold for /positions under concurrent clients, with 429 + Retry-After counted', async () => {
    const wallets = sim.truth.wallets().slice(0, 5)
    const { outcomes, elapsedMs } = await hammer(wallets.map((w) => `${sim.dataApiUrl}/positions?user=${w}`))
    const ok = outcomes.filter((o) => o.status === 200)
    const limited = outcomes.filter((o) => o.status === 429)
    expect(ok.length + limited.length).toBe(outcomes.length)
    expect(limited.length).toBeGreaterThan(0)
    // In any sliding window at most LIMIT are admitted, so over the whole run at most this many:
    expect(ok.length).toBeLessThanOrEqual(LIMIT * (Math.floor(elapsedMs / WINDOW_MS) + 1))
    expect(ok.length).toBeGreaterThanOrEqual(LIMIT)
    for (const outcome of limited) {
      expect(outcome.retryAfter).not.toBeNull()
      expect(retryAfterMs(outcome)).toBeGreaterThan(0)
    }
    expect(limited.some((o) => /^\d+$/.test(o.retryAfter ?? ''))).toBe(true)
    expect(limited.some((o) => /GMT$/.test(o.retryAfter ?? ''))).toBe(true)
    const stats = sim.stats()
    expect(stats.endpoints['data /positions']?.rateLimited).toBe(limited.length)
    expect(stats.endpoints['data /positions']?.requests).toBe(outcomes.length)
    expect(stats.buckets['data-positions']?.admitted).toBe(ok.length)
  })

  it('share one /markets bucket between keyset pages and /markets/{id}', async () => {
    const id = [...sim.truth.markets()][0]?.id as string
    const { outcomes, elapsedMs } = await hammer([
      `${sim.gammaUrl}/markets/keyset?closed=true&limit=5`,
      `${sim.gammaUrl}/markets/${id}`,
    ])
    const ok = outcomes.filter((o) => o.status === 200).length
    expect(outcomes.some((o) => o.status === 429)).toBe(true)
    expect(ok).toBeLessThanOrEqual(LIMIT * (Math.floor(elapsedMs / WINDOW_MS) + 1))
    const stats = sim.stats()
    const limited =
      (stats.endpoints['gamma /markets/keyset']?.rateLimited ?? 0) +
      (stats.endpoints['gamma /markets/{id}']?.rateLimited ?? 0)
    expect(limited).toBe(outcomes.length - ok)
  })

  it('leave other endpoints alone', async () => {
    const response = await fetch(`${sim.gammaUrl}/events/keyset?limit=1`)
    expect(response.status).toBe(200)
  })
})
