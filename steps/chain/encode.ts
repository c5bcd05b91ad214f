// OrderFilled logs → chain_fills rows as TabSeparated lines, fast. This turns each log of a parsed
// eth_getLogs answer into one TSV line without building intermediate objects; encode-scanned.ts does
// the same from a scanned reply's bytes (the path most fills take, extract/chain/log-scan.ts).
//
// Two paths, one result. The fast path reads the 32-byte words of the canonical encoding by hand
// (every OrderFilled argument is a static type, so each is one word at a fixed offset) and accepts
// only the exact shape a node sends: lower-case hex, four topics, 5 (V1) or 7 (V2) data words.
// Anything else — upper-case hex, a short or long data field, an unknown emitter, a side word
// other than 0 or 1 — goes to the reference path, extract/chain/abi.ts (viem's decodeEventLog over
// the fixture ABIs), which either decodes it or throws the LogDecodeError that sends it to the
// quarantine. test/steps/chain/encode.test.ts proves both paths give the same line for the real
// fixture logs and for generated logs of both versions, both sides and edge values.
//
// Why not the reference path alone: measured on this project's 2-core machine, zod validation
// (parseRawLog) costs ~25 µs and viem's decodeEventLog ~95 µs per log, i.e. ~8,000 fills/s; the
// fast path is ~2 µs per log.
import { decodeOrderFilled, LogDecodeError, type OrderFill, parseRawLog } from '../../extract/chain/abi.ts'
import { EXCHANGES, TOPIC0 } from '../../extract/chain/contracts.ts'
import type { ScannedLogs } from '../../extract/chain/scanned-logs.ts'
import { RowWriter } from '../block-ranges/rows.ts'
import type { LogBlock, LogEncoder } from '../block-ranges/types.ts'
import { ADDRESS_PADDING, DATA_HEX, HASH, QUANTITY, smallAmount, TokenIds } from '../block-ranges/words.ts'
import { ScannedFillEncoder, V1_DATA_WORDS, V2_DATA_WORDS } from './encode-scanned.ts'

/** chain_fills columns in the order of each line (the engine appends `_run_id`). */
export const CHAIN_FILLS_COLUMNS = [
  'block_number',
  'log_index',
  'tx_hash',
  'block_hash',
  'block_time',
  'exchange',
  'exchange_version',
  'order_hash',
  'maker',
  'taker',
  'side',
  'token_id',
  'maker_asset_id',
  'taker_asset_id',
  'maker_amount_filled',
  'taker_amount_filled',
  'fee',
  'builder',
  'metadata',
] as const

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
  private readonly tokens = new TokenIds()
  /** Logs that took the reference path (for the bench and the tests). */
  slowPath = 0
  /** The same fast path over a scanned reply's bytes, sharing the token cache. */
  private readonly scanned = new ScannedFillEncoder(this.tokens)

  encode(log: unknown, block: LogBlock, out: RowWriter): void {
    const row = this.fast(log as LogFields, block)
    if (row !== undefined) {
      out.write(row)
    } else {
      this.slowPath++
      out.write(referenceLine(log, block).slice(0, -1))
    }
    out.endRow()
  }

  /** The row (without its newline), or undefined when the log is not in the exact shape the fast path reads. */
  private fast(log: LogFields, block: LogBlock): string | undefined {
    const { address, topics, data, transactionHash, logIndex, blockHash } = log
    if (typeof address !== 'string' || typeof data !== 'string' || !Array.isArray(topics)) return undefined
    if (typeof transactionHash !== 'string' || typeof logIndex !== 'string') return undefined
    if (topics.length !== 4) return undefined
    const version = EXCHANGE_VERSION.get(address)
    const topic0 = topics[0]
    if (version === undefined || topic0 !== (version === 1 ? TOPIC0.orderFilledV1 : TOPIC0.orderFilledV2)) {
      return undefined
    }
    if (data.length !== (version === 1 ? V1_DATA_LENGTH : V2_DATA_LENGTH) || !DATA_HEX.test(data))
      return undefined
    const orderHash = topics[1]
    const makerTopic = topics[2]
    const takerTopic = topics[3]
    if (typeof orderHash !== 'string' || !HASH.test(orderHash)) return undefined
    if (
      typeof makerTopic !== 'string' ||
      !HASH.test(makerTopic) ||
      !makerTopic.startsWith(ADDRESS_PADDING, 2)
    ) {
      return undefined
    }
    if (
      typeof takerTopic !== 'string' ||
      !HASH.test(takerTopic) ||
      !takerTopic.startsWith(ADDRESS_PADDING, 2)
    ) {
      return undefined
    }
    if (!HASH.test(transactionHash) || !QUANTITY.test(logIndex)) return undefined
    if (blockHash !== undefined && blockHash !== null && blockHash !== block.hash) return undefined
    if (log.removed !== undefined && log.removed !== false) return undefined

    const word = (index: number) => data.slice(2 + index * 64, 66 + index * 64)
    const position = `${block.number}\t${Number.parseInt(logIndex.slice(2), 16)}\t${transactionHash}\t${block.hash}\t${block.time}\t${address}\t${version}\t${orderHash}\t0x${makerTopic.slice(26)}\t0x${takerTopic.slice(26)}`
    if (version === 1) {
      const makerAsset = word(0)
      const takerAsset = word(1)
      const makerPaysCollateral = makerAsset === ZERO_WORD
      if (makerPaysCollateral === (takerAsset === ZERO_WORD)) return undefined
      const amounts = this.amounts(word(2), word(3), word(4))
      if (amounts === undefined) return undefined
      const token = this.tokens.decimal(makerPaysCollateral ? takerAsset : makerAsset)
      const makerAssetId = makerPaysCollateral ? '0' : token
      const takerAssetId = makerPaysCollateral ? token : '0'
      return `${position}\t${makerPaysCollateral ? 'BUY' : 'SELL'}\t${token}\t${makerAssetId}\t${takerAssetId}\t${amounts}\t\t`
    }
    const side = word(0)
    if (side !== ZERO_WORD && side !== ONE_WORD) return undefined
    const amounts = this.amounts(word(2), word(3), word(4))
    if (amounts === undefined) return undefined
    return `${position}\t${side === ZERO_WORD ? 'BUY' : 'SELL'}\t${this.tokens.decimal(word(1))}\t0\t0\t${amounts}\t0x${word(5)}\t0x${word(6)}`
  }

  /** The fast path over a scanned reply (encode-scanned.ts): writes the row and returns true, or returns false. */
  encodeScanned(logs: ScannedLogs, index: number, block: LogBlock, out: RowWriter): boolean {
    return this.scanned.encode(logs, index, block, out)
  }

  /** "maker\ttaker\tfee" in decimal, or undefined when one does not fit the views' decimals. */
  private amounts(maker: string, taker: string, fee: string): string | undefined {
    const a = smallAmount(maker)
    const b = smallAmount(taker)
    const c = smallAmount(fee)
    if (a === undefined || b === undefined || c === undefined) return undefined
    return `${a}\t${b}\t${c}`
  }
}

/**
 * The line for one log through the reference decoder (zod schema + viem), for everything the fast
 * path declines. Throws LogDecodeError (→ quarantine) when the log is not a fill polyhouse can load.
 */
export function referenceLine(log: unknown, block: LogBlock): string {
  const raw = parseRawLog(log)
  // eth_getLogs over a block range never sends these; a filter subscription would, after a reorg.
  if (raw.removed)
    throw new LogDecodeError('the node marks this log removed (its block was reorged out)', log)
  return fillLine(decodeOrderFilled(raw), block, log)
}

/** The TSV line of a decoded fill; the block supplies hash and time when the log lacks them. */
export function fillLine(fill: OrderFill, block: LogBlock, raw: unknown = fill): string {
  if (fill.log_index === null) {
    throw new LogDecodeError('logIndex is missing: (block_number, log_index) is the key of chain_fills', raw)
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
  const columns = [
    fill.block_number,
    fill.log_index,
    fill.tx_hash,
    block.hash,
    block.time,
    fill.exchange,
    fill.version,
    fill.order_hash,
    fill.maker,
    fill.taker,
    fill.side,
    fill.token_id,
    fill.maker_asset_id ?? '0',
    fill.taker_asset_id ?? '0',
    fill.maker_amount_filled,
    fill.taker_amount_filled,
    fill.fee,
    fill.builder ?? '',
    fill.metadata ?? '',
  ]
  return `${columns.join('\t')}\n`
}

/** One log through `encoder` as a line (what referenceLine returns for it): for tests and benches. */
export function encodeLine(encoder: LogEncoder, log: unknown, block: LogBlock): string {
  const out = new RowWriter('', 1)
  encoder.encode(log, block, out)
  return out.text().replace(/\t\n$/, '\n')
}
