// Checkpoints live in the warehouse (etl_checkpoints), written only after ClickHouse acknowledged
// the unit's rows. Keyset partitions keep their last committed cursor; block streams keep one row
// per completed range, so concurrent ranges and processes never read-modify-write a shared value.
import type { Warehouse } from '../load/warehouse.ts'
import { type BlockRange, RangeSet } from './range-set.ts'

export interface CursorCheckpoint {
  unit: string
  /** The after_cursor to continue from; empty when the walk has not committed a page yet. */
  cursor: string
  done: boolean
  rows: number
}

export interface RangeCheckpoint extends BlockRange {
  blockHash: string
  rows: number
  /**
   * Rows the range wrote to its stream's blocks table. Given by the committer, which knows both
   * counts exactly; then the range is `counted` and `gaps --verify` can count it again.
   */
  blocks?: number | undefined
}

/** A recorded range as read back: `counted` when rows and blocks describe exactly this range. */
export interface RecordedRange extends RangeCheckpoint {
  blocks: number
  counted: boolean
  /**
   * The engine's digest of the range's rows (steps/block-ranges/digest.ts), a UInt64 in decimal;
   * undefined until a `gaps --verify` found the range whole and recorded it: counted only.
   */
  digest: string | undefined
}

export class CheckpointStore {
  constructor(
    private readonly warehouse: Warehouse,
    private readonly runId: string,
  ) {}

  /** The committed position of every partition of a keyset stream. */
  async cursors(stream: string): Promise<Map<string, CursorCheckpoint>> {
    const rows = await this.warehouse.query<{ unit: string; cursor: string; kind: string; rows: string }>(
      `SELECT unit, cursor, kind, toString(rows) AS rows FROM etl_checkpoints FINAL
       WHERE stream = {stream:String} AND kind IN ('cursor', 'done')`,
      { stream },
    )
    return new Map(
      rows.map((row) => [
        row.unit,
        { unit: row.unit, cursor: row.cursor, done: row.kind === 'done', rows: Number(row.rows) },
      ]),
    )
  }

  /** Records that every page up to `cursor` is in the warehouse. `rows` is the partition's total so far. */
  async recordCursor(stream: string, unit: string, cursor: string, rows: number): Promise<void> {
    await this.warehouse.insert('etl_checkpoints', [this.cursorRow(stream, unit, cursor, rows)])
  }

  /** Records that a unit (a partition walked to its end, a wallet, a page) is complete. */
  async recordDone(stream: string, unit: string, rows: number): Promise<void> {
    await this.warehouse.insert('etl_checkpoints', [this.doneRow(stream, unit, rows)])
  }

  /** The etl_checkpoints row of a committed cursor, for a batch to insert after its data. */
  cursorRow(stream: string, unit: string, cursor: string, rows: number): Record<string, unknown> {
    return this.row({ stream, unit, kind: 'cursor', cursor, rows })
  }

  /** The etl_checkpoints row of a finished unit, for a batch to insert after its data. */
  doneRow(stream: string, unit: string, rows: number): Record<string, unknown> {
    return this.row({ stream, unit, kind: 'done', cursor: '', rows })
  }

  /** The units of a stream recorded done, by name. */
  async doneUnits(stream: string): Promise<Set<string>> {
    const rows = await this.warehouse.query<{ unit: string }>(
      `SELECT unit FROM etl_checkpoints FINAL WHERE stream = {stream:String} AND kind = 'done'`,
      { stream },
    )
    return new Set(rows.map((row) => row.unit))
  }

  /** Every completed block range of a stream, merged. */
  async ranges(stream: string): Promise<RangeSet> {
    return RangeSet.of(...(await this.rangeRows(stream)))
  }

  /** The completed ranges as recorded (unmerged), with the hash of each range's last block. */
  async rangeRows(stream: string): Promise<RecordedRange[]> {
    const rows = await this.warehouse.query<{
      from_block: string
      to_block: string
      block_hash: string
      rows: string
      blocks: string
      counted: number
      content_digest: string | null
    }>(
      `SELECT toString(from_block) AS from_block, toString(to_block) AS to_block, block_hash, toString(rows) AS rows,
              toString(blocks) AS blocks, counted, toString(content_digest) AS content_digest
       FROM etl_checkpoints FINAL WHERE stream = {stream:String} AND kind = 'range' ORDER BY from_block, to_block`,
      { stream },
    )
    return rows.map((row) => ({
      from: Number(row.from_block),
      to: Number(row.to_block),
      blockHash: row.block_hash,
      rows: Number(row.rows),
      blocks: Number(row.blocks),
      counted: Number(row.counted) === 1,
      digest: row.content_digest ?? undefined,
    }))
  }

  async recordRange(stream: string, range: RangeCheckpoint): Promise<void> {
    await this.write([
      {
        stream,
        unit: `${range.from}-${range.to}`,
        kind: 'range',
        cursor: '',
        from_block: range.from,
        to_block: range.to,
        block_hash: range.blockHash,
        rows: range.rows,
        blocks: range.blocks ?? 0,
        counted: range.blocks === undefined ? 0 : 1,
      },
    ])
  }

  /**
   * Records the content digest of recorded ranges that have none yet. An update of the rows that
   * exist, not a new row: a range forgotten meanwhile (a repair, a reorg) must not come back as done.
   */
  async recordDigests(
    stream: string,
    digests: readonly { range: BlockRange; digest: string }[],
  ): Promise<void> {
    if (digests.length === 0) return
    await this.warehouse.command(
      `ALTER TABLE etl_checkpoints
       UPDATE content_digest = toUInt64(transform(unit, {units:Array(String)}, {digests:Array(String)}, '0'))
       WHERE stream = {stream:String} AND kind = 'range' AND content_digest IS NULL AND unit IN {units:Array(String)}
       SETTINGS mutations_sync = 2`,
      {
        stream,
        units: digests.map(({ range }) => `${range.from}-${range.to}`),
        digests: digests.map(({ digest }) => digest),
      },
    )
  }

  /**
   * Forgets the recorded ranges that touch any of `ranges` (`repair --verify`: their data no longer
   * matches what was committed), so the next run of the stream fetches those blocks again. Returns
   * the ranges forgotten: a recorded range reaching past `ranges` is forgotten whole.
   */
  async forgetRanges(stream: string, ranges: readonly BlockRange[]): Promise<BlockRange[]> {
    const touching = (await this.rangeRows(stream)).filter((recorded) =>
      ranges.some((range) => recorded.from <= range.to && recorded.to >= range.from),
    )
    for (const range of ranges) {
      await this.warehouse.command(
        `DELETE FROM etl_checkpoints WHERE stream = {stream:String} AND kind = 'range'
         AND from_block <= {to:UInt64} AND to_block >= {from:UInt64}`,
        { stream, from: range.from, to: range.to },
      )
    }
    return touching.map((range) => ({ from: range.from, to: range.to }))
  }

  /** Forgets one unit of a stream (`repair --verify`: a keyset partition to walk again). */
  async forgetUnit(stream: string, unit: string): Promise<void> {
    await this.warehouse.command(
      'DELETE FROM etl_checkpoints WHERE stream = {stream:String} AND unit = {unit:String}',
      { stream, unit },
    )
  }

  /**
   * Forgets every block from `fromBlock` on (a reorg abandoned them): ranges ending before it stay,
   * a range straddling it is cut short and kept without a hash for its new last block.
   */
  async forgetBlocksFrom(stream: string, fromBlock: number): Promise<void> {
    const straddling = (await this.rangeRows(stream)).filter(
      (range) => range.from < fromBlock && range.to >= fromBlock,
    )
    await this.warehouse.command(
      `DELETE FROM etl_checkpoints WHERE stream = {stream:String} AND kind = 'range' AND to_block >= {fromBlock:UInt64}`,
      { stream, fromBlock },
    )
    for (const range of straddling) {
      await this.recordRange(stream, { from: range.from, to: fromBlock - 1, blockHash: '', rows: 0 })
    }
  }

  /** Discards all progress of a stream (`backfill --fresh`). */
  async reset(stream: string): Promise<void> {
    await this.warehouse.command('DELETE FROM etl_checkpoints WHERE stream = {stream:String}', { stream })
  }

  private async write(rows: Record<string, unknown>[]): Promise<void> {
    await this.warehouse.insert(
      'etl_checkpoints',
      rows.map((row) => this.row(row)),
    )
  }

  private row(fields: Record<string, unknown>): Record<string, unknown> {
    return { ...fields, _run_id: this.runId, updated_at: Date.now() }
  }
}
