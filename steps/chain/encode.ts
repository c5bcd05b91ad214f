// OrderFilled logs of the four exchanges → chain_fills rows in RowBinary (load/row-writer.ts says why).
//
// Two decoders, one result. The fast path (encode-scanned.ts) reads a scanned reply's bytes
// (extract/chain/log-scan.ts) and takes only the exact shape a node sends: lower-case hex, four
// topics, 5 (V1) or 7 (V2) data words, a known emitter, a side word of 0 or 1. Every other log goes
// to the reference decoder (decode.ts: zod at the edge, then viem's decodeEventLog over the fixture
// ABIs), which either decodes it or throws the LogDecodeError that sends it to the quarantine.
// test/steps/chain/encode.test.ts proves both give the same row for the real fixture logs and for
// simulated logs of both versions, both sides and edge values.
//
// Why a fast path at all: measured on this project's 2-core machine (bench/chain-decode.ts), zod and
// viem cost ~150 µs per log, i.e. under 10,000 fills/s; the scanned fast path ~3 µs, the scan
// included. A fast path over parsed log objects (JSON.parse, then the same checks on strings) cost
// ~4 µs to parse and ~10 µs to encode and was dropped: parsed logs are rewritten as bytes and scanned
// instead (steps/block-ranges/fetch.ts).
import type { ScannedLogs } from '../../extract/chain/scanned-logs.ts'
import type { BinaryColumns, RowWriter } from '../../load/row-writer.ts'
import { checkAmount, FastPath, parseLiveLog, placement } from '../block-ranges/log-rows.ts'
import type { LogBlock, LogEncoder } from '../block-ranges/types.ts'
import { decodeOrderFilled, type OrderFill } from './decode.ts'
import { writeScannedFill } from './encode-scanned.ts'

/** The side column's Enum8 (sql/007): BUY = 0, SELL = 1. */
export const SIDES = ['BUY', 'SELL'] as const

/** chain_fills columns in the order of each row (the engine appends `_run_id`), with their RowBinary types. */
export const CHAIN_FILLS: BinaryColumns = [
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
  ['side', SIDES],
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
/** What an amount too large for the views would break (log-rows.ts checkAmount). */
const BEYOND = 'Decimal(18, 6) and any real fill'

export class OrderFilledEncoder implements LogEncoder {
  /** OrderFilled's four topics: topic0, orderHash, and the maker's and taker's addresses. */
  private readonly fast = new FastPath(4, [2, 3], writeScannedFill)

  /** The reference path: any parsed log → its row, or LogDecodeError (having written nothing). */
  encode(log: unknown, block: LogBlock, out: RowWriter): void {
    writeFill(decodeOrderFilled(parseLiveLog(log)), block, out, log)
  }

  /** The fast path over a scanned reply (encode-scanned.ts): writes the row and returns true, or returns false. */
  encodeScanned(logs: ScannedLogs, index: number, block: LogBlock, out: RowWriter): boolean {
    return this.fast.encode(logs, index, block, out)
  }
}

/**
 * The row of a decoded fill; the block supplies hash and time when the log lacks them. Throws
 * LogDecodeError when the fill cannot be keyed or summed, having written nothing.
 */
export function writeFill(fill: OrderFill, block: LogBlock, out: RowWriter, raw: unknown = fill): void {
  const placed = placement(fill, block, 'chain_fills', raw)
  checkAmount('makerAmountFilled', fill.maker_amount_filled, raw, BEYOND)
  checkAmount('takerAmountFilled', fill.taker_amount_filled, raw, BEYOND)
  checkAmount('fee', fill.fee, raw, BEYOND)
  out.row(CHAIN_FILLS, {
    ...placed,
    exchange: fill.exchange,
    exchange_version: fill.version,
    order_hash: fill.order_hash,
    maker: fill.maker,
    taker: fill.taker,
    side: fill.side,
    token_id: fill.token_id,
    maker_asset_id: fill.maker_asset_id ?? '0',
    taker_asset_id: fill.taker_asset_id ?? '0',
    maker_amount_filled: fill.maker_amount_filled,
    taker_amount_filled: fill.taker_amount_filled,
    fee: fill.fee,
    builder: fill.builder ?? '',
    metadata: fill.metadata ?? '',
  })
}
