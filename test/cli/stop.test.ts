// `polyhouse stop` ends the process holding an embedded warehouse and says how it ended; `status`
// says which process holds it (pid, command, since) and tells a live one from the stale record a
// killed one leaves.
import { type ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type Simulator, startSimulator } from '../../simulator/index.ts'
import { BIN, cleanEnv, ROOT, runCli } from '../helpers/cli.ts'
import { waitFor } from '../helpers/processes.ts'
import { tempDir } from '../helpers/warehouse.ts'

/** The promise: a stop takes at most 5 s. */
const STOP_WITHIN_S = 5

describe('polyhouse stop, and the process status shows', () => {
  let sim: Simulator
  let env: NodeJS.ProcessEnv
  beforeAll(async () => {
    // A slow Gamma (latency, and 3 requests/s a family for the step's 344 keyset partitions)
    // makes the markets step take about a minute, so the stop lands mid-run.
    sim = await startSimulator({
      seed: 'stop',
      markets: 1_500,
      wallets: 20,
      fills: 500,
      latency: { baseMs: 60, jitterMs: 20 },
    })
    env = { ...sim.env, POLYHOUSE_RATE: 'gamma=3/s' }
  })
  afterAll(async () => {
    await sim?.close()
  })

  const running: ChildProcess[] = []
  afterEach(() => {
    for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
  })

  function startBackfill(dataDir: string, ...extra: string[]) {
    const child = spawn(
      process.execPath,
      [BIN, '--data-dir', dataDir, 'backfill', '--steps', 'markets', ...extra],
      {
        cwd: ROOT,
        env: { ...cleanEnv(), ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    running.push(child)
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
    })
    child.stderr.on('data', (chunk) => {
      output += chunk
    })
    return { child, exit: exitOf(child), output: () => output }
  }

  async function midRun(run: ReturnType<typeof startBackfill>): Promise<void> {
    expect(await waitFor(() => run.output().includes('markets: started'), 120_000), run.output()).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 1_500))
  }

  it('stops a running backfill: it commits, exits 130 within 5 s, and stop says so', {
    timeout: 300_000,
  }, async () => {
    const dataDir = path.join(tempDir(), 'warehouse')
    const run = startBackfill(dataDir)
    await midRun(run)
    const pid = run.child.pid as number

    // Held without --serve, the warehouse cannot be read; who holds it can.
    const held = await runCli(['--data-dir', dataDir, 'status'])
    expect(held.code).toBe(1)
    expect(held.stdout).toMatch(
      new RegExp(
        `^process: RUNNING pid ${pid} since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC \\(.+ ago\\) · polyhouse --data-dir ${dataDir} backfill --steps markets`,
      ),
    )
    expect(held.stderr).toMatch(new RegExp(`is held by another polyhouse process \\(pid ${pid}\\)`))

    const stop = await runCli(['stop', '--data-dir', dataDir])
    expect(stop.code, stop.stderr).toBe(0)
    expect(stop.stderr, stop.stdout).toMatch(
      new RegExp(`sent SIGTERM to pid ${pid} \\(polyhouse --data-dir .* backfill`),
    )
    const ended = new RegExp(
      `^stopped pid ${pid} after (\\d+\\.\\d) s: exit code 130 \\(interrupted; committed work is kept, the same command resumes\\)\\n$`,
    ).exec(stop.stdout)
    expect(ended, stop.stdout).not.toBeNull()
    expect(Number(ended?.[1])).toBeLessThan(STOP_WITHIN_S)
    expect(await run.exit).toBe(130)
    expect(run.output()).toMatch(/SIGTERM: finishing in-flight units and committing checkpoints/)

    const again = await runCli(['stop', '--data-dir', dataDir])
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(
      new RegExp(
        `^nothing to stop: no process holds ${dataDir} \\(the last, pid ${pid}, polyhouse --data-dir .* backfill --steps markets, exited 130 at `,
      ),
    )
    const done = await runCli([
      '--data-dir',
      dataDir,
      'query',
      "SELECT count() AS n FROM etl_checkpoints FINAL WHERE kind = 'done'",
      '--format',
      'json',
    ])
    expect(done.code, done.stderr).toBe(0)
    expect(Number(JSON.parse(done.stdout)[0].n)).toBeGreaterThan(0)
  })

  it('status shows the running process, then the stale record kill -9 leaves', {
    timeout: 300_000,
  }, async () => {
    const dataDir = path.join(tempDir(), 'warehouse')
    // Served, the warehouse is readable while the backfill holds it.
    const run = startBackfill(dataDir, '--serve', '0')
    await midRun(run)
    const pid = run.child.pid as number
    const command = `polyhouse --data-dir ${dataDir} backfill --steps markets --serve 0`

    const live = await runCli(['--data-dir', dataDir, 'status'])
    expect(live.code, live.stderr).toBe(0)
    expect(live.stdout.split('\n')[1]).toMatch(
      new RegExp(
        `^process: RUNNING pid ${pid} since .+ UTC \\(.+ ago\\) · ${command} · polyhouse stop ends it$`,
      ),
    )
    const json = await runCli(['--data-dir', dataDir, 'status', '--json'])
    expect(JSON.parse(json.stdout).process).toMatchObject({ state: 'running', pid, command })

    run.child.kill('SIGKILL')
    await run.exit
    // stop reads the record without opening the warehouse, so status still finds it stale after.
    const stop = await runCli(['stop', '--data-dir', dataDir])
    expect(stop.code).toBe(0)
    expect(stop.stdout).toMatch(
      new RegExp(`^nothing to stop: no process holds .*the record of pid ${pid}, ${command}, is stale`),
    )
    const stale = await runCli(['--data-dir', dataDir, 'status'])
    expect(stale.code, stale.stderr).toBe(0)
    expect(stale.stdout.split('\n')[1]).toMatch(
      new RegExp(`^process: none running; the record of pid ${pid} \\(${command}, since .+\\) is STALE`),
    )
  })

  it('kills a holder that ignores SIGTERM after --timeout, and exits 1', { timeout: 120_000 }, async () => {
    const dataDir = path.join(tempDir(), 'warehouse')
    const holder = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'test/helpers/hold-warehouse.ts'), dataDir],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    )
    const killedBy = new Promise<NodeJS.Signals | null>((resolve) =>
      holder.once('exit', (_code, signal) => resolve(signal)),
    )
    let said = ''
    holder.stdout.on('data', (chunk) => {
      said += chunk
    })
    try {
      expect(await waitFor(() => said.includes('holding'), 60_000)).toBe(true)

      const stop = await runCli(['--data-dir', dataDir, 'stop', '--timeout', '2'])
      expect(stop.code).toBe(1)
      expect(stop.stderr).toMatch(
        new RegExp(`pid ${holder.pid} did not stop within 2\\.\\d s; sending SIGKILL`),
      )
      expect(stop.stdout).toMatch(
        new RegExp(`^pid ${holder.pid} did not stop on SIGTERM; killed with SIGKILL after \\d+\\.\\d s`),
      )
      expect(await killedBy).toBe('SIGKILL')
    } finally {
      holder.kill('SIGKILL') // it ignores SIGTERM, and would outlive a failed test
    }
  })

  it('refuses bad usage with exit 2, and finds nothing to stop where nothing runs', async () => {
    const dataDir = path.join(tempDir(), 'warehouse')
    const badTimeout = await runCli(['--data-dir', dataDir, 'stop', '--timeout', 'soon'])
    expect(badTimeout.code).toBe(2)
    expect(badTimeout.stderr).toBe(
      'polyhouse: --timeout soon is not a number of seconds; e.g. --timeout 30\n',
    )
    const server = await runCli(['stop'], { CLICKHOUSE_URL: 'http://127.0.0.1:1' })
    expect(server.code).toBe(2)
    expect(server.stderr).toMatch(
      /^polyhouse: polyhouse stop stops the process holding an embedded warehouse, and CLICKHOUSE_URL points at a server/,
    )
    const nothing = await runCli(['--data-dir', dataDir, 'stop'])
    expect(nothing.code).toBe(0)
    expect(nothing.stdout).toBe(`nothing to stop: no process holds ${dataDir}\n`)
    expect(fs.existsSync(dataDir)).toBe(false)
  })
})

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)))
}
