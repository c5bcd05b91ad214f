// The markets step's closing pass: what no start-date partition can reach. Gamma applies
// start_date_min/max as a database would, so a record without a startDate matches no partition (the
// real corpus has such a market: test/fixtures/polymarket). Walking the whole list again would
// double the step's requests, so the pass asks Gamma for the list ordered by startDate: a database
// sorts the records without one together at an end of that order (PostgreSQL, which Gamma's records
// look like they come from, puts NULLs first when descending and last when ascending), and the pass
// reads from the start of each direction until the first record that has a date — a page or two
// when few records lack it. Pages are checked for that order; a server that ignores `order` makes
// the pass walk the whole list for that `closed` value instead, saying so.
import { attemptsOf, InterruptedError, isSourceDown } from '../../core/errors.ts'
import { type KeysetKind, type WalkedPage, walkKeyset } from '../../extract/gamma/keyset.ts'
import { CLOSED_VALUES } from '../../extract/gamma/partitions.ts'
import type { GammaEvent, GammaMarket } from '../../extract/gamma/schemas.ts'
import type { StepContext } from '../step.ts'
import { hasNoStartDate, pageRows, startDateOf } from './pages.ts'
import type { WalkSource, WalkState, WalkUnit } from './walk.ts'

/** The closing pass's units: one per `closed` value, recorded done once its undated records are stored. */
export function undatedUnitId(closed: string): string {
  return `closed=${closed}|undated`
}

/** The fallback: the whole list of one `closed` value in one walk, with no date filter. */
export function wholeListUnits(closedValues: readonly string[] = CLOSED_VALUES): WalkUnit[] {
  return closedValues.map((closed) => ({ id: `closed=${closed}|all`, filters: { closed } }))
}

export type UndatedVerdict = 'done' | 'order-ignored' | 'stopped'

/** Thrown by undatedPages when a page is not in the order asked: the server ignores `order`. */
export class OrderIgnoredError extends Error {}

/**
 * The records of one `closed` list that have no startDate, a page at a time. Descending first
 * (PostgreSQL's NULLS FIRST), then ascending (databases that sort NULL lowest); if both orders start
 * with a dated record, no record lacks the date. Throws OrderIgnoredError on a page out of order.
 */
export async function* undatedPages(
  source: WalkSource,
  kind: KeysetKind,
  closed: string,
  signal: AbortSignal,
): AsyncGenerator<{
  records: WalkedPage<GammaMarket | GammaEvent>['records']
  cursor: string
  ascending: boolean
}> {
  for (const ascending of [false, true]) {
    const pages = walkKeyset({
      http: source.http,
      baseUrl: source.gammaUrl,
      kind,
      filters: { closed, order: 'startDate', ascending: String(ascending) },
      signal,
    })
    let foundHere = false
    let reachedDated = false
    for await (const page of pages) {
      // undefined: no startDate (NULL to the server); NaN: one that does not read as a date (a drifted
      // record), which the server sorted by a value unknown here.
      const starts = page.records.map((record) =>
        hasNoStartDate(record.raw) ? undefined : (startDateOf(record.raw) ?? Number.NaN),
      )
      if (!sortedWithUndatedAtEnds(starts, ascending)) throw new OrderIgnoredError(`${kind} closed=${closed}`)
      const firstDated = starts.findIndex((start) => start !== undefined)
      const lead = firstDated === -1 ? starts.length : firstDated
      if (lead > 0) {
        foundHere = true
        yield { records: page.records.slice(0, lead), cursor: page.cursor, ascending }
      }
      if (firstDated !== -1) {
        reachedDated = true
        break
      }
    }
    // Undated records were found at this end (or the list holds nothing else): they are all read.
    if (foundHere || !reachedDated) return
  }
}

/** Stores every record of one `closed` value that has no startDate, and records the unit done. */
export async function walkUndated(
  context: StepContext,
  source: WalkSource,
  kind: KeysetKind,
  closed: string,
  state: WalkState,
): Promise<UndatedVerdict> {
  const committer = state.committers[kind]
  const unit = undatedUnitId(closed)
  let stored = 0
  try {
    for await (const page of undatedPages(source, kind, closed, context.signal)) {
      const { rows, quarantine, count } = pageRows(kind, page.records, context.runLog.runId)
      stored += count
      await committer.room()
      committer.add({ unit: `${unit}@${page.ascending}@${page.cursor}`, rows, quarantine, after: {} }).then(
        () => {
          state.rows += count
        },
        () => {},
      )
    }
  } catch (error) {
    if (error instanceof OrderIgnoredError) return 'order-ignored'
    if (error instanceof InterruptedError || context.signal.aborted) return 'stopped'
    // As a partition's: a source that is down stops the step; another failure leaves the unit
    // not done (the next run does it again) and the step goes on.
    if (isSourceDown(error)) throw error
    await context.runLog.error({ stream: kind, unit, error, attempts: attemptsOf(error) })
    state.failures.push({ unit: `${kind} ${unit}`, error: (error as Error).message })
    return 'stopped'
  }
  committer
    .add({
      unit: `${unit}@done`,
      rows: {},
      after: { etl_checkpoints: [context.checkpoints.doneRow(kind, unit, stored)] },
    })
    .then(
      () => {
        state.unitsDone++
      },
      () => {},
    )
  if (stored > 0)
    context.reporter.note(
      `${stored} ${kind} without a startDate reached by the closing pass (closed=${closed})`,
    )
  return 'done'
}

/**
 * True when a page's start dates are in the asked order: dated records monotone, records without a
 * date only before the first or after the last dated one. A page in id order instead (a server that
 * ignores `order`) fails as soon as it holds two dated records out of that order.
 */
export function sortedWithUndatedAtEnds(
  starts: readonly (number | undefined)[],
  ascending: boolean,
): boolean {
  let seenDated = false
  let trailing = false
  let previous: number | undefined
  for (const start of starts) {
    if (start === undefined) {
      if (seenDated) trailing = true
      continue
    }
    if (trailing) return false
    seenDated = true
    if (Number.isNaN(start)) continue
    if (previous !== undefined && (ascending ? start < previous : start > previous)) return false
    previous = start
  }
  return true
}

/** Ids Gamma accepts per request when records are named by id (a page holds at most 100 markets). */
export const LISTED_BATCH = 100

/**
 * Markets an event lists that the markets table lacks (and that were not quarantined): the events'
 * own market lists, a second net under the walks. None after a complete walk of a consistent list;
 * a market added to its event between the two walks is one.
 */
export const LISTED_NOT_STORED_SQL = `
SELECT DISTINCT toString(listed_id) AS market_id
FROM (SELECT arrayJoin(market_ids) AS listed_id FROM events FINAL)
WHERE listed_id NOT IN (SELECT market_id FROM markets)
  AND toString(listed_id) NOT IN (SELECT record_key FROM etl_quarantine WHERE stream = 'markets')
ORDER BY listed_id`

/** Fetches by id the markets events list and the walks missed; returns how many were stored. */
export async function fetchListedMarkets(
  context: StepContext,
  source: WalkSource,
  state: WalkState,
): Promise<number> {
  const missing = (await context.warehouse.query<{ market_id: string }>(LISTED_NOT_STORED_SQL)).map(
    (row) => row.market_id,
  )
  let stored = 0
  for (let at = 0; at < missing.length && !context.signal.aborted; at += LISTED_BATCH) {
    const ids = missing.slice(at, at + LISTED_BATCH)
    for await (const page of walkKeyset({
      http: source.http,
      baseUrl: source.gammaUrl,
      kind: 'markets',
      filters: { id: ids },
      signal: context.signal,
    })) {
      const { rows, quarantine, count } = pageRows('markets', page.records, context.runLog.runId)
      await state.committers.markets.room()
      await state.committers.markets.add({
        unit: `listed ${ids[0]}..@${page.cursor}`,
        rows,
        quarantine,
        after: {},
      })
      stored += count
    }
  }
  return stored
}
