// Gamma event objects, key order as in fixtures/polymarket/gamma/events-keyset-limit-1.json and
// pscanner_events-id-16167.json. The summary (no markets, no tags) is what markets embed; the
// full form (keyset pages, /events/{id}) carries its markets and tags.
import { hash } from '../random.ts'
import { type Catalog, EventKind, MarketFlag } from './catalog.ts'
import { isoMicros, isoSeconds, microsToDecimal } from './format.ts'
import { type Json, type JsonObject, marketJson, marketMoney } from './market-json.ts'
import { description, eventTitle, slugify, tagsFor } from './texts.ts'

const IMAGE_BASE = 'https://polymarket-upload.s3.us-east-2.amazonaws.com/'
const D = { time: 0x4e01, misc: 0x4e02 } as const

function kindName(kind: number): 'single' | 'ladder' | 'negRisk' {
  return kind === EventKind.NegRisk ? 'negRisk' : kind === EventKind.Ladder ? 'ladder' : 'single'
}

export type EventFacts = ReturnType<typeof computeEventFacts>

/**
 * Facts per event, computed once: every filtered keyset page scans events through these, and
 * recomputing them (a title, a slug, every market's money) per scan made the simulator, not the
 * client under test, the slowest party of a bench. The catalog never changes; overrides apply later.
 */
const factsCache = new WeakMap<Catalog, (EventFacts | undefined)[]>()

/** Event dates span its markets; an event is closed when all its markets are. */
export function eventFacts(catalog: Catalog, e: number): EventFacts {
  let cache = factsCache.get(catalog)
  if (!cache) {
    cache = new Array(catalog.eventCount)
    factsCache.set(catalog, cache)
  }
  cache[e] ??= computeEventFacts(catalog, e)
  return cache[e]
}

function computeEventFacts(catalog: Catalog, e: number) {
  const first = catalog.eventFirstMarket[e] as number
  const size = catalog.eventSize[e] as number
  let start = Number.POSITIVE_INFINITY
  let end = 0
  let closed = true
  let volume = 0
  for (let m = first; m < first + size; m++) {
    start = Math.min(start, catalog.marketStart[m] as number)
    end = Math.max(end, catalog.marketEnd[m] as number)
    closed &&= catalog.has(m, MarketFlag.Closed)
    volume += marketMoney(catalog, m, 1)
  }
  const kind = catalog.eventKind[e] as number
  const title = eventTitle(catalog.seed, e, kindName(kind))
  return {
    first,
    size,
    start,
    end,
    closed,
    volume,
    kind,
    title,
    slug: slugify(title, catalog.eventIds[e] as number),
  }
}

/** startDate in epoch milliseconds, exactly as rendered (filters compare this value); undefined when absent. */
export function eventStartMs(catalog: Catalog, e: number): number | undefined {
  if (catalog.eventMissingStart[e]) return undefined
  return eventFacts(catalog, e).start * 1000 + (hash(catalog.seed, D.time, e, 1) % 1000)
}

export function eventSummaryJson(catalog: Catalog, e: number): JsonObject {
  const seed = catalog.seed
  const facts = eventFacts(catalog, e)
  const negRisk = facts.kind === EventKind.NegRisk
  const micros = (salt: number) => hash(seed, D.time, e, salt) % 1_000_000
  const volume = Number(microsToDecimal(facts.volume))
  const event: JsonObject = {
    id: String(catalog.eventIds[e]),
    ticker: facts.slug,
    slug: facts.slug,
    title: facts.title,
    description: description(seed, -1 - e, facts.title),
    resolutionSource: '',
    startDate: isoMillis(eventStartMs(catalog, e)),
    creationDate: isoMicros(facts.start - 60, micros(2)),
    endDate: isoSeconds(facts.end),
    image: `${IMAGE_BASE}event-${catalog.eventIds[e]}.jpg`,
    icon: `${IMAGE_BASE}event-${catalog.eventIds[e]}.jpg`,
    active: true,
    closed: facts.closed,
    archived: false,
    new: false,
    featured: false,
    restricted: true,
    liquidity: facts.closed ? 0 : Math.round(volume / 7) / 100,
    volume,
    openInterest: facts.closed ? 0 : Math.round(volume * 3) / 100,
    sortBy:
      facts.kind === EventKind.Ladder ? 'ascending' : facts.kind === EventKind.NegRisk ? 'price' : undefined,
    createdAt: isoMicros(facts.start - 600, micros(3)),
    updatedAt: isoMicros(facts.closed ? facts.end + 7_300 : catalog.now - 500, micros(4)),
    competitive: facts.closed ? undefined : 0.8 + (hash(seed, D.misc, e, 1) % 200) / 1000,
    volume24hr: facts.closed ? undefined : volume / 400,
    volume1wk: facts.closed ? 0 : volume / 60,
    volume1mo: facts.closed ? 0 : volume / 14,
    volume1yr: volume,
    enableOrderBook: true,
    liquidityClob: facts.closed ? undefined : Math.round(volume / 7) / 100,
    negRisk,
    negRiskMarketID: negRisk ? catalog.negRiskMarketId(e) : undefined,
    commentCount: hash(seed, D.misc, e, 2) % 1000,
    markets: undefined,
    tags: undefined,
    cyom: false,
    closedTime: facts.closed ? isoSeconds(facts.end + 1_900) : undefined,
    showAllOutcomes: true,
    showMarketImages: false,
    enableNegRisk: negRisk,
    automaticallyActive: true,
    negRiskAugmented: false,
    cumulativeMarkets: false,
    pendingDeployment: false,
    deploying: false,
    requiresTranslation: false,
  }
  if (catalog.eventDrift[e]) applyEventDrift(catalog, e, event)
  return event
}

function isoMillis(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString()
}

/** An event with its markets (without their `events`, as the real keyset pages) and tags. */
export function eventJson(catalog: Catalog, e: number): JsonObject {
  const event = eventSummaryJson(catalog, e)
  const first = catalog.eventFirstMarket[e] as number
  const size = catalog.eventSize[e] as number
  const markets: Json[] = []
  for (let m = first; m < first + size; m++)
    markets.push(marketJson(catalog, m, { embedEvent: false, includeTags: false }))
  event.markets = markets
  event.tags = tagsFor(catalog.seed, -1 - e, 4) as unknown as Json[]
  return event
}

function applyEventDrift(catalog: Catalog, e: number, event: JsonObject): void {
  if (hash(catalog.seed, D.misc, e, 3) % 2 === 0) event.closed = String(event.closed)
  else event.startDate = 1_712_345_678
}
