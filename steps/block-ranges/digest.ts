// A block range's content digest: the fact `gaps --verify` recomputes to find rows changed in place.
// The engine computes it every time, with the same expression, so nothing in JS has to mirror the
// engine's serialization of UInt256, enums or DateTime.
//   cityHash64(<the stream's columns>)  one row's content; the run column (and _ingested_at, not a
//                                       stream column) left out: a run that stores the same logs again
//                                       changes nothing.
//   groupBitXorDistinct                 the rows of a range, in any order, each distinct row once:
//                                       duplicates of a retried insert or of a later run's identical
//                                       rows — and the merge that collapses them into one — leave the
//                                       digest as it was. (Plain XOR would cancel a pair of duplicates;
//                                       FINAL would have to merge whatever it reads.)
// When it is recorded: not at commit. Reading back each commit's rows to digest them, before its
// checkpoint, cost 20–25 % of the chain step's end-to-end time (bench/chain-ingest.ts, 1,000,000
// fills: 52 s of 255 s grouping a commit's ranges in one query, 35 s of 144 s with one query per
// range), far above the 3 % ingestion can spare, while the same digests over the whole table after
// the load take 4–5 s. `gaps --verify` reads every chain row anyway: it
// records the digest of each counted range it finds whole and has none for (steps/verify.ts), and
// compares it from then on.
import type { LogStream } from './types.ts'

/** The aggregate over a range's rows, as stored in etl_checkpoints.content_digest (sql/032). */
export function contentDigestSql(stream: LogStream): string {
  return `groupBitXorDistinct(cityHash64(${stream.columns.join(', ')}))`
}
