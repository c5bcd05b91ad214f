// Hostile readers against a serving process: slow queries must not stall the process's own writer
// or polyhouse's own commands, and clients that trickle, hoard connections or stop reading are cut
// off instead of holding what others need.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { ClickHouseLogLevel, createClient } from '@clickhouse/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OWNER_USER } from '../../load/serve/auth.ts'
import { readServeInfo } from '../../load/serve/info.ts'
import {
  EngineLanes,
  enginePoolSize,
  LIBUV_DEFAULT_POOL_SIZE,
  maxAnalystSlots,
} from '../../load/serve/lanes.ts'
import type { QueryLogEntry, ServeOptions } from '../../load/serve/options.ts'
import { type RunningServer, startServer } from '../../load/serve/server.ts'
import type { Warehouse } from '../../load/warehouse.ts'
import { BIN, cleanEnv, ROOT } from '../helpers/cli.ts'
import { openTempWarehouse, tempDir } from '../helpers/warehouse.ts'

/** The query that froze a backfill: one row every half second, no output until the sum. */
const SLEEPER = 'SELECT sum(sleepEachRow(0.5)) FROM numbers(20)'
const SLEEPER_SETTINGS = 'function_sleep_max_microseconds_per_block=0&max_block_size=1'

let warehouse: Warehouse
let dataDir: string
const servers: RunningServer[] = []

async function serve(options: ServeOptions = {}): Promise<RunningServer> {
  const server = await startServer(warehouse, { port: 0, ...options })
  servers.push(server)
  return server
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The nice value of each thread of this process (the engine's among them): field 19 of its stat. */
function threadNiceValues(): number[] {
  return fs.readdirSync('/proc/self/task').flatMap((thread) => {
    try {
      const stat = fs.readFileSync(`/proc/self/task/${thread}/stat`, 'utf8')
      return [Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])]
    } catch {
      return [] // the thread ended while we looked
    }
  })
}

/** Whether this process holds CAP_SYS_NICE (capability 23), which the engine needs to renice. */
function mayRenice(): boolean {
  const effective = /^CapEff:\s*([0-9a-f]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1]
  return effective !== undefined && (BigInt(`0x${effective}`) & (1n << 23n)) !== 0n
}

beforeAll(async () => {
  dataDir = path.join(tempDir(), 'warehouse')
  warehouse = await openTempWarehouse(dataDir)
  await warehouse.command('CREATE TABLE progress (n UInt32) ENGINE = MergeTree ORDER BY n')
})

afterAll(async () => {
  for (const server of servers) await server.close()
  await warehouse?.close()
})

describe('polyhouse serve under hostile readers', () => {
  it('keeps the writer inserting and polyhouse answering while readers hold slow queries', {
    timeout: 60_000,
  }, async () => {
    const server = await serve({ queueWaitS: 2 })
    const leave = new AbortController()
    // More slow readers than libuv has threads (4 unless UV_THREADPOOL_SIZE says otherwise).
    const readers = Array.from({ length: 6 }, () =>
      fetch(`${server.url}/?${SLEEPER_SETTINGS}`, { method: 'POST', body: SLEEPER, signal: leave.signal })
        .then(async (response) => ({ status: response.status, text: await response.text() }))
        .catch(() => ({ status: 0, text: 'left' })),
    )
    await sleep(500)
    try {
      // The writer: one insert after another for three seconds, while the readers sleep for ten.
      let inserts = 0
      const until = Date.now() + 3_000
      while (Date.now() < until) await warehouse.insert('progress', [{ n: inserts++ }])
      expect(inserts).toBeGreaterThan(10)

      // polyhouse's own commands (status, query) reach the engine through a slot kept for them.
      const info = readServeInfo(dataDir)
      const owner = createClient({
        url: info?.url,
        username: OWNER_USER,
        password: info?.key,
        log: { level: ClickHouseLogLevel.OFF },
      })
      const asked = Date.now()
      const counted = await owner.query({ query: 'SELECT count() AS n FROM progress', format: 'JSONEachRow' })
      expect((await counted.json<{ n: number }>()).map((row) => Number(row.n))).toEqual([inserts])
      expect(Date.now() - asked).toBeLessThan(4_000)
      await owner.close()

      // Another analyst waits for a slot, then hears 503 — after the queue wait, not the slow queries.
      const waited = Date.now()
      const refused = await fetch(server.url, { method: 'POST', body: 'SELECT 1' })
      expect(refused.status).toBe(503)
      expect(refused.headers.get('retry-after')).toBe('1')
      expect(await refused.text()).toMatch(/^Code: 202\. DB::Exception: Too many simultaneous queries/)
      expect(Date.now() - waited).toBeLessThan(5_000)
    } finally {
      leave.abort()
    }
    // The slow readers beyond the analysts' slots heard 503 too.
    const outcomes = await Promise.all(readers)
    const slots = maxAnalystSlots(enginePoolSize())
    expect(outcomes.filter((outcome) => outcome.status === 503).length).toBeGreaterThanOrEqual(6 - slots)
  })

  it('runs an analyst’s query on threads niced below the writer’s, where the process may renice', {
    timeout: 30_000,
  }, async () => {
    const server = await serve()
    // A CPU-bound scan for three seconds (the time limit ends it).
    const scan = fetch(`${server.url}/?max_execution_time=3`, {
      method: 'POST',
      body: 'SELECT count() FROM numbers(100000000000000) WHERE sipHash64(number) % 7 = 3',
    }).then((response) => response.text())
    await sleep(1_000)
    const during = threadNiceValues()
    expect(await scan).toMatch(/TIMEOUT_EXCEEDED/)
    await sleep(300)
    // The engine renices only with CAP_SYS_NICE (root, or granted); without it nothing changes.
    if (mayRenice()) expect(during).toContain(19)
    else expect(during).not.toContain(19)
    // Its threads are put back once the query is done: the writer's work runs on them next.
    expect(threadNiceValues()).not.toContain(19)
  })

  it('cuts off a client that trickles its headers, with 408', async () => {
    const server = await serve({ headersTimeoutMs: 1_000 })
    const socket = net.connect(server.port, '127.0.0.1')
    let received = ''
    socket.on('data', (chunk) => {
      received += chunk
    })
    const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now())))
    socket.on('error', () => {})
    const started = Date.now()
    socket.write('POST / HTTP/1.1\r\nHost: localhost\r\n')
    const trickle = setInterval(() => socket.write('X-Slow: 1\r\n'), 200)
    const at = await Promise.race([closed, sleep(8_000).then(() => undefined)])
    clearInterval(trickle)
    socket.destroy()
    expect(at).toBeDefined()
    expect((at as number) - started).toBeLessThan(6_000)
    expect(received).toMatch(/^HTTP\/1\.1 408/)
  })

  it('closes connections past --max-connections at once, and takes new ones when some close', async () => {
    const server = await serve({ maxConnections: 2 })
    const open = (): Promise<net.Socket> =>
      new Promise((resolve) => {
        const socket = net.connect(server.port, '127.0.0.1', () => resolve(socket))
        socket.on('error', () => {})
      })
    const held = [await open(), await open()]
    await sleep(100)
    const extra = await open()
    const closed = await Promise.race([
      new Promise<boolean>((resolve) => extra.on('close', () => resolve(true))),
      sleep(3_000).then(() => false),
    ])
    expect(closed).toBe(true)
    for (const socket of held) socket.destroy()
    await sleep(200)
    const answer = await fetch(server.url, { method: 'POST', body: 'SELECT 1' })
    expect(await answer.text()).toBe('1\n')
  })

  it('cuts off a reader that stops reading, and frees its slot for the next', {
    timeout: 30_000,
  }, async () => {
    const logged: QueryLogEntry[] = []
    const server = await serve({
      sendStallTimeoutMs: 1_000,
      maxRunningQueries: 1,
      queueWaitS: 1,
      onQuery: (entry) => logged.push(entry),
    })
    // About 1 GB streamed: far beyond what the socket buffers hold, and never read.
    const sql = 'SELECT repeat(toString(number % 10), 100) FROM numbers(10000000) FORMAT TabSeparated'
    const socket = net.connect(server.port, '127.0.0.1')
    socket.on('error', () => {})
    socket.pause()
    socket.write(
      `POST /?query_id=stalled HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${Buffer.byteLength(sql)}\r\n\r\n${sql}`,
    )
    let entry: QueryLogEntry | undefined
    for (let i = 0; i < 100 && !entry; i++) {
      await sleep(100)
      entry = logged.find((logged) => logged.queryId === 'stalled')
    }
    socket.destroy()
    expect(entry).toBeDefined()
    expect(entry?.elapsedMs).toBeLessThan(10_000)
    // The one analyst slot is free again.
    const next = await fetch(server.url, { method: 'POST', body: 'SELECT 1' })
    expect(await next.text()).toBe('1\n')
  })
})

describe('polyhouse serve when callers leave', () => {
  it('stops a slow query whose caller left, and gives its slot to the next', {
    timeout: 30_000,
  }, async () => {
    const server = await serve({ maxRunningQueries: 1, queueWaitS: 4 })
    const leave = new AbortController()
    const slow = fetch(`${server.url}/?${SLEEPER_SETTINGS}`, {
      method: 'POST',
      body: SLEEPER,
      signal: leave.signal,
    }).catch(() => undefined)
    await sleep(1_000)
    leave.abort()
    await slow
    // The sleeper had 9 s to go; the one analyst slot is free within the 4 s queue wait.
    const next = await fetch(server.url, { method: 'POST', body: 'SELECT 1' })
    expect(next.status).toBe(200)
    expect(await next.text()).toBe('1\n')
  })

  it('lets `polyhouse serve` exit soon after a signal while a slow query runs', {
    timeout: 60_000,
  }, async () => {
    const child = spawn(
      process.execPath,
      [BIN, '--data-dir', path.join(tempDir(), 'warehouse'), 'serve', '--port', '0', '--quiet'],
      { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    )
    const exited = new Promise<number>((resolve) => child.on('exit', () => resolve(Date.now())))
    let stdout = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    for (let i = 0; i < 600 && !stdout.includes('\n'); i++) await sleep(50)
    const url = stdout.trim()
    expect(url).toMatch(/^http:\/\//)
    // Twenty seconds of sleep, no answer until the end.
    const slow = fetch(`${url}/?${SLEEPER_SETTINGS}`, {
      method: 'POST',
      body: 'SELECT sum(sleepEachRow(0.5)) FROM numbers(40)',
    }).catch(() => undefined)
    await sleep(1_500)
    const signalled = Date.now()
    child.kill('SIGTERM')
    // Five seconds of grace for running queries, then the slow one is stopped rather than waited for.
    expect((await exited) - signalled).toBeLessThan(12_000)
    await slow
  })
})

describe('EngineLanes', () => {
  const never = new AbortController().signal

  it('gives polyhouse’s own commands a slot while analysts wait, and analysts theirs in turn', async () => {
    const lanes = new EngineLanes(2, 1, 5_000)
    const firstAnalyst = await lanes.acquire(false, never)
    let secondAnalyst: (() => void) | undefined
    const waiting = lanes.acquire(false, never).then((release) => {
      secondAnalyst = release
    })
    const owner = await lanes.acquire(true, never)
    await sleep(10)
    expect(secondAnalyst).toBeUndefined()
    firstAnalyst()
    await waiting
    expect(secondAnalyst).toBeDefined()
    owner()
    secondAnalyst?.()
  })

  it('answers 503 after the queue wait, and forgets a caller who left', async () => {
    const lanes = new EngineLanes(2, 1, 100)
    const held = await lanes.acquire(false, never)
    await expect(lanes.acquire(false, never)).rejects.toMatchObject({ code: 202, status: 503 })
    const leaving = new AbortController()
    const left = lanes.acquire(false, leaving.signal)
    leaving.abort()
    await expect(left).rejects.toMatchObject({ code: 394 })
    held()
    // Nothing is left waiting: the slot goes to the next caller at once.
    const next = await lanes.acquire(false, never)
    next()
  })

  it('reads the pool size as libuv does', () => {
    expect(enginePoolSize({})).toBe(LIBUV_DEFAULT_POOL_SIZE)
    expect(enginePoolSize({ UV_THREADPOOL_SIZE: '16' })).toBe(16)
    expect(enginePoolSize({ UV_THREADPOOL_SIZE: '8 threads' })).toBe(8)
    expect(enginePoolSize({ UV_THREADPOOL_SIZE: '0' })).toBe(1)
    expect(enginePoolSize({ UV_THREADPOOL_SIZE: 'many' })).toBe(1)
    expect(enginePoolSize({ UV_THREADPOOL_SIZE: '5000' })).toBe(1024)
  })
})
