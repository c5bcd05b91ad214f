// TransferSingle / TransferBatch logs of ConditionalTokens → chain_transfers rows as TabSeparated
// lines, one row per token id moved (a batch of n ids is n rows, `batch_index` 0 … n-1).
//
// As for the fills (steps/chain/encode.ts), two paths give one result. The fast path reads the
// 32-byte words by hand and accepts only the canonical shape a node sends: lower-case hex, four
// topics, TransferSingle data of 2 words, TransferBatch data laid out as the ABI encoder writes it
// (offsets 0x40 and 0x40 + 32·(n+1), two arrays of the same length n). Anything else — upper-case
// hex, another emitter, a non-canonical offset, arrays of different lengths — goes to the reference
// path (extract/chain/abi.ts decodeTransfers: viem's decodeEventLog over the fixture ABI), which
// decodes it or throws the LogDecodeError that quarantines it. test/steps/transfers/encode.test.ts
// proves both paths agree on the real fixture logs and on generated ones.
import {
  decodeTransfers,
  LogDecodeError,
  type OutcomeTransfer,
  parseRawLog,
} from '../../extract/chain/abi.ts'
import { CONDITIONAL_TOKENS, TOPIC0 } from '../../extract/chain/contracts.ts'
import type { RowWriter } from '../block-ranges/rows.ts'
import type { LogBlock, LogEncoder } from '../block-ranges/types.ts'
import {
  ADDRESS_PADDING,
  DATA_HEX,
  HASH,
  QUANTITY,
  smallAmount,
  TokenIds,
  wordNumber,
} from '../block-ranges/words.ts'
import { MAX_AMOUNT_DIGITS } from '../chain/encode.ts'

/** chain_transfers columns in the order of each line (the engine appends `_run_id`). */
export const CHAIN_TRANSFERS_COLUMNS = [
  'block_number',
  'log_index',
  'batch_index',
  'tx_hash',
  'block_hash',
  'block_time',
  'event',
  'operator',
  'from_address',
  'to_address',
  'token_id',
  'amount',
] as const

/** More ids than this in one batch is not a transfer anyone sends (the block gas limit allows ~2,000). */
const MAX_BATCH = 10_000
const SINGLE_DATA_LENGTH = 2 + 2 * 64

interface LogFields {
  address?: unknown
  topics?: unknown
  data?: unknown
  transactionHash?: unknown
  logIndex?: unknown
  blockHash?: unknown
  removed?: unknown
}

export class TransferEncoder implements LogEncoder {
  private readonly tokens = new TokenIds()
  /** Logs that took the reference path (for the bench and the tests). */
  slowPath = 0

  encode(log: unknown, block: LogBlock, out: RowWriter): void {
    if (this.fast(log as LogFields, block, out)) return
    this.slowPath++
    for (const line of referenceLines(log, block)) {
      out.write(line)
      out.endRow()
    }
  }

  /** Writes the rows and returns true, or writes nothing and returns false (not the canonical shape). */
  private fast(log: LogFields, block: LogBlock, out: RowWriter): boolean {
    const { address, topics, data, transactionHash, logIndex, blockHash } = log
    if (address !== CONDITIONAL_TOKENS || typeof data !== 'string' || !Array.isArray(topics)) return false
    if (typeof transactionHash !== 'string' || typeof logIndex !== 'string') return false
    if (topics.length !== 4 || !HASH.test(transactionHash) || !QUANTITY.test(logIndex)) return false
    if (blockHash !== undefined && blockHash !== null && blockHash !== block.hash) return false
    if (log.removed !== undefined && log.removed !== false) return false
    if (!DATA_HEX.test(data)) return false
    const parties: string[] = []
    for (let i = 1; i < 4; i++) {
      const topic = topics[i]
      if (typeof topic !== 'string' || !HASH.test(topic) || !topic.startsWith(ADDRESS_PADDING, 2))
        return false
      parties.push(`0x${topic.slice(26)}`)
    }
    const word = (index: number) => data.slice(2 + index * 64, 66 + index * 64)
    const head = `${block.number}\t${Number.parseInt(logIndex.slice(2), 16)}\t`
    const middle = `\t${transactionHash}\t${block.hash}\t${block.time}\t`
    const who = `${parties[0]}\t${parties[1]}\t${parties[2]}`
    if (topics[0] === TOPIC0.transferSingle) {
      if (data.length !== SINGLE_DATA_LENGTH) return false
      const amount = smallAmount(word(1))
      if (amount === undefined) return false
      out.write(`${head}0${middle}TransferSingle\t${who}\t${this.tokens.decimal(word(0))}\t${amount}`)
      out.endRow()
      return true
    }
    if (topics[0] !== TOPIC0.transferBatch) return false
    // [0x40][offset of values][n][ids × n][n][values × n]
    const words = (data.length - 2) / 64
    if (!Number.isInteger(words) || words < 4 || word(0) !== canonicalWord(0x40)) return false
    const n = wordNumber(word(2))
    if (n === undefined || n > MAX_BATCH || words !== 4 + 2 * n) return false
    if (word(1) !== canonicalWord(0x40 + 32 * (n + 1)) || wordNumber(word(3 + n)) !== n) return false
    const amounts: string[] = []
    for (let i = 0; i < n; i++) {
      const amount = smallAmount(word(4 + n + i))
      if (amount === undefined) return false
      amounts.push(amount)
    }
    for (let i = 0; i < n; i++) {
      out.write(
        `${head}${i}${middle}TransferBatch\t${who}\t${this.tokens.decimal(word(3 + i))}\t${amounts[i]}`,
      )
      out.endRow()
    }
    return true
  }
}

/** A uint256 word of a small value, as the ABI encoder writes an offset or a length. */
const canonicalWord = (value: number) => value.toString(16).padStart(64, '0')

/**
 * The lines (without newline) of one log through the reference decoder. Throws LogDecodeError
 * (→ quarantine) when the log is not a transfer polyhouse can load.
 */
export function referenceLines(log: unknown, block: LogBlock): string[] {
  const raw = parseRawLog(log)
  if (raw.removed)
    throw new LogDecodeError('the node marks this log removed (its block was reorged out)', log)
  if (raw.address !== CONDITIONAL_TOKENS)
    throw new LogDecodeError(`emitter ${raw.address} is not ConditionalTokens ${CONDITIONAL_TOKENS}`, log)
  return decodeTransfers(raw).map((transfer) => transferLine(transfer, block, log))
}

/** The TSV line of one decoded transfer row; the block supplies hash and time when the log lacks them. */
export function transferLine(transfer: OutcomeTransfer, block: LogBlock, raw: unknown = transfer): string {
  if (transfer.log_index === null) {
    throw new LogDecodeError(
      'logIndex is missing: (block_number, log_index) is the key of chain_transfers',
      raw,
    )
  }
  if (transfer.block_number !== block.number) {
    throw new LogDecodeError(`log of block ${transfer.block_number} filed under block ${block.number}`, raw)
  }
  if (transfer.block_hash !== null && transfer.block_hash !== block.hash) {
    throw new LogDecodeError(`log says block hash ${transfer.block_hash}, the block says ${block.hash}`, raw)
  }
  if (transfer.amount.length > MAX_AMOUNT_DIGITS) {
    throw new LogDecodeError(
      `amount ${transfer.amount} exceeds 10^${MAX_AMOUNT_DIGITS} raw units, beyond the balances' decimals and any real position`,
      raw,
    )
  }
  return [
    transfer.block_number,
    transfer.log_index,
    transfer.batch_index,
    transfer.tx_hash,
    block.hash,
    block.time,
    transfer.event,
    transfer.operator,
    transfer.from,
    transfer.to,
    transfer.token_id,
    transfer.amount,
  ].join('\t')
}
