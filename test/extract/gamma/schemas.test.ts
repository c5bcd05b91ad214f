// Every real Gamma fixture and the simulator's own output go through the same schemas the
// extractors use; JSON-string lists are decoded once, token ids survive digit for digit, and the
// quirks (non-ISO closedTime, junk umaEndDate, missing endDate, conditionId "", orphans) parse.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  eventsKeysetPageSchema,
  gammaEventSchema,
  gammaListSchema,
  gammaMarketSchema,
  gammaPublicSearchSchema,
  gammaTagsSchema,
  gammaTime,
  marketsKeysetPageSchema,
} from '../../../extract/gamma/schemas.ts'
import { get } from '../../../simulator/client.ts'
import { type Simulator, startSimulator } from '../../../simulator/index.ts'

const DIR = path.resolve(import.meta.dirname, '../../fixtures/polymarket/gamma')
const raw = (name: string) => readFileSync(path.join(DIR, name), 'utf8')
const load = (name: string) => JSON.parse(raw(name)) as unknown

/** Token ids read straight from the fixture text, without any JSON decoding of ours. */
function tokenIdsInText(text: string): string[] {
  return [...text.matchAll(/"clobTokenIds":\s*"\[(.*?)\]"/g)].flatMap((m) =>
    [...(m[1] ?? '').matchAll(/\\"(\d+)\\"/g)].map((t) => t[1] as string),
  )
}

/** Every market (top-level or inside events) of any fixture shape, parsed. */
function marketsOf(name: string, json: unknown) {
  if (name.includes('keyset') && name.startsWith('events')) {
    return eventsKeysetPageSchema
      .parse(json)
      .records.flatMap((e) => gammaEventSchema.parse(e).markets.map((m) => gammaMarketSchema.parse(m)))
  }
  if (name.includes('keyset'))
    return marketsKeysetPageSchema.parse(json).records.map((m) => gammaMarketSchema.parse(m))
  if (name.includes('public-search'))
    return gammaPublicSearchSchema
      .parse(json)
      .events.flatMap((e) => e.markets.map((m) => gammaMarketSchema.parse(m)))
  if (name.includes('events')) {
    const events = Array.isArray(json) ? gammaListSchema.parse(json) : [json]
    return events.flatMap((e) => gammaEventSchema.parse(e).markets.map((m) => gammaMarketSchema.parse(m)))
  }
  const markets = Array.isArray(json) ? gammaListSchema.parse(json) : [json]
  return markets.map((m) => gammaMarketSchema.parse(m))
}

describe('real Gamma fixtures', () => {
  const files = readdirSync(DIR).filter((name) => name.endsWith('.json') && name !== 'manifest.json')

  it.each(files)('%s parses, and its token ids survive digit for digit', (name) => {
    const markets = marketsOf(name, load(name))
    expect(markets.length).toBeGreaterThan(0)
    expect(markets.flatMap((m) => m.clobTokenIds)).toEqual(tokenIdsInText(raw(name)))
    for (const market of markets) {
      expect(market.outcomes.length).toBeGreaterThanOrEqual(2)
      if (market.clobTokenIds.length > 0) expect(market.clobTokenIds).toHaveLength(market.outcomes.length)
    }
  })

  it('decodes JSON-string lists once and keeps amounts exact', () => {
    const [market] = marketsOf('markets-keyset', load('markets-keyset-limit-1.json'))
    expect(market?.outcomes).toEqual(['Yes', 'No'])
    expect(market?.outcomePrices).toEqual(['0.505', '0.495'])
    expect(market?.volume).toBe('858688.4268150157')
    expect(market?.events[0]?.title).toBe('What will happen before GTA VI?')
    expect(market?.tags.map((t) => t.id)).toEqual(['2', '596', '100215', '102109'])
  })

  it('reads Gamma times in every form, and junk as null', () => {
    const [resolved] = marketsOf('markets-keyset', load('resolved-markets-keyset-limit-1.json'))
    expect(resolved?.closedTime).toBe('2024-07-18T00:10:37.491895Z')
    expect(resolved?.umaEndDate).toBeNull()
    expect(resolved?.fee).toBe('18000000000000000')
    expect(gammaTime('2026-07-15 21:18:14+00')).toBe('2026-07-15T21:18:14Z')
    expect(gammaTime('2026-07-31')).toBe('2026-07-31T00:00:00Z')
    expect(gammaTime('2023-10-25 18:55:50.674+00')).toBe('2023-10-25T18:55:50.674Z')
    expect(gammaTime('2026-07-15T21:22:10+02:00')).toBe('2026-07-15T19:22:10.000Z')
    expect(gammaTime('NOW*()')).toBeNull()
    const event = gammaEventSchema.parse(load('pscanner_events-id-16167.json'))
    const withoutEnd = event.markets.map((m) => gammaMarketSchema.parse(m)).find((m) => m.id === '692250')
    expect(withoutEnd?.endDate).toBeNull()
  })

  it('parses the neg-risk event and its three mutually exclusive markets', () => {
    const [event] = gammaListSchema
      .parse(load('polytrage_events-slug-fifwc-eng-arg-2026-07-15.json'))
      .map((e) => gammaEventSchema.parse(e))
    expect(event?.negRisk).toBe(true)
    const markets = event?.markets.map((m) => gammaMarketSchema.parse(m)) ?? []
    expect(markets.map((m) => m.questionId?.slice(-2))).toEqual(['00', '01', '02'])
    expect(markets.every((m) => m.negRiskMarketId === event?.negRiskMarketId)).toBe(true)
  })

  it('refuses a field of the wrong type', () => {
    const market = (load('markets-keyset-limit-1.json') as { markets: Record<string, unknown>[] })
      .markets[0] as Record<string, unknown>
    expect(gammaMarketSchema.safeParse({ ...market, outcomes: 42 }).success).toBe(false)
    expect(gammaMarketSchema.safeParse({ ...market, clobTokenIds: '[1e+77, 5]' }).success).toBe(false)
    expect(gammaMarketSchema.safeParse({ ...market, conditionId: 12345 }).success).toBe(false)
    expect(gammaMarketSchema.safeParse({ ...market, volume: 'lots' }).success).toBe(false)
  })
})

describe("the simulator's Gamma output", () => {
  let sim: Simulator
  beforeAll(async () => {
    sim = await startSimulator({
      seed: 'gamma-schemas',
      markets: 1_500,
      wallets: 20,
      fills: 1_000,
      rateLimits: false,
    })
  })
  afterAll(() => sim.close())

  it('parses through the same schemas, quirks included', async () => {
    const markets = []
    for (const closed of ['true', 'false']) {
      let cursor: string | undefined
      do {
        const page = marketsKeysetPageSchema.parse(
          (
            await get(sim.gammaUrl, '/markets/keyset', {
              closed,
              limit: 100,
              include_tag: true,
              after_cursor: cursor,
            })
          ).json,
        )
        markets.push(...page.records.map((m) => gammaMarketSchema.parse(m)))
        cursor = page.nextCursor
      } while (cursor)
      const events = eventsKeysetPageSchema.parse(
        (await get(sim.gammaUrl, '/events/keyset', { closed, limit: 500 })).json,
      )
      for (const e of events.records)
        for (const m of gammaEventSchema.parse(e).markets) gammaMarketSchema.parse(m)
    }
    expect(markets).toHaveLength(1_500)
    expect(markets.some((m) => m.conditionId === '' && m.clobTokenIds.length === 0)).toBe(true)
    expect(markets.some((m) => m.outcomes.length >= 3)).toBe(true)
    expect(markets.some((m) => m.closed && m.umaEndDate === null)).toBe(true)
    expect(markets.some((m) => m.endDate === null)).toBe(true)
    expect(markets.some((m) => m.events[0] && m.events[0].title === null)).toBe(true)
    expect(markets.some((m) => m.events.length === 0)).toBe(true)
    expect(markets.every((m) => m.tags.length > 0)).toBe(true)
    const legacy = gammaListSchema.parse(
      (await get(sim.gammaUrl, '/markets', { closed: 'true', limit: 50 })).json,
    )
    for (const m of legacy) gammaMarketSchema.parse(m)
    gammaTagsSchema.parse((await get(sim.gammaUrl, '/tags')).json)
  })
})
