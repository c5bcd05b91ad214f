// What a chain step tells the block-range engine: which logs to ask for, how each becomes rows,
// and where the rows go. The fills step (steps/chain/) and the transfers step (issue 8) are two
// LogStreams over the same engine.
import type { BlockRange } from '../../checkpoints/range-set.ts'
import type { ScannedLogs } from '../../extract/chain/scanned-logs.ts'
import type { RowFormat, RowWriter } from './rows.ts'

/** The block a log belongs to, as the engine resolved it (from the log, else from its header). */
export interface LogBlock {
  number: number
  /** Lower-case 0x hash. */
  hash: string
  /** Unix seconds. */
  time: number
}

/**
 * Turns one raw eth_getLogs entry (parsed JSON, not yet validated) into rows of the stream's table,
 * written to `out` in `columns` order and in the stream's `format`, each row closed by `out.endRow()`
 * (which adds `_run_id`). Zero rows is allowed (a log that carries none). A log that cannot be
 * loaded throws LogDecodeError and is quarantined with its raw JSON; whatever it wrote is dropped.
 */
export interface LogEncoder {
  encode(log: unknown, block: LogBlock, out: RowWriter): void
  /**
   * Optional fast path over a scanned reply (extract/chain/log-scan.ts): writes the log's rows and
   * returns true, or returns false when the log is not in the shape it reads — `encode` then gets
   * the parsed log. Encoders that have it are sent scanned replies.
   */
  encodeScanned?(logs: ScannedLogs, index: number, block: LogBlock, out: RowWriter): boolean
}

export interface LogStream {
  /** etl_checkpoints stream of the completed block ranges (also the `etl_quarantine` stream). */
  stream: string
  /** The staging table the rows go to. */
  table: string
  /** Columns of each encoded row, in order; `_run_id` follows them. */
  columns: readonly string[]
  /** How the encoder writes rows (rows.ts). */
  format: RowFormat
  /**
   * Every table holding rows of this stream keyed by `block_number` — the staging table and what
   * is derived from it — cleared above the fork point when a reorg abandons blocks. chain_blocks
   * is cleared by the engine itself (`blocksTable`).
   */
  reorgTables: readonly string[]
  /**
   * The stream's own table of block hashes and times (sql/008's shape): each stream keeps its own, so
   * one stream re-reading a block after a reorg cannot make another believe its old rows still agree.
   */
  blocksTable: string
  /** The eth_getLogs filter without the block span. */
  filter: { address: readonly string[]; topics: readonly (string | readonly string[] | null)[] }
  /** A fresh encoder per run (encoders may cache, e.g. token ids). */
  encoder(): LogEncoder
}

export type { BlockRange }
