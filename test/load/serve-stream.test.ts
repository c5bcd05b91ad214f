// Streaming, measured on the server alone: `polyhouse serve` in its own process sends 1,000,000
// JSONEachRow rows (about 240 MB) to @clickhouse/client while its resident memory grows by a
// fraction of that, because rows go out chunk by chunk as the engine produces them.
import fs from 'node:fs'
import path from 'node:path'
import { ClickHouseLogLevel, createClient } from '@clickhouse/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OWNER_USER } from '../../load/serve/auth.ts'
import { readServeInfo } from '../../load/serve/info.ts'
import { type ServeProcess, spawnServe } from '../helpers/serve.ts'
import { tempDir } from '../helpers/warehouse.ts'

const ROWS = 1_000_000
/** A row is ~240 bytes of JSON; the whole result ~240 MB. Buffering it would need at least that. */
const PAD = 200
const MAX_RSS_GROWTH_BYTES = 100 * 1024 ** 2

let serve: ServeProcess
let dataDir: string

function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) * 1024
}

beforeAll(async () => {
  dataDir = path.join(tempDir(), 'warehouse')
  serve = await spawnServe(['--data-dir', dataDir, 'serve', '--port', '0', '--quiet'])
  // The data goes in through the owner key, as polyhouse's own commands would write it.
  const info = readServeInfo(dataDir)
  const owner = createClient({
    url: info?.url,
    username: OWNER_USER,
    password: info?.key,
    log: { level: ClickHouseLogLevel.OFF },
  })
  await owner.command({
    query: 'CREATE TABLE wide_trades (n UInt64, wallet String, pad String) ENGINE = MergeTree ORDER BY n',
  })
  await owner.command({
    query: `INSERT INTO wide_trades SELECT number, toString(number), repeat('x', ${PAD}) FROM numbers(${ROWS})`,
  })
  await owner.close()
})

afterAll(async () => {
  expect(await serve?.stop()).toBe(130)
})

describe('polyhouse serve streaming', () => {
  it(`streams ${ROWS.toLocaleString('en-US')} JSONEachRow rows with bounded server memory`, async () => {
    const pid = serve.child.pid as number
    const analyst = createClient({ url: serve.url, log: { level: ClickHouseLogLevel.OFF } })
    await (await analyst.query({ query: 'SELECT 1' })).text()
    const before = rssOf(pid)
    let peak = before
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssOf(pid))
    }, 10)
    let rows = 0
    let bytes = 0
    const started = performance.now()
    try {
      const result = await analyst.query({ query: 'SELECT * FROM wide_trades', format: 'JSONEachRow' })
      for await (const batch of result.stream()) {
        for (const row of batch) {
          rows++
          bytes += row.text.length + 1
        }
      }
    } finally {
      clearInterval(sampler)
      await analyst.close()
    }
    const seconds = (performance.now() - started) / 1000
    const growth = peak - before
    console.log(
      `streamed ${rows} rows, ${(bytes / 1e6).toFixed(0)} MB in ${seconds.toFixed(2)} s; server RSS ${(before / 1e6).toFixed(0)} MB -> peak ${(peak / 1e6).toFixed(0)} MB (growth ${(growth / 1e6).toFixed(0)} MB)`,
    )
    expect(rows).toBe(ROWS)
    expect(bytes).toBeGreaterThan(2 * MAX_RSS_GROWTH_BYTES)
    expect(growth).toBeLessThan(MAX_RSS_GROWTH_BYTES)
  })
})
