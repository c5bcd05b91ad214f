// What every log stream's encoder shares beyond its own event (steps/block-ranges/types.ts says how a
// stream is made): the rules that make a log a row the warehouse can key and the views can sum — on
// the reference path as a LogDecodeError that says why (parseLiveLog, placement, checkAmount), on the
// fast path as a plain decline (FastPath) — and a block's columns in RowBinary, made once per block.
import { LogDecodeError, type LogPosition, parseRawLog, type RawLog } from '../../extract/chain/abi.ts'
import { LogField, type ScannedLogs } from '../../extract/chain/scanned-logs.ts'
import type { RowWriter } from '../../load/row-writer.ts'
import type { LogBlock } from './types.ts'
import { equalsText, isAddressTopicAt } from './words.ts'

/** The streams' log_index columns are UInt32. */
export const MAX_LOG_INDEX = 0xffffffff
/**
 * Amounts of this many digits or more (≥ 10^18 raw units, i.e. 10^12 USDC or shares) do not fit the
 * views' Decimal(18, 6), and one such row would make every query of the views fail. No real amount
 * comes near it (USDC's whole supply is ~10^17 raw units), so such a log is quarantined, not loaded.
 * The fast paths read amounts below 2^52 only, which is below this, and leave the rest to the reference.
 */
export const MAX_AMOUNT_DIGITS = 18

/** The raw log checked at the edge, for a reference decoder; LogDecodeError when it cannot be one. */
export function parseLiveLog(log: unknown): RawLog {
  const raw = parseRawLog(log)
  // eth_getLogs over a block range never sends these; a filter subscription would, after a reorg.
  if (raw.removed)
    throw new LogDecodeError('the node marks this log removed (its block was reorged out)', log)
  return raw
}

/** The columns that say where a row's log lies, in every log stream's table. */
export interface Placement {
  block_number: number
  log_index: number
  tx_hash: string
  block_hash: string
  block_time: number
}

/**
 * The reference path's placement of a decoded log in the block the engine filed it under (which
 * supplies hash and time when the log lacks them). LogDecodeError when the log cannot be keyed in
 * `table` or contradicts its block.
 */
export function placement(position: LogPosition, block: LogBlock, table: string, raw: unknown): Placement {
  if (position.log_index === null) {
    throw new LogDecodeError(`logIndex is missing: (block_number, log_index) is the key of ${table}`, raw)
  }
  if (position.log_index > MAX_LOG_INDEX) {
    throw new LogDecodeError(`logIndex ${position.log_index} does not fit ${table}.log_index (UInt32)`, raw)
  }
  if (position.block_number !== block.number) {
    throw new LogDecodeError(`log of block ${position.block_number} filed under block ${block.number}`, raw)
  }
  if (position.block_hash !== null && position.block_hash !== block.hash) {
    throw new LogDecodeError(`log says block hash ${position.block_hash}, the block says ${block.hash}`, raw)
  }
  return {
    block_number: position.block_number,
    log_index: position.log_index,
    tx_hash: position.tx_hash,
    block_hash: block.hash,
    block_time: block.time,
  }
}

/**
 * The decimal `amount` fits the views' decimals (MAX_AMOUNT_DIGITS), else LogDecodeError; `beyond`
 * ends its reason (what such an amount would break, in the stream's words).
 */
export function checkAmount(name: string, amount: string, raw: unknown, beyond: string): void {
  if (amount.length > MAX_AMOUNT_DIGITS) {
    throw new LogDecodeError(
      `${name} ${amount} exceeds 10^${MAX_AMOUNT_DIGITS} raw units, beyond ${beyond}`,
      raw,
    )
  }
}

const TOPICS = [LogField.topic0, LogField.topic1, LogField.topic2, LogField.topic3] as const
/** Fields a fast path reads, by the number of topics: each must be lower-case hex. */
const HEX_FIELDS = [0, 1, 2, 3, 4].map((topics) => [
  LogField.address,
  ...TOPICS.slice(0, topics),
  LogField.data,
  LogField.transactionHash,
  LogField.logIndex,
])

/**
 * The log index of scanned log `i` when it is in the shape every fast path reads, else -1 (the log
 * then goes to the reference decoder, which loads it or says why not): exactly `topics` topics, the
 * fields a fast path reads in lower-case hex, 32-byte topics and transaction hash, a log index that
 * fits log_index, not removed, and no block hash other than its block's. `addressTopics` lists the
 * topics that must hold an address (12 zero bytes of padding).
 */
function canonicalLogIndex(
  logs: ScannedLogs,
  i: number,
  block: LogBlock,
  topics: number,
  addressTopics: readonly number[],
): number {
  if (logs.topicCount(i) !== topics || logs.removed(i) || !logs.isLowerHexAll(i, HEX_FIELDS[topics] ?? []))
    return -1
  if (logs.end(i, LogField.transactionHash) - logs.start(i, LogField.transactionHash) !== 66) return -1
  for (let t = 1; t < topics; t++) {
    const topic = TOPICS[t] as LogField
    if (logs.end(i, topic) - logs.start(i, topic) !== 66) return -1
  }
  for (const t of addressTopics)
    if (!isAddressTopicAt(logs.bytes, logs.start(i, TOPICS[t] as LogField))) return -1
  const logIndex = logs.quantity(i, LogField.logIndex)
  if (logIndex === undefined || logIndex > MAX_LOG_INDEX) return -1
  const blockHash = logs.start(i, LogField.blockHash)
  if (blockHash >= 0 && !equalsText(logs.bytes, blockHash, logs.end(i, LogField.blockHash), block.hash))
    return -1
  return logIndex
}

/**
 * A block's columns in RowBinary, made once per block (its logs come together): block_number, and
 * block_hash with block_time, which follow each other in every stream's table.
 */
export class BlockColumns {
  private block: LogBlock | undefined
  number: Buffer = Buffer.alloc(0)
  hashTime: Buffer = Buffer.alloc(0)

  of(block: LogBlock): this {
    if (this.block === block) return this
    this.block = block
    // allocUnsafe takes small buffers from Node's pool (every byte is written below).
    this.number = Buffer.allocUnsafe(8)
    this.number.writeBigUInt64LE(BigInt(block.number))
    this.hashTime = Buffer.allocUnsafe(1 + block.hash.length + 4)
    this.hashTime[0] = block.hash.length
    this.hashTime.write(block.hash, 1, 'latin1')
    this.hashTime.writeUInt32LE(block.time, 1 + block.hash.length)
    return this
  }
}

/**
 * A stream's fast path proper: the rows of scanned log `i`, which has passed canonicalLogIndex, given
 * its log index and its block's columns. Writes them and returns true, or writes nothing and returns
 * false when the log is not the event in the shape it reads.
 */
export type ScannedRowsWriter = (
  logs: ScannedLogs,
  i: number,
  logIndex: number,
  block: BlockColumns,
  out: RowWriter,
) => boolean

/** A LogEncoder's `encodeScanned`: the checks every fast path shares, then the stream's writer. */
export class FastPath {
  private readonly blocks = new BlockColumns()

  constructor(
    /** How many topics the event has (topic0 included). */
    private readonly topics: number,
    /** The topics that hold an address. */
    private readonly addressTopics: readonly number[],
    private readonly write: ScannedRowsWriter,
  ) {}

  encode(logs: ScannedLogs, i: number, block: LogBlock, out: RowWriter): boolean {
    const logIndex = canonicalLogIndex(logs, i, block, this.topics, this.addressTopics)
    return logIndex >= 0 && this.write(logs, i, logIndex, this.blocks.of(block), out)
  }
}
