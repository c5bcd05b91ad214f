// The market universe: markets grouped into events (neg-risk groups, date ladders, single-market
// events, standalone markets with no event), their outcome tokens and dates. Kept as typed
// arrays (a few bytes per market); JSON is rendered on demand by market-json.ts.
import { hash, hexWords, unit } from '../random.ts'

/** Gamma ids are numeric strings; ours start here and keep 6 digits up to 200,000 markets. */
export const MARKET_ID_BASE = 500_000
export const EVENT_ID_BASE = 100_000
const DAY = 86_400
/** Markets are created over the 400 days before the chain tip ("now"). */
const CREATION_SPAN_DAYS = 400

// Shares of market groups by kind (a group is one event, or one standalone market).
const SHARE_STANDALONE = 0.15
const SHARE_SINGLE_EVENT = 0.45
const SHARE_LADDER = 0.2
// Per-market quirk rates (test/fixtures/polymarket/SOURCES.md quirks: shapes follow the real payloads).
const RATE_UNDEPLOYED = 0.01
const RATE_MULTI_OUTCOME = 0.02
const RATE_MISSING_END_DATE = 0.01
/**
 * Records without `startDate`: the real corpus has one (fixtures/polymarket/gamma, a market of 2020
 * with no startDate). No start-date filter matches them, so only a walk without those filters
 * reaches them; a few percent makes every world of a few hundred markets hold some.
 */
const RATE_MISSING_START_DATE = 0.02
const RATE_EVENT_MISSING_START_DATE = 0.03
const RATE_ORPHAN = 0.06
const RATE_JUNK_UMA_END = 0.15
const RATE_FEES_ENABLED = 0.3

export const EventKind = { Single: 1, Ladder: 2, NegRisk: 3 } as const
export type EventKind = (typeof EventKind)[keyof typeof EventKind]

export const MarketFlag = {
  Closed: 1,
  Undeployed: 2,
  MissingEndDate: 4,
  /** The market embeds its event without a title: only /events/{id} tells the title. */
  Orphan: 8,
  JunkUmaEndDate: 16,
  FeesEnabled: 32,
  /** Schema drift fault: rendered with a field of the wrong type, wherever it appears. */
  Drift: 64,
  NegRisk: 128,
  /** Rendered without `startDate`/`startDateIso`: no start_date_min/max filter matches it. */
  MissingStartDate: 256,
} as const
export type MarketFlag = (typeof MarketFlag)[keyof typeof MarketFlag]

const D = { group: 0x6701, market: 0x6702, event: 0x6703, token: 0x6704, condition: 0x6705 } as const

export class Catalog {
  readonly marketCount: number
  readonly marketIds: Int32Array
  readonly marketEvent: Int32Array
  readonly marketFlags: Uint16Array
  readonly marketOutcomes: Uint8Array
  /** Index of the market's first token in the token arrays, -1 when undeployed. */
  readonly marketTokenStart: Int32Array
  readonly marketStart: Float64Array
  readonly marketEnd: Float64Array
  readonly eventIds: Int32Array
  readonly eventFirstMarket: Int32Array
  readonly eventSize: Int32Array
  readonly eventKind: Uint8Array
  readonly eventDrift: Uint8Array
  /** 1 when the event is rendered without `startDate` (no start-date filter matches it). */
  readonly eventMissingStart: Uint8Array
  readonly tokenMarket: Int32Array
  readonly tokenOutcome: Uint8Array
  readonly eventCount: number
  readonly tokenCount: number
  /** Token ids are hashed on first use and kept (memory per token, i.e. per market). */
  private readonly tokenHexCache: string[]

  constructor(
    readonly seed: number,
    marketCount: number,
    /** "now": the chain tip's timestamp. */
    readonly now: number,
    driftRate: number,
  ) {
    this.marketCount = marketCount
    this.marketIds = new Int32Array(marketCount)
    this.marketEvent = new Int32Array(marketCount).fill(-1)
    this.marketFlags = new Uint16Array(marketCount)
    this.marketOutcomes = new Uint8Array(marketCount)
    this.marketTokenStart = new Int32Array(marketCount).fill(-1)
    this.marketStart = new Float64Array(marketCount)
    this.marketEnd = new Float64Array(marketCount)
    const eventIds: number[] = []
    const eventFirst: number[] = []
    const eventSize: number[] = []
    const eventKind: number[] = []
    let tokens = 0
    let group = 0
    for (let m = 0; m < marketCount; group++) {
      const r = unit(seed, D.group, group, 0)
      let kind: number =
        r < SHARE_STANDALONE
          ? 0
          : r < SHARE_STANDALONE + SHARE_SINGLE_EVENT
            ? EventKind.Single
            : r < SHARE_STANDALONE + SHARE_SINGLE_EVENT + SHARE_LADDER
              ? EventKind.Ladder
              : EventKind.NegRisk
      let size =
        kind === EventKind.Ladder
          ? 2 + (hash(seed, D.group, group, 1) % 4)
          : kind === EventKind.NegRisk
            ? 3 + (hash(seed, D.group, group, 1) % 4)
            : 1
      size = Math.min(size, marketCount - m)
      if (size < 2 && kind >= EventKind.Ladder) kind = EventKind.Single
      let event = -1
      if (kind !== 0) {
        event = eventIds.length
        eventIds.push(EVENT_ID_BASE + 3 * event + (hash(seed, D.event, event, 0) % 3))
        eventFirst.push(m)
        eventSize.push(size)
        eventKind.push(kind)
      }
      const created = now - CREATION_SPAN_DAYS * DAY + (m / marketCount) * (CREATION_SPAN_DAYS - 2) * DAY
      for (let k = 0; k < size; k++, m++) {
        this.marketIds[m] = MARKET_ID_BASE + 2 * m + (hash(seed, D.market, m, 0) & 1)
        this.marketEvent[m] = event
        let flags = 0
        const u = (salt: number) => unit(seed, D.market, m, salt)
        if (kind === EventKind.NegRisk) flags |= MarketFlag.NegRisk
        const multi = kind <= EventKind.Single && u(1) < RATE_MULTI_OUTCOME
        this.marketOutcomes[m] = multi ? 3 + (hash(seed, D.market, m, 2) % 2) : 2
        // Market 0 is always deployed, so even a one-market world has tokens to trade.
        if (m > 0 && kind <= EventKind.Single && u(3) < RATE_UNDEPLOYED) flags |= MarketFlag.Undeployed
        const start = Math.floor(created + u(4) * 3_600)
        const duration = kind === EventKind.Ladder ? (k + 1) * 30 * DAY : DAY + Math.floor(u(5) * 180 * DAY)
        this.marketStart[m] = start
        this.marketEnd[m] = start + duration
        if (kind !== EventKind.NegRisk && u(6) < RATE_MISSING_END_DATE) flags |= MarketFlag.MissingEndDate
        const closed = flags & MarketFlag.MissingEndDate ? u(7) < 0.3 : start + duration < now
        if (closed && !(flags & MarketFlag.Undeployed)) flags |= MarketFlag.Closed
        if (flags & MarketFlag.Closed && u(8) < RATE_JUNK_UMA_END) flags |= MarketFlag.JunkUmaEndDate
        if (event >= 0 && u(9) < RATE_ORPHAN) flags |= MarketFlag.Orphan
        if (u(10) < RATE_FEES_ENABLED) flags |= MarketFlag.FeesEnabled
        if (u(11) < driftRate) flags |= MarketFlag.Drift
        if (u(12) < RATE_MISSING_START_DATE) flags |= MarketFlag.MissingStartDate
        this.marketFlags[m] = flags
        if (!(flags & MarketFlag.Undeployed)) {
          this.marketTokenStart[m] = tokens
          tokens += this.marketOutcomes[m] as number
        }
      }
    }
    this.eventCount = eventIds.length
    this.eventIds = Int32Array.from(eventIds)
    this.eventFirstMarket = Int32Array.from(eventFirst)
    this.eventSize = Int32Array.from(eventSize)
    this.eventKind = Uint8Array.from(eventKind)
    this.eventDrift = new Uint8Array(this.eventCount)
    for (let e = 0; e < this.eventCount; e++)
      this.eventDrift[e] = unit(seed, D.event, e, 1) < driftRate ? 1 : 0
    this.eventMissingStart = new Uint8Array(this.eventCount)
    for (let e = 0; e < this.eventCount; e++)
      this.eventMissingStart[e] = unit(seed, D.event, e, 3) < RATE_EVENT_MISSING_START_DATE ? 1 : 0
    this.tokenCount = tokens
    // Packed array of '' (not a sparse one, which V8 would turn into a slow dictionary).
    this.tokenHexCache = new Array<string>(tokens).fill('')
    this.tokenMarket = new Int32Array(tokens)
    this.tokenOutcome = new Uint8Array(tokens)
    for (let m = 0; m < marketCount; m++) {
      const first = this.marketTokenStart[m] as number
      if (first < 0) continue
      for (let o = 0; o < (this.marketOutcomes[m] as number); o++) {
        this.tokenMarket[first + o] = m
        this.tokenOutcome[first + o] = o
      }
    }
  }

  has(m: number, flag: MarketFlag): boolean {
    return ((this.marketFlags[m] as number) & flag) !== 0
  }

  /** The outcome token id as 64 hex digits (a uint256 word, as it appears in log data). */
  tokenIdHex(token: number): string {
    let hex = this.tokenHexCache[token] as string
    if (hex === '') {
      hex = hexWords(
        8,
        this.seed,
        D.token,
        this.tokenMarket[token] as number,
        this.tokenOutcome[token] as number,
      )
      this.tokenHexCache[token] = hex
    }
    return hex
  }

  /** The outcome token id as Gamma and the Data API print it: a decimal string, never a number. */
  tokenIdDecimal(token: number): string {
    return BigInt(`0x${this.tokenIdHex(token)}`).toString()
  }

  conditionId(m: number): string {
    return this.has(m, MarketFlag.Undeployed) ? '' : `0x${hexWords(8, this.seed, D.condition, m)}`
  }

  /** negRiskMarketID of a neg-risk event: the questionID of its index-0 market (SOURCES.md). */
  negRiskMarketId(event: number): string {
    return `0x${hexWords(8, this.seed, D.event, event, 2).slice(0, 62)}00`
  }

  questionId(m: number): string {
    const event = this.marketEvent[m] as number
    if (this.has(m, MarketFlag.NegRisk)) {
      const slot = m - (this.eventFirstMarket[event] as number)
      return `${this.negRiskMarketId(event).slice(0, 64)}${slot.toString(16).padStart(2, '0')}`
    }
    return `0x${hexWords(8, this.seed, D.market, m, 12)}`
  }

  /** The winning outcome of a closed market. */
  winner(m: number): number {
    return hash(this.seed, D.market, m, 13) % (this.marketOutcomes[m] as number)
  }

  /** Outcome prices in thousandths (they sum to 1000): 1000/0 once closed. */
  pricesMilli(m: number): number[] {
    const count = this.marketOutcomes[m] as number
    if (this.has(m, MarketFlag.Closed))
      return Array.from({ length: count }, (_, o) => (o === this.winner(m) ? 1000 : 0))
    const weights = Array.from({ length: count }, (_, o) => 1 + (hash(this.seed, D.market, m, 20 + o) % 989))
    const total = weights.reduce((a, b) => a + b, 0)
    const prices = weights.map((w) => Math.max(1, Math.floor((w * 1000) / total)))
    prices[count - 1] = 1000 - prices.slice(0, -1).reduce((a, b) => a + b, 0)
    return prices
  }

  /** Binary search over the sorted market ids; -1 when absent. */
  marketIndexById(id: number): number {
    return binarySearch(this.marketIds, id)
  }

  eventIndexById(id: number): number {
    return binarySearch(this.eventIds, id)
  }

  /** The first market index whose id is greater than `id` (for keyset continuation). */
  marketIndexAfter(id: number): number {
    return upperBound(this.marketIds, id)
  }

  eventIndexAfter(id: number): number {
    return upperBound(this.eventIds, id)
  }
}

function binarySearch(sorted: Int32Array, value: number): number {
  const i = upperBound(sorted, value) - 1
  return i >= 0 && sorted[i] === value ? i : -1
}

function upperBound(sorted: Int32Array, value: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((sorted[mid] as number) <= value) lo = mid + 1
    else hi = mid
  }
  return lo
}
