// `polyhouse repair`: fetches exactly what `gaps` lists, through the steps' own functions, under the
// same checkpoint rules. By default what exists is kept (a market's stored version and its present
// token rows, rows already in a block range); `overwrite` re-fetches and replaces it. Units that
// `gaps --verify` found no longer holding what was committed are cleared, forgotten and fetched again.

import type { BlockRange } from '../checkpoints/range-set.ts'
import { InterruptedError, InvariantError, NonRetryableError } from '../core/errors.ts'
import type { DataApiVersion } from '../extract/data-api/positions.ts'
import type { HttpClient } from '../extract/http/client.ts'
import type { RateLimit } from '../extract/http/rates.ts'
import { commitRows } from '../load/commit.ts'
import { UnitCommitter } from '../load/committer.ts'
import { renewTokenSalt } from './block-ranges/reorg.ts'
import type { LogStream } from './block-ranges/types.ts'
import { createChainStep } from './chain/index.ts'
import type { ChainOptions } from './chain/options.ts'
import { FILLS_STREAM } from './chain/stream.ts'
import { collectWalletGaps, type Gaps, type WalletGap } from './gaps.ts'
import { commitMarketsPage, createMarketsStep } from './markets/index.ts'
import { completeOrphans } from './markets/orphans.ts'
import { tokenRows } from './markets/rows.ts'
import { fetchMarketRecord, type MarketKey } from './on-demand.ts'
import type { StepContext, UnitFailure } from './step.ts'
import { createTransfersStep } from './transfers/index.ts'
import { runUnits } from './units.ts'
import { VERIFIED_STREAMS } from './verify.ts'
import { fetchWallet, WALLET_CONCURRENCY } from './wallets/index.ts'

/** Markets fetched at once: /markets/{id} is one request each; the limiter keeps the rate. */
export const MARKET_REPAIR_CONCURRENCY = 8

export type RepairKind = 'blocks' | 'markets' | 'wallets'
export const REPAIR_KINDS: readonly RepairKind[] = ['blocks', 'markets', 'wallets']

export interface RepairOptions {
  http: HttpClient
  gammaUrl: string
  dataApiUrl: string
  dataApiVersion?: DataApiVersion
  /** Gamma's rate limits, for walking keyset windows again (`gaps --verify` found them short). */
  rateLimits?: Readonly<Record<string, RateLimit>>
  /** The chain steps' options (endpoint, rate); each stream's span is the ranges it repairs. */
  chain?: ChainOptions | undefined
  overwrite: boolean
  kinds: ReadonlySet<RepairKind>
}

export interface RepairOutcome {
  /**
   * `mismatched`: ranges recorded done that `gaps --verify` found short or changed, fetched again
   * (all streams).
   */
  blocks: { ranges: number; blocks: number; rows: number; mismatched: number }
  markets: {
    fetched: number
    tokensAdded: number
    orphansBefore: number
    orphansAfter: number
    /** Markets of tokens seen in fills or positions that Gamma had never listed, fetched now. */
    unlisted: number
    /** Keyset windows (markets or events) walked again because they held fewer than recorded. */
    windowsWalked: number
  }
  wallets: { fetched: number; positions: number }
  failures: UnitFailure[]
}

export async function repairGaps(
  context: StepContext,
  gaps: Gaps,
  options: RepairOptions,
): Promise<RepairOutcome> {
  const outcome: RepairOutcome = {
    blocks: { ranges: 0, blocks: 0, rows: 0, mismatched: 0 },
    markets: {
      fetched: 0,
      tokensAdded: 0,
      orphansBefore: gaps.markets.orphans.length,
      orphansAfter: 0,
      unlisted: 0,
      windowsWalked: 0,
    },
    wallets: { fetched: 0, positions: 0 },
    failures: [],
  }
  const jobs: [RepairKind, () => Promise<number>][] = [
    ['blocks', () => repairBlocks(context, gaps, options, outcome)],
    ['markets', () => repairMarkets(context, gaps, options, outcome)],
    [
      'wallets',
      // Fills fetched just now may name wallets nobody has seen yet: look again after the blocks.
      async () =>
        repairWallets(
          context,
          outcome.blocks.rows > 0 ? await collectWalletGaps(context.warehouse) : gaps.wallets,
          options,
          outcome,
        ),
    ],
  ]
  for (const [kind, repair] of jobs) {
    if (!options.kinds.has(kind) || context.signal.aborted) continue
    const jobId = `${context.runLog.runId}/repair-${kind}`
    const startedAt = Date.now()
    const before = outcome.failures.length
    await context.runLog.job({ jobId, kind, target: 'repair', status: 'in_progress', startedAt })
    const rows = await repair()
    const failed = outcome.failures.slice(before)
    context.runLog.count(`repair.${kind}.rows`, rows)
    await context.runLog.job({
      jobId,
      kind,
      target: 'repair',
      status: failed.length ? 'failed' : context.signal.aborted ? 'in_progress' : 'completed',
      rowsWritten: rows,
      error: failed
        .map((failure) => `${failure.unit}: ${failure.error}`)
        .join('; ')
        .slice(0, 2000),
      startedAt,
    })
  }
  return outcome
}

/** What one chain stream repairs: ranges never recorded done, and done ranges found short or changed. */
interface StreamRepair {
  stream: LogStream
  gaps: readonly BlockRange[]
  mismatched: readonly BlockRange[]
}

/** The streams with something to fetch again: the fills' gaps, and every verified stream's mismatches. */
export function streamRepairs(gaps: Gaps): StreamRepair[] {
  return VERIFIED_STREAMS.map((stream) => ({
    stream,
    gaps: stream === FILLS_STREAM ? gaps.blocks.ranges : [],
    mismatched: gaps.verified?.blocks.find((verified) => verified.stream === stream.stream)?.mismatched ?? [],
  })).filter((repair) => repair.gaps.length > 0 || repair.mismatched.length > 0)
}

/**
 * Each stream's step over the span of what it repairs: its engine fetches only blocks not recorded
 * done, which inside that span are exactly the gaps and the forgotten ranges. A new token salt first,
 * so rows deleted by hand (or below) are not dropped as duplicates of their first insert
 * (steps/block-ranges/reorg.ts). A range found short or changed is cleared in every table of its stream first,
 * so what comes back is what the chain has now and nothing else.
 */
async function repairBlocks(
  context: StepContext,
  gaps: Gaps,
  options: RepairOptions,
  outcome: RepairOutcome,
): Promise<number> {
  const repairs = streamRepairs(gaps)
  if (repairs.length === 0) return 0
  if (!options.chain) throw new InvariantError('repairing block ranges needs the chain options')
  let rows = 0
  for (const { stream, gaps: missing, mismatched } of repairs) {
    if (context.signal.aborted) break
    await renewTokenSalt(context.checkpoints, stream.stream, 'repair')
    // --overwrite: what a gap held before is dropped too (as reorg.ts's deleteRowsFrom does).
    for (const range of [...mismatched, ...(options.overwrite ? missing : [])]) {
      for (const table of [...stream.reorgTables, stream.blocksTable]) {
        await context.warehouse.command(
          `DELETE FROM ${table} WHERE block_number BETWEEN {from:UInt64} AND {to:UInt64}`,
          { from: range.from, to: range.to },
        )
      }
    }
    const forgotten = await context.checkpoints.forgetRanges(stream.stream, mismatched)
    const span = [...missing, ...mismatched, ...forgotten]
    const chain: ChainOptions = {
      ...options.chain,
      fromBlock: Math.min(...span.map((range) => range.from)),
      toBlock: Math.max(...span.map((range) => range.to)),
    }
    const step = stream === FILLS_STREAM ? createChainStep(chain) : createTransfersStep(chain)
    const result = await step.run(context)
    outcome.failures.push(
      ...result.failures.map((failure) => ({ ...failure, unit: `blocks ${failure.unit}` })),
    )
    outcome.blocks.ranges += missing.length + mismatched.length
    outcome.blocks.mismatched += mismatched.length
    outcome.blocks.blocks += [...missing, ...mismatched].reduce(
      (sum, range) => sum + range.to - range.from + 1,
      0,
    )
    outcome.blocks.rows += result.rows
    rows += result.rows
  }
  return rows
}

/**
 * Markets missing token rows are fetched again: by default only the absent tokens are added (the
 * stored version of the market stays); with overwrite the market, its tokens and tags are replaced
 * by Gamma's current version, and orphan markets are fetched again too. Then the anti-orphan pass.
 */
async function repairMarkets(
  context: StepContext,
  gaps: Gaps,
  options: RepairOptions,
  outcome: RepairOutcome,
): Promise<number> {
  const ids = new Set(gaps.markets.missingTokens.map((market) => market.market_id))
  if (options.overwrite) for (const orphan of gaps.markets.orphans) ids.add(orphan.market_id)
  let rows = await rewalkWindows(context, gaps, options, outcome)
  await runUnits(
    ids,
    { concurrency: MARKET_REPAIR_CONCURRENCY, signal: context.signal },
    async (id, signal) => {
      try {
        const record = await fetchMarketRecord(options, { kind: 'id', id }, signal)
        const unit = `repair ${context.runLog.runId} market ${id}`
        if (options.overwrite || !record.ok) {
          // A record that no longer validates is quarantined there, with its raw JSON.
          rows += await commitMarketsPage({ ...context, signal }, unit, [record])
          if (!record.ok) throw new NonRetryableError(`failed validation: ${record.reason}`)
          rows += record.value.clobTokenIds.length
          outcome.markets.tokensAdded += record.value.clobTokenIds.length
        } else {
          const present = await context.warehouse.query<{ token_id: string }>(
            `SELECT DISTINCT toString(token_id) AS token_id FROM market_tokens
             WHERE token_id IN (SELECT arrayJoin(arrayMap(id -> toUInt256(id), {ids:Array(String)})))`,
            { ids: record.value.clobTokenIds },
          )
          const known = new Set(present.map((row) => row.token_id))
          const missing = tokenRows(record.value, context.runLog.runId).filter(
            (token) => !known.has(token.token_id),
          )
          await commitRows(context.warehouse, 'market_tokens', unit, missing)
          rows += missing.length
          outcome.markets.tokensAdded += missing.length
        }
        outcome.markets.fetched++
      } catch (error) {
        if (error instanceof InterruptedError || signal.aborted) return
        await context.runLog.error({ stream: 'markets', unit: `markets/${id}`, error })
        outcome.failures.push({ unit: `market ${id}`, error: (error as Error).message })
      }
    },
  )
  rows += await repairUnlisted(context, gaps, options, outcome)
  if (
    !context.signal.aborted &&
    (gaps.markets.orphans.length > 0 || ids.size > 0 || outcome.markets.unlisted > 0)
  ) {
    const orphans = await completeOrphans(context, options)
    rows += orphans.rows
    outcome.markets.orphansAfter = orphans.remaining
  } else {
    outcome.markets.orphansAfter = gaps.markets.orphans.length
  }
  return rows
}

/**
 * Markets of tokens that fills or positions name and no stored market lists: asked of Gamma by the
 * condition id a position gives, else by the token id. One market answers for all its tokens.
 */
async function repairUnlisted(
  context: StepContext,
  gaps: Gaps,
  options: RepairOptions,
  outcome: RepairOutcome,
): Promise<number> {
  const keys = new Map<string, MarketKey>()
  for (const token of gaps.markets.unlisted) {
    const key: MarketKey = token.condition_id
      ? { kind: 'condition', conditionId: token.condition_id }
      : { kind: 'token', tokenId: token.token_id }
    keys.set(token.condition_id || token.token_id, key)
  }
  const fetched = new Set<string>()
  let rows = 0
  await runUnits(
    keys.values(),
    { concurrency: MARKET_REPAIR_CONCURRENCY, signal: context.signal },
    async (key, signal) => {
      const name = key.kind === 'condition' ? key.conditionId : key.kind === 'token' ? key.tokenId : ''
      try {
        const record = await fetchMarketRecord(options, key, signal)
        // Two tokens of one market not yet known name it twice: store it once.
        if (record.ok && fetched.has(record.value.id)) return
        if (record.ok) fetched.add(record.value.id)
        rows += await commitMarketsPage(
          { ...context, signal },
          `repair ${context.runLog.runId} unlisted ${name}`,
          [record],
        )
        if (!record.ok) throw new NonRetryableError(`failed validation: ${record.reason}`)
        outcome.markets.unlisted++
        outcome.markets.tokensAdded += record.value.clobTokenIds.length
      } catch (error) {
        if (error instanceof InterruptedError || signal.aborted) return
        await context.runLog.error({ stream: 'markets', unit: `unlisted/${name}`, error })
        outcome.failures.push({ unit: `unlisted ${key.kind} ${name}`, error: (error as Error).message })
      }
    },
  )
  return rows
}

/**
 * Keyset windows that hold fewer markets or events than their walks recorded: their partitions are
 * forgotten and the markets step walks them again (it walks only partitions not recorded done), which
 * stores every record of the window anew, tokens and tags with it.
 */
async function rewalkWindows(
  context: StepContext,
  gaps: Gaps,
  options: RepairOptions,
  outcome: RepairOutcome,
): Promise<number> {
  const windows = gaps.verified?.keyset.flatMap((keyset) => keyset.mismatched) ?? []
  if (windows.length === 0) return 0
  for (const window of windows) {
    for (const partition of window.partitions) await context.checkpoints.forgetUnit(window.kind, partition)
  }
  const step = createMarketsStep({
    http: options.http,
    gammaUrl: options.gammaUrl,
    rateLimits: options.rateLimits ?? {},
  })
  const result = await step.run(context)
  outcome.failures.push(...result.failures)
  outcome.markets.windowsWalked = windows.length
  return result.rows
}

/**
 * A wallet's snapshot is one unit: positions absent from the newest snapshot are gone from the
 * views, so a partial one cannot be topped up with rows fetched at another time. Never-fetched,
 * unseen and incomplete wallets alike get a whole new snapshot (`overwrite` changes nothing here).
 */
async function repairWallets(
  context: StepContext,
  wallets: readonly WalletGap[],
  options: RepairOptions,
  outcome: RepairOutcome,
): Promise<number> {
  const progress = { done: 0, total: wallets.length, rows: 0, failures: [] as UnitFailure[] }
  // One committer for all: many wallets' positions per insert, as the wallets step does.
  const committer = new UnitCommitter(context.warehouse, context.runLog)
  try {
    await runUnits(wallets, { concurrency: WALLET_CONCURRENCY, signal: context.signal }, (wallet, signal) =>
      fetchWallet(
        { ...context, signal },
        { http: options.http, dataApiUrl: options.dataApiUrl, version: options.dataApiVersion ?? 'v1' },
        wallet,
        progress,
        committer,
      ),
    )
  } finally {
    // Interrupted or not, the wallets fetched so far are committed with their checkpoints.
    await committer.flush()
  }
  outcome.wallets = { fetched: progress.done, positions: progress.rows }
  outcome.failures.push(...progress.failures)
  return progress.rows
}
