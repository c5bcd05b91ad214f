// The wallets step: every wallet seen on chain (makers and non-exchange takers of chain_fills) or
// listed with --wallets FILE gets a complete snapshot of its Data API positions. The wallets table
// is the checkpoint: a wallet is done when its row carries positions_snapshot_at, written only
// after all its pages are in the warehouse; resuming is "wallets not fetched yet".
import { attemptsOf, InterruptedError, isSourceDown } from '../../core/errors.ts'
import { NON_WALLET_CONTRACTS } from '../../extract/chain/contracts.ts'
import { type DataApiVersion, fetchWalletPositions } from '../../extract/data-api/positions.ts'
import type { HttpClient } from '../../extract/http/client.ts'
import type { RateLimit } from '../../extract/http/rates.ts'
import { UnitCommitter } from '../../load/committer.ts'
import type { QuarantinedRecord } from '../../load/run-log.ts'
import type { Step, StepContext, StepOutcome, StepPlan, UnitFailure } from '../step.ts'
import { runUnits } from '../units.ts'
import { positionRow } from './rows.ts'
import { activityScoreSql, SEEN_ON_CHAIN_SQL, type WalletOrder } from './seen.ts'

/**
 * Wallets fetched at once. At the documented 15 requests/s and ~150 ms a request, 3 in flight
 * keep the limiter busy; 32 covers slow answers and multi-page wallets. The limiter keeps the rate.
 */
export const WALLET_CONCURRENCY = 32
/** Wallets read from the warehouse at a time: memory stays bounded by this, not by the wallet count. */
export const WALLET_BATCH = 5_000

export interface WalletsStepOptions {
  http: HttpClient
  dataApiUrl: string
  rateLimits: Readonly<Record<string, RateLimit>>
  version?: DataApiVersion
  /** `--wallets FILE`, read and checked before the run (extract/data-api/wallet-list.ts). */
  listedWallets?: readonly string[]
  maxWallets?: number
  /** Which wallets first: most chain rows (default), newest chain activity, or by address. */
  walletOrder?: WalletOrder
  concurrency?: number
}

interface Progress {
  done: number
  total: number
  rows: number
  failures: UnitFailure[]
}

/** Wallets on chain that polyhouse has not recorded yet, as discovery rows (never fetched). */
export const DISCOVER_SQL = `
INSERT INTO wallets (wallet, source, first_seen_block, _run_id)
SELECT wallet, 'chain', min(block_number), {run:String}
FROM (${SEEN_ON_CHAIN_SQL})
WHERE wallet NOT IN (SELECT wallet FROM wallets)
GROUP BY wallet`

/**
 * Queues the wallets never fetched for this run, in `order`, at most `limit` of them: one pass over
 * the chain tables to score them (sql/023 says why), keyed so that ascending order is the order of
 * work (−score, then wallet).
 */
function queueSql(order: WalletOrder, limit: number): string {
  const key = order === 'address' ? 'toInt64(0)' : '-toInt64(a.score)'
  const activity =
    order === 'address' ? '' : `LEFT JOIN (${activityScoreSql(order)}) AS a ON a.wallet = w.wallet`
  return `
INSERT INTO etl_wallet_queue (run_id, key, wallet, source, first_seen_block)
SELECT {run:String}, ${key} AS key, w.wallet, w.source, w.first_seen_block
FROM (SELECT wallet, source, first_seen_block FROM wallets FINAL WHERE positions_snapshot_at = 0) AS w
${activity}
ORDER BY key, w.wallet
${Number.isFinite(limit) ? `LIMIT ${Math.floor(limit)}` : ''}
SETTINGS join_use_nulls = 0`
}

/** The next batch of the run's queue: a keyset walk, so a batch never repeats one still being committed. */
const NEXT_BATCH_SQL = `
SELECT wallet, source, toString(first_seen_block) AS first_seen_block, toString(key) AS queue_key
FROM etl_wallet_queue
WHERE run_id = {run:String} AND (key, wallet) > ({afterKey:Int64}, {after:String})
ORDER BY key, wallet
LIMIT {limit:UInt32}`

export function createWalletsStep(options: WalletsStepOptions): Step {
  const perSecond = () => {
    const limit = options.rateLimits['data-api-positions']
    return limit ? limit.count / (limit.windowMs / 1000) : 1
  }
  return {
    name: 'wallets',

    async plan(context): Promise<StepPlan> {
      const [row] = await context.warehouse.query<{ done: string; known: string; unseen: string }>(
        `SELECT toString(countIf(positions_snapshot_at > 0)) AS done, toString(count()) AS known,
                toString((SELECT uniqExact(wallet) FROM (${SEEN_ON_CHAIN_SQL})
                          WHERE wallet NOT IN (SELECT wallet FROM wallets))) AS unseen
         FROM wallets FINAL`,
        { contracts: [...NON_WALLET_CONTRACTS] },
      )
      const done = Number(row?.done ?? 0)
      let remaining = Number(row?.known ?? 0) - done + Number(row?.unseen ?? 0)
      if (options.maxWallets !== undefined) remaining = Math.min(remaining, options.maxWallets)
      return {
        unit: 'wallets',
        done,
        remaining,
        requests: remaining,
        seconds: remaining / perSecond(),
        detail: 'one request per wallet, more for wallets with over 500 positions',
      }
    },

    async run(context: StepContext): Promise<StepOutcome> {
      const failures: UnitFailure[] = []
      if (options.listedWallets) await addListedWallets(context, options.listedWallets)
      await context.warehouse.command(DISCOVER_SQL, {
        run: context.runLog.runId,
        contracts: [...NON_WALLET_CONTRACTS],
      })
      const [pending] = await context.warehouse.query<{ n: string }>(
        'SELECT toString(count()) AS n FROM wallets FINAL WHERE positions_snapshot_at = 0',
      )
      const budget = options.maxWallets ?? Number.POSITIVE_INFINITY
      const progress: Progress = {
        done: 0,
        total: Math.min(Number(pending?.n ?? 0), budget),
        rows: 0,
        failures,
      }
      report(context, progress)
      const committer = new UnitCommitter(context.warehouse, context.runLog)
      const run = context.runLog.runId
      await context.warehouse.command(queueSql(options.walletOrder ?? 'activity', budget), { run })
      let after = ''
      let afterKey = Number.MIN_SAFE_INTEGER
      let started = 0
      while (!context.signal.aborted && started < budget) {
        const batch = await context.warehouse.query<{
          wallet: string
          source: string
          first_seen_block: string
          queue_key: string
        }>(NEXT_BATCH_SQL, {
          run,
          after,
          afterKey,
          limit: Math.min(WALLET_BATCH, budget - started),
        })
        if (batch.length === 0) break
        const last = batch[batch.length - 1]
        if (last) {
          after = last.wallet
          afterKey = Number(last.queue_key)
        }
        started += batch.length
        await runUnits(
          batch,
          { concurrency: options.concurrency ?? WALLET_CONCURRENCY, signal: context.signal },
          (wallet, signal) => fetchWallet({ ...context, signal }, options, wallet, progress, committer),
        )
      }
      // Interrupted or not, the wallets fetched so far are committed with their checkpoints.
      await committer.flush()
      await context.warehouse.command('DELETE FROM etl_wallet_queue WHERE run_id = {run:String}', { run })
      return {
        rows: progress.rows,
        failures,
        complete: !context.signal.aborted && failures.length === 0 && progress.done >= progress.total,
      }
    },

    async reset(context): Promise<void> {
      // Forget every snapshot: all wallets are fetched again (their positions are replaced).
      await context.warehouse.command(
        `INSERT INTO wallets (wallet, source, first_seen_block, positions_snapshot_at, positions_count, _run_id)
         SELECT wallet, source, first_seen_block, 0, 0, 'fresh' FROM wallets FINAL WHERE positions_snapshot_at > 0`,
      )
      await context.warehouse.command('DELETE FROM wallets WHERE positions_snapshot_at > 0')
    },
  }
}

/**
 * Fetches one wallet's positions and queues them with the wallet's checkpoint row, which the
 * committer writes only after the positions (all pages of a wallet go in one unit).
 */
export async function fetchWallet(
  context: StepContext,
  options: Pick<WalletsStepOptions, 'http' | 'dataApiUrl' | 'version'>,
  wallet: { wallet: string; source: string; first_seen_block: string },
  progress: Progress,
  /** Shared by a step's wallets; without one, the wallet is committed before this resolves. */
  shared?: UnitCommitter,
): Promise<void> {
  const committer = shared ?? new UnitCommitter(context.warehouse, context.runLog)
  await committer.room()
  const snapshotAt = Date.now()
  const runId = context.runLog.runId
  const positions: object[] = []
  const quarantined: QuarantinedRecord[] = []
  try {
    await fetchWalletPositions(
      {
        http: options.http,
        dataApiUrl: options.dataApiUrl,
        wallet: wallet.wallet,
        version: options.version ?? 'v1',
        signal: context.signal,
      },
      async ({ records }) => {
        for (const record of records) {
          if (record.ok) positions.push(positionRow(record.value, record.raw, snapshotAt, runId))
          else
            quarantined.push({
              ...(record.key ? { key: record.key } : {}),
              reason: record.reason,
              raw: JSON.stringify(record.raw),
            })
        }
      },
    )
  } catch (error) {
    if (error instanceof InterruptedError || context.signal.aborted) return
    if (isSourceDown(error)) throw error
    await context.runLog.error({
      stream: 'positions',
      unit: wallet.wallet,
      error,
      attempts: attemptsOf(error),
    })
    progress.failures.push({ unit: `wallet ${wallet.wallet}`, error: (error as Error).message })
    report(context, progress)
    return
  }
  const done = {
    wallet: wallet.wallet,
    source: wallet.source,
    first_seen_block: wallet.first_seen_block,
    positions_snapshot_at: snapshotAt,
    positions_count: positions.length,
    _run_id: runId,
  }
  // The wallet's checkpoint: written by the committer only after its positions were acknowledged.
  void committer
    .add({
      unit: `${wallet.wallet}@${snapshotAt}`,
      rows: { positions },
      quarantine: { positions: quarantined },
      after: { wallets: [done] },
    })
    .then(
      () => {
        progress.done++
        progress.rows += positions.length
        report(context, progress)
      },
      // A failed commit reaches the step through the committer's room() and flush().
      () => {},
    )
  if (!shared) await committer.flush()
}

/** --wallets FILE: the listed wallets not known yet are queued, like wallets seen on chain. */
async function addListedWallets(context: StepContext, wallets: readonly string[]): Promise<void> {
  for (let i = 0; i < wallets.length; i += WALLET_BATCH) {
    await context.warehouse.command(
      `INSERT INTO wallets (wallet, source, first_seen_block, _run_id)
       SELECT wallet, 'file', 0, {run:String} FROM (SELECT arrayJoin({wallets:Array(String)}) AS wallet)
       WHERE wallet NOT IN (SELECT wallet FROM wallets)`,
      { wallets: wallets.slice(i, i + WALLET_BATCH), run: context.runLog.runId },
    )
  }
}

function report(context: StepContext, progress: Progress): void {
  context.reporter.update({
    unit: 'wallets',
    done: progress.done,
    total: progress.total,
    rows: progress.rows,
    errors: progress.failures.length,
  })
}
