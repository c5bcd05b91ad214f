// What the Gamma pollers ask for. Everything goes through the keyset endpoints the backfill walks
// (never the legacy lists, sunset by Polymarket, nor the events' embedded markets, which lack
// `events` and `tags`), so a record re-fetched by any poller has the shape the backfill stored and
// the change test (changes.ts) compares like with like.
import {
  EVENTS_PAGE_LIMIT,
  type KeysetKind,
  MARKETS_PAGE_LIMIT,
  type Validated,
  walkKeyset,
} from '../../extract/gamma/keyset.ts'
import type { GammaEvent, GammaMarket } from '../../extract/gamma/schemas.ts'
import type { HttpClient } from '../../extract/http/client.ts'

export interface GammaSource {
  http: HttpClient
  gammaUrl: string
}

export type GammaRecord = Validated<GammaMarket> | Validated<GammaEvent>

/** Walks a keyset listing to its end, handing each page to `onPage`; InterruptedError once `signal` aborts. */
export async function walkListing(
  source: GammaSource,
  kind: KeysetKind,
  filters: Record<string, string | readonly string[]>,
  signal: AbortSignal,
  onPage: (records: GammaRecord[]) => Promise<void>,
): Promise<void> {
  const walk = { http: source.http, baseUrl: source.gammaUrl, kind, filters, signal }
  // A page holds one kind's records: Validated<GammaMarket>[] or Validated<GammaEvent>[].
  for await (const page of walkKeyset(walk)) await onPage(page.records as GammaRecord[])
}

/**
 * The `count` open events with the largest volume, largest first:
 * `/events/keyset?closed=false&order=volume&ascending=false` (closed is always sent: the real
 * `/events` defaults to closed=true when it is absent, Polymarket/polymarket-cli#71).
 */
export async function fetchHotEvents(
  source: GammaSource,
  count: number,
  signal: AbortSignal,
): Promise<Validated<GammaEvent>[]> {
  const hot: Validated<GammaEvent>[] = []
  const filters = { closed: 'false', order: 'volume', ascending: 'false' }
  const limit = Math.min(count, EVENTS_PAGE_LIMIT)
  const walk = {
    http: source.http,
    baseUrl: source.gammaUrl,
    kind: 'events' as const,
    filters,
    signal,
    limit,
  }
  for await (const page of walkKeyset(walk)) {
    hot.push(...page.records)
    if (hot.length >= count) break
  }
  return hot.slice(0, count)
}

/** Markets or events by Gamma id, a page of ids per request (`?id=1&id=2…`), open or closed. */
export async function fetchByIds(
  source: GammaSource,
  kind: KeysetKind,
  ids: readonly string[],
  signal: AbortSignal,
  onPage: (records: GammaRecord[]) => Promise<void>,
): Promise<void> {
  const perRequest = kind === 'markets' ? MARKETS_PAGE_LIMIT : EVENTS_PAGE_LIMIT
  for (let i = 0; i < ids.length && !signal.aborted; i += perRequest)
    await walkListing(source, kind, { id: ids.slice(i, i + perRequest) }, signal, onPage)
}

/** The Gamma id of a record, read from its raw payload (a record that failed validation has one too). */
export function rawId(record: GammaRecord): string | undefined {
  const id = (record.raw as { id?: unknown } | null)?.id
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined
}

/** The ids of the markets an event lists, from its raw payload. */
export function rawMarketIds(record: GammaRecord): string[] {
  const markets = (record.raw as { markets?: unknown } | null)?.markets
  if (!Array.isArray(markets)) return []
  return markets.flatMap((market) => {
    const id = (market as { id?: unknown } | null)?.id
    return typeof id === 'string' || typeof id === 'number' ? [String(id)] : []
  })
}
