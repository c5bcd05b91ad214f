// Step 1 of the checkpoint protocol for block ranges: many ranges' rows as one payload (TabSeparated
// or RowBinary, load/row-writer.ts), inserted under a deduplication token that hashes the rows'
// content and the ranges' identity. The payload goes through Warehouse.insertText (a staged file read with INSERT …
// FROM INFILE on the embedded engine, served or not; the request body on a server): the engine
// parses the bytes, JS never builds row objects (bench/chain-ingest.ts).
// Unlike load/commit.ts the token leaves the run column out (load/row-writer.ts writes a placeholder
// for the digest), so the same rows re-sent by a later run under the same ranges are dropped as well.
import { createHash } from 'node:crypto'
import type { RowFormat } from '../../load/row-writer.ts'
import type { Warehouse } from '../../load/warehouse.ts'

/** One range's rows as bytes (run column included), and a digest of them without it (load/row-writer.ts). */
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
    readonly format: RowFormat,
  ) {}

  add(chunk: RowChunk): void {
    if (chunk.rows === 0) return
    this.chunks.push(chunk)
    this.rows += chunk.rows
    this.bytes += chunk.payload.length
  }

  /** Token for this content under `unit` (the ranges it covers and the stream's salt). */
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
    // A batch is disjoint ranges of logs, each (block, log index) once: nothing to collapse.
    optimizeOnInsert: false,
  })
}
