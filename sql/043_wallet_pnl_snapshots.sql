-- wallet_pnl_snapshots: the leaderboard's rows — every wallet's PnL totals (vw_position_pnl summed)
-- and trading figures (its fills), computed whole by each refresh (steps/pnl/snapshot.ts, run by the
-- views step at the end of every backfill) into a partition of its own. Why a snapshot: the PnL
-- rules are a fold over every event in chain order, not a sum an aggregating table could keep, and
-- folding 10M fills per query takes seconds; reading one row per wallet takes milliseconds.
-- vw_wallet_pnl reads the newest snapshot recorded in pnl_snapshots (a refresh records it only once
-- its rows are in, so a query never sees a half-written one); older partitions are dropped.
CREATE TABLE IF NOT EXISTS wallet_pnl_snapshots {{on_cluster}}
(
    snapshot       UInt64 COMMENT 'id of the refresh (pnl_snapshots)',
    wallet         String,
    realized_pnl   Decimal(38, 6),
    unrealized_pnl Decimal(38, 6),
    total_pnl      Decimal(38, 6),
    fees           Decimal(38, 6),
    redeemed       Decimal(38, 6),
    volume         Decimal(38, 6) COMMENT 'USDC of its fills',
    trades         UInt64 COMMENT 'its fills',
    markets_traded UInt64,
    positions      UInt64 COMMENT 'tokens with PnL',
    open_positions UInt64 COMMENT 'tokens it still holds as the PnL rules track them',
    first_trade    Nullable(DateTime('UTC')),
    last_trade     Nullable(DateTime('UTC'))
)
ENGINE = {{engine:MergeTree}}
PARTITION BY snapshot
ORDER BY wallet;

-- pnl_snapshots: one row per completed refresh, written after its rows.
CREATE TABLE IF NOT EXISTS pnl_snapshots {{on_cluster}}
(
    snapshot    UInt64,
    computed_at DateTime64(3, 'UTC'),
    wallets     UInt64,
    positions   UInt64,
    seconds     Decimal(18, 3) COMMENT 'how long the refresh took'
)
ENGINE = {{engine:MergeTree}}
ORDER BY snapshot
