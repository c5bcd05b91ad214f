// OrderFilled logs → chain_fills rows in RowBinary (steps/block-ranges/rows.ts says why), fast. This
// writes each log of a parsed eth_getLogs answer as one row without building intermediate objects;
// encode-scanned.ts does the same from a scanned reply's bytes (the path most fills take,
// extract/chain/log-scan.ts).
//
// Two paths, one result. The fast path reads the 32-byte words of the canonical encoding by hand
// (every OrderFilled argument is a static type, so each is one word at a fixed offset) and accepts
// only the exact shape a node sends: lower-case hex, four topics, 5 (V1) or 7 (V2) data words.
// Anything else — upper-case hex, a short or long data field, an unknown emitter, a side word
// other than 0 or 1 — goes to the reference path, extract/chain/abi.ts (viem's decodeEventLog over
// the fixture ABIs), which either decodes it or throws the LogDecodeError that sends it to the
// quarantine. test/steps/chain/encode.test.ts proves both paths give the same row for the real
// fixture logs and for generated logs of both versions, both sides and edge values.
//
// Why not the reference path alone: measured on this project's 2-core machine, zod validation
// (parseRawLog) costs ~25 µs and viem's decodeEventLog ~95 µs per log, i.e. ~8,000 fills/s; the
// fast path is ~2 µs per log.
import { decodeOrderFilled, LogDecodeError, type OrderFill, parseRawLog } from '../../extract/chain/abi.ts'
import { EXCHANGES, TOPIC0 } from '../../extract/chain/contracts.ts'
import type { ScannedLogs } from '../../extract/chain/scanned-logs.ts'
import { type BinaryColumn, RowWriter, readRowBinary } from '../block-ranges/rows.ts'
import type { LogBlock, LogEncoder } from '../block-ranges/types.ts'
import { ADDRESS_PADDING, DATA_HEX, HASH, QUANTITY, wordNumber } from '../block-ranges/words.ts'
import {
  MAX_LOG_INDEX,
  ScannedFillEncoder,
  SIDE_BUY,
  SIDE_SELL,
  V1_DATA_WORDS,
  V2_DATA_WORDS,
} from './encode-scanned.ts'

/** chain_fills columns in the order of each row (the engine appends `_run_id`), with their RowBinary types. */
const CHAIN_FILLS: readonly (readonly [string, BinaryColumn])[] = [
  ['block_number', 'UInt64'],
  ['log_index', 'UInt32'],
  ['tx_hash', 'String'],
  ['block_hash', 'String'],
  ['block_time', 'DateTime'],
  ['exchange', 'String'],
  ['exchange_version', 'UInt8'],
  ['order_hash', 'String'],
  ['maker', 'String'],
  ['taker', 'String'],
  ['side', ['BUY', 'SELL']],
  ['token_id', 'UInt256'],
  ['maker_asset_id', 'UInt256'],
  ['taker_asset_id', 'UInt256'],
  ['maker_amount_filled', 'UInt256'],
  ['taker_amount_filled', 'UInt256'],
  ['fee', 'UInt256'],
  ['builder', 'String'],
  ['metadata', 'String'],
]
export const CHAIN_FILLS_COLUMNS: readonly string[] = CHAIN_FILLS.map(([name]) => name)
const CHAIN_FILLS_TYPES: readonly BinaryColumn[] = CHAIN_FILLS.map(([, type]) => type)

/**
 * Amounts above this many raw units (10^18, i.e. 10^12 USDC or shares) do not fit the views'
 * Decimal(18, 6), and one such row would make every query of the views fail. No real fill comes
 * near it (USDC's whole supply is ~10^17 raw units), so such a log is quarantined, not loaded.
 */
export const MAX_AMOUNT_DIGITS = 18
const ZERO_WORD = '0'.repeat(64)
const ONE_WORD = `${'0'.repeat(63)}1`
const V1_DATA_LENGTH = 2 + V1_DATA_WORDS * 64
const V2_DATA_LENGTH = 2 + V2_DATA_WORDS * 64

const EXCHANGE_VERSION = new Map<string, 1 | 2>(
  EXCHANGES.map((exchange) => [exchange.address, exchange.version]),
)

interface LogFields {
  address?: unknown
  topics?: unknown
  data?: unknown
  blockNumber?: unknown
  blockHash?: unknown
  blockTimestamp?: unknown
  transactionHash?: unknown
  logIndex?: unknown
  removed?: unknown
}

export class OrderFilledEncoder implements LogEncoder {
  /** Logs that took the reference path (for the bench and the tests). */
  slowPath = 0
  /** The same fast path over a scanned reply's bytes. */
  private readonly scanned = new ScannedFillEncoder()

  encode(log: unknown, block: LogBlock, out: RowWriter): void {
    if (this.fast(log as LogFields, block, out)) return
    this.slowPath++
    writeReference(log, block, out)
  }

  /** Writes the row and returns true, or writes nothing and returns false when the log is not in the exact shape the fast path reads. */
  private fast(log: LogFields, block: LogBlock, out: RowWriter): boolean {
    const { address, topics, data, transactionHash, logIndex, blockHash } = log
    if (typeof address !== 'string' || typeof data !== 'string' || !Array.isArray(topics)) return false
    if (typeof transactionHash !== 'string' || typeof logIndex !== 'string') return false
    if (topics.length !== 4) return false
    const version = EXCHANGE_VERSION.get(address)
    const topic0 = topics[0]
    if (version === undefined || topic0 !== (version === 1 ? TOPIC0.orderFilledV1 : TOPIC0.orderFilledV2)) {
      return false
    }
    if (data.length !== (version === 1 ? V1_DATA_LENGTH : V2_DATA_LENGTH) || !DATA_HEX.test(data))
      return false
    const orderHash = topics[1]
    const makerTopic = topics[2]
    const takerTopic = topics[3]
    if (typeof orderHash !== 'string' || !HASH.test(orderHash)) return false
    if (
      typeof makerTopic !== 'string' ||
      !HASH.test(makerTopic) ||
      !makerTopic.startsWith(ADDRESS_PADDING, 2)
    )
      return false
    if (
      typeof takerTopic !== 'string' ||
      !HASH.test(takerTopic) ||
      !takerTopic.startsWith(ADDRESS_PADDING, 2)
    )
      return false
    if (!HASH.test(transactionHash) || !QUANTITY.test(logIndex)) return false
    if (blockHash !== undefined && blockHash !== null && blockHash !== block.hash) return false
    if (log.removed !== undefined && log.removed !== false) return false

    const word = (index: number) => data.slice(2 + index * 64, 66 + index * 64)
    let buy: boolean
    if (version === 1) {
      buy = word(0) === ZERO_WORD
      if (buy === (word(1) === ZERO_WORD)) return false
    } else {
      const side = word(0)
      if (side !== ZERO_WORD && side !== ONE_WORD) return false
      buy = side === ZERO_WORD
    }
    const amounts = [word(2), word(3), word(4)].map(wordNumber)
    if (amounts.some((amount) => amount === undefined)) return false
    const index = Number.parseInt(logIndex.slice(2), 16)
    if (index > MAX_LOG_INDEX) return false
    const words = Buffer.from(data, 'latin1')

    out.uint64(block.number)
    out.uint32(index)
    out.string(transactionHash)
    out.string(block.hash)
    out.uint32(block.time)
    out.string(address)
    out.uint8(version)
    out.string(orderHash)
    out.string(`0x${makerTopic.slice(26)}`)
    out.string(`0x${takerTopic.slice(26)}`)
    out.uint8(buy ? SIDE_BUY : SIDE_SELL)
    // Word n of the data starts at byte 2 + 64·n.
    if (version === 1) {
      out.uint256Hex(words, buy ? 66 : 2)
      out.uint256Hex(words, 2)
      out.uint256Hex(words, 66)
    } else {
      out.uint256Hex(words, 66)
      out.uint256(0)
      out.uint256(0)
    }
    for (const amount of amounts) out.uint256(amount as number)
    out.string(version === 2 ? `0x${word(5)}` : '')
    out.string(version === 2 ? `0x${word(6)}` : '')
    out.endRow()
    return true
  }

  /** The fast path over a scanned reply (encode-scanned.ts): writes the row and returns true, or returns false. */
  encodeScanned(logs: ScannedLogs, index: number, block: LogBlock, out: RowWriter): boolean {
    return this.scanned.encode(logs, index, block, out)
  }
}

/**
 * The row of one log through the reference decoder (zod schema + viem), for everything the fast
 * path declines. Throws LogDecodeError (→ quarantine) when the log is not a fill polyhouse can load,
 * having written nothing.
 */
export function writeReference(log: unknown, block: LogBlock, out: RowWriter): void {
  const raw = parseRawLog(log)
  // eth_getLogs over a block range never sends these; a filter subscription would, after a reorg.
  if (raw.removed)
    throw new LogDecodeError('the node marks this log removed (its block was reorged out)', log)
  writeFill(decodeOrderFilled(raw), block, out, log)
}

/** The row of a decoded fill; the block supplies hash and time when the log lacks them. */
export function writeFill(fill: OrderFill, block: LogBlock, out: RowWriter, raw: unknown = fill): void {
  if (fill.log_index === null) {
    throw new LogDecodeError('logIndex is missing: (block_number, log_index) is the key of chain_fills', raw)
  }
  if (fill.log_index > MAX_LOG_INDEX) {
    throw new LogDecodeError(`logIndex ${fill.log_index} does not fit chain_fills.log_index (UInt32)`, raw)
  }
  if (fill.block_number !== block.number) {
    throw new LogDecodeError(`log of block ${fill.block_number} filed under block ${block.number}`, raw)
  }
  if (fill.block_hash !== null && fill.block_hash !== block.hash) {
    throw new LogDecodeError(`log says block hash ${fill.block_hash}, the block says ${block.hash}`, raw)
  }
  for (const [name, value] of [
    ['makerAmountFilled', fill.maker_amount_filled],
    ['takerAmountFilled', fill.taker_amount_filled],
    ['fee', fill.fee],
  ] as const) {
    if (value.length > MAX_AMOUNT_DIGITS) {
      throw new LogDecodeError(
        `${name} ${value} exceeds 10^${MAX_AMOUNT_DIGITS} raw units, beyond Decimal(18, 6) and any real fill`,
        raw,
      )
    }
  }
  out.uint64(fill.block_number)
  out.uint32(fill.log_index)
  out.string(fill.tx_hash)
  out.string(block.hash)
  out.uint32(block.time)
  out.string(fill.exchange)
  out.uint8(fill.version)
  out.string(fill.order_hash)
  out.string(fill.maker)
  out.string(fill.taker)
  out.uint8(fill.side === 'BUY' ? SIDE_BUY : SIDE_SELL)
  out.uint256Text(fill.token_id)
  out.uint256Text(fill.maker_asset_id ?? '0')
  out.uint256Text(fill.taker_asset_id ?? '0')
  out.uint256Text(fill.maker_amount_filled)
  out.uint256Text(fill.taker_amount_filled)
  out.uint256Text(fill.fee)
  out.string(fill.builder ?? '')
  out.string(fill.metadata ?? '')
  out.endRow()
}

/** chain_fills RowBinary rows as TabSeparated lines without their run column: for tests and benches. */
export function fillLines(rows: Buffer): string {
  return readRowBinary(rows, CHAIN_FILLS_TYPES)
    .map((values) => `${values.slice(0, -1).join('\t')}\n`)
    .join('')
}

/** One log through the reference decoder as a line: for tests and benches. */
export function referenceLine(log: unknown, block: LogBlock): string {
  const out = new RowWriter('', 1, 'RowBinary')
  writeReference(log, block, out)
  return fillLines(out.bytes())
}

/** One log through `encoder` as a line (what referenceLine returns for it): for tests and benches. */
export function encodeLine(encoder: LogEncoder, log: unknown, block: LogBlock): string {
  const out = new RowWriter('', 1, 'RowBinary')
  encoder.encode(log, block, out)
  return fillLines(out.bytes())
}
