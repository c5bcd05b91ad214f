// The transfers fast path: a scanned eth_getLogs reply (extract/chain/log-scan.ts) → the
// chain_transfers rows the reference decoder (decode.ts) would write, read from the reply's bytes. It
// takes only the canonical shape a node sends — lower-case hex, four topics, TransferSingle data of
// 2 words, TransferBatch data laid out as the ABI encoder writes it (offsets 0x40 and 0x40 + 32·(n+1),
// two arrays of the same length n), amounts below 2^52 — and declines the rest, which encode.ts hands
// to the reference; test/steps/transfers/encode.test.ts proves the two agree.
import { CONDITIONAL_TOKENS, TOPIC0 } from '../../extract/chain/contracts.ts'
import { LogField, type ScannedLogs } from '../../extract/chain/scanned-logs.ts'
import type { RowWriter } from '../../load/row-writer.ts'
import type { BlockColumns, ScannedRowsWriter } from '../block-ranges/log-rows.ts'
import { equalsText, wordNumberAt } from '../block-ranges/words.ts'

/** More ids than this in one batch is not a transfer anyone sends (the block gas limit allows ~2,000). */
const MAX_BATCH = 10_000
/** The event column's Enum8 values (sql/022; encode.ts TRANSFER_EVENTS). */
const EVENT = { TransferSingle: 0, TransferBatch: 1 } as const

/** The rows of a TransferSingle or TransferBatch of ConditionalTokens (log-rows.ts FastPath). */
export const writeScannedTransfers: ScannedRowsWriter = (logs, i, logIndex, block, out) => {
  const bytes = logs.bytes
  const address = logs.start(i, LogField.address)
  if (!equalsText(bytes, address, logs.end(i, LogField.address), CONDITIONAL_TOKENS)) return false
  const topic0 = logs.start(i, LogField.topic0)
  const topic0End = logs.end(i, LogField.topic0)
  const data = logs.start(i, LogField.data) + 2
  const digits = logs.end(i, LogField.data) - data
  if (equalsText(bytes, topic0, topic0End, TOPIC0.transferSingle)) {
    // [id][value]
    const amount = digits === 128 ? wordNumberAt(bytes, data + 64) : -1
    if (amount < 0) return false
    writeRow(logs, i, block, out, logIndex, 0, EVENT.TransferSingle, data, amount)
    return true
  }
  if (!equalsText(bytes, topic0, topic0End, TOPIC0.transferBatch)) return false
  // [0x40][offset of values][n][ids × n][n][values × n]; word w starts at data + 64·w.
  const words = digits / 64
  if (!Number.isInteger(words) || words < 4 || wordNumberAt(bytes, data) !== 0x40) return false
  const n = wordNumberAt(bytes, data + 128)
  if (n < 0 || n > MAX_BATCH || words !== 4 + 2 * n) return false
  if (wordNumberAt(bytes, data + 64) !== 0x40 + 32 * (n + 1)) return false
  if (wordNumberAt(bytes, data + 64 * (3 + n)) !== n) return false
  for (let b = 0; b < n; b++) if (wordNumberAt(bytes, data + 64 * (4 + n + b)) < 0) return false
  for (let b = 0; b < n; b++) {
    const amount = wordNumberAt(bytes, data + 64 * (4 + n + b))
    writeRow(logs, i, block, out, logIndex, b, EVENT.TransferBatch, data + 64 * (3 + b), amount)
  }
  return true
}

/** One row: the token id is the word at `tokenId`. */
function writeRow(
  logs: ScannedLogs,
  i: number,
  block: BlockColumns,
  out: RowWriter,
  logIndex: number,
  batchIndex: number,
  event: number,
  tokenId: number,
  amount: number,
): void {
  const bytes = logs.bytes
  const txHash = logs.start(i, LogField.transactionHash)
  out.copy(block.number, 0, block.number.length)
  out.uint32(logIndex)
  out.uint16(batchIndex)
  out.stringFrom(bytes, txHash, txHash + 66)
  out.copy(block.hashTime, 0, block.hashTime.length)
  out.uint8(event)
  // Addresses are the topics' last 20 bytes.
  for (const topic of [LogField.topic1, LogField.topic2, LogField.topic3]) {
    const start = logs.start(i, topic)
    out.stringFrom(bytes, start + 26, start + 66, '0x')
  }
  out.uint256Hex(bytes, tokenId)
  out.uint256(amount)
  out.endRow()
}
