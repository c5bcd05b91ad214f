// The bench harness: start the simulator at a chosen scale, run one polyhouse command
// against it as a child process (URLs in its env, a fresh POLYHOUSE_HOME), and print wall time,
// requests per endpoint, the rate-limit floor (requests ÷ allowed rate) and wall ÷ floor, rows
// per second when a row count is given, and the command's peak RSS. Never fails on timing.
//
//   npx tsx bench/harness.ts --markets 20000 --latency 100±50 --rows-sql 'SELECT count() FROM markets' -- backfill --steps markets
//
// Later benches import runBench/printBench and pass their own `rows` callback.
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { type SimulatorOptions, type StatsSnapshot, startSimulator } from '../simulator/index.ts'
import { machineLine, runMeasured } from './machine.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const BIN = path.join(ROOT, 'bin/polyhouse.js')

export interface BenchOptions {
  label?: string
  simulator: SimulatorOptions
  /** polyhouse arguments, e.g. ['backfill', '--steps', 'markets']. */
  command: string[]
  env?: NodeJS.ProcessEnv
  /** Rows the command put in the warehouse, counted after it exits (same env). */
  rows?: (env: NodeJS.ProcessEnv) => Promise<number>
  /** Keep the POLYHOUSE_HOME the command wrote (its path is printed). */
  keepHome?: boolean
  /** Echo the command's stderr while it runs. */
  echo?: boolean
}

export interface BucketFloor {
  bucket: string
  admitted: number
  limit: number
  windowMs: number
  /** admitted ÷ (limit per window): the least time those requests can take at the documented rate. */
  floorSeconds: number
}

export interface BenchResult {
  label: string
  code: number | null
  wallSeconds: number
  peakRssMiB: number | undefined
  rssMethod: string
  requests: Record<string, { requests: number; ok: number; rateLimited: number; faults: number }>
  floors: BucketFloor[]
  /** The binding bucket's floor (the largest), or undefined when no limited endpoint was used. */
  floorSeconds: number | undefined
  ratio: number | undefined
  rows: number | undefined
  rowsPerSecond: number | undefined
  home: string
  stats: StatsSnapshot
  stderrTail: string
}

export function rateFloors(stats: StatsSnapshot): BucketFloor[] {
  return Object.entries(stats.buckets)
    .filter(([, bucket]) => bucket.admitted > 0)
    .map(([name, bucket]) => ({
      bucket: name,
      admitted: bucket.admitted,
      limit: bucket.limit,
      windowMs: bucket.windowMs,
      floorSeconds: (bucket.admitted * bucket.windowMs) / bucket.limit / 1000,
    }))
    .sort((a, b) => b.floorSeconds - a.floorSeconds)
}

export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const sim = await startSimulator(options.simulator)
  const home = mkdtempSync(path.join(os.tmpdir(), 'polyhouse-bench-'))
  const env = { ...process.env, ...options.env, ...sim.env, POLYHOUSE_HOME: home }
  try {
    const run = await runMeasured(process.execPath, [BIN, ...options.command], env, options.echo)
    const stats = sim.stats()
    const floors = rateFloors(stats)
    const floorSeconds = floors[0]?.floorSeconds
    const wallSeconds = run.wallMs / 1000
    const rows = options.rows ? await options.rows(env) : undefined
    const requests: BenchResult['requests'] = {}
    for (const [endpoint, e] of Object.entries(stats.endpoints)) {
      requests[endpoint] = {
        requests: e.requests,
        ok: e.ok,
        rateLimited: e.rateLimited,
        faults: Object.values(e.faults).reduce((a, b) => a + b, 0),
      }
    }
    return {
      label: options.label ?? options.command.join(' '),
      code: run.code,
      wallSeconds,
      peakRssMiB: run.peakRssMiB,
      rssMethod: run.rssMethod,
      requests,
      floors,
      floorSeconds,
      ratio: floorSeconds ? wallSeconds / floorSeconds : undefined,
      rows,
      rowsPerSecond: rows === undefined ? undefined : rows / wallSeconds,
      home,
      stats,
      stderrTail: `${run.stdout}\n${run.stderr}`.trim().split('\n').slice(-8).join('\n'),
    }
  } finally {
    await sim.close()
    if (!options.keepHome) rmSync(home, { recursive: true, force: true })
  }
}

/** Counts rows with `polyhouse query <sql>` in the bench's env (the first number printed). */
export function countRowsWith(sql: string): (env: NodeJS.ProcessEnv) => Promise<number> {
  return async (env) => {
    const run = await runMeasured(process.execPath, [BIN, 'query', sql, '--format', 'tsv'], env)
    const match = /\d+/.exec(run.stdout)
    if (run.code !== 0 || !match)
      throw new Error(`row count query failed (${run.code}): ${run.stderr.trim()}`)
    return Number(match[0])
  }
}

const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits })

export function printBench(result: BenchResult): void {
  const lines = [
    `== ${result.label}`,
    machineLine(),
    `exit code: ${result.code}`,
    `wall: ${fmt(result.wallSeconds, 2)} s`,
  ]
  lines.push('requests per endpoint:')
  for (const [endpoint, r] of Object.entries(result.requests)) {
    lines.push(
      `  ${endpoint.padEnd(24)} ${fmt(r.requests, 0).padStart(9)} requests, ${fmt(r.ok, 0)} ok, ${fmt(r.rateLimited, 0)} rate-limited (429), ${fmt(r.faults, 0)} faults`,
    )
  }
  lines.push('rate-limit floor per bucket (admitted ÷ allowed rate):')
  for (const f of result.floors) {
    lines.push(
      `  ${f.bucket.padEnd(16)} ${fmt(f.admitted, 0).padStart(9)} admitted at ${f.limit}/${f.windowMs / 1000}s → ${fmt(f.floorSeconds, 2)} s`,
    )
  }
  if (result.floorSeconds !== undefined && result.ratio !== undefined) {
    lines.push(
      `floor: ${fmt(result.floorSeconds, 2)} s (${result.floors[0]?.bucket}); wall/floor: ${fmt(result.ratio, 3)}`,
    )
  } else lines.push('floor: none (no rate-limited endpoint was used)')
  if (result.rows !== undefined)
    lines.push(`rows: ${fmt(result.rows, 0)}; rows/s: ${fmt(result.rowsPerSecond ?? 0, 0)}`)
  lines.push(
    `peak RSS of the command: ${result.peakRssMiB === undefined ? 'n/a' : `${fmt(result.peakRssMiB)} MiB`} (${result.rssMethod})`,
  )
  if (result.code !== 0) lines.push(`output (tail):\n${result.stderrTail}`)
  process.stdout.write(`${lines.join('\n')}\n`)
}

/** `npx tsx bench/harness.ts [simulator flags] [--rows-sql SQL] [--keep] -- <polyhouse args>` */
async function main(argv: string[]): Promise<void> {
  const split = argv.indexOf('--')
  if (split < 0 || split === argv.length - 1) {
    process.stderr.write(
      'usage: npx tsx bench/harness.ts [--markets N --wallets N --fills N --blocks N --seed S --faults SPEC --latency 100±50 --rpc-limits P --rows-sql SQL --keep --echo] -- <polyhouse args>\n',
    )
    process.exitCode = 2
    return
  }
  const flags = argv.slice(0, split)
  const value = (name: string) => {
    const i = flags.indexOf(`--${name}`)
    return i >= 0 ? flags[i + 1] : undefined
  }
  const number = (name: string) => (value(name) === undefined ? undefined : Number(value(name)))
  const simulator: SimulatorOptions = {}
  for (const key of ['markets', 'wallets', 'fills', 'blocks'] as const)
    if (number(key) !== undefined) simulator[key] = number(key)
  if (value('seed')) simulator.seed = value('seed') as string
  if (value('faults')) simulator.faults = value('faults') as string
  if (value('latency')) simulator.latency = value('latency') as string
  if (value('rpc-limits')) simulator.rpcLimits = value('rpc-limits') as SimulatorOptions['rpcLimits']
  const rowsSql = value('rows-sql')
  const result = await runBench({
    simulator,
    command: argv.slice(split + 1),
    rows: rowsSql ? countRowsWith(rowsSql) : undefined,
    keepHome: flags.includes('--keep'),
    echo: flags.includes('--echo'),
  })
  printBench(result)
  if (flags.includes('--keep')) process.stdout.write(`POLYHOUSE_HOME kept at ${result.home}\n`)
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  await main(process.argv.slice(2))
