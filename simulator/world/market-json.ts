// Gamma market objects, key for key in the order of the real payloads (fixtures/polymarket/gamma/
// markets-keyset-limit-1.json and resolved-markets-keyset-limit-1.json), with their quirks:
// JSON-string `outcomes`/`outcomePrices`/`clobTokenIds`, string `volume` beside numeric
// `volumeNum`, non-ISO `closedTime`, junk `umaEndDate`, missing `endDate`, `conditionId: ""`
// without `clobTokenIds`, 3+ outcomes, events embedded without a title (orphans).

import { hash, pareto, unit } from '../random.ts'
import { marketMakerAddress } from './amm.ts'
import { type Catalog, EventKind, MarketFlag } from './catalog.ts'
import { eventFacts, eventSummaryJson } from './event-json.ts'
import { dateOnly, isoMicros, isoSeconds, microsToDecimal, postgresTime } from './format.ts'
import { description, groupItemTitle, outcomeNames, question, slugify, tagsFor } from './texts.ts'

const IMAGE_BASE = 'https://polymarket-upload.s3.us-east-2.amazonaws.com/'
const SUBMITTER = '0x91430CaD2d3975766499717fA0D66A78D814E5c5'
const RESOLVER = '0x6A9D222616C90FcA5754cd1333cFD9b7fb6a4F74'
const FEE_TYPES = [null, 'general_fees', 'sports_fees_v2', 'crypto_fees', 'finance_prices_fees'] as const
const D = { money: 0x4d01, time: 0x4d02, misc: 0x4d03 } as const

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined }
export type JsonObject = { [key: string]: Json | undefined }

export interface MarketJsonOptions {
  /** Embed the market's event (`events: [...]`), as keyset, legacy and by-id market responses do. */
  embedEvent: boolean
  /** `include_tag=true`: add the tags array. */
  includeTags: boolean
}

/** Heavy-tailed USDC amount in 1e-6 units, keyed by market and purpose. */
export function marketMoney(catalog: Catalog, m: number, purpose: number): number {
  const dollars = Math.min(50_000_000, pareto(unit(catalog.seed, D.money, m, purpose), 50, 0.8))
  return Math.floor(dollars * 1_000_000)
}

/** startDate in epoch milliseconds, exactly as rendered (filters compare this value); undefined when absent. */
export function marketStartMs(catalog: Catalog, m: number): number | undefined {
  if (catalog.has(m, MarketFlag.MissingStartDate)) return undefined
  return (catalog.marketStart[m] as number) * 1000 + (hash(catalog.seed, D.time, m, 1) % 1000)
}

export function marketSlug(catalog: Catalog, m: number): string {
  return slugify(question(catalog.seed, m), catalog.marketIds[m] as number)
}

export function marketIcon(catalog: Catalog, m: number): string {
  const event = catalog.marketEvent[m] as number
  const key = event >= 0 ? `event-${catalog.eventIds[event]}` : `market-${catalog.marketIds[m]}`
  // Real icon URLs contain raw spaces (SOURCES.md data-api quirks).
  return `${IMAGE_BASE}${key}${hash(catalog.seed, D.misc, m, 1) % 4 === 0 ? ' ball' : ''}-${(hash(catalog.seed, D.misc, m, 2) % 0xffff).toString(16)}.png`
}

export function marketOutcomes(catalog: Catalog, m: number): string[] {
  const negRiskItem = catalog.has(m, MarketFlag.NegRisk) ? groupItemTitle(catalog.seed, m) : null
  return outcomeNames(catalog.seed, m, catalog.marketOutcomes[m] as number, negRiskItem)
}

export function clobTokenIds(catalog: Catalog, m: number): string[] {
  const first = catalog.marketTokenStart[m] as number
  if (first < 0) return []
  return Array.from({ length: catalog.marketOutcomes[m] as number }, (_, o) =>
    catalog.tokenIdDecimal(first + o),
  )
}

/** JSON text of a list, spaced like Gamma's: `["Yes", "No"]`. */
function jsonList(values: string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(', ')}]`
}

export function marketJson(catalog: Catalog, m: number, options: MarketJsonOptions): JsonObject {
  const seed = catalog.seed
  const flags = catalog.marketFlags[m] as number
  const closed = (flags & MarketFlag.Closed) !== 0
  const undeployed = (flags & MarketFlag.Undeployed) !== 0
  const event = catalog.marketEvent[m] as number
  const inEvent = event >= 0
  const start = catalog.marketStart[m] as number
  const end = catalog.marketEnd[m] as number
  const created = start - 3_000
  const micros = (salt: number) => hash(seed, D.time, m, salt) % 1_000_000
  const volume = marketMoney(catalog, m, 1)
  const liquidity = closed ? 0 : marketMoney(catalog, m, 2) / 20
  const volumeNum =
    hash(seed, D.misc, m, 3) % 10 === 0 ? Math.round(volume / 10_000) / 100 : Number(microsToDecimal(volume))
  const prices = catalog.pricesMilli(m).map((p) => String(p / 1000))
  const q = question(seed, m)
  const feesEnabled = (flags & MarketFlag.FeesEnabled) !== 0
  const negRisk = (flags & MarketFlag.NegRisk) !== 0
  const tick = hash(seed, D.misc, m, 4) % 2 === 0 ? 0.01 : 0.001
  const bestBid = Number((Number(prices[0]) - tick).toFixed(3))
  const market: JsonObject = {
    id: String(catalog.marketIds[m]),
    question: q,
    conditionId: catalog.conditionId(m),
    slug: marketSlug(catalog, m),
    resolutionSource: '',
    endDate: flags & MarketFlag.MissingEndDate ? undefined : isoSeconds(end),
    liquidity: closed ? undefined : microsToDecimal(Math.floor(liquidity)),
    startDate: flags & MarketFlag.MissingStartDate ? undefined : isoMillis(marketStartMs(catalog, m)),
    image: marketIcon(catalog, m),
    icon: marketIcon(catalog, m),
    description: description(seed, m, q),
    outcomes: jsonList(marketOutcomes(catalog, m)),
    outcomePrices: jsonList(prices),
    volume: microsToDecimal(volume),
    active: true,
    closed,
    marketMakerAddress: marketMakerAddress(catalog, m),
    createdAt: isoMicros(created, micros(2)),
    updatedAt: isoMicros(closed ? end + 7_200 : catalog.now - 600, micros(3)),
    closedTime: closed
      ? postgresTime(end + 1_800, hash(seed, D.time, m, 4) % 2 ? micros(5) : undefined)
      : undefined,
    new: false,
    featured: false,
    submitted_by: SUBMITTER,
    archived: false,
    resolvedBy: RESOLVER,
    restricted: true,
    groupItemTitle:
      inEvent && catalog.eventKind[event] !== EventKind.Single ? groupItemTitle(seed, m) : undefined,
    groupItemThreshold: inEvent ? String(m - (catalog.eventFirstMarket[event] as number)) : '0',
    questionID: catalog.questionId(m),
    umaEndDate: closed ? (flags & MarketFlag.JunkUmaEndDate ? 'NOW*()' : isoSeconds(end + 1_800)) : undefined,
    enableOrderBook: !undeployed,
    orderPriceMinTickSize: tick,
    orderMinSize: 5,
    umaResolutionStatus: closed ? 'resolved' : undefined,
    volumeNum,
    liquidityNum: closed ? undefined : Number(microsToDecimal(Math.floor(liquidity))),
    endDateIso: flags & MarketFlag.MissingEndDate ? undefined : dateOnly(end),
    startDateIso: flags & MarketFlag.MissingStartDate ? undefined : dateOnly(start),
    hasReviewedDates: true,
    volume24hr: closed ? undefined : volumeNum / 400,
    volume1wk: closed ? 0 : volumeNum / 60,
    volume1mo: closed ? 0 : volumeNum / 14,
    volume1yr: volumeNum,
    clobTokenIds: undeployed ? undefined : jsonList(clobTokenIds(catalog, m)),
    umaBond: '500',
    umaReward: '5',
    volumeClob: volumeNum,
    liquidityClob: closed ? undefined : Number(microsToDecimal(Math.floor(liquidity))),
    makerBaseFee: 1000,
    takerBaseFee: 1000,
    customLiveness: 0,
    acceptingOrders: !closed && !undeployed,
    negRisk,
    negRiskMarketID: negRisk ? catalog.negRiskMarketId(event) : undefined,
    negRiskRequestID: negRisk
      ? catalog.questionId(m).replace(/^0x../, '0xa7')
      : hash(seed, D.misc, m, 5) % 2
        ? ''
        : undefined,
    events: undefined,
    ready: false,
    funded: false,
    acceptingOrdersTimestamp: isoSeconds(start - 60),
    tags: undefined,
    cyom: false,
    competitive: closed ? undefined : 0.5 + (hash(seed, D.misc, m, 6) % 500) / 1000,
    pagerDutyNotificationEnabled: false,
    approved: true,
    rewardsMinSize: 0,
    rewardsMaxSpread: 0,
    spread: tick,
    lastTradePrice: Number(prices[0]),
    bestBid: closed ? undefined : Math.max(0, bestBid),
    bestAsk: closed ? undefined : Math.min(1, Number((Number(prices[0]) + tick).toFixed(3))),
    automaticallyActive: true,
    clearBookOnStart: true,
    seriesColor: '',
    showGmpSeries: false,
    showGmpOutcome: false,
    manualActivation: false,
    negRiskOther: false,
    umaResolutionStatuses: closed ? '["proposed"]' : '[]',
    pendingDeployment: undeployed,
    deploying: undeployed,
    deployingTimestamp: isoMicros(start - 120, micros(6)),
    rfqEnabled: false,
    holdingRewardsEnabled: false,
    feesEnabled,
    requiresTranslation: false,
    feeType: feesEnabled ? FEE_TYPES[1 + (hash(seed, D.misc, m, 7) % 4)] : null,
    feeSchedule: feesEnabled ? { exponent: 1, rate: 0.05, takerOnly: true, rebateRate: 0.25 } : undefined,
  }
  if (options.embedEvent && inEvent) {
    market.events = [
      flags & MarketFlag.Orphan
        ? {
            id: String(catalog.eventIds[event]),
            ticker: eventSlugOf(catalog, event),
            slug: eventSlugOf(catalog, event),
          }
        : eventSummaryJson(catalog, event),
    ]
  }
  if (options.includeTags) market.tags = tagsFor(seed, inEvent ? -1 - event : m, 4) as unknown as Json[]
  if (flags & MarketFlag.Drift) applyMarketDrift(catalog, m, market)
  return market
}

function isoMillis(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString()
}

function eventSlugOf(catalog: Catalog, event: number): string {
  return eventFacts(catalog, event).slug
}

/** Schema drift fault: one field with the wrong type (the same field every time it is served). */
function applyMarketDrift(catalog: Catalog, m: number, market: JsonObject): void {
  const variant = hash(catalog.seed, D.misc, m, 8) % 3
  if (variant === 0) market.outcomes = 42
  else if (variant === 1) market.active = 'yes'
  else market.conditionId = 12345
}
