// Gamma records (already validated and decoded by extract/gamma/schemas.ts) as warehouse rows.
// Nothing is re-encoded: arrays go in as arrays, token ids as decimal text into UInt256.
import { fixedDecimal } from '../../extract/decimal.ts'
import type { GammaEvent, GammaMarket, GammaTag } from '../../extract/gamma/schemas.ts'

export interface EventTitle {
  eventId: string
  slug: string
  title: string
}

/** USDC amounts into Decimal(18,6); a missing amount is zero, as Gamma shows it. */
function usdc(value: string | null | undefined): string {
  return (value && fixedDecimal(value, 6)) || '0'
}

/** Prices into Decimal(38,18): at most 18 decimals, as sent. */
function price(value: string): string {
  return fixedDecimal(value, 18) ?? '0'
}

/**
 * The event a market belongs to: its embedded event, with the title completed from events already
 * in the warehouse when the embedded summary lacks one (the "orphans").
 */
export function eventOf(market: GammaMarket, known: ReadonlyMap<string, EventTitle>): EventTitle | undefined {
  const embedded = market.events[0]
  if (!embedded?.id) return undefined
  const title = embedded.title || known.get(embedded.id)?.title || ''
  const slug = embedded.slug || known.get(embedded.id)?.slug || ''
  return { eventId: embedded.id, slug, title }
}

export function marketRow(market: GammaMarket, raw: unknown, runId: string, event: EventTitle | undefined) {
  return {
    market_id: market.id,
    condition_id: market.conditionId,
    question_id: market.questionId ?? '',
    slug: market.slug ?? '',
    question: market.question ?? '',
    description: market.description ?? '',
    outcomes: market.outcomes,
    outcome_prices: market.outcomePrices.map(price),
    clob_token_ids: market.clobTokenIds,
    event_id: event?.eventId ?? '0',
    event_slug: event?.slug ?? '',
    event_title: event?.title ?? '',
    tags: market.tags.map((tag) => tag.slug),
    active: market.active,
    closed: market.closed,
    archived: market.archived ?? false,
    neg_risk: market.negRisk,
    enable_order_book: market.enableOrderBook ?? false,
    start_date: market.startDate,
    end_date: market.endDate,
    closed_time: market.closedTime,
    created_at: market.createdAt,
    updated_at: market.updatedAt,
    volume: usdc(market.volume),
    liquidity: usdc(market.liquidity),
    raw: JSON.stringify(raw),
    _run_id: runId,
  }
}

/** One row per outcome token: how an on-chain token id finds its market and outcome. */
export function tokenRows(market: GammaMarket, runId: string) {
  return market.clobTokenIds.map((tokenId, index) => ({
    token_id: tokenId,
    condition_id: market.conditionId,
    market_id: market.id,
    outcome_index: index,
    outcome: market.outcomes[index] ?? '',
    _run_id: runId,
  }))
}

/**
 * An event's raw payload without its embedded markets, which keyset pages repeat in full: each
 * market's own raw is in `markets`, and keeping them twice made events ten times the size of the
 * markets they list. Their ids stay in `market_ids`.
 */
function eventPayload(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || !Array.isArray((raw as { markets?: unknown }).markets))
    return raw
  const { markets, ...rest } = raw as { markets: { id?: unknown }[] }
  return { ...rest, markets: markets.map((market) => ({ id: market?.id })) }
}

export function eventRow(event: GammaEvent, raw: unknown, runId: string) {
  return {
    event_id: event.id,
    slug: event.slug ?? '',
    ticker: event.ticker ?? '',
    title: event.title ?? '',
    description: event.description ?? '',
    market_ids: event.marketIds,
    tags: event.tags.map((tag) => tag.slug),
    active: event.active ?? false,
    closed: event.closed ?? false,
    archived: event.archived ?? false,
    neg_risk: event.negRisk ?? false,
    neg_risk_market_id: event.negRiskMarketId ?? '',
    start_date: event.startDate,
    end_date: event.endDate,
    closed_time: event.closedTime,
    created_at: event.createdAt,
    updated_at: event.updatedAt,
    volume: usdc(event.volume),
    liquidity: usdc(event.liquidity),
    raw: JSON.stringify(eventPayload(raw)),
    _run_id: runId,
  }
}

/** Tags embedded in records, each with its raw object, once per id. */
export function tagRows(tags: readonly { tag: GammaTag; raw: unknown }[], runId: string) {
  const byId = new Map<string, { tag: GammaTag; raw: unknown }>()
  for (const entry of tags) byId.set(entry.tag.id, entry)
  return [...byId.values()].map(({ tag, raw }) => ({
    tag_id: tag.id,
    slug: tag.slug,
    label: tag.label,
    raw: JSON.stringify(raw),
    _run_id: runId,
  }))
}

/** The tags of a validated record paired with their raw objects (same order in both). */
export function tagsWithRaw(tags: readonly GammaTag[], raw: unknown): { tag: GammaTag; raw: unknown }[] {
  const rawTags = (raw as { tags?: unknown[] } | null)?.tags ?? []
  return tags.map((tag, index) => ({ tag, raw: rawTags[index] ?? tag }))
}
