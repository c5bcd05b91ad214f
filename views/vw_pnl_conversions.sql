-- vw_pnl_conversions: the neg-risk conversions the PnL rules act on, one row per PositionsConverted
-- of vw_activity (its wallet attributed as there), with what the pnl-subgraph knows of its market at
-- that moment (NegRiskAdapterMapping.ts): the market must have been prepared before it
-- (MarketPrepared), and question_count is the number of its questions prepared before it
-- (QuestionPrepared) — bit j of index_set below question_count converts question j's NO token;
-- no_count is how many. fee_bips is the market's conversion fee (MarketPrepared), for open interest.
CREATE OR REPLACE VIEW vw_pnl_conversions {{on_cluster}} AS
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
