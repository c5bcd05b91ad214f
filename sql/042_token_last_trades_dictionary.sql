-- token_last_trades: each outcome token's latest match price (the close of its last block in
-- chain_candle_blocks, sql/041), as an in-memory dictionary keyed by token_id, for vw_position_pnl's
-- last_price. Why a dictionary: a wallet's PnL needs the last price of a handful of tokens, and a
-- JOIN would read every token's candles per query; a dictGet is one hash lookup per row.
-- Freshness: every 30–60 s the engine asks whether chain_candle_blocks changed and re-reads it when
-- it did; `SYSTEM RELOAD DICTIONARY token_last_trades` makes new fills visible at once (the PnL
-- snapshot refresh does, steps/pnl/snapshot.ts). `traded` is 1 for every token here, 0 (the default)
-- for a token that never matched.
CREATE DICTIONARY IF NOT EXISTS token_last_trades {{on_cluster}}
(
    token_id     UInt256,
    price        Decimal(38, 18),
    last_block   UInt64,
    traded       UInt8 DEFAULT 0
)
PRIMARY KEY token_id
SOURCE(CLICKHOUSE(
    QUERY 'SELECT token_id, argMax(close, (block_number, last_log)) AS price, max(block_number) AS last_block, toUInt8(1) AS traded FROM chain_candle_blocks FINAL GROUP BY token_id'
    INVALIDATE_QUERY 'SELECT (SELECT max(_ingested_at) FROM chain_candle_blocks), (SELECT count() FROM chain_candle_blocks)'
))
LAYOUT(COMPLEX_KEY_HASHED())
LIFETIME(MIN 30 MAX 60)
