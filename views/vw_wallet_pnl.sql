-- vw_wallet_pnl: the leaderboard — one row per wallet with its realized, unrealized and total PnL
-- (vw_position_pnl summed: the pnl-subgraph's rules, before fees), fees, redemptions, volume (USDC
-- of its fills), trades (its fills), markets traded, first and last trade time.
-- Read from the newest snapshot (sql/043): as of computed_at, refreshed by the views step at the end
-- of every backfill (`polyhouse backfill --steps views` refreshes it alone). vw_position_pnl is
-- always current; this is what `ORDER BY total_pnl DESC LIMIT 100` reads in milliseconds.
CREATE OR REPLACE VIEW vw_wallet_pnl {{on_cluster}} AS
SELECT
    w.wallet AS wallet,
    w.realized_pnl AS realized_pnl,
    w.unrealized_pnl AS unrealized_pnl,
    w.total_pnl AS total_pnl,
    w.fees AS fees,
    w.redeemed AS redeemed,
    w.volume AS volume,
    w.trades AS trades,
    w.markets_traded AS markets_traded,
    w.positions AS positions,
    w.open_positions AS open_positions,
    w.first_trade AS first_trade,
    w.last_trade AS last_trade,
    s.computed_at AS computed_at
FROM wallet_pnl_snapshots AS w
INNER JOIN
(
    SELECT snapshot, computed_at FROM pnl_snapshots ORDER BY snapshot DESC LIMIT 1
) AS s ON s.snapshot = w.snapshot
WHERE w.snapshot = (SELECT max(snapshot) FROM pnl_snapshots)
