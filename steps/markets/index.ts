// The markets step: the whole Gamma universe (events, markets, their tokens and tags). Concurrent
// keyset partitions by start date cover every record that has one; the closing pass (closing.ts)
// reaches those without, which no date filter matches; markets that events list and the walks
// missed are fetched by id. A server that ignores the date filters is walked once instead
// (walk.ts). Then the anti-orphan pass: every market of an event ends with its event's id and title.
import type { KeysetKind, Validated } from '../../extract/gamma/keyset.ts'
import { CLOSED_VALUES, keysetPartitions, type Partition } from '../../extract/gamma/partitions.ts'
import type { GammaEvent, GammaMarket } from '../../extract/gamma/schemas.ts'
import type { HttpClient } from '../../extract/http/client.ts'
import type { RateLimit } from '../../extract/http/rates.ts'
import { commitRows } from '../../load/commit.ts'
import { UnitCommitter } from '../../load/committer.ts'
import type { Step, StepContext, StepOutcome, StepPlan } from '../step.ts'
import { fetchListedMarkets, undatedUnitId, walkUndated, wholeListUnits } from './closing.ts'
import { completeOrphans } from './orphans.ts'
import { eventsPageRows, marketsPageRows } from './pages.ts'
import type { EventTitle } from './rows.ts'
import { report, type WalkState, walkUnits } from './walk.ts'

/**
 * Partitions walked at once. Each walk waits a round trip per page (~100–150 ms), so at the
 * documented 30 pages/s for /markets about 5 walks keep the limiter busy; 12 leaves room for slow
 * answers and retries. The limiter, not this number, keeps the rate.
 */
export const WALK_CONCURRENCY = 12
/**
 * Event partitions walked at once. The markets walk sets the step's pace (its 30 pages/s of 100
 * markets is the binding limit); an event page repeats its markets in full (~10× a market page's
 * bytes), so walking events as fast as their own limit allows takes the CPU that parsing and
 * storing market pages needs (measured on 2 cores with 12 event walks: market pages fell to
 * ~12/s while events ran). Two walks (~12 pages/s of up to 500 events) still finish the events
 * well within the markets walk, since every event holds at least one market.
 */
export const EVENTS_WALK_CONCURRENCY = 2

export interface MarketsStepOptions {
  http: HttpClient
  gammaUrl: string
  rateLimits: Readonly<Record<string, RateLimit>>
  concurrency?: number
  now?: () => number
}

/** Units of one kind: its partitions and the closing pass's (one per `closed` value). */
function unitIds(partitions: readonly Partition[]): string[] {
  return [...partitions.map((partition) => partition.id), ...CLOSED_VALUES.map(undatedUnitId)]
}

/** True when a previous run fell back to whole-list walks and finished them: nothing else is needed. */
function wholeListsDone(cursors: Map<string, { done: boolean }>): boolean {
  return wholeListUnits().every((unit) => cursors.get(unit.id)?.done)
}

export function createMarketsStep(options: MarketsStepOptions): Step {
  const partitions = () => keysetPartitions((options.now ?? Date.now)())
  return {
    name: 'markets',

    async plan(context): Promise<StepPlan> {
      const ids = unitIds(partitions())
      let done = 0
      for (const kind of ['events', 'markets'] as const) {
        const cursors = await context.checkpoints.cursors(kind)
        done += wholeListsDone(cursors) ? ids.length : ids.filter((id) => cursors.get(id)?.done).length
      }
      const remaining = ids.length * 2 - done
      const perSecond = (limit: RateLimit | undefined) => (limit ? limit.count / (limit.windowMs / 1000) : 1)
      const rate = Math.min(
        perSecond(options.rateLimits['gamma-markets']),
        perSecond(options.rateLimits['gamma-events']),
      )
      return {
        unit: 'partitions',
        done,
        remaining,
        requests: remaining,
        seconds: remaining / rate,
        detail: 'at least one page per partition left; how many more, only the walk can tell',
      }
    },

    async run(context: StepContext): Promise<StepOutcome> {
      const all = partitions()
      const state: WalkState = {
        pages: 0,
        rows: 0,
        unitsDone: 0,
        unitsTotal: unitIds(all).length * 2,
        failures: [],
        committers: {
          events: new UnitCommitter(context.warehouse, context.runLog),
          markets: new UnitCommitter(context.warehouse, context.runLog),
        },
        filtersIgnored: new Set(),
      }
      // Events and markets have limits of their own, so both walks run at once. A market page met
      // before its event's page keeps an empty title until the anti-orphan pass below.
      try {
        await Promise.all(
          (['events', 'markets'] as const).map((kind) => walkKind(context, options, kind, all, state)),
        )
        if (!context.signal.aborted && state.failures.length === 0) {
          await flushAll(Object.values(state.committers))
          const listed = await fetchListedMarkets(context, options, state)
          state.rows += listed
          if (listed > 0)
            context.reporter.note(`fetched ${listed} markets that events list and the walks missed`)
        }
      } finally {
        // Interrupted or not, what was fetched is committed with its checkpoints.
        await flushAll(Object.values(state.committers))
      }
      let orphans = 0
      if (!context.signal.aborted && state.failures.length === 0) {
        const result = await completeOrphans(context, options)
        orphans = result.remaining
        state.rows += result.rows
        if (result.rows > 0) context.reporter.note(`completed ${result.rows} markets from their events`)
        if (orphans > 0)
          context.reporter.note(`${orphans} markets still lack their event's title (see polyhouse status)`)
      }
      return {
        rows: state.rows,
        failures: state.failures,
        complete: !context.signal.aborted && state.failures.length === 0,
      }
    },

    async reset(context): Promise<void> {
      await context.checkpoints.reset('events')
      await context.checkpoints.reset('markets')
    },
  }
}

/**
 * One kind: its partitions, then the closing pass for what they cannot reach. A server seen ignoring
 * the date filters (now, or by a previous run that started the whole-list walks) is walked once per
 * `closed` value instead; the whole list needs no closing pass.
 */
async function walkKind(
  context: StepContext,
  options: MarketsStepOptions,
  kind: KeysetKind,
  partitions: readonly Partition[],
  state: WalkState,
): Promise<void> {
  const concurrency = options.concurrency ?? (kind === 'events' ? EVENTS_WALK_CONCURRENCY : WALK_CONCURRENCY)
  const cursors = await context.checkpoints.cursors(kind)
  const wholeLists = wholeListUnits()
  const fellBackBefore = wholeLists.some((unit) => cursors.has(unit.id))
  if (!fellBackBefore) await walkUnits(context, options, kind, partitions, state, concurrency)
  if (context.signal.aborted || state.failures.length > 0) return
  if (fellBackBefore || state.filtersIgnored.has(kind)) {
    await walkUnits(context, options, kind, wholeLists, state, wholeLists.length)
    return
  }
  for (const closed of CLOSED_VALUES) {
    if (cursors.get(undatedUnitId(closed))?.done || context.signal.aborted) continue
    const verdict = await walkUndated(context, options, kind, closed, state)
    if (verdict !== 'order-ignored') continue
    context.reporter.note(
      `Gamma ignores order=startDate on /${kind}/keyset: walking the whole closed=${closed} list to reach the records without a startDate`,
    )
    await walkUnits(context, options, kind, wholeListUnits([closed]), state, 1)
  }
  report(context, state)
}

/** Stores one page of markets now (on-demand fetches), titles completed from known events. */
export async function commitMarketsPage(
  context: StepContext,
  unit: string,
  records: Validated<GammaMarket>[],
): Promise<number> {
  const known = await knownEventTitles(
    context,
    records.flatMap((record) => (record.ok ? [record.value] : [])),
  )
  const page = marketsPageRows(records, context.runLog.runId, known)
  for (const [table, rows] of Object.entries(page.rows))
    await commitRows(context.warehouse, table, unit, rows)
  await context.runLog.quarantine('markets', page.quarantine.markets)
  return page.count
}

/** Stores one page of events now (`polyhouse sync`), with their tags; invalid ones are quarantined. */
export async function commitEventsPage(
  context: StepContext,
  unit: string,
  records: Validated<GammaEvent>[],
): Promise<number> {
  const page = eventsPageRows(records, context.runLog.runId)
  for (const [table, rows] of Object.entries(page.rows))
    await commitRows(context.warehouse, table, unit, rows)
  await context.runLog.quarantine('events', page.quarantine.events)
  return page.count
}

/** Titles of the events that markets embed without one, from the events already stored. */
async function knownEventTitles(
  context: StepContext,
  markets: GammaMarket[],
): Promise<Map<string, EventTitle>> {
  const untitled = [
    ...new Set(
      markets.flatMap((market) =>
        market.events.filter((event) => !event.title && event.id).map((event) => event.id as string),
      ),
    ),
  ]
  if (untitled.length === 0) return new Map()
  const rows = await context.warehouse.query<{ event_id: string; slug: string; title: string }>(
    `SELECT toString(event_id) AS event_id, slug, title FROM events FINAL
     WHERE event_id IN {ids:Array(UInt64)} AND title != ''`,
    { ids: untitled.map(Number) },
  )
  return new Map(
    rows.map((row) => [row.event_id, { eventId: row.event_id, slug: row.slug, title: row.title }]),
  )
}

/** Flushes every committer, even when one fails; then throws the first failure. */
async function flushAll(committers: UnitCommitter[]): Promise<void> {
  const flushed = await Promise.allSettled(committers.map((committer) => committer.flush()))
  for (const result of flushed) if (result.status === 'rejected') throw result.reason
}
