-- vw_markets: the latest version of each Gamma market, with its event and token ids, for analysts.
-- One row per market_id; FINAL collapses the fetches ReplacingMergeTree has not merged yet.
CREATE OR REPLACE VIEW vw_markets {{on_cluster}} AS
SELECT
    market_id,
    condition_id,
    question_id,
    slug,
    question,
    outcomes,
    outcome_prices,
    clob_token_ids,
    event_id,
    event_slug,
    event_title,
    tags,
    active,
    closed,
    archived,
    neg_risk,
    start_date,
    end_date,
    closed_time,
    volume,
    liquidity,
    _ingested_at AS fetched_at
FROM markets FINAL
