// The foundation as a user meets it: the polyhouse command, its output and exit codes.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_SQL_DIR, DEFAULT_VIEWS_DIR } from '../../load/migrations.ts'
import { ROOT, runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/warehouse.ts'

function home(): { POLYHOUSE_HOME: string } {
  return { POLYHOUSE_HOME: path.join(tempDir(), 'home') }
}

describe('polyhouse CLI', () => {
  it('prints help listing the commands', async () => {
    const result = await runCli(['--help'])
    expect(result.code).toBe(0)
    for (const command of ['migrate', 'views', 'status', 'query']) expect(result.stdout).toContain(command)
  })

  it('rejects an unknown command or flag with exit code 2', async () => {
    const env = home()
    const unknownCommand = await runCli(['backfil'], env)
    expect(unknownCommand.code).toBe(2)
    expect(unknownCommand.stderr).toMatch(/unknown command 'backfil'/)
    const unknownFlag = await runCli(['status', '--jsn'], env)
    expect(unknownFlag.code).toBe(2)
    expect(unknownFlag.stderr).toMatch(/unknown option '--jsn'/)
    expect(fs.existsSync(env.POLYHOUSE_HOME)).toBe(false)
  })

  it('rejects a --memory-limit that is not a size with one line and exit code 2, touching nothing', async () => {
    const env = home()
    for (const size of ['lots', '12']) {
      const result = await runCli(['--memory-limit', size, 'status'], env)
      expect(result.code).toBe(2)
      expect(result.stderr).toBe(
        `polyhouse: --memory-limit must be a size of at least 400M, like 600M or 2G: got '${size}'\n`,
      )
    }
    expect(fs.existsSync(env.POLYHOUSE_HOME)).toBe(false)
  })

  it('runs a command under a --memory-limit', async () => {
    const result = await runCli(['--memory-limit', '600M', 'query', 'SELECT 1 AS one'], home())
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('1')
  }, 180_000)

  it('migrates on first use, and the second migrate changes nothing', async () => {
    const env = home()
    const first = await runCli(['migrate'], env)
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(/applied sql\/001_markets\.sql/)
    expect(first.stdout).toMatch(/applied view vw_markets/)
    const second = await runCli(['migrate'], env)
    expect(second.code).toBe(0)
    expect(second.stdout).toBe('up to date: nothing to apply\n')
    const status = await runCli(['status', '--json'], env)
    expect(status.code).toBe(0)
    const parsed = JSON.parse(status.stdout)
    expect(parsed.migrations).toMatchObject({ pending: [], failed: [] })
    expect(parsed.migrations.applied).toBe(fs.readdirSync(DEFAULT_SQL_DIR).length)
    expect(parsed.tables.map((table: { name: string }) => table.name)).toContain('chain_fills')
    expect(parsed.views).toContainEqual({ name: 'vw_markets', state: 'applied' })
    expect(parsed.views.filter((view: { state: string }) => view.state !== 'applied')).toEqual([])
  })

  it("status keeps each step's name apart from its figures", async () => {
    const status = await runCli(['status'], home())
    expect(status.code).toBe(0)
    // The lines of the `steps:` section (the `tables:` section lists tables named alike).
    const section = status.stdout.split('\nsteps:\n')[1]?.split(/\n(?=\S)/)[0] ?? ''
    const steps = section.split('\n').filter((line) => /^ {2}\S/.test(line))
    expect(steps.map((line) => line.slice(0, 12))).toEqual([
      '  markets   ',
      '  chain     ',
      '  transfers ',
      '  activity  ',
      '  amm       ',
      '  owners    ',
      '  wallets   ',
      '  views     ',
    ])
    expect(status.stdout).toContain('  transfers not started: no block range recorded')
    expect(status.stdout).toContain('  amm       not started: no block range recorded')
  })

  it('passes a parameter as a value, never as SQL', async () => {
    const result = await runCli(
      ['query', 'SELECT {w:String} AS w', '--param', "w=x' OR 1=1 --", '--format', 'json'],
      home(),
    )
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual([{ w: "x' OR 1=1 --" }])
  })

  it('prints csv, tsv and a table, with 64-bit and 256-bit numbers exact', async () => {
    const env = home()
    const sql =
      "SELECT toUInt256('98022490269692409998126496127597032490334070080325855126491859374983463996227') AS token_id, toDecimal64('0.123456', 6) AS price"
    const csv = await runCli(['query', sql, '--format', 'csv'], env)
    expect(csv.stdout).toBe(
      '"token_id","price"\n98022490269692409998126496127597032490334070080325855126491859374983463996227,0.123456\n',
    )
    const tsv = await runCli(['query', sql, '--format', 'tsv'], env)
    expect(tsv.stdout).toBe(
      'token_id\tprice\n98022490269692409998126496127597032490334070080325855126491859374983463996227\t0.123456\n',
    )
    const table = await runCli(['query', sql], env)
    expect(table.stdout.split('\n')[0]).toMatch(/^\s*token_id\s+price$/)
    expect(table.stdout).toContain(
      '98022490269692409998126496127597032490334070080325855126491859374983463996227  0.123456',
    )
    expect(table.stdout).toContain('(1 row)')
  })

  it('explains a parameter whose type does not match, with exit code 2', async () => {
    const result = await runCli(['query', 'SELECT {n:UInt8} AS n', '--param', 'n=abc'], home())
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^polyhouse: bad --param: .*abc.*UInt8/)
    expect(result.stderr).toMatch(/--param name=value that parses as its Type/)
    const malformed = await runCli(['query', 'SELECT 1', '--param', 'no-equals'], home())
    expect(malformed.code).toBe(2)
    expect(malformed.stderr).toMatch(/--param "no-equals" is not name=value/)
  })

  it('refuses CLICKHOUSE_URL that is not a URL, changing nothing', async () => {
    const env = home()
    const result = await runCli(['status'], { ...env, CLICKHOUSE_URL: 'localhost' })
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      "polyhouse: CLICKHOUSE_URL is not a URL: got 'localhost'; try http://localhost:8123\n",
    )
    expect(fs.existsSync(env.POLYHOUSE_HOME)).toBe(false)
  })

  it('says which server it cannot reach', async () => {
    const result = await runCli(['status'], { ...home(), CLICKHOUSE_URL: 'http://127.0.0.1:9' })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(
      /^polyhouse: cannot reach ClickHouse at http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\); check CLICKHOUSE_URL/,
    )
  })

  it('fails a second process on a held data directory with the clear message and exit code 1', async () => {
    const env = home()
    // The first process: a polyhouse query that keeps the warehouse open for ~20 s, long enough for
    // the second to start even on a loaded machine. Its exit is awaited from the start, so an early
    // exit is seen rather than waited for forever.
    const first = spawn(
      process.execPath,
      [
        'bin/polyhouse.js',
        'query',
        // Blocks of 65,505 rows at 40 µs a row: ~2.6 s a block (under the engine's 3 s cap), 7 blocks.
        'SELECT sum(sleepEachRow(0.00004)) AS s FROM numbers(458535)',
      ],
      { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'ignore' },
    )
    const firstExited = new Promise((resolve) => first.on('exit', resolve))
    const statusFile = path.join(env.POLYHOUSE_HOME, 'warehouse', 'status')
    for (let i = 0; i < 1200 && !fs.existsSync(statusFile); i++)
      await new Promise((resolve) => setTimeout(resolve, 25))
    const second = await runCli(['status'], env)
    const firstExit = await firstExited
    expect(firstExit).toBe(0)
    expect(second.code).toBe(1)
    expect(second.stderr).toContain(
      `the data directory ${path.join(env.POLYHOUSE_HOME, 'warehouse')} is held by another polyhouse process (pid ${first.pid})`,
    )
    expect(second.stderr).toContain('polyhouse serve')
    // Once the first is done, the directory is free.
    expect((await runCli(['status'], env)).code).toBe(0)
  }, 120_000)

  it('stops at a broken sql file, names it, and status shows where', async () => {
    const env = home()
    const sqlDir = path.join(tempDir(), 'sql')
    fs.cpSync(DEFAULT_SQL_DIR, sqlDir, { recursive: true })
    fs.writeFileSync(path.join(sqlDir, '950_broken.sql'), 'CREATE TABLE broken (id UInt8 ENGINE = Memory;\n')
    const result = await runCli(['--sql-dir', sqlDir, 'migrate'], env)
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^polyhouse: sql\/950_broken\.sql failed at statement 1 of 1: Syntax error/)
    const status = await runCli(['--sql-dir', sqlDir, 'status'], env)
    expect(status.code).toBe(1)
    const ledger = await runCli(
      [
        'query',
        "SELECT status, statements_applied, error != '' AS has_error FROM schema_migrations FINAL WHERE name = '950_broken'",
        '--format',
        'json',
      ],
      env,
    )
    expect(JSON.parse(ledger.stdout)).toEqual([{ status: 'failed', statements_applied: 0, has_error: 1 }])
  })

  it('names the view a dropped column broke, and exits 1', async () => {
    const env = home()
    const viewsDir = path.join(tempDir(), 'views')
    fs.cpSync(DEFAULT_VIEWS_DIR, viewsDir, { recursive: true })
    expect((await runCli(['migrate'], env)).code).toBe(0)
    expect(
      (await runCli(['query', 'ALTER TABLE markets DROP COLUMN event_title', '--write'], env)).code,
    ).toBe(0)
    const check = await runCli(['views', 'rebuild', '--check'], env)
    expect(check.code).toBe(1)
    expect(check.stdout).toMatch(/^vw_markets: broken — .*event_title/m)
  })
})
