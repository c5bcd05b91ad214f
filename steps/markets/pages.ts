// A Gamma page as rows: events with their tags, markets with their tokens and tags, and the records
// that failed validation (for the quarantine). Shared by the walks, the closing pass and the
// on-demand fetches.
import type { Validated } from '../../extract/gamma/keyset.ts'
import type { GammaEvent, GammaMarket } from '../../extract/gamma/schemas.ts'
import type { QuarantinedRecord } from '../../load/run-log.ts'
import { type EventTitle, eventOf, eventRow, marketRow, tagRows, tagsWithRaw, tokenRows } from './rows.ts'

/** A page of events as rows (events, their tags) and the records to quarantine. */
export function eventsPageRows(records: Validated<GammaEvent>[], runId: string) {
  const valid = records.flatMap((record) => (record.ok ? [record] : []))
  const events = valid.map((record) => eventRow(record.value, record.raw, runId))
  return {
    rows: {
      events,
      tags: tagRows(
        valid.flatMap((record) => tagsWithRaw(record.value.tags, record.raw)),
        runId,
      ),
    },
    quarantine: { events: rejected(records) },
    count: events.length,
  }
}

/** A page of markets as rows (markets, their tokens and tags) and the records to quarantine. */
export function marketsPageRows(
  records: Validated<GammaMarket>[],
  runId: string,
  known: ReadonlyMap<string, EventTitle>,
) {
  const valid = records.flatMap((record) => (record.ok ? [record] : []))
  const markets = valid.map((record) =>
    marketRow(record.value, record.raw, runId, eventOf(record.value, known)),
  )
  return {
    rows: {
      markets,
      market_tokens: valid.flatMap((record) => tokenRows(record.value, runId)),
      tags: tagRows(
        valid.flatMap((record) => tagsWithRaw(record.value.tags, record.raw)),
        runId,
      ),
    },
    quarantine: { markets: rejected(records) },
    count: markets.length,
  }
}

/** Rows of a page of either kind, as the committer takes them. */
export function pageRows(
  kind: 'markets' | 'events',
  records: Validated<GammaMarket | GammaEvent>[],
  runId: string,
) {
  return kind === 'markets'
    ? marketsPageRows(records as Validated<GammaMarket>[], runId, new Map())
    : eventsPageRows(records as Validated<GammaEvent>[], runId)
}

/**
 * A record's `startDate` in epoch ms as served, read from the raw JSON (a record that fails
 * validation has one too); undefined when absent or not a date, as a database holding it would
 * have NULL there.
 */
export function startDateOf(raw: unknown): number | undefined {
  const text =
    raw !== null && typeof raw === 'object' ? (raw as { startDate?: unknown }).startDate : undefined
  if (typeof text !== 'string') return undefined
  const ms = Date.parse(text)
  return Number.isNaN(ms) ? undefined : ms
}

/** True when the record has no startDate at all (absent or null): a database holds NULL there. */
export function hasNoStartDate(raw: unknown): boolean {
  const start =
    raw !== null && typeof raw === 'object' ? (raw as { startDate?: unknown }).startDate : undefined
  return start === undefined || start === null
}

function rejected<T>(records: Validated<T>[]): QuarantinedRecord[] {
  return records.flatMap((record) =>
    record.ok
      ? []
      : [
          {
            ...(record.key ? { key: record.key } : {}),
            reason: record.reason,
            raw: JSON.stringify(record.raw),
          },
        ],
  )
}
