// `polyhouse sync`: keeping the warehouse current after the backfill. Pollers (poller.ts) run on
// their own cadences: `--once` polls each in POLLER_ORDER; the looping form runs each on its own
// timer, never overlapping itself, until the signal. A poll that fails is logged and retried at
// its next turn; an interruption lets the polls in flight commit what they fetched, then stops.
import { CheckpointStore } from '../../checkpoints/store.ts'
import { InterruptedError } from '../../core/errors.ts'
import { sleep } from '../../core/sleep.ts'
import { createHttpClient } from '../../extract/http/client.ts'
import type { RunLog } from '../../load/run-log.ts'
import type { Warehouse } from '../../load/warehouse.ts'
import { createChainStep } from '../chain/index.ts'
import type { StepConfig } from '../registry.ts'
import { PROGRESS_INTERVAL_MS, type StepContext, type StepName, type StepProgress } from '../step.ts'
import { createTransfersStep } from '../transfers/index.ts'
import { createChainPoller, createWalletsPoller } from './chain.ts'
import { createGammaPollers } from './markets.ts'
import type { SyncOptions } from './options.ts'
import type { Poller, PollerName, PollOutcome } from './poller.ts'

export { DEFAULT_INTERVALS, resolveSyncOptions, type SyncFlags, type SyncOptions } from './options.ts'
export { POLLER_ORDER, type PollerName } from './poller.ts'

export interface PollerSet {
  pollers: Poller[]
  /** Closes what the pollers share (the HTTP client's connections). */
  close(): Promise<void>
}

/**
 * The steps a sync of `pollers` reads its flags for: the Gamma pollers are the markets step's
 * source, the chain poller runs the chain and transfers steps, the wallets poller the wallets
 * step's fetch. Check the flags with resolveStepConfig(syncStepNames(…), flags) first.
 */
export function syncStepNames(pollers: readonly PollerName[]): StepName[] {
  const names = new Set<StepName>()
  for (const poller of pollers) {
    if (poller === 'chain') names.add('chain').add('transfers')
    else if (poller === 'wallets') names.add('wallets')
    else names.add('markets')
  }
  return [...names]
}

/** The selected pollers, built from a checked configuration (the backfill's flags, and sync's own). */
export function createPollers(options: SyncOptions, config: StepConfig): PollerSet {
  const names = new Set(options.pollers)
  const needsHttp = options.pollers.some((name) => name !== 'chain')
  const client = needsHttp
    ? createHttpClient({ rateLimits: config.http.rateLimits, maxPauseMs: config.http.maxPauseMs })
    : undefined
  const pollers: Poller[] = []
  if (client) {
    const gamma = createGammaPollers({
      http: client,
      gammaUrl: config.http.gammaUrl,
      hotEvents: options.hotEvents,
    })
    for (const name of ['hot', 'open', 'resolution', 'short'] as const)
      if (names.has(name)) pollers.push(gamma[name])
  }
  if (names.has('chain')) {
    if (!config.chain || !config.transfers)
      throw new Error('the chain poller needs the chain and transfers steps in its configuration')
    pollers.push(createChainPoller(createChainStep(config.chain), createTransfersStep(config.transfers)))
  }
  if (names.has('wallets') && client) {
    const { version } = config.wallets
    pollers.push(
      createWalletsPoller({
        http: client,
        dataApiUrl: config.http.dataApiUrl,
        perPoll: options.walletsPerPoll,
        ...(version ? { version } : {}),
      }),
    )
  }
  return {
    pollers,
    close: async () => {
      await client?.close()
    },
  }
}

/** Where the poll lines go (cli/sync.ts prints them, timestamped). */
export type SyncLog = (
  level: 'info' | 'warn' | 'error',
  message: string,
  fields: { step: PollerName } & Record<string, unknown>,
) => void

/** In the looping form, a poller's first poll waits for another's first poll (when both run). */
const WAITS_FOR: Partial<Record<PollerName, PollerName>> = { resolution: 'open', wallets: 'chain' }

export interface SyncResult {
  polls: number
  /** Polls that ended with failed units or failed outright. */
  failedPolls: number
  interrupted: boolean
}

export async function runSync(params: {
  warehouse: Warehouse
  runLog: RunLog
  pollers: readonly Poller[]
  options: Pick<SyncOptions, 'once' | 'intervals'>
  signal: AbortSignal
  log: SyncLog
}): Promise<SyncResult> {
  const { warehouse, runLog, signal, log } = params
  const checkpoints = new CheckpointStore(warehouse, runLog.runId)
  const result: SyncResult = { polls: 0, failedPolls: 0, interrupted: false }

  const pollOnce = async (poller: Poller): Promise<void> => {
    const startedAt = Date.now()
    let latest: Partial<StepProgress> | undefined
    // A long poll (the chain catching up after a night off) still says how it goes.
    const ticker = setInterval(() => {
      if (latest?.done !== undefined)
        log(
          'info',
          `… ${latest.done.toLocaleString('en-US')}${latest.total !== undefined ? `/${latest.total.toLocaleString('en-US')}` : ''} ${latest.unit ?? 'units'} · rows ${(latest.rows ?? 0).toLocaleString('en-US')}`,
          { step: poller.name },
        )
    }, PROGRESS_INTERVAL_MS)
    ticker.unref()
    const context: StepContext = {
      warehouse,
      checkpoints,
      runLog,
      signal,
      reporter: {
        update: (progress) => {
          latest = { ...latest, ...progress }
        },
        note: (message) => log('info', message, { step: poller.name }),
      },
    }
    let outcome: PollOutcome
    try {
      outcome = await poller.poll(context)
    } catch (error) {
      const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)
      if (error instanceof InterruptedError && signal.aborted) {
        outcome = { rows: 0, summary: 'stopped', failures: [] }
      } else {
        await runLog.error({ stream: `sync.${poller.name}`, unit: poller.name, error }).catch(() => {})
        outcome = {
          rows: 0,
          summary: `poll failed: ${message}`,
          failures: [{ unit: poller.name, error: message }],
        }
      }
    } finally {
      clearInterval(ticker)
    }
    const ms = Date.now() - startedAt
    result.polls++
    runLog.count(`${poller.name}.polls`)
    runLog.count(`${poller.name}.rows`, outcome.rows)
    if (outcome.failures.length > 0) {
      result.failedPolls++
      runLog.count(`${poller.name}.failed_polls`)
    }
    await runLog.checkpoint().catch(() => {})
    const interrupted = signal.aborted ? ' · interrupted' : ''
    log(outcome.failures.length > 0 ? 'warn' : 'info', `${outcome.summary}${interrupted} · ${seconds(ms)}`, {
      step: poller.name,
      rows: outcome.rows,
      ms,
      failures: outcome.failures.length,
    })
    for (const failure of outcome.failures.slice(0, 3))
      log('warn', `failed: ${failure.unit}: ${failure.error}`, { step: poller.name })
  }

  if (params.options.once) {
    // One pass in order: resolutions see a fresh open listing, wallets see the new fills.
    for (const poller of params.pollers) {
      if (signal.aborted) break
      await pollOnce(poller)
    }
  } else {
    // Every poller on its own timer from the start, so a long first poll (the chain catching up
    // after days off) holds back no other; only the two dependencies wait for a first poll.
    const firstPoll = new Map(params.pollers.map((poller) => [poller.name, signalled()]))
    await Promise.all(
      params.pollers.map(async (poller) => {
        const after = WAITS_FOR[poller.name]
        if (after) await firstPoll.get(after)?.promise
        const interval = params.options.intervals[poller.name]
        let next = Date.now()
        while (!signal.aborted) {
          await sleep(next - Date.now(), signal)
          if (signal.aborted) break
          const startedAt = Date.now()
          await pollOnce(poller)
          firstPoll.get(poller.name)?.resolve()
          // The next poll starts an interval after this one started; an overrun starts it at once.
          next = startedAt + interval
        }
        firstPoll.get(poller.name)?.resolve()
      }),
    )
  }
  result.interrupted = signal.aborted
  return result
}

/** A promise and the function that resolves it (Promise.withResolvers is Node 22). */
function signalled(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {}
  const promise = new Promise<void>((done) => {
    resolve = done
  })
  return { promise, resolve }
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`
}
