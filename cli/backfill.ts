// polyhouse backfill: the overnight run. Flags are parsed here; the work is steps/backfill.ts.
import readline from 'node:readline/promises'
import type { Command } from 'commander'
import { InterruptedError, UsageError } from '../core/errors.ts'
import { RunLog } from '../load/run-log.ts'
import type { Warehouse } from '../load/warehouse.ts'
import { planBackfill, runBackfill } from '../steps/backfill.ts'
import {
  createSteps,
  resolveStepConfig,
  STEP_ORDER,
  type StepConfig,
  type StepFlags,
} from '../steps/registry.ts'
import type { Step, StepName } from '../steps/step.ts'
import { type WarehouseTarget, warehouseTarget, withWarehouse } from './context.ts'
import { type DemoScale, demoScale, printSample, SIMULATED_SOURCES, startDemoSimulator } from './demo.ts'
import { checkServable, serveWhileRunning, watchSignals } from './long-run.ts'
import {
  collect,
  confirmationsOption,
  dataApiOption,
  dataApiUrlOption,
  fromBlockOption,
  gammaUrlOption,
  logFormatOption,
  maxPauseOption,
  maxWalletsOption,
  parseLogFormat,
  parseServePort,
  rateOption,
  rpcUrlOption,
  serveOption,
  shardOption,
  toBlockOption,
  walletOrderOption,
  walletsFileOption,
} from './options.ts'
import { type LogFormat, ProgressBoard } from './progress.ts'

/** Failed units listed at the end of a run; the rest are in etl_errors. */
const FAILURES_LISTED = 10

interface BackfillFlags extends StepFlags {
  steps?: string
  skip?: string
  fresh: string[]
  yes?: boolean
  dryRun?: boolean
  logFormat: string
  /** --serve [PORT]: true without a port. */
  serve?: string | boolean
  /** --simulate [SIZE]: true without a size. */
  simulate?: string | boolean
}

/** A backfill's flags, all checked before it touches anything. */
interface BackfillRun {
  format: LogFormat
  target: WarehouseTarget
  config: StepConfig
  servePort?: number
  demo?: DemoScale
}

export function registerBackfill(program: Command): void {
  program
    .command('backfill')
    .description(`run every step in order (${STEP_ORDER.join(', ')}), each resuming where it stopped`)
    .option('--steps <list>', 'only these steps, comma-separated')
    .option('--skip <list>', 'all steps but these, comma-separated')
    .option('--fresh <step>', "discard a step's progress first (repeatable; asks, or --yes)", collect, [])
    .option('-y, --yes', 'do not ask before --fresh')
    .option('--dry-run', 'change nothing: print what is done, what remains, and its cost at the rate limits')
    .addOption(logFormatOption())
    .addOption(serveOption())
    .option(
      '--simulate [size]',
      'run against the bundled Polymarket simulator (small | medium) and print a sample',
    )
    .addOption(gammaUrlOption())
    .addOption(dataApiUrlOption())
    .addOption(rpcUrlOption())
    .addOption(fromBlockOption())
    .addOption(toBlockOption())
    .addOption(confirmationsOption())
    .addOption(shardOption())
    .addOption(walletsFileOption())
    .addOption(dataApiOption())
    .addOption(maxWalletsOption())
    .addOption(walletOrderOption())
    .addOption(rateOption())
    .addOption(maxPauseOption())
    .action(async (flags: BackfillFlags, command: Command) => {
      const run = checkBackfill(flags, command)
      if (!flags.dryRun) await confirmFresh(flags)
      // --simulate: the bundled simulator stands in for Polymarket and Polygon (the demo, and any
      // machine that cannot reach them); the steps find it through the usual URL variables.
      const sim = run.demo ? await startDemoSimulator(run.demo) : undefined
      try {
        const config = sim
          ? resolveStepConfig(run.config.names, { ...flags, ...run.target.dirs })
          : run.config
        await withWarehouse(run.target, async (warehouse) => {
          const { steps, close } = createSteps(config)
          try {
            if (flags.dryRun) return await printPlans(warehouse, steps)
            await discardProgress(warehouse, steps, flags.fresh)
            const server =
              run.servePort === undefined ? undefined : await serveWhileRunning(warehouse, run.servePort)
            try {
              process.exitCode = await backfill(warehouse, steps, run.format, process.argv.slice(2))
            } finally {
              await server?.close()
            }
            if (sim && process.exitCode === 0) await printSample(warehouse)
          } finally {
            await close()
          }
        })
      } finally {
        await sim?.close()
      }
    })
}

/**
 * Every flag and the environment the run reads, checked; nothing is opened, created or fetched.
 * With --simulate the source URLs are the simulator's, known once it listens: the flags are checked
 * against stand-ins here and the configuration resolved again when it runs.
 */
function checkBackfill(flags: BackfillFlags, command: Command): BackfillRun {
  const format = parseLogFormat(flags.logFormat)
  const names = selectSteps(flags.steps, flags.skip)
  for (const step of flags.fresh) if (!STEP_ORDER.includes(step as StepName)) throw unknownStep(step)
  if (flags.fresh.length > 0 && !flags.yes && !flags.dryRun && !process.stdin.isTTY) {
    throw new UsageError(`--fresh ${flags.fresh.join(',')} discards progress and needs confirmation`, {
      hint: 'add --yes when not on a terminal',
    })
  }
  const servePort = flags.serve === undefined ? undefined : parseServePort(flags.serve)
  const demo = flags.simulate ? demoScale(flags.simulate) : undefined
  const target = warehouseTarget(command)
  if (servePort !== undefined) checkServable(target)
  const env = demo ? { ...process.env, ...SIMULATED_SOURCES } : process.env
  const config = resolveStepConfig(names, { ...flags, ...target.dirs }, env)
  return {
    format,
    target,
    config,
    ...(servePort !== undefined ? { servePort } : {}),
    ...(demo ? { demo } : {}),
  }
}

async function backfill(
  warehouse: Warehouse,
  steps: Step[],
  format: LogFormat,
  args: string[],
): Promise<number> {
  const board = new ProgressBoard({ format, tty: format === 'text' && process.stdout.isTTY === true })
  const runLog = new RunLog(warehouse, 'backfill', args)
  const controller = new AbortController()
  const stop = watchSignals(controller, board)
  await runLog.start()
  board.start()
  try {
    const result = await runBackfill({ warehouse, steps, runLog, board, signal: controller.signal })
    const failures = result.outcomes.flatMap(({ step, outcome }) =>
      outcome.failures.map((failure) => ({ step, ...failure })),
    )
    if (result.interrupted) {
      await runLog.finish('interrupted')
      board.log('warn', 'interrupted: committed work is kept; run the same command to resume')
      return new InterruptedError('interrupted').exitCode
    }
    if (failures.length > 0) {
      await runLog.finish('failed', `${failures.length} failed units`)
      for (const failure of failures.slice(0, FAILURES_LISTED)) {
        board.log('error', `failed: ${failure.unit}: ${failure.error}`, { step: failure.step })
      }
      if (failures.length > FAILURES_LISTED) {
        board.log(
          'error',
          `… and ${failures.length - FAILURES_LISTED} more (polyhouse query "SELECT * FROM etl_errors")`,
        )
      }
      const again = [...new Set(failures.map((failure) => failure.step))].join(',')
      board.log(
        'error',
        `${failures.length} units failed; retry them with: polyhouse backfill --steps ${again}`,
      )
      return 1
    }
    await runLog.finish('succeeded')
    board.log('info', `backfill complete (run ${runLog.runId})`)
    return 0
  } finally {
    board.stop()
    stop()
  }
}

async function printPlans(warehouse: Warehouse, steps: Step[]): Promise<void> {
  const plans = await planBackfill(warehouse, steps)
  for (const { step, plan } of plans) {
    const hours = plan.seconds / 3600
    const time =
      plan.seconds === 0
        ? 'nothing to fetch'
        : hours >= 1
          ? `${hours.toFixed(1)} h`
          : `${Math.ceil(plan.seconds / 60)} min`
    process.stdout.write(
      `${step}: ${plan.done.toLocaleString('en-US')} ${plan.unit} done, ${plan.remaining.toLocaleString('en-US')} remaining` +
        ` · ${plan.requests.toLocaleString('en-US')} requests · ${time} at the rate limits${plan.detail ? ` · ${plan.detail}` : ''}\n`,
    )
  }
}

/** `--fresh` on a terminal without --yes: asks before anything is opened (checkBackfill refused it elsewhere). */
async function confirmFresh(flags: BackfillFlags): Promise<void> {
  if (flags.fresh.length === 0 || flags.yes) return
  const prompt = readline.createInterface({ input: process.stdin, output: process.stdout })
  const answer = await prompt.question(`Discard the progress of ${flags.fresh.join(', ')}? [y/N] `)
  prompt.close()
  if (!/^y(es)?$/i.test(answer.trim()))
    throw new UsageError('nothing discarded', { hint: 'answer y, or leave out --fresh' })
}

async function discardProgress(warehouse: Warehouse, steps: Step[], fresh: string[]): Promise<void> {
  if (fresh.length === 0) return
  const { CheckpointStore } = await import('../checkpoints/store.ts')
  const checkpoints = new CheckpointStore(warehouse, 'fresh')
  const signal = new AbortController().signal
  for (const step of steps)
    if (fresh.includes(step.name)) await step.reset({ warehouse, checkpoints, signal })
}

export function selectSteps(only: string | undefined, skip: string | undefined): StepName[] {
  if (only && skip)
    throw new UsageError('--steps and --skip cannot be used together', { hint: 'use one of them' })
  const parse = (list: string) =>
    list
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean)
      .map((name) => {
        if (!STEP_ORDER.includes(name as StepName)) throw unknownStep(name)
        return name as StepName
      })
  if (only) {
    const wanted = new Set(parse(only))
    return STEP_ORDER.filter((name) => wanted.has(name))
  }
  const skipped = new Set(skip ? parse(skip) : [])
  return STEP_ORDER.filter((name) => !skipped.has(name))
}

function unknownStep(name: string): UsageError {
  return new UsageError(`unknown step '${name}'`, { hint: `steps are ${STEP_ORDER.join(', ')}` })
}
