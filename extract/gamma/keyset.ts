// Walking a Gamma keyset list (/markets/keyset, /events/keyset): pass the previous next_cursor as
// after_cursor, re-send identical filters on every page, stop when next_cursor is absent. One walk
// is sequential by nature; concurrency comes from walking disjoint partitions (see partitions.ts).
import { InterruptedError, RepeatedCursorError } from '../../core/errors.ts'
import type { HttpClient } from '../http/client.ts'
import { parseEvent, parseMarket } from './records.ts'
import {
  eventsKeysetPageSchema,
  type GammaEvent,
  type GammaMarket,
  marketsKeysetPageSchema,
} from './schemas.ts'

/** Page sizes Gamma serves at most; larger limits are clamped silently (Polymarket's documentation, docs.polymarket.com). */
export const MARKETS_PAGE_LIMIT = 100
export const EVENTS_PAGE_LIMIT = 500

export type KeysetKind = 'markets' | 'events'

/** One record as it came (for `raw` and the quarantine) with the outcome of its validation. */
export type Validated<T> =
  | { ok: true; value: T; raw: unknown }
  | { ok: false; reason: string; raw: unknown; key?: string }

export interface KeysetPage<T> {
  records: Validated<T>[]
  /** The cursor that continues after this page; absent on the last page. */
  nextCursor: string | undefined
}

/** What each kind's records are, once validated. */
export interface KeysetRecord {
  markets: GammaMarket
  events: GammaEvent
}

export interface WalkOptions<K extends KeysetKind> {
  http: HttpClient
  baseUrl: string
  kind: K
  /**
   * Filters of this partition, sent unchanged with every page (the cursor is bound to them). A list
   * repeats its parameter (`id=1&id=2`), as Gamma takes several ids.
   */
  filters: Record<string, string | readonly string[]>
  /** Records per page: the kind's page limit unless smaller (the top N events of `polyhouse sync`). */
  limit?: number
  signal?: AbortSignal
}

/** One page of a walk, with the cursor it was fetched after ('' for the first page). */
export interface WalkedPage<T> extends KeysetPage<T> {
  cursor: string
}

/**
 * Walks a keyset listing from `startCursor` ('' for its beginning) to its end, a page per step. The
 * next page is fetched only when the consumer asks for it, so a consumer waiting for room in its
 * committer holds the walk. Throws RepeatedCursorError, before yielding the page, when a page hands
 * back a cursor this walk already followed (the walk would loop), and InterruptedError once `signal`
 * aborted between pages.
 */
export async function* walkKeyset<K extends KeysetKind>(
  options: WalkOptions<K>,
  startCursor = '',
): AsyncGenerator<WalkedPage<KeysetRecord[K]>, void, undefined> {
  const followed = new Set([startCursor])
  let cursor = startCursor
  for (;;) {
    if (options.signal?.aborted) {
      throw new InterruptedError(`stopped walking the ${options.kind} keyset`, {
        cause: options.signal.reason,
      })
    }
    const page = await fetchKeysetPage(options, cursor)
    if (page.nextCursor && followed.has(page.nextCursor)) {
      throw new RepeatedCursorError(
        `${options.kind} keyset ${JSON.stringify(options.filters)}`,
        page.nextCursor,
      )
    }
    yield { ...page, cursor }
    if (!page.nextCursor) return
    followed.add(page.nextCursor)
    cursor = page.nextCursor
  }
}

/**
 * Fetches the page after `afterCursor` (the first page when empty). Markets come with their tags
 * (`include_tag=true`: the tags table and the change test of `polyhouse sync` read them); each
 * record is validated on its own, so a drifted one is quarantined and the page goes on.
 */
async function fetchKeysetPage<K extends KeysetKind>(
  options: WalkOptions<K>,
  afterCursor: string,
): Promise<KeysetPage<KeysetRecord[K]>> {
  const markets = options.kind === 'markets'
  const url = new URL(`${options.baseUrl}/${options.kind}/keyset`)
  const max = markets ? MARKETS_PAGE_LIMIT : EVENTS_PAGE_LIMIT
  const limit = Math.min(options.limit ?? max, max)
  for (const [name, value] of Object.entries(options.filters)) {
    if (typeof value === 'string') url.searchParams.set(name, value)
    else for (const item of value) url.searchParams.append(name, item)
  }
  if (markets) url.searchParams.set('include_tag', 'true')
  url.searchParams.set('limit', String(limit))
  if (afterCursor) url.searchParams.set('after_cursor', afterCursor)
  const page = await options.http.fetchJson(markets ? 'gamma-markets' : 'gamma-events', url, {
    schema: markets ? marketsKeysetPageSchema : eventsKeysetPageSchema,
    signal: options.signal,
  })
  const parse = (markets ? parseMarket : parseEvent) as (raw: unknown) => Validated<KeysetRecord[K]>
  return { records: page.records.map(parse), nextCursor: page.nextCursor }
}
