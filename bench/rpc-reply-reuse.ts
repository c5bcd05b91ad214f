// Whether the JSON-RPC client's reuse of eth_getLogs reply memory still pays: every replayed
// eth_getLogs reply of a 1,000,000-fill world read through RpcClient.requestLogs (HTTP read and log
// scan, no decoding or insert), a few ranges at a time, with the scanned logs released (their
// buffer and slots serve the next reply) or, with `--no-reuse`, dropped (fresh memory per reply,
// as before the reuse). Prints per pass: wall, process CPU, garbage collections and their time.
// Never fails on time.
//
//   npx tsx bench/rpc-reply-reuse.ts [--fills 1000000] [--replay-span 1000] [--passes 4] [--no-reuse]
//
// Run it both ways alternately on a shared machine and compare the medians; the first pass warms
// the JIT and the pool, so the summary leaves it out.
import { constants, PerformanceObserver } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { FILLS_FILTER } from '../extract/chain/contracts.ts'
import { RpcClient } from '../extract/chain/rpc.ts'
import { ScannedLogs } from '../extract/chain/scanned-logs.ts'
import { machineLine } from './machine.ts'
import { startChainSource } from './shared/chain-source-process.ts'

const { values } = parseArgs({
  options: {
    fills: { type: 'string', default: '1000000' },
    'replay-span': { type: 'string', default: '1000' },
    passes: { type: 'string', default: '4' },
    // The chain step's fetchers in flight (bench/chain-ingest.ts --concurrency).
    concurrency: { type: 'string', default: '4' },
    'no-reuse': { type: 'boolean', default: false },
  },
})
const span = Number(values['replay-span'])
const passes = Number(values.passes)
const concurrency = Number(values.concurrency)
const reuse = !values['no-reuse']

const gc = { count: 0, major: 0, ms: 0 }
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gc.count++
    gc.ms += entry.duration
    // A gc entry's detail says which collector ran (node's perf_hooks documentation).
    const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind
    if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.major++
  }
}).observe({ entryTypes: ['gc'] })

const { source, child } = await startChainSource([
  '--fills',
  values.fills,
  '--replay-span',
  String(span),
  '--stream',
  'fills',
])
// The replay source serves exactly the span-sized ranges from the start block.
const ranges: { from: number; to: number }[] = []
for (let from = source.startBlock; from + span - 1 <= source.tip; from += span)
  ranges.push({ from, to: from + span - 1 })
// No pacing: the bench measures reading, not the provider's quota.
const rpc = new RpcClient({ url: source.rpcUrl, rate: { count: 1_000_000, windowMs: 1_000 } })
const hex = (n: number) => `0x${n.toString(16)}`

console.log(machineLine())
console.log(
  `reply memory reuse ${reuse ? 'on' : 'off'}: ${ranges.length} eth_getLogs replies of ${span} blocks, ${concurrency} in flight, ${passes} passes`,
)
const measured: { wallMs: number; cpuMs: number; gcs: number; gcMs: number }[] = []
try {
  for (let pass = 0; pass < passes; pass++) {
    const queue = [...ranges]
    let logs = 0
    Object.assign(gc, { count: 0, major: 0, ms: 0 })
    const cpuStart = process.cpuUsage()
    const started = performance.now()
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let range = queue.shift(); range; range = queue.shift()) {
          const params = [{ ...FILLS_FILTER, fromBlock: hex(range.from), toBlock: hex(range.to) }] as const
          const scanned = await rpc.requestLogs(params, { requested: range })
          // A reply the scan declined comes back parsed: then there is nothing here to reuse.
          if (!(scanned instanceof ScannedLogs))
            throw new Error(`eth_getLogs [${range.from}, ${range.to}]: the reply was not scanned`)
          logs += scanned.length
          // Dropping the scanned logs unreleased leaves the client nothing to reuse.
          if (reuse) scanned.release()
        }
      }),
    )
    const wallMs = performance.now() - started
    const cpu = process.cpuUsage(cpuStart)
    const cpuMs = (cpu.user + cpu.system) / 1000
    if (pass > 0) measured.push({ wallMs, cpuMs, gcs: gc.count, gcMs: gc.ms })
    console.log(
      `  pass ${pass}: ${logs} logs, ${wallMs.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU, ${gc.count} GCs (${gc.major} mark-compact) ${gc.ms.toFixed(0)} ms${pass === 0 ? ' (warm-up)' : ''}`,
    )
  }
} finally {
  await rpc.close()
  child.kill('SIGTERM')
}
const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b)
  const middle = sorted.length / 2
  // An even count has two middles: their mean (two measured passes must not report the slower one).
  if (Number.isInteger(middle))
    return ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2
  return sorted[Math.floor(middle)] ?? Number.NaN
}
console.log(
  `median of passes 1–${passes - 1}, reuse ${reuse ? 'on' : 'off'}: ${median(measured.map((m) => m.wallMs)).toFixed(0)} ms wall, ${median(measured.map((m) => m.cpuMs)).toFixed(0)} ms CPU, ${median(measured.map((m) => m.gcs)).toFixed(0)} GCs, ${median(measured.map((m) => m.gcMs)).toFixed(0)} ms in GC`,
)
