// Data API positions as documented: v1 limit ≤ 500 and offset ≤ 10,000 (else 400), default
// sizeThreshold=1 hiding small positions, whales paginating past 500; v2 cursors that refuse
// `offset`, bind the user and sort, and answer `data: null` for an unknown wallet.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { positionsV2PageSchema, positionV1Schema, positionV2Schema } from '../../extract/data-api/schemas.ts'
import { get } from '../../simulator/client.ts'
import { type Simulator, startSimulator } from '../../simulator/index.ts'

let sim: Simulator
let whale: string

beforeAll(async () => {
  sim = await startSimulator({ seed: 'data-api', markets: 600, wallets: 30, fills: 6_000, rateLimits: false })
  // Wallet 1 always holds more than 500 positions (one Data API page).
  whale = sim.truth.wallets()[1] as string
})
afterAll(() => sim.close())

async function allV1(user: string, params: Record<string, string | number> = {}) {
  const rows = []
  for (let offset = 0; ; offset += 500) {
    const reply = await get(sim.dataApiUrl, '/positions', { user, limit: 500, offset, ...params })
    expect(reply.status).toBe(200)
    const page = reply.json as unknown[]
    rows.push(...page.map((row) => positionV1Schema.parse(row)))
    if (page.length < 500) return rows
  }
}

describe('/positions (v1)', () => {
  it('pages a whale past 500 rows and returns exactly its positions, sizes to the unit', async () => {
    const truth = sim.truth.positions(whale)
    expect(truth.length).toBeGreaterThan(500)
    const rows = await allV1(whale, { sizeThreshold: 0 })
    expect(rows).toHaveLength(truth.length)
    const bySize = new Map(truth.map((p) => [p.asset, p.size]))
    for (const row of rows) expect(row.size).toBe(bySize.get(row.asset))
    expect(new Set(rows.map((r) => r.asset)).size).toBe(rows.length)
  })

  it('hides positions under one share unless sizeThreshold says otherwise', async () => {
    const truth = sim.truth.positions(whale)
    const visible = truth.filter((p) => p.sizeUnits >= 1_000_000)
    expect(visible.length).toBeLessThan(truth.length)
    expect(await allV1(whale)).toHaveLength(visible.length)
  })

  it('sorts by size, largest first, by default', async () => {
    const sizes = (await allV1(whale, { sizeThreshold: 0 })).map((row) => Number(row.size))
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a))
  })

  it('refuses limit > 500, offset > 10,000, a missing or malformed user (400)', async () => {
    for (const params of [
      { user: whale, limit: 501 },
      { user: whale, offset: 10_001 },
      { limit: 10 },
      { user: '0x1234', limit: 10 },
    ]) {
      const reply = await get(sim.dataApiUrl, '/positions', params)
      expect(reply.status).toBe(400)
      expect((reply.json as { error: string }).error).toBeTypeOf('string')
    }
    expect((await get(sim.dataApiUrl, '/positions', { user: whale, offset: 10_000 })).status).toBe(200)
  })

  it('answers an empty array for a wallet it does not know', async () => {
    const reply = await get(sim.dataApiUrl, '/positions', { user: `0x${'ab'.repeat(20)}` })
    expect(reply.json).toEqual([])
  })
})

describe('/v2/positions', () => {
  it('walks every position with next_cursor and stops when it is null', async () => {
    const seen: string[] = []
    let cursor: string | undefined
    do {
      const reply = await get(
        sim.dataApiUrl,
        '/v2/positions',
        cursor ? { user: whale, cursor } : { user: whale, limit: 200 },
      )
      expect(reply.status).toBe(200)
      const page = positionsV2PageSchema.parse(reply.json)
      seen.push(...page.records.map((row) => positionV2Schema.parse(row).asset))
      cursor = page.nextCursor
    } while (cursor)
    const truth = sim.truth.positions(whale)
    expect(seen.sort()).toEqual(truth.map((p) => p.asset).sort())
  })

  it('refuses offset, a cursor for another user, and a contradicted sort (400)', async () => {
    expect((await get(sim.dataApiUrl, '/v2/positions', { user: whale, offset: 0 })).status).toBe(400)
    const first = positionsV2PageSchema.parse(
      (await get(sim.dataApiUrl, '/v2/positions', { user: whale, limit: 10 })).json,
    )
    const cursor = first.nextCursor as string
    const other = sim.truth.wallets()[2] as string
    expect((await get(sim.dataApiUrl, '/v2/positions', { user: other, cursor })).status).toBe(400)
    expect(
      (await get(sim.dataApiUrl, '/v2/positions', { user: whale, cursor, sortBy: 'TITLE' })).status,
    ).toBe(400)
    expect(
      (await get(sim.dataApiUrl, '/v2/positions', { user: whale, cursor, sortBy: 'TOKENS' })).status,
    ).toBe(200)
  })

  it('answers data: null for an unknown wallet, never an error', async () => {
    const reply = await get(sim.dataApiUrl, '/v2/positions', { user: `0x${'cd'.repeat(20)}` })
    expect(reply.status).toBe(200)
    expect((reply.json as { data: unknown }).data).toBeNull()
    expect(positionsV2PageSchema.parse(reply.json).records).toEqual([])
  })
})
