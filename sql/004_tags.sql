-- tags: Gamma tags (from /tags and the tags embedded in markets and events). Key: tag_id.
CREATE TABLE IF NOT EXISTS tags {{on_cluster}}
(
    tag_id       UInt64,
    slug         String,
    label        String,
    raw          String CODEC(ZSTD(3)),
    _run_id      String,
    _ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = {{engine:ReplacingMergeTree(_ingested_at)}}
ORDER BY tag_id
SETTINGS {{dedup_window}}
