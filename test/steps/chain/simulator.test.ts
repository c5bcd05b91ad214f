// The chain step against the simulator: provider caps (Alchemy's 10K-log limit with its suggested
// range), 429s, 5xx, hung and truncated answers, HTML pages, and a reorg of the last blocks right
// after the tip was read. chain_fills must equal the simulator's ground truth exactly — no gap, no
// duplicate, no row of an abandoned block — taker-leg volume must equal its matched volume, and
// chain trades must reconcile to zero with its positions.
import { beforeAll, describe, expect, it } from 'vitest'
import type { Simulator } from '../../../simulator/index.ts'
import { createChainStep, fillsCoverage } from '../../../steps/chain/index.ts'
import type { StepHarness } from './harness.ts'
import { rows } from './harness.ts'
import {
  chainOptions,
  FAULTS,
  harness,
  insertServedPositions,
  loadedLines,
  servedSnapshotTime,
  simulator,
  truthLines,
  WORLD,
} from './sim-helpers.ts'

describe('the chain step against the simulator, provider limits and faults on, with a reorg', () => {
  let sim: Simulator
  let h: StepHarness
  let outcome: Awaited<ReturnType<ReturnType<typeof createChainStep>['run']>>
  let step: ReturnType<typeof createChainStep>

  beforeAll(async () => {
    sim = await simulator({ faults: FAULTS })
    h = await harness()
    // What the views join: the simulator's markets and tokens, and the Data API positions of every
    // wallet as the simulator serves them (the positions step is not part of this test).
    const tokens = [...sim.truth.markets()].flatMap((market) =>
      market.clobTokenIds.map((token, index) => ({
        token_id: token,
        condition_id: market.conditionId,
        market_id: market.id,
        outcome_index: index,
        outcome: `outcome ${index}`,
        _run_id: 'test',
      })),
    )
    await h.warehouse.insert('market_tokens', tokens)
    await insertServedPositions(h.warehouse, sim)
    // A first range of 100,000 blocks holds more than Alchemy's 10K logs: refused, with the
    // provider's suggested range.
    step = createChainStep(chainOptions(sim), { adaptive: { initial: 100_000 } })
    outcome = await step.run(h.context())
  }, 240_000)

  it('finishes with every block covered after stepping back over the reorg', async () => {
    expect(outcome.failures).toEqual([])
    expect(outcome.complete).toBe(true)
    expect(sim.world.chain.forkEpoch).toBe(1)
    expect(step.lastRun?.rewinds.length).toBeGreaterThan(0)
    expect(h.notes.some((note) => note.startsWith('reorg:'))).toBe(true)
    const coverage = await fillsCoverage(h.checkpoints, {
      from: sim.world.chain.startBlock,
      to: sim.world.chain.tip,
    })
    expect(coverage.gaps).toEqual([])
    // The faults and provider caps did happen: this was not a quiet run.
    const stats = sim.stats()
    expect(stats.endpoints.rpc?.providerLimitErrors).toBeGreaterThan(0)
    expect(stats.totals.faults).toBeGreaterThan(0)
    // Logs carry blockTimestamp here: headers are read only for the reorg checks (pages of 50,
    // retried when faulted) and near the tip — never one per log (30,000 here).
    expect(stats.rpcCalls.eth_getBlockByNumber ?? 0).toBeLessThan(WORLD.fills / 100)
  })

  it('holds exactly the ground truth: no gap, no duplicate, no row of an abandoned block', async () => {
    const truth = truthLines(sim)
    expect(truth.length).toBe(WORLD.fills)
    expect(await loadedLines(h)).toEqual(truth)
    // Not even unmerged duplicates: the raw table holds each fill once.
    expect(await loadedLines(h, '')).toEqual(truth)
    const [byWallet] = await rows(
      h.warehouse,
      `SELECT toString(count()) AS n FROM chain_fills_by_wallet FINAL`,
    )
    expect(byWallet?.n).toBe(String(WORLD.fills))
    // Every stored block hash is the current fork's.
    const blocks = await h.warehouse.query<{ block: string; hash: string }>(
      `SELECT toString(block_number) AS block, block_hash AS hash FROM chain_blocks FINAL`,
    )
    const stale = blocks.filter((block) => sim.world.chain.blockHash(Number(block.block)) !== block.hash)
    expect(stale).toEqual([])
  })

  it('counts volume once per match: taker legs sum to the matched volume', async () => {
    const [volume] = await rows(
      h.warehouse,
      `SELECT sum(collateral) AS usdc, toString(count()) AS legs FROM vw_trades_canonical WHERE is_taker_leg`,
    )
    const totals = sim.truth.fillTotals()
    expect(volume?.usdc).toBe(totals.matchedVolumeUsdc)
    expect(volume?.legs).toBe(String(totals.takerLegs))
  })

  it('reconciles chain trades with the positions to zero for every wallet', async () => {
    // Trades alone explain every position but those the lifecycle changed (world/lifecycle.ts: a
    // redemption took what the trades left, a conversion added YES tokens): there the API differs
    // from the trades by exactly what the lifecycle did.
    const reconciled = await rows<{ wallet: string; token_id: string; status: string; difference: string }>(
      h.warehouse,
      `SELECT wallet, toString(token_id) AS token_id, status, toString(difference) AS difference
       FROM vw_position_reconciliation WHERE status != 'match'`,
    )
    const expected = sim.truth.wallets().flatMap((wallet) =>
      sim.truth
        .positions(wallet)
        .filter((p) => p.sizeUnits !== p.tradedUnits)
        .map((p) => ({
          wallet,
          token_id: p.asset,
          status: p.tradedUnits === 0 ? 'only_api' : 'differs',
          difference: String((p.sizeUnits - p.tradedUnits) / 1e6),
        })),
    )
    // Redeemed positions are gone from the API while their trades remain.
    const redeemed = sim.truth.wallets().flatMap((wallet) =>
      sim.world
        .walletBook(sim.world.ledger.walletByAddress(wallet))
        .filter((state) => state.size === 0 && state.traded !== 0)
        .map((state) => ({
          wallet,
          token_id: sim.world.catalog.tokenIdDecimal(state.token),
          status: 'only_chain',
          difference: String(-state.traded / 1e6),
        })),
    )
    // A position with a fill in the five minutes before the snapshot may be one the API had not
    // indexed yet: the view calls it 'pending' (vw_reconciliation_window), whatever it differs by.
    const settledBefore = servedSnapshotTime(sim) - 5 * 60
    const late = new Set<string>()
    for (const fill of sim.truth.fills(sim.world.chain.startBlock, sim.world.chain.tip))
      if (sim.world.chain.timestamp(fill.blockNumber) >= settledBefore)
        late.add(`${fill.maker}|${sim.world.catalog.tokenIdDecimal(fill.token)}`)
    const verdict = (row: { wallet: string; token_id: string; status: string; difference: string }) =>
      late.has(`${row.wallet}|${row.token_id}`) ? { ...row, status: 'pending' } : row
    const order = (a: { wallet: string; token_id: string }, b: { wallet: string; token_id: string }) =>
      `${a.wallet}|${a.token_id}`.localeCompare(`${b.wallet}|${b.token_id}`)
    expect(reconciled.sort(order)).toEqual([...expected, ...redeemed].map(verdict).sort(order))
    expect(reconciled.filter((row) => row.status !== 'pending').length).toBeGreaterThan(reconciled.length / 2)
    expect(redeemed.length).toBeGreaterThan(0)
    const [wallets] = await rows(
      h.warehouse,
      `SELECT toString(uniqExact(wallet)) AS n FROM vw_position_reconciliation`,
    )
    expect(wallets?.n).toBe(String(WORLD.wallets))
  })

  it('serves one wallet from both sources in vw_trades_unified', async () => {
    const wallet = sim.truth.wallets()[7] as string
    const unified = await rows(
      h.warehouse,
      `SELECT source, toString(count()) AS n, toString(countIf(market_known = 0)) AS unknown, toString(countIf(question = '')) AS no_question
       FROM vw_trades_unified WHERE wallet = '${wallet}' GROUP BY source ORDER BY source`,
    )
    const fills = [...sim.truth.fills(sim.world.chain.startBlock, sim.world.chain.tip)].filter(
      (f) => f.maker === wallet,
    )
    expect(unified).toEqual([
      { source: 'blockchain', n: String(fills.length), unknown: '0', no_question: String(fills.length) },
      {
        source: 'clob_api',
        n: String(sim.truth.positions(wallet).length),
        unknown: '0',
        no_question: String(sim.truth.positions(wallet).length),
      },
    ])
  })
})
