// Stopping what the README tells an operator to start: `nohup npx polyhouse backfill > log 2>&1 &`,
// then `kill $!` — a pid that is npx's, not polyhouse's. Whatever reaches npx (SIGTERM, which npx
// passes to a shell that dies of it, or SIGKILL), polyhouse stops within 5 s as on SIGTERM: its
// checkpoints committed, exit code 130 recorded, no process left holding the warehouse, and the next
// command opens it. `serve` and `sync` exit 130 when interrupted, also early in their start.
import { type ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Simulator, startSimulator } from '../../simulator/index.ts'
import { BIN, cleanEnv, ROOT, runCli } from '../helpers/cli.ts'
import { processesMentioning, waitFor } from '../helpers/processes.ts'
import { spawnServe } from '../helpers/serve.ts'
import { tempDir } from '../helpers/warehouse.ts'

/** The promise: a stop takes at most 5 s. */
const STOP_WITHIN_MS = 5_000

describe('stopping what an operator started', () => {
  let sim: Simulator
  let env: NodeJS.ProcessEnv
  beforeAll(async () => {
    // A slow Gamma (latency, and 3 requests/s a family for the step's 344 keyset partitions)
    // makes the markets step take about a minute, so the kill lands mid-run.
    sim = await startSimulator({
      seed: 'lifecycle',
      markets: 1_500,
      wallets: 20,
      fills: 500,
      latency: { baseMs: 60, jitterMs: 20 },
    })
    env = { ...sim.env, POLYHOUSE_RATE: 'gamma=3/s' }
  })
  /** Data directories of the runs started here: whatever still mentions one is killed at the end. */
  const started: string[] = []
  afterAll(async () => {
    for (const dataDir of started)
      for (const { pid } of processesMentioning(dataDir)) process.kill(pid, 'SIGKILL')
    await sim?.close()
  })

  /** The README's recipe: npx in the background, its output to a log file; the pid is npx's. */
  function startWithNpx(dataDir: string) {
    const log = path.join(path.dirname(dataDir), 'backfill.log')
    const out = fs.openSync(log, 'w')
    const child = spawn('npx', ['polyhouse', '--data-dir', dataDir, 'backfill', '--steps', 'markets'], {
      cwd: ROOT,
      env: {
        ...cleanEnv(),
        ...env,
        // npx's own cache in a temporary directory, offline: nothing read from the user's ~/.npm.
        npm_config_cache: path.join(tempDir(), 'npm-cache'),
        npm_config_offline: 'true',
        npm_config_update_notifier: 'false',
      },
      stdio: ['ignore', out, out],
    })
    fs.closeSync(out)
    return { npx: child, log: () => fs.readFileSync(log, 'utf8') }
  }

  async function killNpxMidRun(signal: NodeJS.Signals) {
    const dataDir = path.join(tempDir(), 'warehouse')
    started.push(dataDir)
    const run = startWithNpx(dataDir)
    expect(await waitFor(() => run.log().includes('markets: started'), 120_000), run.log()).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    // npx, the shell it runs the bin with, and polyhouse itself.
    expect(processesMentioning(dataDir).length).toBeGreaterThanOrEqual(2)
    const sent = Date.now()
    process.kill(run.npx.pid as number, signal)
    const stopped = await waitFor(() => processesMentioning(dataDir).length === 0, 30_000)
    const tookMs = Date.now() - sent
    return { dataDir, run, stopped, tookMs }
  }

  /** What the next command finds: the warehouse opens, the run was interrupted, polyhouse exited 130. */
  async function expectCleanlyStopped(dataDir: string) {
    const status = await runCli(['--data-dir', dataDir, 'status', '--json'])
    expect(status.code, status.stderr).toBe(0)
    const { process: owner, lastRun } = JSON.parse(status.stdout)
    expect(owner).toMatchObject({ state: 'ended', exitCode: 130 })
    expect(lastRun.status).toBe('interrupted')
  }

  it('kill <npx pid> (SIGTERM) stops polyhouse within 5 s, its work committed', {
    timeout: 300_000,
  }, async () => {
    const { dataDir, run, stopped, tookMs } = await killNpxMidRun('SIGTERM')
    expect(stopped, JSON.stringify(processesMentioning(dataDir))).toBe(true)
    expect(tookMs).toBeLessThan(STOP_WITHIN_MS)
    expect(run.log()).toMatch(/its launcher \(npm exec, pid \d+\) has exited: stopping as on SIGTERM/)
    expect(run.log()).toMatch(/interrupted: committed work is kept; run the same command to resume/)
    expect(run.log()).not.toMatch(/backfill complete/)
    await expectCleanlyStopped(dataDir)
  })

  it('a polyhouse whose launcher died (kill -9 <npx pid>) stops itself', { timeout: 300_000 }, async () => {
    const { dataDir, run, stopped, tookMs } = await killNpxMidRun('SIGKILL')
    // npx's shell outlives a SIGKILLed npx: it ends when polyhouse does.
    expect(stopped, JSON.stringify(processesMentioning(dataDir))).toBe(true)
    expect(tookMs).toBeLessThan(STOP_WITHIN_MS)
    expect(run.log()).toMatch(/its launcher \(npm exec, pid \d+\) has exited: stopping as on SIGTERM/)
    expect(run.log()).toMatch(/interrupted: committed work is kept/)
    await expectCleanlyStopped(dataDir)
  })

  it('serve exits 130 on SIGTERM and on SIGINT', { timeout: 120_000 }, async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const serve = await spawnServe([
        '--data-dir',
        path.join(tempDir(), 'warehouse'),
        'serve',
        '--port',
        '0',
      ])
      const exit = new Promise<number | null>((resolve) => serve.child.once('exit', (code) => resolve(code)))
      serve.child.kill(signal)
      expect(await exit, signal).toBe(130)
    }
  })

  it('sync exits 130 when interrupted while it starts (opening and migrating the warehouse)', {
    timeout: 120_000,
  }, async () => {
    const dataDir = path.join(tempDir(), 'warehouse')
    const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, 'sync'], {
      cwd: ROOT,
      env: { ...cleanEnv(), ...env },
      stdio: 'ignore',
    })
    const exit = exitOf(child)
    // chDB writes its lock file when it opens the directory; migrations follow, then the pollers.
    expect(await waitFor(() => fs.existsSync(path.join(dataDir, 'status')), 60_000)).toBe(true)
    child.kill('SIGTERM')
    expect(await exit).toBe(130)
    const next = await runCli(['--data-dir', dataDir, 'query', 'SELECT 1 AS one', '--format', 'json'])
    expect(next.code, next.stderr).toBe(0)
  })
})

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)))
}
