// Step 1 of the checkpoint protocol: insert a unit's rows under a deterministic deduplication token.
// The token hashes the rows' content as well as the unit's identity: ClickHouse silently drops ANY
// insert whose token it has seen, so a page re-fetched later with changed content under a unit-only
// token would be lost. A retried insert of identical rows is dropped; changed rows go in.
import { createHash } from 'node:crypto'
import type { Warehouse } from './warehouse.ts'

/** Columns that differ between two fetches of the same content and must not change the token. */
const RUN_COLUMNS = new Set(['_run_id', '_ingested_at'])

export function deduplicationToken(table: string, unit: string, rows: readonly object[]): string {
  const hash = createHash('sha256').update(`${table}\n${unit}\n`)
  for (const row of rows) {
    hash.update(JSON.stringify(row, (key, value) => (RUN_COLUMNS.has(key) ? undefined : value)))
    hash.update('\n')
  }
  return hash.digest('hex')
}

/** Inserts one unit's rows into a table; resolves only once ClickHouse acknowledged them. */
export async function commitRows(
  warehouse: Warehouse,
  table: string,
  unit: string,
  rows: readonly object[],
): Promise<void> {
  if (rows.length === 0) return
  await warehouse.insert(table, rows, { deduplicationToken: deduplicationToken(table, unit, rows) })
}
