// Start-up of the CLI as a whole process: `--help`, `query "SELECT 1"` and a view query, each the
// median of N runs (wall, CPU, peak RSS) beside loading chDB alone, measured in the same run.
//   npm run bench -- startup [--runs 5] [--home DIR] [--before PATH]
// --home: a warehouse to query (POLYHOUSE_HOME, e.g. the Quick start's `.polyhouse`); default a fresh
// one, migrated by an unmeasured first run. --before: another checkout's bin/polyhouse.js (an older
// commit, with its own node_modules), timed on the same three commands for a before/after figure.
// The commands run in turn, round after round, so a load that drifts hits them all alike.
// Targets (printed, never asserted): --help ≤ 0.2 s; query "SELECT 1" ≤ 0.4 s or ≤ 3× the chDB load.
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { type ChildRun, machineLine, runMeasured } from './machine.ts'
import { BIN, cleanEnv, ROOT, tempDir } from './shared/cli.ts'

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    home: { type: 'string' },
    before: { type: 'string' },
  },
})
// `node -e "require('chdb/connection')"` finds chdb from the working directory.
process.chdir(ROOT)
const runs = Number(values.runs)
const before = values.before ? path.resolve(values.before) : undefined
const home = values.home ? path.resolve(values.home) : path.join(tempDir('polyhouse-startup-'), 'home')

interface Case {
  label: string
  args: string[]
  env?: NodeJS.ProcessEnv
}

// chDB's own loading, as `node -e` from the repository (where node_modules/chdb is).
const CHDB: Case = {
  label: 'chDB load: node -e "require(\'chdb/connection\')"',
  args: ['-e', "require('chdb/connection')"],
}
const CASES: Case[] = [
  CHDB,
  { label: 'polyhouse --help', args: [BIN, '--help'] },
  { label: 'polyhouse query "SELECT 1"', args: [BIN, 'query', 'SELECT 1'] },
  {
    label: 'polyhouse query "SELECT count() FROM vw_trades_unified"',
    args: [BIN, 'query', 'SELECT count() FROM vw_trades_unified'],
  },
  {
    label: 'polyhouse --help, from the sources (tsx)',
    args: [BIN, '--help'],
    env: { POLYHOUSE_FROM_SOURCE: '1' },
  },
  {
    label: 'polyhouse query "SELECT 1", from the sources (tsx)',
    args: [BIN, 'query', 'SELECT 1'],
    env: { POLYHOUSE_FROM_SOURCE: '1' },
  },
  ...(before
    ? [
        { label: 'before: polyhouse --help', args: [before, '--help'] },
        { label: 'before: polyhouse query "SELECT 1"', args: [before, 'query', 'SELECT 1'] },
        {
          label: 'before: polyhouse query "SELECT count() FROM vw_trades_unified"',
          args: [before, 'query', 'SELECT count() FROM vw_trades_unified'],
        },
      ]
    : []),
]

function run(one: Case): Promise<ChildRun> {
  return runMeasured(process.execPath, one.args, { ...cleanEnv(), POLYHOUSE_HOME: home, ...one.env })
}

function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

const fmt = (value: number, digits = 3) => value.toFixed(digits)

process.stdout.write(`${machineLine()}\n`)
process.stdout.write(
  `load average before: ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}\n`,
)
process.stdout.write(
  `bin: ${BIN}${before ? `\nbefore: ${before}` : ''}\nwarehouse: ${home}\nruns: ${runs} each, after one unmeasured round\n\n`,
)

const samples = new Map<Case, ChildRun[]>(CASES.map((one) => [one, []]))
for (let round = 0; round <= runs; round++) {
  for (const one of CASES) {
    const result = await run(one)
    if (result.code !== 0) {
      process.stderr.write(`${one.label} exited ${result.code}: ${result.stderr.trim().split('\n').pop()}\n`)
      process.exit(1)
    }
    // Round 0 builds what is stale, migrates the warehouse and warms the page cache.
    if (round > 0) samples.get(one)?.push(result)
  }
}

const chdbWall = median((samples.get(CHDB) ?? []).map((result) => result.wallMs / 1000))
process.stdout.write(
  `${'median of each'.padEnd(62)} ${'wall s'.padStart(7)} ${'cpu s'.padStart(7)} ${'peak MiB'.padStart(9)} ${'÷ chDB'.padStart(7)}\n`,
)
for (const one of CASES) {
  const results = samples.get(one) ?? []
  const wall = median(results.map((result) => result.wallMs / 1000))
  const cpu = median(results.map((result) => result.cpuSeconds ?? Number.NaN))
  const peak = median(results.map((result) => result.peakRssMiB ?? Number.NaN))
  process.stdout.write(
    `${one.label.padEnd(62)} ${fmt(wall).padStart(7)} ${fmt(cpu).padStart(7)} ${fmt(peak, 1).padStart(9)} ${fmt(wall / chdbWall, 2).padStart(7)}\n`,
  )
}
process.stdout.write(
  `\ntargets: --help ≤ 0.2 s; query "SELECT 1" ≤ 0.4 s, or ≤ 3 × chDB load = ${fmt(3 * chdbWall)} s in this run\n`,
)
process.stdout.write(
  `load average after: ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}\n`,
)
