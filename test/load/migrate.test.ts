import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readLedger } from '../../load/ledger.ts'
import { migrate } from '../../load/migrate.ts'
import { DEFAULT_SQL_DIR, DEFAULT_VIEWS_DIR, loadViews } from '../../load/migrations.ts'
import { checkViews } from '../../load/views.ts'
import type { Warehouse } from '../../load/warehouse.ts'
import { openTempWarehouse, tempDir } from '../helpers/warehouse.ts'

/** A copy of the shipped sql/ and views/ that a test may edit. */
function copyProjectSql(): { sqlDir: string; viewsDir: string } {
  const root = tempDir('polyhouse-sql-')
  const sqlDir = path.join(root, 'sql')
  const viewsDir = path.join(root, 'views')
  fs.cpSync(DEFAULT_SQL_DIR, sqlDir, { recursive: true })
  fs.cpSync(DEFAULT_VIEWS_DIR, viewsDir, { recursive: true })
  return { sqlDir, viewsDir }
}

describe('migrate', () => {
  let warehouse: Warehouse
  let dirs: { sqlDir: string; viewsDir: string }
  beforeEach(async () => {
    warehouse = await openTempWarehouse()
    dirs = copyProjectSql()
  })
  afterEach(async () => {
    await warehouse.close()
  })

  it('creates every staging table and view, then changes nothing the second time', async () => {
    const first = await migrate(warehouse, dirs)
    expect(first.error).toBeUndefined()
    expect(first.viewErrors).toEqual([])
    const tables = await warehouse.query<{ name: string }>(
      "SELECT name FROM system.tables WHERE database = currentDatabase() AND name NOT LIKE 'schema_%' ORDER BY name",
    )
    expect(tables.map((table) => table.name)).toEqual(
      expect.arrayContaining([
        'markets',
        'events',
        'market_tokens',
        'positions',
        'wallets',
        'chain_fills',
        'chain_blocks',
        'etl_checkpoints',
        'etl_runs',
        'etl_jobs',
        'etl_errors',
        'etl_quarantine',
        'vw_markets',
      ]),
    )
    const ledgerBefore = await readLedger(warehouse)
    const second = await migrate(warehouse, dirs)
    expect(second.planned).toEqual([])
    expect(second.applied).toEqual([])
    expect(await readLedger(warehouse)).toEqual(ledgerBefore)
  })

  it('keeps money and ids out of Float64 and lower-case-able strings typed', async () => {
    await migrate(warehouse, dirs)
    const floats = await warehouse.query<{ table: string; name: string }>(
      "SELECT table, name FROM system.columns WHERE database = currentDatabase() AND type LIKE '%Float64%'",
    )
    expect(floats).toEqual([])
    const tokenColumns = await warehouse.query<{ type: string }>(
      "SELECT type FROM system.columns WHERE database = currentDatabase() AND name = 'token_id' AND table NOT LIKE 'vw_%'",
    )
    expect(new Set(tokenColumns.map((column) => column.type))).toEqual(new Set(['UInt256']))
  })

  it('refuses an applied migration that was edited, naming the file', async () => {
    await migrate(warehouse, dirs)
    const file = path.join(dirs.sqlDir, '002_events.sql')
    fs.appendFileSync(file, '\n-- an innocent-looking edit\n')
    const result = await migrate(warehouse, dirs)
    expect(result.error?.userMessage()).toMatch(/sql\/002_events\.sql was changed after it was applied/)
    expect(result.applied).toEqual([])
  })

  it('applies a new column migration and a view using it, views after tables in dependency order', async () => {
    await migrate(warehouse, dirs)
    fs.writeFileSync(
      path.join(dirs.sqlDir, '900_add_market_category.sql'),
      "-- markets.category: a column added after the first release.\nALTER TABLE markets ADD COLUMN IF NOT EXISTS category String DEFAULT '';\n",
    )
    // vw_categories reads vw_market_categories, so it must be created second whatever the file order.
    fs.writeFileSync(
      path.join(dirs.viewsDir, 'vw_categories.sql'),
      'CREATE OR REPLACE VIEW vw_categories {{on_cluster}} AS SELECT category, count() AS markets FROM vw_market_categories GROUP BY category',
    )
    fs.writeFileSync(
      path.join(dirs.viewsDir, 'vw_market_categories.sql'),
      'CREATE OR REPLACE VIEW vw_market_categories {{on_cluster}} AS SELECT market_id, category FROM markets FINAL',
    )
    const result = await migrate(warehouse, dirs)
    expect(result.error).toBeUndefined()
    expect(result.viewErrors).toEqual([])
    const order = result.applied.map((step) => step.name)
    expect(order[0]).toBe('900_add_market_category')
    expect(order.indexOf('vw_market_categories')).toBeLessThan(order.indexOf('vw_categories'))
    // The new migration changes the tables, so the existing view is re-applied too.
    expect(order).toContain('vw_markets')
    await warehouse.command("INSERT INTO markets (market_id, category) VALUES (1, 'sports'), (2, 'sports')")
    expect(await warehouse.query('SELECT * FROM vw_categories')).toEqual([
      { category: 'sports', markets: '2' },
    ])
  })

  it('names a cycle between views', () => {
    fs.writeFileSync(
      path.join(dirs.viewsDir, 'vw_a.sql'),
      'CREATE OR REPLACE VIEW vw_a AS SELECT * FROM vw_b',
    )
    fs.writeFileSync(
      path.join(dirs.viewsDir, 'vw_b.sql'),
      'CREATE OR REPLACE VIEW vw_b AS SELECT * FROM vw_a',
    )
    expect(() => loadViews(dirs.viewsDir)).toThrow(/cycle: vw_a -> vw_b -> vw_a/)
  })

  it('stops at a failing statement, records where, and resumes there once fixed', async () => {
    await migrate(warehouse, dirs)
    const file = path.join(dirs.sqlDir, '901_two_tables.sql')
    const good = 'CREATE TABLE IF NOT EXISTS first_table (id UInt8) ENGINE = MergeTree ORDER BY id'
    fs.writeFileSync(file, `${good};\nCREATE TABLE second_table (id UInt8 ENGINE = MergeTree ORDER BY id;\n`)
    const failed = await migrate(warehouse, dirs)
    expect(failed.error?.userMessage()).toMatch(
      /sql\/901_two_tables\.sql failed at statement 2 of 2: .*Syntax error/,
    )
    const entry = (await readLedger(warehouse)).get('migration:901_two_tables')
    expect(entry).toMatchObject({ status: 'failed', statements_applied: 1, statements_total: 2 })
    expect(entry?.error).toMatch(/Syntax error/)

    // Statement 1 already ran: drop what it made to prove it is not run again.
    await warehouse.command('INSERT INTO first_table VALUES (7)')
    fs.writeFileSync(file, `${good};\nCREATE TABLE second_table (id UInt8) ENGINE = MergeTree ORDER BY id;\n`)
    const resumed = await migrate(warehouse, dirs)
    expect(resumed.error).toBeUndefined()
    expect(resumed.applied[0]).toMatchObject({ name: '901_two_tables', fromStatement: 1 })
    expect(await warehouse.query('SELECT id FROM first_table')).toEqual([{ id: 7 }])
    expect((await readLedger(warehouse)).get('migration:901_two_tables')).toMatchObject({
      status: 'applied',
      statements_applied: 2,
    })
  })

  it('refuses an edit to a statement that already ran in a half-applied file', async () => {
    const file = path.join(dirs.sqlDir, '902_half.sql')
    fs.writeFileSync(
      file,
      'CREATE TABLE IF NOT EXISTS half_a (id UInt8) ENGINE = MergeTree ORDER BY id;\nSELEC 1;\n',
    )
    expect((await migrate(warehouse, dirs)).error).toBeDefined()
    fs.writeFileSync(
      file,
      'CREATE TABLE IF NOT EXISTS half_b (id UInt8) ENGINE = MergeTree ORDER BY id;\nSELECT 1;\n',
    )
    const result = await migrate(warehouse, dirs)
    expect(result.error?.userMessage()).toMatch(
      /sql\/902_half\.sql was changed in statement 1, which was already applied/,
    )
  })

  it('lets only one of two concurrent migrators apply each file', async () => {
    const [a, b] = await Promise.all([migrate(warehouse, dirs), migrate(warehouse, dirs)])
    expect(a.error).toBeUndefined()
    expect(b.error).toBeUndefined()
    const appliedNames = [...a.applied, ...b.applied].map((step) => step.name)
    expect(appliedNames.length).toBe(new Set(appliedNames).size)
    expect(appliedNames).toContain('001_markets')
    const attempts = await warehouse.query<{ name: string; n: string }>(
      "SELECT name, count() AS n FROM schema_migrations WHERE kind = 'migration' GROUP BY name HAVING n > 1",
    )
    expect(attempts).toEqual([])
  })

  it('reports a view broken by a dropped column without changing anything', async () => {
    await migrate(warehouse, dirs)
    await warehouse.command('ALTER TABLE markets DROP COLUMN liquidity')
    const ledgerBefore = await readLedger(warehouse)
    const states = await checkViews(warehouse, dirs)
    const markets = states.find((view) => view.name === 'vw_markets')
    expect(markets?.state).toBe('broken')
    expect(markets?.error).toMatch(/liquidity/)
    expect(await readLedger(warehouse)).toEqual(ledgerBefore)
  })

  it('answers a no-op migrate quickly (one ledger read)', async () => {
    await migrate(warehouse, dirs)
    const started = performance.now()
    const result = await migrate(warehouse, dirs)
    const elapsed = performance.now() - started
    expect(result.planned).toEqual([])
    // Not a timing assertion on a noisy machine: a bound two orders of magnitude above the usual.
    expect(elapsed).toBeLessThan(5_000)
  })
})
