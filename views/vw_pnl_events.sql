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
CREATE OR REPLACE VIEW vw_pnl_events {{on_cluster}} AS
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
