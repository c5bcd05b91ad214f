// `polyhouse gaps --verify`: checkpoints say which units are done; this counts what those units
// hold now against what was recorded when they were committed, and names the units whose data is no
// longer all there (rows deleted by hand, a lost part) or no longer what it was (rows changed in
// place) — which `repair --verify` fetches again.
//   block ranges  each range the committer recorded with its counts (etl_checkpoints.counted): rows
//                 of the stream's table, of its blocks table, and of the tables derived from it; and
//                 the engine's digest of the stream table's rows (block-ranges/digest.ts) against the
//                 one recorded by the first --verify that found the range whole;
//   keyset walks  each month window of Gamma markets and events whose two partitions (open and
//                 closed) were walked to the end: markets stored with a start date in the window
//                 against the rows the two walks recorded.
// Wallets need nothing more: a wallet records its positions count with its snapshot, and `gaps`
// always compares it (steps/gaps.ts, 'incomplete'). Every count reads FINAL, so rows a resumed run
// inserted twice count once, as the views see them; the digest is blind to such duplicates by
// construction (each distinct row once). Its one write: the digests of ranges that had none and whose
// counts hold (CheckpointStore.recordDigests) — a change made before that first --verify goes unseen.
import type { BlockRange } from '../checkpoints/range-set.ts'
import type { CheckpointStore, RecordedRange } from '../checkpoints/store.ts'
import type { Warehouse } from '../load/warehouse.ts'
import { contentDigestSql } from './block-ranges/digest.ts'
import type { LogStream } from './block-ranges/types.ts'
import { FILLS_STREAM } from './chain/stream.ts'
import { TRANSFERS_STREAM } from './transfers/stream.ts'

/** The chain streams whose ranges are verified, and repaired by `repair --verify`. */
export const VERIFIED_STREAMS: readonly LogStream[] = [FILLS_STREAM, TRANSFERS_STREAM]

/**
 * Rows a table derived from a stream's table holds per row of it: chain_fills_by_wallet copies each
 * fill once (sql/020), chain_transfers_by_wallet writes each transfer as two legs (sql/022, sql/090). A
 * derived table not listed here is not counted.
 */
export const ROWS_PER_STAGED_ROW: Readonly<Record<string, number>> = {
  chain_fills_by_wallet: 1,
  chain_transfers_by_wallet: 2,
}

export interface TableCount {
  table: string
  /** What the range's commit implies the table holds (recorded rows or blocks, × legs for a derived table). */
  recorded: number
  stored: number
}

/** The digest of the stream table's rows of a range: as first recorded (a --verify found it whole), and now. */
export interface ContentDigest {
  recorded: string
  stored: string
}

export interface RangeMismatch extends BlockRange {
  /** Every counted table of the range, the ones that differ and the ones that do not. */
  tables: TableCount[]
  /** Absent for a range whose digest was not recorded yet (counted only). */
  content?: ContentDigest
}

export interface StreamVerification {
  stream: string
  /** Recorded ranges counted again. */
  checked: number
  /**
   * Done ranges that cannot be counted: recorded before counts were kept, cut short by a reorg, or
   * overlapping another counted range (its blocks cannot be told apart).
   */
  unchecked: number
  /**
   * Of the `checked` ranges, those without a recorded digest (committed since the last --verify):
   * counted only, rows changed in place go unseen. Each one found whole gets its digest now.
   */
  countedOnly: number
  mismatched: RangeMismatch[]
}

export interface WindowMismatch {
  kind: 'markets' | 'events'
  /** The month window of the partitions, as their ids name it: `2025-03`, `before-2020-01`, `from-2026-08`. */
  window: string
  /** The partitions' etl_checkpoints units (`closed=false|2025-03`, `closed=true|2025-03`). */
  partitions: string[]
  recorded: number
  stored: number
}

export interface KeysetVerification {
  kind: 'markets' | 'events'
  /** Windows whose two partitions are done, counted again. */
  checked: number
  mismatched: WindowMismatch[]
}

export interface Verification {
  blocks: StreamVerification[]
  keyset: KeysetVerification[]
}

export async function verifyCheckpoints(
  warehouse: Warehouse,
  checkpoints: CheckpointStore,
): Promise<Verification> {
  const blocks: StreamVerification[] = []
  for (const stream of VERIFIED_STREAMS) blocks.push(await verifyStream(warehouse, checkpoints, stream))
  const keyset: KeysetVerification[] = []
  for (const kind of ['markets', 'events'] as const)
    keyset.push(await verifyKeyset(warehouse, checkpoints, kind))
  return { blocks, keyset }
}

/** A mismatched range whose rows are all there but no longer hold what was committed. */
export function contentChanged(range: RangeMismatch): boolean {
  return range.content !== undefined && range.content.recorded !== range.content.stored
}

/** True when every counted unit holds what it held when committed. */
export function verified(verification: Verification): boolean {
  return (
    verification.blocks.every((stream) => stream.mismatched.length === 0) &&
    verification.keyset.every((kind) => kind.mismatched.length === 0)
  )
}

// --- block ranges -------------------------------------------------------------------------------

/**
 * Matches rows `t` (with `block_number` and a constant `k`) to the counted range holding their block
 * (`r`, from etl_checkpoints) and groups them by range.
 */
const PER_COUNTED_RANGE = `ASOF INNER JOIN (
    SELECT from_block, to_block, toUInt8(0) AS k FROM etl_checkpoints FINAL
    WHERE stream = {stream:String} AND kind = 'range' AND counted = 1 AND unit NOT IN {skip:Array(String)}
) AS r ON t.k = r.k AND t.block_number >= r.from_block
WHERE t.block_number <= r.to_block
GROUP BY r.from_block`

/**
 * Rows of `table` per counted range of the stream, in one pass: each row goes to the range with the
 * greatest first block at or below its block (ASOF JOIN), if the range reaches it. Ranges listed in
 * `skip` (overlapping ones) are left out, so they cannot take another range's rows.
 */
function countPerRangeSql(table: string): string {
  return `
SELECT toString(r.from_block) AS from_block, toString(count()) AS stored
FROM (SELECT block_number, toUInt8(0) AS k FROM ${table} FINAL
      WHERE block_number BETWEEN {min:UInt64} AND {max:UInt64}) AS t
${PER_COUNTED_RANGE}`
}

/**
 * The content digest of the stream's table per counted range, matched to ranges as countPerRangeSql
 * does, over every stored row (not FINAL: the digest counts each distinct row once).
 */
function digestPerRangeSql(stream: LogStream): string {
  return `
SELECT toString(r.from_block) AS from_block, toString(${contentDigestSql(stream)}) AS digest
FROM (SELECT *, toUInt8(0) AS k FROM ${stream.table}
      WHERE block_number BETWEEN {min:UInt64} AND {max:UInt64}) AS t
${PER_COUNTED_RANGE}`
}

export async function verifyStream(
  warehouse: Warehouse,
  checkpoints: CheckpointStore,
  stream: LogStream,
): Promise<StreamVerification> {
  const recorded = await checkpoints.rangeRows(stream.stream)
  const counted = recorded.filter((range) => range.counted)
  const overlapping = overlappingRanges(counted)
  const ranges = counted.filter((range) => !overlapping.has(range))
  const result: StreamVerification = {
    stream: stream.stream,
    checked: ranges.length,
    unchecked: recorded.length - ranges.length,
    countedOnly: ranges.filter((range) => range.digest === undefined).length,
    mismatched: [],
  }
  if (ranges.length === 0) return result
  const params = {
    stream: stream.stream,
    min: Math.min(...ranges.map((range) => range.from)),
    max: Math.max(...ranges.map((range) => range.to)),
    skip: [...overlapping].map((range) => `${range.from}-${range.to}`),
  }
  // What each table should hold per range, as its commit recorded it.
  const expected: [string, (range: RecordedRange) => number][] = [
    [stream.table, (range) => range.rows],
    [stream.blocksTable, (range) => range.blocks],
    ...stream.reorgTables
      .filter((table) => table !== stream.table && ROWS_PER_STAGED_ROW[table] !== undefined)
      .map((table): [string, (range: RecordedRange) => number] => [
        table,
        (range) => range.rows * (ROWS_PER_STAGED_ROW[table] as number),
      ]),
  ]
  const stored = new Map<string, Map<number, number>>()
  for (const [table] of expected) {
    const rows = await warehouse.query<{ from_block: string; stored: string }>(
      countPerRangeSql(table),
      params,
    )
    stored.set(table, new Map(rows.map((row) => [Number(row.from_block), Number(row.stored)])))
  }
  const digests = new Map<number, string>()
  const rows = await warehouse.query<{ from_block: string; digest: string }>(
    digestPerRangeSql(stream),
    params,
  )
  for (const row of rows) digests.set(Number(row.from_block), row.digest)
  const sealed: { range: BlockRange; digest: string }[] = []
  for (const range of ranges) {
    const tables = expected.map(([table, recordedCount]) => ({
      table,
      recorded: recordedCount(range),
      stored: stored.get(table)?.get(range.from) ?? 0,
    }))
    // A range without rows has none to digest: XOR over nothing, 0.
    const digest = digests.get(range.from) ?? '0'
    const content = range.digest === undefined ? undefined : { recorded: range.digest, stored: digest }
    const short = tables.some((table) => table.recorded !== table.stored)
    if (short || (content && content.recorded !== content.stored)) {
      result.mismatched.push({ from: range.from, to: range.to, tables, ...(content ? { content } : {}) })
    } else if (!content) {
      sealed.push({ range, digest })
    }
  }
  await checkpoints.recordDigests(stream.stream, sealed)
  return result
}

/** Counted ranges that share a block with another counted range (sorted input, one sweep). */
function overlappingRanges(ranges: readonly RecordedRange[]): Set<RecordedRange> {
  const sorted = [...ranges].sort((a, b) => a.from - b.from || a.to - b.to)
  const overlapping = new Set<RecordedRange>()
  let reach: RecordedRange | undefined
  for (const range of sorted) {
    if (reach && range.from <= reach.to) {
      overlapping.add(range)
      overlapping.add(reach)
    }
    if (!reach || range.to > reach.to) reach = range
  }
  return overlapping
}

// --- keyset walks -------------------------------------------------------------------------------

/** A partition id of extract/gamma/partitions.ts: `closed=true|2025-03`, `…|before-2020-01`, `…|from-2026-08`. */
const PARTITION_ID = /^closed=(true|false)\|(before-|from-)?(\d{4})-(\d{2})$/

/**
 * The start-date window a partition id names, in Unix ms, both ends inclusive as Gamma's date
 * filters are (partitions.ts): before-M is up to M's first instant, from-M from it on, M one month.
 */
export function partitionWindow(id: string): { window: string; min: number; max: number } | undefined {
  const match = PARTITION_ID.exec(id)
  if (!match) return undefined
  const [, , edge, year, month] = match
  const start = Date.UTC(Number(year), Number(month) - 1, 1)
  const window = id.slice(id.indexOf('|') + 1)
  if (edge === 'before-') return { window, min: Number.MIN_SAFE_INTEGER, max: start }
  if (edge === 'from-') return { window, min: start, max: Number.MAX_SAFE_INTEGER }
  return { window, min: start, max: Date.UTC(Number(year), Number(month), 1) }
}

/**
 * Records of `kind` stored per window. Why both partitions of a window together: a market walked as
 * open and closed since is stored once, in the same window; only the sum of the two walks compares.
 */
function storedPerWindowSql(table: string): string {
  return `
SELECT tupleElement(w, 1) AS window, toString(count()) AS stored
FROM (SELECT toUnixTimestamp64Milli(assumeNotNull(start_date)) AS start FROM ${table} FINAL WHERE start_date IS NOT NULL)
ARRAY JOIN arrayFilter(x -> start >= x.2 AND start <= x.3, arrayZip({windows:Array(String)}, {mins:Array(Int64)}, {maxs:Array(Int64)})) AS w
GROUP BY window`
}

export async function verifyKeyset(
  warehouse: Warehouse,
  checkpoints: CheckpointStore,
  kind: 'markets' | 'events',
): Promise<KeysetVerification> {
  const cursors = await checkpoints.cursors(kind)
  const windows = new Map<
    string,
    { min: number; max: number; partitions: string[]; recorded: number; done: number }
  >()
  for (const checkpoint of cursors.values()) {
    const window = partitionWindow(checkpoint.unit)
    if (!window) continue
    const entry = windows.get(window.window) ?? { ...window, partitions: [], recorded: 0, done: 0 }
    entry.partitions.push(checkpoint.unit)
    entry.recorded += checkpoint.rows
    if (checkpoint.done) entry.done++
    windows.set(window.window, entry)
  }
  // Only windows whose open and closed walks both ended: a market moves between them as it closes.
  const complete = [...windows.entries()].filter(([, entry]) => entry.done === 2)
  const result: KeysetVerification = { kind, checked: complete.length, mismatched: [] }
  if (complete.length === 0) return result
  const rows = await warehouse.query<{ window: string; stored: string }>(storedPerWindowSql(kind), {
    windows: complete.map(([window]) => window),
    mins: complete.map(([, entry]) => entry.min),
    maxs: complete.map(([, entry]) => entry.max),
  })
  const stored = new Map(rows.map((row) => [row.window, Number(row.stored)]))
  for (const [window, entry] of complete) {
    const count = stored.get(window) ?? 0
    // Fewer is a loss. More is normal: sync stores markets created since. (A market that closed
    // while the backfill walked the window can be in both walks and stored once: a false alarm,
    // rare, and walking the window again is harmless.)
    if (count < entry.recorded) {
      result.mismatched.push({
        kind,
        window,
        partitions: entry.partitions.sort(),
        recorded: entry.recorded,
        stored: count,
      })
    }
  }
  return result
}
