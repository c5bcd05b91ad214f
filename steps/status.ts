// The morning read (`polyhouse status`): how far each step got, how the last run ended, what failed,
// what was quarantined, which markets are orphans, which wallets are missing or stale, and what the
// warehouse itself looks like. Read-only: it answers while a backfill runs (through `serve`).

import type { BlockRange } from '../checkpoints/range-set.ts'
import { CheckpointStore } from '../checkpoints/store.ts'
import { NON_WALLET_CONTRACTS } from '../extract/chain/contracts.ts'
import { keysetPartitions } from '../extract/gamma/partitions.ts'
import { perSecond, type RateLimit } from '../extract/http/rates.ts'
import { type RpcEndpointsReport, rpcEndpointsReport } from '../load/rpc-endpoint-status.ts'
import {
  type ErrorReport,
  errorReport,
  lastRunOf,
  type QuarantineCount,
  quarantineCounts,
  type RunSummary,
  recentRuns,
} from '../load/run-status.ts'
import { collectStatus, type WarehouseStatus } from '../load/status.ts'
import type { Warehouse } from '../load/warehouse.ts'
import { activityCoverage } from './activity/index.ts'
import { ammCoverage } from './amm/index.ts'
import { fillsCoverage } from './chain/index.ts'
import {
  type ClosingOnly,
  closingOnly,
  MISSING_TOKENS_SQL,
  UNLISTED_TOKENS_SQL,
  UNSEEN_WALLETS_SQL,
} from './gaps.ts'
import { ORPHANS_SQL } from './markets/orphans.ts'
import { ownersCoverage } from './owners/index.ts'
import type { ChainTip } from './tip.ts'
import { transfersCoverage } from './transfers/index.ts'

/** Orphan markets listed by name; the rest are counted by reason. */
export const ORPHANS_LISTED = 20
/** Gaps of block coverage listed by status (`polyhouse gaps` lists all). */
export const BLOCK_GAPS_LISTED = 5

export interface ChainStatus {
  started: boolean
  from: number
  /** Where coverage is measured to: the safe head when the tip is known, else the highest block done. */
  to: number
  tip: ChainTip
  blocks: number
  covered: number
  fraction: number
  missingBlocks: number
  gapCount: number
  /** The first gaps, in block order. */
  gaps: BlockRange[]
  rows: number
}

export interface WalletsStatus {
  known: number
  fetched: number
  neverFetched: number
  /** In chain_fills but not yet queued in `wallets` (the wallets step adds them when it runs). */
  unseenOnChain: number
  /** Fetched longer ago than `staleAfterMs`. */
  stale: number
  staleAfterMs: number
  oldestSnapshot: string | null
  newestSnapshot: string | null
  /** Wallets the next backfill fetches (never fetched + unseen), and its time at the rate limit. */
  remaining: number
  requestsPerSecond: number
  etaSeconds: number
}

export interface PipelineStatus extends WarehouseStatus {
  generatedAt: string
  steps: {
    markets: {
      partitions: { done: number; total: number; walking: number }
      markets: number
      events: number
      tokens: number
      orphans: number
      /** Deployed markets with a token market_tokens does not have (`polyhouse gaps` lists them). */
      missingTokens: number
      /** Markets and events without a startDate: no partition reaches them, only the closing pass. */
      closingOnly: ClosingOnly
      /** Tokens seen in fills or positions whose market Gamma never listed (`polyhouse gaps` lists them). */
      unlisted: number
    }
    chain: ChainStatus
    /** The transfers step's coverage, from ConditionalTokens' deployment. */
    transfers: ChainStatus
    /** The activity step's coverage (lifecycle logs), from ConditionalTokens' deployment. */
    activity: ChainStatus
    /** The AMM step's coverage, from the FPMM factory's deployment. */
    amm: ChainStatus
    /** The owners step's coverage, from the proxy wallet factory's deployment. */
    owners: ChainStatus
    wallets: WalletsStatus
    views: { applied: number; total: number }
  }
  lastRun: RunSummary | null
  runs: RunSummary[]
  /** How each JSON-RPC endpoint fared in the latest run that read the chain. */
  rpcEndpoints: RpcEndpointsReport
  errors: ErrorReport
  quarantine: QuarantineCount[]
  orphans: {
    count: number
    byReason: Record<string, number>
    markets: { market_id: string; event_id: string; reason: string }[]
  }
}

export interface PipelineStatusOptions {
  dirs?: { sqlDir?: string; viewsDir?: string }
  /** Wallets fetched longer ago than this are stale (`--stale 7d`). */
  staleAfterMs: number
  /** Errors since then (`--since 12h`); otherwise the last run's. */
  errorsSinceMs?: number | undefined
  tip: ChainTip
  /** The Data API positions limit, for the time the remaining wallets take. */
  positionsRate: RateLimit
  now?: number
}

export async function collectPipelineStatus(
  warehouse: Warehouse,
  options: PipelineStatusOptions,
): Promise<PipelineStatus> {
  const now = options.now ?? Date.now()
  const base = await collectStatus(warehouse, options.dirs)
  const rowsOf = (name: string) => base.tables.find((table) => table.name === name)?.rows ?? 0
  const checkpoints = new CheckpointStore(warehouse, 'status')
  const runs = await recentRuns(warehouse)
  const lastRun = (await lastRunOf(warehouse, 'backfill')) ?? null
  const orphanRows = await warehouse.query<{ market_id: string; event_id: string; reason: string }>(
    ORPHANS_SQL,
  )
  const byReason: Record<string, number> = {}
  for (const orphan of orphanRows) byReason[orphan.reason] = (byReason[orphan.reason] ?? 0) + 1
  return {
    ...base,
    generatedAt: new Date(now).toISOString(),
    steps: {
      markets: {
        partitions: await partitionProgress(checkpoints, now),
        markets: rowsOf('markets'),
        events: rowsOf('events'),
        tokens: rowsOf('market_tokens'),
        orphans: orphanRows.length,
        missingTokens: await countRows(warehouse, MISSING_TOKENS_SQL),
        closingOnly: await closingOnly(warehouse),
        unlisted: await countRows(warehouse, UNLISTED_TOKENS_SQL),
      },
      chain: await chainStatus(checkpoints, options.tip),
      transfers: await chainStatus(checkpoints, options.tip, transfersCoverage),
      activity: await chainStatus(checkpoints, options.tip, activityCoverage),
      amm: await chainStatus(checkpoints, options.tip, ammCoverage),
      owners: await chainStatus(checkpoints, options.tip, ownersCoverage),
      wallets: await walletsStatus(warehouse, options, now),
      views: {
        applied: base.views.filter((view) => view.state === 'applied').length,
        total: base.views.length,
      },
    },
    lastRun,
    runs,
    rpcEndpoints: await rpcEndpointsReport(warehouse),
    errors:
      options.errorsSinceMs !== undefined
        ? await errorReport(warehouse, { sinceMs: options.errorsSinceMs })
        : lastRun
          ? await errorReport(warehouse, { runId: lastRun.runId })
          : { scope: 'no run yet', total: 0, groups: [] },
    quarantine: await quarantineCounts(warehouse, lastRun?.runId ?? ''),
    orphans: { count: orphanRows.length, byReason, markets: orphanRows.slice(0, ORPHANS_LISTED) },
  }
}

/** Keyset partitions of events and markets walked to their end, of those the markets step walks now. */
async function partitionProgress(checkpoints: CheckpointStore, now: number) {
  const partitions = keysetPartitions(now)
  let done = 0
  let walking = 0
  for (const kind of ['events', 'markets']) {
    const cursors = await checkpoints.cursors(kind)
    for (const partition of partitions) {
      const checkpoint = cursors.get(partition.id)
      if (checkpoint?.done) done++
      else if (checkpoint) walking++
    }
  }
  return { done, total: partitions.length * 2, walking }
}

/** Coverage of a chain stream (chain_fills by default) from its first block to the safe head (or, offline, the highest block done). */
export async function chainStatus(
  checkpoints: CheckpointStore,
  tip: ChainTip,
  coverageOf: typeof fillsCoverage = fillsCoverage,
): Promise<ChainStatus> {
  const coverage = await coverageOf(checkpoints, tip.known ? { to: tip.safeHead } : {})
  const started = coverage.covered > 0
  const gaps = started ? coverage.gaps : []
  return {
    started,
    from: coverage.from,
    to: coverage.to,
    tip,
    blocks: coverage.blocks,
    covered: coverage.covered,
    fraction: started ? coverage.fraction : 0,
    missingBlocks: coverage.blocks - coverage.covered,
    gapCount: gaps.length,
    gaps: gaps.slice(0, BLOCK_GAPS_LISTED),
    rows: coverage.rows,
  }
}

async function walletsStatus(
  warehouse: Warehouse,
  options: PipelineStatusOptions,
  now: number,
): Promise<WalletsStatus> {
  const [row] = await warehouse.query<{
    known: string
    fetched: string
    stale: string
    oldest: string | null
    newest: string | null
  }>(
    `SELECT toString(count()) AS known, toString(countIf(positions_snapshot_at > 0)) AS fetched,
            toString(countIf(positions_snapshot_at > 0 AND positions_snapshot_at < fromUnixTimestamp64Milli({staleBefore:Int64}))) AS stale,
            if(countIf(positions_snapshot_at > 0) = 0, NULL, toString(minIf(positions_snapshot_at, positions_snapshot_at > 0))) AS oldest,
            if(countIf(positions_snapshot_at > 0) = 0, NULL, toString(max(positions_snapshot_at))) AS newest
     FROM wallets FINAL`,
    { staleBefore: now - options.staleAfterMs },
  )
  const unseenOnChain = await countUnseenWallets(warehouse)
  const known = Number(row?.known ?? 0)
  const fetched = Number(row?.fetched ?? 0)
  const remaining = known - fetched + unseenOnChain
  const rate = perSecond(options.positionsRate)
  return {
    known,
    fetched,
    neverFetched: known - fetched,
    unseenOnChain,
    stale: Number(row?.stale ?? 0),
    staleAfterMs: options.staleAfterMs,
    oldestSnapshot: row?.oldest ?? null,
    newestSnapshot: row?.newest ?? null,
    remaining,
    requestsPerSecond: rate,
    // At least one /positions request per wallet; whales with over 500 positions need more.
    etaSeconds: remaining / rate,
  }
}

async function countUnseenWallets(warehouse: Warehouse): Promise<number> {
  return countRows(warehouse, UNSEEN_WALLETS_SQL, { contracts: [...NON_WALLET_CONTRACTS] })
}

async function countRows(
  warehouse: Warehouse,
  sql: string,
  params: Record<string, unknown> = {},
): Promise<number> {
  const [row] = await warehouse.query<{ n: string }>(`SELECT toString(count()) AS n FROM (${sql})`, params)
  return Number(row?.n ?? 0)
}
