// Analysts on `polyhouse serve`: N concurrent ClickHouse clients (20 by default, the issue's
// scenario) each look up random wallets in a trades view; prints p50/p95/max latency, queries per
// second, errors, and the server's peak RSS. Never fails on timing.
//
//   npx tsx bench/serve-analysts.ts                       synthetic trades view in a fresh warehouse
//   npx tsx bench/serve-analysts.ts --threadpool 16       the same, serve started with UV_THREADPOOL_SIZE=16
//   npx tsx bench/serve-analysts.ts --url http://127.0.0.1:8123 --view vw_trades_unified
//                                                         against a running server (e.g. backfill --serve)
//
// Without --view, the warehouse gets a synthetic vw_bench_trades: a UNION ALL of a chain-trades
// table and an API-positions table, both ordered by wallet, with vw_trades_unified's column names
// (wallet, source, shares, price, time), so the same lookups run on either.
import { type ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from '@clickhouse/client'
import { OWNER_USER } from '../load/serve/auth.ts'
import { readServeInfo } from '../load/serve/info.ts'
import { machineLine, vmHwmKiB } from './machine.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const { values: flags } = parseArgs({
  options: {
    analysts: { type: 'string', default: '20' },
    queries: { type: 'string', default: '50' },
    wallets: { type: 'string', default: '20000' },
    trades: { type: 'string', default: '2000000' },
    view: { type: 'string' },
    url: { type: 'string' },
    user: { type: 'string', default: 'default' },
    password: { type: 'string', default: '' },
    'data-dir': { type: 'string' },
    threadpool: { type: 'string' },
  },
})
const ANALYSTS = Number(flags.analysts)
const QUERIES = Number(flags.queries)
const quiet = { level: ClickHouseLogLevel.OFF }

let serveProcess: ChildProcess | undefined
let url = flags.url
if (!url) {
  const dataDir =
    flags['data-dir'] ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'polyhouse-bench-')), 'warehouse')
  const env = { ...process.env, ...(flags.threadpool ? { UV_THREADPOOL_SIZE: flags.threadpool } : {}) }
  serveProcess = spawn(
    process.execPath,
    [path.join(ROOT, 'bin/polyhouse.js'), '--data-dir', dataDir, 'serve', '--port', '0', '--quiet'],
    {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  url = await new Promise<string>((resolve) =>
    serveProcess?.stdout?.once('data', (chunk) => resolve(String(chunk).split('\n')[0] as string)),
  )
  if (!flags.view) await createSyntheticView(dataDir)
}
const view = flags.view ?? 'vw_bench_trades'

const probe = createClient({ url, username: flags.user, password: flags.password, log: quiet })
const wallets = (
  await (
    await probe.query({
      query: `SELECT DISTINCT wallet FROM ${view} LIMIT 100000`,
      format: 'JSONCompactEachRow',
    })
  ).json<[string]>()
).map(([wallet]) => wallet)
const [{ rows } = { rows: '0' }] = await (
  await probe.query({ query: `SELECT toString(count()) AS rows FROM ${view}`, format: 'JSONEachRow' })
).json<{ rows: string }>()
await probe.close()
if (wallets.length === 0) throw new Error(`${view} has no wallets`)

/** What an analyst asks of a wallet: its trades by source, then its latest trades. */
const LOOKUPS = [
  `SELECT source, count() AS trades, sum(shares) AS shares, min(time) AS first, max(time) AS last
   FROM ${view} WHERE wallet = {wallet:String} GROUP BY source ORDER BY source`,
  `SELECT * FROM ${view} WHERE wallet = {wallet:String} ORDER BY time DESC LIMIT 100`,
]

async function analyst(queries: number): Promise<{ latencies: number[]; errors: string[] }> {
  const client: ClickHouseClient = createClient({
    url,
    username: flags.user,
    password: flags.password,
    log: quiet,
  })
  const latencies: number[] = []
  const errors: string[] = []
  try {
    for (let i = 0; i < queries; i++) {
      const wallet = wallets[Math.floor(Math.random() * wallets.length)]
      const started = performance.now()
      try {
        const result = await client.query({
          query: LOOKUPS[i % LOOKUPS.length] as string,
          query_params: { wallet },
          format: 'JSONEachRow',
        })
        await result.json()
        latencies.push(performance.now() - started)
      } catch (error) {
        errors.push((error as Error).message.split('\n')[0] as string)
      }
    }
  } finally {
    await client.close()
  }
  return { latencies, errors }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}

function report(label: string, results: { latencies: number[]; errors: string[] }[], wallMs: number): void {
  const latencies = results.flatMap((result) => result.latencies).sort((a, b) => a - b)
  const errors = results.flatMap((result) => result.errors)
  console.log(
    `${label}: ${latencies.length} ok, ${errors.length} errors; p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, max ${(latencies.at(-1) ?? Number.NaN).toFixed(1)} ms; ${((latencies.length / wallMs) * 1000).toFixed(0)} queries/s`,
  )
  for (const message of [...new Set(errors)].slice(0, 3)) console.log(`  error: ${message}`)
}

console.log(machineLine())
console.log(
  `server: ${url} (${serveProcess ? `polyhouse serve, UV_THREADPOOL_SIZE=${flags.threadpool ?? 'unset (libuv default 4)'}` : 'given'}); view ${view}: ${Number(rows).toLocaleString('en-US')} rows, ${wallets.length.toLocaleString('en-US')} wallets sampled`,
)
await analyst(10) // warm-up: first queries pay for loading marks and parts
let started = performance.now()
report('1 analyst', [await analyst(QUERIES)], performance.now() - started)
started = performance.now()
const crowd = await Promise.all(Array.from({ length: ANALYSTS }, () => analyst(QUERIES)))
report(`${ANALYSTS} concurrent analysts x ${QUERIES} queries`, crowd, performance.now() - started)
if (serveProcess?.pid) {
  console.log(`serve peak RSS (VmHWM): ${((vmHwmKiB(serveProcess.pid) ?? Number.NaN) / 1024).toFixed(0)} MiB`)
  serveProcess.kill('SIGINT')
}

/** Two source tables and a UNION ALL view over them, written through the owner key of the info file. */
async function createSyntheticView(dataDir: string): Promise<void> {
  const info = readServeInfo(dataDir)
  if (!info) throw new Error(`no serve info file in ${dataDir}`)
  const owner = createClient({
    url: info.url,
    username: OWNER_USER,
    password: info.key,
    log: quiet,
    request_timeout: 600_000,
  })
  const walletCount = Number(flags.wallets)
  const trades = Number(flags.trades)
  const wallet = `concat('0x', lower(hex(cityHash64(number % ${walletCount}))), lower(hex(cityHash64(number % ${walletCount}, 1))), '00000000')`
  const statements = [
    `CREATE TABLE bench_chain_trades (wallet String, condition_id String, outcome String, side Enum8('BUY' = 1, 'SELL' = 2),
       shares Decimal(18, 6), price Decimal(18, 6), ts DateTime('UTC')) ENGINE = MergeTree ORDER BY (wallet, ts)`,
    `INSERT INTO bench_chain_trades SELECT ${wallet}, lower(hex(cityHash64(number % 5000))), if(number % 2, 'Yes', 'No'),
       if(number % 3 = 0, 'SELL', 'BUY'), toDecimal64(number % 100000, 6) / 1000, toDecimal64(number % 1000, 6) / 1000,
       toDateTime('2024-01-01 00:00:00', 'UTC') + number * 13 FROM numbers(${trades})`,
    `CREATE TABLE bench_api_positions (wallet String, condition_id String, outcome String, shares Decimal(18, 6),
       avg_price Decimal(18, 6), fetched_at DateTime('UTC')) ENGINE = MergeTree ORDER BY wallet`,
    `INSERT INTO bench_api_positions SELECT ${wallet}, lower(hex(cityHash64(number % 5000))), 'Yes',
       toDecimal64(number % 5000, 6), toDecimal64(number % 1000, 6) / 1000, toDateTime('2025-06-01 00:00:00', 'UTC')
       FROM numbers(${Math.round(trades / 10)})`,
    `CREATE VIEW vw_bench_trades AS
       SELECT wallet, condition_id, outcome, toString(side) AS side, shares, price, ts AS time, 'blockchain' AS source FROM bench_chain_trades
       UNION ALL
       SELECT wallet, condition_id, outcome, '' AS side, shares, avg_price AS price, fetched_at AS time, 'clob_api' AS source
       FROM bench_api_positions`,
  ]
  for (const query of statements) await owner.command({ query })
  await owner.close()
}
