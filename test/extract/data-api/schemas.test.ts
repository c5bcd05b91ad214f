// The real positions fixtures and the simulator's v1 and v2 output parse through the same
// schemas; shares and USDC come out as exact 6-decimal strings, token ids as decimal strings.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  closedPositionV1Schema,
  positionsV1PageSchema,
  positionsV2PageSchema,
  positionV1Schema,
  positionV2Schema,
} from '../../../extract/data-api/schemas.ts'
import { get } from '../../../simulator/client.ts'
import { type Simulator, startSimulator } from '../../../simulator/index.ts'

const DIR = path.resolve(import.meta.dirname, '../../fixtures/polymarket/data-api')
const load = (name: string) =>
  JSON.parse(readFileSync(path.join(DIR, name), 'utf8')) as Record<string, unknown>[]

describe('real Data API fixtures', () => {
  it('parses every /positions row with exact amounts and token ids', () => {
    const rows = positionsV1PageSchema
      .parse(load('polyprinter_positions_sample.json'))
      .map((row) => positionV1Schema.parse(row))
    expect(rows).toHaveLength(5)
    expect(rows[0]).toMatchObject({
      proxyWallet: '0x204f72f35326db932158cba6adff0b9a1da95e14',
      asset: '68597209131581960974574078416022347809090604213048755554402440417445073439976',
      size: '37722.995800',
      avgPrice: '0.9463',
      totalBought: '58053.445100',
      realizedPnl: '-6621.037700',
      percentRealizedPnl: '-31.3691',
      eventId: '808216',
      endDate: '2026-08-14',
      outcomeIndex: 1,
      negativeRisk: false,
    })
  })

  it('parses every /closed-positions row', () => {
    const rows = load('polyprinter_closed_positions_sample.json').map((row) =>
      closedPositionV1Schema.parse(row),
    )
    expect(rows).toHaveLength(10)
    expect(rows[0]?.totalBought).toBe('2367206.947438')
    expect(rows[0]?.avgPrice).toBe('0.443306')
  })

  it('refuses token ids as numbers, amounts that are not numbers, and bad wallets', () => {
    const row = load('polyprinter_positions_sample.json')[0] as Record<string, unknown>
    // A token id that arrived as a JSON number has already lost digits: refused, not carried.
    expect(positionV1Schema.safeParse({ ...row, asset: Number(row.asset) }).success).toBe(false)
    expect(positionV1Schema.safeParse({ ...row, size: 'n/a' }).success).toBe(false)
    expect(positionV1Schema.safeParse({ ...row, proxyWallet: '0x204f' }).success).toBe(false)
    expect(positionV1Schema.parse({ ...row, size: '12.5' }).size).toBe('12.500000')
    expect(positionV1Schema.parse({ ...row, size: 0.40350500000000006 }).size).toBe('0.403505')
  })
})

describe("the simulator's Data API output", () => {
  let sim: Simulator
  beforeAll(async () => {
    sim = await startSimulator({
      seed: 'data-schemas',
      markets: 300,
      wallets: 20,
      fills: 3_000,
      rateLimits: false,
    })
  })
  afterAll(() => sim.close())

  it('parses v1 and v2 rows through the same schemas, to the same sizes', async () => {
    // Wallet 1 is a whale (more than one 500-row page); these fit in one page each.
    for (const wallet of sim.truth.wallets().slice(2, 7)) {
      const v1 = positionsV1PageSchema.parse(
        (await get(sim.dataApiUrl, '/positions', { user: wallet, limit: 500, sizeThreshold: 0 })).json,
      )
      const v2 = positionsV2PageSchema.parse(
        (await get(sim.dataApiUrl, '/v2/positions', { user: wallet, limit: 500 })).json,
      )
      const sizes1 = new Map(v1.map((r) => positionV1Schema.parse(r)).map((r) => [r.asset, r.size]))
      const sizes2 = new Map(v2.records.map((r) => positionV2Schema.parse(r)).map((r) => [r.asset, r.size]))
      expect(sizes2).toEqual(sizes1)
      expect(new Map(sim.truth.positions(wallet).map((p) => [p.asset, p.size]))).toEqual(sizes1)
    }
  })
})
