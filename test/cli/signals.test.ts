// What an operator's signals do to a running backfill: SIGTERM stops it within seconds with exit
// code 130 and its checkpoints committed, so the next run continues instead of starting over;
// SIGHUP (a closed terminal under nohup) changes nothing.
import { spawn } from 'node:child_process'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Simulator, startSimulator } from '../../simulator/index.ts'
import { BIN, ROOT, runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/warehouse.ts'

/** The promise: SIGTERM mid-run exits within 5 s. */
const EXIT_WITHIN_MS = 5_000

describe('signals during a backfill', () => {
  let sim: Simulator
  let env: NodeJS.ProcessEnv
  beforeAll(async () => {
    // Latency makes the markets step take several seconds, so a signal lands mid-run.
    sim = await startSimulator({
      seed: 'signals',
      markets: 1_500,
      wallets: 20,
      fills: 500,
      latency: { baseMs: 60, jitterMs: 20 },
    })
    env = { ...sim.env }
  })
  afterAll(async () => {
    await sim?.close()
  })

  function start(dataDir: string) {
    const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, 'backfill', '--steps', 'markets'], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
    })
    child.stderr.on('data', (chunk) => {
      output += chunk
    })
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    return { child, exit, output: () => output }
  }

  async function untilOutput(run: ReturnType<typeof start>, text: string): Promise<void> {
    for (let i = 0; i < 600 && !run.output().includes(text); i++)
      await new Promise((resolve) => setTimeout(resolve, 50))
  }

  it('SIGTERM exits 130 within 5 s, and the next run continues from the checkpoints', {
    timeout: 300_000,
  }, async () => {
    // What a whole uninterrupted run asks of the simulator, to compare the resumed run with.
    const fullFrom = sim.stats().totals.requests
    expect(
      (await runCli(['--data-dir', path.join(tempDir(), 'warehouse'), 'backfill', '--steps', 'markets'], env))
        .code,
    ).toBe(0)
    const fullRequests = sim.stats().totals.requests - fullFrom

    const dataDir = path.join(tempDir(), 'warehouse')
    const run = start(dataDir)
    await untilOutput(run, 'markets: started')
    await new Promise((resolve) => setTimeout(resolve, 2_500))
    const sent = Date.now()
    run.child.kill('SIGTERM')
    const code = await run.exit
    const tookMs = Date.now() - sent
    expect(code).toBe(130)
    expect(tookMs).toBeLessThan(EXIT_WITHIN_MS)
    expect(run.output()).toMatch(/SIGTERM: finishing in-flight units and committing checkpoints/)
    expect(run.output()).toMatch(/interrupted: committed work is kept; run the same command to resume/)

    const runs = await runCli([
      '--data-dir',
      dataDir,
      'query',
      'SELECT status FROM etl_runs FINAL',
      '--format',
      'json',
    ])
    expect(JSON.parse(runs.stdout)).toEqual([{ status: 'interrupted' }])
    const done = await runCli([
      '--data-dir',
      dataDir,
      'query',
      "SELECT count() AS n FROM etl_checkpoints FINAL WHERE kind = 'done'",
      '--format',
      'json',
    ])
    const doneBefore = Number(JSON.parse(done.stdout)[0].n)
    expect(doneBefore).toBeGreaterThan(0)

    // The second run finishes, fetching only what the first did not commit.
    const resumedFrom = sim.stats().totals.requests
    const resumed = await runCli(['--data-dir', dataDir, 'backfill', '--steps', 'markets'], env)
    expect(resumed.code).toBe(0)
    const resumedRequests = sim.stats().totals.requests - resumedFrom
    const [row] = JSON.parse(
      (
        await runCli([
          '--data-dir',
          dataDir,
          'query',
          'SELECT count() AS n FROM markets FINAL',
          '--format',
          'json',
        ])
      ).stdout,
    )
    expect(Number(row.n)).toBe(sim.truth.summary().markets.count)
    // The partitions the first run finished are not walked again.
    expect(resumedRequests).toBeLessThanOrEqual(fullRequests - doneBefore)
  })

  it('ignores SIGHUP', { timeout: 300_000 }, async () => {
    const run = start(path.join(tempDir(), 'warehouse'))
    await untilOutput(run, 'markets: started')
    run.child.kill('SIGHUP')
    expect(await run.exit).toBe(0)
    expect(run.output()).toMatch(/backfill complete/)
  })
})
