// The migration ledger (schema_migrations): what ran, statement by statement, and where it stopped.
// It is created by the migrator itself, since it must exist before the first migration runs.

import { renderSql } from './sql-text.ts'
import type { Warehouse } from './warehouse.ts'

export const LEDGER_TABLE = 'schema_migrations'

const LEDGER_DDL = `
CREATE TABLE IF NOT EXISTS ${LEDGER_TABLE} {{on_cluster}}
(
    kind               Enum8('migration' = 1, 'view' = 2),
    version            UInt32,
    name               String,
    checksum           String,
    statements_total   UInt16,
    statements_applied UInt16,
    statement_hashes   Array(String),
    status             Enum8('applied' = 1, 'failed' = 2, 'running' = 3),
    error              String,
    applied_at         DateTime64(3, 'UTC'),
    duration_ms        UInt32
)
ENGINE = {{engine:ReplacingMergeTree(applied_at)}}
ORDER BY (kind, name)
COMMENT 'polyhouse migration ledger: one row per sql/ file and views/ file, latest attempt wins'`

export interface LedgerEntry {
  kind: 'migration' | 'view'
  version: number
  name: string
  checksum: string
  statements_total: number
  statements_applied: number
  statement_hashes: string[]
  /** running: stopped between statements (killed); failed: a statement raised `error`. */
  status: 'applied' | 'failed' | 'running'
  error: string
  applied_at: string
  duration_ms: number
}

/** The ledger's DDL for a target, so a cluster dry run can print it with the rest. */
export function ledgerDdl(cluster: string | undefined): string {
  return renderSql(LEDGER_DDL, { cluster }).trim()
}

export async function ensureLedger(warehouse: Warehouse): Promise<void> {
  await warehouse.command(ledgerDdl(warehouse.cluster))
}

export async function readLedger(warehouse: Warehouse): Promise<Map<string, LedgerEntry>> {
  const rows = await warehouse.query<LedgerEntry>(
    `SELECT kind, version, name, checksum, statements_total, statements_applied, statement_hashes, status,
            error, toString(applied_at) AS applied_at, duration_ms
     FROM ${LEDGER_TABLE} FINAL`,
  )
  return new Map(rows.map((row) => [ledgerKey(row.kind, row.name), { ...row, version: Number(row.version) }]))
}

export function ledgerKey(kind: LedgerEntry['kind'], name: string): string {
  return `${kind}:${name}`
}

export async function writeLedger(
  warehouse: Warehouse,
  entry: Omit<LedgerEntry, 'applied_at'>,
): Promise<void> {
  // Two attempts in the same millisecond would tie on the version column: the later insert wins in
  // ReplacingMergeTree, which is the later attempt.
  await warehouse.insert(LEDGER_TABLE, [{ ...entry, applied_at: Date.now() }])
}
