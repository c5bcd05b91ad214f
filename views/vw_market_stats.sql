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
CREATE OR REPLACE VIEW vw_market_stats {{on_cluster}} AS
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
