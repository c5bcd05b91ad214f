-- vw_owner_positions: positions rolled up to the person behind the wallets — the owner EOA of each
-- proxy wallet or Safe (wallet_owners), one row per (owner, token). A wallet with no known owner (a
-- plain EOA, or a contract wallet whose creation was not loaded) is its own owner. Two sources side
-- by side, joined per (wallet, token) so a token held on one side only still has its row:
--   the Data API's current positions (api_*; fetched wallets only; current as in vw_trades_unified:
--   a position at or after its wallet's newest snapshot), and
--   the chain's (vw_position_pnl: every wallet that traded, the pnl-subgraph's rules).
-- Columns:
--   owner          the EOA (or the wallet itself when no owner is known)
--   wallets        how many of the owner's wallets have the token on either side; wallet_list names them
--   api_size, api_initial_value, api_current_value, api_cash_pnl, api_realized_pnl   the Data API's,
--                  summed over the wallets (exact); api_avg_price the cost-weighted average
--                  Σ size·avg_price ÷ Σ size (NULL when Σ size is 0)
--   amount, total_bought, realized_pnl, unrealized_pnl, fees, redeemed   the chain's (vw_position_pnl),
--                  summed; unrealized_pnl is NULL when the token has no last price; avg_price the
--                  amount-weighted average Σ amount·avg_price ÷ Σ amount (NULL when Σ amount is 0)
-- The chain side folds every wallet's events whatever the filter: `WHERE owner = …` does not narrow
-- it (vw_position_pnl narrows on `WHERE wallet = …` only), so a query takes seconds on a full chain.
CREATE OR REPLACE VIEW vw_owner_positions {{on_cluster}} AS
SELECT
    if(o.owner = '', x.wallet, o.owner) AS owner,
    x.token_id AS token_id,
    anyIf(x.condition_id, x.condition_id != '') AS condition_id,
    anyIf(x.outcome, x.outcome != '') AS outcome,
    anyIf(x.title, x.title != '') AS title,
    uniqExact(x.wallet) AS wallets,
    groupUniqArray(x.wallet) AS wallet_list,
    sum(x.api_size) AS api_size,
    if(sum(x.api_size) = 0, NULL,
       sum(toDecimal128(x.api_size, 6) * x.api_avg_price) / sum(toDecimal128(x.api_size, 6))) AS api_avg_price,
    sum(x.api_initial_value) AS api_initial_value,
    sum(x.api_current_value) AS api_current_value,
    sum(x.api_cash_pnl) AS api_cash_pnl,
    sum(x.api_realized_pnl) AS api_realized_pnl,
    sum(x.amount) AS amount,
    if(sum(x.amount) = 0, NULL, CAST(sum(x.amount * x.avg_price) / sum(x.amount) AS Decimal(38, 6))) AS avg_price,
    sum(x.total_bought) AS total_bought,
    sum(x.realized_pnl) AS realized_pnl,
    sum(x.unrealized_pnl) AS unrealized_pnl,
    sum(x.fees) AS fees,
    sum(x.redeemed) AS redeemed
FROM
(
    -- join_use_nulls = 0: the side without the (wallet, token) reads '' / 0, hence the if()s.
    SELECT
        if(a.wallet = '', c.wallet, a.wallet) AS wallet,
        if(a.wallet = '', c.token_id, a.token_id) AS token_id,
        if(a.condition_id = '', c.condition_id, a.condition_id) AS condition_id,
        if(a.outcome = '', c.outcome, a.outcome) AS outcome,
        a.title AS title,
        a.size AS api_size,
        a.avg_price AS api_avg_price,
        a.initial_value AS api_initial_value,
        a.current_value AS api_current_value,
        a.cash_pnl AS api_cash_pnl,
        a.realized_pnl AS api_realized_pnl,
        c.amount AS amount,
        c.avg_price AS avg_price,
        c.total_bought AS total_bought,
        c.realized_pnl AS realized_pnl,
        c.unrealized_pnl AS unrealized_pnl,
        c.fees AS fees,
        c.redeemed AS redeemed
    FROM
    (
        SELECT p.wallet AS wallet, p.token_id AS token_id, p.condition_id AS condition_id, p.outcome AS outcome,
               p.title AS title, p.size AS size, p.avg_price AS avg_price, p.initial_value AS initial_value,
               p.current_value AS current_value, p.cash_pnl AS cash_pnl, p.realized_pnl AS realized_pnl
        FROM positions AS p FINAL
        INNER JOIN wallets AS w FINAL ON w.wallet = p.wallet
        WHERE p.snapshot_at >= w.positions_snapshot_at
    ) AS a
    FULL OUTER JOIN
    (
        SELECT wallet, token_id, condition_id, outcome, amount, avg_price, total_bought, realized_pnl,
               unrealized_pnl, fees, redeemed
        FROM vw_position_pnl
    ) AS c ON c.wallet = a.wallet AND c.token_id = a.token_id
) AS x
LEFT JOIN (SELECT wallet, owner FROM wallet_owners FINAL) AS o ON o.wallet = x.wallet
GROUP BY owner, token_id
SETTINGS join_use_nulls = 0
