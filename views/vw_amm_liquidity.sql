-- vw_amm_liquidity: every liquidity add and removal on one of Polymarket's AMM-era market makers
-- (FPMMFundingAdded, FPMMFundingRemoved of a market maker in amm_markets, sql/061), one row per log:
--   kind            'add' or 'remove'.
--   amounts         per outcome, shares: what the pool took in (add: amountsAdded) or paid out
--                   (remove: amountsRemoved, as outcome tokens).
--   collateral      USDC: on an add the funds put in, the largest of amountsAdded (FixedProductMarket
--                   Maker.addFunding splits them all and sends back the difference per outcome; the
--                   pnl-subgraph reads it the same way); on a removal the fees paid out of the pool
--                   (collateralRemovedFromFeePool).
--   lp_shares       liquidity shares minted (add) or burnt (remove).
-- with the market maker's condition and its Gamma market (market_id 0 when Gamma names none).
CREATE OR REPLACE VIEW vw_amm_liquidity {{on_cluster}} AS
SELECT
    e.actor AS wallet,
    e.contract AS market_maker,
    tupleElement(k, 1) AS condition_id,
    tupleElement(k, 2) AS market_id,
    tupleElement(k, 3) AS question,
    if(e.event = 'FPMMFundingAdded', 'add', 'remove') AS kind,
    arrayMap((x) -> CAST(toDecimal128(x, 6) / 1000000 AS Decimal(18, 6)), e.amounts) AS amounts,
    CAST(
        toDecimal128(if(e.event = 'FPMMFundingAdded', arrayMax(e.amounts), e.collateral_amount), 6) / 1000000
        AS Decimal(18, 6)
    ) AS collateral,
    CAST(toDecimal128(e.shares, 6) / 1000000 AS Decimal(18, 6)) AS lp_shares,
    e.block_number AS block_number,
    e.block_time AS block_time,
    e.tx_hash AS tx_hash,
    e.log_index AS log_index
FROM
(
    SELECT *, dictGet('amm_markets', ('condition_id', 'market_id', 'question'), tuple(contract)) AS k
    FROM amm_events FINAL
    WHERE event IN ('FPMMFundingAdded', 'FPMMFundingRemoved')
        AND dictHas('amm_markets', tuple(contract))
) AS e
