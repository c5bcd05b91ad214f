// Which blocks of a chain stream are done and which are missing: what `status` and `gaps` print.
// Reads only etl_checkpoints (no RPC), so it answers while a backfill runs and offline.
import { type BlockRange, RangeSet, type Shard, shardRanges } from '../../checkpoints/range-set.ts'
import type { CheckpointStore } from '../../checkpoints/store.ts'

export interface BlockCoverage {
  stream: string
  /** The span measured: from the stream's first block to `to` (the tip when given, else the highest block done). */
  from: number
  to: number
  /** Blocks in the span (the shard's part of it when a shard is given). */
  blocks: number
  /** Blocks of the span recorded done. */
  covered: number
  /** covered ÷ blocks, 0–1 (1 for an empty span). */
  fraction: number
  /** Done ranges within the span, merged. */
  done: BlockRange[]
  /** Missing ranges within the span, merged, in order: what a resumed run fetches. */
  gaps: BlockRange[]
  /** Rows the done ranges that touch the span wrote, as recorded with them. */
  rows: number
  /** The highest block done and the hash it had when read ('' when not recorded). */
  head: { block: number; hash: string } | undefined
}

/**
 * Coverage and gaps of `stream` within [from, to]. Without `to` the span ends at the highest block
 * done (a trailing gap up to the chain's tip is not known offline; pass the tip to include it).
 */
export async function blockCoverage(
  checkpoints: CheckpointStore,
  stream: string,
  span: { from: number; to?: number | undefined; shard?: Shard | undefined },
): Promise<BlockCoverage> {
  const rows = await checkpoints.rangeRows(stream)
  const done = RangeSet.of(...rows)
  const to = span.to ?? done.max ?? span.from - 1
  const empty = {
    stream,
    from: span.from,
    to,
    blocks: 0,
    covered: 0,
    fraction: 1,
    done: [],
    gaps: [],
    rows: 0,
    head: undefined,
  }
  if (to < span.from) return empty
  const target = span.shard
    ? shardRanges({ from: span.from, to }, span.shard)
    : RangeSet.of({ from: span.from, to })
  const inside = target.intersection(done)
  const blocks = target.covered()
  const covered = inside.covered()
  const headBlock = inside.max
  const headRow =
    headBlock === undefined
      ? undefined
      : rows.filter((row) => row.to === headBlock).find((row) => row.blockHash !== '')
  return {
    stream,
    from: span.from,
    to,
    blocks,
    covered,
    fraction: blocks === 0 ? 1 : covered / blocks,
    done: [...inside.ranges()],
    gaps: [...target.difference(done).ranges()],
    // Rows of every recorded range that touches the span: merged ranges run past the safe head when
    // a run read closer to the tip (--confirmations 0), and their rows are not split by block.
    rows: rows
      .filter((row) => inside.intersection(RangeSet.of({ from: row.from, to: row.to })).covered() > 0)
      .reduce((sum, row) => sum + row.rows, 0),
    head: headBlock === undefined ? undefined : { block: headBlock, hash: headRow?.blockHash ?? '' },
  }
}
