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
-- vw_trades_canonical: one row per OrderFilled, from the point of view of its maker (the wallet
-- whose order was filled), with the token's market and outcome from market_tokens.
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
    tupleElement(t, 5) AS market_known
FROM
(
    SELECT
        *,
        dictGet('token_markets', ('condition_id', 'market_id', 'outcome', 'outcome_index', 'known'), tuple(token_id)) AS t
    FROM chain_fills_by_wallet FINAL
) AS f
;

-- would apply view vw_wallet_balances
-- vw_wallet_balances: every wallet's balance of every outcome token, from the chain alone — the sum
-- of its ERC-1155 legs in chain_transfers_by_wallet (received +, sent −): mints from splits, tokens
-- bought and sold through the exchanges, merges, redemptions and plain transfers alike. Shares are
-- exact: the on-chain integer sum (Int128: amounts are below 10^18, quarantined otherwise) divided
-- by 10^6 in Decimal(38, 6). Zero balances are omitted.
-- Not wallets, so left out: the zero address (mint source, burn sink), the four exchanges, the
-- NegRisk adapter and ConditionalTokens itself (extract/chain/contracts.ts NON_WALLET_CONTRACTS).
-- `WHERE wallet = …` is one primary-key range of chain_transfers_by_wallet (keyed by the wallet's
-- cityHash64 since sql/090: the engine hashes the constant to find it); all wallets are one pass. Market metadata comes from the token_markets dictionary; a
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
        '0x4d97dcd97ec945f40cf65f87097ace5ea0476045'
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
    w.positions_snapshot_at AS snapshot_at
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
        maxIf(time, in_api = 2) AS last_transfer_time
    FROM
    (
        SELECT wallet, token_id, condition_id, outcome, CAST(shares_delta AS Decimal(38, 6)) AS shares, toUInt8(0) AS in_api, block_time AS time
        FROM vw_trades_canonical
        UNION ALL
        SELECT wallet, token_id, condition_id, outcome, balance, toUInt8(2), last_time
        FROM vw_wallet_balances
        UNION ALL
        SELECT p.wallet, p.token_id, p.condition_id, p.outcome, CAST(p.size AS Decimal(38, 6)), toUInt8(1), toDateTime(0, 'UTC')
        FROM positions AS p FINAL
        INNER JOIN wallets AS cw FINAL ON cw.wallet = p.wallet
        WHERE p.snapshot_at >= cw.positions_snapshot_at
    )
    GROUP BY wallet, token_id
) AS r
LEFT JOIN vw_reconciliation_window AS w ON w.wallet = r.wallet
;

-- would apply view vw_trades_unified
-- vw_trades_unified: what a wallet did, from both sources, in common columns —
--   source 'blockchain': every trade of vw_trades_canonical (one row per OrderFilled of the wallet as
--     maker; shares and price of the fill, time of its block, side BUY/SELL);
--   source 'clob_api': the wallet's current Data API positions (size as shares, avgPrice as price,
--     the snapshot's time, side ''), current meaning from the wallet's newest complete snapshot:
--     a position whose snapshot_at is older than wallets.positions_snapshot_at was gone by then.
-- joined to market metadata (question, slug, event title, tags, category) through the token_markets
-- dictionary (sql/021, sql/031): `tags` are the tag slugs of the market and of its event (Gamma's
-- /tags labels are in the tags table), `category` Gamma's category of the event or market where it
-- gives one ('' otherwise) — so `WHERE has(tags, 'politics')` filters trades by topic without a join.
-- A row whose token is not in market_tokens is kept with empty metadata and market_known = 0, so
-- `status` can count them.
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
    tupleElement(m, 5) AS category
FROM
(
    SELECT
        *,
        dictGet('token_markets', ('question', 'slug', 'event_title', 'tags', 'category'), tuple(token_id)) AS m
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
            log_index
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
            toUInt32(0) AS log_index
        FROM positions AS p FINAL
        INNER JOIN wallets AS w FINAL ON w.wallet = p.wallet
        WHERE p.snapshot_at >= w.positions_snapshot_at
    )
) AS u
;

