-- vw_position_reconciliation: per wallet and token, three figures side by side —
--   chain_shares    the shares the wallet's chain trades imply (Σ shares_delta of vw_trades_canonical:
--                   BUY +shares, less the fee a V1 BUY pays in shares; SELL −shares);
--   balance_shares  the wallet's ERC-1155 balance from every transfer (vw_wallet_balances: trades,
--                   splits, merges, redemptions, plain transfers — the exact on-chain position);
--   api_shares      the size of its current Data API position (the snapshot rule of vw_trades_unified)
-- and two verdicts, each 'match' / 'differs' / 'only_chain' / 'only_api' / 'pending':
--   status          trades vs API ('match' when equal — a token traded to zero and absent from the API
--                   matches; 'differs' both have it with different sizes; 'only_chain' trades imply
--                   shares the API does not list; 'only_api' the API lists a position no trade
--                   explains, e.g. one built by splits or transfers);
--   balance_status  chain balance vs API, the reconciliation that should hold for every wallet:
--                   'only_chain' the chain holds shares the API does not list, 'only_api' the API
--                   lists shares the chain does not hold.
--   'pending'       (either verdict) the figures differ but the chain side may not hold everything the
--                   snapshot counts, or holds rows the snapshot cannot count yet: the rule of
--                   vw_reconciliation_window. pending_reason / balance_pending_reason say which
--                   ('' unless pending). Such a row settles by itself once `sync` has read the chain
--                   past the snapshot (or fetched the wallet again).
--   difference      API − trades; balance_difference  API − balance.
--   chain_complete_to_block    the block every fill is loaded to (vw_chain_confirmed), and
--   balance_complete_to_block  the block every transfer is loaded to: the chain figures are as of them.
--   snapshot_at     when the API figures were fetched.
--   positions_fetched  0 when the wallet's positions were never fetched: its chain rows say
--           'only_chain' for want of an API answer, not because the API disagrees.
-- PnL beside Polymarket's own: chain_avg_price, chain_total_bought, chain_realized_pnl (vw_position_pnl:
-- the pnl-subgraph's rules) and api_avg_price, api_total_bought, api_realized_pnl (the Data API's
-- avgPrice, totalBought — read from the position's raw JSON — and realizedPnl), with
--   pnl_status   'match' the API lists the position and agrees on all three — the API prints 4
--                decimals, so each chain figure is rounded to 4 (half away from zero) and must then be
--                within 1e-6 of the API's — or neither side has it open (the API lists nothing and the
--                chain holds no balance); 'pending' as for status (the PnL reads the fills' side of the
--                window); 'differs' both have it and a figure disagrees; 'only_api' the API lists a
--                position no chain event made; 'only_chain' the chain holds tokens the API does not
--                list. Only rows of the sources above get PnL figures: a token the wallet only split
--                and merged away is no reconciliation row.
-- fills_pending / transfers_pending (the WITH below) are that rule for one row, '' when the chain side
-- is comparable: any verdict here that sets chain figures beside the API's follows the one it reads.
-- The sources are one UNION ALL grouped by (wallet, token_id), not FULL JOINs: a filter on wallet
-- passes through GROUP BY to each source's primary key, where a FULL JOIN would stop it.
CREATE OR REPLACE VIEW vw_position_reconciliation {{on_cluster}} AS
WITH
    -- Why this row's chain side may not be comparable with the snapshot (vw_reconciliation_window);
    -- a wallet never fetched has no snapshot to be pending against.
    multiIf(
        w.positions_snapshot_at = toDateTime64(0, 3, 'UTC'), '',
        w.fills_unread_reason != '', w.fills_unread_reason,
        r.last_fill_time >= w.settled_before, concat('fills up to ',
            formatDateTime(r.last_fill_time, '%Y-%m-%d %H:%i:%S'), ' came after (or within minutes of) the API snapshot'),
        ''
    ) AS fills_pending,
    multiIf(
        w.positions_snapshot_at = toDateTime64(0, 3, 'UTC'), '',
        w.transfers_unread_reason != '', w.transfers_unread_reason,
        r.last_transfer_time >= w.settled_before, concat('transfers up to ',
            formatDateTime(r.last_transfer_time, '%Y-%m-%d %H:%i:%S'), ' came after (or within minutes of) the API snapshot'),
        ''
    ) AS transfers_pending
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
        fills_pending != '', 'pending',
        r.fills > 0 AND r.listed = 1, 'differs',
        r.fills > 0, 'only_chain',
        'only_api'
    ) AS status,
    r.balance_shares AS balance_shares,
    CAST(r.api_shares - r.balance_shares AS Decimal(38, 6)) AS balance_difference,
    multiIf(
        r.api_shares = r.balance_shares, 'match',
        transfers_pending != '', 'pending',
        r.held = 1 AND r.listed = 1, 'differs',
        r.held = 1, 'only_chain',
        'only_api'
    ) AS balance_status,
    toUInt8(w.positions_snapshot_at > toDateTime64(0, 3, 'UTC')) AS positions_fetched,
    if(r.api_shares = r.chain_shares, '', fills_pending) AS pending_reason,
    if(r.api_shares = r.balance_shares, '', transfers_pending) AS balance_pending_reason,
    w.fills_confirmed_block AS chain_complete_to_block,
    w.transfers_confirmed_block AS balance_complete_to_block,
    w.positions_snapshot_at AS snapshot_at,
    if(r.tracked = 1, tupleElement(r.chain_pnl, 1), NULL) AS chain_avg_price,
    if(r.tracked = 1, tupleElement(r.chain_pnl, 2), NULL) AS chain_total_bought,
    if(r.tracked = 1, tupleElement(r.chain_pnl, 3), NULL) AS chain_realized_pnl,
    if(r.listed = 1, tupleElement(r.api_pnl, 1), NULL) AS api_avg_price,
    if(r.listed = 1, tupleElement(r.api_pnl, 2), NULL) AS api_total_bought,
    if(r.listed = 1, tupleElement(r.api_pnl, 3), NULL) AS api_realized_pnl,
    multiIf(
        r.listed = 1 AND r.tracked = 1
            AND abs(round(tupleElement(r.chain_pnl, 1), 4) - tupleElement(r.api_pnl, 1)) <= 0.000001
            AND abs(round(tupleElement(r.chain_pnl, 2), 4) - tupleElement(r.api_pnl, 2)) <= 0.000001
            AND abs(round(tupleElement(r.chain_pnl, 3), 4) - tupleElement(r.api_pnl, 3)) <= 0.000001, 'match',
        r.listed = 0 AND r.held = 0, 'match',
        fills_pending != '', 'pending',
        r.listed = 1 AND r.tracked = 0, 'only_api',
        r.listed = 1, 'differs',
        'only_chain'
    ) AS pnl_status
FROM
(
    SELECT
        wallet,
        token_id,
        if(countIf(in_api = 1) > 0, anyIf(condition_id, in_api = 1), anyIf(condition_id, condition_id != '')) AS condition_id,
        if(countIf(in_api = 1) > 0, anyIf(outcome, in_api = 1), anyIf(outcome, outcome != '')) AS outcome,
        CAST(sumIf(shares, in_api = 0) AS Decimal(18, 6)) AS chain_shares,
        CAST(sumIf(shares, in_api = 1) AS Decimal(18, 6)) AS api_shares,
        CAST(sumIf(shares, in_api = 2) AS Decimal(38, 6)) AS balance_shares,
        countIf(in_api = 0) AS fills,
        toUInt8(countIf(in_api = 1) > 0) AS listed,
        toUInt8(countIf(in_api = 2) > 0) AS held,
        maxIf(time, in_api = 0) AS last_fill_time,
        maxIf(time, in_api = 2) AS last_transfer_time,
        -- (avg_price, total_bought, realized_pnl) of the API (1) and of the chain's PnL (3)
        anyIf(pnl, in_api = 1) AS api_pnl,
        anyIf(pnl, in_api = 3) AS chain_pnl,
        toUInt8(countIf(in_api = 3) > 0) AS tracked
    FROM
    (
        SELECT wallet, token_id, condition_id, outcome, CAST(shares_delta AS Decimal(38, 6)) AS shares, toUInt8(0) AS in_api, block_time AS time,
               CAST((0, 0, 0), 'Tuple(Decimal(38, 6), Nullable(Decimal(38, 6)), Decimal(38, 6))') AS pnl
        FROM vw_trades_canonical
        UNION ALL
        SELECT wallet, token_id, condition_id, outcome, balance, toUInt8(2), last_time, CAST((0, 0, 0), 'Tuple(Decimal(38, 6), Nullable(Decimal(38, 6)), Decimal(38, 6))')
        FROM vw_wallet_balances
        UNION ALL
        SELECT p.wallet, p.token_id, p.condition_id, p.outcome, CAST(p.size AS Decimal(38, 6)), toUInt8(1), toDateTime(0, 'UTC'),
               CAST((p.avg_price,
                     toDecimal128OrNull(coalesce(nullIf(JSONExtractRaw(p.raw, 'totalBought'), ''), JSONExtractRaw(p.raw, 'total_bought')), 6),
                     p.realized_pnl), 'Tuple(Decimal(38, 6), Nullable(Decimal(38, 6)), Decimal(38, 6))')
        FROM positions AS p FINAL
        INNER JOIN wallets AS cw FINAL ON cw.wallet = p.wallet
        WHERE p.snapshot_at >= cw.positions_snapshot_at
        UNION ALL
        SELECT wallet, token_id, condition_id, outcome, toDecimal128(0, 6), toUInt8(3), toDateTime(0, 'UTC'),
               CAST((avg_price, total_bought, realized_pnl), 'Tuple(Decimal(38, 6), Nullable(Decimal(38, 6)), Decimal(38, 6))')
        FROM vw_position_pnl
    )
    GROUP BY wallet, token_id
    HAVING countIf(in_api != 3) > 0
) AS r
LEFT JOIN vw_reconciliation_window AS w ON w.wallet = r.wallet
