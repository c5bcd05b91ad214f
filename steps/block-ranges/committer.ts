// Steps 1 and 2 of the checkpoint protocol for block ranges, batched: the rows of many fetched
// ranges go in as one insert (chDB makes one part per insert; one per small range would bury the
// engine in merges), then chain_blocks, then — only after both were acknowledged — one checkpoint
// row per contiguous run of ranges, carrying the hash of its last block.
import { type BlockRange, RangeSet } from '../../checkpoints/range-set.ts'
import type { CheckpointStore } from '../../checkpoints/store.ts'
import type { RunLog } from '../../load/run-log.ts'
import type { Warehouse } from '../../load/warehouse.ts'
import type { RangeResult } from './fetch.ts'
import { insertBatch, RowBatch } from './insert.ts'
import type { RowBuffers } from './rows.ts'
import type { LogStream } from './types.ts'

/**
 * Rows per insert. Larger inserts cost the engine less per row (bench/chain-ingest.ts), but a
 * batch is held in memory until it is committed (~0.6–0.7 KB per fill in RowBinary, in buffers up to
 * twice that, rows.ts) and is what a kill -9 makes the next run fetch again: 100,000 fills is
 * ~60–140 MB and well under a minute of work.
 */
export const COMMIT_ROWS = 100_000
/** A partial batch is committed after this long, so progress and resumability never lag far. */
export const COMMIT_INTERVAL_MS = 5_000
/**
 * Fetched rows waiting for a commit before fetchers pause: the batch being inserted and the next
 * one filling (~120–280 MB of row buffers at most), so memory stays flat however many fills the
 * chain holds.
 */
export const MAX_PENDING_ROWS = 2 * COMMIT_ROWS

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

export class Committer {
  private pending: RangeResult[] = []
  private pendingRows = 0
  private lastCommitAt = Date.now()
  private chain: Promise<void> = Promise.resolve()
  private failure: unknown
  private waiters: (() => void)[] = []
  private timer: NodeJS.Timeout | undefined
  private readonly commitRows: number
  readonly totals: CommitTotals = { rows: 0, blocks: 0, ranges: 0, commits: 0, insertMs: 0, checkpointMs: 0 }

  constructor(
    private readonly params: {
      warehouse: Warehouse
      checkpoints: CheckpointStore
      runLog: RunLog
      stream: LogStream
      /** Token salt of the stream (reorg.ts). */
      salt: string
      onCommitted: (ranges: readonly BlockRange[], totals: CommitTotals) => void
      /** Rows per insert (default COMMIT_ROWS); fetchers pause at twice as many pending. */
      commitRows?: number | undefined
      /** Where the rows' buffers go once inserted (fetch.ts writes the next ranges into them). */
      rowBuffers?: RowBuffers
    },
  ) {
    this.commitRows = params.commitRows ?? COMMIT_ROWS
    this.timer = setInterval(() => {
      if (this.pending.length > 0 && Date.now() - this.lastCommitAt >= COMMIT_INTERVAL_MS) this.schedule()
    }, COMMIT_INTERVAL_MS / 5)
    this.timer.unref()
  }

  /** A commit failed: the warehouse refused, so the run cannot go on. */
  get error(): unknown {
    return this.failure
  }

  add(result: RangeResult): void {
    // After close(), a late answer is dropped: its range stays not done and is fetched next run.
    if (this.failure || this.closed) return
    this.pending.push(result)
    this.pendingRows += result.rows.rows
    if (this.pendingRows >= this.commitRows) this.schedule()
  }

  /** Resolves when fetchers may add more (pending rows below the limit) or a commit failed. */
  async room(): Promise<void> {
    while (
      !this.failure &&
      this.pendingRows + this.committingRows >= (this.commitRows * MAX_PENDING_ROWS) / COMMIT_ROWS
    ) {
      await new Promise<void>((resolve) => this.waiters.push(resolve))
    }
  }

  /** Commits everything pending and waits for it; rethrows a commit failure. */
  async flush(): Promise<void> {
    this.schedule()
    await this.chain
    if (this.failure) throw this.failure
  }

  close(): void {
    this.closed = true
    clearInterval(this.timer)
    this.timer = undefined
  }

  private closed = false

  private committingRows = 0

  private schedule(): void {
    if (this.pending.length === 0 || this.failure) return
    const batch = this.pending
    const rows = this.pendingRows
    this.pending = []
    this.pendingRows = 0
    this.committingRows += rows
    this.lastCommitAt = Date.now()
    this.chain = this.chain.then(async () => {
      try {
        if (!this.failure) await this.commit(batch)
      } catch (error) {
        this.failure ??= error
      } finally {
        this.committingRows -= rows
        for (const wake of this.waiters.splice(0)) wake()
      }
    })
  }

  private async commit(results: RangeResult[]): Promise<void> {
    const { warehouse, checkpoints, runLog, stream, salt } = this.params
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
    for (const result of results) this.params.rowBuffers?.give(result.rows.payload)

    // Acknowledged: record each contiguous run of ranges as one checkpoint row.
    const covered = RangeSet.of(...results.map((result) => result.range))
    for (const piece of covered.ranges()) {
      const inside = results.filter(
        (result) => result.range.from >= piece.from && result.range.to <= piece.to,
      )
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
    this.totals.insertMs += inserted - started
    this.totals.checkpointMs += performance.now() - inserted
    this.totals.rows += rows.rows
    this.totals.blocks += blocks.rows
    this.totals.ranges += results.length
    this.totals.commits++
    this.params.onCommitted(
      results.map((result) => result.range),
      this.totals,
    )
  }
}
