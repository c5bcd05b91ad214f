// `polyhouse gaps`: what the warehouse is missing, unit by unit, so `repair` can fetch exactly that —
// block ranges of chain_fills never recorded done (grouped into ranges), markets left orphans or
// missing token rows, and wallets without a complete positions snapshot; with `verify`, also the
// units recorded done whose data no longer matches what was committed (steps/verify.ts). Read-only,
// but for `verify` recording the content digest of block ranges that have none yet.
import type { BlockRange } from '../checkpoints/range-set.ts'
import { CheckpointStore } from '../checkpoints/store.ts'
import { NON_WALLET_CONTRACTS } from '../extract/chain/contracts.ts'
import type { Warehouse } from '../load/warehouse.ts'
import { fillsCoverage } from './chain/index.ts'
import { ORPHANS_SQL } from './markets/orphans.ts'
import type { ChainTip } from './tip.ts'
import { type Verification, verified, verifyCheckpoints } from './verify.ts'
import { SEEN_ON_CHAIN_SQL } from './wallets/seen.ts'

export interface MarketMissingTokens {
  market_id: string
  condition_id: string
  /** clob_token_ids of the stored market. */
  tokens: number
  /** Of which market_tokens has no row. */
  missing: number
}

/** A token traded on chain or held in a position whose market Gamma never listed to us. */
export interface UnlistedToken {
  token_id: string
  /** From the position naming it; '' when only fills name it. */
  condition_id: string
  /** Where it was seen: chain (fills), positions, or both. */
  seen_in: string
}

export interface WalletGap {
  wallet: string
  source: string
  first_seen_block: string
  /**
   * never-fetched: queued, no snapshot yet; unseen: in chain_fills, not even queued;
   * incomplete: its snapshot lists fewer positions than it recorded (rows were lost or deleted).
   */
  reason: 'never-fetched' | 'unseen' | 'incomplete'
  /** incomplete only: positions the snapshot recorded, and those stored. */
  expected?: number
  stored?: number
}

export interface Gaps {
  blocks: {
    stream: string
    from: number
    to: number
    tip: ChainTip
    started: boolean
    missingBlocks: number
    ranges: (BlockRange & { blocks: number })[]
  }
  markets: {
    orphans: { market_id: string; event_id: string; reason: string }[]
    missingTokens: MarketMissingTokens[]
    /** Tokens seen in fills or positions that no stored market lists: `repair` fetches their markets. */
    unlisted: UnlistedToken[]
    /** Records no start-date partition can match (no startDate): reached by the closing pass only. */
    closingOnly: ClosingOnly
  }
  wallets: WalletGap[]
  /** With `verify`: done units whose data no longer matches what their commit recorded. */
  verified?: Verification
}

/** Deployed markets (a condition id and token ids) with a token that market_tokens does not know. */
export const MISSING_TOKENS_SQL = `
SELECT toString(m.market_id) AS market_id, any(m.condition_id) AS condition_id, any(m.tokens) AS tokens,
       countIf(t.token_id = 0) AS missing
FROM (
    SELECT market_id, condition_id, length(clob_token_ids) AS tokens, arrayJoin(clob_token_ids) AS token_id
    FROM markets FINAL WHERE condition_id != '' AND notEmpty(clob_token_ids)
) AS m
LEFT JOIN (SELECT DISTINCT token_id FROM market_tokens) AS t ON m.token_id = t.token_id
GROUP BY m.market_id HAVING missing > 0 ORDER BY m.market_id
SETTINGS join_use_nulls = 0`

/**
 * Tokens that fills or positions name and market_tokens does not: markets Gamma never listed to the
 * walks (or listed after them). A position names its condition id too, which Gamma can be asked by.
 */
export const UNLISTED_TOKENS_SQL = `
SELECT toString(token_id) AS token_id, max(condition_id) AS condition_id,
       arrayStringConcat(arraySort(groupUniqArray(seen_in)), '+') AS seen_in
FROM (
    SELECT DISTINCT token_id, '' AS condition_id, 'chain' AS seen_in FROM chain_fills WHERE token_id != 0
    UNION ALL
    SELECT DISTINCT token_id, lower(condition_id) AS condition_id, 'positions' AS seen_in FROM positions
)
WHERE token_id NOT IN (SELECT token_id FROM market_tokens)
  -- A stored market listing the token is a market missing token rows (MISSING_TOKENS_SQL), not this;
  -- one Gamma listed and the walk quarantined is listed (status counts the quarantine), not this.
  AND token_id NOT IN (SELECT arrayJoin(clob_token_ids) FROM markets FINAL)
  AND token_id NOT IN (
      SELECT arrayJoin(arrayMap(id -> toUInt256OrZero(id),
                                JSONExtract(JSONExtractString(raw, 'clobTokenIds'), 'Array(String)')))
      FROM etl_quarantine WHERE stream = 'markets')
GROUP BY token_id ORDER BY token_id`

export interface ClosingOnly {
  markets: number
  events: number
}

/** Markets and events stored without a start date: no partition's filter can have returned them. */
export async function closingOnly(warehouse: Warehouse): Promise<ClosingOnly> {
  const [row] = await warehouse.query<{ markets: string; events: string }>(
    `SELECT (SELECT count() FROM markets FINAL WHERE start_date IS NULL) AS markets,
            (SELECT count() FROM events FINAL WHERE start_date IS NULL) AS events`,
  )
  return { markets: Number(row?.markets ?? 0), events: Number(row?.events ?? 0) }
}

/**
 * Fetched wallets whose current snapshot holds fewer positions than the fetch stored. A snapshot's
 * rows are those at or after the wallet's positions_snapshot_at (older ones were superseded).
 */
const INCOMPLETE_WALLETS_SQL = `
SELECT w.wallet AS wallet, w.source AS source, toString(w.first_seen_block) AS first_seen_block,
       w.positions_count AS expected, toUInt32(ifNull(p.stored, 0)) AS stored
FROM (SELECT wallet, source, first_seen_block, positions_count, positions_snapshot_at
      FROM wallets FINAL WHERE positions_snapshot_at > 0 AND positions_count > 0) AS w
LEFT JOIN (
    SELECT p.wallet AS wallet, uniqExact(p.token_id) AS stored
    FROM positions AS p
    INNER JOIN (SELECT wallet, positions_snapshot_at FROM wallets FINAL WHERE positions_snapshot_at > 0) AS f
        ON p.wallet = f.wallet
    WHERE p.snapshot_at >= f.positions_snapshot_at
    GROUP BY p.wallet
) AS p ON w.wallet = p.wallet
WHERE stored < expected
ORDER BY wallet
SETTINGS join_use_nulls = 1`

/** Wallets seen on chain (fills, transfers) that `wallets` does not list yet. */
export const UNSEEN_WALLETS_SQL = `
SELECT wallet, toString(min(block_number)) AS first_seen_block
FROM (${SEEN_ON_CHAIN_SQL})
WHERE wallet NOT IN (SELECT wallet FROM wallets)
GROUP BY wallet ORDER BY wallet`

const NEVER_FETCHED_SQL = `
SELECT wallet, source, toString(first_seen_block) AS first_seen_block
FROM wallets FINAL WHERE positions_snapshot_at = 0 ORDER BY wallet`

export async function collectGaps(
  warehouse: Warehouse,
  tip: ChainTip,
  options: { verify?: boolean } = {},
): Promise<Gaps> {
  const checkpoints = new CheckpointStore(warehouse, 'gaps')
  const coverage = await fillsCoverage(checkpoints, tip.known ? { to: tip.safeHead } : {})
  // Before the chain step's first range there is nothing to repair: the backfill fetches it all.
  const started = coverage.covered > 0
  const ranges = started ? coverage.gaps.map((gap) => ({ ...gap, blocks: gap.to - gap.from + 1 })) : []
  return {
    blocks: {
      stream: coverage.stream,
      from: coverage.from,
      to: coverage.to,
      tip,
      started,
      missingBlocks: ranges.reduce((sum, range) => sum + range.blocks, 0),
      ranges,
    },
    markets: {
      orphans: await warehouse.query(ORPHANS_SQL),
      missingTokens: (await warehouse.query<MarketMissingTokens>(MISSING_TOKENS_SQL)).map((row) => ({
        ...row,
        tokens: Number(row.tokens),
        missing: Number(row.missing),
      })),
      unlisted: await warehouse.query<UnlistedToken>(UNLISTED_TOKENS_SQL),
      closingOnly: await closingOnly(warehouse),
    },
    wallets: await collectWalletGaps(warehouse),
    ...(options.verify ? { verified: await verifyCheckpoints(warehouse, checkpoints) } : {}),
  }
}

/** Wallets never fetched, seen on chain but not queued, or with an incomplete snapshot. */
export async function collectWalletGaps(warehouse: Warehouse): Promise<WalletGap[]> {
  const never = await warehouse.query<Omit<WalletGap, 'reason'>>(NEVER_FETCHED_SQL)
  const unseen = await warehouse.query<Omit<WalletGap, 'reason' | 'source'>>(UNSEEN_WALLETS_SQL, {
    contracts: [...NON_WALLET_CONTRACTS],
  })
  const incomplete = await warehouse.query<Omit<WalletGap, 'reason'> & { expected: number; stored: number }>(
    INCOMPLETE_WALLETS_SQL,
  )
  return [
    ...never.map((row) => ({ ...row, reason: 'never-fetched' as const })),
    ...unseen.map((row) => ({ ...row, source: 'chain', reason: 'unseen' as const })),
    ...incomplete.map((row) => ({
      ...row,
      expected: Number(row.expected),
      stored: Number(row.stored),
      reason: 'incomplete' as const,
    })),
  ]
}

/** True when there is nothing to repair. */
export function isEmpty(gaps: Gaps): boolean {
  return (
    gaps.blocks.ranges.length === 0 &&
    gaps.markets.orphans.length === 0 &&
    gaps.markets.missingTokens.length === 0 &&
    gaps.markets.unlisted.length === 0 &&
    gaps.wallets.length === 0 &&
    (gaps.verified === undefined || verified(gaps.verified))
  )
}
