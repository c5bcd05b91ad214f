// The Gamma pollers of `polyhouse sync`, in one process over one run (as the looping form runs
// them): an unchanged world, drifted records included, writes nothing; a market that changes and
// changes back gets both versions (each poll's inserts have their own deduplication tokens); without
// an open listing the resolution poll re-checks every market stored open.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RecordedContext, stepContext } from '../../bench/shared/step-context.ts'
import { createHttpClient } from '../../extract/http/client.ts'
import { parseRateSpec, resolveRateLimits } from '../../extract/http/rates.ts'
import type { Warehouse } from '../../load/warehouse.ts'
import { type Simulator, startSimulator } from '../../simulator/index.ts'
import { createMarketsStep } from '../../steps/markets/index.ts'
import { createGammaPollers } from '../../steps/sync/markets.ts'
import { openTempWarehouse } from '../helpers/warehouse.ts'

describe('sync pollers over one run', () => {
  let sim: Simulator
  let warehouse: Warehouse
  let context: RecordedContext
  const http = createHttpClient({ rateLimits: resolveRateLimits(parseRateSpec('gamma=2000/s')) })

  const rowsSince = async (table: string, since: number) => {
    const [row] = await warehouse.query<{ n: string }>(
      `SELECT toString(count()) AS n FROM ${table} WHERE ${table === 'etl_quarantine' ? 'quarantined_at' : '_ingested_at'} >= fromUnixTimestamp64Milli({since:Int64})`,
      { since },
    )
    return Number(row?.n)
  }
  const prices = async (id: string) => {
    const [row] = await warehouse.query<{ prices: string[] }>(
      'SELECT arrayMap(p -> toString(p), outcome_prices) AS prices FROM markets FINAL WHERE market_id = {id:UInt64}',
      { id },
    )
    return row?.prices
  }

  beforeAll(async () => {
    sim = await startSimulator({
      seed: 'sync-pollers',
      markets: 150,
      wallets: 10,
      fills: 200,
      blocks: 2_000,
      faults: 'drift=0.05',
      rateLimits: false,
    })
    warehouse = await openTempWarehouse()
    context = await stepContext(warehouse)
    const markets = createMarketsStep({
      http,
      gammaUrl: sim.gammaUrl,
      rateLimits: resolveRateLimits(new Map()),
    })
    expect((await markets.run(context)).failures).toEqual([])
  }, 300_000)
  afterAll(async () => {
    await http.close()
    await warehouse?.close()
    await sim?.close()
  })

  it('an unchanged world, drifted records included, writes nothing', { timeout: 120_000 }, async () => {
    const quarantined = await warehouse.query<{ n: string }>(
      "SELECT toString(count()) AS n FROM etl_quarantine FINAL WHERE stream IN ('markets', 'events')",
    )
    expect(Number(quarantined[0]?.n)).toBeGreaterThan(0)
    const pollers = createGammaPollers({ http, gammaUrl: sim.gammaUrl, hotEvents: 5 })
    const since = Date.now()
    for (const poller of [pollers.hot, pollers.open, pollers.resolution, pollers.short]) {
      const outcome = await poller.poll(context)
      expect(outcome).toMatchObject({ rows: 0, failures: [] })
      expect(outcome.summary).toMatch(/ · nothing changed$/)
    }
    for (const table of ['markets', 'events', 'market_tokens', 'tags', 'etl_quarantine'])
      expect({ table, rows: await rowsSince(table, since) }).toEqual({ table, rows: 0 })
  })

  it('a market that changes and changes back within one run gets each version', {
    timeout: 120_000,
  }, async () => {
    const [market] = await warehouse.query<{ id: string; event: string; prices: string[] }>(
      `SELECT toString(market_id) AS id, toString(event_id) AS event, arrayMap(p -> toString(p), outcome_prices) AS prices
       FROM markets FINAL WHERE closed = 0 AND event_id != 0 AND length(outcomes) = 2 ORDER BY market_id LIMIT 1`,
    )
    if (!market) throw new Error('no open market in an event')
    const original = `[${market.prices.map((price) => JSON.stringify(price)).join(', ')}]`
    sim.updateEvent(market.event, { volume: 1e9 })
    const pollers = createGammaPollers({ http, gammaUrl: sim.gammaUrl, hotEvents: 1 })
    expect((await pollers.hot.poll(context)).summary).toMatch(
      /^top 1 event by volume · \d+ markets?, 1 event upserted$/,
    )
    sim.updateMarket(market.id, { outcomePrices: '["0.25", "0.75"]' })
    expect((await pollers.hot.poll(context)).summary).toBe('top 1 event by volume · 1 market upserted')
    expect(await prices(market.id)).toEqual(['0.25', '0.75'])
    // Back to the payload of the first poll, in the same run: the same rows, inserted again.
    sim.updateMarket(market.id, { outcomePrices: original })
    expect((await pollers.hot.poll(context)).summary).toBe('top 1 event by volume · 1 market upserted')
    expect(await prices(market.id)).toEqual(market.prices)
    // And again the payload of the second poll.
    sim.updateMarket(market.id, { outcomePrices: '["0.25", "0.75"]' })
    expect((await pollers.hot.poll(context)).summary).toBe('top 1 event by volume · 1 market upserted')
    expect(await prices(market.id)).toEqual(['0.25', '0.75'])
  })

  it('without an open listing, the resolution poll re-checks every market stored open', {
    timeout: 120_000,
  }, async () => {
    const [open] = await warehouse.query<{ markets: string; events: string; first: string }>(
      `SELECT (SELECT toString(count()) FROM markets FINAL WHERE closed = 0) AS markets,
              (SELECT toString(count()) FROM events FINAL WHERE closed = 0) AS events,
              (SELECT toString(min(market_id)) FROM markets FINAL WHERE closed = 0 AND event_id = 0) AS first`,
    )
    const pollers = createGammaPollers({ http, gammaUrl: sim.gammaUrl, hotEvents: 1 })
    sim.closeMarket(open?.first ?? '')
    const outcome = await pollers.resolution.poll(context)
    expect(outcome.summary).toBe(
      `re-checked ${open?.markets} markets, ${open?.events} events stored open (no whole open listing yet) · 1 market closed · 1 market upserted`,
    )
    const [row] = await warehouse.query<{ closed: boolean }>(
      'SELECT closed FROM markets FINAL WHERE market_id = {id:UInt64}',
      { id: open?.first },
    )
    expect(row?.closed).toBe(true)
    // After a whole open listing, only what left it is re-checked: nothing.
    await pollers.open.poll(context)
    expect((await pollers.resolution.poll(context)).summary).toBe(
      're-checked 0 markets, 0 events no longer listed open · nothing changed',
    )
  })
})
