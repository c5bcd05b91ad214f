// Fault knobs do what they say and are counted: 5xx (Retry-After on 503), spurious 429s,
// Cloudflare HTML pages, truncated bodies, hung requests; schema drift hits a fixed set of
// records that the same schemas then refuse; the spec parser names its mistakes.
import { afterAll, describe, expect, it } from 'vitest'
import { UsageError } from '../../core/errors.ts'
import { positionV1Schema } from '../../extract/data-api/schemas.ts'
import {
  eventsKeysetPageSchema,
  gammaEventSchema,
  gammaMarketSchema,
  marketsKeysetPageSchema,
} from '../../extract/gamma/schemas.ts'
import { get } from '../../simulator/client.ts'
import { parseFaultSpec } from '../../simulator/faults.ts'
import { type Simulator, type SimulatorOptions, startSimulator } from '../../simulator/index.ts'

const sims: Simulator[] = []
async function start(options: SimulatorOptions) {
  const sim = await startSimulator({
    seed: 'faults',
    markets: 300,
    wallets: 30,
    fills: 3_000,
    rateLimits: false,
    ...options,
  })
  sims.push(sim)
  return sim
}
afterAll(() => Promise.all(sims.map((sim) => sim.close())))

const url = (sim: Simulator) => `${sim.gammaUrl}/markets/keyset?closed=true&limit=5`

describe('request faults', () => {
  it('5xx: 500/502/503/504, and 503 says Retry-After', async () => {
    const sim = await start({ faults: '5xx=1' })
    const statuses = new Set<number>()
    for (let i = 0; i < 40; i++) {
      const response = await fetch(url(sim))
      await response.arrayBuffer()
      statuses.add(response.status)
      if (response.status === 503) expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0)
    }
    expect([...statuses].sort()).toEqual([500, 502, 503, 504])
    expect(sim.stats().endpoints['gamma /markets/keyset']?.faults['5xx']).toBe(40)
  })

  it('429: refused with Retry-After even under the rate limit', async () => {
    const sim = await start({ faults: '429=1' })
    const response = await fetch(url(sim))
    expect(response.status).toBe(429)
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(sim.stats().endpoints['gamma /markets/keyset']?.faults['429']).toBe(1)
  })

  it('html: a Cloudflare error page instead of JSON', async () => {
    const sim = await start({ faults: 'html=1' })
    const response = await fetch(url(sim))
    const text = await response.text()
    expect([502, 520, 522, 524]).toContain(response.status)
    expect(response.headers.get('content-type')).toMatch(/^text\/html/)
    expect(text).toMatch(/^<!DOCTYPE html>/)
    expect(text).toContain('Cloudflare Ray ID')
  })

  it('truncate: the body stops half-way, by a dropped connection or a short JSON', async () => {
    const sim = await start({ faults: 'truncate=1' })
    const kinds = new Set<string>()
    for (let i = 0; i < 12; i++) {
      try {
        const text = await (await fetch(url(sim))).text()
        expect(() => JSON.parse(text)).toThrow()
        kinds.add('short body')
      } catch (error) {
        expect(String(error)).toMatch(/terminated|other side closed|socket/i)
        kinds.add('dropped')
      }
    }
    expect(kinds).toEqual(new Set(['short body', 'dropped']))
    expect(sim.stats().endpoints['gamma /markets/keyset']?.faults.truncate).toBe(12)
  })

  it('hang: no answer until the client gives up, and close() still returns', async () => {
    const sim = await start({ faults: 'hang=1' })
    await expect(fetch(url(sim), { signal: AbortSignal.timeout(300) })).rejects.toThrow()
    const pending = fetch(url(sim)).catch((error: unknown) => error)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(sim.stats().endpoints['gamma /markets/keyset']?.faults.hang).toBe(2)
    await sim.close()
    expect(await pending).toBeInstanceOf(Error)
  })

  it('meets the same faults in the same order for the same seed', async () => {
    const statuses = async (sim: Simulator) => {
      const out: number[] = []
      for (let i = 0; i < 30; i++) {
        const response = await fetch(url(sim))
        await response.arrayBuffer().catch(() => undefined)
        out.push(response.status)
      }
      return out
    }
    const spec = '429=0.2,5xx=0.2,html=0.1'
    const [a, b] = [await start({ faults: spec }), await start({ faults: spec })]
    const first = await statuses(a)
    expect(await statuses(b)).toEqual(first)
    expect(new Set(first).size).toBeGreaterThan(2)
  })
})

describe('schema drift', () => {
  it('serves a fixed set of records with a wrong-typed field, which the schemas refuse', async () => {
    const sim = await start({ faults: 'drift=0.05', markets: 600 })
    const summary = sim.truth.summary()
    expect(summary.markets.drifted).toBeGreaterThan(0)
    let refusedMarkets = 0
    let refusedEvents = 0
    for (const closed of ['true', 'false']) {
      for (const kind of ['markets', 'events'] as const) {
        let cursor: string | undefined
        do {
          const json = (
            await get(sim.gammaUrl, `/${kind}/keyset`, {
              closed,
              limit: 100,
              ...(cursor ? { after_cursor: cursor } : {}),
            })
          ).json
          const page =
            kind === 'markets' ? marketsKeysetPageSchema.parse(json) : eventsKeysetPageSchema.parse(json)
          for (const raw of page.records) {
            const ok = (kind === 'markets' ? gammaMarketSchema : gammaEventSchema).safeParse(raw).success
            if (!ok && kind === 'markets') refusedMarkets++
            if (!ok && kind === 'events') refusedEvents++
          }
          cursor = page.nextCursor
        } while (cursor)
      }
    }
    expect(refusedMarkets).toBe(summary.markets.drifted)
    expect(refusedEvents).toBe(summary.events.drifted)
    let refusedPositions = 0
    for (const wallet of sim.truth.wallets()) {
      for (let offset = 0; ; offset += 500) {
        const rows = (
          await get(sim.dataApiUrl, '/positions', { user: wallet, limit: 500, offset, sizeThreshold: 0 })
        ).json as unknown[]
        refusedPositions += rows.filter((row) => !positionV1Schema.safeParse(row).success).length
        if (rows.length < 500) break
      }
    }
    expect(refusedPositions).toBe(summary.positions.drifted)
  })
})

describe('fault spec', () => {
  it('parses the documented example and names what is wrong', () => {
    expect(parseFaultSpec('429=0.1,5xx=0.05,hang=0.02,truncate=0.01,html=0.01,drift=0.005,reorg=12')).toEqual(
      {
        rate429: 0.1,
        rate5xx: 0.05,
        hang: 0.02,
        truncate: 0.01,
        html: 0.01,
        drift: 0.005,
        reorg: 12,
      },
    )
    expect(() => parseFaultSpec('timeout=0.1')).toThrow(UsageError)
    expect(() => parseFaultSpec('429=10')).toThrow(/429=10 is not a fraction/)
    expect(() => parseFaultSpec('reorg=1.5')).toThrow(/not a depth/)
    expect(() => parseFaultSpec('429=0.6,5xx=0.6')).toThrow(/add up to/)
  })
})
