// `polyhouse status` tells the truth: after a backfill of the markets and wallets steps against the
// simulator with schema drift and server errors, every figure it prints agrees with the simulator's
// ground truth and with the tables; --stale, --since and --watch (through `polyhouse serve`) work as
// an operator would use them.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Simulator, startSimulator } from '../../simulator/index.ts'
import { BIN, ROOT, runCli } from '../helpers/cli.ts'
import { spawnServe } from '../helpers/serve.ts'
import { tempDir } from '../helpers/warehouse.ts'

const FAULTS = '5xx=0.03,drift=0.02'

describe('polyhouse status after a simulated backfill', () => {
  let sim: Simulator
  let env: NodeJS.ProcessEnv
  let dataDir: string
  let runId: string

  beforeAll(async () => {
    sim = await startSimulator({
      seed: 'status',
      markets: 300,
      wallets: 30,
      fills: 3_000,
      blocks: 30_000,
      faults: FAULTS,
      rateLimits: false,
      latency: { baseMs: 2, jitterMs: 2 },
    })
    const walletsFile = path.join(tempDir(), 'wallets.txt')
    fs.writeFileSync(walletsFile, sim.truth.wallets().join('\n'))
    dataDir = path.join(tempDir(), 'warehouse')
    env = { ...sim.env, POLYHOUSE_RATE: 'gamma=400/s,data-api=400/s' }
    const backfill = await runCli(
      ['--data-dir', dataDir, 'backfill', '--steps', 'markets,wallets', '--wallets', walletsFile],
      env,
    )
    expect(backfill.code).toBe(0)
    runId = /backfill complete \(run ([\w-]+)\)/.exec(backfill.stdout)?.[1] ?? ''
    expect(runId).not.toBe('')
  }, 300_000)
  afterAll(async () => {
    await sim?.close()
  })

  async function query<T>(sql: string, ...params: string[]): Promise<T[]> {
    const args = ['--data-dir', dataDir, 'query', sql, '--format', 'json']
    for (const param of params) args.push('--param', param)
    const result = await runCli(args)
    expect(result.code).toBe(0)
    return JSON.parse(result.stdout) as T[]
  }

  it('agrees with the simulator and the tables (--json)', { timeout: 120_000 }, async () => {
    const result = await runCli(['--data-dir', dataDir, 'status', '--json'], env)
    expect(result.code).toBe(0)
    const status = JSON.parse(result.stdout)
    const summary = sim.truth.summary()
    const markets = [...sim.truth.markets()]
    const kept = markets.filter((market) => !market.drifted)
    const positions = sim.truth.wallets().flatMap((wallet) => sim.truth.positions(wallet))
    const table = (name: string) => status.tables.find((entry: { name: string }) => entry.name === name)?.rows

    // Each step, done/total.
    expect(status.steps.markets.partitions.done).toBe(status.steps.markets.partitions.total)
    expect(status.steps.markets.partitions.walking).toBe(0)
    expect(status.steps.markets.markets).toBe(kept.length)
    expect(status.steps.markets.events).toBe(summary.events.count - summary.events.drifted)
    expect(status.steps.markets.tokens).toBe(
      kept.reduce((sum, market) => sum + market.clobTokenIds.length, 0),
    )
    expect(status.steps.markets.missingTokens).toBe(0)
    expect(status.steps.wallets).toMatchObject({
      known: summary.wallets,
      fetched: summary.wallets,
      neverFetched: 0,
      unseenOnChain: 0,
      stale: 0,
      remaining: 0,
      etaSeconds: 0,
    })
    // The chain step did not run: nothing recorded, and the span to the simulator's tip is all to do.
    expect(status.steps.chain).toMatchObject({ started: false, covered: 0, gapCount: 0 })
    expect(status.steps.chain.tip).toMatchObject({ known: true, tip: summary.chain.tip })
    expect(status.steps.views.applied).toBe(status.steps.views.total)

    // Rows per table: as queries see them.
    expect(table('markets')).toBe(kept.length)
    expect(table('positions')).toBe(positions.filter((position) => !position.drifted).length)
    const names = ['markets', 'events', 'market_tokens', 'positions', 'wallets', 'etl_quarantine']
    const counted = await query<{ name: string; n: string }>(
      names
        .map((name) => `SELECT '${name}' AS name, toString(count()) AS n FROM ${name} FINAL`)
        .join(' UNION ALL '),
    )
    expect(counted).toHaveLength(names.length)
    for (const row of counted) expect(table(row.name), row.name).toBe(Number(row.n))

    // The last run and its outcome.
    expect(status.lastRun).toMatchObject({ runId, command: 'backfill', status: 'succeeded' })
    expect(status.lastRun.counts['markets.rows']).toBeGreaterThan(0)
    expect(status.lastRun.counts['wallets.rows']).toBe(
      positions.filter((position) => !position.drifted).length,
    )

    // Errors of that run, and quarantined records per stream.
    const [errors] = await query<{ n: string }>(
      'SELECT toString(count()) AS n FROM etl_errors WHERE run_id = {run:String}',
      `run=${runId}`,
    )
    expect(status.errors.scope).toBe(`run ${runId}`)
    expect(status.errors.total).toBe(Number(errors?.n))
    const quarantine = Object.fromEntries(
      status.quarantine.map((entry: { stream: string; records: number }) => [entry.stream, entry.records]),
    )
    expect(quarantine).toEqual({
      markets: summary.markets.drifted,
      events: summary.events.drifted,
      positions: positions.filter((position) => position.drifted).length,
    })
    expect(summary.markets.drifted + summary.events.drifted).toBeGreaterThan(0)
    expect(sim.stats().totals.faults).toBeGreaterThan(0)

    // No orphans: the simulator's orphan markets were completed from their events.
    expect(summary.markets.orphans).toBeGreaterThan(0)
    expect(status.orphans).toEqual({ count: 0, byReason: {}, markets: [] })
    expect(status.views.filter((view: { state: string }) => view.state !== 'applied')).toEqual([])
  })

  it('prints the morning read as text', { timeout: 60_000 }, async () => {
    const result = await runCli(['--data-dir', dataDir, 'status'], env)
    expect(result.code).toBe(0)
    const kept = [...sim.truth.markets()].filter((market) => !market.drifted).length
    expect(result.stdout).toMatch(/^warehouse: embedded /)
    expect(result.stdout).toContain(`last run: backfill succeeded · started `)
    expect(result.stdout).toMatch(
      new RegExp(`\\n  markets   (\\d+)/\\1 keyset partitions walked · ${kept} markets, `),
    )
    expect(result.stdout).toContain('  wallets   30/30 fetched · 0 never fetched')
    expect(result.stdout).toContain('  chain     not started: no block range recorded')
    expect(result.stdout).toContain('orphan markets: none')
    expect(result.stdout).toMatch(/quarantined: events \d+ \(\d+ by the last run\), markets \d+/)
  })

  it('counts wallets older than --stale, and errors --since', { timeout: 60_000 }, async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_100))
    const result = await runCli(['--data-dir', dataDir, 'status', '--json', '--stale', '1s', '--since', '1d'])
    expect(result.code).toBe(0)
    const status = JSON.parse(result.stdout)
    expect(status.steps.wallets).toMatchObject({ stale: 30, staleAfterMs: 1_000 })
    expect(status.errors.scope).toMatch(/^since \d{4}-\d\d-\d\dT/)
    // Offline (no POLYGON_RPC_URL), the chain's tip is unknown and says why.
    expect(status.steps.chain.tip).toEqual({ known: false, reason: 'POLYGON_RPC_URL is not set' })

    const bad = await runCli(['--data-dir', dataDir, 'status', '--stale', '7x'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toBe(
      'polyhouse: --stale 7x is not a duration; give a number and a unit (w, d, h, m, s), e.g. --stale 7d or --stale 12h\n',
    )
  })

  it('--watch refreshes through a serving process until Ctrl-C', { timeout: 120_000 }, async () => {
    const serve = await spawnServe(['--data-dir', dataDir, 'serve', '--port', '0'])
    try {
      const child = spawn(
        process.execPath,
        [BIN, '--data-dir', dataDir, 'status', '--watch', '--json', '--interval', '0.5'],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      )
      let stdout = ''
      let stderr = ''
      child.stderr.on('data', (chunk) => {
        stderr += chunk
      })
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk) => {
          stdout += chunk
          if (stdout.split('\n').length > 2) resolve()
        })
        void exited.then((code) => reject(new Error(`status --watch exited with ${code}: ${stderr}`)))
      })
      child.kill('SIGINT')
      expect(await exited).toBe(0)
      const refreshes = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line))
      expect(refreshes.length).toBeGreaterThanOrEqual(2)
      for (const status of refreshes) {
        expect(status.warehouse).toMatchObject({ kind: 'server', location: serve.url })
        expect(status.steps.wallets.fetched).toBe(30)
      }
      expect(refreshes[1].generatedAt > refreshes[0].generatedAt).toBe(true)
    } finally {
      expect(await serve.stop()).toBe(130)
    }
  })
})
