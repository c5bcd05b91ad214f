// polyhouse in server mode against `polyhouse serve`: migrate and status with CLICKHOUSE_URL over
// the served endpoint, a wrong password read as polyhouse's "refused user" error, and commands that
// find their embedded directory held by a serving process going through it instead of failing.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serveInfoPath } from '../../load/serve/info.ts'
import { INSERT_STAGING_DIR } from '../../load/warehouse.ts'
import { startSimulator } from '../../simulator/index.ts'
import { ROOT, runCli } from '../helpers/cli.ts'
import { type ServeProcess, spawnServe } from '../helpers/serve.ts'
import { tempDir } from '../helpers/warehouse.ts'
import { truthLines } from '../steps/chain/sim-helpers.ts'

describe('polyhouse against polyhouse serve --allow-writes (CLICKHOUSE_URL)', () => {
  let serve: ServeProcess
  const password = 'correct horse battery staple'

  beforeAll(async () => {
    serve = await spawnServe(
      [
        '--data-dir',
        path.join(tempDir(), 'warehouse'),
        'serve',
        '--allow-writes',
        '--port',
        '0',
        '--user',
        'etl',
      ],
      { POLYHOUSE_SERVE_PASSWORD: password },
    )
  })

  afterAll(async () => {
    expect(await serve?.stop()).toBe(130)
  })

  it('migrates a database through the endpoint, then reads its status', { timeout: 180_000 }, async () => {
    const env = {
      CLICKHOUSE_URL: serve.url,
      CLICKHOUSE_USER: 'etl',
      CLICKHOUSE_PASSWORD: password,
      CLICKHOUSE_DATABASE: 'served',
    }
    const migrate = await runCli(['migrate'], env)
    expect(migrate.stderr).toBe('')
    expect(migrate.code).toBe(0)
    expect(migrate.stdout).toMatch(/applied sql\/001_markets\.sql/)
    expect(migrate.stdout).toMatch(/applied view vw_markets/)

    const status = await runCli(['status', '--json'], env)
    expect(status.code).toBe(0)
    const parsed = JSON.parse(status.stdout)
    expect(parsed.warehouse).toMatchObject({ kind: 'server', location: serve.url })
    expect(parsed.migrations).toMatchObject({ pending: [], failed: [] })
    expect(parsed.views).toContainEqual({ name: 'vw_markets', state: 'applied' })
    expect(parsed.views.filter((view: { state: string }) => view.state !== 'applied')).toEqual([])
    expect(serve.stderr()).not.toContain(password)
  })

  it('answers a wrong password with polyhouse’s "refused user" error', async () => {
    const result = await runCli(['status'], {
      CLICKHOUSE_URL: serve.url,
      CLICKHOUSE_USER: 'etl',
      CLICKHOUSE_PASSWORD: 'wrong',
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(
      new RegExp(
        `^polyhouse: ClickHouse at ${serve.url} refused user 'etl': etl: Authentication failed.*; check CLICKHOUSE_USER and CLICKHOUSE_PASSWORD\\n$`,
      ),
    )
    expect(serve.stderr()).toMatch(/user=etl - 403 code=516/)
  })
})

describe('polyhouse commands on a directory held by polyhouse serve', () => {
  it('query and status go through the serving process, and run directly once it stops', {
    timeout: 180_000,
  }, async () => {
    const dataDir = path.join(tempDir(), 'warehouse')
    const serve = await spawnServe(['--data-dir', dataDir, 'serve', '--port', '0'])
    try {
      const query = await runCli([
        '--data-dir',
        dataDir,
        'query',
        'SELECT count() AS views FROM system.tables WHERE name = {p:String}',
        '-p',
        'p=vw_markets',
        '--format',
        'json',
      ])
      expect(query.stderr).toBe('')
      expect(query.code).toBe(0)
      expect(JSON.parse(query.stdout)).toEqual([{ views: '1' }])
      const status = await runCli(['--data-dir', dataDir, 'status'])
      expect(status.code).toBe(0)
      expect(status.stdout).toMatch(new RegExp(`^warehouse: server ${serve.url} \\(ClickHouse 26\\.`))
      // They authenticated as the directory's owner, with the key from the 0600 info file.
      expect(serve.stderr()).toMatch(/user=polyhouse_owner SELECT 200/)
    } finally {
      expect(await serve.stop()).toBe(130)
    }
    expect(fs.existsSync(serveInfoPath(dataDir))).toBe(false)
    const direct = await runCli(['--data-dir', dataDir, 'query', 'SELECT 1 AS one', '--format', 'json'])
    expect(direct.code).toBe(0)
    expect(JSON.parse(direct.stdout)).toEqual([{ one: 1 }])
  })

  it('backfills the chain through the serving process: its rows arrive as written, whatever the body bound', {
    timeout: 300_000,
  }, async () => {
    const sim = await startSimulator({
      seed: 'served-chain',
      markets: 100,
      wallets: 20,
      fills: 2_000,
      blocks: 20_000,
      rateLimits: false,
      latency: { baseMs: 1, jitterMs: 1 },
    })
    const dataDir = path.join(tempDir(), 'warehouse')
    // Batches far over this bound: polyhouse's own inserts are files in the directory, not bodies.
    const serve = await spawnServe([
      '--data-dir',
      dataDir,
      'serve',
      '--port',
      '0',
      '--max-body-bytes',
      '4096',
    ])
    try {
      const env = { ...sim.env, POLYHOUSE_RATE: 'rpc=2000/s' }
      const backfill = await runCli(
        ['--data-dir', dataDir, 'backfill', '--steps', 'chain', '--confirmations', '0'],
        env,
      )
      expect(backfill.stderr).not.toContain('ERROR')
      expect(backfill.code).toBe(0)
      // The chain step's inserts went to the serving process as the directory's owner.
      expect(serve.stderr()).toMatch(/user=polyhouse_owner INSERT 200/)
      // Every fill, every column, as the simulator made it.
      const query = await runCli([
        '--data-dir',
        dataDir,
        'query',
        `SELECT concat_ws('|', toString(block_number), toString(log_index), tx_hash, block_hash, toString(toUnixTimestamp(block_time)),
                exchange, toString(exchange_version), order_hash, maker, taker, toString(side), toString(token_id),
                toString(maker_amount_filled), toString(taker_amount_filled), toString(fee)) AS line
         FROM chain_fills FINAL ORDER BY block_number, log_index`,
        '--format',
        'json',
      ])
      expect(query.stderr).toBe('')
      const lines = (JSON.parse(query.stdout) as { line: string }[]).map((row) => row.line)
      expect(lines).toHaveLength(sim.truth.summary().chain.fills)
      expect(lines).toEqual(truthLines(sim))
    } finally {
      expect(await serve.stop()).toBe(130)
      await sim.close()
    }
    // The staged files were read and removed.
    expect(fs.readdirSync(path.join(dataDir, INSERT_STAGING_DIR))).toEqual([])
  })

  it('still reports a held directory when its holder is not serving', async () => {
    const dataDir = path.join(tempDir(), 'warehouse')
    // A process that opens the directory and serves nothing, as a plain backfill does.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const { Session } = require('chdb'); new Session(${JSON.stringify(dataDir)}); console.log('open'); setInterval(() => {}, 1000)`,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    )
    try {
      await new Promise((resolve) => holder.stdout?.once('data', resolve))
      const result = await runCli(['--data-dir', dataDir, 'status'])
      expect(result.code).toBe(1)
      expect(result.stderr).toMatch(new RegExp(`held by another polyhouse process \\(pid ${holder.pid}\\)`))
    } finally {
      holder.kill('SIGKILL')
    }
  })
})
