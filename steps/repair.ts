// `polyhouse repair`: fetches exactly what `gaps` lists, through the steps' own functions, under the
// same checkpoint rules. By default what exists is kept (a market's stored version and its present
// token rows, rows already in a block range); `overwrite` re-fetches and replaces it.
import { InterruptedError, InvariantError, NonRetryableError } from '../core/errors.ts'
import type { DataApiVersion } from '../extract/data-api/positions.ts'
import type { HttpClient } from '../extract/http/client.ts'
import { commitRows } from '../load/commit.ts'
import { UnitCommitter } from '../load/committer.ts'
import { renewTokenSalt } from './block-ranges/reorg.ts'
import { createChainStep } from './chain/index.ts'
import type { ChainOptions } from './chain/options.ts'
import { FILLS_STREAM } from './chain/stream.ts'
import { collectWalletGaps, type Gaps, type WalletGap } from './gaps.ts'
import { commitMarketsPage } from './markets/index.ts'
import { completeOrphans } from './markets/orphans.ts'
import { tokenRows } from './markets/rows.ts'
import { fetchMarketRecord, type MarketKey } from './on-demand.ts'
import type { StepContext, UnitFailure } from './step.ts'
import { runUnits } from './units.ts'
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
  /** The chain step's options, spanning the block gaps; needed only when there are block gaps. */
  chain?: ChainOptions | undefined
  overwrite: boolean
  kinds: ReadonlySet<RepairKind>
}

export interface RepairOutcome {
  blocks: { ranges: number; blocks: number; rows: number }
  markets: {
    fetched: number
    tokensAdded: number
    orphansBefore: number
    orphansAfter: number
    /** Markets of tokens seen in fills or positions that Gamma had never listed, fetched now. */
    unlisted: number
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
    blocks: { ranges: 0, blocks: 0, rows: 0 },
    markets: {
      fetched: 0,
      tokensAdded: 0,
      orphansBefore: gaps.markets.orphans.length,
      orphansAfter: 0,
      unlisted: 0,
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

/**
 * The chain step over the span of the gaps: its engine fetches only blocks not recorded done, which
 * inside that span are exactly the gaps. A new token salt first, so rows deleted by hand (or by
 * --overwrite) are not dropped as duplicates of their first insert (steps/block-ranges/reorg.ts).
 */
async function repairBlocks(
  context: StepContext,
  gaps: Gaps,
  options: RepairOptions,
  outcome: RepairOutcome,
): Promise<number> {
  const ranges = gaps.blocks.ranges
  if (ranges.length === 0) return 0
  if (!options.chain) throw new InvariantError('repairing block gaps needs the chain options')
  await renewTokenSalt(context.checkpoints, FILLS_STREAM.stream, 'repair')
  if (options.overwrite) {
    // What a range held before is dropped, so only what the chain has now comes back (as reorg.ts's
    // deleteRowsFrom does, range by range).
    for (const range of ranges) {
      for (const table of [...FILLS_STREAM.reorgTables, FILLS_STREAM.blocksTable]) {
        await context.warehouse.command(
          `DELETE FROM ${table} WHERE block_number BETWEEN {from:UInt64} AND {to:UInt64}`,
          { from: range.from, to: range.to },
        )
      }
    }
  }
  const step = createChainStep(options.chain)
  const result = await step.run(context)
  outcome.failures.push(...result.failures.map((failure) => ({ ...failure, unit: `blocks ${failure.unit}` })))
  outcome.blocks = {
    ranges: ranges.length,
    blocks: ranges.reduce((sum, range) => sum + range.blocks, 0),
    rows: result.rows,
  }
  return result.rows
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
  let rows = 0
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
