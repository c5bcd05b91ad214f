// The analysts of bench/serve-under-backfill.ts, in a process of their own: N concurrent ClickHouse
// clients each look up random wallets in a view, one query after another, until stdin closes. Then
// the in-flight queries finish and one JSON line goes to stdout: every query's start time, latency
// and row count, the errors, and this process's CPU time. A separate process so the analysts' own
// work (HTTP, JSON parsing) does not slow the simulator's event loop in the parent, as analysts on
// another machine would not; they still share the machine's cores with the backfill, as they would
// on a one-box install.
//
// --hostile: N readers that try to hurt the serving process instead (hostile-readers.ts): the
// reported answers are then counted by kind and HTTP status.
//
//   npx tsx bench/analyst-crowd.ts --url http://127.0.0.1:8123 --wallets-file wallets.json [--analysts 20] [--hostile [--kinds burner,hog]]
//   (started by bench/serve-under-backfill.ts; close its stdin to stop it)
import fs from 'node:fs'
import { parseArgs } from 'node:util'
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from '@clickhouse/client'
import { type HostileResult, hostileReader, readerKinds } from './shared/hostile-readers.ts'

const { values: flags } = parseArgs({
  options: {
    url: { type: 'string' },
    'wallets-file': { type: 'string' },
    analysts: { type: 'string', default: '20' },
    view: { type: 'string', default: 'vw_trades_unified' },
    user: { type: 'string', default: 'default' },
    password: { type: 'string', default: '' },
    hostile: { type: 'boolean', default: false },
    kinds: { type: 'string' },
  },
})
if (!flags.url || (!flags['wallets-file'] && !flags.hostile))
  throw new Error('--url and --wallets-file (or --hostile) are required')
const url = flags.url
const view = flags.view
const wallets: string[] = flags['wallets-file']
  ? JSON.parse(fs.readFileSync(flags['wallets-file'], 'utf8'))
  : []
if (wallets.length === 0 && !flags.hostile) throw new Error(`${flags['wallets-file']} lists no wallets`)

/** The lookups of bench/serve-analysts.ts: a wallet's trades by source, then its latest trades. */
const LOOKUPS = [
  `SELECT source, count() AS trades, sum(shares) AS shares, min(time) AS first, max(time) AS last
   FROM ${view} WHERE wallet = {wallet:String} GROUP BY source ORDER BY source`,
  `SELECT * FROM ${view} WHERE wallet = {wallet:String} ORDER BY time DESC LIMIT 100`,
]

/** One answered query: [start, epoch ms; latency, ms; rows returned]. */
export type Sample = [number, number, number]
export interface CrowdResult {
  samples: Sample[]
  errors: { at: number; message: string }[]
  cpuSeconds: number
  /** --hostile: answers by reader kind and HTTP status (0: the connection was cut). */
  outcomes?: Record<string, Record<string, number>>
}

let stopping = false
process.stdin.on('close', () => {
  stopping = true
})
process.stdin.resume()

async function analyst(): Promise<Pick<CrowdResult, 'samples' | 'errors'>> {
  const client: ClickHouseClient = createClient({
    url,
    username: flags.user,
    password: flags.password,
    log: { level: ClickHouseLogLevel.OFF },
  })
  const samples: Sample[] = []
  const errors: CrowdResult['errors'] = []
  try {
    for (let i = 0; !stopping; i++) {
      const wallet = wallets[Math.floor(Math.random() * wallets.length)]
      const at = Date.now()
      const started = performance.now()
      try {
        const result = await client.query({
          query: LOOKUPS[i % LOOKUPS.length] as string,
          query_params: { wallet },
          format: 'JSONEachRow',
        })
        const rows = await result.json()
        samples.push([at, performance.now() - started, rows.length])
      } catch (error) {
        errors.push({ at, message: (error as Error).message.split('\n')[0] as string })
      }
    }
  } finally {
    await client.close()
  }
  return { samples, errors }
}

const readers = Array.from({ length: Number(flags.analysts) }, (_, i) =>
  flags.hostile ? hostileReader(i, url, () => stopping, readerKinds(flags.kinds)) : analyst(),
)
const crowd = await Promise.all(readers)
const cpu = process.cpuUsage()
const outcomes: Record<string, Record<string, number>> = {}
for (const one of crowd) {
  const counted = (one as Partial<HostileResult>).outcomes ?? {}
  for (const [kind, statuses] of Object.entries(counted)) {
    const into = outcomes[kind] ?? {}
    for (const [status, count] of Object.entries(statuses)) into[status] = (into[status] ?? 0) + count
    outcomes[kind] = into
  }
}
const result: CrowdResult = {
  samples: crowd.flatMap((one) => one.samples),
  errors: crowd.flatMap((one) => one.errors),
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
  ...(flags.hostile ? { outcomes } : {}),
}
process.stdout.write(`${JSON.stringify(result)}\n`)
