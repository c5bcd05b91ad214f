// polyhouse status [--json] [--watch] [--stale 7d]: the morning read. The work is steps/status.ts.
import type { Command } from 'commander'
import { parseDuration } from '../core/duration.ts'
import { UsageError, WarehouseLockedError } from '../core/errors.ts'
import { sleep } from '../core/sleep.ts'
import { resolveHttpConfig } from '../extract/http/config.ts'
import type { RateLimit } from '../extract/http/rates.ts'
import { type OwnerReport, ownerReport } from '../load/owner/report.ts'
import { collectPipelineStatus, type PipelineStatus } from '../steps/status.ts'
import { readChainTip, tipRpcUrl } from '../steps/tip.ts'
import { reportFailure, warehouseTarget, withWarehouse } from './context.ts'
import { formatOwner, withOwnerLine } from './status-owner.ts'
import { formatPipelineStatus } from './status-text.ts'

/** `--watch` refreshes this often unless `--interval` says otherwise: a glance, not a load. */
export const WATCH_INTERVAL_SECONDS = 5
/** Wallets fetched longer ago than this are stale: a week, as the issue's `--stale 7d`. */
export const DEFAULT_STALE = '7d'
/** Clears a terminal and homes the cursor, so a watched status redraws in place. */
const CLEAR_SCREEN = '\u001b[H\u001b[2J'

interface StatusFlags {
  json?: boolean
  watch?: boolean
  interval: string
  stale: string
  since?: string
  rpcUrl?: string
  rate?: string
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description(
      'the morning read: each step done/total, last run, errors, quarantine, orphans, block gaps, wallets, views',
    )
    .option('--json', 'print one JSON document (with --watch: one line per refresh)')
    .option('--watch', 'refresh until Ctrl-C')
    .option('--interval <seconds>', 'with --watch: seconds between refreshes', String(WATCH_INTERVAL_SECONDS))
    .option(
      '--stale <duration>',
      'wallets fetched longer ago than this are stale (e.g. 7d, 12h)',
      DEFAULT_STALE,
    )
    .option('--since <duration>', 'errors of every run in this past span (default: the last run’s)')
    .option(
      '--rpc-url <url>',
      'Polygon JSON-RPC, to measure block coverage up to the tip (env POLYGON_RPC_URL)',
    )
    .option('--rate <spec>', 'rate limits for the time estimates (env POLYHOUSE_RATE)')
    .action(async (flags: StatusFlags, command: Command) => {
      const staleAfterMs = parseDuration(flags.stale, '--stale')
      const sinceMs = flags.since === undefined ? undefined : parseDuration(flags.since, '--since')
      const interval = Number(flags.interval)
      if (!Number.isFinite(interval) || interval <= 0) {
        throw new UsageError(`--interval ${flags.interval} is not a number of seconds`, {
          hint: 'e.g. --interval 5',
        })
      }
      const positionsRate = resolveHttpConfig({ ...(flags.rate ? { rate: flags.rate } : {}) }).rateLimits[
        'data-api-positions'
      ] as RateLimit
      const rpcUrl = tipRpcUrl(flags.rpcUrl)
      const target = warehouseTarget(command)
      const collect = async (): Promise<Collected> => {
        const tip = await readChainTip(rpcUrl)
        const now = Date.now()
        // Read before opening: once open, this process is the holder.
        const owner = ownerReport(target.config)
        try {
          const status = await withWarehouse(target, (warehouse) =>
            collectPipelineStatus(warehouse, {
              dirs: target.dirs,
              staleAfterMs,
              errorsSinceMs: sinceMs === undefined ? undefined : now - sinceMs,
              tip,
              positionsRate,
              now,
            }),
          )
          return { status, owner }
        } catch (error) {
          // Held by a process that does not serve it: who holds it is all status can say.
          if (owner && error instanceof WarehouseLockedError) process.stdout.write(ownerOnly(owner, flags))
          throw error
        }
      }
      if (!flags.watch) {
        process.stdout.write(render(await collect(), flags.json === true, false))
        return
      }
      await watch(collect, { json: flags.json === true, intervalMs: interval * 1000, command })
    })
}

interface Collected {
  status: PipelineStatus
  /** The process holding an embedded warehouse (none for a server). */
  owner: OwnerReport | undefined
}

function render({ status, owner }: Collected, json: boolean, watching: boolean): string {
  const document = owner ? { ...status, process: owner } : status
  if (json) return watching ? `${JSON.stringify(document)}\n` : `${JSON.stringify(document, null, 2)}\n`
  return withOwnerLine(formatPipelineStatus(status), owner)
}

function ownerOnly(owner: OwnerReport, flags: StatusFlags): string {
  if (!flags.json) return `${formatOwner(owner)}\n`
  return flags.watch
    ? `${JSON.stringify({ process: owner })}\n`
    : `${JSON.stringify({ process: owner }, null, 2)}\n`
}

/**
 * Refreshes until SIGINT/SIGTERM (exit 0: stopping is how a watch ends). The warehouse is opened
 * per refresh, so between refreshes an embedded directory is free for a backfill to take; once a
 * backfill serves it (`--serve`), the refreshes go through that process over HTTP. A refresh that
 * fails (the directory held by a process that does not serve it) is printed, and the watch goes on.
 */
async function watch(
  collect: () => Promise<Collected>,
  options: { json: boolean; intervalMs: number; command: Command },
): Promise<void> {
  const stop = new AbortController()
  const onSignal = () => {
    if (stop.signal.aborted) process.exit(0)
    stop.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const tty = process.stdout.isTTY === true && !options.json
  const verbose = options.command.optsWithGlobals().verbose === true
  try {
    while (!stop.signal.aborted) {
      let text: string
      try {
        text = render(await collect(), options.json, true)
      } catch (error) {
        if (error instanceof UsageError) throw error
        reportFailure(error, verbose)
        text = ''
      }
      if (stop.signal.aborted) break
      const footer = options.json
        ? ''
        : `— refreshed ${new Date().toISOString()}, every ${options.intervalMs / 1000}s; Ctrl-C to stop\n`
      process.stdout.write(tty ? `${CLEAR_SCREEN}${text}${footer}` : `${text}${footer}`)
      await sleep(options.intervalMs, stop.signal)
    }
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
