-- vw_owner_pnl: profit and loss per person — every wallet's current Data API positions summed up to
-- its owner (wallet_owners: the EOA behind a proxy wallet or Safe; a wallet with no known owner is
-- its own owner), one row per owner. Amounts are the Data API's (USDC, exact decimals).
--   wallets        the owner's wallets that hold positions, and how many
--   positions      (wallet, token) positions summed
--   initial_value, current_value, cash_pnl (unrealized + realized as the Data API counts it),
--   realized_pnl
CREATE OR REPLACE VIEW vw_owner_pnl {{on_cluster}} AS
SELECT
    owner,
    uniqExact(wallet) AS wallets,
    groupUniqArray(wallet) AS wallet_list,
    count() AS positions,
    sum(initial_value) AS initial_value,
    sum(current_value) AS current_value,
    sum(cash_pnl) AS cash_pnl,
    sum(realized_pnl) AS realized_pnl
FROM (
    SELECT
        if(o.owner = '', p.wallet, o.owner) AS owner,
        p.wallet AS wallet,
        p.initial_value AS initial_value,
        p.current_value AS current_value,
        p.cash_pnl AS cash_pnl,
        p.realized_pnl AS realized_pnl
    FROM positions AS p FINAL
    INNER JOIN wallets AS w FINAL ON w.wallet = p.wallet
    LEFT JOIN (SELECT wallet, owner FROM wallet_owners FINAL) AS o ON o.wallet = p.wallet
    WHERE p.snapshot_at >= w.positions_snapshot_at
    SETTINGS join_use_nulls = 0
)
GROUP BY owner
