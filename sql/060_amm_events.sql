-- amm_events: the AMM era (2020–2022, before the CTF exchanges): every FixedProductMarketMakerCreation
-- and every FPMMBuy, FPMMSell, FPMMFundingAdded and FPMMFundingRemoved log on Polygon, one row per
-- log, whatever its emitter. Which emitters are Polymarket's market makers is decided by the views
-- (amm_markets, sql/061: market makers the Polymarket factory created); look-alike logs of other
-- contracts are kept here and used nowhere. Key: (block_number, log_index), unique on chain; a
-- re-fetched range replaces rather than doubles. Amounts are the on-chain integers (USDC and outcome
-- tokens have 6 decimals; `fee` is the creation's fee rate, 10^18 = 100 %).
CREATE TABLE IF NOT EXISTS amm_events {{on_cluster}}
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
ENGINE = {{engine:ReplacingMergeTree(_ingested_at)}}
ORDER BY (block_number, log_index)
SETTINGS {{dedup_window}};

-- amm_blocks: hash and time of the blocks the AMM step processed (chain_blocks' shape and role, for
-- this stream alone).
CREATE TABLE IF NOT EXISTS amm_blocks {{on_cluster}}
(
    block_number UInt64,
    block_hash   String,
    parent_hash  String,
    block_time   DateTime('UTC'),
    _run_id      String,
    _ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = {{engine:ReplacingMergeTree(_ingested_at)}}
ORDER BY block_number
SETTINGS {{dedup_window}}
