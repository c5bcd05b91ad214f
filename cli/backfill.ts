// polyhouse backfill: the overnight run. Flags are parsed here; the work is steps/backfill.ts.
import readline from 'node:readline/promises'
import type { Command } from 'commander'
import { InterruptedError, UsageError } from '../core/errors.ts'
import { runQuery } from '../load/query.ts'
import { RunLog } from '../load/run-log.ts'
import { sha256Hex } from '../load/serve/auth.ts'
import { DEFAULT_PORT } from '../load/serve/options.ts'
import { startServer } from '../load/serve/server.ts'
import type { Warehouse } from '../load/warehouse.ts'
import { planBackfill, runBackfill } from '../steps/backfill.ts'
import { type LogFormat, ProgressBoard } from '../steps/progress.ts'
import { createSteps, STEP_ORDER, type StepOptions } from '../steps/registry.ts'
import type { Step, StepName } from '../steps/step.ts'
import { sqlDirs, withWarehouse } from './context.ts'

/** Failed units listed at the end of a run; the rest are in etl_errors. */
const FAILURES_LISTED = 10

interface BackfillFlags extends StepOptions {
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

export function registerBackfill(program: Command): void {
  program
    .command('backfill')
    .description(`run every step in order (${STEP_ORDER.join(', ')}), each resuming where it stopped`)
    .option('--steps <list>', 'only these steps, comma-separated')
    .option('--skip <list>', 'all steps but these, comma-separated')
    .option('--fresh <step>', "discard a step's progress first (repeatable; asks, or --yes)", collect, [])
    .option('-y, --yes', 'do not ask before --fresh')
    .option('--dry-run', 'change nothing: print what is done, what remains, and its cost at the rate limits')
    .option('--log-format <format>', 'text | json', 'text')
    .option('--serve [port]', 'serve the warehouse read-only to ClickHouse clients while it runs (port 8123)')
    .option(
      '--simulate [size]',
      'run against the bundled Polymarket simulator (small | medium) and print a sample',
    )
    .option('--gamma-url <url>', 'Gamma API (env GAMMA_URL)')
    .option('--data-api-url <url>', 'Data API (env DATA_API_URL)')
    .option('--rpc-url <url>', 'chain, transfers and amm steps: Polygon JSON-RPC (env POLYGON_RPC_URL)')
    .option(
      '--from-block <n>',
      'chain, transfers and amm steps: first block (default: the V1 exchange deployment 33605403 for fills, ConditionalTokens deployment 4023686 for transfers, the FPMM factory deployment 4023693 for amm)',
    )
    .option(
      '--to-block <n>',
      'chain, transfers and amm steps: last block (default: the tip minus --confirmations)',
    )
    .option(
      '--confirmations <n>',
      'chain, transfers and amm steps: blocks below the tip left unread (default 32; 0 for a local node)',
    )
    .option(
      '--shard <i/n>',
      'chain, transfers and amm steps: this process takes shard i of n of the block space (with a ClickHouse server)',
    )
    .option('--wallets <file>', 'wallets step: also fetch these wallets (one 0x address a line)')
    .option('--data-api <version>', 'wallets step: v1 (offset pages) or v2 (cursor pages)', 'v1')
    .option('--max-wallets <n>', 'wallets step: fetch at most N wallets this run; the rest stay queued')
    .option(
      '--wallet-order <order>',
      'wallets step: activity (most chain rows first, default), recent (newest activity first) or address',
    )
    .option('--rate <spec>', 'rate limits, e.g. data-api=10/s,gamma=300/10s,rpc=25/s (env POLYHOUSE_RATE)')
    .option(
      '--max-pause <duration>',
      "longest wait a server's Retry-After may impose, e.g. 2m (default 1m; env POLYHOUSE_MAX_PAUSE)",
    )
    .action(async (flags: BackfillFlags, command: Command) => {
      const format = parseLogFormat(flags.logFormat)
      const selected = selectSteps(flags.steps, flags.skip)
      for (const step of flags.fresh) if (!STEP_ORDER.includes(step as StepName)) throw unknownStep(step)
      // --simulate: the bundled simulator stands in for Polymarket and Polygon (the demo, and any
      // machine that cannot reach them); the steps find it through the usual URL variables.
      const sim = flags.simulate ? await startDemoSimulator(flags.simulate) : undefined
      try {
        await withWarehouse(command, async (warehouse) => {
          const { steps, close } = createSteps(selected, { ...flags, ...sqlDirs(command) })
          try {
            if (flags.dryRun) return await printPlans(warehouse, steps)
            await discardProgress(warehouse, steps, flags)
            const server =
              flags.serve === undefined ? undefined : await serveWhileRunning(warehouse, flags.serve)
            try {
              process.exitCode = await backfill(warehouse, steps, format, process.argv.slice(2))
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

/** Sizes of the demo world: large enough to show every step at work, small enough for minutes. */
const DEMO_SCALES = {
  small: { markets: 2_000, wallets: 200, fills: 20_000, blocks: 200_000 },
  medium: { markets: 20_000, wallets: 2_000, fills: 200_000, blocks: 2_000_000 },
} as const

async function startDemoSimulator(scale: string | boolean) {
  const name = scale === true ? 'small' : scale
  const size = DEMO_SCALES[name as keyof typeof DEMO_SCALES]
  if (!size)
    throw new UsageError(`--simulate ${name} is not a demo size`, {
      hint: `use ${Object.keys(DEMO_SCALES).join(' or ')}`,
    })
  const { startSimulator } = await import('../simulator/index.ts')
  const sim = await startSimulator({ seed: 'demo', ...size, latency: { baseMs: 20, jitterMs: 10 } })
  for (const [name, value] of Object.entries(sim.env)) process.env[name] = value
  process.stderr.write(
    `polyhouse: simulating Polymarket (${size.markets.toLocaleString('en-US')} markets, ${size.wallets.toLocaleString('en-US')} wallets, ${size.fills.toLocaleString('en-US')} fills) at ${sim.gammaUrl}, ${sim.dataApiUrl}, ${sim.rpcUrl}\n`,
  )
  return sim
}

/** After a demo: what an analyst would look at first. */
async function printSample(warehouse: Warehouse): Promise<void> {
  const views = await warehouse.query<{ name: string }>(
    "SELECT name FROM system.tables WHERE database = currentDatabase() AND name = 'vw_trades_unified'",
  )
  const sql = views.length
    ? `SELECT source, side, shares, price, substring(question, 1, 40) AS question, outcome, time
       FROM vw_trades_unified
       WHERE wallet = (SELECT wallet FROM vw_trades_unified WHERE source = 'blockchain' GROUP BY wallet ORDER BY count() DESC LIMIT 1)
       ORDER BY source, time DESC LIMIT 5 BY source`
    : 'SELECT market_id, substring(question, 1, 50) AS question, event_title, volume FROM vw_markets ORDER BY volume DESC LIMIT 10'
  process.stdout.write(
    `\n${views.length ? 'vw_trades_unified for the most active wallet, both sources' : 'vw_markets'}, a sample:\n`,
  )
  process.stdout.write(await runQuery(warehouse, sql, [], 'table'))
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

/** `--serve`: analysts query the warehouse over ClickHouse's HTTP interface while the backfill writes. */
export async function serveWhileRunning(warehouse: Warehouse, serve: string | boolean) {
  if (warehouse.config.kind !== 'embedded') {
    throw new UsageError('--serve shares an embedded warehouse, and CLICKHOUSE_URL points at a server', {
      hint: 'connect ClickHouse clients to that server directly, or leave out --serve',
    })
  }
  const port = serve === true ? DEFAULT_PORT : Number(serve)
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UsageError(`--serve ${serve} is not a port`, { hint: `e.g. --serve ${DEFAULT_PORT}` })
  }
  const password = process.env.POLYHOUSE_SERVE_PASSWORD
  const server = await startServer(warehouse, {
    port,
    ...(password ? { users: [{ name: 'default', passwordSha256Hex: sha256Hex(password) }] } : {}),
  })
  process.stderr.write(`polyhouse: serving ${warehouse.location} read-only at ${server.url}\n`)
  return server
}

/** SIGHUP is ignored (nohup); the first SIGINT/SIGTERM stops taking units, a second exits at once. */
export function watchSignals(controller: AbortController, board: ProgressBoard): () => void {
  const ignore = () => {}
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      // Still safe: nothing is recorded done before ClickHouse acknowledged it.
      process.exit(130)
    }
    board.log(
      'warn',
      `${signal}: finishing in-flight units and committing checkpoints (send again to exit now)`,
    )
    controller.abort(new InterruptedError(signal))
  }
  process.on('SIGHUP', ignore)
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return () => {
    process.off('SIGHUP', ignore)
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
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

async function discardProgress(warehouse: Warehouse, steps: Step[], flags: BackfillFlags): Promise<void> {
  if (flags.fresh.length === 0) return
  if (!flags.yes) {
    if (!process.stdin.isTTY) {
      throw new UsageError(`--fresh ${flags.fresh.join(',')} discards progress and needs confirmation`, {
        hint: 'add --yes when not on a terminal',
      })
    }
    const prompt = readline.createInterface({ input: process.stdin, output: process.stdout })
    const answer = await prompt.question(`Discard the progress of ${flags.fresh.join(', ')}? [y/N] `)
    prompt.close()
    if (!/^y(es)?$/i.test(answer.trim()))
      throw new UsageError('nothing discarded', { hint: 'answer y, or leave out --fresh' })
  }
  const { CheckpointStore } = await import('../checkpoints/store.ts')
  const checkpoints = new CheckpointStore(warehouse, 'fresh')
  const signal = new AbortController().signal
  for (const step of steps)
    if (flags.fresh.includes(step.name)) await step.reset({ warehouse, checkpoints, signal })
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

export function parseLogFormat(value: string): LogFormat {
  if (value === 'text' || value === 'json') return value
  throw new UsageError(`--log-format ${value} is not supported`, { hint: 'use text or json' })
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}
