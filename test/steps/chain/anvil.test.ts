// The chain step against a real node: anvil runs a log emitter at the four exchange addresses and
// emits the real fixture logs, generated ones for both versions, both sides and both exchange
// families, and logs that must be quarantined. The step runs with --confirmations 0; every column of
// chain_fills and of vw_trades_canonical is compared with values computed here from the emitted
// words (no ABI library, no decoder), and block hashes and times with anvil's own headers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CTF_EXCHANGE_V1,
  CTF_EXCHANGE_V2,
  EXCHANGE_ADDRESSES,
  NEG_RISK_CTF_EXCHANGE_V1,
  NEG_RISK_CTF_EXCHANGE_V2,
  TOPIC0,
} from '../../../extract/chain/contracts.ts'
import type { BlockHeader } from '../../../extract/chain/rpc.ts'
import { ScannedLogs } from '../../../extract/chain/scanned-logs.ts'
import { REORG_WINDOW_BLOCKS } from '../../../steps/block-ranges/engine.ts'
import { createChainStep, fillsCoverage } from '../../../steps/chain/index.ts'
import { Anvil, type LogToEmit } from '../../anvil/anvil.ts'
import { fixtures, topicAddress, word, wordHex } from '../../extract/chain/fixtures.ts'
import { localChainOptions, openStepHarness, rows, type StepHarness } from './harness.ts'

// --- trades, described by what they mean; logs are written from these by hand --------------------
interface Trade {
  exchange: string
  version: 1 | 2
  orderHash: string
  maker: string
  taker: string
  side: 'BUY' | 'SELL'
  tokenId: bigint
  shares: bigint
  collateral: bigint
  fee: bigint
  builder?: string
  metadata?: string
}

const w = (value: bigint) => value.toString(16).padStart(64, '0')
const addressTopic = (address: string) => `0x${address.slice(2).toLowerCase().padStart(64, '0')}`
const bytes32 = (fill: string) => `0x${fill.repeat(64 / fill.length)}`
const ZERO32 = `0x${'0'.repeat(64)}`

function logOf(trade: Trade): LogToEmit {
  const [making, taking] =
    trade.side === 'BUY' ? [trade.collateral, trade.shares] : [trade.shares, trade.collateral]
  const topics = [
    trade.version === 1 ? TOPIC0.orderFilledV1 : TOPIC0.orderFilledV2,
    trade.orderHash,
    addressTopic(trade.maker),
    addressTopic(trade.taker),
  ]
  if (trade.version === 1) {
    const [makerAsset, takerAsset] = trade.side === 'BUY' ? [0n, trade.tokenId] : [trade.tokenId, 0n]
    return {
      address: trade.exchange,
      topics,
      data: `0x${w(makerAsset)}${w(takerAsset)}${w(making)}${w(taking)}${w(trade.fee)}`,
    }
  }
  return {
    address: trade.exchange,
    topics,
    data: `0x${w(trade.side === 'BUY' ? 0n : 1n)}${w(trade.tokenId)}${w(making)}${w(taking)}${w(trade.fee)}${(trade.builder ?? ZERO32).slice(2)}${(trade.metadata ?? ZERO32).slice(2)}`,
  }
}

/** A fixture log read word by word into a Trade (what the log means, per SOURCES.md). */
function tradeOfFixture(log: { address: string; topics: string[]; data: string }, version: 1 | 2): Trade {
  const [, orderHash, maker, taker] = log.topics as [string, string, string, string]
  const base = {
    exchange: log.address.toLowerCase(),
    version,
    orderHash,
    maker: topicAddress(maker),
    taker: topicAddress(taker),
  }
  if (version === 1) {
    const buy = word(log.data, 0) === 0n
    const making = word(log.data, 2)
    const taking = word(log.data, 3)
    return {
      ...base,
      side: buy ? 'BUY' : 'SELL',
      tokenId: buy ? word(log.data, 1) : word(log.data, 0),
      shares: buy ? taking : making,
      collateral: buy ? making : taking,
      fee: word(log.data, 4),
    }
  }
  const buy = word(log.data, 0) === 0n
  const making = word(log.data, 2)
  const taking = word(log.data, 3)
  return {
    ...base,
    side: buy ? 'BUY' : 'SELL',
    tokenId: word(log.data, 1),
    shares: buy ? taking : making,
    collateral: buy ? making : taking,
    fee: word(log.data, 4),
    builder: wordHex(log.data, 5),
    metadata: wordHex(log.data, 6),
  }
}

const wallet = (n: number) => `0x${n.toString(16).padStart(40, 'a')}`
const GENERATED: Trade[] = [
  // V1 SELL on the NegRisk exchange, taker = the exchange itself: a taker leg; fee in USDC.
  {
    exchange: NEG_RISK_CTF_EXCHANGE_V1,
    version: 1,
    orderHash: bytes32('5e11'),
    maker: wallet(1),
    taker: NEG_RISK_CTF_EXCHANGE_V1,
    side: 'SELL',
    tokenId: 2n ** 255n + 12_345n,
    shares: 25_000_000n,
    collateral: 13_750_000n,
    fee: 123n,
  },
  // V1 BUY at 1/3: the price is truncated at 18 places; the fee is in shares.
  {
    exchange: CTF_EXCHANGE_V1,
    version: 1,
    orderHash: bytes32('b1'),
    maker: wallet(2),
    taker: wallet(3),
    side: 'BUY',
    tokenId: 123_456_789n,
    shares: 3_000_000n,
    collateral: 1_000_000n,
    fee: 30_000n,
  },
  // V2 BUY on NegRisk V2 with the largest token id, a builder and metadata.
  {
    exchange: NEG_RISK_CTF_EXCHANGE_V2,
    version: 2,
    orderHash: bytes32('b0b2'),
    maker: wallet(1),
    taker: wallet(4),
    side: 'BUY',
    tokenId: 2n ** 256n - 1n,
    shares: 3_000_000n,
    collateral: 1_230_000n,
    fee: 4_567n,
    builder: bytes32('be'),
    metadata: bytes32('0123456789abcdef'),
  },
  // V2 SELL taker leg with the largest amount that fits Decimal(18, 6).
  {
    exchange: CTF_EXCHANGE_V2,
    version: 2,
    orderHash: bytes32('5e12'),
    maker: wallet(5),
    taker: CTF_EXCHANGE_V2,
    side: 'SELL',
    tokenId: 77n,
    shares: 999_999_999_999_999_999n,
    collateral: 1n,
    fee: 0n,
  },
  // A zero-share fill: kept, its price is NULL.
  {
    exchange: NEG_RISK_CTF_EXCHANGE_V2,
    version: 2,
    orderHash: bytes32('0e'),
    maker: wallet(6),
    taker: wallet(7),
    side: 'SELL',
    tokenId: 78n,
    shares: 0n,
    collateral: 0n,
    fee: 0n,
  },
  // V1 BUY on the NegRisk exchange as a taker leg.
  {
    exchange: NEG_RISK_CTF_EXCHANGE_V1,
    version: 1,
    orderHash: bytes32('b3'),
    maker: wallet(2),
    taker: NEG_RISK_CTF_EXCHANGE_V1,
    side: 'BUY',
    tokenId: 2n ** 255n + 12_345n,
    shares: 10_000_000n,
    collateral: 6_000_000n,
    fee: 100_000n,
  },
]

/** Logs at exchange addresses that are not loadable fills: each must be quarantined, not crash. */
const BAD_LOGS: LogToEmit[] = [
  // V1 topic with a 4-word data field.
  {
    address: CTF_EXCHANGE_V1,
    topics: logOf(GENERATED[1] as Trade).topics,
    data: `0x${w(0n)}${w(5n)}${w(1n)}${w(2n)}`,
  },
  // A V2 OrderFilled emitted by a V1 exchange.
  { ...logOf(GENERATED[2] as Trade), address: CTF_EXCHANGE_V1 },
  // An amount of 10^18 raw units: beyond Decimal(18, 6).
  logOf({ ...(GENERATED[1] as Trade), orderHash: bytes32('ff'), shares: 10n ** 18n }),
  // V2 side = 2.
  { ...logOf(GENERATED[3] as Trade), data: `0x${w(2n)}${logOf(GENERATED[3] as Trade).data.slice(66)}` },
]

interface Placed {
  trade: Trade
  txHash: string
  blockNumber: number
  logIndex: number
}

let anvil: Anvil
let harness: StepHarness
let placed: Placed[]
let headers: Map<number, BlockHeader>
let tip: number
let firstRun: Awaited<ReturnType<ReturnType<typeof createChainStep>['run']>>

const KNOWN_TOKENS = [
  {
    token: () => tradeOfFixture(fixtures.orderFilledV1(), 1).tokenId,
    condition: bytes32('c1'),
    market: 501,
    index: 0,
    outcome: 'Yes',
  },
  { token: () => 2n ** 255n + 12_345n, condition: bytes32('c2'), market: 502, index: 1, outcome: 'No' },
  { token: () => 2n ** 256n - 1n, condition: bytes32('c3'), market: 503, index: 2, outcome: 'Trump' },
]

beforeAll(async () => {
  anvil = await Anvil.start({ chainId: 137 })
  await anvil.placeLogEmitter([...EXCHANGE_ADDRESSES])
  const fixtureV1 = fixtures.orderFilledV1()
  const fixtureV2 = fixtures.orderFilledV2()
  const alone = await anvil.emitLogs([
    { address: fixtureV1.address, topics: fixtureV1.topics, data: fixtureV1.data },
  ])
  await anvil.mine(2)
  const togetherTrades = [tradeOfFixture(fixtureV2, 2), ...GENERATED.slice(0, 3)]
  const together = await anvil.emitLogs(
    [
      { address: fixtureV2.address, topics: fixtureV2.topics, data: fixtureV2.data },
      ...GENERATED.slice(0, 3).map(logOf),
    ],
    { sameBlock: true },
  )
  const bad = await anvil.emitLogs(BAD_LOGS, { sameBlock: true })
  const lastTrades = GENERATED.slice(3)
  const last = await anvil.emitLogs(lastTrades.map(logOf))
  // Deeper than the reorg window, so that the fills' ranges are fetched alone and their replies are
  // scanned (extract/chain/log-scan.ts), as most of a backfill is; only the last blocks are batched.
  await anvil.mine(REORG_WINDOW_BLOCKS + 3)
  placed = [
    {
      trade: tradeOfFixture(fixtureV1, 1),
      txHash: alone[0]?.txHash as string,
      blockNumber: alone[0]?.blockNumber as number,
      logIndex: 0,
    },
    ...together.map((e, i) => ({
      trade: togetherTrades[i] as Trade,
      txHash: e.txHash,
      blockNumber: e.blockNumber,
      logIndex: i,
    })),
    ...last.map((e, i) => ({
      trade: lastTrades[i] as Trade,
      txHash: e.txHash,
      blockNumber: e.blockNumber,
      logIndex: 0,
    })),
  ]
  expect(new Set(bad.map((e) => e.blockNumber)).size).toBe(1)
  tip = await anvil.rpc.blockNumber()
  const numbers = Array.from({ length: tip + 1 }, (_, n) => n)
  headers = new Map(
    (await anvil.rpc.getBlocksByNumber(numbers)).map((h) => [(h as BlockHeader).number, h as BlockHeader]),
  )

  harness = await openStepHarness()
  await harness.warehouse.insert(
    'market_tokens',
    KNOWN_TOKENS.map((known) => ({
      token_id: known.token().toString(),
      condition_id: known.condition,
      market_id: known.market,
      outcome_index: known.index,
      outcome: known.outcome,
      _run_id: 'test',
    })),
  )
  // Small ranges so that several run at once and commits hold many ranges.
  const step = createChainStep(localChainOptions(anvil.url), { adaptive: { initial: 2, max: 4 } })
  firstRun = await step.run(harness.context())
}, 120_000)

afterAll(async () => {
  await harness?.close()
  await anvil?.close()
})

const units = (value: bigint) => {
  const sign = value < 0n ? '-' : ''
  const abs = value < 0n ? -value : value
  return `${sign}${abs / 1_000_000n}.${(abs % 1_000_000n).toString().padStart(6, '0')}`
}
const price18 = (collateral: bigint, shares: bigint) => {
  if (shares === 0n) return null
  const q = (collateral * 10n ** 18n) / shares
  return `${q / 10n ** 18n}.${(q % 10n ** 18n).toString().padStart(18, '0')}`
}
const utc = (seconds: number) => new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 19)

describe('the chain step on anvil', () => {
  it('finishes complete, with the bad logs quarantined and no failure', async () => {
    expect(firstRun.failures).toEqual([])
    expect(firstRun.complete).toBe(true)
    expect(firstRun.rows).toBe(placed.length)
    const quarantined = await rows(
      harness.warehouse,
      `SELECT reason, raw FROM etl_quarantine FINAL WHERE stream = 'chain_fills' ORDER BY reason`,
    )
    expect(quarantined).toHaveLength(BAD_LOGS.length)
    const reasons = quarantined.map((q) => q.reason).join('\n')
    expect(reasons).toMatch(/ABI decoding failed|data/i)
    expect(reasons).toMatch(/V2 topic emitted by CTF Exchange V1/)
    expect(reasons).toMatch(/exceeds 10\^18/)
    expect(reasons).toMatch(/side 2/)
    for (const q of quarantined) expect(JSON.parse(q.raw as string).address).toMatch(/^0x[0-9a-f]{40}$/)
  })

  it('loads every fill with every column as emitted', async () => {
    const loaded = await rows(
      harness.warehouse,
      `SELECT toString(block_number) AS block_number, toString(log_index) AS log_index, tx_hash, block_hash,
              toString(block_time) AS block_time, exchange, toString(exchange_version) AS exchange_version, order_hash,
              maker, taker, toString(side) AS side, toString(token_id) AS token_id, toString(maker_asset_id) AS maker_asset_id,
              toString(taker_asset_id) AS taker_asset_id, toString(maker_amount_filled) AS maker_amount_filled,
              toString(taker_amount_filled) AS taker_amount_filled, toString(fee) AS fee, builder, metadata
       FROM chain_fills FINAL ORDER BY block_number, log_index`,
    )
    const expected = placed
      .map(({ trade, txHash, blockNumber, logIndex }) => {
        const header = headers.get(blockNumber) as BlockHeader
        const [making, taking] =
          trade.side === 'BUY' ? [trade.collateral, trade.shares] : [trade.shares, trade.collateral]
        return {
          block_number: String(blockNumber),
          log_index: String(logIndex),
          tx_hash: txHash,
          block_hash: header.hash,
          block_time: utc(header.timestamp),
          exchange: trade.exchange,
          exchange_version: String(trade.version),
          order_hash: trade.orderHash,
          maker: trade.maker,
          taker: trade.taker,
          side: trade.side,
          token_id: trade.tokenId.toString(),
          maker_asset_id: trade.version === 1 && trade.side === 'SELL' ? trade.tokenId.toString() : '0',
          taker_asset_id: trade.version === 1 && trade.side === 'BUY' ? trade.tokenId.toString() : '0',
          maker_amount_filled: making.toString(),
          taker_amount_filled: taking.toString(),
          fee: trade.fee.toString(),
          builder: trade.version === 2 ? (trade.builder ?? ZERO32) : '',
          metadata: trade.version === 2 ? (trade.metadata ?? ZERO32) : '',
        }
      })
      .sort(
        (a, b) =>
          Number(a.block_number) - Number(b.block_number) || Number(a.log_index) - Number(b.log_index),
      )
    expect(loaded).toEqual(expected)
    // The same rows, once each, in the per-wallet copy and without FINAL.
    const [counts] = await rows(
      harness.warehouse,
      `SELECT toString((SELECT count() FROM chain_fills)) AS raw, toString((SELECT count() FROM chain_fills_by_wallet)) AS by_wallet`,
    )
    expect(counts).toEqual({ raw: String(placed.length), by_wallet: String(placed.length) })
  })

  it('shows every column of vw_trades_canonical as computed from the trade', async () => {
    const view = await rows(
      harness.warehouse,
      `SELECT wallet, toString(side) AS side, toString(token_id) AS token_id, condition_id, toString(market_id) AS market_id,
              outcome, toString(outcome_index) AS outcome_index, shares, collateral, price, fee, fee_asset, shares_delta, exchange,
              toString(exchange_version) AS exchange_version, toString(block_number) AS block_number,
              toString(block_time) AS block_time, tx_hash, toString(log_index) AS log_index, order_hash, taker,
              toString(is_taker_leg) AS is_taker_leg, toString(market_known) AS market_known,
              toTypeName(shares) AS shares_type, toTypeName(collateral) AS collateral_type, toTypeName(fee) AS fee_type
       FROM vw_trades_canonical ORDER BY block_number, log_index`,
    )
    const expected = placed
      .map(({ trade, txHash, blockNumber, logIndex }) => {
        const known = KNOWN_TOKENS.find((k) => k.token() === trade.tokenId)
        const feeInShares = trade.version === 1 && trade.side === 'BUY'
        const delta = trade.side === 'BUY' ? trade.shares - (feeInShares ? trade.fee : 0n) : -trade.shares
        return {
          wallet: trade.maker,
          side: trade.side,
          token_id: trade.tokenId.toString(),
          condition_id: known?.condition ?? '',
          market_id: String(known?.market ?? 0),
          outcome: known?.outcome ?? '',
          outcome_index: String(known?.index ?? 0),
          shares: units(trade.shares),
          collateral: units(trade.collateral),
          price: price18(trade.collateral, trade.shares),
          fee: units(trade.fee),
          fee_asset: feeInShares ? 'shares' : 'usdc',
          shares_delta: units(delta),
          exchange: trade.exchange,
          exchange_version: String(trade.version),
          block_number: String(blockNumber),
          block_time: utc((headers.get(blockNumber) as BlockHeader).timestamp),
          tx_hash: txHash,
          log_index: String(logIndex),
          order_hash: trade.orderHash,
          taker: trade.taker,
          is_taker_leg: EXCHANGE_ADDRESSES.includes(trade.taker as never) ? '1' : '0',
          market_known: known ? '1' : '0',
          shares_type: 'Decimal(18, 6)',
          collateral_type: 'Decimal(18, 6)',
          fee_type: 'Decimal(18, 6)',
        }
      })
      .sort(
        (a, b) =>
          Number(a.block_number) - Number(b.block_number) || Number(a.log_index) - Number(b.log_index),
      )
    expect(view).toEqual(expected)
    // The fixtures as SOURCES.md reads them: 17.7 @ 0.42 with a 1.77 fee; 4.18 @ 0.94.
    expect(view[0]).toMatchObject({
      side: 'BUY',
      shares: '17.700000',
      collateral: '7.434000',
      price: '0.420000000000000000',
      fee: '1.770000',
    })
    expect(view.find((row) => row.tx_hash === placed[1]?.txHash)).toMatchObject({
      side: 'SELL',
      shares: '4.180000',
      collateral: '3.929200',
      price: '0.940000000000000000',
    })
  })

  it("reads anvil's eth_getLogs reply with the scanner, each log as the JSON parser reads it", async () => {
    const filter = { address: EXCHANGE_ADDRESSES, fromBlock: '0x0', toBlock: `0x${tip.toString(16)}` }
    const scanned = await anvil.rpc.requestLogs([filter])
    expect(scanned).toBeInstanceOf(ScannedLogs)
    const parsed = await anvil.rpc.request('eth_getLogs', [filter])
    const logs = scanned as ScannedLogs
    expect(logs.length).toBe(placed.length + BAD_LOGS.length)
    for (let i = 0; i < logs.length; i++) expect(logs.object(i)).toEqual((parsed as unknown[])[i])
    const deepest = Math.max(...placed.map((p) => p.blockNumber))
    expect(deepest).toBeLessThan(tip - REORG_WINDOW_BLOCKS)
  })

  it('stores hash and time of every block with fills, and the hash of the last block read', async () => {
    const blocks = await rows(
      harness.warehouse,
      `SELECT toString(block_number) AS block_number, block_hash, toString(toUnixTimestamp(block_time)) AS time FROM chain_blocks FINAL ORDER BY block_number`,
    )
    const withLogs = [...new Set([...placed.map((p) => p.blockNumber)])]
    const badBlock = (await anvil.rpc.request('eth_getLogs', [
      { address: CTF_EXCHANGE_V1, fromBlock: '0x0', toBlock: 'latest' },
    ])) as { blockNumber: string }[]
    const expectedBlocks = [...new Set([...withLogs, ...badBlock.map((l) => Number(l.blockNumber))])].sort(
      (a, b) => a - b,
    )
    expect(blocks).toEqual(
      expectedBlocks.map((n) => ({
        block_number: String(n),
        block_hash: (headers.get(n) as BlockHeader).hash,
        time: String((headers.get(n) as BlockHeader).timestamp),
      })),
    )
    const coverage = await fillsCoverage(harness.checkpoints, { from: 0, to: tip })
    expect(coverage).toMatchObject({ blocks: tip + 1, covered: tip + 1, gaps: [], fraction: 1 })
    expect(coverage.head).toEqual({ block: tip, hash: (headers.get(tip) as BlockHeader).hash })
  })

  it('a second run fetches nothing and changes nothing', async () => {
    const step = createChainStep(localChainOptions(anvil.url))
    const again = await step.run(harness.context())
    expect(again).toMatchObject({ rows: 0, failures: [], complete: true })
    const [count] = await rows(harness.warehouse, `SELECT toString(count()) AS n FROM chain_fills`)
    expect(count?.n).toBe(String(placed.length))
  })
})
