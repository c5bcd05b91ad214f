// One log through a stream's encoder (steps/block-ranges/types.ts) as text lines, the way the tests
// and benches hold a fast path to its reference decoder: the reference (`encode` on the parsed log),
// and the step's way (scanned from a reply's bytes, then the fast path or, when it declines, `encode`).
import { LogDecodeError } from '../../extract/chain/abi.ts'
import { scanLogsReply } from '../../extract/chain/log-scan.ts'
import { type BinaryColumns, RowWriter } from '../../load/row-writer.ts'
import type { LogBlock, LogEncoder } from '../../steps/block-ranges/types.ts'
import { rowLines } from './row-binary.ts'

/** The rows of a log as tab-separated lines (each ending in a newline; none for no rows), or why it was refused. */
export type Encoded = { lines: string } | { refused: string }

/** The log through `encoder.encode`, the reference decoder. */
export function referenceRows(
  encoder: LogEncoder,
  columns: BinaryColumns,
  log: unknown,
  block: LogBlock,
): Encoded {
  const out = new RowWriter('', 1, 'RowBinary')
  try {
    encoder.encode(log, block, out)
  } catch (error) {
    if (error instanceof LogDecodeError) return { refused: error.reason }
    throw error
  }
  return { lines: rowLines(out.bytes(), columns) }
}

/**
 * The log as the step reads it: alone in a reply's bytes, scanned, and encoded by the fast path, or —
 * when that declines — by `encode` on the parsed log. `fast` says which.
 */
export function stepRows(
  encoder: LogEncoder,
  columns: BinaryColumns,
  log: unknown,
  block: LogBlock,
): Encoded & { fast: boolean } {
  const logs = scanLogsReply(Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 1, result: [log] })))
  if (!logs) throw new Error('the reply was not scanned')
  const out = new RowWriter('', 1, 'RowBinary')
  if (!logs.irregular(0) && encoder.encodeScanned?.(logs, 0, block, out)) {
    return { lines: rowLines(out.bytes(), columns), fast: true }
  }
  if (out.bytes().length > 0) throw new Error('the fast path declined a log after writing part of it')
  return { ...referenceRows(encoder, columns, logs.object(0), block), fast: false }
}
