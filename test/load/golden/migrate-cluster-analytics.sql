-- would create the ledger
CREATE TABLE IF NOT EXISTS schema_migrations ON CLUSTER 'analytics'
(
    kind               Enum8('migration' = 1, 'view' = 2),
    version            UInt32,
    name               String,
    checksum           String,
    statements_total   UInt16,
    statements_applied UInt16,
    statement_hashes   Array(String),
    status             Enum8('applied' = 1, 'failed' = 2, 'running' = 3),
    error              String,
    applied_at         DateTime64(3, 'UTC'),
    duration_ms        UInt32
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/schema_migrations', '{replica}', applied_at)
ORDER BY (kind, name)
COMMENT 'polyhouse migration ledger: one row per sql/ file and views/ file, latest attempt wins';

-- would apply sql/001_markets.sql (1 statement)
-- markets: every Gamma market, one row per fetch. Key: market_id (the Gamma id), the one id every
-- market has (condition_id is "" until a market is deployed on chain). ReplacingMergeTree on
-- _ingested_at keeps the latest fetch; vw_markets reads it FINAL.
-- outcomes, outcome_prices and clob_token_ids arrive as JSON strings inside JSON and are decoded
-- once, by the extractor's schema, into real arrays here (never re-encoded). raw keeps the whole
-- payload so a view can gain a column without re-fetching.
CREATE TABLE IF NOT EXISTS markets ON CLUSTER 'analytics'
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
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/markets', '{replica}', _ingested_at)
ORDER BY market_id
SETTINGS replicated_deduplication_window = 10000;

-- would apply sql/002_events.sql (1 statement)
-- events: every Gamma event (a group of markets; negRisk events hold mutually exclusive ones).
-- Key: event_id (the Gamma id). The latest fetch wins (ReplacingMergeTree on _ingested_at).
-- Markets carry their event's id and title; this table is where a missing title is completed from.
CREATE TABLE IF NOT EXISTS events ON CLUSTER 'analytics'
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
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/events', '{replica}', _ingested_at)
ORDER BY event_id
SETTINGS replicated_deduplication_window = 10000;

-- would apply sql/003_market_tokens.sql (1 statement)
-- market_tokens: one row per outcome token (each clobTokenIds entry of a market), so an on-chain
-- token id finds its market, condition and outcome. Key: token_id, unique across Polymarket.
-- Undeployed markets (conditionId "", no clobTokenIds) have no rows here.
CREATE TABLE IF NOT EXISTS market_tokens ON CLUSTER 'analytics'
(
    token_id      UInt256,
    condition_id  String,
    market_id     UInt64,
    outcome_index UInt8,
    outcome       String,
    _run_id       String,
    _ingested_at  DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/market_tokens', '{replica}', _ingested_at)
ORDER BY token_id
SETTINGS replicated_deduplication_window = 10000;

-- would apply sql/004_tags.sql (1 statement)
-- tags: Gamma tags (from /tags and the tags embedded in markets and events). Key: tag_id.
CREATE TABLE IF NOT EXISTS tags ON CLUSTER 'analytics'
(
    tag_id       UInt64,
    slug         String,
    label        String,
    raw          String CODEC(ZSTD(3)),
    _run_id      String,
    _ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/tags', '{replica}', _ingested_at)
ORDER BY tag_id
SETTINGS replicated_deduplication_window = 10000;

-- would apply sql/005_positions.sql (1 statement)
-- positions: Data API positions, one snapshot per wallet fetch (all pages of /positions at one
-- snapshot_at). Key: (wallet, token_id); the newest snapshot of a token wins. A position that is
-- absent from a wallet's newest complete snapshot keeps an older snapshot_at, and the views drop it
-- by comparing with wallets.positions_snapshot_at. Shares and USDC are exact decimals.
CREATE TABLE IF NOT EXISTS positions ON CLUSTER 'analytics'
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
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/positions', '{replica}', snapshot_at)
ORDER BY (wallet, token_id)
SETTINGS replicated_deduplication_window = 10000;

-- would apply sql/006_wallets.sql (1 statement)
-- wallets: every wallet seen on chain (or listed by the operator), with when its positions were
-- last fetched completely. This is the wallet checkpoint: "not yet fetched" is an anti-join on it.
-- Key: wallet. A fetch row (positions_snapshot_at set) outranks a discovery row (epoch 0) through
-- the ReplacingMergeTree version, whatever order they were inserted in.
CREATE TABLE IF NOT EXISTS wallets ON CLUSTER 'analytics'
(
    wallet                String COMMENT 'lower-case 0x address',
    source                LowCardinality(String) COMMENT 'chain | file | on-demand',
    first_seen_block      UInt64,
    positions_snapshot_at DateTime64(3, 'UTC') DEFAULT 0 COMMENT 'epoch 0: never fetched',
    positions_count       UInt32,
    _run_id               String,
    _ingested_at          DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/wallets', '{replica}', positions_snapshot_at)
ORDER BY wallet
SETTINGS replicated_deduplication_window = 10000;

-- would apply sql/007_chain_fills.sql (1 statement)
-- chain_fills: raw OrderFilled logs of the four exchanges (CTF Exchange and NegRisk, V1 and V2).
-- Key: (block_number, log_index), unique on chain; a re-fetched range replaces rather than doubles.
-- Amounts are the on-chain integers (6 decimals, UInt256 as in the ABI); views convert them to
-- Decimal(18,6). V1 logs carry maker/taker asset ids (0 = collateral); V2 logs carry side and
-- token_id; token_id and side are filled for both so views need not branch.
CREATE TABLE IF NOT EXISTS chain_fills ON CLUSTER 'analytics'
(
    block_number        UInt64,
    log_index           UInt32,
    tx_hash             String,
    block_hash          String,
    block_time          DateTime('UTC'),
    exchange            LowCardinality(String) COMMENT 'contract address, lower-case',
    exchange_version    UInt8,
    order_hash          String,
    maker               String,
    taker               String,
    side                Enum8('BUY' = 0, 'SELL' = 1) COMMENT 'of the maker: BUY when the maker pays collateral',
    token_id            UInt256,
    maker_asset_id      UInt256 COMMENT 'V1 only',
    taker_asset_id      UInt256 COMMENT 'V1 only',
    maker_amount_filled UInt256,
    taker_amount_filled UInt256,
    fee                 UInt256,
    builder             String COMMENT 'V2 only',
    metadata            String COMMENT 'V2 only',
    _run_id             String,
    _ingested_at        DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/chain_fills', '{replica}', _ingested_at)
ORDER BY (block_number, log_index)
SETTINGS replicated_deduplication_window = 10000;

-- would apply sql/008_chain_blocks.sql (1 statement)
-- chain_blocks: hash and time of the blocks the chain steps processed, to stamp rows with a time
-- and to detect reorgs (a stored hash the chain no longer has). Key: block_number.
CREATE TABLE IF NOT EXISTS chain_blocks ON CLUSTER 'analytics'
(
    block_number UInt64,
    block_hash   String,
    parent_hash  String,
    block_time   DateTime('UTC'),
    _run_id      String,
    _ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/chain_blocks', '{replica}', _ingested_at)
ORDER BY block_number
SETTINGS replicated_deduplication_window = 10000;

-- would apply sql/009_etl_checkpoints.sql (1 statement)
-- etl_checkpoints: the progress of every stream, recorded only after ClickHouse acknowledged the
-- unit's rows. Key: (stream, unit). A keyset partition keeps its last committed cursor (kind
-- 'cursor', unit = the partition); a block stream keeps one row per completed range (kind 'range',
-- unit = 'from-to'), so ranges finish in any order, in any process, without read-modify-write.
CREATE TABLE IF NOT EXISTS etl_checkpoints ON CLUSTER 'analytics'
(
    stream       LowCardinality(String) COMMENT 'markets, events, chain_fills, ...',
    unit         String,
    kind         Enum8('cursor' = 1, 'range' = 2, 'done' = 3),
    cursor       String COMMENT 'kind cursor: the after_cursor to continue from',
    from_block   UInt64 COMMENT 'kind range: first block, inclusive',
    to_block     UInt64 COMMENT 'kind range: last block, inclusive',
    block_hash   String COMMENT 'kind range: hash of to_block when it was read (reorg check)',
    rows         UInt64 COMMENT 'rows the unit wrote',
    _run_id      String,
    updated_at   DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/etl_checkpoints', '{replica}', updated_at)
ORDER BY (stream, unit)
SETTINGS replicated_deduplication_window = 10000;

-- would apply sql/010_etl_runs.sql (1 statement)
-- etl_runs: one row per polyhouse command that changes data (backfill, sync, repair, ...), updated
-- as it goes; the latest row per run wins. Key: run_id. Arguments are stored with secrets redacted.
CREATE TABLE IF NOT EXISTS etl_runs ON CLUSTER 'analytics'
(
    run_id      String,
    command     LowCardinality(String),
    arguments   String,
    host        String,
    pid         UInt32,
    status      Enum8('running' = 1, 'succeeded' = 2, 'failed' = 3, 'interrupted' = 4),
    started_at  DateTime64(3, 'UTC'),
    finished_at Nullable(DateTime64(3, 'UTC')),
    counts      Map(String, UInt64) COMMENT 'rows, requests, errors, ... by name',
    error       String,
    updated_at  DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/etl_runs', '{replica}', updated_at)
ORDER BY run_id;

-- would apply sql/011_etl_jobs.sql (1 statement)
-- etl_jobs: long units of work (a keyset partition, a block range, a batch of wallets) with their
-- state, so an operator sees what is pending, running, finished or failed. Key: job_id; the latest
-- state wins.
CREATE TABLE IF NOT EXISTS etl_jobs ON CLUSTER 'analytics'
(
    job_id       String,
    run_id       String,
    kind         LowCardinality(String) COMMENT 'markets, events, chain_fills, positions, ...',
    target       String COMMENT 'the partition, wallet list or stream the job covers',
    range_from   UInt64,
    range_to     UInt64,
    status       Enum8('pending' = 1, 'in_progress' = 2, 'completed' = 3, 'failed' = 4),
    progress     Float32 COMMENT 'fraction done, 0 to 1',
    rows_written UInt64,
    error        String,
    started_at   Nullable(DateTime64(3, 'UTC')),
    updated_at   DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/etl_jobs', '{replica}', updated_at)
ORDER BY job_id;

-- would apply sql/012_etl_errors.sql (1 statement)
-- etl_errors: every unit that failed after its retries (the error log). A log, not a state: the
-- unit stays not-done in etl_checkpoints, so the next run retries it; status counts errors per run.
CREATE TABLE IF NOT EXISTS etl_errors ON CLUSTER 'analytics'
(
    occurred_at DateTime64(3, 'UTC') DEFAULT now64(3),
    run_id      String,
    stream      LowCardinality(String),
    unit        String COMMENT 'the page, range or wallet that failed',
    error_kind  LowCardinality(String) COMMENT 'the error class: RateLimited, Timeout, HttpStatus, ...',
    message     String,
    attempts    UInt16,
    url         String COMMENT 'without credentials'
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/etl_errors', '{replica}')
ORDER BY (stream, occurred_at);

-- would apply sql/013_etl_quarantine.sql (1 statement)
-- etl_quarantine: records that failed validation, with their raw JSON and the reason, so the run
-- goes on and nothing is silently dropped. Key: (stream, record_key): a record re-fetched on a
-- retry is quarantined once.
CREATE TABLE IF NOT EXISTS etl_quarantine ON CLUSTER 'analytics'
(
    stream         LowCardinality(String),
    record_key     String COMMENT 'the record id when it has one, else a hash of raw',
    reason         String,
    raw            String CODEC(ZSTD(3)),
    run_id         String,
    quarantined_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/etl_quarantine', '{replica}', quarantined_at)
ORDER BY (stream, record_key)
SETTINGS replicated_deduplication_window = 10000;

-- would apply sql/020_chain_fills_by_wallet.sql (3 statements)
-- chain_fills_by_wallet: every chain_fills row again, sorted by its maker (the wallet), kept in step
-- by a materialized view. Why a second table: chain_fills is ordered by (block_number, log_index),
-- the order logs arrive in and the key reorgs delete by; one wallet's trades are scattered over the
-- whole chain there, so `WHERE wallet = …` on the trade views would scan every fill (10M fills:
-- hundreds of ms). Here a wallet is one primary-key range, read FINAL in a few granules
-- (bench/chain-wallet-query.ts). A projection would be lighter, but the views read FINAL to hide
-- not-yet-merged duplicates and ClickHouse does not use projections under FINAL, and
-- ReplacingMergeTree tables need deduplicate_merge_projection_mode to accept one at all.
-- Same columns and engine as chain_fills; rows are deleted from both when a reorg abandons blocks.
CREATE TABLE IF NOT EXISTS chain_fills_by_wallet ON CLUSTER 'analytics'
(
    maker               String,
    block_number        UInt64,
    log_index           UInt32,
    tx_hash             String,
    block_hash          String,
    block_time          DateTime('UTC'),
    exchange            LowCardinality(String),
    exchange_version    UInt8,
    order_hash          String,
    taker               String,
    side                Enum8('BUY' = 0, 'SELL' = 1),
    token_id            UInt256,
    maker_asset_id      UInt256,
    taker_asset_id      UInt256,
    maker_amount_filled UInt256,
    taker_amount_filled UInt256,
    fee                 UInt256,
    builder             String,
    metadata            String,
    _run_id             String,
    _ingested_at        DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/chain_fills_by_wallet', '{replica}', _ingested_at)
ORDER BY (maker, block_number, log_index)
SETTINGS replicated_deduplication_window = 10000;

-- Every insert into chain_fills (the chain step's, or any INSERT … SELECT) lands here too. An insert
-- ClickHouse drops as a duplicate of its deduplication token never reaches the view.
CREATE MATERIALIZED VIEW IF NOT EXISTS chain_fills_by_wallet_mv ON CLUSTER 'analytics' TO chain_fills_by_wallet AS
SELECT
    maker,
    block_number,
    log_index,
    tx_hash,
    block_hash,
    block_time,
    exchange,
    exchange_version,
    order_hash,
    taker,
    side,
    token_id,
    maker_asset_id,
    taker_asset_id,
    maker_amount_filled,
    taker_amount_filled,
    fee,
    builder,
    metadata,
    _run_id,
    _ingested_at
FROM chain_fills;

-- Fills loaded before this migration (none on a new warehouse).
INSERT INTO chain_fills_by_wallet
SELECT
    maker,
    block_number,
    log_index,
    tx_hash,
    block_hash,
    block_time,
    exchange,
    exchange_version,
    order_hash,
    taker,
    side,
    token_id,
    maker_asset_id,
    taker_asset_id,
    maker_amount_filled,
    taker_amount_filled,
    fee,
    builder,
    metadata,
    _run_id,
    _ingested_at
FROM chain_fills;

-- would apply sql/021_token_markets_dictionary.sql (1 statement)
-- token_markets: every outcome token with its market, outcome and the market's metadata, as an
-- in-memory dictionary keyed by token_id, for the trade views to look tokens up in.
-- Why a dictionary: a trade view filtered to one wallet reads a handful of fills, but a JOIN to
-- market_tokens and markets reads both tables whole (FINAL) for every query — with 150,000 markets
-- that alone took ~200 ms per wallet query (bench/chain-wallet-query.ts). A JOIN against a
-- dictionary is a direct join: one hash lookup per row of the wallet's trades.
-- Freshness: every 5–10 s the engine runs invalidate_query (three aggregates over market_tokens and
-- markets, ~1 ms at 150,000 markets) and re-reads the source in the background when its answer
-- changed, so new markets reach the views within seconds; `SYSTEM RELOAD DICTIONARY token_markets`
-- (steps/chain.ts `reloadTokenMarkets`) makes them visible at once — the chain step runs it when it
-- finishes, so a backfill's views see the markets it loaded. `known` is 1 for every token here, 0 (the
-- default) for a token the dictionary does not hold.
CREATE DICTIONARY IF NOT EXISTS token_markets ON CLUSTER 'analytics'
(
    token_id      UInt256,
    condition_id  String,
    market_id     UInt64,
    outcome       String,
    outcome_index UInt8,
    question      String,
    slug          String,
    event_title   String,
    known         UInt8 DEFAULT 0
)
PRIMARY KEY token_id
SOURCE(CLICKHOUSE(
    QUERY 'SELECT t.token_id, t.condition_id, t.market_id, t.outcome, t.outcome_index, m.question, m.slug, m.event_title, toUInt8(1) AS known FROM market_tokens AS t FINAL LEFT JOIN (SELECT market_id, question, slug, event_title FROM markets FINAL) AS m ON m.market_id = t.market_id'
    INVALIDATE_QUERY 'SELECT (SELECT max(_ingested_at) FROM market_tokens), (SELECT max(_ingested_at) FROM markets), (SELECT count() FROM market_tokens)'
))
LAYOUT(COMPLEX_KEY_HASHED())
LIFETIME(MIN 5 MAX 10);

-- would apply sql/022_chain_transfers.sql (5 statements)
-- chain_transfers: every ERC-1155 TransferSingle and TransferBatch of ConditionalTokens, the contract
-- that holds every outcome token: one row per token id moved (a batch of n ids is n rows, in the
-- order of its arrays). Mints (splits) come from the zero address, burns (merges, redemptions) go to
-- it; fills move tokens between wallets and the exchanges. Key: (block_number, log_index,
-- batch_index), unique on chain; a re-fetched range replaces rather than doubles. Amounts are the
-- on-chain integers (6 decimals); the balances view converts them to exact decimals.
CREATE TABLE IF NOT EXISTS chain_transfers ON CLUSTER 'analytics'
(
    block_number UInt64,
    log_index    UInt32,
    batch_index  UInt16 COMMENT 'position in a TransferBatch''s arrays; 0 for TransferSingle',
    tx_hash      String,
    block_hash   String,
    block_time   DateTime('UTC'),
    event        Enum8('TransferSingle' = 0, 'TransferBatch' = 1),
    operator     String,
    from_address String COMMENT 'zero address for mints',
    to_address   String COMMENT 'zero address for burns',
    token_id     UInt256,
    amount       UInt256,
    _run_id      String,
    _ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/chain_transfers', '{replica}', _ingested_at)
ORDER BY (block_number, log_index, batch_index)
SETTINGS replicated_deduplication_window = 10000;

-- chain_transfer_blocks: hash and time of the blocks the transfers step processed (chain_blocks'
-- shape and role, for this stream alone: a stream re-reading a block after a reorg must not make
-- the other believe its old rows still agree with the chain).
CREATE TABLE IF NOT EXISTS chain_transfer_blocks ON CLUSTER 'analytics'
(
    block_number UInt64,
    block_hash   String,
    parent_hash  String,
    block_time   DateTime('UTC'),
    _run_id      String,
    _ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/chain_transfer_blocks', '{replica}', _ingested_at)
ORDER BY block_number
SETTINGS replicated_deduplication_window = 10000;

-- chain_transfers_by_wallet: each transfer twice, once per side: the sender's leg (direction -1) and
-- the receiver's (+1), sorted by (wallet, token_id). A wallet's balance of a token is the sum of its
-- legs, one primary-key range; all balances are one pass in key order. Why legs rather than an
-- aggregating table of running sums: a sum cannot forget the rows of blocks a reorg abandons, nor a
-- duplicate that FINAL would hide; legs are deleted by block_number like every chain row
-- (bench/transfers.ts measures both reads). Rows are deleted from both tables when a reorg abandons
-- blocks.
CREATE TABLE IF NOT EXISTS chain_transfers_by_wallet ON CLUSTER 'analytics'
(
    wallet       String,
    token_id     UInt256,
    direction    Int8 COMMENT '+1 received, -1 sent',
    block_number UInt64,
    log_index    UInt32,
    batch_index  UInt16,
    counterparty String,
    amount       UInt256,
    block_time   DateTime('UTC'),
    _run_id      String,
    _ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/chain_transfers_by_wallet', '{replica}', _ingested_at)
ORDER BY (wallet, token_id, block_number, log_index, batch_index, direction)
SETTINGS replicated_deduplication_window = 10000;

-- Every insert into chain_transfers lands here as two legs. An insert ClickHouse drops as a
-- duplicate of its deduplication token never reaches the view.
CREATE MATERIALIZED VIEW IF NOT EXISTS chain_transfers_by_wallet_mv ON CLUSTER 'analytics' TO chain_transfers_by_wallet AS
SELECT
    leg.1 AS wallet,
    token_id,
    leg.2 AS direction,
    block_number,
    log_index,
    batch_index,
    leg.3 AS counterparty,
    amount,
    block_time,
    _run_id,
    _ingested_at
FROM chain_transfers
ARRAY JOIN [(from_address, toInt8(-1), to_address), (to_address, toInt8(1), from_address)] AS leg;

-- Transfers loaded before this migration (none on a new warehouse).
INSERT INTO chain_transfers_by_wallet
SELECT
    leg.1 AS wallet,
    token_id,
    leg.2 AS direction,
    block_number,
    log_index,
    batch_index,
    leg.3 AS counterparty,
    amount,
    block_time,
    _run_id,
    _ingested_at
FROM chain_transfers
ARRAY JOIN [(from_address, toInt8(-1), to_address), (to_address, toInt8(1), from_address)] AS leg;

-- would apply sql/023_etl_wallet_queue.sql (1 statement)
-- etl_wallet_queue: the wallets step's order of work for one run — the wallets never fetched, each
-- with the key it is fetched by (−chain activity, −newest block, or 0 for address order) — built by
-- one query when the step starts and then read a batch at a time in (key, wallet) order. Why a
-- table: scoring a wallet reads every fill and transfer leg, and doing that for every batch of
-- 5,000 wallets would read the whole chain again per batch. Rows of a run are deleted when its step
-- ends; a run that was killed leaves its rows to the TTL.
CREATE TABLE IF NOT EXISTS etl_wallet_queue ON CLUSTER 'analytics'
(
    run_id           String,
    key              Int64,
    wallet           String,
    source           LowCardinality(String),
    first_seen_block UInt64,
    queued_at        DateTime('UTC') DEFAULT now()
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/etl_wallet_queue', '{replica}')
ORDER BY (run_id, key, wallet)
TTL queued_at + INTERVAL 7 DAY;

-- would apply sql/030_etl_checkpoints_counts.sql (1 statement)
-- etl_checkpoints: what a block range held when it was committed, beside the rows it wrote, so that
-- `polyhouse gaps --verify` can count the range again and name the ranges whose data is no longer
-- all there (rows deleted by hand, a lost part) although their checkpoint says done.
--   blocks   rows the range wrote to its stream's blocks table (chain_blocks, chain_transfer_blocks)
--   counted  1 when rows and blocks were recorded by the committer for exactly this range; 0 for rows
--            written before this column existed and for a range a reorg cut short (its counts are
--            unknown), which --verify cannot check and says so.
ALTER TABLE etl_checkpoints ON CLUSTER 'analytics'
    ADD COLUMN IF NOT EXISTS blocks UInt64 DEFAULT 0 COMMENT 'kind range: rows written to the stream''s blocks table' AFTER rows,
    ADD COLUMN IF NOT EXISTS counted UInt8 DEFAULT 0 COMMENT 'kind range: 1 when rows and blocks describe exactly this range' AFTER blocks;

-- would apply sql/031_token_markets_tags.sql (3 statements)
-- Tags and category for the trade views. Gamma tags markets and events (slugs in markets.tags and
-- events.tags, the tags table has their labels); older records also carry a `category` string — on
-- the market and on the event it embeds (test/fixtures/polymarket/gamma/resolved-markets-keyset-limit-1.json:
-- "US-current-affairs" on both), and on events. Neither schema decodes `category`, but `raw` keeps
-- every payload, so it is a column computed from `raw`: on insert for new rows, on read for parts
-- written before this migration (until they merge). '' where Gamma gives none.
ALTER TABLE markets ON CLUSTER 'analytics'
    ADD COLUMN IF NOT EXISTS category String
        DEFAULT if(JSONExtractString(raw, 'events', 1, 'category') != '', JSONExtractString(raw, 'events', 1, 'category'), JSONExtractString(raw, 'category'))
        COMMENT 'Gamma category of the market''s event, else of the market; '''' when none' AFTER tags;

ALTER TABLE events ON CLUSTER 'analytics'
    ADD COLUMN IF NOT EXISTS category String DEFAULT JSONExtractString(raw, 'category')
        COMMENT 'Gamma category; '''' when none' AFTER tags;

-- token_markets (sql/021) again, with two more attributes for the trade views to filter by:
--   tags      the market's tag slugs and its event's, each once (a market's own list is often empty
--             or narrower: Gamma tags the event "Politics" and the market only with its subject)
--   category  the event's category, else the market's ('' when Gamma gives none)
-- Same source, layout and lifetime as before; events are joined for their tags and category, and
-- their newest fetch joins the invalidation query, so a re-tagged event reaches the views too.
CREATE OR REPLACE DICTIONARY token_markets ON CLUSTER 'analytics'
(
    token_id      UInt256,
    condition_id  String,
    market_id     UInt64,
    outcome       String,
    outcome_index UInt8,
    question      String,
    slug          String,
    event_title   String,
    tags          Array(String),
    category      String,
    known         UInt8 DEFAULT 0
)
PRIMARY KEY token_id
SOURCE(CLICKHOUSE(
    QUERY 'SELECT t.token_id, t.condition_id, t.market_id, t.outcome, t.outcome_index, m.question, m.slug, m.event_title, arrayDistinct(arrayConcat(m.tags, e.tags)) AS tags, if(e.category != '''', e.category, m.category) AS category, toUInt8(1) AS known FROM market_tokens AS t FINAL LEFT JOIN (SELECT market_id, question, slug, event_title, event_id, tags, category FROM markets FINAL) AS m ON m.market_id = t.market_id LEFT JOIN (SELECT event_id, tags, category FROM events FINAL) AS e ON e.event_id = m.event_id'
    INVALIDATE_QUERY 'SELECT (SELECT max(_ingested_at) FROM market_tokens), (SELECT max(_ingested_at) FROM markets), (SELECT count() FROM market_tokens), (SELECT max(_ingested_at) FROM events)'
))
LAYOUT(COMPLEX_KEY_HASHED())
LIFETIME(MIN 5 MAX 10);

-- would apply sql/032_etl_checkpoints_digest.sql (1 statement)
-- etl_checkpoints: with a block range's counts (sql/030), a digest of what its rows held, so that
-- `polyhouse gaps --verify` also names the ranges whose rows were changed in place (an ALTER TABLE …
-- UPDATE, a hand-made "fix"), which counting cannot see.
--   content_digest  the engine's groupBitXorDistinct(cityHash64(<the stream's columns>)) over the
--                   stream table's rows of the range (steps/block-ranges/digest.ts): the run column
--                   left out, each distinct row once, so duplicates (a retried insert, a later run's
--                   identical rows) and the merge collapsing them do not move it. Recorded by the
--                   first `gaps --verify` that finds the range's counts intact (computing it at
--                   commit cost too much ingestion time); NULL until then: such a range is "counted
--                   only".
ALTER TABLE etl_checkpoints ON CLUSTER 'analytics'
    ADD COLUMN IF NOT EXISTS content_digest Nullable(UInt64) DEFAULT NULL COMMENT 'kind range: digest of the stream table''s rows of the range, recorded by gaps --verify' AFTER counted;

-- would apply sql/040_chain_activity.sql (2 statements)
-- chain_activity: the lifecycle logs of outcome tokens and the exchanges' fee logs, one row per log —
-- ConditionalTokens' ConditionResolution, PositionSplit, PositionsMerge and PayoutRedemption; the
-- NegRiskAdapter's PositionSplit, PositionsMerge, PayoutRedemption (stored as NegRisk…),
-- PositionsConverted, MarketPrepared and QuestionPrepared; FeeCharged of the four exchanges.
-- Key: (block_number, log_index), unique on chain; a re-fetched range replaces rather than doubles.
-- Columns an event lacks are '' or 0. `party` is who acted as the contract saw it: stakeholder,
-- redeemer, fee receiver, or oracle — for a V2 action through a collateral adapter it is the
-- adapter, and vw_activity names the user (see there). Amounts are the on-chain integers (6 decimals).
CREATE TABLE IF NOT EXISTS chain_activity ON CLUSTER 'analytics'
(
    block_number         UInt64,
    log_index            UInt32,
    tx_hash              String,
    block_hash           String,
    block_time           DateTime('UTC'),
    contract             LowCardinality(String) COMMENT 'emitter, lower-case',
    event                Enum8(
                             'ConditionResolution' = 1, 'PositionSplit' = 2, 'PositionsMerge' = 3,
                             'PayoutRedemption' = 4, 'NegRiskPositionSplit' = 5, 'NegRiskPositionsMerge' = 6,
                             'NegRiskPayoutRedemption' = 7, 'PositionsConverted' = 8, 'MarketPrepared' = 9,
                             'QuestionPrepared' = 10, 'FeeCharged' = 11
                         ),
    party                String COMMENT 'stakeholder, redeemer, fee receiver or oracle',
    condition_id         String,
    collateral           String COMMENT 'ConditionalTokens events only',
    parent_collection_id String COMMENT 'ConditionalTokens events only',
    neg_risk_market_id   String COMMENT 'PositionsConverted, MarketPrepared, QuestionPrepared',
    question_id          String COMMENT 'ConditionResolution, QuestionPrepared',
    index_set            UInt256 COMMENT 'PositionsConverted: bit i set = question i''s NO converted',
    amount               UInt256 COMMENT 'split, merge, conversion, fee',
    payout               UInt256 COMMENT 'redemptions: collateral paid out',
    values               Array(UInt256) COMMENT 'partition | payoutNumerators | indexSets | amounts',
    outcome_slot_count   UInt32 COMMENT 'ConditionResolution',
    question_index       UInt32 COMMENT 'QuestionPrepared',
    fee_bips             UInt32 COMMENT 'MarketPrepared, of 10,000',
    token_id             UInt256 COMMENT 'FeeCharged V1 (0: collateral)',
    _run_id              String,
    _ingested_at         DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/chain_activity', '{replica}', _ingested_at)
ORDER BY (block_number, log_index)
SETTINGS replicated_deduplication_window = 10000;

-- chain_activity_blocks: hash and time of the blocks the activity step processed (chain_blocks'
-- shape and role, for this stream alone; see sql/022).
CREATE TABLE IF NOT EXISTS chain_activity_blocks ON CLUSTER 'analytics'
(
    block_number UInt64,
    block_hash   String,
    parent_hash  String,
    block_time   DateTime('UTC'),
    _run_id      String,
    _ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/chain_activity_blocks', '{replica}', _ingested_at)
ORDER BY block_number
SETTINGS replicated_deduplication_window = 10000;

-- would apply sql/041_chain_candle_blocks.sql (3 statements)
-- chain_candle_blocks: the matches of each outcome token, aggregated per block at insert — the
-- stuff candles are made of. One row per (token_id, block_number) with at least one taker leg (a
-- fill whose taker is an exchange: one per match, so each match counts once): its first and last
-- price (open, close by log index), high, low, USDC volume, shares and trades. vw_candles_1m/1h/1d
-- roll these rows up by time; nothing there scans chain_fills.
-- Why one row per block rather than per minute: a reorg deletes chain rows by block_number, and a
-- block's row goes with it exactly; a sum per minute could not forget the blocks a reorg abandons.
-- A block's fills arrive in one insert (the chain step inserts whole block ranges), so its row is
-- whole, and a range fetched again yields the same row: ReplacingMergeTree keeps one (read FINAL).
-- Prices are collateral ÷ shares truncated at 18 places, as vw_trades_canonical prices a fill.
CREATE TABLE IF NOT EXISTS chain_candle_blocks ON CLUSTER 'analytics'
(
    token_id     UInt256,
    block_number UInt64,
    block_time   DateTime('UTC'),
    first_log    UInt32,
    last_log     UInt32,
    open         Decimal(38, 18),
    high         Decimal(38, 18),
    low          Decimal(38, 18),
    close        Decimal(38, 18),
    volume       Decimal(38, 6) COMMENT 'USDC of the taker legs',
    shares       Decimal(38, 6),
    trades       UInt32 COMMENT 'taker legs (matches)',
    _ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/chain_candle_blocks', '{replica}', _ingested_at)
ORDER BY (token_id, block_number)
SETTINGS replicated_deduplication_window = 10000;

-- Fed by every insert into chain_fills (an insert dropped as a duplicate never reaches it).
CREATE MATERIALIZED VIEW IF NOT EXISTS chain_candle_blocks_mv ON CLUSTER 'analytics' TO chain_candle_blocks AS
SELECT
    token_id,
    block_number,
    any(block_time) AS block_time,
    min(log_index) AS first_log,
    max(log_index) AS last_log,
    argMin(price, log_index) AS open,
    max(price) AS high,
    min(price) AS low,
    argMax(price, log_index) AS close,
    CAST(sum(collateral) AS Decimal(38, 6)) AS volume,
    CAST(sum(shares) AS Decimal(38, 6)) AS shares,
    toUInt32(count()) AS trades,
    max(_ingested_at) AS _ingested_at
FROM
(
    SELECT
        token_id,
        block_number,
        block_time,
        log_index,
        _ingested_at,
        toDecimal128(if(side = 'BUY', taker_amount_filled, maker_amount_filled), 6) / 1000000 AS shares,
        toDecimal128(if(side = 'BUY', maker_amount_filled, taker_amount_filled), 6) / 1000000 AS collateral,
        toDecimal128(if(side = 'BUY', maker_amount_filled, taker_amount_filled), 18)
            / toDecimal128(if(side = 'BUY', taker_amount_filled, maker_amount_filled), 0) AS price
    FROM chain_fills
    WHERE taker IN (
        '0x4bfb41d5b3570defd03c39a9a4d8de6bd8b8982e',
        '0xc5d563a36ae78145c45a50134d48a1215220f80a',
        '0xe111180000d2663c0091e4f400237545b87b996b',
        '0xe2222d279d744050d28e00520010520000310f59'
    )
      AND if(side = 'BUY', taker_amount_filled, maker_amount_filled) > 0
)
GROUP BY token_id, block_number;

-- Fills loaded before this migration (none on a new warehouse).
INSERT INTO chain_candle_blocks
SELECT
    token_id,
    block_number,
    any(block_time) AS block_time,
    min(log_index) AS first_log,
    max(log_index) AS last_log,
    argMin(price, log_index) AS open,
    max(price) AS high,
    min(price) AS low,
    argMax(price, log_index) AS close,
    CAST(sum(collateral) AS Decimal(38, 6)) AS volume,
    CAST(sum(shares) AS Decimal(38, 6)) AS shares,
    toUInt32(count()) AS trades,
    max(_ingested_at) AS _ingested_at
FROM
(
    SELECT
        token_id,
        block_number,
        block_time,
        log_index,
        _ingested_at,
        toDecimal128(if(side = 'BUY', taker_amount_filled, maker_amount_filled), 6) / 1000000 AS shares,
        toDecimal128(if(side = 'BUY', maker_amount_filled, taker_amount_filled), 6) / 1000000 AS collateral,
        toDecimal128(if(side = 'BUY', maker_amount_filled, taker_amount_filled), 18)
            / toDecimal128(if(side = 'BUY', taker_amount_filled, maker_amount_filled), 0) AS price
    FROM chain_fills FINAL
    WHERE taker IN (
        '0x4bfb41d5b3570defd03c39a9a4d8de6bd8b8982e',
        '0xc5d563a36ae78145c45a50134d48a1215220f80a',
        '0xe111180000d2663c0091e4f400237545b87b996b',
        '0xe2222d279d744050d28e00520010520000310f59'
    )
      AND if(side = 'BUY', taker_amount_filled, maker_amount_filled) > 0
)
GROUP BY token_id, block_number;

-- would apply sql/042_token_last_trades_dictionary.sql (1 statement)
-- token_last_trades: each outcome token's latest match price (the close of its last block in
-- chain_candle_blocks, sql/041), as an in-memory dictionary keyed by token_id, for vw_position_pnl's
-- last_price. Why a dictionary: a wallet's PnL needs the last price of a handful of tokens, and a
-- JOIN would read every token's candles per query; a dictGet is one hash lookup per row.
-- Freshness: every 30–60 s the engine asks whether chain_candle_blocks changed and re-reads it when
-- it did; `SYSTEM RELOAD DICTIONARY token_last_trades` makes new fills visible at once (the PnL
-- snapshot refresh does, steps/pnl/snapshot.ts). `traded` is 1 for every token here, 0 (the default)
-- for a token that never matched.
CREATE DICTIONARY IF NOT EXISTS token_last_trades ON CLUSTER 'analytics'
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
LIFETIME(MIN 30 MAX 60);

-- would apply sql/043_wallet_pnl_snapshots.sql (2 statements)
-- wallet_pnl_snapshots: the leaderboard's rows — every wallet's PnL totals (vw_position_pnl summed)
-- and trading figures (its fills), computed whole by each refresh (steps/pnl/snapshot.ts, run by the
-- views step at the end of every backfill) into a partition of its own. Why a snapshot: the PnL
-- rules are a fold over every event in chain order, not a sum an aggregating table could keep, and
-- folding 10M fills per query takes seconds; reading one row per wallet takes milliseconds.
-- vw_wallet_pnl reads the newest snapshot recorded in pnl_snapshots (a refresh records it only once
-- its rows are in, so a query never sees a half-written one); older partitions are dropped.
CREATE TABLE IF NOT EXISTS wallet_pnl_snapshots ON CLUSTER 'analytics'
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
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/wallet_pnl_snapshots', '{replica}')
PARTITION BY snapshot
ORDER BY wallet;

-- pnl_snapshots: one row per completed refresh, written after its rows.
CREATE TABLE IF NOT EXISTS pnl_snapshots ON CLUSTER 'analytics'
(
    snapshot    UInt64,
    computed_at DateTime64(3, 'UTC'),
    wallets     UInt64,
    positions   UInt64,
    seconds     Decimal(18, 3) COMMENT 'how long the refresh took'
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/pnl_snapshots', '{replica}')
ORDER BY snapshot;

-- would apply sql/060_amm_events.sql (2 statements)
-- amm_events: the AMM era (2020–2022, before the CTF exchanges): every FixedProductMarketMakerCreation
-- and every FPMMBuy, FPMMSell, FPMMFundingAdded and FPMMFundingRemoved log on Polygon, one row per
-- log, whatever its emitter. Which emitters are Polymarket's market makers is decided by the views
-- (amm_markets, sql/061: market makers the Polymarket factory created); look-alike logs of other
-- contracts are kept here and used nowhere. Key: (block_number, log_index), unique on chain; a
-- re-fetched range replaces rather than doubles. Amounts are the on-chain integers (USDC and outcome
-- tokens have 6 decimals; `fee` is the creation's fee rate, 10^18 = 100 %).
CREATE TABLE IF NOT EXISTS amm_events ON CLUSTER 'analytics'
(
    block_number       UInt64,
    log_index          UInt32,
    tx_hash            String,
    block_hash         String,
    block_time         DateTime('UTC'),
    event              Enum8('FixedProductMarketMakerCreation' = 0, 'FPMMBuy' = 1, 'FPMMSell' = 2,
                             'FPMMFundingAdded' = 3, 'FPMMFundingRemoved' = 4),
    contract           String COMMENT 'emitter: the factory for a creation, else the market maker',
    actor              String COMMENT 'creator, buyer, seller or funder',
    outcome_index      UInt8 COMMENT 'FPMMBuy/FPMMSell: the outcome traded',
    collateral_amount  UInt256 COMMENT 'buy: investmentAmount (fee included); sell: returnAmount (fee excluded); funding removed: collateralRemovedFromFeePool',
    fee_amount         UInt256 COMMENT 'buy/sell: feeAmount, USDC',
    outcome_tokens     UInt256 COMMENT 'buy: outcomeTokensBought; sell: outcomeTokensSold',
    amounts            Array(UInt256) COMMENT 'funding: amountsAdded / amountsRemoved, per outcome',
    shares             UInt256 COMMENT 'funding: liquidity shares minted / burnt',
    market_maker       String COMMENT 'creation: the new market maker',
    conditional_tokens String COMMENT 'creation',
    collateral_token   String COMMENT 'creation',
    condition_ids      Array(String) COMMENT 'creation',
    fee                UInt256 COMMENT 'creation: fee rate, 1e18 = 100 %',
    position_ids       Array(UInt256) COMMENT 'creation: token id of outcome 0, 1, … (single-condition market makers)',
    _run_id            String,
    _ingested_at       DateTime64(3, 'UTC') DEFAULT now64(3),
    -- A wallet's AMM trades are a filter on actor: granules without it are skipped.
    INDEX actor_bloom actor TYPE bloom_filter GRANULARITY 4
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/amm_events', '{replica}', _ingested_at)
ORDER BY (block_number, log_index)
SETTINGS replicated_deduplication_window = 10000;

-- amm_blocks: hash and time of the blocks the AMM step processed (chain_blocks' shape and role, for
-- this stream alone).
CREATE TABLE IF NOT EXISTS amm_blocks ON CLUSTER 'analytics'
(
    block_number UInt64,
    block_hash   String,
    parent_hash  String,
    block_time   DateTime('UTC'),
    _run_id      String,
    _ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/amm_blocks', '{replica}', _ingested_at)
ORDER BY block_number
SETTINGS replicated_deduplication_window = 10000;

-- would apply sql/061_amm_markets_dictionary.sql (1 statement)
-- amm_markets: every market maker Polymarket's FixedProductMarketMakerFactory created
-- (0x8b9805a2f595b6705e74f7310829f2d299d21522, extract/chain/contracts.ts FPMM_FACTORY), keyed by
-- its address, with what its creation says (condition, collateral, fee, the outcomes' token ids)
-- and the Gamma market whose `marketMakerAddress` names it with its metadata, tags and category as
-- token_markets has them (sql/031) (market_id 0 and empty metadata when Gamma lists none). `known` is 1 for every market maker here, 0 (the default) for any other
-- emitter: the trade and liquidity views keep only known ones. An in-memory dictionary for the
-- reason token_markets is one (sql/021): the views look each AMM event's emitter up with dictGet.
-- Gamma prints the address checksummed; it is compared lower-cased.
CREATE DICTIONARY IF NOT EXISTS amm_markets ON CLUSTER 'analytics'
(
    market_maker   String,
    condition_id   String,
    collateral     String,
    fee            UInt256,
    position_ids   Array(UInt256),
    creator        String,
    created_block  UInt64,
    market_id      UInt64,
    outcomes       Array(String),
    question       String,
    slug           String,
    event_title    String,
    tags           Array(String),
    category       String,
    known          UInt8 DEFAULT 0
)
PRIMARY KEY market_maker
SOURCE(CLICKHOUSE(
    QUERY 'SELECT c.market_maker AS market_maker, c.condition_ids[1] AS condition_id, c.collateral_token AS collateral, c.fee AS fee, c.position_ids AS position_ids, c.actor AS creator, c.block_number AS created_block, m.market_id AS market_id, m.outcomes AS outcomes, m.question AS question, m.slug AS slug, m.event_title AS event_title, arrayDistinct(arrayConcat(m.tags, e.tags)) AS tags, if(e.category != '''', e.category, m.category) AS category, toUInt8(1) AS known FROM (SELECT * FROM amm_events FINAL WHERE event = ''FixedProductMarketMakerCreation'' AND contract = ''0x8b9805a2f595b6705e74f7310829f2d299d21522'') AS c LEFT JOIN (SELECT lower(JSONExtractString(raw, ''marketMakerAddress'')) AS maker, market_id, outcomes, question, slug, event_title, event_id, tags, category FROM markets FINAL WHERE maker != '''') AS m ON m.maker = c.market_maker LEFT JOIN (SELECT event_id, tags, category FROM events FINAL) AS e ON e.event_id = m.event_id'
    INVALIDATE_QUERY 'SELECT (SELECT max(_ingested_at) FROM amm_events), (SELECT max(_ingested_at) FROM markets), (SELECT count() FROM amm_events), (SELECT max(_ingested_at) FROM events)'
))
LAYOUT(COMPLEX_KEY_HASHED())
LIFETIME(MIN 5 MAX 10);

-- would apply sql/070_wallet_owners.sql (2 statements)
-- wallet_owners: who is behind each contract wallet Polymarket users trade through — the proxy
-- wallet (email / Magic users) or Gnosis Safe (browser-wallet users) → the EOA that controls it, the
-- kind, and the block it was created in. Loaded by the owners step from the factories' logs
-- (extract/chain/contracts.ts): a Safe's ProxyCreation, or for a proxy wallet every call relayed to
-- the proxy wallet factory (the first one creates the wallet). Key: wallet; of its rows the earliest
-- (block_number, log_index) wins — creation_rank is larger for earlier logs — so created_block is
-- the creation. A wallet with no row here has no known owner: the views take it as its own owner.
CREATE TABLE IF NOT EXISTS wallet_owners ON CLUSTER 'analytics'
(
    wallet        String COMMENT 'the proxy wallet or Safe, lower-case',
    owner         String COMMENT 'the EOA that controls it, lower-case',
    kind          Enum8('proxy' = 1, 'safe' = 2),
    factory       String COMMENT 'the contract that created it',
    block_number  UInt64 COMMENT 'block of the log this row was read from',
    log_index     UInt32,
    tx_hash       String,
    block_hash    String,
    block_time    DateTime('UTC'),
    created_block UInt64 ALIAS block_number,
    creation_rank UInt64 MATERIALIZED 18446744073709551615 - (block_number * 16777216 + log_index),
    _run_id       String,
    _ingested_at  DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/wallet_owners', '{replica}', creation_rank)
ORDER BY wallet
SETTINGS replicated_deduplication_window = 10000;

-- wallet_owner_blocks: hash and time of the blocks the owners step processed (chain_blocks' shape
-- and role, for this stream alone).
CREATE TABLE IF NOT EXISTS wallet_owner_blocks ON CLUSTER 'analytics'
(
    block_number UInt64,
    block_hash   String,
    parent_hash  String,
    block_time   DateTime('UTC'),
    _run_id      String,
    _ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/wallet_owner_blocks', '{replica}', _ingested_at)
ORDER BY block_number
SETTINGS replicated_deduplication_window = 10000;

-- would apply sql/080_etl_rpc_endpoints.sql (1 statement)
-- etl_rpc_endpoints: how each JSON-RPC endpoint fared in a run of a chain stream (chain_fills,
-- chain_transfers) — its state, its head, the ranges, blocks and logs it fetched, its failed
-- requests and ranges, and the range size it learned — for `status`. Written as the stream runs;
-- the latest row per (run, stream, endpoint) wins. The endpoint is its URL's scheme and host only
-- (core/redact.ts): provider keys sit in the rest.
CREATE TABLE IF NOT EXISTS etl_rpc_endpoints ON CLUSTER 'analytics'
(
    run_id          String,
    stream          LowCardinality(String),
    endpoint        String COMMENT 'scheme and host only',
    state           LowCardinality(String) COMMENT 'ok, benched (failing, set aside a while) or down (left the run)',
    head            UInt64 COMMENT 'the highest block it admitted to',
    ranges          UInt64,
    blocks          UInt64,
    logs            UInt64,
    requests        UInt64 COMMENT 'HTTP attempts, retries included',
    failed_requests UInt64,
    rate_limited    UInt64,
    failed_ranges   UInt64 COMMENT 'ranges that failed here after their retries',
    handed_off      UInt64 COMMENT 'of which another endpoint took over',
    too_large       UInt64 COMMENT 'ranges refused as too large (span or results)',
    range_blocks    UInt32 COMMENT 'the range size it was at last',
    range_cap       UInt32 COMMENT 'the span cap learned from its errors',
    busy_ms         UInt64,
    elapsed_ms      UInt64 COMMENT 'how long the stream had run when the row was written',
    last_error      String,
    updated_at      DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/etl_rpc_endpoints', '{replica}', updated_at)
ORDER BY (run_id, stream, endpoint);

-- would apply sql/090_chain_transfers_by_wallet_hash_key.sql (6 statements)
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
CREATE TABLE IF NOT EXISTS chain_transfers_by_wallet_rekeyed ON CLUSTER 'analytics'
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
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/chain_transfers_by_wallet_rekeyed', '{replica}', _ingested_at)
ORDER BY (cityHash64(wallet), block_number, log_index, batch_index, direction)
SETTINGS replicated_deduplication_window = 10000;

DROP VIEW IF EXISTS chain_transfers_by_wallet_mv ON CLUSTER 'analytics';

INSERT INTO chain_transfers_by_wallet_rekeyed
SELECT wallet, token_id, direction, block_number, log_index, batch_index, amount, block_time, _ingested_at
FROM chain_transfers_by_wallet;

EXCHANGE TABLES chain_transfers_by_wallet AND chain_transfers_by_wallet_rekeyed ON CLUSTER 'analytics';

-- Every insert into chain_transfers lands in the re-keyed table as two legs (sql/022's view, less the
-- dropped columns). An insert ClickHouse drops as a duplicate of its token never reaches the view.
CREATE MATERIALIZED VIEW IF NOT EXISTS chain_transfers_by_wallet_mv ON CLUSTER 'analytics' TO chain_transfers_by_wallet AS
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
DROP TABLE IF EXISTS chain_transfers_by_wallet_rekeyed ON CLUSTER 'analytics';

-- would apply sql/091_wide_tables_vertical_merges.sql (3 statements)
-- Merges of the tables that keep each record's raw JSON (markets, events, positions) go column by
-- column. A horizontal merge reads every column of every part at once, a read buffer each: with the
-- step's small parts (a page of records each) that held 150–250 MiB of the embedded engine per merge
-- of markets at 160,000 markets; merged vertically, at most 83 MiB (system.merges.memory_usage, sampled
-- every 2 s during `backfill --steps markets` against the simulator). The engine picks vertical merges
-- only for parts of 131,072 rows and more by default, which a page-sized part never reaches.
ALTER TABLE markets ON CLUSTER 'analytics' MODIFY SETTING
    vertical_merge_algorithm_min_rows_to_activate = 1, vertical_merge_algorithm_min_columns_to_activate = 1;

ALTER TABLE events ON CLUSTER 'analytics' MODIFY SETTING
    vertical_merge_algorithm_min_rows_to_activate = 1, vertical_merge_algorithm_min_columns_to_activate = 1;

ALTER TABLE positions ON CLUSTER 'analytics' MODIFY SETTING
    vertical_merge_algorithm_min_rows_to_activate = 1, vertical_merge_algorithm_min_columns_to_activate = 1;

-- would apply view vw_activity
-- vw_activity: every lifecycle log of chain_activity (sql/040) with the wallet it belongs to.
--   party        who acted as the contract saw it (stakeholder, redeemer, fee receiver, oracle)
--   wallet       party, except for the V2 collateral adapters (CtfCollateralAdapter
--                0xada100db…, NegRiskCtfCollateralAdapter 0xada20056…, extract/chain/contracts.ts):
--                since the 2026 V2 exchanges users split, merge, redeem and convert through them, so
--                the adapter is the party; the user is the wallet whose tokens went to or came from
--                that adapter in the same transaction (chain_transfers), any contract or the zero
--                address aside
--   attribution  'direct' (wallet = party), 'adapter' (the user found), 'adapter_unresolved' (no
--                transfer names one: wallet stays the adapter), 'adapter_ambiguous' (several did:
--                wallet is the lowest address)
-- The transfers are read only for the blocks that hold adapter actions (a primary-key lookup of
-- chain_transfers each).
CREATE OR REPLACE VIEW vw_activity ON CLUSTER 'analytics' AS
SELECT
    a.block_number AS block_number,
    a.log_index AS log_index,
    a.tx_hash AS tx_hash,
    a.block_time AS block_time,
    a.contract AS contract,
    a.event AS event,
    a.party AS party,
    if(a.via_adapter AND u.users > 0, u.first_user, a.party) AS wallet,
    multiIf(
        NOT a.via_adapter, 'direct',
        u.users = 1, 'adapter',
        u.users > 1, 'adapter_ambiguous',
        'adapter_unresolved'
    ) AS attribution,
    a.condition_id AS condition_id,
    a.collateral AS collateral,
    a.parent_collection_id AS parent_collection_id,
    a.neg_risk_market_id AS neg_risk_market_id,
    a.question_id AS question_id,
    a.index_set AS index_set,
    a.amount AS amount,
    a.payout AS payout,
    a.values AS values,
    a.outcome_slot_count AS outcome_slot_count,
    a.question_index AS question_index,
    a.fee_bips AS fee_bips,
    a.token_id AS token_id
FROM
(
    SELECT
        *,
        party IN ('0xada100db00ca00073811820692005400218fce1f', '0xada2005600dec949baf300f4c6120000bdb6eaab') AS via_adapter
    FROM chain_activity FINAL
) AS a
LEFT JOIN
(
    SELECT block_number, tx_hash, adapter, min(user) AS first_user, uniqExact(user) AS users
    FROM
    (
        SELECT
            block_number,
            tx_hash,
            if(from_address IN ('0xada100db00ca00073811820692005400218fce1f', '0xada2005600dec949baf300f4c6120000bdb6eaab'), from_address, to_address) AS adapter,
            if(from_address IN ('0xada100db00ca00073811820692005400218fce1f', '0xada2005600dec949baf300f4c6120000bdb6eaab'), to_address, from_address) AS user
        FROM chain_transfers FINAL
        WHERE block_number IN (
            SELECT block_number FROM chain_activity
            WHERE party IN ('0xada100db00ca00073811820692005400218fce1f', '0xada2005600dec949baf300f4c6120000bdb6eaab')
        )
          AND (from_address IN ('0xada100db00ca00073811820692005400218fce1f', '0xada2005600dec949baf300f4c6120000bdb6eaab')
               OR to_address IN ('0xada100db00ca00073811820692005400218fce1f', '0xada2005600dec949baf300f4c6120000bdb6eaab'))
    )
    WHERE user NOT IN (
        '0x0000000000000000000000000000000000000000',
        '0x4bfb41d5b3570defd03c39a9a4d8de6bd8b8982e',
        '0xc5d563a36ae78145c45a50134d48a1215220f80a',
        '0xe111180000d2663c0091e4f400237545b87b996b',
        '0xe2222d279d744050d28e00520010520000310f59',
        '0xd91e80cf2e7be2e162c6513ced06f1dd0da35296',
        '0x4d97dcd97ec945f40cf65f87097ace5ea0476045',
        '0xada100db00ca00073811820692005400218fce1f',
        '0xada2005600dec949baf300f4c6120000bdb6eaab',
        '0xa5ef39c3d3e10d0b270233af41cac69796b12966'
    )
    GROUP BY block_number, tx_hash, adapter
) AS u ON u.block_number = a.block_number AND u.tx_hash = a.tx_hash AND u.adapter = a.party
;

-- would apply view vw_amm_liquidity
-- vw_amm_liquidity: every liquidity add and removal on one of Polymarket's AMM-era market makers
-- (FPMMFundingAdded, FPMMFundingRemoved of a market maker in amm_markets, sql/061), one row per log:
--   kind            'add' or 'remove'.
--   amounts         per outcome, shares: what the pool took in (add: amountsAdded) or paid out
--                   (remove: amountsRemoved, as outcome tokens).
--   collateral      USDC: on an add the funds put in, the largest of amountsAdded (FixedProductMarket
--                   Maker.addFunding splits them all and sends back the difference per outcome; the
--                   pnl-subgraph reads it the same way); on a removal the fees paid out of the pool
--                   (collateralRemovedFromFeePool).
--   lp_shares       liquidity shares minted (add) or burnt (remove).
-- with the market maker's condition and its Gamma market (market_id 0 when Gamma names none).
CREATE OR REPLACE VIEW vw_amm_liquidity ON CLUSTER 'analytics' AS
SELECT
    e.actor AS wallet,
    e.contract AS market_maker,
    tupleElement(k, 1) AS condition_id,
    tupleElement(k, 2) AS market_id,
    tupleElement(k, 3) AS question,
    if(e.event = 'FPMMFundingAdded', 'add', 'remove') AS kind,
    arrayMap((x) -> CAST(toDecimal128(x, 6) / 1000000 AS Decimal(18, 6)), e.amounts) AS amounts,
    CAST(
        toDecimal128(if(e.event = 'FPMMFundingAdded', arrayMax(e.amounts), e.collateral_amount), 6) / 1000000
        AS Decimal(18, 6)
    ) AS collateral,
    CAST(toDecimal128(e.shares, 6) / 1000000 AS Decimal(18, 6)) AS lp_shares,
    e.block_number AS block_number,
    e.block_time AS block_time,
    e.tx_hash AS tx_hash,
    e.log_index AS log_index
FROM
(
    SELECT *, dictGet('amm_markets', ('condition_id', 'market_id', 'question'), tuple(contract)) AS k
    FROM amm_events FINAL
    WHERE event IN ('FPMMFundingAdded', 'FPMMFundingRemoved')
        AND dictHas('amm_markets', tuple(contract))
) AS e
;

-- would apply view vw_amm_markets
-- vw_amm_markets: every market maker Polymarket's FPMM factory created, with its creation (block,
-- creator, condition, collateral, fee rate as a fraction) and the Gamma market whose
-- marketMakerAddress names it; listed 0 when Gamma names none (its trades keep the condition id
-- and token ids, without a market id or question).
CREATE OR REPLACE VIEW vw_amm_markets ON CLUSTER 'analytics' AS
SELECT
    market_maker,
    condition_id,
    collateral,
    CAST(toDecimal128(fee, 18) / toDecimal128(1000000000000000000, 0) AS Decimal(38, 18)) AS fee_rate,
    position_ids,
    creator,
    created_block,
    market_id,
    question,
    slug,
    toUInt8(market_id != 0) AS listed
FROM dictionary('amm_markets')
;

-- would apply view vw_amm_trades
-- vw_amm_trades: one row per trade against one of Polymarket's AMM-era market makers (FPMMBuy,
-- FPMMSell of a market maker the Polymarket factory created: amm_markets, sql/061), from the point
-- of view of the wallet that traded, in vw_trades_canonical's columns (which takes every row):
--   side        BUY for FPMMBuy, SELL for FPMMSell.
--   token_id    the outcome's token: the position id of outcome_index in the creation (amm_events
--               position_ids, computed by extract/chain/ctf-positions.ts); 0 when unknown.
--   market      from token_markets when Gamma lists the token, else from the Gamma market whose
--               marketMakerAddress is this market maker (amm_markets); market_known 0 when neither.
--   shares      outcome tokens bought or sold; collateral  USDC paid (investmentAmount, fee included)
--               or received (returnAmount, fee excluded): the pnl-subgraph's price, collateral ÷
--               shares (Polymarket/polymarket-subgraph pnl-subgraph FixedProductMarketMakerMapping.ts).
--   fee         feeAmount, USDC, in its own column (fee_asset 'usdc'); the market maker keeps it.
--   exchange    the market maker's address, exchange_version 0, venue 'amm'.
--   is_taker_leg 1: a trade against the pool has no other leg, so volume counts each once.
CREATE OR REPLACE VIEW vw_amm_trades ON CLUSTER 'analytics' AS
SELECT
    a.actor AS wallet,
    CAST(if(a.event = 'FPMMBuy', 'BUY', 'SELL') AS Enum8('BUY' = 0, 'SELL' = 1)) AS side,
    a.token_id AS token_id,
    if(tupleElement(t, 5) = 1, tupleElement(t, 1), tupleElement(k, 1)) AS condition_id,
    if(tupleElement(t, 5) = 1, tupleElement(t, 2), tupleElement(k, 2)) AS market_id,
    if(tupleElement(t, 5) = 1, tupleElement(t, 3), arrayElement(tupleElement(k, 3), a.outcome_index + 1)) AS outcome,
    a.outcome_index AS outcome_index,
    CAST(toDecimal128(a.outcome_tokens, 6) / 1000000 AS Decimal(18, 6)) AS shares,
    CAST(toDecimal128(a.collateral_amount, 6) / 1000000 AS Decimal(18, 6)) AS collateral,
    if(
        a.outcome_tokens = 0,
        NULL,
        toDecimal128(a.collateral_amount, 18) / toDecimal128(a.outcome_tokens, 0)
    ) AS price,
    CAST(toDecimal128(a.fee_amount, 6) / 1000000 AS Decimal(18, 6)) AS fee,
    'usdc' AS fee_asset,
    CAST(
        if(a.event = 'FPMMBuy', toDecimal128(a.outcome_tokens, 6), -toDecimal128(a.outcome_tokens, 6))
            / 1000000 AS Decimal(18, 6)
    ) AS shares_delta,
    a.contract AS exchange,
    toUInt8(0) AS exchange_version,
    a.block_number AS block_number,
    a.block_time AS block_time,
    a.tx_hash AS tx_hash,
    a.log_index AS log_index,
    '' AS order_hash,
    a.contract AS taker,
    true AS is_taker_leg,
    toUInt8(tupleElement(t, 5) = 1 OR tupleElement(k, 2) != 0) AS market_known,
    'amm' AS venue
FROM
(
    SELECT
        *,
        dictGet('amm_markets', ('condition_id', 'market_id', 'outcomes', 'position_ids'), tuple(e.contract)) AS k,
        arrayElementOrNull(tupleElement(k, 4), e.outcome_index + 1) AS position,
        if(position IS NULL, toUInt256(0), assumeNotNull(position)) AS token_id,
        dictGet('token_markets', ('condition_id', 'market_id', 'outcome', 'outcome_index', 'known'), tuple(token_id)) AS t
    FROM amm_events AS e FINAL
    WHERE e.event IN ('FPMMBuy', 'FPMMSell')
        -- dictHas, not dictGet(…, 'known', …) = 1: ClickHouse 26 rewrites an equality on a complex-key
        -- dictGet into a key lookup that fails on a String key ("expected '(' … to Tuple(String)").
        AND dictHas('amm_markets', tuple(e.contract))
) AS a
;

-- would apply view vw_candles
-- vw_candles: OHLC candles of every outcome token at 1 minute, 1 hour and 1 day (UTC), one row per
-- token, `span` ('1m' | '1h' | '1d') and bucket — the per-block rows of chain_candle_blocks (sql/041,
-- aggregated from the taker legs as they are inserted) rolled up, so a query reads those rows, never
-- chain_fills. vw_candles_1m, vw_candles_1h and vw_candles_1d are its three spans.
--   open / close  the price of the bucket's first / last match; high / low its extremes
--   volume        USDC of its taker legs (each match once); trades: its matches
--   vwap          volume ÷ shares, truncated at 18 places
-- Prices are collateral ÷ shares of the taker leg. `WHERE token_id = …` is one primary-key range, and
-- `WHERE span = …` keeps one of the three rows each block row becomes before anything is aggregated.
-- Market columns come from the token_markets dictionary ('' for a token no market lists).
CREATE OR REPLACE VIEW vw_candles ON CLUSTER 'analytics' AS
SELECT
    c.token_id AS token_id,
    c.span AS span,
    dictGetOrDefault('token_markets', 'condition_id', tuple(c.token_id), '') AS condition_id,
    dictGetOrDefault('token_markets', 'outcome', tuple(c.token_id), '') AS outcome,
    c.bucket AS bucket,
    c.open AS open,
    c.high AS high,
    c.low AS low,
    c.close AS close,
    c.volume AS volume,
    c.trades AS trades,
    CAST(toDecimal128(c.volume, 18) / c.shares AS Decimal(38, 18)) AS vwap,
    c.first_block AS first_block,
    c.last_block AS last_block
FROM
(
    SELECT
        token_id,
        span,
        multiIf(span = '1m', toStartOfMinute(block_time), span = '1h', toStartOfHour(block_time), toStartOfDay(block_time)) AS bucket,
        argMin(open, (block_number, first_log)) AS open,
        max(high) AS high,
        min(low) AS low,
        argMax(close, (block_number, last_log)) AS close,
        sum(volume) AS volume,
        sum(shares) AS shares,
        toUInt64(sum(trades)) AS trades,
        min(block_number) AS first_block,
        max(block_number) AS last_block
    FROM chain_candle_blocks FINAL
    ARRAY JOIN ['1m', '1h', '1d'] AS span
    GROUP BY token_id, span, bucket
) AS c
;

-- would apply view vw_candles_1d
-- vw_candles_1d: OHLC candles of every outcome token, one row per token and day (UTC) (vw_candles).
CREATE OR REPLACE VIEW vw_candles_1d ON CLUSTER 'analytics' AS
SELECT * EXCEPT span FROM vw_candles WHERE span = '1d'
;

-- would apply view vw_candles_1h
-- vw_candles_1h: OHLC candles of every outcome token, one row per token and hour (vw_candles).
CREATE OR REPLACE VIEW vw_candles_1h ON CLUSTER 'analytics' AS
SELECT * EXCEPT span FROM vw_candles WHERE span = '1h'
;

-- would apply view vw_candles_1m
-- vw_candles_1m: OHLC candles of every outcome token, one row per token and minute (vw_candles).
CREATE OR REPLACE VIEW vw_candles_1m ON CLUSTER 'analytics' AS
SELECT * EXCEPT span FROM vw_candles WHERE span = '1m'
;

-- would apply view vw_chain_confirmed
-- vw_chain_confirmed: for each chain stream, the block its data is complete to — one row per stream.
-- The chain steps read only to --confirmations (32) blocks below the tip, and a failed range leaves a
-- hole until a later run fetches it; the Data API meanwhile counts every fill it has seen. A view
-- that sets chain figures beside the API's must know how far the chain side goes, so it compares like
-- with like: vw_reconciliation_window turns this into a verdict per wallet.
--   stream           the etl_checkpoints stream: 'chain_fills' (OrderFilled), 'chain_transfers' (ERC-1155)
--   first_block      the first block recorded done (0: none)
--   confirmed_block  every block from first_block to this one is in a range recorded done, so every
--                    row of these blocks is in the warehouse (0: none is)
--   confirmed_time   the time of the latest stored block at or below confirmed_block — a lower bound
--                    of that block's own time (a stream's blocks table holds the blocks with logs
--                    only); epoch 0 when there is none
--   from_deployment  1 when first_block is at or below the deployment of the stream's contracts
--                    (CTF Exchange V1 33,605,403 for fills, ConditionalTokens 4,023,686 for transfers:
--                    extract/chain/contracts.ts), i.e. no earlier block can hold the stream's logs
-- Completeness is read from the recorded ranges: sorted by first block, the first range that starts
-- past the reach of all before it (more than one block after) is the first hole. A stream of another
-- step joins by adding its name, deployment block and blocks table below.
CREATE OR REPLACE VIEW vw_chain_confirmed ON CLUSTER 'analytics' AS
WITH
    done AS (
        SELECT
            stream,
            min(from_block) AS first_block,
            -- The reach before the first hole; all ranges' reach when there is none.
            if(countIf(hole) = 0, max(to_block), minIf(reach, hole)) AS confirmed_block
        FROM
        (
            SELECT
                stream,
                from_block,
                to_block,
                max(to_block) OVER (PARTITION BY stream ORDER BY from_block, to_block ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach,
                row_number() OVER (PARTITION BY stream ORDER BY from_block, to_block) > 1 AND from_block > reach + 1 AS hole
            FROM etl_checkpoints FINAL
            WHERE kind = 'range' AND stream IN ('chain_fills', 'chain_transfers')
        )
        GROUP BY stream
    )
SELECT
    s.stream AS stream,
    d.first_block AS first_block,
    d.confirmed_block AS confirmed_block,
    -- Each stream's blocks table read backwards from confirmed_block: the first stored block is all
    -- it reads (ORDER BY the table's key DESC LIMIT 1), however long the chain.
    multiIf(
        d.confirmed_block = 0, toDateTime(0, 'UTC'),
        s.stream = 'chain_fills', ifNull((
            SELECT max(block_time) FROM (
                SELECT block_time FROM chain_blocks
                WHERE block_number <= (SELECT confirmed_block FROM done WHERE stream = 'chain_fills')
                ORDER BY block_number DESC LIMIT 1)), toDateTime(0, 'UTC')),
        ifNull((
            SELECT max(block_time) FROM (
                SELECT block_time FROM chain_transfer_blocks
                WHERE block_number <= (SELECT confirmed_block FROM done WHERE stream = 'chain_transfers')
                ORDER BY block_number DESC LIMIT 1)), toDateTime(0, 'UTC'))
    ) AS confirmed_time,
    toUInt8(d.confirmed_block > 0 AND d.first_block <= s.deployment_block) AS from_deployment
FROM
(
    SELECT 'chain_fills' AS stream, toUInt64(33605403) AS deployment_block
    UNION ALL
    SELECT 'chain_transfers', toUInt64(4023686)
) AS s
LEFT JOIN done AS d ON d.stream = s.stream
;

-- would apply view vw_pnl_conversions
-- vw_pnl_conversions: the neg-risk conversions the PnL rules act on, one row per PositionsConverted
-- of vw_activity (its wallet attributed as there), with what the pnl-subgraph knows of its market at
-- that moment (NegRiskAdapterMapping.ts): the market must have been prepared before it
-- (MarketPrepared), and question_count is the number of its questions prepared before it
-- (QuestionPrepared) — bit j of index_set below question_count converts question j's NO token;
-- no_count is how many. fee_bips is the market's conversion fee (MarketPrepared), for open interest.
CREATE OR REPLACE VIEW vw_pnl_conversions ON CLUSTER 'analytics' AS
SELECT
    c.wallet AS wallet,
    c.attribution AS attribution,
    c.block_number AS block_number,
    c.log_index AS log_index,
    c.neg_risk_market_id AS neg_risk_market_id,
    c.index_set AS index_set,
    c.amount AS amount,
    m.fee_bips AS fee_bips,
    toUInt32(countIf(q.at < (c.block_number, c.log_index))) AS question_count,
    toUInt32(length(arrayFilter(j -> bitAnd(bitShiftRight(c.index_set, j), 1) = 1, range(question_count)))) AS no_count
FROM
(
    SELECT wallet, attribution, block_number, log_index, neg_risk_market_id, index_set, amount
    FROM vw_activity
    WHERE event = 'PositionsConverted'
) AS c
INNER JOIN
(
    SELECT neg_risk_market_id, argMin(fee_bips, (block_number, log_index)) AS fee_bips,
           min((block_number, log_index)) AS prepared_at
    FROM chain_activity FINAL
    WHERE event = 'MarketPrepared'
    GROUP BY neg_risk_market_id
) AS m ON m.neg_risk_market_id = c.neg_risk_market_id
INNER JOIN
(
    SELECT neg_risk_market_id, (block_number, log_index) AS at
    FROM chain_activity FINAL
    WHERE event = 'QuestionPrepared'
) AS q ON q.neg_risk_market_id = c.neg_risk_market_id
WHERE m.prepared_at < (c.block_number, c.log_index)
GROUP BY c.wallet, c.attribution, c.block_number, c.log_index, c.neg_risk_market_id, c.index_set, c.amount, m.fee_bips
;

-- would apply view vw_market_stats
-- vw_market_stats: one row per deployed market (a Gamma market with a condition id) —
--   volume, trades   USDC and count of its matches: the taker legs of its tokens' fills, each match
--                    once (chain_candle_blocks, sql/041: summing every OrderFilled would double it)
--   traders          wallets that traded any of its tokens (makers of its fills: every wallet trade is
--                    its maker's)
--   open_interest    USDC locked in its outcome tokens, by Polymarket's oi-subgraph
--                    (Polymarket/polymarket-subgraph oi-subgraph/src): + splits, − merges, − redemption
--                    payouts of ConditionalTokens in USDC collateral (those in the NegRiskAdapter's
--                    wrapped collateral 0x3a3bd7bb… are counted by the adapter's own events instead), ± the
--                    adapter's splits, merges and payouts, and a conversion of n > 1 NO tokens releases
--                    (n − 1) × amount, a n-th from each converted market, its fee part as well
--   resolved, winning_outcome, payout_numerators, resolved_at   from its ConditionResolution
-- Every deployed market has a row, with zeros where nothing happened.
CREATE OR REPLACE VIEW vw_market_stats ON CLUSTER 'analytics' AS
WITH
    interest AS
    (
        SELECT condition_id, sum(delta) AS units
        FROM
        (
            SELECT
                condition_id,
                multiIf(
                    event IN ('PositionSplit', 'NegRiskPositionSplit'), toInt256(amount),
                    event IN ('PositionsMerge', 'NegRiskPositionsMerge'), -toInt256(amount),
                    -toInt256(payout)
                ) AS delta
            FROM chain_activity FINAL
            WHERE (event IN ('PositionSplit', 'PositionsMerge', 'PayoutRedemption') AND collateral != '0x3a3bd7bb9528e159577f7c2e685cc81a765002e2')
               OR event IN ('NegRiskPositionSplit', 'NegRiskPositionsMerge', 'NegRiskPayoutRedemption')

            UNION ALL

            SELECT m.condition_id AS condition_id, c.delta AS delta
            FROM
            (
                SELECT
                    concat(substring(neg_risk_market_id, 1, 64), lower(hex(toUInt8(question)))) AS question_id,
                    -- oi-subgraph: fee = amount × feeBips ÷ 10^4; each converted market loses
                    -- (amount − fee)(n − 1) ÷ n to the user and fee (n − 1) ÷ n to the vault.
                    -(intDiv(toInt256(amount - intDiv(amount * fee_bips, 10000)) * (no_count - 1), no_count)
                      + intDiv(toInt256(intDiv(amount * fee_bips, 10000)) * (no_count - 1), no_count)) AS delta,
                    arrayJoin(arrayFilter(j -> bitAnd(bitShiftRight(index_set, j), 1) = 1, range(question_count))) AS question
                FROM vw_pnl_conversions
                WHERE no_count > 1
            ) AS c
            INNER JOIN (SELECT lower(question_id) AS question_id, condition_id FROM markets FINAL WHERE question_id != '') AS m
                ON m.question_id = c.question_id
        )
        GROUP BY condition_id
    ),
    matches AS
    (
        SELECT t.condition_id AS condition_id, sum(c.volume) AS volume, sum(c.trades) AS trades
        FROM (SELECT token_id, sum(volume) AS volume, sum(trades) AS trades FROM chain_candle_blocks FINAL GROUP BY token_id) AS c
        INNER JOIN (SELECT token_id, condition_id FROM market_tokens FINAL) AS t ON t.token_id = c.token_id
        GROUP BY condition_id
    ),
    traders AS
    (
        SELECT dictGetOrDefault('token_markets', 'condition_id', tuple(token_id), '') AS condition_id,
               uniqExact(maker) AS traders
        FROM chain_fills_by_wallet FINAL
        GROUP BY condition_id
    ),
    resolutions AS
    (
        SELECT condition_id, argMin(values, (block_number, log_index)) AS numerators,
               argMin(block_time, (block_number, log_index)) AS resolved_at
        FROM chain_activity FINAL
        WHERE event = 'ConditionResolution'
        GROUP BY condition_id
    )
SELECT
    m.market_id AS market_id,
    m.condition_id AS condition_id,
    m.question AS question,
    m.slug AS slug,
    m.neg_risk AS neg_risk,
    CAST(ifNull(x.volume, toDecimal128(0, 6)) AS Decimal(38, 6)) AS volume,
    toUInt64(ifNull(x.trades, 0)) AS trades,
    toUInt64(ifNull(t.traders, 0)) AS traders,
    CAST(toDecimal128(toInt128(ifNull(i.units, toInt256(0))), 6) / 1000000 AS Decimal(38, 6)) AS open_interest,
    toUInt8(length(r.numerators) > 0) AS resolved,
    if(
        length(r.numerators) > 0 AND countEqual(r.numerators, arrayMax(r.numerators)) = 1,
        m.outcomes[indexOf(r.numerators, arrayMax(r.numerators))],
        ''
    ) AS winning_outcome,
    r.numerators AS payout_numerators,
    if(length(r.numerators) > 0, toNullable(r.resolved_at), NULL) AS resolved_at
FROM (SELECT market_id, condition_id, question, slug, neg_risk, outcomes FROM markets FINAL WHERE condition_id != '') AS m
LEFT JOIN matches AS x ON x.condition_id = m.condition_id
LEFT JOIN traders AS t ON t.condition_id = m.condition_id
LEFT JOIN interest AS i ON i.condition_id = m.condition_id
LEFT JOIN resolutions AS r ON r.condition_id = m.condition_id
;

-- would apply view vw_markets
-- vw_markets: the latest version of each Gamma market, with its event and token ids, for analysts.
-- One row per market_id; FINAL collapses the fetches ReplacingMergeTree has not merged yet.
CREATE OR REPLACE VIEW vw_markets ON CLUSTER 'analytics' AS
SELECT
    market_id,
    condition_id,
    question_id,
    slug,
    question,
    outcomes,
    outcome_prices,
    clob_token_ids,
    event_id,
    event_slug,
    event_title,
    tags,
    active,
    closed,
    archived,
    neg_risk,
    start_date,
    end_date,
    closed_time,
    volume,
    liquidity,
    _ingested_at AS fetched_at
FROM markets FINAL
;

-- would apply view vw_wallet_pnl
-- vw_wallet_pnl: the leaderboard — one row per wallet with its realized, unrealized and total PnL
-- (vw_position_pnl summed: the pnl-subgraph's rules, before fees), fees, redemptions, volume (USDC
-- of its fills), trades (its fills), markets traded, first and last trade time.
-- Read from the newest snapshot (sql/043): as of computed_at, refreshed by the views step at the end
-- of every backfill (`polyhouse backfill --steps views` refreshes it alone). vw_position_pnl is
-- always current; this is what `ORDER BY total_pnl DESC LIMIT 100` reads in milliseconds.
CREATE OR REPLACE VIEW vw_wallet_pnl ON CLUSTER 'analytics' AS
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
;

-- would apply view vw_owner_pnl
-- vw_owner_pnl: profit and loss per person — every wallet's figures summed up to its owner
-- (wallet_owners: the EOA behind a proxy wallet or Safe; a wallet with no known owner is its own
-- owner), one row per owner, from two sources side by side, joined per wallet:
--   the Data API's current positions (api_*; fetched wallets only), and
--   the chain's (vw_wallet_pnl: every wallet that traded, the pnl-subgraph's rules, before fees).
-- Columns (USDC, exact decimals):
--   wallets, wallet_list   the owner's wallets with figures on either side; api_wallets: with Data API positions
--   api_positions          (wallet, token) Data API positions summed
--   api_initial_value, api_current_value, api_cash_pnl (unrealized + realized as the Data API counts
--   it), api_realized_pnl
--   realized_pnl, unrealized_pnl, total_pnl, fees, redeemed, volume (USDC of the wallets' fills),
--   trades (their fills), positions and open_positions (tokens with chain PnL, and still held)
--   chain_computed_at      when the leaderboard snapshot the chain figures come from was computed
-- The chain figures are vw_wallet_pnl's snapshot (refreshed by the views step at the end of every
-- backfill; `polyhouse backfill --steps views` refreshes it alone), so an owner's row reads in
-- milliseconds; vw_owner_positions has the always-current chain figures per token.
CREATE OR REPLACE VIEW vw_owner_pnl ON CLUSTER 'analytics' AS
SELECT
    if(o.owner = '', x.wallet, o.owner) AS owner,
    uniqExact(x.wallet) AS wallets,
    groupUniqArray(x.wallet) AS wallet_list,
    countIf(x.api_positions > 0) AS api_wallets,
    sum(x.api_positions) AS api_positions,
    sum(x.api_initial_value) AS api_initial_value,
    sum(x.api_current_value) AS api_current_value,
    sum(x.api_cash_pnl) AS api_cash_pnl,
    sum(x.api_realized_pnl) AS api_realized_pnl,
    sum(x.realized_pnl) AS realized_pnl,
    sum(x.unrealized_pnl) AS unrealized_pnl,
    sum(x.total_pnl) AS total_pnl,
    sum(x.fees) AS fees,
    sum(x.redeemed) AS redeemed,
    sum(x.volume) AS volume,
    sum(x.trades) AS trades,
    sum(x.positions) AS positions,
    sum(x.open_positions) AS open_positions,
    nullIf(max(x.computed_at), toDateTime64(0, 3, 'UTC')) AS chain_computed_at
FROM
(
    -- join_use_nulls = 0: the side without the wallet reads '' / 0, hence the if().
    SELECT
        if(a.wallet = '', c.wallet, a.wallet) AS wallet,
        a.positions AS api_positions,
        a.initial_value AS api_initial_value,
        a.current_value AS api_current_value,
        a.cash_pnl AS api_cash_pnl,
        a.realized_pnl AS api_realized_pnl,
        c.realized_pnl AS realized_pnl,
        c.unrealized_pnl AS unrealized_pnl,
        c.total_pnl AS total_pnl,
        c.fees AS fees,
        c.redeemed AS redeemed,
        c.volume AS volume,
        c.trades AS trades,
        c.positions AS positions,
        c.open_positions AS open_positions,
        c.computed_at AS computed_at
    FROM
    (
        SELECT p.wallet AS wallet, count() AS positions, sum(p.initial_value) AS initial_value,
               sum(p.current_value) AS current_value, sum(p.cash_pnl) AS cash_pnl,
               sum(p.realized_pnl) AS realized_pnl
        FROM positions AS p FINAL
        INNER JOIN wallets AS w FINAL ON w.wallet = p.wallet
        WHERE p.snapshot_at >= w.positions_snapshot_at
        GROUP BY p.wallet
    ) AS a
    FULL OUTER JOIN
    (
        SELECT wallet, realized_pnl, unrealized_pnl, total_pnl, fees, redeemed, volume, trades, positions,
               open_positions, computed_at
        FROM vw_wallet_pnl
    ) AS c ON c.wallet = a.wallet
) AS x
LEFT JOIN (SELECT wallet, owner FROM wallet_owners FINAL) AS o ON o.wallet = x.wallet
GROUP BY owner
SETTINGS join_use_nulls = 0
;

-- would apply view vw_pnl_events
-- vw_pnl_events: every event that moves a wallet's PnL in an outcome token, by the pnl-subgraph's
-- rules (Polymarket/polymarket-subgraph pnl-subgraph/src), one row per (wallet, token, log):
--   kind 0 buy  (price, quantity)      an AMM-era FPMMBuy (FixedProductMarketMakerMapping.ts); a fill whose maker pays collateral (ExchangeMapping.ts: every
--                                      OrderFilled is its maker's trade, of the gross shares); a split,
--                                      for every outcome of the condition at 1 ÷ outcome count
--   kind 1 sell (price, quantity)      an FPMMSell; a fill whose maker gives shares; a merge, every outcome at
--                                      1 ÷ outcome count
--   kind 2 redemption of all held      ConditionalTokens' PayoutRedemption: each outcome, what the
--                                      wallet holds, at numerator ÷ Σ numerators (ConditionalTokensMapping.ts)
--   kind 3 redemption of `quantity`    the NegRiskAdapter's PayoutRedemption: each outcome its amount
--                                      (NegRiskAdapterMapping.ts)
--   kind 4 sale at the average price   the NO tokens of a PositionsConverted (NegRiskAdapterMapping.ts);
--                                      the YES tokens it buys are in vw_pnl_conversion_buys
-- Skipped as the subgraph skips them: ConditionalTokens' splits and merges by an exchange or the
-- NegRiskAdapter (the exchanges' own matching; the adapter's are counted by its own events), its
-- redemptions by the NegRiskAdapter, the adapter's splits and merges by an exchange; redemptions of
-- a condition not resolved before them; conversions of a neg-risk market not prepared before them.
-- Splits, merges and conversions through a V2 collateral adapter count for the user vw_activity
-- attributes them to. Integers as the subgraph keeps them: prices in 1e-6 USDC per share
-- (collateral × 10^6 ÷ shares, truncated), quantities in 1e-6 shares; `fee` is the USDC a fill's
-- maker paid (a V1 BUY's fee is in shares: valued at the fill's price). A condition's outcomes are
-- its tokens in market_tokens; a token no market lists takes part only through its fills.
CREATE OR REPLACE VIEW vw_pnl_events ON CLUSTER 'analytics' AS
WITH
    outcome_tokens AS
    (
        SELECT condition_id, token_id, outcome_index, count() OVER (PARTITION BY condition_id) AS outcomes
        FROM market_tokens FINAL
        WHERE condition_id != ''
    ),
    resolutions AS
    (
        SELECT condition_id, argMin(values, (block_number, log_index)) AS numerators,
               min((block_number, log_index)) AS resolved_at
        FROM chain_activity FINAL
        WHERE event = 'ConditionResolution'
        GROUP BY condition_id
    ),
    -- Neg-risk questions: the YES (outcome 0) and NO (outcome 1) token of each questionId.
    questions AS
    (
        SELECT lower(m.question_id) AS question_id,
               anyIf(t.token_id, t.outcome_index = 0) AS yes_token,
               anyIf(t.token_id, t.outcome_index = 1) AS no_token
        FROM (SELECT condition_id, question_id FROM markets FINAL WHERE question_id != '') AS m
        INNER JOIN (SELECT condition_id, token_id, outcome_index FROM market_tokens FINAL) AS t
            ON t.condition_id = m.condition_id
        GROUP BY question_id
    )
SELECT wallet, token_id, block_number, log_index, kind, price, quantity, fee, source
FROM
(
    SELECT
        maker AS wallet,
        token_id,
        block_number,
        log_index,
        toUInt8(if(side = 'BUY', 0, 1)) AS kind,
        toInt256(intDiv(collateral * 1000000, shares)) AS price,
        toInt256(shares) AS quantity,
        toInt256(if(exchange_version = 1 AND side = 'BUY', intDiv(fee * intDiv(collateral * 1000000, shares), 1000000), fee)) AS fee,
        'fill' AS source
    FROM
    (
        SELECT maker, token_id, block_number, log_index, side, exchange_version, fee,
               if(side = 'BUY', taker_amount_filled, maker_amount_filled) AS shares,
               if(side = 'BUY', maker_amount_filled, taker_amount_filled) AS collateral
        FROM chain_fills_by_wallet FINAL
    )
    WHERE shares > 0

    UNION ALL

    -- AMM-era trades count like fills (pnl-subgraph FixedProductMarketMakerMapping.ts handleBuy /
    -- handleSell: price = investmentAmount or returnAmount × 10^6 ÷ outcome tokens, quantity the
    -- outcome tokens), of Polymarket's market makers only (amm_markets, sql/061).
    SELECT
        e.actor AS wallet,
        e.token_id AS token_id,
        e.block_number AS block_number,
        e.log_index AS log_index,
        toUInt8(if(e.event = 'FPMMBuy', 0, 1)) AS kind,
        toInt256(intDiv(e.collateral_amount * 1000000, e.outcome_tokens)) AS price,
        toInt256(e.outcome_tokens) AS quantity,
        toInt256(e.fee_amount) AS fee,
        'amm' AS source
    FROM
    (
        SELECT actor, block_number, log_index, event, collateral_amount, outcome_tokens, fee_amount,
               arrayElement(dictGet('amm_markets', 'position_ids', tuple(contract)), outcome_index + 1) AS token_id
        FROM amm_events FINAL
        WHERE event IN ('FPMMBuy', 'FPMMSell') AND dictHas('amm_markets', tuple(contract))
    ) AS e
    WHERE e.outcome_tokens > 0 AND e.token_id != 0

    UNION ALL

    SELECT
        a.wallet AS wallet,
        t.token_id AS token_id,
        a.block_number AS block_number,
        a.log_index AS log_index,
        toUInt8(if(a.event IN ('PositionSplit', 'NegRiskPositionSplit'), 0, 1)) AS kind,
        toInt256(intDiv(1000000, t.outcomes)) AS price,
        toInt256(a.amount) AS quantity,
        toInt256(0) AS fee,
        if(kind = 0, 'split', 'merge') AS source
    FROM vw_activity AS a
    INNER JOIN outcome_tokens AS t ON t.condition_id = a.condition_id
    WHERE (a.event IN ('PositionSplit', 'PositionsMerge') AND a.party NOT IN (
               '0x4bfb41d5b3570defd03c39a9a4d8de6bd8b8982e', '0xc5d563a36ae78145c45a50134d48a1215220f80a',
               '0xe111180000d2663c0091e4f400237545b87b996b', '0xe2222d279d744050d28e00520010520000310f59',
               '0xd91e80cf2e7be2e162c6513ced06f1dd0da35296'))
       OR (a.event IN ('NegRiskPositionSplit', 'NegRiskPositionsMerge') AND a.party NOT IN (
               '0x4bfb41d5b3570defd03c39a9a4d8de6bd8b8982e', '0xc5d563a36ae78145c45a50134d48a1215220f80a',
               '0xe111180000d2663c0091e4f400237545b87b996b', '0xe2222d279d744050d28e00520010520000310f59'))

    UNION ALL

    SELECT
        a.wallet AS wallet,
        t.token_id AS token_id,
        a.block_number AS block_number,
        a.log_index AS log_index,
        toUInt8(if(a.event = 'PayoutRedemption', 2, 3)) AS kind,
        toInt256(intDiv(r.numerators[t.outcome_index + 1] * 1000000, arraySum(r.numerators))) AS price,
        toInt256(if(a.event = 'PayoutRedemption', 0, a.values[t.outcome_index + 1])) AS quantity,
        toInt256(0) AS fee,
        'redemption' AS source
    FROM vw_activity AS a
    INNER JOIN outcome_tokens AS t ON t.condition_id = a.condition_id
    INNER JOIN resolutions AS r ON r.condition_id = a.condition_id
    WHERE ((a.event = 'PayoutRedemption' AND a.party != '0xd91e80cf2e7be2e162c6513ced06f1dd0da35296')
           OR a.event = 'NegRiskPayoutRedemption')
      AND r.resolved_at < (a.block_number, a.log_index)
      AND arraySum(r.numerators) > 0
      AND length(r.numerators) > t.outcome_index

    UNION ALL

    SELECT
        c.wallet AS wallet,
        q.no_token AS token_id,
        c.block_number AS block_number,
        c.log_index AS log_index,
        toUInt8(4) AS kind,
        toInt256(0) AS price,
        toInt256(c.amount) AS quantity,
        toInt256(0) AS fee,
        'conversion' AS source
    FROM
    (
        SELECT wallet, block_number, log_index, amount,
               arrayJoin(arrayFilter(j -> bitAnd(bitShiftRight(index_set, j), 1) = 1, range(question_count))) AS question,
               concat(substring(neg_risk_market_id, 1, 64), lower(hex(toUInt8(question)))) AS question_id
        FROM vw_pnl_conversions
    ) AS c
    INNER JOIN questions AS q ON q.question_id = c.question_id
)
;

-- would apply view vw_pnl_conversion_buys
-- vw_pnl_conversion_buys: the YES tokens a neg-risk conversion buys, by the pnl-subgraph's rule
-- (NegRiskAdapterMapping.ts handlePositionsConverted, utils/computeNegRiskYesPrice.ts): each NO token
-- converted is sold at its own average price (vw_pnl_events kind 4); the mean of those averages,
-- noPrice = Σ avg ÷ noCount, prices every YES token of the market's other questions at
--   yesPrice = (noPrice · noCount − 10^6 · (noCount − 1)) ÷ (questionCount − noCount)
-- (integers, truncated toward zero; a conversion of every question buys nothing). One row per YES
-- token bought, shaped as vw_pnl_events' rows (kind 0, a buy).
-- The averages are those the NO positions had just before the conversion: the same fold as
-- vw_position_pnl (see there) over the NO positions' events, noting the average at each conversion.
CREATE OR REPLACE VIEW vw_pnl_conversion_buys ON CLUSTER 'analytics' AS
WITH
    questions AS
    (
        SELECT lower(m.question_id) AS question_id,
               anyIf(t.token_id, t.outcome_index = 0) AS yes_token,
               anyIf(t.token_id, t.outcome_index = 1) AS no_token
        FROM (SELECT condition_id, question_id FROM markets FINAL WHERE question_id != '') AS m
        INNER JOIN (SELECT condition_id, token_id, outcome_index FROM market_tokens FINAL) AS t
            ON t.condition_id = m.condition_id
        GROUP BY question_id
    ),
    -- Every question of every conversion, and whether its NO token is converted.
    legs AS
    (
        SELECT wallet, block_number, log_index, amount, question_count, no_count,
               arrayJoin(range(question_count)) AS question,
               bitAnd(bitShiftRight(index_set, question), 1) = 1 AS converted,
               concat(substring(neg_risk_market_id, 1, 64), lower(hex(toUInt8(question)))) AS question_id
        FROM vw_pnl_conversions
    ),
    -- The NO positions' average price just before each conversion (pass one).
    averages AS
    (
        SELECT wallet, tupleElement(seen, 1) AS block_number, tupleElement(seen, 2) AS log_index,
               tupleElement(seen, 3) AS avg_price
        FROM
        (
            SELECT wallet, token_id,
                   arrayJoin(tupleElement(arrayFold(
                       (acc, e) -> if(e.3 = 0,
                           if(e.5 > 0,
                               (acc.1 + e.5, intDiv(acc.2 * acc.1 + e.4 * e.5, acc.1 + e.5), acc.3),
                               acc),
                           (acc.1 - least(if(e.3 = 2, acc.1, e.5), acc.1), acc.2,
                            if(e.3 = 4, arrayPushBack(acc.3, (e.1, e.2, acc.2)), acc.3))),
                       arraySort(groupArray((block_number, log_index, kind, price, quantity))),
                       (toInt256(0), toInt256(0), CAST([], 'Array(Tuple(UInt64, UInt32, Int256))'))
                   ), 3)) AS seen
            FROM vw_pnl_events
            WHERE (wallet, token_id) IN (
                SELECT l.wallet, q.no_token FROM legs AS l INNER JOIN questions AS q ON q.question_id = l.question_id
                WHERE l.converted
            )
            GROUP BY wallet, token_id
        )
    ),
    prices AS
    (
        SELECT c.wallet AS wallet, c.block_number AS block_number, c.log_index AS log_index,
               intDiv(intDiv(sum(a.avg_price), any(c.no_count)) * any(c.no_count) - 1000000 * (any(c.no_count) - 1),
                      any(c.question_count) - any(c.no_count)) AS yes_price
        FROM vw_pnl_conversions AS c
        LEFT JOIN averages AS a
            ON a.wallet = c.wallet AND a.block_number = c.block_number AND a.log_index = c.log_index
        WHERE c.no_count > 0 AND c.question_count > c.no_count
        GROUP BY c.wallet, c.block_number, c.log_index
    )
SELECT
    l.wallet AS wallet,
    q.yes_token AS token_id,
    l.block_number AS block_number,
    l.log_index AS log_index,
    toUInt8(0) AS kind,
    toInt256(p.yes_price) AS price,
    toInt256(l.amount) AS quantity,
    toInt256(0) AS fee,
    'conversion' AS source
FROM legs AS l
INNER JOIN questions AS q ON q.question_id = l.question_id
INNER JOIN prices AS p ON p.wallet = l.wallet AND p.block_number = l.block_number AND p.log_index = l.log_index
WHERE NOT l.converted
;

-- would apply view vw_position_pnl
-- vw_position_pnl: profit and loss of every wallet in every outcome token it touched, as Polymarket's
-- pnl-subgraph computes it (Polymarket/polymarket-subgraph pnl-subgraph/src/utils/
-- updateUserPositionWithBuy.ts and updateUserPositionWithSell.ts), so figures compare with
-- Polymarket's: the wallet's events (vw_pnl_events, vw_pnl_conversion_buys) folded in chain order,
-- in integers of 1e-6 truncated toward zero as the subgraph keeps them —
--   buy (p, q), q > 0:  avg ← (avg·amount + p·q) ÷ (amount + q); amount += q; total_bought += q
--   sell (p, q):        q' = min(q, amount); realized += q'·(p − avg) ÷ 10^6; amount −= q'
--                       (a redemption of ConditionalTokens sells all held; a conversion's NO tokens
--                       sell at avg, realizing nothing)
-- Columns (Decimal(38, 6); shares, USDC per share, USDC):
--   amount          shares held as the PnL rules track them (not the ERC-1155 balance: a V1 BUY counts
--                   its gross shares, transfers are not tracked; vw_wallet_balances has the balance)
--   avg_price, total_bought, realized_pnl   the subgraph's; realized is before fees, as Polymarket reports
--   last_price      the resolution payout (numerator ÷ Σ numerators) once the condition resolved, else
--                   the price of the token's latest match (token_last_trades, sql/042); NULL if neither
--   unrealized_pnl  amount × (last_price − avg_price) ÷ 10^6, truncated; NULL without a last price
--   fees            USDC the wallet's fills of this token paid (a V1 BUY's share fee at the fill's price)
--   redeemed        USDC its redemptions of this token paid (shares sold × payout price)
--   events, last_block   how many events made the figures, and the block of the last one
-- `WHERE wallet = …` reaches chain_fills_by_wallet as a primary-key range. The leaderboard reads the
-- snapshot of this view (vw_wallet_pnl), not the view itself.
CREATE OR REPLACE VIEW vw_position_pnl ON CLUSTER 'analytics' AS
SELECT
    p.wallet AS wallet,
    p.token_id AS token_id,
    dictGetOrDefault('token_markets', 'condition_id', tuple(p.token_id), '') AS condition_id,
    dictGetOrDefault('token_markets', 'market_id', tuple(p.token_id), toUInt64(0)) AS market_id,
    dictGetOrDefault('token_markets', 'outcome', tuple(p.token_id), '') AS outcome,
    CAST(toDecimal128(toInt128(tupleElement(p.s, 1)), 6) / 1000000 AS Decimal(38, 6)) AS amount,
    CAST(toDecimal128(toInt128(tupleElement(p.s, 2)), 6) / 1000000 AS Decimal(38, 6)) AS avg_price,
    CAST(toDecimal128(toInt128(tupleElement(p.s, 4)), 6) / 1000000 AS Decimal(38, 6)) AS total_bought,
    CAST(toDecimal128(toInt128(tupleElement(p.s, 3)), 6) / 1000000 AS Decimal(38, 6)) AS realized_pnl,
    if(isNull(p.last_units), NULL, CAST(toDecimal128(toInt128(assumeNotNull(p.last_units)), 6) / 1000000 AS Decimal(38, 6))) AS last_price,
    if(
        isNull(p.last_units),
        NULL,
        CAST(toDecimal128(toInt128(intDiv(tupleElement(p.s, 1) * (assumeNotNull(p.last_units) - tupleElement(p.s, 2)), 1000000)), 6) / 1000000 AS Decimal(38, 6))
    ) AS unrealized_pnl,
    CAST(toDecimal128(toInt128(tupleElement(p.s, 6)), 6) / 1000000 AS Decimal(38, 6)) AS fees,
    CAST(toDecimal128(toInt128(tupleElement(p.s, 5)), 6) / 1000000 AS Decimal(38, 6)) AS redeemed,
    p.events AS events,
    p.last_block AS last_block
FROM
(
    SELECT
        f.wallet AS wallet,
        f.token_id AS token_id,
        f.s AS s,
        f.events AS events,
        f.last_block AS last_block,
        multiIf(
            r.resolved = 1,
            toNullable(toInt256(intDiv(r.numerator * 1000000, r.denominator))),
            dictGetOrDefault('token_last_trades', 'traded', tuple(f.token_id), toUInt8(0)) = 1,
            toNullable(toInt256(toDecimal128(dictGet('token_last_trades', 'price', tuple(f.token_id)) * 1000000, 0))),
            NULL
        ) AS last_units
    FROM
    (
        SELECT
            wallet,
            token_id,
            -- (amount, avg_price, realized, total_bought, redeemed, fees)
            arrayFold(
                (acc, e) -> if(e.3 = 0,
                    if(e.5 > 0,
                        (acc.1 + e.5, intDiv(acc.2 * acc.1 + e.4 * e.5, acc.1 + e.5), acc.3, acc.4 + e.5, acc.5, acc.6 + e.6),
                        (acc.1, acc.2, acc.3, acc.4, acc.5, acc.6 + e.6)),
                    (acc.1 - least(if(e.3 = 2, acc.1, e.5), acc.1),
                     acc.2,
                     acc.3 + intDiv(least(if(e.3 = 2, acc.1, e.5), acc.1) * (if(e.3 = 4, acc.2, e.4) - acc.2), 1000000),
                     acc.4,
                     acc.5 + if(e.3 IN (2, 3), intDiv(least(if(e.3 = 2, acc.1, e.5), acc.1) * e.4, 1000000), toInt256(0)),
                     acc.6 + e.6)),
                arraySort(groupArray((block_number, log_index, kind, price, quantity, fee))),
                (toInt256(0), toInt256(0), toInt256(0), toInt256(0), toInt256(0), toInt256(0))
            ) AS s,
            count() AS events,
            max(block_number) AS last_block
        FROM
        (
            SELECT wallet, token_id, block_number, log_index, kind, price, quantity, fee FROM vw_pnl_events
            UNION ALL
            SELECT wallet, token_id, block_number, log_index, kind, price, quantity, fee FROM vw_pnl_conversion_buys
        )
        GROUP BY wallet, token_id
    ) AS f
    LEFT JOIN
    (
        SELECT t.token_id AS token_id, toUInt8(1) AS resolved,
               r.numerators[t.outcome_index + 1] AS numerator, arraySum(r.numerators) AS denominator
        FROM (SELECT condition_id, token_id, outcome_index FROM market_tokens FINAL) AS t
        INNER JOIN
        (
            SELECT condition_id, argMin(values, (block_number, log_index)) AS numerators
            FROM chain_activity FINAL
            WHERE event = 'ConditionResolution'
            GROUP BY condition_id
        ) AS r ON r.condition_id = t.condition_id
        WHERE arraySum(r.numerators) > 0 AND length(r.numerators) > t.outcome_index
    ) AS r ON r.token_id = f.token_id
) AS p
;

-- would apply view vw_owner_positions
-- vw_owner_positions: positions rolled up to the person behind the wallets — the owner EOA of each
-- proxy wallet or Safe (wallet_owners), one row per (owner, token). A wallet with no known owner (a
-- plain EOA, or a contract wallet whose creation was not loaded) is its own owner. Two sources side
-- by side, joined per (wallet, token) so a token held on one side only still has its row:
--   the Data API's current positions (api_*; fetched wallets only; current as in vw_trades_unified:
--   a position at or after its wallet's newest snapshot), and
--   the chain's (vw_position_pnl: every wallet that traded, the pnl-subgraph's rules).
-- Columns:
--   owner          the EOA (or the wallet itself when no owner is known)
--   wallets        how many of the owner's wallets have the token on either side; wallet_list names them
--   api_size, api_initial_value, api_current_value, api_cash_pnl, api_realized_pnl   the Data API's,
--                  summed over the wallets (exact); api_avg_price the cost-weighted average
--                  Σ size·avg_price ÷ Σ size (NULL when Σ size is 0)
--   amount, total_bought, realized_pnl, unrealized_pnl, fees, redeemed   the chain's (vw_position_pnl),
--                  summed; unrealized_pnl is NULL when the token has no last price; avg_price the
--                  amount-weighted average Σ amount·avg_price ÷ Σ amount (NULL when Σ amount is 0)
-- The chain side folds every wallet's events whatever the filter: `WHERE owner = …` does not narrow
-- it (vw_position_pnl narrows on `WHERE wallet = …` only), so a query takes seconds on a full chain.
CREATE OR REPLACE VIEW vw_owner_positions ON CLUSTER 'analytics' AS
SELECT
    if(o.owner = '', x.wallet, o.owner) AS owner,
    x.token_id AS token_id,
    anyIf(x.condition_id, x.condition_id != '') AS condition_id,
    anyIf(x.outcome, x.outcome != '') AS outcome,
    anyIf(x.title, x.title != '') AS title,
    uniqExact(x.wallet) AS wallets,
    groupUniqArray(x.wallet) AS wallet_list,
    sum(x.api_size) AS api_size,
    if(sum(x.api_size) = 0, NULL,
       sum(toDecimal128(x.api_size, 6) * x.api_avg_price) / sum(toDecimal128(x.api_size, 6))) AS api_avg_price,
    sum(x.api_initial_value) AS api_initial_value,
    sum(x.api_current_value) AS api_current_value,
    sum(x.api_cash_pnl) AS api_cash_pnl,
    sum(x.api_realized_pnl) AS api_realized_pnl,
    sum(x.amount) AS amount,
    if(sum(x.amount) = 0, NULL, CAST(sum(x.amount * x.avg_price) / sum(x.amount) AS Decimal(38, 6))) AS avg_price,
    sum(x.total_bought) AS total_bought,
    sum(x.realized_pnl) AS realized_pnl,
    sum(x.unrealized_pnl) AS unrealized_pnl,
    sum(x.fees) AS fees,
    sum(x.redeemed) AS redeemed
FROM
(
    -- join_use_nulls = 0: the side without the (wallet, token) reads '' / 0, hence the if()s.
    SELECT
        if(a.wallet = '', c.wallet, a.wallet) AS wallet,
        if(a.wallet = '', c.token_id, a.token_id) AS token_id,
        if(a.condition_id = '', c.condition_id, a.condition_id) AS condition_id,
        if(a.outcome = '', c.outcome, a.outcome) AS outcome,
        a.title AS title,
        a.size AS api_size,
        a.avg_price AS api_avg_price,
        a.initial_value AS api_initial_value,
        a.current_value AS api_current_value,
        a.cash_pnl AS api_cash_pnl,
        a.realized_pnl AS api_realized_pnl,
        c.amount AS amount,
        c.avg_price AS avg_price,
        c.total_bought AS total_bought,
        c.realized_pnl AS realized_pnl,
        c.unrealized_pnl AS unrealized_pnl,
        c.fees AS fees,
        c.redeemed AS redeemed
    FROM
    (
        SELECT p.wallet AS wallet, p.token_id AS token_id, p.condition_id AS condition_id, p.outcome AS outcome,
               p.title AS title, p.size AS size, p.avg_price AS avg_price, p.initial_value AS initial_value,
               p.current_value AS current_value, p.cash_pnl AS cash_pnl, p.realized_pnl AS realized_pnl
        FROM positions AS p FINAL
        INNER JOIN wallets AS w FINAL ON w.wallet = p.wallet
        WHERE p.snapshot_at >= w.positions_snapshot_at
    ) AS a
    FULL OUTER JOIN
    (
        SELECT wallet, token_id, condition_id, outcome, amount, avg_price, total_bought, realized_pnl,
               unrealized_pnl, fees, redeemed
        FROM vw_position_pnl
    ) AS c ON c.wallet = a.wallet AND c.token_id = a.token_id
) AS x
LEFT JOIN (SELECT wallet, owner FROM wallet_owners FINAL) AS o ON o.wallet = x.wallet
GROUP BY owner, token_id
SETTINGS join_use_nulls = 0
;

-- would apply view vw_reconciliation_window
-- vw_reconciliation_window: per wallet, whether its Data API snapshot can be set beside the chain —
-- the rule every chain-vs-API comparison follows (vw_position_reconciliation's sizes and balances,
-- and the PnL figures beside them), so that a difference is called 'differs' only when the chain side
-- holds everything the API could have counted, and 'pending' with its reason when it may not.
-- One row per wallet of `wallets`:
--   positions_snapshot_at  when its positions were last fetched whole (epoch 0: never)
--   fills_confirmed_block / fills_confirmed_time          vw_chain_confirmed of 'chain_fills'
--   transfers_confirmed_block / transfers_confirmed_time  vw_chain_confirmed of 'chain_transfers'
--   fills_unread_reason    '' when the fills are complete from the exchanges' deployment through a
--                          block at least as late as the snapshot; otherwise why the API may count
--                          fills the warehouse has not read: the tip window the chain step leaves
--                          unread (--confirmations), a hole, or a run that started later
--   transfers_unread_reason  the same for the ERC-1155 transfers (balances)
--   settled_before         the snapshot time less API_SETTLE_MINUTES: a fill or transfer at or after
--                          it may be on chain yet missing from the snapshot, because the API had not
--                          indexed it or because it came after the fetch (the warehouse reads on,
--                          `sync` loads blocks newer than a wallet's snapshot)
-- A comparison of wallet W and token T then reads, with last_time the latest chain row of (W, T):
--   equal                                          → 'match'
--   fills_unread_reason != ''                      → 'pending' (reason: fills_unread_reason)
--   last_time >= settled_before                    → 'pending' (reason: chain rows after the snapshot)
--   otherwise                                      → 'differs' / 'only_chain' / 'only_api'
-- API_SETTLE_MINUTES = 5: the Data API lists a fill once its indexer has seen it; Polymarket does not
-- document that delay, so this is a margin, not a measured figure (the simulator serves at once).
-- The times compared are block times against the wall-clock time of the fetch: both UTC.
CREATE OR REPLACE VIEW vw_reconciliation_window ON CLUSTER 'analytics' AS
SELECT
    w.wallet AS wallet,
    w.positions_snapshot_at AS positions_snapshot_at,
    c.f.confirmed_block AS fills_confirmed_block,
    c.f.confirmed_time AS fills_confirmed_time,
    c.t.confirmed_block AS transfers_confirmed_block,
    c.t.confirmed_time AS transfers_confirmed_time,
    multiIf(
        c.f.confirmed_block = 0, 'no fills recorded done yet: the chain step has not run',
        c.f.from_deployment = 0, concat('fills are loaded from block ', toString(c.f.first_block),
            ' only: the API also counts fills before it'),
        c.f.confirmed_time < w.positions_snapshot_at, concat('the API snapshot may count fills after block ',
            toString(c.f.confirmed_block), ' (', formatDateTime(c.f.confirmed_time, '%Y-%m-%d %H:%i:%S'),
            '), the last block every fill is loaded to'),
        ''
    ) AS fills_unread_reason,
    multiIf(
        c.t.confirmed_block = 0, 'no transfers recorded done yet: the transfers step has not run',
        c.t.from_deployment = 0, concat('transfers are loaded from block ', toString(c.t.first_block),
            ' only: balances miss what moved before it'),
        c.t.confirmed_time < w.positions_snapshot_at, concat('the API snapshot may count transfers after block ',
            toString(c.t.confirmed_block), ' (', formatDateTime(c.t.confirmed_time, '%Y-%m-%d %H:%i:%S'),
            '), the last block every transfer is loaded to'),
        ''
    ) AS transfers_unread_reason,
    w.positions_snapshot_at - INTERVAL 5 MINUTE AS settled_before
FROM wallets AS w FINAL
-- One row: each stream's figures as a tuple (vw_chain_confirmed has exactly one row per stream).
CROSS JOIN
(
    SELECT
        CAST(anyIf((first_block, confirmed_block, confirmed_time, from_deployment), stream = 'chain_fills')
            AS Tuple(first_block UInt64, confirmed_block UInt64, confirmed_time DateTime('UTC'), from_deployment UInt8)) AS f,
        CAST(anyIf((first_block, confirmed_block, confirmed_time, from_deployment), stream = 'chain_transfers')
            AS Tuple(first_block UInt64, confirmed_block UInt64, confirmed_time DateTime('UTC'), from_deployment UInt8)) AS t
    FROM vw_chain_confirmed
) AS c
;

-- would apply view vw_trades_canonical
-- vw_trades_canonical: every on-chain trade: one row per OrderFilled, from the point of view of its
-- maker (the wallet whose order was filled), with the token's market and outcome from market_tokens
-- (venue 'order_book'), and one row per AMM-era trade against a Polymarket market maker (venue
-- 'amm', from vw_amm_trades, which says how its columns are read).
--   side        BUY when the maker pays collateral (V1: makerAssetId = 0; V2: side = 0).
--   shares      outcome tokens traded, collateral USDC traded: exact Decimal(18, 6) made from the raw
--               6-decimal integers as toDecimal128(x, 6) / 1000000 (a Decimal divided by an integer
--               keeps the dividend's scale, so nothing is rounded; toDecimal128(x, 0) / 1e6 would
--               truncate to whole units, and x / 1e6 would be a Float64).
--   price       collateral ÷ shares as Decimal(38, 18), truncated at 18 places; NULL for 0 shares.
--   fee         in its own asset, named by fee_asset: Polymarket's exchanges charge the fee on what
--               the maker receives, so a V1 BUY pays it in shares, everything else in USDC (the V2
--               exchanges' FeeCharged has no token id: USDC only).
--   shares_delta  the maker's position change: BUY +shares (− the fee on V1), SELL −shares.
--   is_taker_leg  the taker is an exchange contract: the fill that summarizes the taker's side of a
--               match. Market volume counts only these, so each match counts once.
--   market_known  0 when the token is not in market_tokens (kept, with empty market columns).
-- Reads chain_fills_by_wallet (sql/020) FINAL: a filter on wallet is a primary-key range, and rows a
-- resumed run inserted twice count once. Tokens are looked up in the token_markets dictionary
-- (sql/021: market_tokens ⋈ markets in memory) with dictGet, one hash lookup per fill: a JOIN would
-- read both tables per query, and even a direct JOIN against the dictionary measured ~15 ms per
-- query against ~0.1 ms for dictGet (bench/chain-wallet-query.ts).
CREATE OR REPLACE VIEW vw_trades_canonical ON CLUSTER 'analytics' AS
SELECT
    f.maker AS wallet,
    f.side AS side,
    f.token_id AS token_id,
    tupleElement(t, 1) AS condition_id,
    tupleElement(t, 2) AS market_id,
    tupleElement(t, 3) AS outcome,
    tupleElement(t, 4) AS outcome_index,
    CAST(toDecimal128(if(f.side = 'BUY', f.taker_amount_filled, f.maker_amount_filled), 6) / 1000000 AS Decimal(18, 6)) AS shares,
    CAST(toDecimal128(if(f.side = 'BUY', f.maker_amount_filled, f.taker_amount_filled), 6) / 1000000 AS Decimal(18, 6)) AS collateral,
    if(
        if(f.side = 'BUY', f.taker_amount_filled, f.maker_amount_filled) = 0,
        NULL,
        toDecimal128(if(f.side = 'BUY', f.maker_amount_filled, f.taker_amount_filled), 18)
            / toDecimal128(if(f.side = 'BUY', f.taker_amount_filled, f.maker_amount_filled), 0)
    ) AS price,
    CAST(toDecimal128(f.fee, 6) / 1000000 AS Decimal(18, 6)) AS fee,
    if(f.exchange_version = 1 AND f.side = 'BUY', 'shares', 'usdc') AS fee_asset,
    CAST(
        if(
            f.side = 'BUY',
            toDecimal128(f.taker_amount_filled, 6) - if(f.exchange_version = 1, toDecimal128(f.fee, 6), toDecimal128(0, 6)),
            -toDecimal128(f.maker_amount_filled, 6)
        ) / 1000000 AS Decimal(18, 6)
    ) AS shares_delta,
    f.exchange AS exchange,
    f.exchange_version AS exchange_version,
    f.block_number AS block_number,
    f.block_time AS block_time,
    f.tx_hash AS tx_hash,
    f.log_index AS log_index,
    f.order_hash AS order_hash,
    f.taker AS taker,
    f.taker IN (
        '0x4bfb41d5b3570defd03c39a9a4d8de6bd8b8982e',
        '0xc5d563a36ae78145c45a50134d48a1215220f80a',
        '0xe111180000d2663c0091e4f400237545b87b996b',
        '0xe2222d279d744050d28e00520010520000310f59'
    ) AS is_taker_leg,
    tupleElement(t, 5) AS market_known,
    'order_book' AS venue
FROM
(
    SELECT
        *,
        dictGet('token_markets', ('condition_id', 'market_id', 'outcome', 'outcome_index', 'known'), tuple(token_id)) AS t
    FROM chain_fills_by_wallet FINAL
) AS f
UNION ALL
SELECT
    wallet, side, token_id, condition_id, market_id, outcome, outcome_index, shares, collateral, price, fee,
    fee_asset, shares_delta, exchange, exchange_version, block_number, block_time, tx_hash, log_index,
    order_hash, taker, is_taker_leg, market_known, venue
FROM vw_amm_trades
;

-- would apply view vw_wallet_balances
-- vw_wallet_balances: every wallet's balance of every outcome token, from the chain alone — the sum
-- of its ERC-1155 legs in chain_transfers_by_wallet (received +, sent −): mints from splits, tokens
-- bought and sold through the exchanges, merges, redemptions and plain transfers alike. Shares are
-- exact: the on-chain integer sum (Int128: amounts are below 10^18, quarantined otherwise) divided
-- by 10^6 in Decimal(38, 6). Zero balances are omitted.
-- Not wallets, so left out: the zero address (mint source, burn sink), the four exchanges, the
-- NegRisk adapter, ConditionalTokens itself, the V2 collateral adapters and the NegRisk adapter's
-- NO-token burn address (extract/chain/contracts.ts NON_WALLET_CONTRACTS).
-- `WHERE wallet = …` is one primary-key range of chain_transfers_by_wallet (keyed by the wallet's
-- cityHash64 since sql/090: the engine hashes the constant to find it); all wallets are one pass.
-- Market metadata comes from the token_markets dictionary; a
-- token no market lists keeps empty metadata and market_known = 0.
CREATE OR REPLACE VIEW vw_wallet_balances ON CLUSTER 'analytics' AS
SELECT
    b.wallet AS wallet,
    b.token_id AS token_id,
    dictGetOrDefault('token_markets', 'condition_id', tuple(b.token_id), '') AS condition_id,
    dictGetOrDefault('token_markets', 'market_id', tuple(b.token_id), toUInt64(0)) AS market_id,
    dictGetOrDefault('token_markets', 'outcome', tuple(b.token_id), '') AS outcome,
    toDecimal128(b.units, 6) / 1000000 AS balance,
    b.units AS balance_units,
    b.legs AS legs,
    b.last_block AS last_block,
    b.last_time AS last_time,
    dictGetOrDefault('token_markets', 'known', tuple(b.token_id), toUInt8(0)) AS market_known
FROM
(
    SELECT
        wallet,
        token_id,
        sum(if(direction > 0, toInt128(amount), -toInt128(amount))) AS units,
        count() AS legs,
        max(block_number) AS last_block,
        max(block_time) AS last_time
    FROM chain_transfers_by_wallet FINAL
    WHERE wallet NOT IN (
        '0x0000000000000000000000000000000000000000',
        '0x4bfb41d5b3570defd03c39a9a4d8de6bd8b8982e',
        '0xc5d563a36ae78145c45a50134d48a1215220f80a',
        '0xe111180000d2663c0091e4f400237545b87b996b',
        '0xe2222d279d744050d28e00520010520000310f59',
        '0xd91e80cf2e7be2e162c6513ced06f1dd0da35296',
        '0x4d97dcd97ec945f40cf65f87097ace5ea0476045',
        '0xada100db00ca00073811820692005400218fce1f',
        '0xada2005600dec949baf300f4c6120000bdb6eaab',
        '0xa5ef39c3d3e10d0b270233af41cac69796b12966'
    )
    GROUP BY wallet, token_id
    HAVING units != 0
) AS b
;

-- would apply view vw_position_reconciliation
-- vw_position_reconciliation: per wallet and token, three figures side by side —
--   chain_shares    the shares the wallet's chain trades imply (Σ shares_delta of vw_trades_canonical:
--                   BUY +shares, less the fee a V1 BUY pays in shares; SELL −shares);
--   balance_shares  the wallet's ERC-1155 balance from every transfer (vw_wallet_balances: trades,
--                   splits, merges, redemptions, plain transfers — the exact on-chain position);
--   api_shares      the size of its current Data API position (the snapshot rule of vw_trades_unified)
-- and two verdicts, each 'match' / 'differs' / 'only_chain' / 'only_api' / 'pending':
--   status          trades vs API ('match' when equal — a token traded to zero and absent from the API
--                   matches; 'differs' both have it with different sizes; 'only_chain' trades imply
--                   shares the API does not list; 'only_api' the API lists a position no trade
--                   explains, e.g. one built by splits or transfers);
--   balance_status  chain balance vs API, the reconciliation that should hold for every wallet:
--                   'only_chain' the chain holds shares the API does not list, 'only_api' the API
--                   lists shares the chain does not hold.
--   'pending'       (either verdict) the figures differ but the chain side may not hold everything the
--                   snapshot counts, or holds rows the snapshot cannot count yet: the rule of
--                   vw_reconciliation_window. pending_reason / balance_pending_reason say which
--                   ('' unless pending). Such a row settles by itself once `sync` has read the chain
--                   past the snapshot (or fetched the wallet again).
--   difference      API − trades; balance_difference  API − balance.
--   chain_complete_to_block    the block every fill is loaded to (vw_chain_confirmed), and
--   balance_complete_to_block  the block every transfer is loaded to: the chain figures are as of them.
--   snapshot_at     when the API figures were fetched.
--   positions_fetched  0 when the wallet's positions were never fetched: its chain rows say
--           'only_chain' for want of an API answer, not because the API disagrees.
-- PnL beside Polymarket's own: chain_avg_price, chain_total_bought, chain_realized_pnl (vw_position_pnl:
-- the pnl-subgraph's rules) and api_avg_price, api_total_bought, api_realized_pnl (the Data API's
-- avgPrice, totalBought — read from the position's raw JSON — and realizedPnl), with
--   pnl_status   'match' the API lists the position and agrees on all three — the API prints 4
--                decimals, so each chain figure is rounded to 4 (half away from zero) and must then be
--                within 1e-6 of the API's — or neither side has it open (the API lists nothing and the
--                chain holds no balance); 'pending' as for status (the PnL reads the fills' side of the
--                window); 'differs' both have it and a figure disagrees; 'only_api' the API lists a
--                position no chain event made; 'only_chain' the chain holds tokens the API does not
--                list. Only rows of the sources above get PnL figures: a token the wallet only split
--                and merged away is no reconciliation row.
-- fills_pending / transfers_pending (the WITH below) are that rule for one row, '' when the chain side
-- is comparable: any verdict here that sets chain figures beside the API's follows the one it reads.
-- The sources are one UNION ALL grouped by (wallet, token_id), not FULL JOINs: a filter on wallet
-- passes through GROUP BY to each source's primary key, where a FULL JOIN would stop it.
CREATE OR REPLACE VIEW vw_position_reconciliation ON CLUSTER 'analytics' AS
WITH
    -- Why this row's chain side may not be comparable with the snapshot (vw_reconciliation_window);
    -- a wallet never fetched has no snapshot to be pending against.
    multiIf(
        w.positions_snapshot_at = toDateTime64(0, 3, 'UTC'), '',
        w.fills_unread_reason != '', w.fills_unread_reason,
        r.last_fill_time >= w.settled_before, concat('fills up to ',
            formatDateTime(r.last_fill_time, '%Y-%m-%d %H:%i:%S'), ' came after (or within minutes of) the API snapshot'),
        ''
    ) AS fills_pending,
    multiIf(
        w.positions_snapshot_at = toDateTime64(0, 3, 'UTC'), '',
        w.transfers_unread_reason != '', w.transfers_unread_reason,
        r.last_transfer_time >= w.settled_before, concat('transfers up to ',
            formatDateTime(r.last_transfer_time, '%Y-%m-%d %H:%i:%S'), ' came after (or within minutes of) the API snapshot'),
        ''
    ) AS transfers_pending
SELECT
    r.wallet AS wallet,
    r.token_id AS token_id,
    r.condition_id AS condition_id,
    r.outcome AS outcome,
    r.chain_shares AS chain_shares,
    r.api_shares AS api_shares,
    CAST(r.api_shares - r.chain_shares AS Decimal(18, 6)) AS difference,
    r.fills AS fills,
    multiIf(
        r.api_shares = r.chain_shares, 'match',
        fills_pending != '', 'pending',
        r.fills > 0 AND r.listed = 1, 'differs',
        r.fills > 0, 'only_chain',
        'only_api'
    ) AS status,
    r.balance_shares AS balance_shares,
    CAST(r.api_shares - r.balance_shares AS Decimal(38, 6)) AS balance_difference,
    multiIf(
        r.api_shares = r.balance_shares, 'match',
        transfers_pending != '', 'pending',
        r.held = 1 AND r.listed = 1, 'differs',
        r.held = 1, 'only_chain',
        'only_api'
    ) AS balance_status,
    toUInt8(w.positions_snapshot_at > toDateTime64(0, 3, 'UTC')) AS positions_fetched,
    if(r.api_shares = r.chain_shares, '', fills_pending) AS pending_reason,
    if(r.api_shares = r.balance_shares, '', transfers_pending) AS balance_pending_reason,
    w.fills_confirmed_block AS chain_complete_to_block,
    w.transfers_confirmed_block AS balance_complete_to_block,
    w.positions_snapshot_at AS snapshot_at,
    if(r.tracked = 1, tupleElement(r.chain_pnl, 1), NULL) AS chain_avg_price,
    if(r.tracked = 1, tupleElement(r.chain_pnl, 2), NULL) AS chain_total_bought,
    if(r.tracked = 1, tupleElement(r.chain_pnl, 3), NULL) AS chain_realized_pnl,
    if(r.listed = 1, tupleElement(r.api_pnl, 1), NULL) AS api_avg_price,
    if(r.listed = 1, tupleElement(r.api_pnl, 2), NULL) AS api_total_bought,
    if(r.listed = 1, tupleElement(r.api_pnl, 3), NULL) AS api_realized_pnl,
    multiIf(
        r.listed = 1 AND r.tracked = 1
            AND abs(round(tupleElement(r.chain_pnl, 1), 4) - tupleElement(r.api_pnl, 1)) <= 0.000001
            AND abs(round(tupleElement(r.chain_pnl, 2), 4) - tupleElement(r.api_pnl, 2)) <= 0.000001
            AND abs(round(tupleElement(r.chain_pnl, 3), 4) - tupleElement(r.api_pnl, 3)) <= 0.000001, 'match',
        r.listed = 0 AND r.held = 0, 'match',
        fills_pending != '', 'pending',
        r.listed = 1 AND r.tracked = 0, 'only_api',
        r.listed = 1, 'differs',
        'only_chain'
    ) AS pnl_status
FROM
(
    SELECT
        wallet,
        token_id,
        if(countIf(in_api = 1) > 0, anyIf(condition_id, in_api = 1), anyIf(condition_id, condition_id != '')) AS condition_id,
        if(countIf(in_api = 1) > 0, anyIf(outcome, in_api = 1), anyIf(outcome, outcome != '')) AS outcome,
        CAST(sumIf(shares, in_api = 0) AS Decimal(18, 6)) AS chain_shares,
        CAST(sumIf(shares, in_api = 1) AS Decimal(18, 6)) AS api_shares,
        CAST(sumIf(shares, in_api = 2) AS Decimal(38, 6)) AS balance_shares,
        countIf(in_api = 0) AS fills,
        toUInt8(countIf(in_api = 1) > 0) AS listed,
        toUInt8(countIf(in_api = 2) > 0) AS held,
        maxIf(time, in_api = 0) AS last_fill_time,
        maxIf(time, in_api = 2) AS last_transfer_time,
        -- (avg_price, total_bought, realized_pnl) of the API (1) and of the chain's PnL (3)
        anyIf(pnl, in_api = 1) AS api_pnl,
        anyIf(pnl, in_api = 3) AS chain_pnl,
        toUInt8(countIf(in_api = 3) > 0) AS tracked
    FROM
    (
        SELECT wallet, token_id, condition_id, outcome, CAST(shares_delta AS Decimal(38, 6)) AS shares, toUInt8(0) AS in_api, block_time AS time,
               CAST((0, 0, 0), 'Tuple(Decimal(38, 6), Nullable(Decimal(38, 6)), Decimal(38, 6))') AS pnl
        FROM vw_trades_canonical
        UNION ALL
        SELECT wallet, token_id, condition_id, outcome, balance, toUInt8(2), last_time, CAST((0, 0, 0), 'Tuple(Decimal(38, 6), Nullable(Decimal(38, 6)), Decimal(38, 6))')
        FROM vw_wallet_balances
        UNION ALL
        SELECT p.wallet, p.token_id, p.condition_id, p.outcome, CAST(p.size AS Decimal(38, 6)), toUInt8(1), toDateTime(0, 'UTC'),
               CAST((p.avg_price,
                     toDecimal128OrNull(coalesce(nullIf(JSONExtractRaw(p.raw, 'totalBought'), ''), JSONExtractRaw(p.raw, 'total_bought')), 6),
                     p.realized_pnl), 'Tuple(Decimal(38, 6), Nullable(Decimal(38, 6)), Decimal(38, 6))')
        FROM positions AS p FINAL
        INNER JOIN wallets AS cw FINAL ON cw.wallet = p.wallet
        WHERE p.snapshot_at >= cw.positions_snapshot_at
        UNION ALL
        SELECT wallet, token_id, condition_id, outcome, toDecimal128(0, 6), toUInt8(3), toDateTime(0, 'UTC'),
               CAST((avg_price, total_bought, realized_pnl), 'Tuple(Decimal(38, 6), Nullable(Decimal(38, 6)), Decimal(38, 6))')
        FROM vw_position_pnl
    )
    GROUP BY wallet, token_id
    HAVING countIf(in_api != 3) > 0
) AS r
LEFT JOIN vw_reconciliation_window AS w ON w.wallet = r.wallet
;

-- would apply view vw_trades_unified
-- vw_trades_unified: what a wallet did, from both sources, in common columns —
--   source 'blockchain': every trade of vw_trades_canonical (one row per OrderFilled of the wallet as
--     maker, venue 'order_book', and one per AMM-era trade against a Polymarket market maker, venue
--     'amm'; shares and price of the trade, its fee, time of its block, side BUY/SELL);
--   source 'clob_api': the wallet's current Data API positions (size as shares, avgPrice as price,
--     the snapshot's time, side ''), current meaning from the wallet's newest complete snapshot:
--     a position whose snapshot_at is older than wallets.positions_snapshot_at was gone by then;
--     venue '' and fee NULL: a position is no trade.
-- joined to market metadata (question, slug, event title, tags, category) through the token_markets
-- dictionary (sql/021, sql/031): `tags` are the tag slugs of the market and of its event (Gamma's
-- /tags labels are in the tags table), `category` Gamma's category of the event or market where it
-- gives one ('' otherwise) — so `WHERE has(tags, 'politics')` filters trades by topic without a join.
-- An AMM trade whose token Gamma does not list takes them from its market maker's Gamma market
-- (amm_markets, sql/061). A row whose token is not in market_tokens is kept with empty metadata and
-- market_known = 0, so `status` can count them.
-- `WHERE wallet = …` reaches chain_fills_by_wallet, positions and wallets as primary-key ranges
-- (each is ordered by wallet first) and the metadata is a lookup per row, so one wallet costs what
-- its own rows cost: see bench/chain-wallet-query.ts for the latency on 10,000,000 fills.
CREATE OR REPLACE VIEW vw_trades_unified ON CLUSTER 'analytics' AS
SELECT
    u.wallet AS wallet,
    u.condition_id AS condition_id,
    u.market_id AS market_id,
    u.token_id AS token_id,
    u.outcome AS outcome,
    u.outcome_index AS outcome_index,
    u.side AS side,
    u.shares AS shares,
    u.price AS price,
    u.source AS source,
    u.time AS time,
    tupleElement(m, 1) AS question,
    tupleElement(m, 2) AS slug,
    tupleElement(m, 3) AS event_title,
    u.market_known AS market_known,
    u.tx_hash AS tx_hash,
    u.log_index AS log_index,
    tupleElement(m, 4) AS tags,
    tupleElement(m, 5) AS category,
    u.venue AS venue,
    u.fee AS fee
FROM
(
    SELECT
        *,
        -- An AMM trade whose token Gamma does not list takes its market maker's market
        -- (amm_markets: Gamma's marketMakerAddress).
        if(
            amm_market_maker != '' AND dictGet('token_markets', 'known', tuple(token_id)) = 0,
            dictGet('amm_markets', ('question', 'slug', 'event_title', 'tags', 'category'), tuple(amm_market_maker)),
            dictGet('token_markets', ('question', 'slug', 'event_title', 'tags', 'category'), tuple(token_id))
        ) AS m
    FROM
    (
        SELECT
            wallet,
            condition_id,
            market_id,
            token_id,
            outcome,
            outcome_index,
            toString(side) AS side,
            shares,
            price,
            'blockchain' AS source,
            toDateTime64(block_time, 3, 'UTC') AS time,
            market_known,
            tx_hash,
            log_index,
            venue,
            CAST(fee AS Nullable(Decimal(18, 6))) AS fee,
            if(venue = 'amm', exchange, '') AS amm_market_maker
        FROM vw_trades_canonical
        UNION ALL
        SELECT
            p.wallet AS wallet,
            p.condition_id AS condition_id,
            dictGet('token_markets', 'market_id', tuple(p.token_id)) AS market_id,
            p.token_id AS token_id,
            p.outcome AS outcome,
            p.outcome_index AS outcome_index,
            '' AS side,
            p.size AS shares,
            p.avg_price AS price,
            'clob_api' AS source,
            p.snapshot_at AS time,
            dictGet('token_markets', 'known', tuple(p.token_id)) AS market_known,
            '' AS tx_hash,
            toUInt32(0) AS log_index,
            '' AS venue,
            CAST(NULL AS Nullable(Decimal(18, 6))) AS fee,
            '' AS amm_market_maker
        FROM positions AS p FINAL
        INNER JOIN wallets AS w FINAL ON w.wallet = p.wallet
        WHERE p.snapshot_at >= w.positions_snapshot_at
    )
) AS u
;

