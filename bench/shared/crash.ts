// The crash procedure, shared by test/cli/crash.test.ts and bench/crash.ts: the whole
// `polyhouse backfill` against the simulator with faults on, once uninterrupted, then killed with
// SIGKILL at random moments and resumed each time, and the two warehouses compared table by table
// and view by view as fingerprints (./fingerprints.ts).
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { type Simulator, type SimulatorOptions, startSimulator } from '../../simulator/index.ts'
import { STEP_ORDER } from '../../steps/registry.ts'
import { BIN, cleanEnv, ROOT, tempDir } from './cli.ts'

/**
 * Faults on every service, Gamma, the Data API and the RPC alike: about one request in ten fails
 * (spurious 429s, 5xx, hangs the simulator drops after HANG_MS, truncated bodies, Cloudflare pages),
 * and one record in a hundred drifts. Each unit's 6 attempts all fail with odds ~1e-6. No reorg: a
 * reorg happens once per simulator, so the clean run and the crashed runs would read different chains.
 */
export const CRASH_FAULTS = '429=0.02,5xx=0.05,hang=0.005,truncate=0.01,html=0.01,drift=0.01'
/** A hung request is closed after this long, so a hang costs a retry rather than a 15 s timeout. */
const HANG_MS = 300
/** The simulator's rate limits are off; the client's are high, so a run lasts as long as the pipeline takes. */
const RATE = 'gamma=400/s,data-api=400/s,rpc=2000/s'

export interface CrashWorld {
  seed: string
  markets: number
  wallets: number
  fills: number
  blocks: number
}

export interface CrashSetup {
  sim: Simulator
  /** The child's environment: the simulator's URLs and the rate limits. */
  env: NodeJS.ProcessEnv
  /** polyhouse arguments after --data-dir: the whole backfill, to the simulator's fixed tip. */
  args: string[]
}

export async function startCrashSimulator(
  world: CrashWorld,
  options: Pick<SimulatorOptions, 'faults' | 'latency'> = {},
): Promise<CrashSetup> {
  const sim = await startSimulator({
    ...world,
    faults: options.faults ?? CRASH_FAULTS,
    latency: options.latency ?? { baseMs: 2, jitterMs: 2 },
    rateLimits: false,
    hangMs: HANG_MS,
  })
  // Every wallet of the world, also those the chain would not name, so positions covers them all.
  const walletsFile = path.join(tempDir(), 'wallets.txt')
  fs.writeFileSync(walletsFile, sim.truth.wallets().join('\n'))
  return {
    sim,
    env: { ...sim.env, POLYHOUSE_RATE: RATE },
    // --confirmations 0: both runs read to the simulator's tip, which does not move.
    args: ['backfill', '--confirmations', '0', '--wallets', walletsFile],
  }
}

export interface BackfillRun {
  code: number | null
  killed: boolean
  /** From spawn to the kill, or to the exit. */
  wallMs: number
  /** The furthest step the run's output named ('startup' before any): where a kill landed. */
  step: string
  /** When each step printed 'started', ms after spawn. */
  starts: Partial<Record<string, number>>
  /** Steps that ended with failed units in this run (their reasons are listed at its end, if it gets there). */
  failedSteps: string[]
  /** The last lines of stdout and stderr, for a failure message. */
  tail: string
}

/** Where to kill a run: `afterMs` after spawn ('startup') or after the output first names `anchor` or a later step. */
export interface KillAt {
  anchor: string
  afterMs: number
}

const STARTUP = 'startup'
const STEP_LINE = /^\d{4}-\d\d-\d\dT[\d:.]+Z (?:WARN |ERROR )?([a-z]+): (.*)$/
const TAIL_LINES = 40

/** One `polyhouse backfill` child, killed with SIGKILL where `kill` says unless it exits first. */
export function runBackfillProcess(dataDir: string, setup: CrashSetup, kill?: KillAt): Promise<BackfillRun> {
  const started = performance.now()
  const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, ...setup.args], {
    cwd: ROOT,
    env: childEnv(setup.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const order = STEP_ORDER as readonly string[]
  let step = STARTUP
  let killed = false
  let killedAt: number | undefined
  let timer: NodeJS.Timeout | undefined
  const arm = () => {
    if (!kill || timer) return
    timer = setTimeout(() => {
      killed = child.kill('SIGKILL')
      killedAt = performance.now() - started
    }, kill.afterMs)
  }
  if (kill?.anchor === STARTUP) arm()
  const starts: BackfillRun['starts'] = {}
  const failedSteps: string[] = []
  const lines: string[] = []
  for (const stream of [child.stdout, child.stderr]) {
    let partial = ''
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => {
      const split = (partial + chunk).split('\n')
      partial = split.pop() ?? ''
      for (const line of split) {
        lines.push(line)
        if (lines.length > TAIL_LINES) lines.shift()
        const match = STEP_LINE.exec(line)
        const named = match?.[1]
        if (!named || !order.includes(named)) continue
        // Steps run in order, so the furthest one named is the current one (the failures listed at
        // the end name earlier steps). Lines still in the pipe after the kill were written before it.
        if (order.indexOf(named) > order.indexOf(step)) step = named
        if (match[2] === 'started') starts[named] ??= performance.now() - started
        if (match[2]?.startsWith('finished with failures')) failedSteps.push(named)
        if (kill && order.indexOf(named) >= order.indexOf(kill.anchor)) arm()
      }
    })
  }
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({
        code,
        killed,
        wallMs: killedAt ?? performance.now() - started,
        step,
        starts,
        failedSteps,
        tail: lines.join('\n'),
      })
    })
  })
}

/** The parent's environment without settings that would point the CLI elsewhere (as runCli does). */
function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...cleanEnv(), ...env }
}

export interface Phase {
  name: string
  startMs: number
  ms: number
}

/**
 * The clean run's timeline: startup (node, chDB, migrations), then each step from its 'started'
 * line. When the clean run needed more than one run (failed units), a step's length is taken from
 * the run that did its work (the longest).
 */
export function phases(clean: Finish): Phase[] {
  const lengths = new Map<string, number>()
  for (const run of clean.runs) {
    const marks = [
      { name: STARTUP, at: 0 },
      ...STEP_ORDER.flatMap((name) => {
        const at = run.starts[name]
        return at === undefined ? [] : [{ name, at }]
      }),
    ]
    marks.forEach((mark, i) => {
      const ms = (marks[i + 1]?.at ?? run.wallMs) - mark.at
      lengths.set(mark.name, Math.max(lengths.get(mark.name) ?? 0, ms))
    })
  }
  let startMs = 0
  return [...lengths].map(([name, ms]) => {
    const phase = { name, startMs, ms }
    startMs += ms
    return phase
  })
}

/**
 * The share of a phase kills are aimed at: a resumed run may finish a phase sooner than the clean
 * run did (durations vary by a second or so under faults), and a kill aimed at its very end would
 * land in the next phase. The moments between two steps are still hit, by kills aimed at the
 * start of the later one.
 */
const PHASE_AIMED = 0.85

export interface PlannedKill extends KillAt {
  /** The moment of the clean run's timeline this kill stands for, ms after its spawn. */
  cleanMs: number
}

/**
 * Kill moments spread over the whole run, so that every phase is hit: each phase gets one kill
 * (the longest first, when there are fewer kills than phases), the rest go to phases in proportion
 * to their length, and within a phase the moments are uniform. A kill is timed from the moment the
 * resumed run reaches its phase, as the phase's own work resumes from its checkpoints: the second
 * kill in a phase comes the gap between the two moments after the phase restarts, and so on. Only
 * startup starts over in every run (its moments are taken from spawn).
 */
export function planKills(kills: number, clean: Finish, random = Math.random): PlannedKill[] {
  const timeline = phases(clean).filter((phase) => phase.ms > 0)
  const counts = new Map(timeline.map((phase) => [phase.name, 0]))
  const byLength = [...timeline].sort((a, b) => b.ms - a.ms)
  for (const phase of byLength.slice(0, kills)) counts.set(phase.name, 1)
  const rest = Math.max(0, kills - timeline.length)
  const total = timeline.reduce((sum, phase) => sum + phase.ms, 0)
  const shares = timeline.map((phase) => ({ phase, share: (rest * phase.ms) / total }))
  for (const { phase, share } of shares)
    counts.set(phase.name, (counts.get(phase.name) ?? 0) + Math.floor(share))
  const left = rest - shares.reduce((sum, { share }) => sum + Math.floor(share), 0)
  const byRemainder = [...shares].sort((a, b) => (b.share % 1) - (a.share % 1))
  for (const { phase } of byRemainder.slice(0, left))
    counts.set(phase.name, (counts.get(phase.name) ?? 0) + 1)
  return timeline.flatMap((phase) => {
    const offsets = Array.from(
      { length: counts.get(phase.name) ?? 0 },
      () => random() * phase.ms * PHASE_AIMED,
    ).sort((a, b) => a - b)
    return offsets.map((offset, i) => ({
      anchor: phase.name,
      afterMs: Math.round(phase.name === STARTUP || i === 0 ? offset : offset - (offsets[i - 1] ?? 0)),
      cleanMs: Math.round(phase.startMs + offset),
    }))
  })
}

/** One more kill, for one that missed: a moment drawn uniformly over the whole clean timeline. */
export function drawKill(clean: Finish, random = Math.random): PlannedKill {
  const timeline = phases(clean)
  const total = timeline.reduce((sum, phase) => sum + phase.ms, 0)
  const moment = random() * total
  const phase = timeline.find((p) => moment < p.startMs + p.ms) ?? timeline[timeline.length - 1]
  const startMs = phase?.startMs ?? 0
  return {
    anchor: phase?.name ?? STARTUP,
    afterMs: Math.round(moment - startMs),
    cleanMs: Math.round(moment),
  }
}

export interface Kill extends PlannedKill {
  /** From spawn to the kill. */
  delayMs: number
  /** The step the run was in when killed (from its output). */
  step: string
  /** Steps of the run that ended with failed units before the kill. */
  failedSteps: string[]
}

/** Runs that ended with failed units: an operator runs the command again, as its last line says. */
const MAX_RUNS_TO_FINISH = 3
/** Runs per planned kill at most, counting those that exit before their kill and are drawn again. */
const MAX_RUNS_PER_KILL = 2

export interface CrashRuns {
  kills: Kill[]
  /** Runs that exited before their kill (finished, or ended with failed units); each kill is drawn again. */
  exited: { plan: PlannedKill; code: number | null; step: string }[]
  /** Runs that started on a warehouse a kill (or an earlier run) had left: every run after the first. */
  resumed: number
  /** The runs after the last kill, to the first that exits 0 (more than one: failed units). */
  finish: Finish
}

/**
 * Runs the backfill killed as planned, one run per kill, then to the end. A run that exits before
 * its kill (a short phase already over, or failed units) gets a new moment from drawKill, so as many
 * kills land as were planned.
 */
export async function crashAndResume(
  dataDir: string,
  setup: CrashSetup,
  clean: Finish,
  plans: readonly PlannedKill[],
  onRun: (run: BackfillRun, plan: PlannedKill) => void = () => {},
): Promise<CrashRuns> {
  const kills: Kill[] = []
  const exited: CrashRuns['exited'] = []
  const queue = [...plans]
  let runs = 0
  for (let plan = queue.shift(); plan; plan = queue.shift()) {
    const run = await runBackfillProcess(dataDir, setup, plan)
    runs++
    onRun(run, plan)
    if (run.killed) {
      kills.push({ ...plan, delayMs: Math.round(run.wallMs), step: run.step, failedSteps: run.failedSteps })
    } else {
      exited.push({ plan, code: run.code, step: run.step })
      if (runs < plans.length * MAX_RUNS_PER_KILL) queue.push(drawKill(clean))
    }
  }
  const finish = await runToEnd(dataDir, setup)
  return { kills, exited, resumed: runs + finish.runs.length - 1, finish }
}

export interface Finish {
  /** Every run, the first (on the warehouse as it was) to the last. */
  runs: BackfillRun[]
  first: BackfillRun
  last: BackfillRun
}

/** The backfill to a clean exit: run again while it ends with failed units (exit 1), a few times at most. */
export async function runToEnd(dataDir: string, setup: CrashSetup): Promise<Finish> {
  const first = await runBackfillProcess(dataDir, setup)
  const runs = [first]
  let last = first
  while (last.code === 1 && runs.length < MAX_RUNS_TO_FINISH) {
    last = await runBackfillProcess(dataDir, setup)
    runs.push(last)
  }
  return { runs, first, last }
}

/** The 'failed: …' lines of a run's output tail. */
export function failedUnits(run: BackfillRun): string[] {
  return run.tail.split('\n').filter((line) => / ERROR [a-z]+: failed: /.test(line))
}
