-- etl_checkpoints: what a block range held when it was committed, beside the rows it wrote, so that
-- `polyhouse gaps --verify` can count the range again and name the ranges whose data is no longer
-- all there (rows deleted by hand, a lost part) although their checkpoint says done.
--   blocks   rows the range wrote to its stream's blocks table (chain_blocks, chain_transfer_blocks)
--   counted  1 when rows and blocks were recorded by the committer for exactly this range; 0 for rows
--            written before this column existed and for a range a reorg cut short (its counts are
--            unknown), which --verify cannot check and says so.
ALTER TABLE etl_checkpoints {{on_cluster}}
    ADD COLUMN IF NOT EXISTS blocks UInt64 DEFAULT 0 COMMENT 'kind range: rows written to the stream''s blocks table' AFTER rows,
    ADD COLUMN IF NOT EXISTS counted UInt8 DEFAULT 0 COMMENT 'kind range: 1 when rows and blocks describe exactly this range' AFTER blocks
