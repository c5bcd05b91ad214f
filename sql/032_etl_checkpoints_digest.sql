-- etl_checkpoints: with a block range's counts (sql/030), a digest of what its rows held when they
-- were committed, so that `polyhouse gaps --verify` also names the ranges whose rows were changed in
-- place (an ALTER TABLE … UPDATE, a hand-made "fix"), which counting cannot see.
--   content_digest  the engine's groupBitXorDistinct(cityHash64(<the stream's columns>)) over the
--                   stream table's rows of the range, read right after the insert was acknowledged
--                   (steps/block-ranges/digest.ts). The run column is left out, and -Distinct makes
--                   it blind to duplicates (a retried insert, a later run's identical rows) and to
--                   the merge that collapses them. NULL for ranges recorded before this column and
--                   for a range a reorg cut short: --verify counts those and says "counted only".
ALTER TABLE etl_checkpoints {{on_cluster}}
    ADD COLUMN IF NOT EXISTS content_digest Nullable(UInt64) DEFAULT NULL COMMENT 'kind range: digest of the stream table''s rows of the range at commit' AFTER counted
