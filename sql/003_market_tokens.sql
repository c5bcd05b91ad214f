-- market_tokens: one row per outcome token (each clobTokenIds entry of a market), so an on-chain
-- token id finds its market, condition and outcome. Key: token_id, unique across Polymarket.
-- Undeployed markets (conditionId "", no clobTokenIds) have no rows here.
CREATE TABLE IF NOT EXISTS market_tokens {{on_cluster}}
(
    token_id      UInt256,
    condition_id  String,
    market_id     UInt64,
    outcome_index UInt8,
    outcome       String,
    _run_id       String,
    _ingested_at  DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = {{engine:ReplacingMergeTree(_ingested_at)}}
ORDER BY token_id
SETTINGS {{dedup_window}}
