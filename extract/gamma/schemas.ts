// Zod schemas for Gamma responses (markets, events, tags, keyset pages), built from the real
// payloads in test/fixtures/polymarket/gamma (SOURCES.md lists their quirks). What they
// guarantee to the rest of the program:
// - `outcomes`, `outcomePrices`, `clobTokenIds` (JSON text inside JSON) are decoded here, once,
//   into arrays of strings; token ids stay decimal strings, never numbers.
// - Amounts that arrive as numbers or numeric strings (`volume` "858688.42", `volumeNum`,
//   `groupItemThreshold` "2", `fee` "18000000000000000") become exact decimal text.
// - Times in any of Gamma's forms (ISO, `2024-07-18 00:10:37.491895+00`, bare dates) become
//   ISO-8601 UTC text; junk (`umaEndDate: "NOW*()"`) becomes null instead of failing the record.
// - Tolerated: missing `endDate`, `conditionId: ""` without `clobTokenIds`, 3+ outcomes, events
//   embedded without a title. Refused (quarantined): a field of the wrong type.
// Unknown keys are dropped from the parsed value; the raw payload is kept separately by the loader.
import { z } from 'zod'
import { decimalText } from '../decimal.ts'

const ISO_LIKE = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/

/** Gamma's time text as ISO-8601 UTC (fraction kept, up to 6 digits); null when it is not a time. */
export function gammaTime(text: string): string | null {
  const match = ISO_LIKE.exec(text.trim())
  if (!match) return null
  const [, date, time = '00:00:00', fraction = '', zone = 'Z'] = match
  const hms = time.length === 5 ? `${time}:00` : time
  const base = `${date}T${hms}`
  if (Number.isNaN(Date.parse(`${base}Z`))) return null
  if (/^(Z|[+-]00(:?00)?)$/.test(zone)) return `${base}${fraction.slice(0, 7)}Z`
  const parsed = Date.parse(`${base}${fraction.slice(0, 4)}${zone.length === 3 ? `${zone}:00` : zone}`)
  return Number.isNaN(parsed) ? null : new Date(parsed).toISOString()
}

/** A numeric id that Gamma sends as a string (and a few payloads as a number). */
const idText = z
  .union([z.string().regex(/^\d+$/, 'id must be numeric text'), z.number().int().nonnegative()])
  .transform(String)

const time = z
  .string()
  .nullish()
  .transform((value) => (value == null || value === '' ? null : gammaTime(value)))

const decimal = z
  .union([z.number(), z.string()])
  .nullish()
  .transform((value, ctx) => {
    if (value == null || value === '') return null
    const text = decimalText(value)
    if (text === undefined) {
      ctx.addIssue({ code: 'custom', message: `not a number: ${JSON.stringify(value)}` })
      return z.NEVER
    }
    return text
  })

/** A list sent as JSON text (`"[\"Yes\", \"No\"]"`), decoded once; an already-decoded array is accepted as is. */
const jsonList = (what: string, item: RegExp | undefined) =>
  z.union([z.string(), z.array(z.string())]).transform((value, ctx) => {
    let list: unknown = value
    if (typeof value === 'string') {
      try {
        list = JSON.parse(value)
      } catch {
        ctx.addIssue({ code: 'custom', message: `${what} is not JSON text: ${value.slice(0, 80)}` })
        return z.NEVER
      }
    }
    if (
      !Array.isArray(list) ||
      list.some((entry) => typeof entry !== 'string' || (item && !item.test(entry)))
    ) {
      ctx.addIssue({ code: 'custom', message: `${what} must be a list of ${item ? 'numeric ' : ''}strings` })
      return z.NEVER
    }
    return list as string[]
  })

const flag = z
  .boolean()
  .nullish()
  .transform((value) => value ?? null)

export const gammaTagSchema = z.object({
  id: idText,
  label: z.string(),
  slug: z.string(),
  forceShow: flag,
  forceHide: flag,
  isCarousel: flag,
  publishedAt: time,
  updatedBy: decimal,
  createdAt: time,
  updatedAt: time,
})
export type GammaTag = z.output<typeof gammaTagSchema>

const tags = z
  .array(gammaTagSchema)
  .nullish()
  .transform((list) => list ?? [])

/**
 * A market as an event embeds it: checked for its id only and kept as it came. A keyset page of
 * events repeats every market in full, and copying each into a loose object cost as much as
 * validating the markets themselves.
 */
const embeddedMarket = z.custom<{ id: string | number }>(
  (value) =>
    value !== null && typeof value === 'object' && idText.safeParse((value as { id?: unknown }).id).success,
  'an embedded market needs a numeric id',
)

/**
 * An event: a full record (keyset pages, /events/{id}) or the summary a market embeds, which may
 * lack a title (the "orphans": only /events/{id} then gives it). Embedded markets are kept raw
 * (`markets`) with their ids: parse each with gammaMarketSchema when needed, so one bad market
 * does not cost its whole event.
 */
export const gammaEventSchema = z
  .object({
    id: idText,
    ticker: z.string().nullish(),
    slug: z.string().nullish(),
    title: z.string().nullish(),
    description: z.string().nullish(),
    startDate: time,
    creationDate: time,
    endDate: time,
    closedTime: time,
    createdAt: time,
    updatedAt: time,
    active: flag,
    closed: flag,
    archived: flag,
    negRisk: flag,
    negRiskMarketID: z.string().nullish(),
    volume: decimal,
    liquidity: decimal,
    openInterest: decimal,
    commentCount: decimal,
    tags,
    markets: z.array(embeddedMarket).nullish(),
  })
  .transform(({ negRiskMarketID, markets, ...event }) => ({
    ...event,
    ticker: event.ticker ?? null,
    slug: event.slug ?? null,
    title: event.title ?? null,
    description: event.description ?? null,
    negRiskMarketId: negRiskMarketID || null,
    marketIds: (markets ?? []).map((market) => String(market.id)),
    markets: (markets ?? []) as unknown[],
  }))
export type GammaEvent = z.output<typeof gammaEventSchema>

const CONDITION_ID = /^(0x[0-9a-fA-F]{64})?$/

/**
 * The event a market embeds, read for what a market needs (its id, title, slug) and nothing more:
 * the full event is its own record (from /events), validated on its own, so a drifted field of
 * the event does not cost the market. `title` is null for the orphans, `id` when only a slug is given.
 */
export const gammaEventRefSchema = z
  .looseObject({
    id: idText.optional(),
    title: z.unknown().optional(),
    slug: z.unknown().optional(),
    ticker: z.unknown().optional(),
  })
  .transform((event) => ({
    // /public-search embeds events by slug alone (fixtures/polymarket/gamma/ra1nty_public-search.json).
    id: event.id ?? null,
    title: typeof event.title === 'string' ? event.title : null,
    slug: typeof event.slug === 'string' ? event.slug : null,
    ticker: typeof event.ticker === 'string' ? event.ticker : null,
  }))
export type GammaEventRef = z.output<typeof gammaEventRefSchema>

export const gammaMarketSchema = z
  .object({
    id: idText,
    question: z.string().nullish(),
    conditionId: z.string().regex(CONDITION_ID, 'conditionId must be 0x + 64 hex digits, or empty'),
    questionID: z.string().nullish(),
    slug: z.string().nullish(),
    description: z.string().nullish(),
    resolutionSource: z.string().nullish(),
    outcomes: jsonList('outcomes', undefined),
    outcomePrices: jsonList('outcomePrices', /^-?\d*\.?\d+(e-?\d+)?$/i).optional(),
    clobTokenIds: jsonList('clobTokenIds', /^\d{1,78}$/).optional(),
    volume: decimal,
    volumeNum: decimal,
    liquidity: decimal,
    liquidityNum: decimal,
    active: z.boolean(),
    closed: z.boolean(),
    archived: flag,
    restricted: flag,
    enableOrderBook: flag,
    acceptingOrders: flag,
    negRisk: flag,
    negRiskMarketID: z.string().nullish(),
    negRiskRequestID: z.string().nullish(),
    groupItemTitle: z.string().nullish(),
    groupItemThreshold: decimal,
    startDate: time,
    endDate: time,
    closedTime: time,
    umaEndDate: time,
    createdAt: time,
    updatedAt: time,
    umaResolutionStatus: z.string().nullish(),
    fee: decimal,
    feeType: z.string().nullish(),
    orderPriceMinTickSize: decimal,
    orderMinSize: decimal,
    events: z.array(gammaEventRefSchema).nullish(),
    tags,
  })
  .superRefine((market, ctx) => {
    const tokens = market.clobTokenIds ?? []
    if (tokens.length > 0 && tokens.length !== market.outcomes.length) {
      ctx.addIssue({
        code: 'custom',
        message: `clobTokenIds has ${tokens.length} ids for ${market.outcomes.length} outcomes`,
      })
    }
  })
  .transform(({ questionID, negRiskMarketID, negRiskRequestID, volumeNum, liquidityNum, ...market }) => ({
    ...market,
    conditionId: market.conditionId.toLowerCase(),
    questionId: questionID || null,
    question: market.question ?? null,
    slug: market.slug ?? null,
    description: market.description ?? null,
    resolutionSource: market.resolutionSource ?? null,
    outcomePrices: market.outcomePrices ?? [],
    clobTokenIds: market.clobTokenIds ?? [],
    // `volume` is the exact text; `volumeNum` is the same number (sometimes rounded) as a JSON number.
    volume: market.volume ?? volumeNum,
    liquidity: market.liquidity ?? liquidityNum,
    negRisk: market.negRisk ?? false,
    negRiskMarketId: negRiskMarketID || null,
    negRiskRequestId: negRiskRequestID || null,
    groupItemTitle: market.groupItemTitle ?? null,
    umaResolutionStatus: market.umaResolutionStatus ?? null,
    feeType: market.feeType ?? null,
    events: market.events ?? [],
  }))
export type GammaMarket = z.output<typeof gammaMarketSchema>

/** `/markets/keyset` and `/events/keyset` envelopes; records stay raw so each is validated (and quarantined) alone. */
export const marketsKeysetPageSchema = z
  .object({ markets: z.array(z.unknown()), next_cursor: z.string().nullish() })
  .transform((page) => ({ records: page.markets, nextCursor: page.next_cursor || undefined }))
export const eventsKeysetPageSchema = z
  .object({ events: z.array(z.unknown()), next_cursor: z.string().nullish() })
  .transform((page) => ({ records: page.events, nextCursor: page.next_cursor || undefined }))
/** Legacy `/markets`, `/events`, `/events?slug=`: bare arrays. */
export const gammaListSchema = z.array(z.unknown())
export const gammaTagsSchema = z.array(gammaTagSchema)

/** `/public-search`: `{events, tags, profiles, pagination}` (fixtures/polymarket/gamma/ra1nty_public-search.json). */
export const gammaPublicSearchSchema = z.object({
  events: z
    .array(gammaEventSchema)
    .nullish()
    .transform((list) => list ?? []),
  tags: z
    .array(z.unknown())
    .nullish()
    .transform((list) => list ?? []),
  profiles: z
    .array(z.unknown())
    .nullish()
    .transform((list) => list ?? []),
  pagination: z.object({ hasMore: z.boolean(), totalResults: z.number().int().optional() }).optional(),
})
