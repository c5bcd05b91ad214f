-- vw_amm_markets: every market maker Polymarket's FPMM factory created, with its creation (block,
-- creator, condition, collateral, fee rate as a fraction) and the Gamma market whose
-- marketMakerAddress names it; listed 0 when Gamma names none (its trades keep the condition id
-- and token ids, without a market id or question).
CREATE OR REPLACE VIEW vw_amm_markets {{on_cluster}} AS
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
