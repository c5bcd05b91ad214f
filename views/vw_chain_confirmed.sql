-- vw_chain_confirmed: for each chain stream, the block its data is complete to — one row per stream.
-- The chain steps read only to --confirmations (32) blocks below the tip, and a failed range leaves a
-- hole until a later run fetches it; the Data API meanwhile counts every fill it has seen. A view
-- that sets chain figures beside the API's must know how far the chain side goes, so it compares like
-- with like: vw_reconciliation_window turns this into a verdict per wallet.
--   stream           the etl_checkpoints stream: 'chain_fills' (OrderFilled), 'chain_transfers' (ERC-1155)
--   first_block      the first block recorded done (0: none)
--   confirmed_block  every block from first_block to this one is in a range recorded done, so every
--                    row of these blocks is in the warehouse (0: none is)
--   confirmed_time   the time of the latest stored block at or below confirmed_block — a lower bound
--                    of that block's own time (a stream's blocks table holds the blocks with logs
--                    only); epoch 0 when there is none
--   from_deployment  1 when first_block is at or below the deployment of the stream's contracts
--                    (CTF Exchange V1 33,605,403 for fills, ConditionalTokens 4,023,686 for transfers:
--                    extract/chain/contracts.ts), i.e. no earlier block can hold the stream's logs
-- Completeness is read from the recorded ranges: sorted by first block, the first range that starts
-- past the reach of all before it (more than one block after) is the first hole. A stream of another
-- step joins by adding its name, deployment block and blocks table below.
CREATE OR REPLACE VIEW vw_chain_confirmed {{on_cluster}} AS
WITH
    done AS (
        SELECT
            stream,
            min(from_block) AS first_block,
            -- The reach before the first hole; all ranges' reach when there is none.
            if(countIf(hole) = 0, max(to_block), minIf(reach, hole)) AS confirmed_block
        FROM
        (
            SELECT
                stream,
                from_block,
                to_block,
                max(to_block) OVER (PARTITION BY stream ORDER BY from_block, to_block ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach,
                row_number() OVER (PARTITION BY stream ORDER BY from_block, to_block) > 1 AND from_block > reach + 1 AS hole
            FROM etl_checkpoints FINAL
            WHERE kind = 'range' AND stream IN ('chain_fills', 'chain_transfers')
        )
        GROUP BY stream
    )
SELECT
    s.stream AS stream,
    d.first_block AS first_block,
    d.confirmed_block AS confirmed_block,
    -- Each stream's blocks table read backwards from confirmed_block: the first stored block is all
    -- it reads (ORDER BY the table's key DESC LIMIT 1), however long the chain.
    multiIf(
        d.confirmed_block = 0, toDateTime(0, 'UTC'),
        s.stream = 'chain_fills', ifNull((
            SELECT max(block_time) FROM (
                SELECT block_time FROM chain_blocks
                WHERE block_number <= (SELECT confirmed_block FROM done WHERE stream = 'chain_fills')
                ORDER BY block_number DESC LIMIT 1)), toDateTime(0, 'UTC')),
        ifNull((
            SELECT max(block_time) FROM (
                SELECT block_time FROM chain_transfer_blocks
                WHERE block_number <= (SELECT confirmed_block FROM done WHERE stream = 'chain_transfers')
                ORDER BY block_number DESC LIMIT 1)), toDateTime(0, 'UTC'))
    ) AS confirmed_time,
    toUInt8(d.confirmed_block > 0 AND d.first_block <= s.deployment_block) AS from_deployment
FROM
(
    SELECT 'chain_fills' AS stream, toUInt64(33605403) AS deployment_block
    UNION ALL
    SELECT 'chain_transfers', toUInt64(4023686)
) AS s
LEFT JOIN done AS d ON d.stream = s.stream
