-- vw_owner_positions: current Data API positions rolled up to the person behind the wallets — the
-- owner EOA of each proxy wallet or Safe (wallet_owners), one row per (owner, token). A wallet with
-- no known owner (a plain EOA, or a contract wallet whose creation was not loaded) is its own owner.
-- Current as in vw_trades_unified: a position at or after its wallet's newest snapshot.
--   owner          the EOA (or the wallet itself when no owner is known)
--   wallets        how many of the owner's wallets hold the token
--   size, initial_value, current_value, cash_pnl, realized_pnl   summed over those wallets (exact)
--   avg_price      the cost-weighted average: Σ size·avg_price ÷ Σ size (NULL when Σ size is 0)
CREATE OR REPLACE VIEW vw_owner_positions {{on_cluster}} AS
SELECT
    if(o.owner = '', p.wallet, o.owner) AS owner,
    p.token_id AS token_id,
    any(p.condition_id) AS condition_id,
    any(p.outcome) AS outcome,
    any(p.title) AS title,
    uniqExact(p.wallet) AS wallets,
    groupUniqArray(p.wallet) AS wallet_list,
    sum(p.size) AS size,
    if(sum(p.size) = 0, NULL, sum(toDecimal128(p.size, 6) * p.avg_price) / sum(toDecimal128(p.size, 6))) AS avg_price,
    sum(p.initial_value) AS initial_value,
    sum(p.current_value) AS current_value,
    sum(p.cash_pnl) AS cash_pnl,
    sum(p.realized_pnl) AS realized_pnl
FROM positions AS p FINAL
INNER JOIN wallets AS w FINAL ON w.wallet = p.wallet
LEFT JOIN (SELECT wallet, owner FROM wallet_owners FINAL) AS o ON o.wallet = p.wallet
WHERE p.snapshot_at >= w.positions_snapshot_at
GROUP BY owner, token_id
SETTINGS join_use_nulls = 0
