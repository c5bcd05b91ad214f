// Every market, event and token Gamma lists reaches the warehouse, whatever fields a record lacks:
// the simulator's Gamma applies start_date_min/max as a database would (a record without startDate
// matches no partition), and its world holds markets and events without startDate, standalone and
// inside events. Also a Gamma that ignores the date filters: detected, said once, walked once.
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { stepContext } from '../../bench/shared/step-context.ts'
import { keysetPartitions } from '../../extract/gamma/partitions.ts'
import { createHttpClient } from '../../extract/http/client.ts'
import { parseRateSpec, resolveRateLimits } from '../../extract/http/rates.ts'
import type { Warehouse } from '../../load/warehouse.ts'
import { type Simulator, type SimulatorOptions, startSimulator } from '../../simulator/index.ts'
import { createMarketsStep } from '../../steps/markets/index.ts'
import { openTempWarehouse } from '../helpers/warehouse.ts'

const http = createHttpClient({
  rateLimits: resolveRateLimits(parseRateSpec('gamma=2000/s')),
  backoffBaseMs: 20,
  backoffMaxMs: 200,
  maxAttempts: 5,
})
// chDB holds one data directory per process: each test closes its warehouse before the next opens.
let opened: { sim: Simulator; warehouse: Warehouse } | undefined

afterEach(async () => {
  await opened?.warehouse.close()
  await opened?.sim.close()
  opened = undefined
})
afterAll(() => http.close())

async function backfillMarkets(options: SimulatorOptions) {
  const sim = await startSimulator({ wallets: 20, fills: 500, rateLimits: false, ...options })
  const warehouse = await openTempWarehouse()
  opened = { sim, warehouse }
  const context = await stepContext(warehouse)
  const step = createMarketsStep({ http, gammaUrl: sim.gammaUrl, rateLimits: resolveRateLimits(new Map()) })
  const outcome = await step.run(context)
  return { sim, warehouse, context, outcome, step }
}

/** What the warehouse lacks against the simulator's truth: market, event and token ids. */
async function missing(sim: Simulator, warehouse: Warehouse) {
  const ids = async (sql: string) =>
    new Set((await warehouse.query<{ id: string }>(sql)).map((row) => row.id))
  const markets = await ids('SELECT toString(market_id) AS id FROM markets FINAL')
  const events = await ids('SELECT toString(event_id) AS id FROM events FINAL')
  const tokens = await ids('SELECT toString(token_id) AS id FROM market_tokens')
  const truthMarkets = [...sim.truth.markets()].filter((market) => !market.drifted)
  const truthEvents = [...sim.truth.events()].filter((event) => !event.drifted)
  return {
    markets: truthMarkets.filter((market) => !markets.has(market.id)).map((market) => market.id),
    events: truthEvents.filter((event) => !events.has(event.id)).map((event) => event.id),
    tokens: truthMarkets.flatMap((market) => market.clobTokenIds).filter((token) => !tokens.has(token)),
    stored: { markets: markets.size, events: events.size, tokens: tokens.size },
  }
}

describe('markets step: every record Gamma lists', () => {
  it('stores every market, event and token, those without startDate included', {
    timeout: 300_000,
  }, async () => {
    const { sim, warehouse, context, outcome, step } = await backfillMarkets({
      seed: 'undated',
      markets: 1_200,
    })
    expect(outcome.failures).toEqual([])
    const truthMarkets = [...sim.truth.markets()]
    const truthEvents = [...sim.truth.events()]
    // The world holds what the partitions cannot reach: standalone and event markets, and events.
    const undated = truthMarkets.filter((market) => !market.hasStartDate)
    expect(undated.filter((market) => market.eventId === null).length).toBeGreaterThan(0)
    expect(undated.filter((market) => market.eventId !== null).length).toBeGreaterThan(0)
    expect(truthEvents.filter((event) => !event.hasStartDate).length).toBeGreaterThan(0)

    const gaps = await missing(sim, warehouse)
    expect(gaps.markets).toEqual([])
    expect(gaps.events).toEqual([])
    expect(gaps.tokens).toEqual([])
    expect(gaps.stored.markets).toBe(truthMarkets.length)
    expect(gaps.stored.events).toBe(truthEvents.length)
    // Stored without a start date, exactly those the truth says have none.
    const storedUndated = await warehouse.query<{ id: string }>(
      'SELECT toString(market_id) AS id FROM markets FINAL WHERE start_date IS NULL ORDER BY market_id',
    )
    expect(storedUndated.map((row) => row.id)).toEqual(undated.map((market) => market.id))
    expect(
      context.notes.some((note) => note.includes('without a startDate reached by the closing pass')),
    ).toBe(true)
    // The closing pass costs pages, not a second walk: the markets keyset requests stay within the
    // partitions' own pages plus a few per `closed` value.
    const pages = sim.stats().endpoints['gamma /markets/keyset']?.requests ?? 0
    const partitions = keysetPartitions().length
    expect(pages).toBeLessThan(partitions + Math.ceil(1_200 / 100) + 3 * 2 + 10)

    // A second run has nothing left to do.
    const before = sim.stats().totals.requests
    const again = await step.run(await stepContext(warehouse))
    expect(again.complete).toBe(true)
    expect(sim.stats().totals.requests - before).toBe(0)
  })

  it('detects a Gamma that ignores the date filters, says so once and walks each list once', {
    timeout: 300_000,
  }, async () => {
    const { sim, warehouse, context, outcome } = await backfillMarkets({
      seed: 'filters-ignored',
      markets: 1_200,
      gammaIgnoresDateFilters: true,
    })
    expect(outcome.failures).toEqual([])
    expect(outcome.complete).toBe(true)
    const gaps = await missing(sim, warehouse)
    expect(gaps.markets).toEqual([])
    expect(gaps.events).toEqual([])
    expect(gaps.tokens).toEqual([])
    const said = context.notes.filter((note) => note.includes('ignores the start-date filters'))
    // Once per list (markets, events), never once per partition.
    expect(said).toHaveLength(2)
    expect(said.some((note) => note.includes('/markets/keyset'))).toBe(true)
    // Walking every partition would read the 12 pages of markets ~170 times; once is ~12 pages, plus
    // the first page of the partitions that started before the first answer told.
    const pages = sim.stats().endpoints['gamma /markets/keyset']?.requests ?? 0
    expect(pages).toBeLessThan(12 * 3 + 24)
  })
})
