// The markets step: the whole Gamma universe (events, markets, their tokens and tags) walked as
// concurrent keyset partitions, each page committed before its cursor, then the anti-orphan pass:
// every market that belongs to an event ends with that event's id and title.
import { attemptsOf, InterruptedError, isSourceDown } from '../../core/errors.ts'
import { type KeysetKind, type Validated, type WalkedPage, walkKeyset } from '../../extract/gamma/keyset.ts'
import { keysetPartitions, type Partition } from '../../extract/gamma/partitions.ts'
import type { GammaEvent, GammaMarket } from '../../extract/gamma/schemas.ts'
import type { HttpClient } from '../../extract/http/client.ts'
import type { RateLimit } from '../../extract/http/rates.ts'
import { commitRows } from '../../load/commit.ts'
import { UnitCommitter } from '../../load/committer.ts'
import type { QuarantinedRecord } from '../../load/run-log.ts'
import type { Step, StepContext, StepOutcome, StepPlan, UnitFailure } from '../step.ts'
import { runUnits } from '../units.ts'
import { completeOrphans } from './orphans.ts'
import { type EventTitle, eventOf, eventRow, marketRow, tagRows, tagsWithRaw, tokenRows } from './rows.ts'

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

interface WalkState {
  pages: number
  rows: number
  partitionsDone: number
  partitionsTotal: number
  failures: UnitFailure[]
  /**
   * One committer per walk: event pages are large (each event repeats its markets), and a shared
   * backlog of them would hold the markets walk — the one that sets the pace — at its `room()`.
   */
  committers: Record<KeysetKind, UnitCommitter>
}

export function createMarketsStep(options: MarketsStepOptions): Step {
  const partitions = () => keysetPartitions((options.now ?? Date.now)())
  return {
    name: 'markets',

    async plan(context): Promise<StepPlan> {
      const all = partitions()
      let done = 0
      for (const kind of ['events', 'markets'] as const) {
        const cursors = await context.checkpoints.cursors(kind)
        done += all.filter((partition) => cursors.get(partition.id)?.done).length
      }
      const remaining = all.length * 2 - done
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
        partitionsDone: 0,
        partitionsTotal: all.length * 2,
        failures: [],
        committers: {
          events: new UnitCommitter(context.warehouse, context.runLog),
          markets: new UnitCommitter(context.warehouse, context.runLog),
        },
      }
      // Events and markets have limits of their own, so both walks run at once. A market page met
      // before its event's page keeps an empty title until the anti-orphan pass below.
      try {
        await Promise.all(
          (['events', 'markets'] as const).map((kind) => walkAll(context, options, kind, all, state)),
        )
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

async function walkAll(
  context: StepContext,
  options: MarketsStepOptions,
  kind: KeysetKind,
  partitions: Partition[],
  state: WalkState,
): Promise<void> {
  const cursors = await context.checkpoints.cursors(kind)
  const pending = partitions.filter((partition) => !cursors.get(partition.id)?.done)
  state.partitionsDone += partitions.length - pending.length
  report(context, state)
  await runUnits(
    pending,
    {
      concurrency: options.concurrency ?? (kind === 'events' ? EVENTS_WALK_CONCURRENCY : WALK_CONCURRENCY),
      signal: context.signal,
    },
    (partition, signal) => {
      const checkpoint = cursors.get(partition.id)
      return walkPartition(
        { ...context, signal },
        options,
        kind,
        partition,
        checkpoint?.cursor ?? '',
        checkpoint?.rows ?? 0,
        state,
      )
    },
  )
}

async function walkPartition(
  context: StepContext,
  options: MarketsStepOptions,
  kind: KeysetKind,
  partition: Partition,
  startCursor: string,
  startRows: number,
  state: WalkState,
): Promise<void> {
  const committer = state.committers[kind]
  const pages = walkKeyset(
    {
      http: options.http,
      baseUrl: options.gammaUrl,
      kind,
      filters: partition.filters,
      signal: context.signal,
    },
    startCursor,
  )
  let cursor = startCursor
  let rows = startRows
  await committer.room()
  for (;;) {
    let page: WalkedPage<GammaMarket | GammaEvent>
    try {
      const next = await pages.next()
      if (next.done) break
      page = next.value
    } catch (error) {
      if (error instanceof InterruptedError || context.signal.aborted) break
      // Unreachable host, refused TLS, …: every partition would fail alike, so the step stops.
      if (isSourceDown(error)) throw error
      const unit = `${partition.id}@${cursor}`
      await context.runLog.error({ stream: kind, unit, error, attempts: attemptsOf(error) })
      state.failures.push({ unit: `${kind} ${unit}`, error: (error as Error).message })
      report(context, state)
      break
    }
    const {
      rows: pageRows,
      quarantine,
      count,
    } = kind === 'markets'
      ? marketsPageRows(page.records as Validated<GammaMarket>[], context.runLog.runId, new Map())
      : eventsPageRows(page.records as Validated<GammaEvent>[], context.runLog.runId)
    rows += count
    const last = !page.nextCursor
    // The cursor moves past this page only in the batch that commits the page's rows.
    const checkpoint = last
      ? context.checkpoints.doneRow(kind, partition.id, rows)
      : context.checkpoints.cursorRow(kind, partition.id, page.nextCursor as string, rows)
    // Not awaited: the walker goes on to its next page or partition while the batch commits (waiting
    // here cost each partition up to a batch delay). A failed commit reaches the walk through the
    // committer's room() and flush(), which the step awaits before it ends.
    committer
      .add({
        unit: `${partition.id}@${page.cursor}`,
        rows: pageRows,
        quarantine,
        after: { etl_checkpoints: [checkpoint] },
      })
      .then(
        () => {
          state.rows += count
          state.pages++
          if (last) state.partitionsDone++
          report(context, state)
        },
        () => {},
      )
    if (last) break
    cursor = page.nextCursor as string
    await committer.room()
  }
}

/** A page of events as rows (events, their tags) and the records to quarantine. */
function eventsPageRows(records: Validated<GammaEvent>[], runId: string) {
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
function marketsPageRows(
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

/** Flushes every committer, even when one fails; then throws the first failure. */
async function flushAll(committers: UnitCommitter[]): Promise<void> {
  const flushed = await Promise.allSettled(committers.map((committer) => committer.flush()))
  for (const result of flushed) if (result.status === 'rejected') throw result.reason
}

function report(context: StepContext, state: WalkState): void {
  context.reporter.update({
    unit: 'partitions',
    done: state.partitionsDone,
    total: state.partitionsTotal,
    rows: state.rows,
    errors: state.failures.length,
  })
}
