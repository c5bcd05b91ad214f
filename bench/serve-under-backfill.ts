// Analysts while the backfill writes: the simulator at a moderate scale, then
// `polyhouse backfill --serve 0` twice on the same world, each into a fresh home — once alone, once
// with 20 analysts (bench/analyst-crowd.ts, a process of its own) looking up random wallets of the
// simulator's truth in vw_trades_unified through the serve port, one query after another, from the
// moment the port answers until the last step (views, which writes no rows) starts. Prints per run
// the wall time, each step's duration and rows/s (from the backfill's timestamped progress lines),
// requests against the rate-limit floors, peak RSS and CPU time; the analysts' query count, errors,
// p50/p95/max latency overall, over non-empty answers and per step; and the ratio of throughput
// with/without the analysts. Never fails on timing: exits 1 only if an analyst query failed or a
// backfill exited non-zero.
//
// --readers hostile: the crowd tries to hurt the serving process instead (bench/shared/hostile-
// readers.ts: slow sleeping queries, CPU scans to the time limit, memory hogs, limit lifters, readers
// that stop reading, SYSTEM STOP MERGES); their answers are counted by kind and status, and the ratio
// is the backfill's throughput with them ÷ without them. In the mix a sleeper tends to hold the one
// analyst slot of a small box for its whole time limit; --kinds burner,hog keeps the slot on the CPU.
//
//   npx tsx bench/serve-under-backfill.ts [--markets 5000 --wallets 2000 --fills 200000 --blocks 1000000]
//        [--latency 20±10] [--analysts 20] [--readers analysts|hostile [--kinds burner,hog]] [--rate rpc=50/s]
//        [--steps markets,chain,wallets,views] [--first with]
//
// The steps are whatever `backfill` runs (today markets, chain, transfers, wallets, views); --steps
// picks some. Every wallet of the truth has fills, so an empty answer means its rows had not
// arrived yet: latency is reported over all answers and over the non-empty ones.
// Rate limits: the simulator enforces Polymarket's documented limits and polyhouse keeps to its own
// defaults, so the wallets step is bound by /positions (150 per 10 s, one request per wallet page).
// The chain and transfers steps read eth_getLogs at up to polyhouse's cautious RPC default (10/s,
// extract/http/rates.ts; the simulator sets no RPC limit), ~430 calls at the default scale, so they
// are not the long pole; --rate (POLYHOUSE_RATE) raises it. The default scale keeps both runs within
// ~15 minutes on a busy 2-core box: the markets step costs ~4 ms a market there (2–3× that under
// load), so 5,000 markets rather than 20,000; 2,000 wallets keep the wallets step at its floor.
// The machine is reported with its load average before and after each run: on a shared box the
// difference between runs can be the neighbours', so --first swaps the order to check.
import { type ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { type StatsSnapshot, startSimulator } from '../simulator/index.ts'
import type { CrowdResult, Sample } from './analyst-crowd.ts'
import { machineLine, vmHwmKiB } from './machine.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const BIN = path.join(ROOT, 'bin/polyhouse.js')
const CROWD = path.join(ROOT, 'bench/analyst-crowd.ts')
/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const CLOCK_TICKS_PER_SECOND = 100
/** How often the backfill's VmHWM and CPU time are read while it runs. */
const POLL_MS = 250

const { values: flags } = parseArgs({
  options: {
    markets: { type: 'string', default: '5000' },
    wallets: { type: 'string', default: '2000' },
    fills: { type: 'string', default: '200000' },
    blocks: { type: 'string', default: '1000000' },
    latency: { type: 'string', default: '20±10' },
    seed: { type: 'string', default: 'serve-under-backfill' },
    analysts: { type: 'string', default: '20' },
    view: { type: 'string', default: 'vw_trades_unified' },
    rate: { type: 'string' },
    steps: { type: 'string' },
    first: { type: 'string', default: 'without' },
    readers: { type: 'string', default: 'analysts' },
    kinds: { type: 'string' },
  },
})
const ANALYSTS = Number(flags.analysts)
if (flags.readers !== 'analysts' && flags.readers !== 'hostile')
  throw new Error(`--readers ${flags.readers}: use analysts or hostile`)
const HOSTILE = flags.readers === 'hostile'
const READERS = HOSTILE ? `${ANALYSTS} hostile readers` : `${ANALYSTS} analysts`

/** A step as the progress lines tell it: `<ISO> STEP: started` … `<ISO> STEP: done: N rows`. */
interface StepTiming {
  step: string
  startedAt: number
  endedAt?: number
  state?: string
  rows?: number
}

interface RunResult {
  label: string
  withAnalysts: boolean
  code: number | null
  wallSeconds: number
  steps: StepTiming[]
  peakRssMiB: number
  cpuSeconds: number
  loadBefore: number[]
  loadAfter: number[]
  requests: StatsSnapshot['buckets']
  rpcCalls: StatsSnapshot['rpcCalls']
  crowd?: CrowdResult
  crowdCode?: number | null
  tail: string[]
}

const STEP_LINE =
  /^(\d{4}-\d\d-\d\dT[\d:.]+Z) (?:WARN |ERROR )?(\w+): (started|done|finished with failures|stopped with work left|interrupted)(?:: ([\d,]+) rows)?/
const SERVE_LINE = /serving .* read-only at (http:\/\/\S+)/

const benchStarted = Date.now()
const sim = await startSimulator({
  seed: flags.seed,
  markets: Number(flags.markets),
  wallets: Number(flags.wallets),
  fills: Number(flags.fills),
  blocks: Number(flags.blocks),
  latency: flags.latency,
})
const walletsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'polyhouse-crowd-')), 'wallets.json')
fs.writeFileSync(walletsFile, JSON.stringify(sim.truth.wallets()))

console.log(machineLine())
console.log(
  `simulator: ${flags.markets} markets, ${flags.wallets} wallets, ${flags.fills} fills, ${flags.blocks} blocks, latency ${flags.latency}, documented rate limits on, no faults (ready in ${((Date.now() - benchStarted) / 1000).toFixed(1)} s)`,
)
console.log(
  `polyhouse rate limits: ${flags.rate ? `defaults with ${flags.rate}` : 'defaults (rpc 10/s, /positions 150/10s, …)'}; readers: ${HOSTILE ? `${READERS} (${flags.kinds ?? 'sleepers, CPU scans, memory hogs, limit lifters, stalled readers, SYSTEM'})` : `${READERS} on ${flags.view}, random wallets of the truth`}`,
)

const order = flags.first === 'with' ? [true, false] : [false, true]
const results: RunResult[] = []
for (const withAnalysts of order) results.push(await run(withAnalysts))
await sim.close()
fs.rmSync(path.dirname(walletsFile), { recursive: true, force: true })

for (const result of results) printRun(result)
const [alone, loaded] = [results.find((r) => !r.withAnalysts), results.find((r) => r.withAnalysts)] as [
  RunResult,
  RunResult,
]
printComparison(alone, loaded)
console.log(`\ntotal bench time ${((Date.now() - benchStarted) / 1000).toFixed(0)} s`)

// Hostile readers fail by design; their answers are counted, not errors.
const failedQueries = HOSTILE ? 0 : (loaded.crowd?.errors.length ?? 1)
const failed = results.some((r) => r.code !== 0) || failedQueries > 0 || loaded.crowdCode !== 0
if (failed) console.log('FAILED: a backfill exited non-zero or analyst queries failed')
process.exitCode = failed ? 1 : 0

/** One `backfill --serve 0` into a fresh home; with analysts, the crowd runs while it does. */
async function run(withAnalysts: boolean): Promise<RunResult> {
  const label = withAnalysts ? `with ${READERS}` : `without ${HOSTILE ? 'hostile readers' : 'analysts'}`
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'polyhouse-serve-bench-'))
  const env = {
    ...process.env,
    ...sim.env,
    POLYHOUSE_HOME: home,
    ...(flags.rate ? { POLYHOUSE_RATE: flags.rate } : {}),
  }
  process.stderr.write(`[${label}] backfill --serve 0 into ${home}\n`)
  const statsBefore = sim.stats()
  const loadBefore = os.loadavg()
  const started = performance.now()
  const args = [BIN, 'backfill', '--serve', '0', ...(flags.steps ? ['--steps', flags.steps] : [])]
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exit = new Promise<number | null>((resolve) => child.on('exit', resolve))
  let peakKiB = 0
  let cpuTicks = 0
  const poll = setInterval(() => {
    peakKiB = Math.max(peakKiB, vmHwmKiB(child.pid ?? -1) ?? 0)
    cpuTicks = Math.max(cpuTicks, cpuTicksOf(child.pid ?? -1) ?? 0)
  }, POLL_MS)

  const steps: StepTiming[] = []
  const tail: string[] = []
  let crowd:
    | { process: ChildProcess; result: Promise<{ result?: CrowdResult; code: number | null }> }
    | undefined
  const onLine = (line: string) => {
    tail.push(line)
    if (tail.length > 8) tail.shift()
    const served = SERVE_LINE.exec(line)
    if (served && withAnalysts) crowd = startCrowd(served[1] as string)
    const match = STEP_LINE.exec(line)
    if (!match) return
    const [, stamp, step, state, rows] = match as unknown as [string, string, string, string, string?]
    if (state === 'started') {
      steps.push({ step, startedAt: Date.parse(stamp) })
      // The views step writes no rows and is the last: the analysts stop here, while the port
      // still answers, so that no query races the server's shutdown at the end of the run.
      if (step === 'views') crowd?.process.stdin?.end()
      return
    }
    const timing = [...steps].reverse().find((s) => s.step === step)
    if (!timing) return
    timing.endedAt = Date.parse(stamp)
    timing.state = state
    timing.rows = rows === undefined ? undefined : Number(rows.replaceAll(',', ''))
  }
  readline.createInterface({ input: child.stdout }).on('line', onLine)
  readline.createInterface({ input: child.stderr }).on('line', onLine)

  const code = await exit
  clearInterval(poll)
  const wallSeconds = (performance.now() - started) / 1000
  // A backfill that died before the views step leaves the crowd running: stop it now.
  crowd?.process.stdin?.end()
  const answered = await crowd?.result
  // One simulator serves both runs: this run's requests are the difference.
  const statsAfter = sim.stats()
  const requests: StatsSnapshot['buckets'] = {}
  for (const [bucket, after] of Object.entries(statsAfter.buckets)) {
    const admitted = after.admitted - (statsBefore.buckets[bucket]?.admitted ?? 0)
    const rejected = after.rejected - (statsBefore.buckets[bucket]?.rejected ?? 0)
    if (admitted > 0) requests[bucket] = { ...after, admitted, rejected }
  }
  const rpcCalls: StatsSnapshot['rpcCalls'] = {}
  for (const [method, calls] of Object.entries(statsAfter.rpcCalls)) {
    const made = calls - (statsBefore.rpcCalls[method] ?? 0)
    if (made > 0) rpcCalls[method] = made
  }
  fs.rmSync(home, { recursive: true, force: true })
  return {
    label,
    withAnalysts,
    code,
    wallSeconds,
    steps,
    peakRssMiB: peakKiB / 1024,
    cpuSeconds: cpuTicks / CLOCK_TICKS_PER_SECOND,
    loadBefore,
    loadAfter: os.loadavg(),
    requests,
    rpcCalls,
    ...(answered ? { crowd: answered.result, crowdCode: answered.code } : {}),
    tail,
  }
}

function startCrowd(url: string) {
  const crowd = spawn(
    process.execPath,
    [
      ...process.execArgv,
      CROWD,
      '--url',
      url,
      '--wallets-file',
      walletsFile,
      '--analysts',
      String(ANALYSTS),
      '--view',
      flags.view,
      ...(HOSTILE ? ['--hostile', ...(flags.kinds ? ['--kinds', flags.kinds] : [])] : []),
    ],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
  )
  let stdout = ''
  crowd.stdout.on('data', (chunk) => {
    stdout += chunk
  })
  const result = new Promise<{ result?: CrowdResult; code: number | null }>((resolve) =>
    crowd.on('close', (code) =>
      resolve({ code, ...(code === 0 ? { result: JSON.parse(stdout) as CrowdResult } : {}) }),
    ),
  )
  return { process: crowd, result }
}

/** utime + stime of a live process, in clock ticks (all its threads); undefined once it is gone. */
function cpuTicksOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after "(comm) ": state is field 3, utime field 14, stime field 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(fields[11]) + Number(fields[12])
  } catch {
    return undefined
  }
}

function fmt(n: number, digits = 1): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits })
}

function load(average: number[]): string {
  return average.map((n) => n.toFixed(2)).join(' ')
}

function stepSeconds(s: StepTiming): number {
  return ((s.endedAt ?? s.startedAt) - s.startedAt) / 1000
}

function rowsTotal(r: RunResult): number {
  return r.steps.reduce((sum, s) => sum + (s.rows ?? 0), 0)
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}

function latencyLine(samples: Sample[]): string {
  const sorted = samples.map(([, latency]) => latency).sort((a, b) => a - b)
  if (sorted.length === 0) return '0 queries'
  return `${fmt(sorted.length, 0)} queries, p50 ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms, max ${(sorted.at(-1) as number).toFixed(1)} ms`
}

function printRun(r: RunResult): void {
  console.log(`\n== backfill --serve, ${r.label}`)
  console.log(
    `exit ${r.code}; wall ${r.wallSeconds.toFixed(1)} s; ${fmt(rowsTotal(r), 0)} rows, ${fmt(rowsTotal(r) / r.wallSeconds)} rows/s over the wall; peak RSS ${r.peakRssMiB.toFixed(0)} MiB; CPU ${r.cpuSeconds.toFixed(0)} s (${((100 * r.cpuSeconds) / r.wallSeconds).toFixed(0)}% of a core)`,
  )
  console.log(`load average (1, 5, 15 min) before ${load(r.loadBefore)}, after ${load(r.loadAfter)}`)
  for (const s of r.steps) {
    const seconds = stepSeconds(s)
    const rate = s.rows !== undefined && seconds > 0 ? `, ${fmt(s.rows / seconds)} rows/s` : ''
    console.log(
      `  ${s.step.padEnd(9)} ${seconds.toFixed(1).padStart(7)} s  ${s.state ?? 'unfinished'}: ${fmt(s.rows ?? 0, 0)} rows${rate}`,
    )
  }
  for (const [bucket, b] of Object.entries(r.requests)) {
    const floor = (b.admitted * b.windowMs) / b.limit / 1000
    console.log(
      `  requests ${bucket.padEnd(15)} ${fmt(b.admitted, 0).padStart(7)} admitted, ${fmt(b.rejected, 0)} rate-limited; floor ${floor.toFixed(0)} s at ${b.limit}/${b.windowMs / 1000}s`,
    )
  }
  const rpc = Object.entries(r.rpcCalls).map(([method, calls]) => `${method} ${fmt(calls, 0)}`)
  if (rpc.length) console.log(`  requests rpc (no simulator limit; polyhouse's own): ${rpc.join(', ')}`)
  if (r.code !== 0) for (const line of r.tail) console.log(`  | ${line}`)
  if (!r.withAnalysts) return
  if (!r.crowd) {
    console.log(
      `analysts: no results (the crowd ${r.crowdCode === undefined ? 'never started' : `exited ${r.crowdCode}`})`,
    )
    return
  }
  const { samples, errors, cpuSeconds, outcomes } = r.crowd
  if (outcomes) {
    console.log(`hostile readers: crowd process CPU ${cpuSeconds.toFixed(0)} s; answers by kind and status:`)
    for (const [kind, statuses] of Object.entries(outcomes)) {
      const counted = Object.entries(statuses).map(([status, count]) => `${status} ×${count}`)
      console.log(`  ${kind.padEnd(8)} ${counted.join(', ')}`)
    }
    return
  }
  const first = samples.reduce((min, [at]) => Math.min(min, at), Number.POSITIVE_INFINITY)
  const last = samples.reduce((max, [at, latency]) => Math.max(max, at + latency), first)
  const spanSeconds = samples.length ? (last - first) / 1000 : 0
  console.log(
    `analysts: ${fmt(samples.length + errors.length, 0)} queries over ${spanSeconds.toFixed(0)} s (${fmt(samples.length / Math.max(spanSeconds, 1))}/s), ${errors.length} errors; crowd process CPU ${cpuSeconds.toFixed(0)} s`,
  )
  console.log(`  all answers:        ${latencyLine(samples)}`)
  console.log(`  non-empty answers:  ${latencyLine(samples.filter(([, , rows]) => rows > 0))}`)
  console.log(`  empty answers:      ${latencyLine(samples.filter(([, , rows]) => rows === 0))}`)
  for (const s of r.steps) {
    const during = samples.filter(([at]) => at >= s.startedAt && at < (s.endedAt ?? Number.POSITIVE_INFINITY))
    if (during.length) console.log(`  during ${s.step.padEnd(11)} ${latencyLine(during)}`)
  }
  for (const message of [...new Set(errors.map((error) => error.message))].slice(0, 5))
    console.log(`  error: ${message}`)
}

function printComparison(alone: RunResult, loaded: RunResult): void {
  console.log(`\n== throughput with ${READERS} ÷ without (1.00 = unaffected; < 1 = slower under load)`)
  const aloneRate = rowsTotal(alone) / alone.wallSeconds
  const loadedRate = rowsTotal(loaded) / loaded.wallSeconds
  console.log(
    `  overall rows/s over the wall: ${fmt(loadedRate)} with ÷ ${fmt(aloneRate)} without = ${(loadedRate / aloneRate).toFixed(2)} (wall ${alone.wallSeconds.toFixed(1)} s → ${loaded.wallSeconds.toFixed(1)} s)`,
  )
  for (const s of alone.steps) {
    const other = loaded.steps.find((o) => o.step === s.step)
    if (!other || !s.rows || !other.rows) continue
    const ratio = other.rows / stepSeconds(other) / (s.rows / stepSeconds(s))
    console.log(
      `  ${s.step.padEnd(9)} rows/s ${ratio.toFixed(2)} (${stepSeconds(s).toFixed(1)} s → ${stepSeconds(other).toFixed(1)} s)`,
    )
  }
}
