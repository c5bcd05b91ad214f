-- etl_checkpoints: with a block range's counts (sql/030), a digest of what its rows held, so that
-- `polyhouse gaps --verify` also names the ranges whose rows were changed in place (an ALTER TABLE …
-- UPDATE, a hand-made "fix"), which counting cannot see.
--   content_digest  the engine's groupBitXorDistinct(cityHash64(<the stream's columns>)) over the
--                   stream table's rows of the range (steps/block-ranges/digest.ts): the run column
--                   left out, each distinct row once, so duplicates (a retried insert, a later run's
--                   identical rows) and the merge collapsing them do not move it. Recorded by the
--                   first `gaps --verify` that finds the range's counts intact (computing it at
--                   commit cost too much ingestion time); NULL until then: such a range is "counted
--                   only".
ALTER TABLE etl_checkpoints {{on_cluster}}
    ADD COLUMN IF NOT EXISTS content_digest Nullable(UInt64) DEFAULT NULL COMMENT 'kind range: digest of the stream table''s rows of the range, recorded by gaps --verify' AFTER counted
