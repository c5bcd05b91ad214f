// The anti-orphan pass ("ZERO ORPHELINS" of the original backfill): after both walks, every market
// that belongs to an event gets that event's id and title. A market that embeds its event without
// a title takes it from the events walked; one whose event was not walked has it fetched from
// /events/{id}; a market that embeds no event but is listed by one is attached to it. Updates are
// new versions of the market rows (ReplacingMergeTree keeps the latest); raw stays as fetched.
import type { ClickHouseSettings } from '@clickhouse/client'
import { HttpStatusError, InterruptedError } from '../../core/errors.ts'
import { parseEvent } from '../../extract/gamma/records.ts'
import type { HttpClient } from '../../extract/http/client.ts'
import { commitRows } from '../../load/commit.ts'
import type { StepContext } from '../step.ts'
import { eventRow, tagRows, tagsWithRaw } from './rows.ts'

/**
 * The latest stored version of each market matching `where`, every column. FINAL would be the plain
 * way, but it merges every part of this wide table at once, `raw` included: at 160,000 markets with
 * 8,300 orphans the attach by event id raised the process's peak by 410 MiB that way, and by 60 MiB
 * (in a sixth of the time) this way. FINAL reads only the narrow columns that pick the versions;
 * the wide rows are read plainly, by primary key, for those versions alone. Two stored rows with the
 * same market and version are one insert repeated (ReplacingMergeTree keeps either): one is taken.
 */
function latestMarkets(where: string): string {
  return `(SELECT * FROM markets
      WHERE (market_id, _ingested_at) IN (SELECT market_id, _ingested_at FROM markets FINAL WHERE ${where})
      LIMIT 1 BY market_id)`
}

/**
 * Settings of the attach statements. An INSERT … SELECT gathers up to 256 MiB before it writes a
 * part; these rows are wide, and the statements run once a step, so small blocks on one thread cost
 * nothing that shows: at 8,300 orphans the attach by event id raised the peak by 120 MiB this way,
 * 280 MiB with the defaults.
 */
const ATTACH_SETTINGS: ClickHouseSettings = {
  min_insert_block_size_bytes: String(4 * 2 ** 20),
  max_threads: 1,
}

/** New versions of markets whose event is known (by the market's own event_id, or by the event's market list). */
const ATTACH_BY_EVENT_ID = `
INSERT INTO markets
SELECT m.* REPLACE (e.slug AS event_slug, e.title AS event_title, {run:String} AS _run_id, now64(3) AS _ingested_at)
FROM ${latestMarkets("event_id != 0 AND event_title = ''")} AS m
INNER JOIN (SELECT event_id, slug, title FROM events FINAL WHERE title != '') AS e ON m.event_id = e.event_id`

const ATTACH_BY_MARKET_LIST = `
INSERT INTO markets
SELECT m.* REPLACE (e.owner_id AS event_id, e.owner_slug AS event_slug, e.owner_title AS event_title, {run:String} AS _run_id, now64(3) AS _ingested_at)
FROM ${latestMarkets('event_id = 0')} AS m
INNER JOIN (
    SELECT arrayJoin(market_ids) AS listed_id, any(event_id) AS owner_id, any(slug) AS owner_slug, any(title) AS owner_title
    FROM events FINAL WHERE title != '' GROUP BY listed_id
) AS e ON m.market_id = e.listed_id`

/**
 * The last resort: an event that failed validation (quarantined for, say, a mistyped `closed`)
 * still names itself; its title text completes the markets that point at it.
 */
const ATTACH_FROM_QUARANTINE = `
INSERT INTO markets
SELECT m.* REPLACE (q.quarantined_slug AS event_slug, q.quarantined_title AS event_title, {run:String} AS _run_id, now64(3) AS _ingested_at)
FROM ${latestMarkets("event_id != 0 AND event_title = ''")} AS m
INNER JOIN (
    SELECT toUInt64OrZero(record_key) AS quarantined_id, JSONExtractString(raw, 'slug') AS quarantined_slug,
           JSONExtractString(raw, 'title') AS quarantined_title
    FROM etl_quarantine FINAL WHERE stream = 'events' AND quarantined_title != ''
) AS q ON m.event_id = q.quarantined_id`

/** Markets that still lack their event's title: what `status` lists as orphans. */
export const ORPHANS_SQL = `
SELECT toString(m.market_id) AS market_id, toString(m.event_id) AS event_id,
       multiIf(e.event_id != 0, 'event has no title in Gamma',
               q.record_key != '', 'event failed validation and names no title (see etl_quarantine)',
               'event not found in Gamma') AS reason
FROM (SELECT market_id, event_id FROM markets FINAL WHERE event_id != 0 AND event_title = '') AS m
LEFT JOIN (SELECT event_id FROM events FINAL) AS e ON m.event_id = e.event_id
LEFT JOIN (SELECT record_key FROM etl_quarantine FINAL WHERE stream = 'events') AS q ON toString(m.event_id) = q.record_key
ORDER BY m.market_id`

const MISSING_EVENTS_SQL = `
SELECT DISTINCT toString(event_id) AS id FROM markets FINAL
WHERE event_id != 0 AND event_title = ''
  AND event_id NOT IN (SELECT event_id FROM events FINAL WHERE title != '')`

export async function completeOrphans(
  context: StepContext,
  options: { http: HttpClient; gammaUrl: string },
): Promise<{ rows: number; remaining: number }> {
  const params = { run: context.runLog.runId }
  const before = await countOrphans(context)
  await context.warehouse.command(ATTACH_BY_EVENT_ID, params, ATTACH_SETTINGS)
  await context.warehouse.command(ATTACH_BY_MARKET_LIST, params, ATTACH_SETTINGS)

  const missing = await context.warehouse.query<{ id: string }>(MISSING_EVENTS_SQL)
  const fetched: unknown[] = []
  for (const { id: eventId } of missing) {
    if (context.signal.aborted) break
    try {
      fetched.push(
        await options.http.fetchJson('gamma-events', `${options.gammaUrl}/events/${eventId}`, {
          signal: context.signal,
        }),
      )
    } catch (error) {
      if (error instanceof InterruptedError) break
      // A 404 is an answer (the market stays an orphan, with that reason); anything else is logged.
      if (!(error instanceof HttpStatusError))
        await context.runLog.error({ stream: 'events', unit: `events/${eventId}`, error })
    }
  }
  const parsed = fetched.map(parseEvent)
  const valid = parsed.filter((record) => record.ok)
  await commitRows(
    context.warehouse,
    'events',
    'orphans',
    valid.map((record) => eventRow(record.value, record.raw, params.run)),
  )
  await commitRows(
    context.warehouse,
    'tags',
    'orphans',
    tagRows(
      valid.flatMap((record) => tagsWithRaw(record.value.tags, record.raw)),
      params.run,
    ),
  )
  if (valid.length > 0) await context.warehouse.command(ATTACH_BY_EVENT_ID, params, ATTACH_SETTINGS)
  await context.warehouse.command(ATTACH_FROM_QUARANTINE, params, ATTACH_SETTINGS)

  const remaining = await countOrphans(context)
  return { rows: Math.max(0, before - remaining), remaining }
}

async function countOrphans(context: StepContext): Promise<number> {
  const [row] = await context.warehouse.query<{ n: string }>(
    "SELECT toString(count()) AS n FROM markets FINAL WHERE event_id != 0 AND event_title = ''",
  )
  return Number(row?.n ?? 0)
}
