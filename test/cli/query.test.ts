// `polyhouse query` cannot damage the warehouse by accident: read-only by default (the engine's
// readonly setting, whatever the statement's text), a refused write says how to allow it, and
// --write makes a deliberate change — INSERT … VALUES included.
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { type CliResult, runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/warehouse.ts'

const REFUSED =
  'polyhouse: refused: polyhouse query is read-only, and this statement would change the warehouse; to change the warehouse deliberately, run it again with --write\n'

// Each case runs the CLI several times, a few seconds each on a loaded machine.
describe('polyhouse query', { timeout: 300_000 }, () => {
  const dataDir = path.join(tempDir(), 'warehouse')
  const query = (sql: string, ...flags: string[]): Promise<CliResult> =>
    runCli(['--data-dir', dataDir, 'query', sql, ...flags])
  async function rows(sql: string): Promise<unknown[]> {
    const result = await query(sql, '--format', 'json')
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    return JSON.parse(result.stdout)
  }
  async function refused(sql: string): Promise<void> {
    const result = await query(sql)
    expect(result.stderr).toBe(REFUSED)
    expect(result.code).toBe(2)
  }

  beforeAll(async () => {
    const created = await query(
      'CREATE TABLE scratch (n UInt32, note String) ENGINE = MergeTree ORDER BY n',
      '--write',
    )
    expect(created.stderr).toBe('')
    expect(created.code).toBe(0)
  }, 120_000)

  it('runs INSERT … VALUES with --write, and refuses it without', async () => {
    const inserted = await query("INSERT INTO scratch VALUES (1, 'one'), (2, 'two'), (3, 'three')", '--write')
    expect(inserted.stderr).toBe('')
    expect(inserted.code).toBe(0)
    expect(inserted.stdout).toBe('Ok.\n')
    await refused("INSERT INTO scratch VALUES (4, 'four')")
    expect(await rows('SELECT n, note FROM scratch ORDER BY n')).toEqual([
      { n: 1, note: 'one' },
      { n: 2, note: 'two' },
      { n: 3, note: 'three' },
    ])
  })

  it('refuses INSERT … SELECT, ALTER … DELETE, DROP and CREATE without --write, changing nothing', async () => {
    await refused('INSERT INTO scratch SELECT number + 10, toString(number) FROM numbers(5)')
    await refused('ALTER TABLE scratch DELETE WHERE n = 1')
    await refused('DELETE FROM scratch WHERE n = 2')
    await refused('DROP TABLE scratch')
    await refused('DROP TABLE markets')
    await refused('TRUNCATE TABLE chain_fills')
    await refused('CREATE TABLE other (n UInt8) ENGINE = Memory')
    // Lifting the setting from inside the statement is refused by the engine as well.
    const lift = await query('SET readonly = 0; DROP TABLE scratch')
    expect(lift.code).not.toBe(0)
    expect(lift.stderr).toContain('--write')
    expect(await rows('SELECT count() AS n FROM scratch')).toEqual([{ n: '3' }])
    expect(
      await rows(
        "SELECT name FROM system.tables WHERE database = currentDatabase() AND name IN ('scratch', 'markets', 'other') ORDER BY name",
      ),
    ).toEqual([{ name: 'markets' }, { name: 'scratch' }])
  })

  it('makes each change with --write', async () => {
    for (const sql of [
      'INSERT INTO scratch SELECT number + 10, toString(number) FROM numbers(5)',
      'ALTER TABLE scratch DELETE WHERE n = 1 SETTINGS mutations_sync = 2',
      'CREATE TABLE other (n UInt8) ENGINE = Memory',
    ]) {
      const result = await query(sql, '--write')
      expect(result.stderr, sql).toBe('')
      expect(result.code, sql).toBe(0)
    }
    expect(await rows('SELECT count() AS rows, min(n) AS low FROM scratch')).toEqual([{ rows: '7', low: 2 }])
    const dropped = await query('DROP TABLE scratch', '--write')
    expect(dropped.code).toBe(0)
    expect(
      await rows(
        "SELECT name FROM system.tables WHERE database = currentDatabase() AND name IN ('scratch', 'other')",
      ),
    ).toEqual([{ name: 'other' }])
  })

  it('still answers SELECTs in every format', async () => {
    const table = await query('SELECT 1 AS one, {w:String} AS w', '--param', 'w=x')
    expect(table.stderr).toBe('')
    expect(table.stdout).toBe('one  w\n---  -\n  1  x\n(1 row)\n')
    const csv = await query('SELECT number FROM numbers(2)', '--format', 'csv')
    expect(csv.stdout).toBe('"number"\n0\n1\n')
    expect(await rows('SELECT count() AS n FROM markets')).toEqual([{ n: '0' }])
    const empty = await query('SELECT 1 AS one WHERE 0')
    expect(empty.stdout).toBe('one\n---\n(0 rows)\n')
  })
})
