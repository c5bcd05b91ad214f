// Analysts query the warehouse while the overnight backfill writes it: `backfill --serve` shares the
// embedded directory over ClickHouse's HTTP interface, read-only, and other polyhouse commands
// reach it through the serving process instead of failing on the held directory.
import { spawn } from 'node:child_process'
import path from 'node:path'
import { ClickHouseLogLevel, createClient } from '@clickhouse/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OWNER_USER } from '../../load/serve/auth.ts'
import { readServeInfo } from '../../load/serve/info.ts'
import { type Simulator, startSimulator } from '../../simulator/index.ts'
import { BIN, ROOT, runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/warehouse.ts'

describe('backfill --serve', () => {
  let sim: Simulator
  beforeAll(async () => {
    sim = await startSimulator({
      seed: 'serve',
      markets: 1_500,
      wallets: 20,
      fills: 500,
      latency: { baseMs: 40, jitterMs: 20 },
    })
  })
  afterAll(async () => {
    await sim?.close()
  })

  it('answers analysts while it runs, refuses their writes, and lets polyhouse query through it', {
    timeout: 300_000,
  }, async () => {
    const dataDir = path.join(tempDir(), 'warehouse')
    const child = spawn(
      process.execPath,
      [BIN, '--data-dir', dataDir, 'backfill', '--steps', 'markets', '--serve', '0'],
      // Gamma at 6 requests/s, so that the backfill (and its server) outlasts the analysts' queries.
      {
        cwd: ROOT,
        env: { ...process.env, ...sim.env, POLYHOUSE_RATE: 'gamma=6/s' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
    })
    child.stderr.on('data', (chunk) => {
      output += chunk
    })
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve))
    let url: string | undefined
    for (let i = 0; i < 600 && !url; i++) {
      url = /serving .* read-only at (http:\/\/\S+)/.exec(output)?.[1]
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(url).toBeDefined()

    const client = createClient({ url, log: { level: ClickHouseLogLevel.OFF } })
    const counts: number[] = []
    try {
      // Twenty analysts at once, a few rounds, while pages are being committed.
      for (let round = 0; round < 3; round++) {
        const answers = await Promise.all(
          Array.from({ length: 20 }, () =>
            client
              .query({
                query: 'SELECT count() AS n FROM markets WHERE market_id > {min:UInt64}',
                query_params: { min: 0 },
                format: 'JSONEachRow',
              })
              .then((result) => result.json<{ n: string }>()),
          ),
        )
        counts.push(...answers.map((rows) => Number(rows[0]?.n)))
      }
      const write = await client.command({ query: 'DROP TABLE markets' }).catch((error: unknown) => error)
      expect((write as { code?: string }).code).toBe('164')
      // polyhouse itself goes through the serving process.
      const viaServer = await runCli(['--data-dir', dataDir, 'query', 'SELECT 1 AS one', '--format', 'json'])
      expect(viaServer.stderr).toBe('')
      expect(JSON.parse(viaServer.stdout)).toEqual([{ one: 1 }])
    } finally {
      await client.close()
    }
    expect(counts).toHaveLength(60)
    expect(await exit).toBe(0)
    expect(output).toMatch(/backfill complete/)
    const final = await runCli([
      '--data-dir',
      dataDir,
      'query',
      'SELECT count() AS n FROM markets FINAL',
      '--format',
      'json',
    ])
    expect(Number(JSON.parse(final.stdout)[0].n)).toBe(sim.truth.summary().markets.count)
    // Every one of the 60 concurrent queries answered with a count.
    expect(counts.every((n) => Number.isInteger(n) && n >= 0)).toBe(true)
  })

  it('keeps committing, and lets polyhouse in, while hostile readers hold slow queries', {
    timeout: 300_000,
  }, async () => {
    const dataDir = path.join(tempDir(), 'warehouse')
    const child = spawn(
      process.execPath,
      [BIN, '--data-dir', dataDir, 'backfill', '--steps', 'markets', '--serve', '0'],
      // Gamma at 6 requests/s: the markets step lasts well past the readers' first minute.
      {
        cwd: ROOT,
        env: { ...process.env, ...sim.env, POLYHOUSE_RATE: 'gamma=6/s' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
    })
    child.stderr.on('data', (chunk) => {
      output += chunk
    })
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve))
    let url: string | undefined
    for (let i = 0; i < 600 && !url; i++) {
      url = /serving .* read-only at (http:\/\/\S+)/.exec(output)?.[1]
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(url).toBeDefined()

    // Eight readers in the query that froze a backfill (four were enough): 200 s each, no answer
    // until the end. Those past the analysts' slots wait, then hear 503.
    const leave = new AbortController()
    const hostile = Array.from({ length: 8 }, () =>
      fetch(`${url}/?function_sleep_max_microseconds_per_block=0&max_block_size=1`, {
        method: 'POST',
        body: 'SELECT sum(sleepEachRow(0.5)) FROM numbers(400)',
        signal: leave.signal,
      })
        .then((response) => response.status)
        .catch(() => 0),
    )
    // polyhouse's own view of the progress (what `status` reads), sampled while they run.
    const info = readServeInfo(dataDir)
    const owner = createClient({
      url: info?.url,
      username: OWNER_USER,
      password: info?.key,
      log: { level: ClickHouseLogLevel.OFF },
    })
    const samples: { at: number; markets: number }[] = []
    const started = Date.now()
    let exited = false
    void exit.then(() => {
      exited = true
    })
    // `polyhouse status` as an operator runs it, while the readers sleep (it took 2.5 min once).
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    const statusAsked = Date.now()
    const status = runCli(['--data-dir', dataDir, 'status']).then((result) => ({
      ...result,
      seconds: (Date.now() - statusAsked) / 1000,
      duringBackfill: !exited,
    }))
    try {
      while (!exited && Date.now() - started < 15_000) {
        const result = await owner
          .query({ query: 'SELECT count() AS n FROM markets', format: 'JSONEachRow' })
          .then((answer) => answer.json<{ n: string }>())
          .catch(() => undefined)
        if (result) samples.push({ at: Date.now() - started, markets: Number(result[0]?.n) })
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
      // Status answered while the backfill ran and the readers slept, in seconds, not minutes.
      const shown = await status
      expect(shown.code, shown.stderr).toBe(0)
      expect(shown.stdout).toMatch(/markets/)
      expect(shown.duringBackfill).toBe(true)
      expect(shown.seconds).toBeLessThan(30)
    } finally {
      leave.abort()
      await owner.close()
    }
    // Answered all along (no gap near the readers' 20 s), and the rows kept coming.
    const gaps = samples.slice(1).map((sample, i) => sample.at - (samples[i] as { at: number }).at)
    expect(samples.length).toBeGreaterThan(5)
    expect(Math.max(...gaps)).toBeLessThan(5_000)
    const counts = samples.map((sample) => sample.markets)
    expect(new Set(counts).size).toBeGreaterThan(2)
    expect(await exit).toBe(0)
    expect(output).toMatch(/backfill complete/)
    // The readers that found no slot heard 503 instead of waiting it out.
    expect((await Promise.all(hostile)).filter((status) => status === 503).length).toBeGreaterThan(0)
  })
})
