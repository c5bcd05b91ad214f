// Gamma keyset walks as the real API answers them: cursors bound to filters, silent limit clamps,
// end of data, `cursor=` ignored; legacy offset lists refusing deep offsets; single records.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gammaEventSchema, gammaMarketSchema, marketsKeysetPageSchema } from '../../extract/gamma/schemas.ts'
import { get } from '../../simulator/client.ts'
import { type Simulator, startSimulator } from '../../simulator/index.ts'

let sim: Simulator

beforeAll(async () => {
  sim = await startSimulator({ seed: 'keyset', markets: 700, wallets: 40, fills: 2_000, rateLimits: false })
})
afterAll(() => sim.close())

interface Page {
  markets?: Array<{ id: string; events?: Array<{ id: string; title?: string }> }>
  events?: Array<{ id: string }>
  next_cursor?: string
}

async function walk(
  path: string,
  filters: Record<string, string | number>,
): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = []
  let cursor: string | undefined
  let pages = 0
  do {
    const reply = await get(sim.gammaUrl, path, { ...filters, ...(cursor ? { after_cursor: cursor } : {}) })
    expect(reply.status).toBe(200)
    const page = reply.json as Page
    ids.push(...(page.markets ?? page.events ?? []).map((record) => record.id))
    cursor = page.next_cursor
    pages++
  } while (cursor)
  return { ids, pages }
}

describe('/markets/keyset', () => {
  it('walks every market of a filter exactly once, in id order, and stops when next_cursor is absent', async () => {
    const truth = [...sim.truth.markets()]
    for (const closed of [true, false]) {
      const { ids, pages } = await walk('/markets/keyset', { closed: String(closed), limit: 100 })
      const expected = truth.filter((m) => m.closed === closed).map((m) => m.id)
      expect(ids).toEqual(expected)
      expect(pages).toBe(Math.max(1, Math.ceil(expected.length / 100)))
    }
  })

  it('lists only open markets when `closed` is absent', async () => {
    const reply = await get(sim.gammaUrl, '/markets/keyset', { limit: 100 })
    const page = marketsKeysetPageSchema.parse(reply.json)
    expect(page.records.map((raw) => gammaMarketSchema.parse(raw).closed)).not.toContain(true)
  })

  it('clamps larger limits silently to 100 markets and 500 events', async () => {
    const markets = (await get(sim.gammaUrl, '/markets/keyset', { closed: 'true', limit: 1000 })).json as Page
    expect(markets.markets).toHaveLength(100)
    expect(markets.next_cursor).toBeTypeOf('string')
    const events = (await get(sim.gammaUrl, '/events/keyset', { closed: 'true', limit: 10_000 })).json as Page
    expect(events.events?.length).toBeLessThanOrEqual(500)
  })

  it('refuses a cursor replayed with different filters (400), but not with a different limit', async () => {
    const first = (await get(sim.gammaUrl, '/markets/keyset', { closed: 'true', limit: 5 })).json as Page
    const cursor = first.next_cursor as string
    const changed = [
      { closed: 'false', limit: 5 },
      { closed: 'true', limit: 5, start_date_min: '2020-01-01T00:00:00Z' },
      { limit: 5 },
    ]
    for (const filters of changed) {
      const reply = await get(sim.gammaUrl, '/markets/keyset', { ...filters, after_cursor: cursor })
      expect(reply.status).toBe(400)
      expect(reply.text).toMatch(/after_cursor/)
    }
    const relimited = await get(sim.gammaUrl, '/markets/keyset', {
      closed: 'true',
      limit: 7,
      after_cursor: cursor,
    })
    expect(relimited.status).toBe(200)
    expect((relimited.json as Page).markets?.[0]?.id).not.toBe(first.markets?.[0]?.id)
  })

  it('refuses a tampered cursor and a cursor of the other list', async () => {
    const markets = (await get(sim.gammaUrl, '/markets/keyset', { closed: 'true', limit: 5 })).json as Page
    const events = (await get(sim.gammaUrl, '/events/keyset', { closed: 'true', limit: 5 })).json as Page
    const cursor = markets.next_cursor as string
    const tampered = `${cursor.slice(0, -4)}${cursor.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`
    expect(
      (await get(sim.gammaUrl, '/markets/keyset', { closed: 'true', limit: 5, after_cursor: tampered }))
        .status,
    ).toBe(400)
    expect(
      (
        await get(sim.gammaUrl, '/markets/keyset', {
          closed: 'true',
          limit: 5,
          after_cursor: events.next_cursor as string,
        })
      ).status,
    ).toBe(400)
    expect(
      (await get(sim.gammaUrl, '/markets/keyset', { closed: 'true', limit: 5, after_cursor: 'not-a-cursor' }))
        .status,
    ).toBe(400)
  })

  it('ignores `cursor=`: the first page comes back again', async () => {
    const first = (await get(sim.gammaUrl, '/markets/keyset', { closed: 'true', limit: 5 })).json as Page
    const again = (
      await get(sim.gammaUrl, '/markets/keyset', {
        closed: 'true',
        limit: 5,
        cursor: first.next_cursor as string,
      })
    ).json as Page
    expect(again.markets?.map((m) => m.id)).toEqual(first.markets?.map((m) => m.id))
    expect(again.next_cursor).toBe(first.next_cursor)
  })

  it('ends with no next_cursor, and an empty page for a filter that matches nothing', async () => {
    const empty = (await get(sim.gammaUrl, '/markets/keyset', { closed: 'true', id: 1 })).json as Page
    expect(empty.markets).toEqual([])
    expect(empty).not.toHaveProperty('next_cursor')
  })

  it('never matches markets without endDate against an end_date bound (so date partitions miss them)', async () => {
    const missing: string[] = []
    for (const closed of ['true', 'false']) {
      const bounded = (
        await walk('/markets/keyset', { closed, limit: 100, end_date_min: '1970-01-01T00:00:00Z' })
      ).ids
      const all = (await walk('/markets/keyset', { closed, limit: 100 })).ids
      missing.push(...all.filter((id) => !bounded.includes(id)))
    }
    expect(missing.length).toBe(sim.truth.summary().markets.missingEndDate)
    expect(missing.length).toBeGreaterThan(0)
    for (const id of missing) {
      const market = gammaMarketSchema.parse((await get(sim.gammaUrl, `/markets/${id}`)).json)
      expect(market.endDate).toBeNull()
    }
  })
})

describe('legacy offset lists', () => {
  it('answer bare arrays up to offset 2,000 and 422 past it', async () => {
    for (const kind of ['markets', 'events']) {
      const ok = await get(sim.gammaUrl, `/${kind}`, { closed: 'true', limit: 5, offset: 2000 })
      expect(ok.status).toBe(200)
      expect(Array.isArray(ok.json)).toBe(true)
      const refused = await get(sim.gammaUrl, `/${kind}`, { closed: 'true', limit: 5, offset: 2001 })
      expect(refused.status).toBe(422)
      expect(refused.text).toContain(`offset too large, use /${kind}/keyset for deeper pagination`)
    }
  })
})

describe('lookups by name', () => {
  it('find closed records by slug without closed=true (as the real /events?slug= did)', async () => {
    const closed = [...sim.truth.markets()].find((m) => m.closed) as { id: string }
    const market = gammaMarketSchema.parse((await get(sim.gammaUrl, `/markets/${closed.id}`)).json)
    const bySlug = (await get(sim.gammaUrl, '/markets', { slug: market.slug as string })).json as Array<{
      id: string
    }>
    expect(bySlug.map((m) => m.id)).toEqual([closed.id])
    const byKeyset = (await get(sim.gammaUrl, '/markets/keyset', { slug: market.slug as string }))
      .json as Page
    expect(byKeyset.markets?.map((m) => m.id)).toEqual([closed.id])
  })
})

describe('single records', () => {
  it('serves /markets/{id} and /events/{id}; orphan markets need /events/{id} for the title', async () => {
    const orphans = (await walk('/markets/keyset', { closed: 'true', limit: 100 })).ids
    let checked = 0
    for (const id of orphans.slice(0, 300)) {
      const market = gammaMarketSchema.parse((await get(sim.gammaUrl, `/markets/${id}`)).json)
      const embedded = market.events[0]
      if (!embedded || embedded.title !== null) continue
      const event = gammaEventSchema.parse((await get(sim.gammaUrl, `/events/${embedded.id}`)).json)
      expect(event.title).toBeTypeOf('string')
      expect(event.marketIds).toContain(market.id)
      checked++
    }
    expect(checked).toBeGreaterThan(0)
    expect((await get(sim.gammaUrl, '/markets/999')).status).toBe(404)
  })
})
