// Crash safety at bench scale: the whole `polyhouse backfill` against the simulator with
// faults on, once uninterrupted, then killed with SIGKILL at 20 or more moments spread over every
// step and resumed each time; every staging table and view of the two warehouses compared as
// fingerprints (row count and sum of row hashes). The procedure is bench/shared/crash.ts, which
// test/cli/crash.test.ts runs small. Exits 1 only when a fingerprint differs, never on timing.
//
//   npx tsx bench/crash.ts --kills 20 --markets 5000 --wallets 500 --fills 100000 [--blocks 1000000] [--keep]
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { machineLine } from './machine.ts'
import { tempDir } from './shared/cli.ts'
import {
  type BackfillRun,
  CRASH_FAULTS,
  crashAndResume,
  failedUnits,
  type PlannedKill,
  phases,
  planKills,
  runToEnd,
  startCrashSimulator,
} from './shared/crash.ts'
import { compareFingerprints, explainMismatch, fingerprintOf } from './shared/fingerprints.ts'

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '20' },
    markets: { type: 'string', default: '5000' },
    wallets: { type: 'string', default: '500' },
    fills: { type: 'string', default: '100000' },
    blocks: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: 'crash-bench' },
    faults: { type: 'string', default: CRASH_FAULTS },
    latency: { type: 'string', default: '2±2' },
    /** Keep both warehouses (they are kept anyway when a fingerprint differs). */
    keep: { type: 'boolean', default: false },
  },
})

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`
const count = (n: number) => n.toLocaleString('en-US')

console.log(machineLine())
const world = {
  seed: values.seed,
  markets: Number(values.markets),
  wallets: Number(values.wallets),
  fills: Number(values.fills),
  blocks: Number(values.blocks),
}
const simStarted = performance.now()
const setup = await startCrashSimulator(world, { faults: values.faults, latency: values.latency })
console.log(
  `simulator: ${count(world.markets)} markets, ${count(world.wallets)} wallets, ${count(world.fills)} fills, ${count(world.blocks)} blocks; faults ${values.faults}; latency ${values.latency} ms (ready in ${seconds(performance.now() - simStarted)})`,
)
console.log(`command: polyhouse --data-dir DIR ${setup.args.join(' ')}`)

try {
  const cleanDir = path.join(tempDir('polyhouse-crash-clean-'), 'warehouse')
  const clean = await runToEnd(cleanDir, setup)
  const timeline = phases(clean)
  console.log(
    `\nuninterrupted run: ${seconds(clean.first.wallMs)}, exit ${clean.first.code} (${timeline.map((phase) => `${phase.name} ${seconds(phase.ms)}`).join(', ')})`,
  )
  reportReruns(clean.runs)
  if (clean.last.code !== 0) {
    console.log(`the uninterrupted run did not finish (exit ${clean.last.code}):\n${clean.last.tail}`)
    process.exit(2)
  }

  const plans = planKills(Number(values.kills), clean)
  const perPhase = timeline.map(
    (phase) => `${phase.name} ${plans.filter((plan) => plan.anchor === phase.name).length}`,
  )
  console.log(`\n${plans.length} kills planned: ${perPhase.join(', ')}`)
  const crashedDir = path.join(tempDir('polyhouse-crash-killed-'), 'warehouse')
  let run = 0
  const crashed = await crashAndResume(
    crashedDir,
    setup,
    clean,
    plans,
    (result: BackfillRun, plan: PlannedKill) => {
      run++
      const aim = `${plan.anchor} +${seconds(plan.afterMs)}; clean timeline ${seconds(plan.cleanMs)}`
      const outcome = result.killed
        ? `killed at ${seconds(result.wallMs)} in ${result.step}`
        : `exited first (code ${result.code}) after ${seconds(result.wallMs)} in ${result.step}`
      const failed = result.failedSteps.length
        ? ` (${result.failedSteps.join(', ')} ended with failed units first)`
        : ''
      console.log(`  run ${String(run).padStart(2)}: aimed at ${aim} → ${outcome}${failed}`)
      for (const line of failedUnits(result)) console.log(`          ${line}`)
    },
  )
  reportReruns(crashed.finish.runs)
  const landed = new Map<string, number>()
  for (const kill of crashed.kills) landed.set(kill.step, (landed.get(kill.step) ?? 0) + 1)
  console.log(
    `kills: ${crashed.kills.length} of ${plans.length} planned (${crashed.exited.length} runs exited before their kill and were drawn again); landed in ${[...landed].map(([step, n]) => `${step} ${n}`).join(', ')}`,
  )
  console.log(
    `resumed runs: ${crashed.resumed} (the last, uninterrupted, ${seconds(crashed.finish.last.wallMs)}, exit ${crashed.finish.last.code})`,
  )

  const expected = await fingerprintOf(cleanDir)
  const actual = await fingerprintOf(crashedDir)
  const matches = compareFingerprints(expected, actual)
  console.log('\nfingerprints (rows uninterrupted / crashed):')
  for (const match of matches) {
    const rows = `${count(match.clean?.rows ?? 0)} / ${count(match.crashed?.rows ?? 0)}`
    console.log(
      `  ${match.matched ? 'ok  ' : 'DIFF'} ${match.kind.padEnd(5)} ${match.relation.padEnd(30)} ${rows}`,
    )
  }
  const differing = matches.filter((match) => !match.matched)
  for (const match of differing)
    for (const line of await explainMismatch(cleanDir, crashedDir, match.relation)) console.log(`  ${line}`)
  const finished = crashed.finish.last.code === 0
  console.log(
    `\nverdict: ${
      differing.length === 0
        ? `every table and view (${matches.length}) equal to the uninterrupted run's after ${crashed.kills.length} SIGKILLs`
        : `${differing.length} of ${matches.length} differ after ${crashed.kills.length} SIGKILLs: ${differing.map((match) => match.relation).join(', ')}`
    }${finished ? '' : `; the last resumed run exited ${crashed.finish.last.code}`}`,
  )
  if (values.keep || differing.length > 0) {
    console.log(`warehouses kept: ${cleanDir} (uninterrupted), ${crashedDir} (crashed)`)
  } else {
    for (const dir of [cleanDir, crashedDir]) fs.rmSync(path.dirname(dir), { recursive: true, force: true })
  }
  process.exitCode = differing.length === 0 ? 0 : 1
} finally {
  await setup.sim.close()
}

/** Runs that ended with failed units and were run again, as their last line says (not crashes). */
function reportReruns(runs: readonly BackfillRun[]): void {
  for (const [i, earlier] of runs.slice(0, -1).entries()) {
    console.log(`  ended with failed units, ran again (${i + 1} of ${runs.length - 1}):`)
    for (const line of failedUnits(earlier)) console.log(`    ${line}`)
  }
}
