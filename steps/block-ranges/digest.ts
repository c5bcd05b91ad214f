// A block range's content digest: the fact `gaps --verify` recomputes to find rows changed in place.
// The engine computes it both times, at commit over the rows it just acknowledged and later over
// what the table holds, with the same expression, so nothing in JS has to mirror the engine's
// serialization of UInt256, enums or DateTime.
//   cityHash64(<the stream's columns>)  one row's content; the run column (and _ingested_at, not a
//                                       stream column) left out: a run that stores the same logs again
//                                       changes nothing.
//   groupBitXorDistinct                 the rows of a range, in any order, each distinct row once:
//                                       duplicates of a retried insert or of a later run's identical
//                                       rows — and the merge that collapses them into one — leave the
//                                       digest as it was. (Plain XOR would cancel a pair of duplicates;
//                                       FINAL would make every commit merge what it reads.)
// Rows are read by block_number, the tables' primary-key prefix: a commit reads only its own blocks.
import type { BlockRange } from '../../checkpoints/range-set.ts'
import type { Warehouse } from '../../load/warehouse.ts'
import type { LogStream } from './types.ts'

/** The aggregate over a range's rows, as stored in etl_checkpoints.content_digest (sql/032). */
export function contentDigestSql(stream: LogStream): string {
  return `groupBitXorDistinct(cityHash64(${stream.columns.join(', ')}))`
}

/**
 * The digest of each of `ranges` (disjoint) as the stream's table holds them now, in the order
 * given, as decimal strings (a UInt64 does not fit a JS number). A range without rows digests to 0.
 */
export async function digestRanges(
  warehouse: Warehouse,
  stream: LogStream,
  ranges: readonly BlockRange[],
): Promise<string[]> {
  if (ranges.length === 0) return []
  const rows = await warehouse.query<{ piece: number; digest: string }>(
    `SELECT arrayFirstIndex((f, t) -> block_number >= f AND block_number <= t, {froms:Array(UInt64)}, {tos:Array(UInt64)}) AS piece,
            toString(${contentDigestSql(stream)}) AS digest
     FROM ${stream.table}
     WHERE block_number BETWEEN {min:UInt64} AND {max:UInt64}
     GROUP BY piece HAVING piece > 0`,
    {
      froms: ranges.map((range) => range.from),
      tos: ranges.map((range) => range.to),
      min: Math.min(...ranges.map((range) => range.from)),
      max: Math.max(...ranges.map((range) => range.to)),
    },
  )
  const byPiece = new Map(rows.map((row) => [Number(row.piece), row.digest]))
  return ranges.map((_, index) => byPiece.get(index + 1) ?? '0')
}
