// The RPC path against a real node: the real fixture logs (and generated ones for the other side
// of each exchange version) are emitted by anvil at the real contract addresses, fetched back with
// rpc.ts, decoded with the streams' reference decoders (steps/chain/decode.ts,
// steps/transfers/decode.ts), and compared field by field with values read off the fixtures by
// hand. Block numbers, hashes and timestamps are anvil's; topics, data, ids and amounts are not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RangeSet } from '../../../checkpoints/range-set.ts'
import type { RawLog } from '../../../extract/chain/abi.ts'
import { AdaptiveRange } from '../../../extract/chain/adaptive-range.ts'
import {
  CONDITIONAL_TOKENS,
  EXCHANGE_ADDRESSES,
  FILLS_FILTER,
  NEG_RISK_ADAPTER,
  NEG_RISK_CTF_EXCHANGE_V1,
  NEG_RISK_CTF_EXCHANGE_V2,
  TOPIC0,
  TRANSFERS_FILTER,
} from '../../../extract/chain/contracts.ts'
import type { BlockHeader } from '../../../extract/chain/rpc.ts'
import { decodeOrderFilled, type OrderFill } from '../../../steps/chain/decode.ts'
import { decodeTransfers, type OutcomeTransfer } from '../../../steps/transfers/decode.ts'
import { Anvil, type EmittedLog, type LogToEmit } from '../../anvil/anvil.ts'
import { fixtures, topicAddress, word, wordHex } from './fixtures.ts'

// --- logs written by hand: 32-byte words, no ABI library ------------------------------------------
const w = (value: bigint) => value.toString(16).padStart(64, '0')
const addressTopic = (address: string) => `0x${address.slice(2).toLowerCase().padStart(64, '0')}`
const bytes32 = (fill: string) => `0x${fill.repeat(64 / fill.length)}`

const SELL_V1 = {
  orderHash: bytes32('5e11'),
  maker: '0x00000000000000000000000000000000000000a1',
  taker: NEG_RISK_CTF_EXCHANGE_V1, // the exchange itself: a taker leg
  tokenId: 2n ** 255n + 12345n,
  shares: 25_000_000n,
  collateral: 13_750_000n, // 0.55 per share
  fee: 123n,
}
const BUY_V2 = {
  orderHash: bytes32('b0b2'),
  maker: '0xffffffffffffffffffffffffffffffffffffff01',
  taker: '0x0000000000000000000000000000000000000001',
  tokenId: 2n ** 256n - 1n, // the largest uint256 survives digit for digit
  collateral: 1_230_000n,
  shares: 3_000_000n, // 0.41 per share
  fee: 4_567n,
  builder: bytes32('be'),
  metadata: bytes32('0123456789abcdef'),
}
const generatedSellV1: LogToEmit = {
  address: NEG_RISK_CTF_EXCHANGE_V1,
  topics: [TOPIC0.orderFilledV1, SELL_V1.orderHash, addressTopic(SELL_V1.maker), addressTopic(SELL_V1.taker)],
  // makerAssetId = token (the maker gives shares), takerAssetId = 0 (receives USDC)
  data: `0x${w(SELL_V1.tokenId)}${w(0n)}${w(SELL_V1.shares)}${w(SELL_V1.collateral)}${w(SELL_V1.fee)}`,
}
const generatedBuyV2: LogToEmit = {
  address: NEG_RISK_CTF_EXCHANGE_V2,
  topics: [TOPIC0.orderFilledV2, BUY_V2.orderHash, addressTopic(BUY_V2.maker), addressTopic(BUY_V2.taker)],
  // side 0 = BUY: the maker gives collateral, receives shares
  data: `0x${w(0n)}${w(BUY_V2.tokenId)}${w(BUY_V2.collateral)}${w(BUY_V2.shares)}${w(BUY_V2.fee)}${BUY_V2.builder.slice(2)}${BUY_V2.metadata.slice(2)}`,
}
const asLog = (f: { address: string; topics: string[]; data: string }): LogToEmit => ({
  address: f.address,
  topics: f.topics,
  data: f.data,
})

let anvil: Anvil
let emitted: {
  v1: EmittedLog
  v2: EmittedLog
  sellV1: EmittedLog
  single: EmittedLog
  batch: EmittedLog
  converted: EmittedLog
  buyV2: EmittedLog
}
let tip: number
let headers: Map<number, BlockHeader>

beforeAll(async () => {
  anvil = await Anvil.start({ chainId: 137 })
  await anvil.placeLogEmitter([...EXCHANGE_ADDRESSES, CONDITIONAL_TOKENS, NEG_RISK_ADAPTER])
  // The V1 fixture alone in its block (log index 0); the rest together in one block, in order.
  const [v1] = await anvil.emitLogs([asLog(fixtures.orderFilledV1())])
  await anvil.mine(3)
  const together = await anvil.emitLogs(
    [
      asLog(fixtures.orderFilledV2()),
      generatedSellV1,
      asLog(fixtures.transferSingle()),
      asLog(fixtures.transferBatch()),
      asLog(fixtures.positionsConverted()),
      generatedBuyV2,
    ],
    { sameBlock: true },
  )
  const [v2, sellV1, single, batch, converted, buyV2] = together as EmittedLog[]
  emitted = { v1: v1 as EmittedLog, v2, sellV1, single, batch, converted, buyV2 } as typeof emitted
  await anvil.mine(2)
  tip = await anvil.rpc.blockNumber()
  const numbers = [...new Set(Object.values(emitted).map((e) => e.blockNumber))]
  const fetched = await anvil.rpc.getBlocksByNumber(numbers)
  headers = new Map(fetched.map((h) => [(h as BlockHeader).number, h as BlockHeader]))
}, 120_000)

afterAll(async () => {
  await anvil?.close()
})

async function fetchFills(): Promise<{ raw: RawLog; fill: OrderFill }[]> {
  const logs = await anvil.rpc.getLogs({ ...FILLS_FILTER, fromBlock: 0, toBlock: tip })
  return logs.map((raw) => ({ raw, fill: decodeOrderFilled(raw) }))
}
function byTx(rows: { raw: RawLog }[], e: EmittedLog) {
  const found = rows.filter((r) => r.raw.transactionHash === e.txHash)
  expect(found).toHaveLength(1)
  return found[0] as { raw: RawLog; fill: OrderFill }
}
/** Position fields come from anvil; the timestamp from the log when anvil sends it, else the block. */
function expectPosition(
  row: { raw: RawLog; fill: OrderFill | OutcomeTransfer },
  e: EmittedLog,
  logIndex: number,
) {
  const header = headers.get(e.blockNumber) as BlockHeader
  expect(row.fill.block_number).toBe(e.blockNumber)
  expect(row.fill.tx_hash).toBe(e.txHash)
  expect(row.fill.log_index).toBe(logIndex)
  expect(row.fill.block_hash).toBe(header.hash)
  if (row.raw.blockTimestamp !== null) expect(row.fill.block_timestamp).toBe(header.timestamp)
  else expect(row.fill.block_timestamp).toBeNull()
  expect(row.fill.block_timestamp ?? header.timestamp).toBe(header.timestamp)
}

describe('real fixture logs through anvil, rpc.ts and the reference decoders', () => {
  it('gets back exactly the four fills, with the fixtures topics and data byte for byte', async () => {
    const rows = await fetchFills()
    expect(rows).toHaveLength(4)
    expect(new Set(rows.map((r) => r.raw.transactionHash))).toEqual(
      new Set([emitted.v1.txHash, emitted.v2.txHash, emitted.sellV1.txHash, emitted.buyV2.txHash]),
    )
    for (const [fixture, e] of [
      [fixtures.orderFilledV1(), emitted.v1],
      [fixtures.orderFilledV2(), emitted.v2],
    ] as const) {
      const { raw } = byTx(rows, e)
      expect(raw.address).toBe(fixture.address)
      expect(raw.topics).toEqual(fixture.topics)
      expect(raw.data).toBe(fixture.data)
    }
  })

  it('decodes the V1 fixture fill field by field', async () => {
    const raw = fixtures.orderFilledV1()
    const row = byTx(await fetchFills(), emitted.v1)
    expectPosition(row, emitted.v1, 0)
    expect(row.fill).toMatchObject({
      exchange: '0x4bfb41d5b3570defd03c39a9a4d8de6bd8b8982e',
      version: 1,
      neg_risk: false,
      order_hash: raw.topics[1],
      maker: '0x00000003a358014c7c0e227483dbe01619871000',
      taker: topicAddress(raw.topics[3] as string),
      maker_asset_id: '0',
      taker_asset_id: word(raw.data, 1).toString(),
      maker_amount_filled: '7434000',
      taker_amount_filled: '17700000',
      fee: '1770000',
      order_side: null,
      builder: null,
      metadata: null,
      token_id: word(raw.data, 1).toString(),
      side: 'BUY',
      shares: '17700000',
      collateral: '7434000',
    })
  })

  it('decodes the V2 fixture fill field by field', async () => {
    const raw = fixtures.orderFilledV2()
    const row = byTx(await fetchFills(), emitted.v2)
    expectPosition(row, emitted.v2, 0)
    expect(row.fill).toMatchObject({
      exchange: '0xe111180000d2663c0091e4f400237545b87b996b',
      version: 2,
      neg_risk: false,
      order_hash: raw.topics[1],
      maker: topicAddress(raw.topics[2] as string),
      taker: topicAddress(raw.topics[3] as string),
      maker_asset_id: null,
      taker_asset_id: null,
      order_side: 1,
      token_id: word(raw.data, 1).toString(),
      maker_amount_filled: '4180000',
      taker_amount_filled: '3929200',
      fee: '0',
      builder: wordHex(raw.data, 5),
      metadata: wordHex(raw.data, 6),
      side: 'SELL',
      shares: '4180000',
      collateral: '3929200',
    })
  })

  it('decodes a generated V1 SELL (NegRisk V1, taker leg) and a generated V2 BUY (NegRisk V2)', async () => {
    const rows = await fetchFills()
    const sell = byTx(rows, emitted.sellV1)
    expectPosition(sell, emitted.sellV1, 1)
    expect(sell.fill).toMatchObject({
      exchange: NEG_RISK_CTF_EXCHANGE_V1,
      version: 1,
      neg_risk: true,
      order_hash: SELL_V1.orderHash,
      maker: SELL_V1.maker,
      taker: NEG_RISK_CTF_EXCHANGE_V1,
      maker_asset_id: SELL_V1.tokenId.toString(),
      taker_asset_id: '0',
      maker_amount_filled: '25000000',
      taker_amount_filled: '13750000',
      fee: '123',
      token_id: SELL_V1.tokenId.toString(),
      side: 'SELL',
      shares: '25000000',
      collateral: '13750000',
    })
    expect(sell.fill.taker).toBe(sell.fill.exchange)

    const buy = byTx(rows, emitted.buyV2)
    expectPosition(buy, emitted.buyV2, 5)
    expect(buy.fill).toMatchObject({
      exchange: NEG_RISK_CTF_EXCHANGE_V2,
      version: 2,
      neg_risk: true,
      order_hash: BUY_V2.orderHash,
      maker: BUY_V2.maker,
      taker: BUY_V2.taker,
      order_side: 0,
      token_id: '115792089237316195423570985008687907853269984665640564039457584007913129639935',
      maker_amount_filled: '1230000',
      taker_amount_filled: '3000000',
      fee: '4567',
      builder: BUY_V2.builder,
      metadata: BUY_V2.metadata,
      side: 'BUY',
      shares: '3000000',
      collateral: '1230000',
    })
  })

  it('decodes the ConditionalTokens TransferSingle and TransferBatch digit for digit', async () => {
    const logs = await anvil.rpc.getLogs({ ...TRANSFERS_FILTER, fromBlock: 0, toBlock: tip })
    expect(logs).toHaveLength(2)
    const rows = logs.flatMap((raw) => decodeTransfers(raw).map((fill) => ({ raw, fill })))
    expect(rows).toHaveLength(3)

    const single = fixtures.transferSingle()
    const [s] = rows.filter((r) => r.fill.tx_hash === emitted.single.txHash)
    expect(s?.raw.topics).toEqual(single.topics)
    expect(s?.raw.data).toBe(single.data)
    expectPosition(s as { raw: RawLog; fill: OutcomeTransfer }, emitted.single, 2)
    expect(s?.fill).toMatchObject({
      contract: CONDITIONAL_TOKENS,
      event: 'TransferSingle',
      operator: NEG_RISK_ADAPTER,
      from: NEG_RISK_ADAPTER,
      to: '0x0000000000000000000000000000000000000000',
      batch_index: 0,
      token_id: word(single.data, 0).toString(),
      amount: '5000000',
    })

    const batch = fixtures.transferBatch()
    const b = rows.filter((r) => r.fill.tx_hash === emitted.batch.txHash)
    expect(b).toHaveLength(2)
    expect(b[0]?.raw.data).toBe(batch.data)
    // ids at word 3, 4 and values at words 6, 7 (offsets 0x40 and 0xa0, each array length first)
    expect(b.map((r) => r.fill.token_id)).toEqual([
      word(batch.data, 3).toString(),
      word(batch.data, 4).toString(),
    ])
    expect(b.map((r) => r.fill.amount)).toEqual(['5000000', '0'])
    expect(b.map((r) => r.fill.batch_index)).toEqual([0, 1])
    for (const r of b) {
      expectPosition(r, emitted.batch, 3)
      expect(r.fill).toMatchObject({
        event: 'TransferBatch',
        operator: topicAddress(batch.topics[1] as string),
        from: topicAddress(batch.topics[2] as string),
        to: topicAddress(batch.topics[3] as string),
      })
    }
  })

  it('leaves other events out of both filters (the PositionsConverted log)', async () => {
    const all = await anvil.rpc.getLogs({ fromBlock: 0, toBlock: tip })
    expect(all.some((l) => l.transactionHash === emitted.converted.txHash)).toBe(true)
    const fills = await fetchFills()
    const transfers = await anvil.rpc.getLogs({ ...TRANSFERS_FILTER, fromBlock: 0, toBlock: tip })
    expect(
      [...fills.map((r) => r.raw), ...transfers].some((l) => l.transactionHash === emitted.converted.txHash),
    ).toBe(false)
  })

  it('finds the same fills when walking the chain in adaptive ranges over the gaps of a range set', async () => {
    const ranges = new AdaptiveRange({ initial: 1 })
    let done = RangeSet.empty()
    const seen: string[] = []
    for (const gap of done.gaps(0, tip)) {
      let cursor = gap.from
      while (cursor <= gap.to) {
        const range = ranges.next(cursor, gap.to)
        const logs = await anvil.rpc.getLogs({ ...FILLS_FILTER, fromBlock: range.from, toBlock: range.to })
        seen.push(...logs.map((l) => `${l.transactionHash}:${l.logIndex}`))
        ranges.onSuccess(range)
        done = done.add(range.from, range.to)
        cursor = range.to + 1
      }
    }
    expect(done.serialize()).toBe(`0-${tip}`)
    const once = (await fetchFills()).map((r) => `${r.raw.transactionHash}:${r.raw.logIndex}`)
    expect(seen.sort()).toEqual(once.sort())
  })
})
