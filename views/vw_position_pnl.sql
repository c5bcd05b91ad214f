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
CREATE OR REPLACE VIEW vw_position_pnl {{on_cluster}} AS
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
