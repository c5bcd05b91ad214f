-- chain_transfers_by_wallet, re-keyed and slimmed: the same legs (sql/022: each transfer once per
-- side, sender -1, receiver +1) sorted by (cityHash64(wallet), block_number, log_index, batch_index,
-- direction) instead of (wallet, token_id, block_number, …), without the columns no reader uses
-- (counterparty, _run_id: chain_transfers has both). The legs were most of a transfer's insert:
-- sorting each insert's 2 × n legs by a 42-character string then a UInt256, and writing two more
-- strings per leg. In one run of bench/transfers-layouts.ts (1M transfers, load average ~35):
-- chain_transfers alone 4.8 s, with sql/022's legs 22.4 s, re-keyed 18.0 s, re-keyed and slimmed
-- 13.0 s. The key is still unique per leg — (block_number, log_index, batch_index, direction) names one leg,
-- which has one wallet — so ReplacingMergeTree and FINAL collapse exactly what they did. A wallet's
-- legs stay one primary-key range: `WHERE wallet = …` is answered through the key by hashing the
-- constant (EXPLAIN indexes = 1 shows the cityHash64(wallet) range), and a wallet's tokens are
-- grouped after the read rather than by the sort.
--
-- Existing warehouses: the legs are copied into the re-keyed table, which then takes the old one's
-- name (EXCHANGE), and the materialized view is recreated on it; nothing that reads the table
-- changes. The migrating process holds the warehouse, so no insert runs between these statements;
-- a copy interrupted and redone only repeats legs that FINAL collapses.
CREATE TABLE IF NOT EXISTS chain_transfers_by_wallet_rekeyed {{on_cluster}}
(
    wallet       String,
    token_id     UInt256,
    direction    Int8 COMMENT '+1 received, -1 sent',
    block_number UInt64,
    log_index    UInt32,
    batch_index  UInt16,
    amount       UInt256,
    block_time   DateTime('UTC'),
    _ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = {{engine:ReplacingMergeTree(_ingested_at)}}
ORDER BY (cityHash64(wallet), block_number, log_index, batch_index, direction)
SETTINGS {{dedup_window}};

DROP VIEW IF EXISTS chain_transfers_by_wallet_mv {{on_cluster}};

INSERT INTO chain_transfers_by_wallet_rekeyed
SELECT wallet, token_id, direction, block_number, log_index, batch_index, amount, block_time, _ingested_at
FROM chain_transfers_by_wallet;

EXCHANGE TABLES chain_transfers_by_wallet AND chain_transfers_by_wallet_rekeyed {{on_cluster}};

-- Every insert into chain_transfers lands in the re-keyed table as two legs (sql/022's view, less the
-- dropped columns). An insert ClickHouse drops as a duplicate of its token never reaches the view.
CREATE MATERIALIZED VIEW IF NOT EXISTS chain_transfers_by_wallet_mv {{on_cluster}} TO chain_transfers_by_wallet AS
SELECT
    leg.1 AS wallet,
    token_id,
    leg.2 AS direction,
    block_number,
    log_index,
    batch_index,
    amount,
    block_time,
    _ingested_at
FROM chain_transfers
ARRAY JOIN [(from_address, toInt8(-1)), (to_address, toInt8(1))] AS leg;

-- The old layout's legs, now under this name.
DROP TABLE IF EXISTS chain_transfers_by_wallet_rekeyed {{on_cluster}}
