// Steps 1 and 2 of the checkpoint protocol for block ranges, on load/committer.ts: the rows of many
// fetched ranges go in as one insert (chDB makes one part per insert; one per small range would bury
// the engine in merges), then chain_blocks, then — only after both were acknowledged — one
// checkpoint row per contiguous run of ranges, carrying the hash of its last block.
import { type BlockRange, RangeSet } from '../../checkpoints/range-set.ts'
import type { CheckpointStore } from '../../checkpoints/store.ts'
import { insertBatch, RowBatch } from '../../load/commit.ts'
import { Committer } from '../../load/committer.ts'
import type { RowBuffers } from '../../load/row-buffers.ts'
import type { RunLog } from '../../load/run-log.ts'
import type { Warehouse } from '../../load/warehouse.ts'
import type { RangeResult } from './fetch.ts'
import type { LogStream } from './types.ts'

/**
 * Rows per insert. Larger inserts cost the engine less per row (bench/chain-ingest.ts), but a
 * batch is held in memory until it is committed (~0.6–0.7 KB per fill in RowBinary, in buffers up to
 * twice that, load/row-buffers.ts) and is what a kill -9 makes the next run fetch again: 100,000 fills is
 * ~60–140 MB and well under a minute of work. Fetchers pause at twice as many pending (the batch
 * being inserted and the next one filling, ~120–280 MB of row buffers at most), so memory stays flat
 * however many fills the chain holds.
 */
export const COMMIT_ROWS = 100_000
/** A partial batch is committed after this long, so progress and resumability never lag far. */
export const COMMIT_INTERVAL_MS = 5_000

export const CHAIN_BLOCKS_COLUMNS = ['block_number', 'block_hash', 'parent_hash', 'block_time'] as const

export interface CommitTotals {
  rows: number
  blocks: number
  ranges: number
  commits: number
  /** Wall time spent inserting rows, and recording checkpoints (quarantine included), in ms. */
  insertMs: number
  checkpointMs: number
}

export interface RangeCommitOptions {
  warehouse: Warehouse
  checkpoints: CheckpointStore
  runLog: RunLog
  stream: LogStream
  /** Token salt of the stream (reorg.ts). */
  salt: string
  onCommitted: (ranges: readonly BlockRange[], totals: CommitTotals) => void
  /** Rows per insert (default COMMIT_ROWS). */
  commitRows?: number | undefined
  /** Where the rows' buffers go once inserted (fetch.ts writes the next ranges into them). */
  rowBuffers?: RowBuffers
}

/** A committer of fetched ranges; `add` them as they come, `flush` at the end. */
export function createRangeCommitter(options: RangeCommitOptions): Committer<RangeResult> {
  const totals: CommitTotals = { rows: 0, blocks: 0, ranges: 0, commits: 0, insertMs: 0, checkpointMs: 0 }
  return new Committer<RangeResult>({
    batchRows: options.commitRows ?? COMMIT_ROWS,
    delayMs: COMMIT_INTERVAL_MS,
    rowsOf: (result) => result.rows.rows,
    write: (results) => writeRanges(options, results, totals),
  })
}

async function writeRanges(
  options: RangeCommitOptions,
  results: RangeResult[],
  totals: CommitTotals,
): Promise<void> {
  const { warehouse, checkpoints, runLog, stream, salt } = options
  results.sort((a, b) => a.range.from - b.range.from)
  const unit = `${stream.stream}|${salt}|${results.map((r) => `${r.range.from}-${r.range.to}`).join(',')}`

  const started = performance.now()
  const quarantined = results.flatMap((result) => result.quarantined)
  await runLog.quarantine(stream.stream, quarantined)

  const rows = new RowBatch(stream.table, stream.columns, stream.format)
  const blocks = new RowBatch(stream.blocksTable, CHAIN_BLOCKS_COLUMNS, 'TabSeparated')
  for (const result of results) {
    rows.add(result.rows)
    blocks.add(result.blocks)
  }
  // Together: the blocks' file is written while the rows go in (the engine runs one at a time).
  await Promise.all([insertBatch(warehouse, rows, unit), insertBatch(warehouse, blocks, unit)])
  const inserted = performance.now()
  // The engine has read them; nothing else holds them (a later failure fetches the ranges anew).
  for (const result of results) options.rowBuffers?.give(result.rows.payload)

  // Acknowledged: record each contiguous run of ranges as one checkpoint row.
  const covered = RangeSet.of(...results.map((result) => result.range))
  for (const piece of covered.ranges()) {
    const inside = results.filter((result) => result.range.from >= piece.from && result.range.to <= piece.to)
    const last = inside.find((result) => result.range.to === piece.to)
    await checkpoints.recordRange(stream.stream, {
      from: piece.from,
      to: piece.to,
      blockHash: last?.endHash ?? '',
      rows: inside.reduce((sum, result) => sum + result.rows.rows, 0),
      // With the rows, what `gaps --verify` counts again (checkpoints/store.ts).
      blocks: inside.reduce((sum, result) => sum + result.blocks.rows, 0),
    })
  }
  totals.insertMs += inserted - started
  totals.checkpointMs += performance.now() - inserted
  totals.rows += rows.rows
  totals.blocks += blocks.rows
  totals.ranges += results.length
  totals.commits++
  options.onCommitted(
    results.map((result) => result.range),
    totals,
  )
}
