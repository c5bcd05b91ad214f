// A fingerprint of what the warehouse holds, to prove that a run killed and resumed ends with the
// same content as an uninterrupted one: per table and view, the row count and an order-independent
// hash of every row (a sum of row hashes counts duplicates, unlike a XOR), read through FINAL so
// replaced versions do not count. Columns that record when or by which run a row was written differ
// between any two runs and are left out.
import type { Warehouse } from './warehouse.ts'

/** Columns about the run, not the data. */
export const RUN_COLUMNS = ['_run_id', '_ingested_at', 'snapshot_at', 'positions_snapshot_at', 'fetched_at']

/**
 * Columns of views that carry a run's time: API rows of vw_trades_unified are stamped with their
 * snapshot; a wallet's settling margin is counted back from its snapshot (vw_reconciliation_window);
 * the PnL leaderboard and the owners' chain PnL say when their snapshot was computed.
 */
export const VIEW_RUN_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  vw_trades_unified: ['time'],
  vw_reconciliation_window: ['settled_before'],
  vw_wallet_pnl: ['computed_at'],
  vw_owner_pnl: ['chain_computed_at'],
}

/** The staging tables whose content the pipeline promises; etl_* tables describe runs, not data. */
export const DATA_TABLES = [
  'markets',
  'events',
  'market_tokens',
  'tags',
  'positions',
  'wallets',
  'chain_fills',
  'chain_blocks',
  'chain_transfers',
  'chain_transfer_blocks',
] as const

export interface Fingerprint {
  [relation: string]: { rows: number; hash: string }
}

export async function fingerprint(
  warehouse: Warehouse,
  relations: readonly string[] = [...DATA_TABLES],
  options: { includeViews?: boolean } = {},
): Promise<Fingerprint> {
  const existing = await warehouse.query<{ name: string; engine: string }>(
    'SELECT name, engine FROM system.tables WHERE database = currentDatabase()',
  )
  const engines = new Map(existing.map((table) => [table.name, table.engine]))
  const names = [...relations]
  if (options.includeViews) {
    for (const table of existing)
      if (table.engine === 'View' && !names.includes(table.name)) names.push(table.name)
  }
  const result: Fingerprint = {}
  for (const name of names.sort()) {
    const engine = engines.get(name)
    if (!engine) continue
    const columns = await warehouse.query<{ name: string }>(
      'SELECT name FROM system.columns WHERE database = currentDatabase() AND table = {table:String} ORDER BY position',
      { table: name },
    )
    const ignored = [...RUN_COLUMNS, ...(VIEW_RUN_COLUMNS[name] ?? [])]
    const kept = columns.map((column) => column.name).filter((column) => !ignored.includes(column))
    const final = engine.includes('ReplacingMergeTree') ? 'FINAL' : ''
    const [row] = await warehouse.query<{ rows: string; hash: string }>(
      `SELECT toString(count()) AS rows, toString(sum(cityHash64(${kept.map((column) => `\`${column}\``).join(', ')}))) AS hash
       FROM \`${name}\` ${final}`,
    )
    result[name] = { rows: Number(row?.rows ?? 0), hash: row?.hash ?? '0' }
  }
  return result
}
