// A world that changes after start, for tests of `polyhouse sync`: fields of markets and events that
// Gamma serves replaced from now on (`sim.updateMarket`, `sim.closeMarket`, `sim.updateEvent`).
// The catalog itself stays as built: the chain, the Data API and `sim.truth` do not see overrides.
// What follows a patch: every response that shows the record (keyset pages, legacy lists, by id,
// markets embedded in events and events embedded in markets), the `closed`, `start_date_*` and
// `end_date_*` filters, `order=volume`, and an event's `closed` (all its markets closed).
import { type Catalog, MarketFlag } from '../world/catalog.ts'
import { eventFacts, eventStartMs } from '../world/event-json.ts'
import { postgresTime } from '../world/format.ts'
import { type Json, type JsonObject, marketMoney, marketStartMs } from '../world/market-json.ts'
import { eventMatches, type ListFilters, marketMatches } from './gamma-filters.ts'

export class GammaOverrides {
  private readonly markets = new Map<number, JsonObject>()
  private readonly events = new Map<number, JsonObject>()

  constructor(private readonly catalog: Catalog) {}

  get empty(): boolean {
    return this.markets.size === 0 && this.events.size === 0
  }

  /** Serves market `id` with `patch`'s fields from now on (patches accumulate; undefined removes a field). */
  updateMarket(id: string | number, patch: JsonObject): void {
    const m = this.marketIndex(id)
    const key = this.catalog.marketIds[m] as number
    this.markets.set(key, { ...this.markets.get(key), ...patch })
  }

  /** Resolves market `id` now: closed, its winner priced 1 and the rest 0, closedTime now. */
  closeMarket(id: string | number, now = Date.now()): void {
    const m = this.marketIndex(id)
    const winner = this.catalog.winner(m)
    const prices = Array.from({ length: this.catalog.marketOutcomes[m] as number }, (_, o) =>
      o === winner ? '1' : '0',
    )
    this.updateMarket(id, {
      closed: true,
      outcomePrices: `[${prices.map((price) => JSON.stringify(price)).join(', ')}]`,
      acceptingOrders: false,
      closedTime: postgresTime(Math.floor(now / 1000)),
      umaResolutionStatus: 'resolved',
      bestBid: undefined,
      bestAsk: undefined,
    })
  }

  updateEvent(id: string | number, patch: JsonObject): void {
    const e = this.catalog.eventIndexById(Number(id))
    if (e < 0) throw new RangeError(`simulator: no event with id ${id}`)
    const key = this.catalog.eventIds[e] as number
    this.events.set(key, { ...this.events.get(key), ...patch })
  }

  /** A rendered market (and the event it embeds) with the patches applied, in place. */
  applyMarket(m: number, market: JsonObject): JsonObject {
    if (this.empty) return market
    Object.assign(market, this.markets.get(this.catalog.marketIds[m] as number))
    const embedded = (market.events as JsonObject[] | undefined)?.[0]
    const e = this.catalog.marketEvent[m] as number
    // Orphans embed {id, ticker, slug} only: that summary never carries the patched fields.
    if (embedded && e >= 0 && 'title' in embedded) this.applyEventFields(e, embedded)
    return market
  }

  /** A rendered event (and the markets it embeds) with the patches applied, in place. */
  applyEvent(e: number, event: JsonObject): JsonObject {
    if (this.empty) return event
    this.applyEventFields(e, event)
    const first = this.catalog.eventFirstMarket[e] as number
    for (const [offset, market] of ((event.markets as Json[] | undefined) ?? []).entries())
      Object.assign(market as JsonObject, this.markets.get(this.catalog.marketIds[first + offset] as number))
    return event
  }

  marketMatches(m: number, filters: ListFilters, render: () => JsonObject): boolean {
    const patch = this.markets.get(this.catalog.marketIds[m] as number)
    if (!patch) return marketMatches(this.catalog, m, filters)
    const { closed, startMin, startMax, endMin, endMax, ...rest } = filters
    if (!marketMatches(this.catalog, m, { ...rest, closed: undefined })) return false
    const market = render()
    return (
      (closed === undefined || market.closed === closed) &&
      inRange(timeOf(market.startDate), startMin, startMax) &&
      inRange(timeOf(market.endDate), endMin, endMax)
    )
  }

  eventMatches(e: number, filters: ListFilters): boolean {
    const patch = this.events.get(this.catalog.eventIds[e] as number)
    if (!patch && !this.eventHasPatchedMarket(e)) return eventMatches(this.catalog, e, filters)
    const { closed, ...rest } = filters
    if (!eventMatches(this.catalog, e, { ...rest, closed: undefined })) return false
    return closed === undefined || this.eventClosed(e) === closed
  }

  /** `order=startDate`: a market's startDate in epoch ms as served, undefined when it has none. */
  marketStart(m: number): number | undefined {
    const patch = this.markets.get(this.catalog.marketIds[m] as number)
    return patch && 'startDate' in patch ? timeOf(patch.startDate) : marketStartMs(this.catalog, m)
  }

  eventStart(e: number): number | undefined {
    const patch = this.events.get(this.catalog.eventIds[e] as number)
    return patch && 'startDate' in patch ? timeOf(patch.startDate) : eventStartMs(this.catalog, e)
  }

  /** `order=volume`: a market's volume in USDC, as served. */
  marketVolume(m: number): number {
    const patched = this.markets.get(this.catalog.marketIds[m] as number)?.volume
    return patched !== undefined ? Number(patched) : marketMoney(this.catalog, m, 1) / 1e6
  }

  eventVolume(e: number): number {
    const patched = this.events.get(this.catalog.eventIds[e] as number)?.volume
    return patched !== undefined ? Number(patched) : eventFacts(this.catalog, e).volume / 1e6
  }

  private applyEventFields(e: number, event: JsonObject): void {
    const patch = this.events.get(this.catalog.eventIds[e] as number)
    if (this.eventHasPatchedMarket(e)) event.closed = this.eventClosed(e)
    if (patch) Object.assign(event, patch)
  }

  /** An event is closed when all its markets are (eventFacts' rule), patched `closed` included. */
  private eventClosed(e: number): boolean {
    const patched = this.events.get(this.catalog.eventIds[e] as number)?.closed
    if (typeof patched === 'boolean') return patched
    const first = this.catalog.eventFirstMarket[e] as number
    for (let m = first; m < first + (this.catalog.eventSize[e] as number); m++) {
      const closed = this.markets.get(this.catalog.marketIds[m] as number)?.closed
      if (!(typeof closed === 'boolean' ? closed : this.catalog.has(m, MarketFlag.Closed))) return false
    }
    return true
  }

  private eventHasPatchedMarket(e: number): boolean {
    if (this.markets.size === 0) return false
    const first = this.catalog.eventFirstMarket[e] as number
    for (let m = first; m < first + (this.catalog.eventSize[e] as number); m++)
      if (this.markets.has(this.catalog.marketIds[m] as number)) return true
    return false
  }

  private marketIndex(id: string | number): number {
    const m = this.catalog.marketIndexById(Number(id))
    if (m < 0) throw new RangeError(`simulator: no market with id ${id}`)
    return m
  }
}

function timeOf(value: Json | undefined): number | undefined {
  if (typeof value !== 'string') return undefined
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? undefined : ms
}

/** As gamma-filters' bounds: a record without the date never matches a bound on it. */
function inRange(value: number | undefined, min: number | undefined, max: number | undefined): boolean {
  if (min === undefined && max === undefined) return true
  if (value === undefined) return false
  return (min === undefined || value >= min) && (max === undefined || value <= max)
}
