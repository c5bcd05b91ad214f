// The AMM step against a real node: anvil places log emitters at Polymarket's real FPMM factory and
// at the real market maker of Gamma market 240379 (the AMM-era fixture resolved-markets-keyset-
// limit-1.json, whose marketMakerAddress it is), and emits the factory's creation of that market
// maker over the market's real condition and USDC, then buys, sells, a funding add and removal by
// the real event layouts — plus an FPMMBuy from a contract the factory never created (kept in
// amm_events, in no view) and logs that must be quarantined. Every row is compared field by field
// with values written here by hand (words, not an ABI library); the trade's token ids must be the
// market's real clobTokenIds.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CONDITIONAL_TOKENS, FPMM_FACTORY, TOPIC0, USDC_POLYGON } from '../../../extract/chain/contracts.ts'
import type { BlockHeader } from '../../../extract/chain/rpc.ts'
import { gammaMarketSchema } from '../../../extract/gamma/schemas.ts'
import { ammCoverage, createAmmStep } from '../../../steps/amm/index.ts'
import { marketRow, tokenRows } from '../../../steps/markets/rows.ts'
import { Anvil, type EmittedLog, type LogToEmit } from '../../anvil/anvil.ts'
import { localChainOptions, openStepHarness, rows, type StepHarness } from '../chain/harness.ts'

const FIXTURE = path.resolve(
  import.meta.dirname,
  '../../fixtures/polymarket/gamma/resolved-markets-keyset-limit-1.json',
)
const gammaPage = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { markets: Record<string, unknown>[] }
const gammaRaw = gammaPage.markets[0] as Record<string, unknown>
const gamma = gammaMarketSchema.parse(gammaRaw)
/** The real market maker of market 240379, as Gamma prints it (checksummed). */
const MARKET_MAKER = String(gammaRaw.marketMakerAddress).toLowerCase()
const CONDITION = gamma.conditionId
/** Not created by the factory: its FPMMBuy must stay out of the views. */
const STRANGER = '0x00000000000000000000000000000000000fa4e0'

const w = (value: bigint | number) => BigInt(value).toString(16).padStart(64, '0')
const topic = (value: bigint | number) => `0x${w(value)}`
const addressTopic = (address: string) => `0x${address.slice(2).toLowerCase().padStart(64, '0')}`
const wallet = (n: number) => `0x${n.toString(16).padStart(40, 'a')}`
const creator = wallet(9)

const creation: LogToEmit = {
  address: FPMM_FACTORY,
  topics: [
    TOPIC0.fpmmCreation,
    addressTopic(creator),
    addressTopic(CONDITIONAL_TOKENS),
    addressTopic(USDC_POLYGON),
  ],
  // fixedProductMarketMaker, offset of conditionIds (0x60: after three head words), fee 2 %, then
  // the array [1, condition].
  data: `0x${w(BigInt(MARKET_MAKER))}${w(0x60)}${w(2n * 10n ** 16n)}${w(1)}${CONDITION.slice(2)}`,
}
const fundingAdded = (funder: string, amounts: bigint[], shares: bigint): LogToEmit => ({
  address: MARKET_MAKER,
  topics: [TOPIC0.fpmmFundingAdded, addressTopic(funder)],
  data: `0x${w(0x40)}${w(shares)}${w(amounts.length)}${amounts.map(w).join('')}`,
})
const fundingRemoved = (funder: string, amounts: bigint[], fees: bigint, shares: bigint): LogToEmit => ({
  address: MARKET_MAKER,
  topics: [TOPIC0.fpmmFundingRemoved, addressTopic(funder)],
  data: `0x${w(0x60)}${w(fees)}${w(shares)}${w(amounts.length)}${amounts.map(w).join('')}`,
})
const trade = (
  kind: 'buy' | 'sell',
  who: string,
  collateral: bigint,
  fee: bigint,
  outcome: bigint,
  tokens: bigint,
  emitter = MARKET_MAKER,
): LogToEmit => ({
  address: emitter,
  topics: [kind === 'buy' ? TOPIC0.fpmmBuy : TOPIC0.fpmmSell, addressTopic(who), topic(outcome)],
  data: `0x${w(collateral)}${w(fee)}${w(tokens)}`,
})

interface Trade {
  kind: 'buy' | 'sell'
  who: string
  collateral: bigint
  fee: bigint
  outcome: number
  tokens: bigint
}
const TRADES: Trade[] = [
  // 100 USDC in, 2 USDC fee, 153.846153 Yes out.
  {
    kind: 'buy',
    who: wallet(1),
    collateral: 100_000_000n,
    fee: 2_000_000n,
    outcome: 0,
    tokens: 153_846_153n,
  },
  { kind: 'buy', who: wallet(2), collateral: 25_500_000n, fee: 510_000n, outcome: 1, tokens: 71_000_001n },
  // 40 USDC out (the fee of 0.816326 on top, kept by the pool) for 66 Yes.
  { kind: 'sell', who: wallet(1), collateral: 40_000_000n, fee: 816_326n, outcome: 0, tokens: 66_000_000n },
]

let anvil: Anvil
let harness: StepHarness
let emitted: EmittedLog[]
let headers: Map<number, BlockHeader>
let outcome: Awaited<ReturnType<ReturnType<typeof createAmmStep>['run']>>

beforeAll(async () => {
  anvil = await Anvil.start({ chainId: 137 })
  await anvil.placeLogEmitter([FPMM_FACTORY, MARKET_MAKER, STRANGER])
  emitted = await anvil.emitLogs([
    creation,
    fundingAdded(creator, [1_000_000_000n, 1_000_000_000n], 1_000_000_000n),
    ...TRADES.map((t) => trade(t.kind, t.who, t.collateral, t.fee, BigInt(t.outcome), t.tokens)),
    fundingRemoved(creator, [400_000_000n, 380_000_000n], 3_326_326n, 400_000_000n),
    trade('buy', wallet(3), 5_000_000n, 100_000n, 0n, 9_000_000n, STRANGER),
  ])
  // Not loadable: an outcome index no market has, and an amount beyond the views' decimals.
  const bad = await anvil.emitLogs(
    [trade('buy', wallet(4), 1n, 0n, 300n, 1n), trade('sell', wallet(4), 10n ** 18n, 0n, 1n, 1n)],
    { sameBlock: true },
  )
  expect(bad).toHaveLength(2)
  await anvil.mine(2)
  const tip = await anvil.rpc.blockNumber()
  const numbers = Array.from({ length: tip + 1 }, (_, n) => n)
  headers = new Map(
    (await anvil.rpc.getBlocksByNumber(numbers)).map((h) => [(h as BlockHeader).number, h as BlockHeader]),
  )
  harness = await openStepHarness()
  // The market as the markets step stores it, raw payload and tokens included.
  await harness.warehouse.insert('markets', [marketRow(gamma, gammaRaw, 'test', undefined)])
  await harness.warehouse.insert('market_tokens', tokenRows(gamma, 'test'))
  const step = createAmmStep(localChainOptions(anvil.url), { adaptive: { initial: 2, max: 4 } })
  outcome = await step.run(harness.context())
}, 120_000)

afterAll(async () => {
  await harness?.close()
  await anvil?.close()
})

const placeOf = (i: number) => {
  const log = emitted[i] as EmittedLog
  const header = headers.get(log.blockNumber) as BlockHeader
  return {
    block: String(log.blockNumber),
    tx_hash: log.txHash,
    block_hash: header.hash,
    time: String(header.timestamp),
  }
}

describe('the AMM step on anvil', () => {
  it('covers every block and quarantines what it cannot load', async () => {
    expect(outcome.failures).toEqual([])
    expect(outcome.complete).toBe(true)
    const coverage = await ammCoverage(harness.checkpoints, { from: 0, to: await anvil.rpc.blockNumber() })
    expect(coverage.gaps).toEqual([])
    const quarantined = await rows<{ reason: string }>(
      harness.warehouse,
      "SELECT reason FROM etl_quarantine FINAL WHERE stream = 'amm_events' ORDER BY reason",
    )
    expect(quarantined.map((row) => row.reason)).toEqual([
      "collateral_amount 1000000000000000000 exceeds 10^18 raw units, beyond the views' decimals and any real AMM trade",
      'outcomeIndex 300 names no outcome',
    ])
  })

  it('stores the creation with the market’s real token ids, and every event field by field', async () => {
    const loaded = await rows<Record<string, string>>(
      harness.warehouse,
      `SELECT toString(block_number) AS block, tx_hash, block_hash, toString(toUnixTimestamp(block_time)) AS time,
              toString(event) AS event, contract, actor, toString(outcome_index) AS outcome_index,
              toString(collateral_amount) AS collateral, toString(fee_amount) AS fee_amount,
              toString(outcome_tokens) AS tokens, toString(amounts) AS amounts, shares,
              market_maker, conditional_tokens, collateral_token, toString(condition_ids) AS conditions,
              fee, toString(position_ids) AS positions
       FROM amm_events FINAL ORDER BY block_number, log_index`,
    )
    const none = {
      outcome_index: '0',
      collateral: '0',
      fee_amount: '0',
      tokens: '0',
      amounts: '[]',
      shares: '0',
      market_maker: '',
      conditional_tokens: '',
      collateral_token: '',
      conditions: '[]',
      fee: '0',
      positions: '[]',
    }
    const [yes, no] = gamma.clobTokenIds as [string, string]
    expect(loaded).toHaveLength(7)
    expect(loaded[0]).toEqual({
      ...placeOf(0),
      ...none,
      event: 'FixedProductMarketMakerCreation',
      contract: FPMM_FACTORY,
      actor: creator,
      market_maker: MARKET_MAKER,
      conditional_tokens: CONDITIONAL_TOKENS,
      collateral_token: USDC_POLYGON,
      conditions: `['${CONDITION}']`,
      fee: '20000000000000000',
      // Outcomes 0 and 1 are the market's real clobTokenIds (ConditionalTokens' position ids);
      // slots 2 and 3 are computed too (the creation does not say how many outcomes there are).
      positions: expect.stringMatching(new RegExp(`^\\[${yes},${no},\\d+,\\d+\\]$`)),
    })
    expect(loaded[1]).toEqual({
      ...placeOf(1),
      ...none,
      event: 'FPMMFundingAdded',
      contract: MARKET_MAKER,
      actor: creator,
      amounts: '[1000000000,1000000000]',
      shares: '1000000000',
    })
    TRADES.forEach((t, i) => {
      expect(loaded[2 + i]).toEqual({
        ...placeOf(2 + i),
        ...none,
        event: t.kind === 'buy' ? 'FPMMBuy' : 'FPMMSell',
        contract: MARKET_MAKER,
        actor: t.who,
        outcome_index: String(t.outcome),
        collateral: String(t.collateral),
        fee_amount: String(t.fee),
        tokens: String(t.tokens),
      })
    })
    expect(loaded[5]).toEqual({
      ...placeOf(5),
      ...none,
      event: 'FPMMFundingRemoved',
      contract: MARKET_MAKER,
      actor: creator,
      amounts: '[400000000,380000000]',
      collateral: '3326326',
      shares: '400000000',
    })
    expect(loaded[6]).toMatchObject({ event: 'FPMMBuy', contract: STRANGER, actor: wallet(3) })
  })

  it('puts the trades in vw_trades_canonical and vw_trades_unified as venue amm, priced collateral ÷ tokens', async () => {
    const canonical = await rows<Record<string, string>>(
      harness.warehouse,
      `SELECT wallet, toString(side) AS side, toString(token_id) AS token_id, condition_id, toString(market_id) AS market_id,
              outcome, toString(outcome_index) AS outcome_index, shares, collateral,
              price, fee, fee_asset, shares_delta,
              exchange, toString(is_taker_leg) AS taker_leg, toString(market_known) AS known, venue, tx_hash
       FROM vw_trades_canonical ORDER BY block_number, log_index`,
    )
    const units = (n: bigint) => `${n / 1_000_000n}.${(n % 1_000_000n).toString().padStart(6, '0')}`
    const price = (collateral: bigint, tokens: bigint) => {
      const scaled = (collateral * 10n ** 18n) / tokens
      return `${scaled / 10n ** 18n}.${(scaled % 10n ** 18n).toString().padStart(18, '0')}`
    }
    expect(canonical).toEqual(
      TRADES.map((t, i) => ({
        wallet: t.who,
        side: t.kind === 'buy' ? 'BUY' : 'SELL',
        token_id: gamma.clobTokenIds[t.outcome],
        condition_id: CONDITION,
        market_id: '240379',
        outcome: gamma.outcomes[t.outcome],
        outcome_index: String(t.outcome),
        shares: units(t.tokens),
        collateral: units(t.collateral),
        price: price(t.collateral, t.tokens),
        fee: units(t.fee),
        fee_asset: 'usdc',
        shares_delta: `${t.kind === 'buy' ? '' : '-'}${units(t.tokens)}`,
        exchange: MARKET_MAKER,
        taker_leg: 'true',
        known: '1',
        venue: 'amm',
        tx_hash: placeOf(2 + i).tx_hash,
      })),
    )
    const unified = await rows<Record<string, string>>(
      harness.warehouse,
      `SELECT wallet, source, venue, shares, price, fee,
              question, slug FROM vw_trades_unified ORDER BY time, log_index`,
    )
    expect(unified).toEqual(
      TRADES.map((t) => ({
        wallet: t.who,
        source: 'blockchain',
        venue: 'amm',
        shares: units(t.tokens),
        price: price(t.collateral, t.tokens),
        fee: units(t.fee),
        question: gamma.question,
        slug: gamma.slug,
      })),
    )
  })

  it('counts the AMM trades in vw_position_pnl like fills (pnl-subgraph prices)', async () => {
    const pnl = await rows<Record<string, string>>(
      harness.warehouse,
      `SELECT toString(token_id) AS token_id, amount, avg_price, total_bought, realized_pnl, toString(events) AS events
       FROM vw_position_pnl WHERE wallet = '${wallet(1)}'`,
    )
    // Bought 153.846153 Yes for 100 USDC (price ⌊100·10^6·10^6 ÷ 153,846,153⌋ = 650,000), sold 66 for
    // 40 USDC (606,060): realized 66 × (0.606060 − 0.650000) = −2.900040.
    expect(pnl).toEqual([
      {
        token_id: gamma.clobTokenIds[0],
        amount: '87.846153',
        avg_price: '0.650000',
        total_bought: '153.846153',
        realized_pnl: '-2.900040',
        events: '2',
      },
    ])
  })

  it('lists the funding in vw_amm_liquidity and the market maker in vw_amm_markets', async () => {
    const liquidity = await rows<Record<string, string>>(
      harness.warehouse,
      `SELECT wallet, market_maker, condition_id, toString(market_id) AS market_id, kind, toString(amounts) AS amounts,
              collateral, lp_shares
       FROM vw_amm_liquidity ORDER BY block_number`,
    )
    const base = { wallet: creator, market_maker: MARKET_MAKER, condition_id: CONDITION, market_id: '240379' }
    expect(liquidity).toEqual([
      {
        ...base,
        kind: 'add',
        amounts: '[1000.000000,1000.000000]',
        collateral: '1000.000000',
        lp_shares: '1000.000000',
      },
      {
        ...base,
        kind: 'remove',
        amounts: '[400.000000,380.000000]',
        collateral: '3.326326',
        lp_shares: '400.000000',
      },
    ])
    const makers = await rows<Record<string, string>>(
      harness.warehouse,
      `SELECT market_maker, condition_id, collateral, fee_rate, creator, toString(market_id) AS market_id,
              toString(listed) AS listed FROM vw_amm_markets`,
    )
    expect(makers).toEqual([
      {
        market_maker: MARKET_MAKER,
        condition_id: CONDITION,
        collateral: USDC_POLYGON,
        fee_rate: '0.020000000000000000',
        creator,
        market_id: '240379',
        listed: '1',
      },
    ])
  })
})
