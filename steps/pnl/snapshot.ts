// The leaderboard's snapshot (sql/043): every wallet's PnL totals from vw_position_pnl and its
// trading figures from its fills, written whole into a partition of its own, then recorded in
// pnl_snapshots — only then does vw_wallet_pnl read it — and older partitions dropped. A refresh cut
// short leaves an unrecorded partition that the next refresh drops; readers never see it.
import { InvariantError } from '../../core/errors.ts'
import type { Warehouse } from '../../load/warehouse.ts'

export interface SnapshotOutcome {
  snapshot: number
  wallets: number
  positions: number
  seconds: number
}

const INSERT_SQL = `
INSERT INTO wallet_pnl_snapshots
SELECT
    {snapshot:UInt64} AS snapshot,
    wallet,
    p.realized AS realized_pnl,
    p.unrealized AS unrealized_pnl,
    p.realized + p.unrealized AS total_pnl,
    p.fees AS fees,
    p.redeemed AS redeemed,
    f.volume AS volume,
    f.trades AS trades,
    f.markets AS markets_traded,
    p.positions AS positions,
    p.open_positions AS open_positions,
    f.first_trade AS first_trade,
    f.last_trade AS last_trade
FROM
(
    SELECT wallet,
           sum(realized_pnl) AS realized,
           sum(ifNull(unrealized_pnl, toDecimal128(0, 6))) AS unrealized,
           sum(fees) AS fees,
           sum(redeemed) AS redeemed,
           count() AS positions,
           countIf(amount > 0) AS open_positions
    FROM vw_position_pnl
    GROUP BY wallet
) AS p
FULL OUTER JOIN
(
    SELECT maker AS wallet,
           CAST(sum(toDecimal128(if(side = 'BUY', maker_amount_filled, taker_amount_filled), 6) / 1000000) AS Decimal(38, 6)) AS volume,
           count() AS trades,
           uniqExact(dictGetOrDefault('token_markets', 'condition_id', tuple(token_id), toString(token_id))) AS markets,
           toNullable(min(block_time)) AS first_trade,
           toNullable(max(block_time)) AS last_trade
    FROM chain_fills_by_wallet FINAL
    GROUP BY maker
) AS f USING wallet`

/**
 * Recomputes the leaderboard. Reloads the dictionaries the PnL reads first, so the snapshot sees every
 * market and match loaded so far.
 */
export async function refreshWalletPnl(warehouse: Warehouse, now = Date.now()): Promise<SnapshotOutcome> {
  const started = performance.now()
  const onCluster = warehouse.cluster ? ` ON CLUSTER '${warehouse.cluster}'` : ''
  await warehouse.command(`SYSTEM RELOAD DICTIONARY${onCluster} token_markets`)
  await warehouse.command(`SYSTEM RELOAD DICTIONARY${onCluster} token_last_trades`)
  // Ids grow with time and never repeat: a refresh within the same millisecond as the last takes the next id.
  const [last] = await warehouse.query<{ snapshot: string }>(
    'SELECT toString(max(snapshot)) AS snapshot FROM pnl_snapshots',
  )
  const snapshot = Math.max(now, Number(last?.snapshot ?? 0) + 1)
  await warehouse.command(INSERT_SQL, { snapshot })
  const [counts] = await warehouse.query<{ wallets: string; positions: string }>(
    `SELECT toString(count()) AS wallets, toString(sum(positions)) AS positions
     FROM wallet_pnl_snapshots WHERE snapshot = {snapshot:UInt64}`,
    { snapshot },
  )
  const outcome = {
    snapshot,
    wallets: Number(counts?.wallets ?? 0),
    positions: Number(counts?.positions ?? 0),
    // Milliseconds are enough, and pnl_snapshots.seconds keeps three decimals.
    seconds: Math.round(performance.now() - started) / 1000,
  }
  await warehouse.insert('pnl_snapshots', [
    { ...outcome, computed_at: new Date(now).toISOString().replace('T', ' ').replace('Z', '') },
  ])
  const stale = await warehouse.query<{ partition: string }>(
    `SELECT DISTINCT partition FROM system.parts
     WHERE database = currentDatabase() AND table = 'wallet_pnl_snapshots' AND active AND partition != {current:String}`,
    { current: String(snapshot) },
  )
  for (const { partition } of stale) {
    // A partition id is the snapshot number itself (PARTITION BY snapshot): digits only.
    if (!/^\d+$/.test(partition))
      throw new InvariantError(`unexpected partition id ${partition} of wallet_pnl_snapshots`)
    await warehouse.command(`ALTER TABLE wallet_pnl_snapshots${onCluster} DROP PARTITION ${partition}`)
  }
  return outcome
}
