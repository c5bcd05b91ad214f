// The chain side of `polyhouse sync`:
//   chain    the chain and transfers steps again: their range-set checkpoints make each read only
//            the blocks from where it stopped to the new tip minus the confirmations (and re-check
//            the head for reorgs), so following the tip is just running them on a cadence.
//   wallets  the wallets whose chain activity is newer than their positions snapshot: a fill
//            loaded (_ingested_at) after the wallet's positions_snapshot_at, or never fetched at all.
//            Their positions are fetched again, freshest activity first, through the wallets step's
//            own fetch (the snapshot and its wallets row are the checkpoint, as in the backfill).
import { NON_WALLET_CONTRACTS } from '../../extract/chain/contracts.ts'
import type { DataApiVersion } from '../../extract/data-api/positions.ts'
import type { HttpClient } from '../../extract/http/client.ts'
import { UnitCommitter } from '../../load/committer.ts'
import { fillsCoverage, type LogStreamStep } from '../chain/index.ts'
import type { UnitFailure } from '../step.ts'
import { runUnits } from '../units.ts'
import { DISCOVER_SQL, fetchWallet, WALLET_CONCURRENCY } from '../wallets/index.ts'
import { count, type Poller } from './poller.ts'

/**
 * Wallets fetched per wallets poll at most: the Data API allows 150 /positions requests per 10 s
 * (extract/http/rates.ts), i.e. 4,500 in 5 minutes, the default interval. More wait for the next poll.
 */
export const DEFAULT_WALLETS_PER_POLL = 4_500

export function createChainPoller(step: LogStreamStep, transfers?: LogStreamStep): Poller {
  return {
    name: 'chain',
    async poll(context) {
      const outcome = await step.run(context)
      const head = (await fillsCoverage(context.checkpoints)).head?.block
      const rewinds = step.lastRun?.rewinds.length ?? 0
      const parts = [
        `${count(outcome.rows, 'new fill')}`,
        head === undefined ? 'no block read yet' : `read to block ${head.toLocaleString('en-US')}`,
        rewinds ? `${count(rewinds, 'reorg')} rewound` : '',
        outcome.failures.length ? count(outcome.failures.length, 'failed range') : '',
      ]
      const failures = [...outcome.failures]
      let rows = outcome.rows
      if (transfers && !context.signal.aborted) {
        const moved = await transfers.run(context)
        rows += moved.rows
        failures.push(...moved.failures.map((failure) => ({ ...failure, unit: `transfers ${failure.unit}` })))
        parts.push(
          `${count(moved.rows, 'new transfer row')}${moved.failures.length ? ` (${count(moved.failures.length, 'failed range')})` : ''}`,
        )
      }
      return { rows, summary: parts.filter(Boolean).join(' · '), failures }
    },
  }
}

/**
 * Wallets (makers and non-exchange takers of chain_fills, either side of a transfer) whose latest
 * chain row was loaded after their positions snapshot, freshest first, with how many there are in all. Both times are stamped by
 * this machine's clock for an embedded warehouse; with a server, keep the clocks in sync (NTP).
 */
const STALE_WALLETS_SQL = `
SELECT w.wallet AS wallet, w.source AS source, toString(w.first_seen_block) AS first_seen_block,
       toString(count() OVER ()) AS stale
FROM (
    SELECT wallet, max(ingested_at) AS last_activity
    FROM (
        SELECT maker AS wallet, _ingested_at AS ingested_at FROM chain_fills
        UNION ALL
        SELECT taker AS wallet, _ingested_at AS ingested_at FROM chain_fills
        UNION ALL
        SELECT wallet, _ingested_at AS ingested_at FROM chain_transfers_by_wallet
        WHERE wallet != '0x0000000000000000000000000000000000000000'
    )
    WHERE wallet NOT IN {contracts:Array(String)}
    GROUP BY wallet
) AS f
INNER JOIN (SELECT wallet, source, first_seen_block, positions_snapshot_at FROM wallets FINAL) AS w
    ON f.wallet = w.wallet
WHERE f.last_activity > w.positions_snapshot_at
ORDER BY f.last_activity DESC, w.wallet
LIMIT {limit:UInt32}`

export interface WalletsPollerOptions {
  http: HttpClient
  dataApiUrl: string
  version?: DataApiVersion
  perPoll: number
  concurrency?: number
}

export function createWalletsPoller(options: WalletsPollerOptions): Poller {
  return {
    name: 'wallets',
    async poll(context) {
      const contracts = [...NON_WALLET_CONTRACTS]
      // Wallets new on chain get their row first, so `status` counts any left for the next poll.
      await context.warehouse.command(DISCOVER_SQL, { run: context.runLog.runId, contracts })
      const stale = await context.warehouse.query<{
        wallet: string
        source: string
        first_seen_block: string
        stale: string
      }>(STALE_WALLETS_SQL, { contracts, limit: options.perPoll })
      const total = Number(stale[0]?.stale ?? 0)
      const failures: UnitFailure[] = []
      const progress = { done: 0, total: stale.length, rows: 0, failures }
      const committer = new UnitCommitter(context.warehouse, context.runLog)
      await runUnits(
        stale,
        { concurrency: options.concurrency ?? WALLET_CONCURRENCY, signal: context.signal },
        (wallet, signal) => fetchWallet({ ...context, signal }, options, wallet, progress, committer),
      )
      // Interrupted or not, the wallets fetched so far are committed with their snapshots.
      await committer.flush()
      const parts = [
        `${count(total, 'wallet')} with chain activity newer than their positions`,
        `${count(progress.done, 'wallet')} re-fetched (${count(progress.rows, 'position')})`,
        total > stale.length ? `${count(total - stale.length, 'wallet')} left for the next poll` : '',
        failures.length ? count(failures.length, 'failed wallet') : '',
      ]
      return { rows: progress.rows, summary: parts.filter(Boolean).join(' · '), failures }
    },
  }
}
