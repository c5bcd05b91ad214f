// polyhouse sync [--once]: keep the warehouse current after the backfill. Flags are parsed here;
// the pollers and their schedule are steps/sync/.
import type { Command } from 'commander'
import { InterruptedError } from '../core/errors.ts'
import { RunLog } from '../load/run-log.ts'
import type { Warehouse } from '../load/warehouse.ts'
import { resolveStepConfig, type StepFlags } from '../steps/registry.ts'
import {
  createPollers,
  DEFAULT_INTERVALS,
  POLLER_ORDER,
  resolveSyncOptions,
  runSync,
  type SyncFlags,
  type SyncOptions,
  syncStepNames,
} from '../steps/sync/index.ts'
import type { Poller } from '../steps/sync/poller.ts'
import { warehouseTarget, withWarehouse } from './context.ts'
import { checkServable, serveWhileRunning, watchSignals } from './long-run.ts'
import {
  confirmationsOption,
  dataApiOption,
  dataApiUrlOption,
  fromBlockOption,
  gammaUrlOption,
  logFormatOption,
  parseLogFormat,
  parseServePort,
  rateOption,
  rpcUrlOption,
  serveOption,
} from './options.ts'
import { type LogFormat, ProgressBoard } from './progress.ts'

/** What each poller keeps current, for --help: "how often to …". */
const POLLER_HELP = {
  hot: 're-fetch the largest open events by volume and their markets',
  open: 'walk every open market and event',
  resolution: 're-check markets and events stored open that Gamma no longer lists open',
  short: 're-fetch markets ending within an hour of now',
  chain: 'read new blocks (to the tip minus the confirmations)',
  wallets: 're-fetch the positions of wallets with newer chain activity',
} as const

interface SyncCommandFlags extends SyncFlags, StepFlags {
  logFormat: string
  /** --serve [PORT]: true without a port. */
  serve?: string | boolean
}

export function registerSync(program: Command): void {
  const command = program
    .command('sync')
    .description(
      'keep the warehouse current: each poller on its own cadence until SIGINT/SIGTERM, or one pass with --once',
    )
    .option('--once', 'run every poller once, in order, then exit (for cron)')
    .option('--pollers <list>', `only these pollers, comma-separated: ${POLLER_ORDER.join(', ')}`)
  for (const name of POLLER_ORDER)
    command.option(
      `--${name}-interval <duration>`,
      `${name}: how often to ${POLLER_HELP[name]} (default ${DEFAULT_INTERVALS[name]})`,
    )
  command
    .option('--hot-events <n>', 'hot: how many of the largest open events (default 100)')
    .option(
      '--wallets-per-poll <n>',
      'wallets: fetch at most N wallets a poll, freshest activity first (default 4500)',
    )
    // The source, rate and block flags as backfill defines them (cli/options.ts), and `--serve` (a
    // looping sync holds an embedded warehouse as a backfill does).
    .addOption(logFormatOption())
    .addOption(serveOption())
    .addOption(gammaUrlOption())
    .addOption(dataApiUrlOption())
    .addOption(rpcUrlOption('chain poller'))
    .addOption(fromBlockOption())
    .addOption(confirmationsOption())
    .addOption(dataApiOption())
    .addOption(rateOption())
  command.action(async (flags: SyncCommandFlags, command: Command) => {
    // Everything is checked before the warehouse is opened or a poller built.
    const format = parseLogFormat(flags.logFormat)
    const options = resolveSyncOptions(flags)
    const servePort = flags.serve === undefined ? undefined : parseServePort(flags.serve)
    const target = warehouseTarget(command)
    if (servePort !== undefined) checkServable(target)
    const config = resolveStepConfig(syncStepNames(options.pollers), { ...flags, ...target.dirs })
    const { pollers, close } = createPollers(options, config)
    try {
      await withWarehouse(target, async (warehouse) => {
        const server = servePort === undefined ? undefined : await serveWhileRunning(warehouse, servePort)
        try {
          process.exitCode = await sync(warehouse, pollers, options, format)
        } finally {
          await server?.close()
        }
      })
    } finally {
      await close()
    }
  })
}

async function sync(
  warehouse: Warehouse,
  pollers: Poller[],
  options: SyncOptions,
  format: LogFormat,
): Promise<number> {
  // One line per poll, also on a terminal: sync is a daemon's log, not a progress display.
  const board = new ProgressBoard({ format, tty: false })
  const runLog = new RunLog(warehouse, 'sync', process.argv.slice(2))
  const controller = new AbortController()
  const stop = watchSignals(controller, board)
  await runLog.start()
  const plan = options.once
    ? `one pass of ${pollers.map((poller) => poller.name).join(', ')}`
    : pollers.map((poller) => `${poller.name} every ${every(options.intervals[poller.name])}`).join(', ')
  board.log('info', `sync (run ${runLog.runId}): ${plan}`)
  try {
    const result = await runSync({
      warehouse,
      runLog,
      pollers,
      options,
      signal: controller.signal,
      log: (level, message, fields) => board.log(level, message, fields),
    })
    if (result.interrupted) {
      await runLog.finish('interrupted')
      board.log('warn', `stopped after ${result.polls} polls: what was fetched is committed`)
      return new InterruptedError('interrupted').exitCode
    }
    if (result.failedPolls > 0) {
      await runLog.finish('failed', `${result.failedPolls} polls with failures`)
      board.log(
        'error',
        `${result.failedPolls} of ${result.polls} polls had failures (polyhouse query "SELECT * FROM etl_errors"); the next pass retries them`,
      )
      return 1
    }
    await runLog.finish('succeeded')
    board.log('info', `sync pass complete (run ${runLog.runId})`)
    return 0
  } finally {
    stop()
  }
}

function every(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`
}
