// What a log stream tells the block-range engine: which logs to ask for, how each becomes rows, and
// where the rows go. The fills (steps/chain/) and the transfers (steps/transfers/) are two LogStreams
// over the same engine (this folder): range-set checkpoints, adaptive ranges, reorg rewinds, shards,
// quarantine, commits.
//
// A new log stream is one folder, steps/<name>/, shaped like steps/transfers/:
//   - The event first: its signature, topic0 and ABI fragment in extract/chain/contracts.ts (copied
//     from the contract's own ABI, topic0 checked with viem's keccak in a test), and its tables in
//     sql/NNN_<name>.sql: the stream's table keyed by (block_number, log_index, …) and its own blocks
//     table in sql/008's shape.
//   - decode.ts, the reference decoder: a RawLog → typed values through decodeEvent
//     (extract/chain/abi.ts: viem, strict, every failure a LogDecodeError that quarantines the log).
//   - encode.ts: the table's columns with their RowBinary types (load/row-writer.ts BinaryColumns) and
//     a LogEncoder whose `encode` is the reference path: parseLiveLog, decode, placement and
//     checkAmount (log-rows.ts), then `out.row(COLUMNS, values)` per row. That alone is a complete
//     stream; at ~150 µs a log it decodes a million logs in ~2.5 minutes of CPU.
//   - encode-scanned.ts, when the stream's volume makes that too slow (bench/chain-decode.ts): a
//     ScannedRowsWriter over the reply's bytes (words.ts readers) behind a FastPath (log-rows.ts),
//     returned by `encodeScanned`. It must write exactly the rows `encode` writes, proven in its test
//     with bench/shared/encoded-rows.ts (steps/transfers/encode-scanned.ts is the small example).
//   - stream.ts: the LogStream below; index.ts: createLogStreamStep(name, STREAM, options); then the
//     step's place in steps/registry.ts and its flags in cli/.
// The engine does the rest: it fetches the ranges, files each log under its block, hands every log
// the fast path declines to `encode`, quarantines what `encode` refuses, and commits the rows.
import type { BlockRange } from '../../checkpoints/range-set.ts'
import type { ScannedLogs } from '../../extract/chain/scanned-logs.ts'
import type { RowFormat, RowWriter } from '../../load/row-writer.ts'

/** The block a log belongs to, as the engine resolved it (from the log, else from its header). */
export interface LogBlock {
  number: number
  /** Lower-case 0x hash. */
  hash: string
  /** Unix seconds. */
  time: number
}

/**
 * Turns logs into rows of the stream's table, written to `out` in the stream's `columns` order and
 * `format`, each row closed by `out.endRow()` (which adds `_run_id`; `out.row` does it for you). Zero
 * rows is allowed (a log that carries none).
 */
export interface LogEncoder {
  /**
   * The reference decoder: one raw eth_getLogs entry (parsed JSON, not yet validated) → its rows. A
   * log that cannot be loaded throws LogDecodeError and is quarantined with its raw JSON; whatever
   * it wrote is dropped.
   */
  encode(log: unknown, block: LogBlock, out: RowWriter): void
  /**
   * Optional fast path over a scanned reply (extract/chain/log-scan.ts): writes the log's rows and
   * returns true, or writes nothing and returns false when the log is not in the shape it reads —
   * `encode` then gets the parsed log. It must write exactly what `encode` would.
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
  /** How the encoder writes rows (load/row-writer.ts). */
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
  /** The eth_getLogs filter without the block span; no address selects logs of every emitter. */
  filter: { address: readonly string[]; topics: readonly (string | readonly string[] | null)[] }
  /** A fresh encoder per run (encoders may cache, e.g. a block's columns). */
  encoder(): LogEncoder
}

export type { BlockRange }
