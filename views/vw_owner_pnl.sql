-- vw_owner_pnl: profit and loss per person — every wallet's figures summed up to its owner
-- (wallet_owners: the EOA behind a proxy wallet or Safe; a wallet with no known owner is its own
-- owner), one row per owner, from two sources side by side, joined per wallet:
--   the Data API's current positions (api_*; fetched wallets only), and
--   the chain's (vw_wallet_pnl: every wallet that traded, the pnl-subgraph's rules, before fees).
-- Columns (USDC, exact decimals):
--   wallets, wallet_list   the owner's wallets with figures on either side; api_wallets: with Data API positions
--   api_positions          (wallet, token) Data API positions summed
--   api_initial_value, api_current_value, api_cash_pnl (unrealized + realized as the Data API counts
--   it), api_realized_pnl
--   realized_pnl, unrealized_pnl, total_pnl, fees, redeemed, volume (USDC of the wallets' fills),
--   trades (their fills), positions and open_positions (tokens with chain PnL, and still held)
--   chain_computed_at      when the leaderboard snapshot the chain figures come from was computed
-- The chain figures are vw_wallet_pnl's snapshot (refreshed by the views step at the end of every
-- backfill; `polyhouse backfill --steps views` refreshes it alone), so an owner's row reads in
-- milliseconds; vw_owner_positions has the always-current chain figures per token.
CREATE OR REPLACE VIEW vw_owner_pnl {{on_cluster}} AS
SELECT
    if(o.owner = '', x.wallet, o.owner) AS owner,
    uniqExact(x.wallet) AS wallets,
    groupUniqArray(x.wallet) AS wallet_list,
    countIf(x.api_positions > 0) AS api_wallets,
    sum(x.api_positions) AS api_positions,
    sum(x.api_initial_value) AS api_initial_value,
    sum(x.api_current_value) AS api_current_value,
    sum(x.api_cash_pnl) AS api_cash_pnl,
    sum(x.api_realized_pnl) AS api_realized_pnl,
    sum(x.realized_pnl) AS realized_pnl,
    sum(x.unrealized_pnl) AS unrealized_pnl,
    sum(x.total_pnl) AS total_pnl,
    sum(x.fees) AS fees,
    sum(x.redeemed) AS redeemed,
    sum(x.volume) AS volume,
    sum(x.trades) AS trades,
    sum(x.positions) AS positions,
    sum(x.open_positions) AS open_positions,
    nullIf(max(x.computed_at), toDateTime64(0, 3, 'UTC')) AS chain_computed_at
FROM
(
    -- join_use_nulls = 0: the side without the wallet reads '' / 0, hence the if().
    SELECT
        if(a.wallet = '', c.wallet, a.wallet) AS wallet,
        a.positions AS api_positions,
        a.initial_value AS api_initial_value,
        a.current_value AS api_current_value,
        a.cash_pnl AS api_cash_pnl,
        a.realized_pnl AS api_realized_pnl,
        c.realized_pnl AS realized_pnl,
        c.unrealized_pnl AS unrealized_pnl,
        c.total_pnl AS total_pnl,
        c.fees AS fees,
        c.redeemed AS redeemed,
        c.volume AS volume,
        c.trades AS trades,
        c.positions AS positions,
        c.open_positions AS open_positions,
        c.computed_at AS computed_at
    FROM
    (
        SELECT p.wallet AS wallet, count() AS positions, sum(p.initial_value) AS initial_value,
               sum(p.current_value) AS current_value, sum(p.cash_pnl) AS cash_pnl,
               sum(p.realized_pnl) AS realized_pnl
        FROM positions AS p FINAL
        INNER JOIN wallets AS w FINAL ON w.wallet = p.wallet
        WHERE p.snapshot_at >= w.positions_snapshot_at
        GROUP BY p.wallet
    ) AS a
    FULL OUTER JOIN
    (
        SELECT wallet, realized_pnl, unrealized_pnl, total_pnl, fees, redeemed, volume, trades, positions,
               open_positions, computed_at
        FROM vw_wallet_pnl
    ) AS c ON c.wallet = a.wallet
) AS x
LEFT JOIN (SELECT wallet, owner FROM wallet_owners FINAL) AS o ON o.wallet = x.wallet
GROUP BY owner
SETTINGS join_use_nulls = 0
