-- vw_pnl_conversion_buys: the YES tokens a neg-risk conversion buys, by the pnl-subgraph's rule
-- (NegRiskAdapterMapping.ts handlePositionsConverted, utils/computeNegRiskYesPrice.ts): each NO token
-- converted is sold at its own average price (vw_pnl_events kind 4); the mean of those averages,
-- noPrice = Σ avg ÷ noCount, prices every YES token of the market's other questions at
--   yesPrice = (noPrice · noCount − 10^6 · (noCount − 1)) ÷ (questionCount − noCount)
-- (integers, truncated toward zero; a conversion of every question buys nothing). One row per YES
-- token bought, shaped as vw_pnl_events' rows (kind 0, a buy).
-- The averages are those the NO positions had just before the conversion: the same fold as
-- vw_position_pnl (see there) over the NO positions' events, noting the average at each conversion.
CREATE OR REPLACE VIEW vw_pnl_conversion_buys {{on_cluster}} AS
WITH
    questions AS
    (
        SELECT lower(m.question_id) AS question_id,
               anyIf(t.token_id, t.outcome_index = 0) AS yes_token,
               anyIf(t.token_id, t.outcome_index = 1) AS no_token
        FROM (SELECT condition_id, question_id FROM markets FINAL WHERE question_id != '') AS m
        INNER JOIN (SELECT condition_id, token_id, outcome_index FROM market_tokens FINAL) AS t
            ON t.condition_id = m.condition_id
        GROUP BY question_id
    ),
    -- Every question of every conversion, and whether its NO token is converted.
    legs AS
    (
        SELECT wallet, block_number, log_index, amount, question_count, no_count,
               arrayJoin(range(question_count)) AS question,
               bitAnd(bitShiftRight(index_set, question), 1) = 1 AS converted,
               concat(substring(neg_risk_market_id, 1, 64), lower(hex(toUInt8(question)))) AS question_id
        FROM vw_pnl_conversions
    ),
    -- The NO positions' average price just before each conversion (pass one).
    averages AS
    (
        SELECT wallet, tupleElement(seen, 1) AS block_number, tupleElement(seen, 2) AS log_index,
               tupleElement(seen, 3) AS avg_price
        FROM
        (
            SELECT wallet, token_id,
                   arrayJoin(tupleElement(arrayFold(
                       (acc, e) -> if(e.3 = 0,
                           if(e.5 > 0,
                               (acc.1 + e.5, intDiv(acc.2 * acc.1 + e.4 * e.5, acc.1 + e.5), acc.3),
                               acc),
                           (acc.1 - least(if(e.3 = 2, acc.1, e.5), acc.1), acc.2,
                            if(e.3 = 4, arrayPushBack(acc.3, (e.1, e.2, acc.2)), acc.3))),
                       arraySort(groupArray((block_number, log_index, kind, price, quantity))),
                       (toInt256(0), toInt256(0), CAST([], 'Array(Tuple(UInt64, UInt32, Int256))'))
                   ), 3)) AS seen
            FROM vw_pnl_events
            WHERE (wallet, token_id) IN (
                SELECT l.wallet, q.no_token FROM legs AS l INNER JOIN questions AS q ON q.question_id = l.question_id
                WHERE l.converted
            )
            GROUP BY wallet, token_id
        )
    ),
    prices AS
    (
        SELECT c.wallet AS wallet, c.block_number AS block_number, c.log_index AS log_index,
               intDiv(intDiv(sum(a.avg_price), any(c.no_count)) * any(c.no_count) - 1000000 * (any(c.no_count) - 1),
                      any(c.question_count) - any(c.no_count)) AS yes_price
        FROM vw_pnl_conversions AS c
        LEFT JOIN averages AS a
            ON a.wallet = c.wallet AND a.block_number = c.block_number AND a.log_index = c.log_index
        WHERE c.no_count > 0 AND c.question_count > c.no_count
        GROUP BY c.wallet, c.block_number, c.log_index
    )
SELECT
    l.wallet AS wallet,
    q.yes_token AS token_id,
    l.block_number AS block_number,
    l.log_index AS log_index,
    toUInt8(0) AS kind,
    toInt256(p.yes_price) AS price,
    toInt256(l.amount) AS quantity,
    toInt256(0) AS fee,
    'conversion' AS source
FROM legs AS l
INNER JOIN questions AS q ON q.question_id = l.question_id
INNER JOIN prices AS p ON p.wallet = l.wallet AND p.block_number = l.block_number AND p.log_index = l.log_index
WHERE NOT l.converted
