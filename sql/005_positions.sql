-- positions: Data API positions, one snapshot per wallet fetch (all pages of /positions at one
-- snapshot_at). Key: (wallet, token_id); the newest snapshot of a token wins. A position that is
-- absent from a wallet's newest complete snapshot keeps an older snapshot_at, and the views drop it
-- by comparing with wallets.positions_snapshot_at. Shares and USDC are exact decimals.
CREATE TABLE IF NOT EXISTS positions {{on_cluster}}
(
    wallet          String COMMENT 'proxyWallet, lower-case',
    token_id        UInt256 COMMENT 'asset',
    condition_id    String,
    outcome         String,
    outcome_index   UInt8,
    size            Decimal(18, 6) COMMENT 'shares',
    avg_price       Decimal(38, 18),
    initial_value   Decimal(18, 6),
    current_value   Decimal(18, 6),
    cash_pnl        Decimal(18, 6),
    realized_pnl    Decimal(18, 6),
    percent_pnl     Decimal(38, 18),
    cur_price       Decimal(38, 18),
    redeemable      Bool,
    mergeable       Bool,
    negative_risk   Bool,
    title           String,
    slug            String,
    event_id        UInt64,
    end_date        Nullable(Date),
    snapshot_at     DateTime64(3, 'UTC'),
    raw             String CODEC(ZSTD(3)),
    _run_id         String,
    _ingested_at    DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = {{engine:ReplacingMergeTree(snapshot_at)}}
ORDER BY (wallet, token_id)
SETTINGS {{dedup_window}}
