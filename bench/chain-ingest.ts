// How fast the chain step loads fills end to end — RPC bytes in (the simulator, in another process)
// to rows committed in the embedded warehouse — beside the engine's own INSERT … SELECT rate for the
// same table in the same run, and the pipeline process's peak RSS. Prints figures; never fails on time.
// `--stream transfers` measures the transfers step the same way (ERC-1155 logs of the same world →
// chain_transfers and its per-wallet legs). `--stream activity` measures the activity step: the
// lifecycle logs of the same world (splits, merges, resolutions, redemptions, conversions, fees) →
// chain_activity; the rate printed is then lifecycle rows per second, beside the world's fill count.
//
//   npx tsx bench/chain-ingest.ts --fills 1000000
//   npx tsx bench/chain-ingest.ts --fills 10000000
//   npx tsx bench/chain-ingest.ts --fills 1000000 --stream transfers
//   npx tsx bench/chain-ingest.ts --fills 1000000 --stream activity
//   npx tsx bench/chain-ingest.ts --fills 1000000 --replay-span 1000
//   npx tsx bench/chain-ingest.ts --fills 1000000 --replay-span 400 --stream transfers
//
// `--replay-span N`: the source serves eth_getLogs replies rendered before the clock starts, for
// ranges of N blocks (the step's range size is fixed to N), instead of rendering them while the
// pipeline runs on the same two cores (bench/chain-source.ts) — a stand-in for a remote provider.
// A range must hold at most half of TARGET_LOGS_PER_REQUEST logs, or the step halves it and the
// halves miss the replay (the simulator renders them, on the same cores): 1,000 blocks for fills,
// 400 for transfers (1M fills bring 2.8M transfer rows). The source line says how many replayed.
// `--commit-rows N`: rows per insert instead of the committer's COMMIT_ROWS (to compare sizes).
// `--memory-limit SIZE`: open the warehouse as `polyhouse --memory-limit SIZE` does (load/engine-memory.ts).
//
// `TRACE=1`: memory every 5 s; `TRACE_CPU=1`: the cores the process and its main thread use, every
// 250 ms (how the load's start and end leave a core idle shows there), on stderr.
//
// Each scale runs in its own process, so peak RSS (getrusage maxrss) is that scale's alone.
import fs from 'node:fs'
import os from 'node:os'
import { parseArgs } from 'node:util'
import { CheckpointStore } from '../checkpoints/store.ts'
import { resolveWarehouseConfig } from '../core/config.ts'
import { RunLog } from '../load/run-log.ts'
import { createActivityStep } from '../steps/activity/index.ts'
import { createChainStep } from '../steps/chain/index.ts'
import { FILLS_STREAM } from '../steps/chain/stream.ts'
import { createTransfersStep } from '../steps/transfers/index.ts'
import { TRANSFERS_STREAM } from '../steps/transfers/stream.ts'
import { verifyStream } from '../steps/verify.ts'
import { startChainSource } from './shared/chain-source-process.ts'
import { openBenchWarehouse } from './shared/warehouse.ts'

const { values } = parseArgs({
  options: {
    fills: { type: 'string', default: '1000000' },
    blocks: { type: 'string' },
    concurrency: { type: 'string', default: '4' },
    keep: { type: 'boolean', default: false },
    stream: { type: 'string', default: 'fills' },
    'replay-span': { type: 'string' },
    'commit-rows': { type: 'string' },
    'memory-limit': { type: 'string' },
  },
})
const replaySpan = values['replay-span'] === undefined ? undefined : Number(values['replay-span'])
const STREAMS = {
  fills: { table: 'chain_fills', createStep: createChainStep },
  transfers: { table: 'chain_transfers', createStep: createTransfersStep },
  activity: { table: 'chain_activity', createStep: createActivityStep },
} as const
if (!Object.hasOwn(STREAMS, values.stream)) throw new Error('--stream: fills, transfers or activity')
const { table: TABLE, createStep } = STREAMS[values.stream as keyof typeof STREAMS]
const fills = Number(values.fills)

/** Arguments of bench/chain-source.ts for this run's world and stream. */
function sourceArgs(): string[] {
  const args = ['--fills', String(fills)]
  if (values.blocks) args.push('--blocks', values.blocks)
  if (replaySpan !== undefined) args.push('--replay-span', String(replaySpan), '--stream', values.stream)
  return args
}

/**
 * The command name and the user and system CPU seconds of a /proc stat file (Linux), or undefined
 * when it cannot be read.
 */
function procStat(file: string): { name: string; user: number; system: number } | undefined {
  try {
    // The name is in parentheses (and may hold spaces); after it, utime and stime are the 12th and 13th fields.
    const stat = fs.readFileSync(file, 'utf8')
    const close = stat.lastIndexOf(')')
    const fields = stat.slice(close + 2).split(' ')
    return {
      name: stat.slice(stat.indexOf('(') + 1, close),
      user: Number(fields[11]) / 100,
      system: Number(fields[12]) / 100,
    }
  } catch {
    return undefined
  }
}

/** CPU seconds (user + system) a process has used so far; undefined where /proc cannot tell. */
function cpuSecondsOf(pid: number | undefined): number | undefined {
  const seconds = procStat(`/proc/${pid}/stat`)
  return seconds && seconds.user + seconds.system
}

/**
 * CPU of this process's threads by name (the engine names its pools: MergeMutate, QueryPipelineEx,
 * …; node's main thread shows as `node (main)`; V8's helper threads, which mostly collect garbage,
 * as `node`), so the figures say who spent it. Read every 250 ms, so a thread that ends before the
 * load does is counted up to its last reading.
 */
const threadsSeen = new Map<string, { name: string; user: number; system: number }>()
function readThreads(): void {
  for (const tid of fs.readdirSync('/proc/self/task')) {
    // One read per thread (its stat names it too): this runs every 250 ms in the process it measures.
    const stat = procStat(`/proc/self/task/${tid}/stat`)
    if (stat === undefined) continue
    const { name: comm, ...seconds } = stat
    const name = tid === String(process.pid) ? `${comm || '?'} (main)` : comm || '?'
    // A thread id the kernel gave to a new thread: the ended one's last reading is kept apart.
    const last = threadsSeen.get(tid)
    if (last && (last.name !== name || seconds.user < last.user || seconds.system < last.system)) {
      addTo(threadsEnded, last.name, last)
    }
    threadsSeen.set(tid, { name, ...seconds })
  }
}
const threadsEnded = new Map<string, { user: number; system: number }>()
function addTo(
  byName: Map<string, { user: number; system: number }>,
  name: string,
  seconds: { user: number; system: number },
): void {
  const total = byName.get(name) ?? { user: 0, system: 0 }
  total.user += seconds.user
  total.system += seconds.system
  byName.set(name, total)
}
function threadCpu(): Map<string, { user: number; system: number }> {
  readThreads()
  const byName = new Map<string, { user: number; system: number }>()
  for (const [name, seconds] of threadsEnded) addTo(byName, name, seconds)
  for (const { name, ...seconds } of threadsSeen.values()) addTo(byName, name, seconds)
  return byName
}

let peakRss = 0
let lastTrace = 0
let threadsReadAt = 0
let coresRead: { at: number; process: number; main: number } | undefined
/** TRACE_CPU=1: the cores in use since the last reading, the process's and the main thread's (stderr). */
function traceCores(): void {
  const all = procStat('/proc/self/stat')
  const main = threadsSeen.get(String(process.pid))
  if (!all || !main) return
  const now = { at: performance.now() / 1000, process: all.user + all.system, main: main.user + main.system }
  if (coresRead) {
    const seconds = now.at - coresRead.at
    process.stderr.write(
      `${now.at.toFixed(2)} s: cores in use ${((now.process - coresRead.process) / seconds).toFixed(2)}, main thread ${((now.main - coresRead.main) / seconds).toFixed(2)}\n`,
    )
  }
  coresRead = now
}
const sampler = setInterval(() => {
  if (Date.now() - threadsReadAt >= 250) {
    threadsReadAt = Date.now()
    readThreads()
    if (process.env.TRACE_CPU) traceCores()
  }
  const memory = process.memoryUsage()
  peakRss = Math.max(peakRss, memory.rss)
  if (process.env.TRACE && Date.now() - lastTrace > 5_000) {
    lastTrace = Date.now()
    const mib = (n: number) => (n / 2 ** 20).toFixed(0)
    process.stderr.write(
      `rss ${mib(memory.rss)} heap ${mib(memory.heapUsed)} external ${mib(memory.external)} arrayBuffers ${mib(memory.arrayBuffers)} MiB; cpu ${(process.cpuUsage().user / 1e6).toFixed(1)} s\n`,
    )
  }
}, 100)

// The limit is read as `polyhouse --memory-limit` reads it (the same checks, the same messages),
// before the source starts, so a bad one leaves nothing running.
const limited = resolveWarehouseConfig(values['memory-limit'] ? { memoryLimit: values['memory-limit'] } : {})
const { source, child } = await startChainSource(sourceArgs())
const { warehouse, remove } = await openBenchWarehouse(
  'polyhouse-chain-bench-',
  limited.kind === 'embedded' && limited.memoryLimitBytes !== undefined
    ? { memoryLimitBytes: limited.memoryLimitBytes }
    : {},
)
/** The first line of what went wrong. */
const firstLine = (error: unknown) => (error instanceof Error ? error.message.split('\n')[0] : String(error))
const runLog = new RunLog(warehouse, 'bench', [])
const checkpoints = new CheckpointStore(warehouse, runLog.runId)
const step = createStep(
  {
    rpcUrls: [source.rpcUrl],
    fromBlock: source.startBlock,
    confirmations: 0,
    shard: { index: 1, count: 1 },
    rpcRate: { count: 100_000, windowMs: 1_000 },
    concurrency: Number(values.concurrency),
  },
  {
    ...(replaySpan === undefined ? {} : { adaptive: { initial: replaySpan, max: replaySpan } }),
    ...(values['commit-rows'] === undefined ? {} : { commitRows: Number(values['commit-rows']) }),
  },
)
const load = os.loadavg()[0]
const cpuStarted = process.cpuUsage()
const threadsStarted = threadCpu()
const sourceCpuStarted = cpuSecondsOf(child.pid)
const started = performance.now()
let outcome: Awaited<ReturnType<typeof step.run>>
try {
  outcome = await step.run({
    warehouse,
    checkpoints,
    runLog,
    signal: new AbortController().signal,
    reporter: { update: () => {}, note: (message) => process.stderr.write(`note: ${message}\n`) },
  })
} catch (error) {
  // The step stopped (under a tight --memory-limit the engine may refuse an insert): say so, with
  // what the run reached, and stop the source, which would otherwise outlive this process.
  child.kill('SIGTERM')
  process.stdout.write(
    `load stopped after ${((performance.now() - started) / 1000).toFixed(1)} s: ${firstLine(error)}\npeak RSS of the pipeline process: ${(peakRss / 2 ** 20).toFixed(0)} MiB\n`,
  )
  if (!values.keep) remove()
  process.exit(1)
}
const seconds = (performance.now() - started) / 1000
const cpu = process.cpuUsage(cpuStarted)
const threads = [...threadCpu()]
  .map(([name, ended]) => {
    const before = threadsStarted.get(name) ?? { user: 0, system: 0 }
    return { name, user: ended.user - before.user, system: ended.system - before.system }
  })
  .sort((a, b) => b.user + b.system - (a.user + a.system))
const stats = (await (await fetch(source.statsUrl)).json()) as {
  endpoints: { rpc?: { bytes: number; requests: number; replayed?: number } }
}
const bytesIn = stats.endpoints.rpc?.bytes ?? 0
// The source's CPU while it served this load: it shares the cores.
const sourceCpuEnded = cpuSecondsOf(child.pid)
const sourceCpu =
  sourceCpuStarted === undefined || sourceCpuEnded === undefined
    ? undefined
    : sourceCpuEnded - sourceCpuStarted
child.kill('SIGTERM')
const rssAfterLoad = process.resourceUsage().maxRSS * 1024

// What `gaps --verify` costs over what was loaded: counts of every table of the stream, and the content
// digest of each range (recorded here, as a first --verify does); then again, now comparing digests.
const verifyTimes: number[] = []
for (let pass = 0; pass < 2; pass++) {
  const verifyStarted = performance.now()
  await verifyStream(warehouse, checkpoints, values.stream === 'fills' ? FILLS_STREAM : TRANSFERS_STREAM)
  verifyTimes.push((performance.now() - verifyStarted) / 1000)
}

// The engine alone: the same table, the same rows, INSERT … SELECT (the materialized view included).
// Under a tight --memory-limit the engine may refuse it (one statement over every row); the load's
// figures are still printed, without a ratio.
const selectStarted = performance.now()
let selectRefused: string | undefined
try {
  await warehouse.command(`INSERT INTO ${TABLE} SELECT * FROM ${TABLE}`)
} catch (error) {
  selectRefused = firstLine(error)
}
const selectSeconds = (performance.now() - selectStarted) / 1000
const [count] = await warehouse.query<{ n: string }>(`SELECT toString(count()) AS n FROM ${TABLE} FINAL`)
await warehouse.close()
clearInterval(sampler)
if (!values.keep) remove()

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`
const rate = (n: number, s: number) => `${Math.round(n / s).toLocaleString('en-US')}/s`
console.log(`memory limit: ${values['memory-limit'] ?? 'none (the engine caches of load/engine-memory.ts)'}`)
console.log(
  `machine: ${os.cpus()[0]?.model} x${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; load average at start ${load?.toFixed(2)}`,
)
console.log(
  `${values.stream === 'fills' ? '' : `${values.stream} of `}fills: ${fills.toLocaleString('en-US')} over blocks ${source.startBlock}..${source.tip}; loaded ${outcome.rows.toLocaleString('en-US')} ${TABLE} rows (FINAL ${Number(count?.n).toLocaleString('en-US')}), complete ${outcome.complete}, failures ${outcome.failures.length}`,
)
if (replaySpan !== undefined) {
  console.log(
    `source: replies rendered before the start and served from memory, ranges of ${replaySpan.toLocaleString('en-US')} blocks: ${stats.endpoints.rpc?.replayed} of ${stats.endpoints.rpc?.requests} requests replayed, the rest passed to the simulator`,
  )
}
console.log(
  `end to end (RPC bytes in → rows committed): ${seconds.toFixed(1)} s, ${rate(outcome.rows, seconds)} ${TABLE} rows, ${mb(bytesIn)} in (${mb(bytesIn / seconds)}/s), ${stats.endpoints.rpc?.requests} HTTP requests`,
)
const timings = step.lastRun?.timings
if (timings) {
  console.log(
    `  time in the step: fetch+decode ${(timings.fetchMs / 1000).toFixed(1)} s summed over ${values.concurrency} fetchers; ${timings.commits} commits: inserts ${(timings.insertMs / 1000).toFixed(1)} s, checkpoints ${(timings.checkpointMs / 1000).toFixed(1)} s; process CPU ${(cpu.user / 1e6).toFixed(1)} s user + ${(cpu.system / 1e6).toFixed(1)} s system; the ${replaySpan === undefined ? 'simulator' : 'replay source'} serving the logs (same cores) ${sourceCpu === undefined ? 'n/a' : `${sourceCpu.toFixed(1)} s`} CPU`,
  )
}
console.log(
  `  process CPU by thread (user + system s): ${threads
    .slice(0, 8)
    .map((thread) => `${thread.name} ${thread.user.toFixed(1)} + ${thread.system.toFixed(1)}`)
    .join(', ')}`,
)
console.log(
  selectRefused === undefined
    ? `engine INSERT … SELECT into ${TABLE} (+ its materialized view): ${selectSeconds.toFixed(1)} s, ${rate(outcome.rows, selectSeconds)} rows`
    : `engine INSERT … SELECT into ${TABLE}: refused (${selectRefused})`,
)
console.log(
  `gaps --verify of the loaded ranges: ${verifyTimes.map((t) => `${t.toFixed(1)} s`).join(' recording digests, ')} comparing them (${((100 * (verifyTimes[0] ?? 0)) / seconds).toFixed(1)} % of the load's end-to-end time, paid when an operator checks, not by ingestion)`,
)
if (selectRefused === undefined)
  console.log(`ratio end to end ÷ INSERT … SELECT: ${(selectSeconds / seconds).toFixed(2)}`)
console.log(
  `peak RSS of the pipeline process: ${mb(rssAfterLoad)} during the load (sampled max ${mb(peakRss)})`,
)
