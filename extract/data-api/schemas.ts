// Zod schemas for Data API positions: v1 `/positions` rows (camelCase, bare arrays; real sample
// test/fixtures/polymarket/data-api/polyprinter_positions_sample.json) and v2
// `/v2/positions` (`{data, pagination: {next_cursor, has_more}}`, snake_case rows; shape from
// docs.polymarket.com "Data API v2" — no real v2 payload was found, SOURCES.md). Both parse to
// the same row type, so the loader does not care which version fetched it.
//
// Shares and USDC (`size`, `initialValue`, `totalBought`, ...) become 6-decimal strings, prices and
// percentages their shortest exact decimal text: see ../decimal.ts for why no float survives.
// Token ids (`asset`, `oppositeAsset`) must be decimal strings: a JSON number has already lost
// digits, so it is refused rather than carried.
import { z } from 'zod'
import { decimalText, fixedDecimal } from '../decimal.ts'

const ADDRESS = /^0x[0-9a-fA-F]{40}$/
const TOKEN_ID = /^\d{1,78}$/
const CONDITION_ID = /^(0x[0-9a-fA-F]{64})?$/

const address = z
  .string()
  .regex(ADDRESS, 'not a 0x-prefixed 40-hex address')
  .transform((value) => value.toLowerCase())
const tokenId = z.string().regex(TOKEN_ID, 'token id must be decimal digits in a string')
const conditionId = z
  .string()
  .regex(CONDITION_ID, 'conditionId must be 0x + 64 hex digits, or empty')
  .transform((value) => value.toLowerCase())

const numberLike = z.union([z.number(), z.string()])

/** Shares or USDC: exactly 6 decimals (Decimal(18,6)). */
const amount = numberLike.transform((value, ctx) => {
  const text = fixedDecimal(value, 6)
  if (text === undefined) {
    ctx.addIssue({ code: 'custom', message: `not an amount: ${JSON.stringify(value)}` })
    return z.NEVER
  }
  return text
})
const optionalAmount = amount.nullish().transform((value) => value ?? null)

/** Prices and percentages: the exact decimal text the API sent. */
const ratio = numberLike.transform((value, ctx) => {
  const text = decimalText(value)
  if (text === undefined) {
    ctx.addIssue({ code: 'custom', message: `not a number: ${JSON.stringify(value)}` })
    return z.NEVER
  }
  return text
})
const optionalRatio = ratio.nullish().transform((value) => value ?? null)

const text = z
  .string()
  .nullish()
  .transform((value) => value ?? null)
const flag = z
  .boolean()
  .nullish()
  .transform((value) => value ?? false)
const idText = z
  .union([z.string(), z.number().int()])
  .nullish()
  .transform((value) => (value === null || value === undefined || value === '' ? null : String(value)))

/** One position, as either API version reports it. */
export interface PositionRow {
  proxyWallet: string
  asset: string
  conditionId: string
  /** Shares held, 6 decimals. */
  size: string
  avgPrice: string | null
  initialValue: string | null
  currentValue: string | null
  cashPnl: string | null
  percentPnl: string | null
  totalBought: string | null
  realizedPnl: string | null
  percentRealizedPnl: string | null
  curPrice: string | null
  redeemable: boolean
  mergeable: boolean
  title: string | null
  slug: string | null
  eventId: string | null
  eventSlug: string | null
  outcome: string | null
  outcomeIndex: number | null
  oppositeOutcome: string | null
  oppositeAsset: string | null
  endDate: string | null
  negativeRisk: boolean
  /** v2 only: OPEN, REDEEMABLE, REDEEMABLE_LOST, MERGEABLE, CLOSED. */
  status: string | null
  /** v2 only: epoch seconds of the position's last trade. */
  lastEventAt: number | null
}

export const positionV1Schema = z
  .object({
    proxyWallet: address,
    asset: tokenId,
    conditionId,
    size: amount,
    avgPrice: optionalRatio,
    initialValue: optionalAmount,
    currentValue: optionalAmount,
    cashPnl: optionalAmount,
    percentPnl: optionalRatio,
    totalBought: optionalAmount,
    realizedPnl: optionalAmount,
    percentRealizedPnl: optionalRatio,
    curPrice: optionalRatio,
    redeemable: flag,
    mergeable: flag,
    title: text,
    slug: text,
    eventId: idText,
    eventSlug: text,
    outcome: text,
    outcomeIndex: z.number().int().nullish(),
    oppositeOutcome: text,
    oppositeAsset: tokenId.nullish(),
    endDate: text,
    negativeRisk: flag,
  })
  .transform(
    (row): PositionRow => ({
      ...row,
      outcomeIndex: row.outcomeIndex ?? null,
      oppositeAsset: row.oppositeAsset || null,
      endDate: row.endDate || null,
      status: null,
      lastEventAt: null,
    }),
  )

export const positionV2Schema = z
  .object({
    proxy_wallet: address,
    token_id: tokenId,
    condition_id: conditionId,
    current_size: amount,
    avg_price: optionalRatio,
    entry_cost_usdc: optionalAmount,
    current_value: optionalAmount,
    unrealized_pnl: optionalAmount,
    realized_pnl: optionalAmount,
    total_bought: optionalAmount,
    cur_price: optionalRatio,
    redeemable: flag,
    mergeable: flag,
    title: text,
    slug: text,
    event_id: idText,
    event_slug: text,
    outcome: text,
    outcome_index: z.number().int().nullish(),
    negative_risk: flag,
    end_date: text,
    status: text,
    last_event_at: z.number().int().nullish(),
  })
  .transform(
    (row): PositionRow => ({
      proxyWallet: row.proxy_wallet,
      asset: row.token_id,
      conditionId: row.condition_id,
      size: row.current_size,
      avgPrice: row.avg_price,
      initialValue: row.entry_cost_usdc,
      currentValue: row.current_value,
      cashPnl: row.unrealized_pnl,
      percentPnl: null,
      totalBought: row.total_bought,
      realizedPnl: row.realized_pnl,
      percentRealizedPnl: null,
      curPrice: row.cur_price,
      redeemable: row.redeemable,
      mergeable: row.mergeable,
      title: row.title,
      slug: row.slug,
      eventId: row.event_id,
      eventSlug: row.event_slug,
      outcome: row.outcome,
      outcomeIndex: row.outcome_index ?? null,
      oppositeOutcome: null,
      oppositeAsset: null,
      endDate: row.end_date || null,
      negativeRisk: row.negative_risk,
      status: row.status,
      lastEventAt: row.last_event_at ?? null,
    }),
  )

/**
 * v1 `/closed-positions` rows (fixtures/polymarket/data-api/polyprinter_closed_positions_sample.json):
 * no `size` (the position is gone), `endDate` in ISO form, and a `timestamp` of closing.
 */
export const closedPositionV1Schema = z.object({
  proxyWallet: address,
  asset: tokenId,
  conditionId,
  avgPrice: optionalRatio,
  totalBought: optionalAmount,
  realizedPnl: optionalAmount,
  curPrice: optionalRatio,
  title: text,
  slug: text,
  eventSlug: text,
  outcome: text,
  outcomeIndex: z.number().int().nullish(),
  oppositeOutcome: text,
  oppositeAsset: tokenId.nullish(),
  endDate: text,
  timestamp: z.number().int().nullish(),
})

/** v1 `/positions`: a bare array; rows stay raw so each is validated (and quarantined) alone. */
export const positionsV1PageSchema = z.array(z.unknown())

/** v2 `/v2/positions`: `data` may be null for a wallet with nothing ("a documented miss", not an error). */
export const positionsV2PageSchema = z
  .object({
    data: z.array(z.unknown()).nullable(),
    pagination: z.object({
      next_cursor: z.string().nullish(),
      has_more: z.boolean(),
      limit: z.number().int().optional(),
    }),
  })
  .transform((page) => ({
    records: page.data ?? [],
    nextCursor: page.pagination.next_cursor || undefined,
    hasMore: page.pagination.has_more,
  }))
