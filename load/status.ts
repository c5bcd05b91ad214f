// What `polyhouse status` reports about the warehouse itself: migrations, tables, checkpoints, views.
import { ensureLedger, readLedger } from './ledger.ts'
import { plan } from './migrate.ts'
import { loadMigrations, loadViews } from './migrations.ts'
import { checkViews, type ViewState } from './views.ts'
import type { Warehouse } from './warehouse.ts'

export interface WarehouseStatus {
  warehouse: { kind: string; location: string; version: string }
  migrations: {
    applied: number
    pending: string[]
    failed: { name: string; error: string; statement: number }[]
  }
  /** Rows as queries see them (ReplacingMergeTree tables counted FINAL: versions not merged yet count once). */
  tables: { name: string; rows: number; bytes: number }[]
  checkpoints: { stream: string; units: number; rows: number; lastUpdate: string }[]
  views: ViewState[]
}

export async function collectStatus(
  warehouse: Warehouse,
  dirs: { sqlDir?: string; viewsDir?: string } = {},
): Promise<WarehouseStatus> {
  await ensureLedger(warehouse)
  const ledger = await readLedger(warehouse)
  const migrations = loadMigrations(dirs.sqlDir)
  const pendingMigrations = plan(migrations, loadViews(dirs.viewsDir), ledger, warehouse.cluster).filter(
    (step) => step.kind === 'migration',
  )
  const failed = [...ledger.values()]
    .filter((entry) => entry.kind === 'migration' && entry.status !== 'applied')
    .map((entry) => ({ name: entry.name, error: entry.error, statement: entry.statements_applied + 1 }))
  const [version] = await warehouse.query<{ version: string }>('SELECT version() AS version')
  const tables = await warehouse.query<{ name: string; engine: string; stored: string; bytes: string }>(
    `SELECT name, engine, toString(ifNull(total_rows, 0)) AS stored, toString(ifNull(total_bytes, 0)) AS bytes
     FROM system.tables
     WHERE database = currentDatabase() AND engine LIKE '%MergeTree' AND name != 'schema_migrations'
     ORDER BY name`,
  )
  const rows = await exactRows(warehouse, tables)
  const hasCheckpoints = tables.some((table) => table.name === 'etl_checkpoints')
  const checkpoints = hasCheckpoints
    ? await warehouse.query<{ stream: string; units: string; rows: string; lastUpdate: string }>(
        `SELECT stream, toString(count()) AS units, toString(sum(rows)) AS rows, toString(max(updated_at)) AS lastUpdate
         FROM etl_checkpoints FINAL GROUP BY stream ORDER BY stream`,
      )
    : []
  return {
    warehouse: { kind: warehouse.config.kind, location: warehouse.location, version: version?.version ?? '' },
    migrations: {
      applied: [...ledger.values()].filter(
        (entry) => entry.kind === 'migration' && entry.status === 'applied',
      ).length,
      pending: pendingMigrations.map((step) => step.name),
      failed,
    },
    tables: tables.map((table) => ({
      name: table.name,
      rows: rows.get(table.name) ?? Number(table.stored),
      bytes: Number(table.bytes),
    })),
    checkpoints: checkpoints.map((row) => ({ ...row, units: Number(row.units), rows: Number(row.rows) })),
    views: await checkViews(warehouse, dirs),
  }
}

/**
 * Rows per table as the views see them: a ReplacingMergeTree keeps superseded versions until it
 * merges, so `system.tables.total_rows` over-counts; count() FINAL does not. One query for all.
 */
async function exactRows(
  warehouse: Warehouse,
  tables: readonly { name: string; engine: string }[],
): Promise<Map<string, number>> {
  // Names come from system.tables, never from the user; backquoted all the same.
  const plain = tables.filter((table) => /^\w+$/.test(table.name))
  if (plain.length === 0) return new Map()
  const counts = await warehouse.query<{ name: string; rows: string }>(
    plain
      .map(
        (table) =>
          `SELECT '${table.name}' AS name, toString(count()) AS rows FROM \`${table.name}\`${
            table.engine.includes('Replacing') ? ' FINAL' : ''
          }`,
      )
      .join(' UNION ALL '),
  )
  return new Map(counts.map((row) => [row.name, Number(row.rows)]))
}
