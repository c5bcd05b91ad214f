// A simulated night: the simulator at overnight scale with faults on, `polyhouse backfill`
// (every step) run under nohup with its output to backfill.log, then `status --json` and
// `gaps --json` compared with the simulator's ground truth. Prints wall time against the rate-limit
// floor, the regularity of the log's progress lines, and every disagreement. Never fails on timing.
//
//   npx tsx bench/night.ts --markets 150000 --wallets 50000 --fills 5000000 [--home DIR]
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { startSimulator } from '../simulator/index.ts'
import { rateFloors } from './harness.ts'
import { machineLine, vmHwmKiB } from './machine.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const BIN = path.join(ROOT, 'bin/polyhouse.js')

const { values } = parseArgs({
  options: {
    markets: { type: 'string', default: '150000' },
    wallets: { type: 'string', default: '50000' },
    fills: { type: 'string', default: '5000000' },
    blocks: { type: 'string', default: '5000000' },
    faults: { type: 'string', default: '5xx=0.02,truncate=0.005,html=0.005,drift=0.01' },
    latency: { type: 'string', default: '100±50' },
    seed: { type: 'string', default: 'night' },
    home: { type: 'string' },
  },
})

const started = Date.now()
const sim = await startSimulator({
  seed: values.seed,
  markets: Number(values.markets),
  wallets: Number(values.wallets),
  fills: Number(values.fills),
  blocks: Number(values.blocks),
  faults: values.faults,
  latency: values.latency,
})
const home = values.home ?? fs.mkdtempSync(path.join(os.tmpdir(), 'polyhouse-night-'))
fs.mkdirSync(home, { recursive: true })
const log = path.join(home, 'backfill.log')
const env = { ...process.env, ...sim.env, POLYHOUSE_HOME: home }
console.log(machineLine())
console.log(
  `simulator: ${values.markets} markets, ${values.wallets} wallets, ${values.fills} fills, faults ${values.faults}, latency ${values.latency} (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
)
console.log(`home: ${home}; log: ${log}`)

// The operator's command: nohup polyhouse backfill > backfill.log 2>&1 &
const out = fs.openSync(log, 'w')
const runStart = performance.now()
const child = spawn('nohup', [process.execPath, BIN, 'backfill'], { env, stdio: ['ignore', out, out] })
let peakKiB = 0
const poll = setInterval(() => {
  // nohup execs node, so the child's pid is the backfill's.
  peakKiB = Math.max(peakKiB, vmHwmKiB(child.pid ?? -1) ?? 0)
}, 500)
const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
clearInterval(poll)
fs.closeSync(out)
const wallSeconds = (performance.now() - runStart) / 1000

const floors = rateFloors(sim.stats())
const floor = floors[0]?.floorSeconds
console.log(
  `\nbackfill exit ${code}; wall ${wallSeconds.toFixed(0)} s; peak RSS ${(peakKiB / 1024).toFixed(0)} MiB`,
)
for (const bucket of floors)
  console.log(
    `  ${bucket.bucket}: ${bucket.admitted} requests admitted, floor ${bucket.floorSeconds.toFixed(0)} s`,
  )
if (floor) console.log(`wall ÷ binding floor (${floors[0]?.bucket}): ${(wallSeconds / floor).toFixed(2)}×`)

// Progress lines: every step prints a timestamped line at least every 10 s without a TTY.
const stamps = fs
  .readFileSync(log, 'utf8')
  .split('\n')
  .map((line) => /^(\d{4}-\d\d-\d\dT[\d:.]+Z)/.exec(line)?.[1])
  .filter((stamp): stamp is string => stamp !== undefined)
  .map((stamp) => Date.parse(stamp))
const gaps = stamps.slice(1).map((stamp, i) => (stamp - (stamps[i] as number)) / 1000)
console.log(
  `backfill.log: ${stamps.length} timestamped lines; longest silence ${Math.max(0, ...gaps).toFixed(1)} s; tail:`,
)
console.log(
  fs
    .readFileSync(log, 'utf8')
    .trimEnd()
    .split('\n')
    .slice(-12)
    .map((line) => `  | ${line}`)
    .join('\n'),
)

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const run = spawn(process.execPath, [BIN, ...args], { env })
    let stdout = ''
    let stderr = ''
    run.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    run.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    run.on('exit', (exit) => resolve({ code: exit, stdout, stderr }))
  })
}

const disagreements: string[] = []
function compare(what: string, actual: unknown, expected: unknown): void {
  const same = JSON.stringify(actual) === JSON.stringify(expected)
  console.log(
    `  ${same ? 'ok  ' : 'DIFF'} ${what}: ${JSON.stringify(actual)}${same ? '' : ` (truth ${JSON.stringify(expected)})`}`,
  )
  if (!same) disagreements.push(what)
}

const status = await cli(['status', '--json'])
const gapsRun = await cli(['gaps', '--json'])
const summary = sim.truth.summary()
const markets = [...sim.truth.markets()]
const kept = markets.filter((market) => !market.drifted)
console.log(`\nstatus (exit ${status.code}) and gaps (exit ${gapsRun.code}) against the simulator's truth:`)
if (status.code === 0 && gapsRun.code === 0) {
  const s = JSON.parse(status.stdout)
  const g = JSON.parse(gapsRun.stdout)
  compare('markets stored (drifted ones quarantined)', s.steps.markets.markets, kept.length)
  compare('events stored', s.steps.markets.events, summary.events.count - summary.events.drifted)
  compare('orphan markets', s.orphans.count, 0)
  compare('chain tip', s.steps.chain.tip?.tip, summary.chain.tip)
  compare('block gaps', g.blocks.ranges, [])
  compare('wallets known', s.steps.wallets.known, summary.wallets)
  compare('wallets fetched', s.steps.wallets.fetched, summary.wallets)
  compare('wallets gaps', g.wallets.length, 0)
  const fills = await cli(['query', 'SELECT count() AS n FROM chain_fills FINAL', '--format', 'json'])
  // The chain step stops at the tip minus the confirmations: the truth is the fills up to there.
  let confirmed = 0
  for (const _ of sim.truth.fills(s.steps.chain.from, s.steps.chain.to)) confirmed++
  compare(
    `chain_fills rows (blocks ${s.steps.chain.from}..${s.steps.chain.to})`,
    Number(JSON.parse(fills.stdout)[0]?.n),
    confirmed,
  )
} else {
  disagreements.push('status/gaps failed')
  console.log(status.stderr, gapsRun.stderr)
}
console.log(
  `\n${disagreements.length ? `${disagreements.length} disagreement(s): ${disagreements.join(', ')}` : 'status and gaps agree with the truth'}`,
)
console.log(`total bench time ${((Date.now() - started) / 1000).toFixed(0)} s`)
await sim.close()
