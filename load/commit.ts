// Step 1 of the checkpoint protocol: insert a unit's rows under a deterministic deduplication token.
// The token hashes the rows' content as well as the unit's identity: ClickHouse silently drops ANY
// insert whose token it has seen, so a page re-fetched later with changed content under a unit-only
// token would be lost. The rows are serialized once (JSONEachRow); the token hashes exactly the
// bytes sent, run columns included: a retried insert within a run is dropped, while a later run's
// identical rows go in again and are collapsed by the tables' ReplacingMergeTree keys.
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
