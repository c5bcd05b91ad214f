// The AMM step against the simulator: its world starts with an AMM era (simulator/world/amm.ts) —
// the real factory's creations, trades priced by the FPMM's own rule, funding added and removed —
// below the first fill's block. The markets table holds Gamma's records as the simulator serves
// them (whose AMM-era markets carry their marketMakerAddress), built as the markets step builds its
// rows (schema, marketRow); the AMM step then scans from the factory's real deployment block to the
// tip with faults and a reorg (Alchemy's caps on, never reached by a few hundred logs). The trade
// views must hold exactly the simulator's AMM trades, computed by the simulator from its world
// (simulator/world/amm-truth.ts), and the liquidity view exactly its funding.
import { beforeAll, describe, expect, it } from 'vitest'
import { FPMM_FACTORY_DEPLOYMENT_BLOCK } from '../../../extract/chain/contracts.ts'
import { gammaMarketSchema } from '../../../extract/gamma/schemas.ts'
import type { Simulator } from '../../../simulator/index.ts'
import { marketJson } from '../../../simulator/world/market-json.ts'
import { ammCoverage, createAmmStep } from '../../../steps/amm/index.ts'
import { marketRow } from '../../../steps/markets/rows.ts'
import { rows, type StepHarness } from '../chain/harness.ts'
import { chainOptions, FAULTS, harness, simulator } from '../chain/sim-helpers.ts'

describe('the AMM step against the simulator, faults on, with a reorg', () => {
  let sim: Simulator
  let h: StepHarness
  let outcome: Awaited<ReturnType<ReturnType<typeof createAmmStep>['run']>>

  beforeAll(async () => {
    sim = await simulator({ faults: FAULTS })
    h = await harness()
    const catalog = sim.world.catalog
    const markets = Array.from({ length: catalog.marketCount }, (_, m) => {
      const raw = marketJson(catalog, m, { embedEvent: false, includeTags: false })
      return marketRow(gammaMarketSchema.parse(raw), raw, 'test', undefined)
    })
    await h.warehouse.insert('markets', markets)
    // Ranges of up to 10,000,000 blocks: the 29.6 million blocks before the AMM era go in a few requests.
    const step = createAmmStep(chainOptions(sim, { fromBlock: FPMM_FACTORY_DEPLOYMENT_BLOCK }), {
      adaptive: { initial: 1_000_000, max: 10_000_000 },
    })
    outcome = await step.run(h.context())
  }, 300_000)

  it('covers every block from the factory’s deployment after the reorg and the faults', async () => {
    expect(outcome.failures).toEqual([])
    expect(outcome.complete).toBe(true)
    expect(sim.world.chain.forkEpoch).toBe(1)
    const coverage = await ammCoverage(h.checkpoints, { to: sim.world.chain.tip })
    expect(coverage.gaps).toEqual([])
    const stats = sim.stats()
    expect(stats.totals.faults).toBeGreaterThan(0)
    // A few hundred AMM logs never reach Alchemy's 10K-result cap, so large ranges pass: the scan
    // from block 4,023,693 took a handful of requests, each range checked against the reorg.
    expect(stats.rpcCalls.eth_getLogs ?? 0).toBeLessThan(100)
  })

  it('puts exactly the simulator’s AMM trades in vw_trades_canonical, venue amm', async () => {
    const truth = sim.truth.ammTrades()
    expect(truth.length).toBeGreaterThan(100)
    expect(new Set(truth.map((trade) => trade.side))).toEqual(new Set(['BUY', 'SELL']))
    const loaded = await rows<Record<string, string>>(
      h.warehouse,
      `SELECT wallet, toString(side) AS side, toString(market_id) AS market_id, condition_id, outcome,
              toString(outcome_index) AS outcome_index, shares, collateral, fee, price, exchange,
              toString(block_number) AS block, toString(log_index) AS log_index, tx_hash,
              toString(market_known) AS known, fee_asset
       FROM vw_trades_canonical WHERE venue = 'amm' ORDER BY block_number, log_index`,
    )
    expect(loaded).toEqual(
      truth.map((trade) => ({
        wallet: trade.wallet,
        side: trade.side,
        market_id: trade.marketId,
        condition_id: trade.conditionId,
        outcome: trade.outcome,
        outcome_index: String(trade.outcomeIndex),
        shares: trade.shares,
        collateral: trade.collateral,
        fee: trade.fee,
        price: trade.price,
        exchange: trade.marketMaker,
        block: String(trade.blockNumber),
        log_index: String(trade.logIndex),
        tx_hash: trade.transactionHash,
        known: '1',
        fee_asset: 'usdc',
      })),
    )
  })

  it('gives each outcome of each market maker one token id, and lists the trades in vw_trades_unified', async () => {
    const tokens = await rows<{ maker: string; outcome_index: string; ids: string }>(
      h.warehouse,
      `SELECT exchange AS maker, toString(outcome_index) AS outcome_index, toString(groupUniqArray(token_id)) AS ids
       FROM vw_trades_canonical WHERE venue = 'amm' GROUP BY maker, outcome_index`,
    )
    const ids = tokens.map((row) => JSON.parse(row.ids) as unknown[])
    expect(ids.every((list) => list.length === 1 && String(list[0]) !== '0')).toBe(true)
    expect(new Set(tokens.map((row) => row.ids)).size).toBe(tokens.length)
    const [unified] = await rows<{ trades: string; listed: string; volume: string }>(
      h.warehouse,
      `SELECT toString(count()) AS trades, toString(countIf(question != '' AND slug != '')) AS listed,
              toString(sum(shares)) AS volume
       FROM vw_trades_unified WHERE source = 'blockchain' AND venue = 'amm'`,
    )
    const truth = sim.truth.ammTrades()
    expect(Number(unified?.trades)).toBe(truth.length)
    expect(Number(unified?.listed)).toBe(truth.length)
    const units = truth.reduce((sum, trade) => sum + BigInt(trade.shares.replace('.', '')), 0n)
    expect(unified?.volume).toBe(`${units / 1_000_000n}.${(units % 1_000_000n).toString().padStart(6, '0')}`)
  })

  it('lists exactly the simulator’s funding adds and removals in vw_amm_liquidity', async () => {
    const loaded = await rows<Record<string, string>>(
      h.warehouse,
      `SELECT wallet, market_maker, toString(market_id) AS market_id, kind, toString(amounts) AS amounts, collateral,
              lp_shares, toString(block_number) AS block, toString(log_index) AS log_index
       FROM vw_amm_liquidity ORDER BY block_number, log_index`,
    )
    expect(loaded).toEqual(
      sim.truth.ammLiquidity().map((event) => ({
        wallet: event.wallet,
        market_maker: event.marketMaker,
        market_id: event.marketId,
        kind: event.kind,
        amounts: `[${event.amounts.join(',')}]`,
        collateral: event.collateral,
        lp_shares: event.lpShares,
        block: String(event.blockNumber),
        log_index: String(event.logIndex),
      })),
    )
    const [makers] = await rows<{ n: string; listed: string }>(
      h.warehouse,
      'SELECT toString(count()) AS n, toString(sum(listed)) AS listed FROM vw_amm_markets',
    )
    expect(Number(makers?.n)).toBe(sim.world.amm.marketMakers.size)
    expect(Number(makers?.listed)).toBe(sim.world.amm.marketMakers.size)
  })
})
