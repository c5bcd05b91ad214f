-- markets: every Gamma market, one row per fetch. Key: market_id (the Gamma id), the one id every
-- market has (condition_id is "" until a market is deployed on chain). ReplacingMergeTree on
-- _ingested_at keeps the latest fetch; vw_markets reads it FINAL.
-- outcomes, outcome_prices and clob_token_ids arrive as JSON strings inside JSON and are decoded
-- once, by the extractor's schema, into real arrays here (never re-encoded). raw keeps the whole
-- payload so a view can gain a column without re-fetching.
CREATE TABLE IF NOT EXISTS markets {{on_cluster}}
(
    market_id         UInt64,
    condition_id      String,
    question_id       String,
    slug              String,
    question          String,
    description       String CODEC(ZSTD(3)),
    outcomes          Array(String),
    outcome_prices    Array(Decimal(38, 18)),
    clob_token_ids    Array(UInt256),
    event_id          UInt64 COMMENT '0 for a standalone market',
    event_slug        String,
    event_title       String,
    tags              Array(String) COMMENT 'tag slugs',
    active            Bool,
    closed            Bool,
    archived          Bool,
    neg_risk          Bool,
    enable_order_book Bool,
    start_date        Nullable(DateTime64(3, 'UTC')),
    end_date          Nullable(DateTime64(3, 'UTC')),
    closed_time       Nullable(DateTime64(3, 'UTC')),
    created_at        Nullable(DateTime64(3, 'UTC')),
    updated_at        Nullable(DateTime64(3, 'UTC')),
    volume            Decimal(18, 6) COMMENT 'USDC',
    liquidity         Decimal(18, 6) COMMENT 'USDC',
    raw               String CODEC(ZSTD(3)),
    _run_id           String,
    _ingested_at      DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = {{engine:ReplacingMergeTree(_ingested_at)}}
ORDER BY market_id
SETTINGS {{dedup_window}}
