// The Gamma pollers of `polyhouse sync` (the original pollers' events / standalone / resolutions /
// short markets): each fetches its slice of Gamma through the keyset endpoints and upserts the
// records that changed (changes.ts), with the markets step's rows, tokens, tags and quarantine.
//   hot         the N open events with the largest volume, and all their markets
//   open        every open market and event (the backfill's closed=false partitions)
//   resolution  markets and events stored as open that Gamma no longer lists as open
//   short       markets whose end date is within an hour of now, either side (short-lived markets
//               open and close between two open polls; this catches both moments)
import { attemptsOf, InterruptedError, isSourceDown } from '../../core/errors.ts'
import type { KeysetKind } from '../../extract/gamma/keyset.ts'
import { keysetPartitions } from '../../extract/gamma/partitions.ts'
import { OrderIgnoredError, undatedPages } from '../markets/closing.ts'
import { WALK_CONCURRENCY } from '../markets/index.ts'
import { completeOrphans } from '../markets/orphans.ts'
import type { StepContext, UnitFailure } from '../step.ts'
import { runUnits } from '../units.ts'
import { type PageChanges, upsertChanged } from './changes.ts'
import {
  fetchByIds,
  fetchHotEvents,
  type GammaRecord,
  type GammaSource,
  rawId,
  rawMarketIds,
  walkListing,
} from './gamma.ts'
import { count, type Poller, type PollOutcome } from './poller.ts'

/**
 * Open events re-fetched by the hot poll. A poller of the top 500 events every 30 s would fetch
 * pages that embed every market in full (~16 KB an event), so 500 is 8 MB a poll.
 * 100 events (a few hundred markets, ~6 requests) keep the 30 s cadence light; raise with --hot-events.
 */
export const DEFAULT_HOT_EVENTS = 100
/** "Short-lived markets (under 1 h)" (e.g. 15-minute BTC up/down). */
export const SHORT_WINDOW_MS = 3_600_000

export interface GammaPollerOptions extends GammaSource {
  hotEvents: number
  now?: () => number
}

/** What the open poll saw listed as open, for the resolution poll: stored-open minus this has closed. */
export interface OpenListing {
  markets: ReadonlySet<string>
  events: ReadonlySet<string>
  at: number
}

export function createGammaPollers(
  options: GammaPollerOptions,
): Record<'hot' | 'open' | 'resolution' | 'short', Poller> {
  const now = options.now ?? Date.now
  let listing: OpenListing | undefined

  const hot: Poller = {
    name: 'hot',
    async poll(context) {
      const tally = new Tally('hot')
      let events: GammaRecord[] = []
      await tally.attempt(context, 'events', 'hot events', async () => {
        events = await fetchHotEvents(options, options.hotEvents, context.signal)
        await tally.page(context, 'events', events)
      })
      const marketIds = [...new Set(events.flatMap(rawMarketIds))]
      await tally.attempt(context, 'markets', 'hot markets', () =>
        fetchByIds(options, 'markets', marketIds, context.signal, (records) =>
          tally.page(context, 'markets', records),
        ),
      )
      return tally.outcome(context, options, `top ${count(events.length, 'event')} by volume`)
    },
  }

  const open: Poller = {
    name: 'open',
    async poll(context) {
      const startedAt = now()
      const tally = new Tally('open')
      const seen = { markets: new Set<string>(), events: new Set<string>() }
      const partitions = keysetPartitions(startedAt).filter(
        (partition) => partition.filters.closed === 'false',
      )
      // The partitions, and the open records without a startDate that no partition matches (the
      // markets step's closing pass, steps/markets/closing.ts).
      const walks = (['events', 'markets'] as const).flatMap((kind) => [
        ...partitions.map((partition) => ({ kind, id: partition.id, filters: partition.filters })),
        { kind, id: 'closed=false|undated', filters: undefined },
      ])
      let complete = true
      await runUnits(
        walks,
        { concurrency: WALK_CONCURRENCY, signal: context.signal },
        async (walk, signal) => {
          const walkContext = { ...context, signal }
          const onPage = async (records: GammaRecord[]) => {
            for (const record of records) {
              const id = rawId(record)
              if (id) seen[walk.kind].add(id)
            }
            await tally.page(walkContext, walk.kind, records)
          }
          const done = await tally.attempt(walkContext, walk.kind, `${walk.kind} ${walk.id}`, async () => {
            if (walk.filters) return walkListing(options, walk.kind, walk.filters, signal, onPage)
            try {
              for await (const page of undatedPages(options, walk.kind, 'false', signal))
                await onPage(page.records as GammaRecord[])
            } catch (error) {
              if (!(error instanceof OrderIgnoredError)) throw error
              // A server that ignores `order`: the whole open list tells what the partitions cannot.
              await walkListing(options, walk.kind, { closed: 'false' }, signal, onPage)
            }
          })
          complete &&= done
        },
      )
      // Only a whole listing tells what is no longer open.
      if (complete && !context.signal.aborted) listing = { ...seen, at: startedAt }
      return tally.outcome(
        context,
        options,
        `${count(seen.markets.size, 'open market')}, ${count(seen.events.size, 'open event')} listed`,
      )
    },
  }

  const resolution: Poller = {
    name: 'resolution',
    async poll(context) {
      const tally = new Tally('resolution')
      const known = listing
      const candidates = { markets: [] as string[], events: [] as string[] }
      for (const kind of ['markets', 'events'] as const) {
        const stored = await storedOpen(context, kind)
        // Without a whole open listing yet (its poll failed, or is not selected), re-check all of them.
        candidates[kind] = known ? stored.filter((id) => !known[kind].has(id)) : stored
        await tally.attempt(context, kind, `${kind} stored open`, () =>
          fetchByIds(options, kind, candidates[kind], context.signal, (records) =>
            tally.page(context, kind, records),
          ),
        )
      }
      const which = known ? 'no longer listed open' : 'stored open (no whole open listing yet)'
      const closed = tally.closed ? ` · ${count(tally.closed, 'market')} closed` : ''
      const lead = `re-checked ${count(candidates.markets.length, 'market')}, ${count(candidates.events.length, 'event')} ${which}${closed}`
      return tally.outcome(context, options, lead)
    },
  }

  const short: Poller = {
    name: 'short',
    async poll(context) {
      const at = now()
      const tally = new Tally('short')
      const window = { end_date_min: iso(at - SHORT_WINDOW_MS), end_date_max: iso(at + SHORT_WINDOW_MS) }
      for (const closed of ['false', 'true']) {
        await tally.attempt(context, 'markets', `markets ending near now, closed=${closed}`, () =>
          walkListing(options, 'markets', { ...window, closed }, context.signal, (records) =>
            tally.page(context, 'markets', records),
          ),
        )
      }
      return tally.outcome(
        context,
        options,
        `${count(tally.markets.checked, 'market')} ending within 1 h of now`,
      )
    },
  }

  return { hot, open, resolution, short }
}

async function storedOpen(context: StepContext, kind: KeysetKind): Promise<string[]> {
  const [table, key] = kind === 'markets' ? ['markets', 'market_id'] : ['events', 'event_id']
  const rows = await context.warehouse.query<{ id: string }>(
    `SELECT toString(${key}) AS id FROM ${table} FINAL WHERE closed = 0 ORDER BY ${key}`,
  )
  return rows.map((row) => row.id)
}

let pollsStarted = 0

/** What one poll checked and changed, summed over its pages. */
class Tally {
  readonly markets = { checked: 0, upserted: 0 }
  readonly events = { checked: 0, upserted: 0 }
  quarantined = 0
  closed = 0
  orphanRows = 0
  readonly failures: UnitFailure[] = []
  private readonly marketIds: string[] = []
  private pages = 0

  /** Names this poll's inserts: unique within the process, so each poll's rows get their own tokens. */
  private readonly pollId: string

  constructor(private readonly poller: string) {
    this.pollId = `${poller}#${++pollsStarted}@${Date.now()}`
  }

  /** Upserts a page's changed records; each page is its own unit (a unique deduplication token). */
  async page(context: StepContext, kind: KeysetKind, records: readonly GammaRecord[]): Promise<void> {
    const unit = `sync ${this.pollId} ${kind} page ${++this.pages}`
    const changes: PageChanges = await upsertChanged(context, kind, unit, records)
    this[kind].checked += changes.checked
    this[kind].upserted += changes.upserted
    this.quarantined += changes.quarantined
    if (kind === 'markets') {
      this.closed += changes.closed
      this.marketIds.push(...changes.ids)
    }
  }

  /** Runs `work`; a request that failed after its retries is logged and counted, and the poll goes on. */
  async attempt(
    context: StepContext,
    stream: string,
    unit: string,
    work: () => Promise<void>,
  ): Promise<boolean> {
    try {
      await work()
      return true
    } catch (error) {
      if (error instanceof InterruptedError || context.signal.aborted) return false
      if (isSourceDown(error)) throw error
      await context.runLog.error({
        stream,
        unit: `sync ${this.poller}: ${unit}`,
        error,
        attempts: attemptsOf(error),
      })
      this.failures.push({ unit: `${this.poller} ${unit}`, error: (error as Error).message ?? String(error) })
      return false
    }
  }

  /** Completes the event titles of upserted markets that lack one (the backfill's anti-orphan pass), then sums up. */
  async outcome(context: StepContext, source: GammaSource, lead: string): Promise<PollOutcome> {
    if (this.marketIds.length > 0 && !context.signal.aborted) {
      const [row] = await context.warehouse.query<{ n: string }>(
        `SELECT toString(count()) AS n FROM markets FINAL
         WHERE market_id IN {ids:Array(UInt64)} AND event_id != 0 AND event_title = ''`,
        { ids: this.marketIds.map(Number) },
      )
      if (Number(row?.n ?? 0) > 0) this.orphanRows = (await completeOrphans(context, source)).rows
    }
    const upserted = [
      this.markets.upserted ? count(this.markets.upserted, 'market') : '',
      this.events.upserted ? count(this.events.upserted, 'event') : '',
    ].filter(Boolean)
    const parts = [
      lead,
      upserted.length ? `${upserted.join(', ')} upserted` : 'nothing changed',
      this.quarantined ? `${count(this.quarantined, 'record')} quarantined` : '',
      this.orphanRows ? `${count(this.orphanRows, 'event title')} completed` : '',
      this.failures.length ? count(this.failures.length, 'failed request') : '',
    ]
    return {
      rows: this.markets.upserted + this.events.upserted + this.orphanRows,
      summary: parts.filter(Boolean).join(' · '),
      failures: this.failures,
    }
  }
}

function iso(time: number): string {
  return new Date(time).toISOString()
}
