-- vw_reconciliation_window: per wallet, whether its Data API snapshot can be set beside the chain —
-- the rule every chain-vs-API comparison follows (vw_position_reconciliation's sizes and balances,
-- and the PnL figures beside them), so that a difference is called 'differs' only when the chain side
-- holds everything the API could have counted, and 'pending' with its reason when it may not.
-- One row per wallet of `wallets`:
--   positions_snapshot_at  when its positions were last fetched whole (epoch 0: never)
--   fills_confirmed_block / fills_confirmed_time          vw_chain_confirmed of 'chain_fills'
--   transfers_confirmed_block / transfers_confirmed_time  vw_chain_confirmed of 'chain_transfers'
--   fills_unread_reason    '' when the fills are complete from the exchanges' deployment through a
--                          block at least as late as the snapshot; otherwise why the API may count
--                          fills the warehouse has not read: the tip window the chain step leaves
--                          unread (--confirmations), a hole, or a run that started later
--   transfers_unread_reason  the same for the ERC-1155 transfers (balances)
--   settled_before         the snapshot time less API_SETTLE_MINUTES: a fill or transfer at or after
--                          it may be on chain yet missing from the snapshot, because the API had not
--                          indexed it or because it came after the fetch (the warehouse reads on,
--                          `sync` loads blocks newer than a wallet's snapshot)
-- A comparison of wallet W and token T then reads, with last_time the latest chain row of (W, T):
--   equal                                          → 'match'
--   fills_unread_reason != ''                      → 'pending' (reason: fills_unread_reason)
--   last_time >= settled_before                    → 'pending' (reason: chain rows after the snapshot)
--   otherwise                                      → 'differs' / 'only_chain' / 'only_api'
-- API_SETTLE_MINUTES = 5: the Data API lists a fill once its indexer has seen it; Polymarket does not
-- document that delay, so this is a margin, not a measured figure (the simulator serves at once).
-- The times compared are block times against the wall-clock time of the fetch: both UTC.
CREATE OR REPLACE VIEW vw_reconciliation_window {{on_cluster}} AS
SELECT
    w.wallet AS wallet,
    w.positions_snapshot_at AS positions_snapshot_at,
    c.f.confirmed_block AS fills_confirmed_block,
    c.f.confirmed_time AS fills_confirmed_time,
    c.t.confirmed_block AS transfers_confirmed_block,
    c.t.confirmed_time AS transfers_confirmed_time,
    multiIf(
        c.f.confirmed_block = 0, 'no fills recorded done yet: the chain step has not run',
        c.f.from_deployment = 0, concat('fills are loaded from block ', toString(c.f.first_block),
            ' only: the API also counts fills before it'),
        c.f.confirmed_time < w.positions_snapshot_at, concat('the API snapshot may count fills after block ',
            toString(c.f.confirmed_block), ' (', formatDateTime(c.f.confirmed_time, '%Y-%m-%d %H:%i:%S'),
            '), the last block every fill is loaded to'),
        ''
    ) AS fills_unread_reason,
    multiIf(
        c.t.confirmed_block = 0, 'no transfers recorded done yet: the transfers step has not run',
        c.t.from_deployment = 0, concat('transfers are loaded from block ', toString(c.t.first_block),
            ' only: balances miss what moved before it'),
        c.t.confirmed_time < w.positions_snapshot_at, concat('the API snapshot may count transfers after block ',
            toString(c.t.confirmed_block), ' (', formatDateTime(c.t.confirmed_time, '%Y-%m-%d %H:%i:%S'),
            '), the last block every transfer is loaded to'),
        ''
    ) AS transfers_unread_reason,
    w.positions_snapshot_at - INTERVAL 5 MINUTE AS settled_before
FROM wallets AS w FINAL
-- One row: each stream's figures as a tuple (vw_chain_confirmed has exactly one row per stream).
CROSS JOIN
(
    SELECT
        CAST(anyIf((first_block, confirmed_block, confirmed_time, from_deployment), stream = 'chain_fills')
            AS Tuple(first_block UInt64, confirmed_block UInt64, confirmed_time DateTime('UTC'), from_deployment UInt8)) AS f,
        CAST(anyIf((first_block, confirmed_block, confirmed_time, from_deployment), stream = 'chain_transfers')
            AS Tuple(first_block UInt64, confirmed_block UInt64, confirmed_time DateTime('UTC'), from_deployment UInt8)) AS t
    FROM vw_chain_confirmed
) AS c
