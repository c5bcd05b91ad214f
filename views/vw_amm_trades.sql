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
CREATE OR REPLACE VIEW vw_amm_trades {{on_cluster}} AS
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
