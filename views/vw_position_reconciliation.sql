-- vw_position_reconciliation: per wallet and token, the shares the wallet's chain trades imply
-- (Σ shares_delta of vw_trades_canonical: BUY +shares, less the fee a V1 BUY pays in shares; SELL
-- −shares) beside the size of its current Data API position (the snapshot rule of vw_trades_unified),
-- and their difference (API − chain).
--   status  'match'       both agree (a token traded to zero and absent from the API matches);
--           'differs'     both have it, with different sizes;
--           'only_chain'  trades imply shares the API does not list;
--           'only_api'    the API lists a position no trade explains (splits, transfers: issue 8).
--   positions_fetched  0 when the wallet's positions were never fetched: its chain rows say
--           'only_chain' for want of an API answer, not because the API disagrees.
-- Both sides are one UNION ALL grouped by (wallet, token_id), not a FULL JOIN: a filter on wallet
-- passes through GROUP BY to each source's primary key, where a FULL JOIN would stop it.
-- Chain trades are not a wallet's whole history (mints, merges, transfers, redemptions move tokens
-- too), so differences are expected for wallets that did more than trade; the chain balances of
-- issue 8 close that gap.
CREATE OR REPLACE VIEW vw_position_reconciliation {{on_cluster}} AS
SELECT
    r.wallet AS wallet,
    r.token_id AS token_id,
    r.condition_id AS condition_id,
    r.outcome AS outcome,
    r.chain_shares AS chain_shares,
    r.api_shares AS api_shares,
    CAST(r.api_shares - r.chain_shares AS Decimal(18, 6)) AS difference,
    r.fills AS fills,
    multiIf(
        r.api_shares = r.chain_shares, 'match',
        r.fills > 0 AND r.listed = 1, 'differs',
        r.fills > 0, 'only_chain',
        'only_api'
    ) AS status,
    toUInt8(w.positions_snapshot_at > toDateTime64(0, 3, 'UTC')) AS positions_fetched
FROM
(
    SELECT
        wallet,
        token_id,
        if(max(in_api) = 1, anyIf(condition_id, in_api = 1), any(condition_id)) AS condition_id,
        if(max(in_api) = 1, anyIf(outcome, in_api = 1), any(outcome)) AS outcome,
        CAST(sumIf(shares, in_api = 0) AS Decimal(18, 6)) AS chain_shares,
        CAST(sumIf(shares, in_api = 1) AS Decimal(18, 6)) AS api_shares,
        countIf(in_api = 0) AS fills,
        max(in_api) AS listed
    FROM
    (
        SELECT wallet, token_id, condition_id, outcome, shares_delta AS shares, toUInt8(0) AS in_api
        FROM vw_trades_canonical
        UNION ALL
        SELECT p.wallet, p.token_id, p.condition_id, p.outcome, p.size, toUInt8(1)
        FROM positions AS p FINAL
        INNER JOIN wallets AS cw FINAL ON cw.wallet = p.wallet
        WHERE p.snapshot_at >= cw.positions_snapshot_at
    )
    GROUP BY wallet, token_id
) AS r
LEFT JOIN wallets AS w FINAL ON w.wallet = r.wallet
