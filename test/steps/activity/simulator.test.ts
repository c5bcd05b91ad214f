// The whole pipeline against the simulator's lifecycle world — markets, fills, transfers, lifecycle
// logs and Data API positions — and the analytics views checked against the simulator's own
// figures, computed from its world by its own code (simulator/world/pnl.ts, wallet-book.ts,
// truth-analytics.ts): vw_position_pnl for every wallet and token, the V2 adapter actions attributed
// to their users, the leaderboard, the market statistics and the reconciliation with the Data API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Simulator, startSimulator } from '../../../simulator/index.ts'
import { createSteps, resolveStepConfig } from '../../../steps/registry.ts'
import type { StepName } from '../../../steps/step.ts'
import { openStepHarness, rows, type StepHarness } from '../chain/harness.ts'

const WORLD = { seed: 'lifecycle', markets: 240, wallets: 40, fills: 16_000, blocks: 30_000 }
const STEPS: StepName[] = ['markets', 'chain', 'transfers', 'activity', 'wallets', 'views']

let sim: Simulator
let h: StepHarness

beforeAll(async () => {
  sim = await startSimulator({ ...WORLD, rateLimits: false })
  h = await openStepHarness()
  const { steps, close } = createSteps(
    resolveStepConfig(STEPS, {
      gammaUrl: sim.gammaUrl,
      dataApiUrl: sim.dataApiUrl,
      rpcUrl: sim.rpcUrl,
      fromBlock: String(sim.world.chain.startBlock),
      confirmations: '0',
      rate: 'rpc=1000/s',
    }),
  )
  try {
    for (const step of steps) {
      const outcome = await step.run(h.context())
      expect(outcome.failures, step.name).toEqual([])
    }
  } finally {
    await close()
  }
}, 600_000)

afterAll(async () => {
  await h?.close()
  await sim?.close()
})

describe('the analytics views against the simulator', () => {
  it('vw_position_pnl equals the simulator’s PnL for every wallet and token', async () => {
    const loaded = await rows<Record<string, string | null>>(
      h.warehouse,
      `SELECT wallet, toString(token_id) AS tokenId, condition_id AS conditionId, amount, avg_price AS avgPrice,
              total_bought AS totalBought, realized_pnl AS realizedPnl, last_price AS lastPrice,
              unrealized_pnl AS unrealizedPnl, fees, redeemed
       FROM vw_position_pnl`,
    )
    const expected = sim.truth.wallets().flatMap((wallet) => sim.truth.pnl(wallet))
    const key = (row: { wallet?: unknown; tokenId?: unknown }) => `${row.wallet}|${row.tokenId}`
    const byKey = new Map(loaded.map((row) => [key(row), row]))
    const wrong = expected.filter((truth) => JSON.stringify(byKey.get(key(truth))) !== JSON.stringify(truth))
    expect(wrong.slice(0, 3).map((truth) => ({ truth, loaded: byKey.get(key(truth)) }))).toEqual([])
    expect(loaded.length).toBe(expected.length)
    // The world exercised every rule: redemptions, conversions, fees, losses and gains.
    const [shape] = await rows<Record<string, string>>(
      h.warehouse,
      `SELECT toString(countIf(redeemed > 0)) AS redeemed, toString(countIf(fees > 0)) AS fees,
              toString(countIf(realized_pnl < 0)) AS losses, toString(countIf(realized_pnl > 0)) AS gains
       FROM vw_position_pnl`,
    )
    for (const [name, n] of Object.entries(shape ?? {})) expect(Number(n), name).toBeGreaterThan(0)
    const [sources] = await rows<Record<string, string>>(
      h.warehouse,
      `SELECT toString(countIf(source = 'conversion')) AS conversions, toString(countIf(source = 'redemption')) AS redemptions,
              toString(countIf(source = 'split')) AS splits, toString(countIf(source = 'merge')) AS merges
       FROM (SELECT source FROM vw_pnl_events UNION ALL SELECT source FROM vw_pnl_conversion_buys)`,
    )
    for (const [name, n] of Object.entries(sources ?? {})) expect(Number(n), name).toBeGreaterThan(0)
  })

  it('attributes every V2 adapter action to the user whose tokens moved with it', async () => {
    const attributions = await rows<{ attribution: string; n: string; outsiders: string }>(
      h.warehouse,
      `SELECT attribution, toString(count()) AS n,
              toString(countIf(wallet NOT IN {wallets:Array(String)})) AS outsiders
       FROM vw_activity WHERE event NOT IN ('FeeCharged', 'ConditionResolution', 'MarketPrepared', 'QuestionPrepared')
       GROUP BY attribution ORDER BY attribution`.replace(
        '{wallets:Array(String)}',
        `[${sim.truth
          .wallets()
          .map((w) => `'${w}'`)
          .join(',')}]`,
      ),
    )
    expect(attributions.map((row) => row.attribution)).toEqual(['adapter', 'direct'])
    const adapter = attributions.find((row) => row.attribution === 'adapter')
    expect(Number(adapter?.n)).toBeGreaterThan(0)
    expect(adapter?.outsiders).toBe('0')
  })

  it('ranks wallets in vw_wallet_pnl by the totals of their positions and fills', async () => {
    const units = (text: string | null) => (text === null ? 0n : BigInt(text.replace('.', '')))
    const decimal = (value: bigint) => {
      const abs = value < 0n ? -value : value
      return `${value < 0n ? '-' : ''}${abs / 1_000_000n}.${(abs % 1_000_000n).toString().padStart(6, '0')}`
    }
    const fills = [...sim.truth.fills(sim.world.chain.startBlock, sim.world.chain.tip)]
    const expected = sim.truth
      .wallets()
      .map((wallet) => {
        const pnl = sim.truth.pnl(wallet)
        const sum = (pick: (row: (typeof pnl)[number]) => string | null) =>
          pnl.reduce((total, row) => total + units(pick(row)), 0n)
        const own = fills.filter((fill) => fill.maker === wallet)
        const realized = sum((row) => row.realizedPnl)
        const unrealized = sum((row) => row.unrealizedPnl)
        return {
          wallet,
          realized_pnl: decimal(realized),
          unrealized_pnl: decimal(unrealized),
          total_pnl: decimal(realized + unrealized),
          fees: decimal(sum((row) => row.fees)),
          redeemed: decimal(sum((row) => row.redeemed)),
          volume: decimal(own.reduce((total, fill) => total + BigInt(fill.collateral), 0n)),
          trades: String(own.length),
          markets_traded: String(new Set(own.map((fill) => fill.market)).size),
          positions: String(pnl.length),
          open_positions: String(pnl.filter((row) => units(row.amount) > 0n).length),
        }
      })
      .sort((a, b) => Number(units(b.total_pnl) - units(a.total_pnl)) || a.wallet.localeCompare(b.wallet))
    const board = await rows<Record<string, string>>(
      h.warehouse,
      `SELECT wallet, realized_pnl, unrealized_pnl, total_pnl, fees, redeemed, volume, toString(trades) AS trades,
              toString(markets_traded) AS markets_traded, toString(positions) AS positions,
              toString(open_positions) AS open_positions
       FROM vw_wallet_pnl ORDER BY total_pnl DESC, wallet LIMIT 100`,
    )
    expect(board).toEqual(expected.slice(0, 100))
  })

  it('agrees with the Data API’s avgPrice, totalBought and realizedPnl for every fetched wallet', async () => {
    const statuses = await rows<{ pnl_status: string; n: string }>(
      h.warehouse,
      `SELECT pnl_status, toString(count()) AS n FROM vw_position_reconciliation
       WHERE positions_fetched = 1 GROUP BY pnl_status ORDER BY pnl_status`,
    )
    expect(statuses.map((row) => row.pnl_status)).toEqual(['match'])
    // Every position the API lists was compared figure by figure, not matched for want of one.
    const listed = sim.truth.wallets().reduce((sum, wallet) => sum + sim.truth.positions(wallet).length, 0)
    const [compared] = await rows<{ n: string; bought: string }>(
      h.warehouse,
      `SELECT toString(count()) AS n, toString(countIf(api_total_bought > 0)) AS bought
       FROM vw_position_reconciliation WHERE api_avg_price IS NOT NULL AND chain_avg_price IS NOT NULL`,
    )
    expect(compared?.n).toBe(String(listed))
    expect(Number(compared?.bought)).toBeGreaterThan(0)
  })

  it('sums volume, traders and open interest per market as the simulator does', async () => {
    const stats = await rows<Record<string, string | null>>(
      h.warehouse,
      `SELECT condition_id AS conditionId, volume, toString(trades) AS trades, toString(traders) AS traders,
              open_interest AS openInterest, resolved, winning_outcome, payout_numerators
       FROM vw_market_stats`,
    )
    const byCondition = new Map(stats.map((row) => [row.conditionId, row]))
    const truth = sim.truth.marketStats()
    const markets = new Map([...sim.truth.markets()].map((market) => [market.conditionId, market]))
    const wrong = truth.filter((market) => {
      const row = byCondition.get(market.conditionId)
      return (
        !row ||
        row.volume !== market.volume ||
        row.trades !== String(market.trades) ||
        row.traders !== String(market.traders) ||
        row.openInterest !== market.openInterest ||
        Number(row.resolved) !== (market.winner === null ? 0 : 1)
      )
    })
    expect(wrong.slice(0, 3).map((market) => ({ market, row: byCondition.get(market.conditionId) }))).toEqual(
      [],
    )
    expect(truth.filter((market) => market.winner !== null).length).toBeGreaterThan(0)
    expect(truth.some((market) => market.openInterest !== '0.000000')).toBe(true)
    // Markets the world never traded have zeros; every market has a row.
    expect(stats.length).toBe([...markets.keys()].filter((id) => id !== '').length)
  })
})
