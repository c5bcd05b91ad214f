// View health, for `views rebuild --check` and `status`: does each view file still compile against
// the tables as they are now, and is the applied version the current one? Changes nothing.
import { ensureLedger, ledgerKey, readLedger } from './ledger.ts'
import { plan } from './migrate.ts'
import { loadMigrations, loadViews } from './migrations.ts'
import { renderSql, stripComments } from './sql-text.ts'
import type { Warehouse } from './warehouse.ts'

export interface ViewState {
  name: string
  /** applied: current; stale: its text or a dependency changed since; missing: never applied; broken: does not compile. */
  state: 'applied' | 'stale' | 'missing' | 'broken'
  error?: string
}

export async function checkViews(
  warehouse: Warehouse,
  dirs: { sqlDir?: string; viewsDir?: string } = {},
): Promise<ViewState[]> {
  const views = loadViews(dirs.viewsDir)
  await ensureLedger(warehouse)
  const ledger = await readLedger(warehouse)
  const pending = new Set(
    plan(loadMigrations(dirs.sqlDir), views, ledger, warehouse.cluster)
      .filter((step) => step.kind === 'view')
      .map((step) => step.name),
  )
  const states: ViewState[] = []
  for (const view of views) {
    const select = selectOf(renderSql(view.sql, { cluster: warehouse.cluster }))
    try {
      // The analyzer resolves every table, column and function the view reads, and runs nothing.
      // QUERY TREE stops there; a plain EXPLAIN also builds the plan of every view it reads, which
      // for the PnL views (a fold over nested views) costs seconds per view on a loaded machine.
      await warehouse.query(`EXPLAIN QUERY TREE ${select}`)
    } catch (error) {
      const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]?.trim() ?? ''
      states.push({ name: view.name, state: 'broken', error: message })
      continue
    }
    const entry = ledger.get(ledgerKey('view', view.name))
    const state = !entry ? 'missing' : pending.has(view.name) ? 'stale' : 'applied'
    states.push({ name: view.name, state, ...(entry?.status === 'failed' ? { error: entry.error } : {}) })
  }
  return states
}

/** The SELECT of a `CREATE OR REPLACE VIEW name [ON CLUSTER c] AS SELECT …` statement. */
function selectOf(createView: string): string {
  const text = stripComments(createView).replace(/;\s*$/, '')
  const match = /^CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+\S+\s+(?:ON\s+CLUSTER\s+\S+\s+)?AS\s+([\s\S]*)$/i.exec(
    text,
  )
  return match?.[1] ?? text
}
