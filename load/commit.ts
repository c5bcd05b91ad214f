// Step 1 of the checkpoint protocol: insert rows under a deterministic deduplication token. The
// token hashes the rows' content as well as the unit's identity: ClickHouse silently drops ANY
// insert whose token it has seen, so a page re-fetched later with changed content under a unit-only
// token would be lost. Two ways in, one per kind of source:
// - `commitRows`: rows as objects (the API sources), serialized once as JSONEachRow; the token
//   hashes exactly the bytes sent, run columns included, so a retried insert within a run is
//   dropped while a later run's identical rows go in again and are collapsed by the tables'
//   ReplacingMergeTree keys.
// - `insertBatch`: rows already written as bytes (TabSeparated or RowBinary, the block ranges'
//   RowWriter), many chunks as one payload. The token leaves the run column out (the writer puts a
//   placeholder there for the digest), so the same rows re-sent by a later run under the same
//   ranges are dropped as well. The payload goes through Warehouse.insertText (a staged file read
//   with INSERT … FROM INFILE on the embedded engine, the request body on a server): the engine
//   parses the bytes, JS never builds row objects (bench/chain-ingest.ts).
import { createHash } from 'node:crypto'
import type { Warehouse } from './warehouse.ts'

export function deduplicationToken(table: string, unit: string, payload: string): string {
  return createHash('sha256').update(`${table}\n${unit}\n`).update(payload).digest('hex')
}

/** Inserts one unit's rows into a table; resolves only once ClickHouse acknowledged them. */
export async function commitRows(
  warehouse: Warehouse,
  table: string,
  unit: string,
  rows: readonly object[],
): Promise<void> {
  if (rows.length === 0) return
  let payload = ''
  for (const row of rows) payload += `${JSON.stringify(row)}\n`
  await warehouse.insertText(table, 'JSONEachRow', payload, {
    deduplicationToken: deduplicationToken(table, unit, payload),
  })
}

/** A format the warehouse reads rows in. */
export type InsertFormat = Parameters<Warehouse['insertText']>[1]

/** One unit's rows as bytes (run column included), and a digest of them without it. */
export interface RowChunk {
  payload: Buffer
  digest: Buffer
  rows: number
}

/** Many chunks of one table, inserted as one payload. */
export class RowBatch {
  private readonly chunks: RowChunk[] = []
  rows = 0
  bytes = 0

  constructor(
    readonly table: string,
    readonly columns: readonly string[],
    readonly format: InsertFormat,
  ) {}

  add(chunk: RowChunk): void {
    if (chunk.rows === 0) return
    this.chunks.push(chunk)
    this.rows += chunk.rows
    this.bytes += chunk.payload.length
  }

  /** Token for this content under `unit` (e.g. the block ranges it covers and the stream's salt). */
  token(unit: string): string {
    const hash = createHash('sha256').update(`${this.table}\n${unit}\n`)
    for (const chunk of this.chunks) hash.update(chunk.digest)
    return hash.digest('hex')
  }

  /** The chunks' bytes in order: together, the payload. */
  payload(): Buffer[] {
    return this.chunks.map((chunk) => chunk.payload)
  }
}

/** Inserts the batch; resolves once ClickHouse acknowledged it. A retried identical batch is dropped. */
export async function insertBatch(warehouse: Warehouse, batch: RowBatch, unit: string): Promise<void> {
  if (batch.rows === 0) return
  await warehouse.insertText(batch.table, batch.format, batch.payload(), {
    deduplicationToken: batch.token(unit),
    columns: [...batch.columns, '_run_id'],
    // A batch is disjoint units of rows (block ranges of logs, each (block, log index) once): nothing
    // to collapse.
    optimizeOnInsert: false,
  })
}
