-- chain_activity: the lifecycle logs of outcome tokens and the exchanges' fee logs, one row per log —
-- ConditionalTokens' ConditionResolution, PositionSplit, PositionsMerge and PayoutRedemption; the
-- NegRiskAdapter's PositionSplit, PositionsMerge, PayoutRedemption (stored as NegRisk…),
-- PositionsConverted, MarketPrepared and QuestionPrepared; FeeCharged of the four exchanges.
-- Key: (block_number, log_index), unique on chain; a re-fetched range replaces rather than doubles.
-- Columns an event lacks are '' or 0. `party` is who acted as the contract saw it: stakeholder,
-- redeemer, fee receiver, or oracle — for a V2 action through a collateral adapter it is the
-- adapter, and vw_activity names the user (see there). Amounts are the on-chain integers (6 decimals).
CREATE TABLE IF NOT EXISTS chain_activity {{on_cluster}}
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
ENGINE = {{engine:ReplacingMergeTree(_ingested_at)}}
ORDER BY (block_number, log_index)
SETTINGS {{dedup_window}};

-- chain_activity_blocks: hash and time of the blocks the activity step processed (chain_blocks'
-- shape and role, for this stream alone; see sql/022).
CREATE TABLE IF NOT EXISTS chain_activity_blocks {{on_cluster}}
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
