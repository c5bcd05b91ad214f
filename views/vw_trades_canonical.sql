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
CREATE OR REPLACE VIEW vw_trades_canonical {{on_cluster}} AS
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
