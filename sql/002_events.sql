-- events: every Gamma event (a group of markets; negRisk events hold mutually exclusive ones).
-- Key: event_id (the Gamma id). The latest fetch wins (ReplacingMergeTree on _ingested_at).
-- Markets carry their event's id and title; this table is where a missing title is completed from.
CREATE TABLE IF NOT EXISTS events {{on_cluster}}
(
    event_id           UInt64,
    slug               String,
    ticker             String,
    title              String,
    description        String CODEC(ZSTD(3)),
    market_ids         Array(UInt64),
    tags               Array(String) COMMENT 'tag slugs',
    active             Bool,
    closed             Bool,
    archived           Bool,
    neg_risk           Bool,
    neg_risk_market_id String,
    start_date         Nullable(DateTime64(3, 'UTC')),
    end_date           Nullable(DateTime64(3, 'UTC')),
    closed_time        Nullable(DateTime64(3, 'UTC')),
    created_at         Nullable(DateTime64(3, 'UTC')),
    updated_at         Nullable(DateTime64(3, 'UTC')),
    volume             Decimal(18, 6) COMMENT 'USDC',
    liquidity          Decimal(18, 6) COMMENT 'USDC',
    raw                String CODEC(ZSTD(3)),
    _run_id            String,
    _ingested_at       DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = {{engine:ReplacingMergeTree(_ingested_at)}}
ORDER BY event_id
SETTINGS {{dedup_window}}
