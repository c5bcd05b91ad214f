// The markets step against the simulator with faults on: the warehouse ends equal to the
// simulator's ground truth, drifted records are quarantined, no market is left an orphan, and a
// second run is a no-op.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stepContext } from '../../bench/shared/step-context.ts'
import { createHttpClient } from '../../extract/http/client.ts'
import { parseRateSpec, resolveRateLimits } from '../../extract/http/rates.ts'
import type { Warehouse } from '../../load/warehouse.ts'
import { type Simulator, startSimulator } from '../../simulator/index.ts'
import { createMarketsStep } from '../../steps/markets/index.ts'
import { openTempWarehouse } from '../helpers/warehouse.ts'

// The fault mix, with 429s rarer: each carries a Retry-After that pauses the whole family,
// which is right against a real server and only slow here.
const FAULTS = '429=0.03,5xx=0.05,hang=0.02,truncate=0.01,html=0.01,drift=0.02'

describe('markets step against the simulator with faults', () => {
  let sim: Simulator
  let warehouse: Warehouse
  const http = createHttpClient({
    // The simulator enforces the documented limits itself; the test runs faster than them.
    rateLimits: resolveRateLimits(parseRateSpec('gamma=2000/s')),
    headersTimeoutMs: 1_000,
    bodyTimeoutMs: 1_000,
    backoffBaseMs: 20,
    backoffMaxMs: 200,
    maxAttempts: 10,
  })

  beforeAll(async () => {
    sim = await startSimulator({
      seed: 'markets-test',
      markets: 400,
      wallets: 20,
      fills: 500,
      faults: FAULTS,
      hangMs: 3_000,
      rateLimits: false,
    })
    warehouse = await openTempWarehouse()
  })
  afterAll(async () => {
    await http.close()
    await warehouse?.close()
    await sim?.close()
  })

  it('stores exactly the simulated universe, quarantines the drifted records and leaves no orphan', {
    timeout: 300_000,
  }, async () => {
    const context = await stepContext(warehouse)
    const step = createMarketsStep({ http, gammaUrl: sim.gammaUrl, rateLimits: resolveRateLimits(new Map()) })
    const outcome = await step.run(context)
    expect(outcome.failures).toEqual([])
    expect(outcome.complete).toBe(true)
    // A drifted record (a startDate that is not a date) is no sign that Gamma ignores the filters.
    expect(context.notes.filter((note) => note.includes('ignores'))).toEqual([])

    const truth = [...sim.truth.markets()]
    const kept = truth.filter((market) => !market.drifted)
    const stored = await warehouse.query<{
      id: string
      condition_id: string
      event_id: string
      event_title: string
      tokens: string[]
    }>(
      `SELECT toString(market_id) AS id, condition_id, toString(event_id) AS event_id, event_title,
              arrayMap(t -> toString(t), clob_token_ids) AS tokens
       FROM markets FINAL ORDER BY market_id`,
    )
    expect(stored.map((row) => row.id)).toEqual(
      kept.map((market) => market.id).sort((a, b) => Number(a) - Number(b)),
    )
    const byId = new Map(stored.map((row) => [row.id, row]))
    for (const market of kept) {
      const row = byId.get(market.id)
      expect(row?.condition_id).toBe(market.conditionId)
      expect(row?.tokens).toEqual(market.clobTokenIds)
      expect(row?.event_id).toBe(market.eventId ?? '0')
      expect(row?.event_title).toBe(market.eventTitle ?? '')
    }

    const tokens = await warehouse.query<{ token_id: string; market_id: string; outcome_index: number }>(
      'SELECT toString(token_id) AS token_id, toString(market_id) AS market_id, outcome_index FROM market_tokens FINAL',
    )
    const expectedTokens = kept.flatMap((market) =>
      market.clobTokenIds.map((token, index) => `${token}/${market.id}/${index}`),
    )
    expect(tokens.map((row) => `${row.token_id}/${row.market_id}/${row.outcome_index}`).sort()).toEqual(
      expectedTokens.sort(),
    )

    const summary = sim.truth.summary()
    const [events] = await warehouse.query<{ n: string }>('SELECT toString(count()) AS n FROM events FINAL')
    expect(Number(events?.n)).toBe(summary.events.count - summary.events.drifted)
    const quarantined = await warehouse.query<{ stream: string; record_key: string }>(
      'SELECT stream, record_key FROM etl_quarantine FINAL ORDER BY stream, record_key',
    )
    expect(
      quarantined
        .filter((row) => row.stream === 'markets')
        .map((row) => row.record_key)
        .sort(),
    ).toEqual(
      truth
        .filter((market) => market.drifted)
        .map((market) => market.id)
        .sort(),
    )
    expect(quarantined.filter((row) => row.stream === 'events')).toHaveLength(summary.events.drifted)
    expect(summary.markets.drifted + summary.events.drifted).toBeGreaterThan(0)
    expect(summary.markets.orphans).toBeGreaterThan(0)

    // The faults really happened, and were survived.
    const faults = sim.stats().totals.faults
    expect(faults).toBeGreaterThan(0)
  })

  it('does nothing the second time: every partition is recorded done', async () => {
    const before = sim.stats().totals.requests
    const context = await stepContext(warehouse)
    const step = createMarketsStep({ http, gammaUrl: sim.gammaUrl, rateLimits: resolveRateLimits(new Map()) })
    const plan = await step.plan(context)
    expect(plan.remaining).toBe(0)
    const outcome = await step.run(context)
    expect(outcome).toMatchObject({ failures: [], complete: true })
    // No keyset page is fetched again (the anti-orphan pass has nothing left to ask either).
    expect(sim.stats().totals.requests).toBe(before)
  })
})
