// Walking a Gamma keyset list (/markets/keyset, /events/keyset): pass the previous next_cursor as
// after_cursor, re-send identical filters on every page, stop when next_cursor is absent. One walk
// is sequential by nature; concurrency comes from walking disjoint partitions (see partitions.ts).
import { NonRetryableError } from '../../core/errors.ts'
import type { HttpClient } from '../http/client.ts'
import { eventsKeysetPageSchema, marketsKeysetPageSchema } from './schemas.ts'

/** Page sizes Gamma serves at most; larger limits are clamped silently (DESIGN.md "Sources"). */
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

export interface WalkOptions<T> {
  http: HttpClient
  baseUrl: string
  kind: KeysetKind
  /**
   * Filters of this partition, sent unchanged with every page (the cursor is bound to them). A list
   * repeats its parameter (`id=1&id=2`), as Gamma takes several ids.
   */
  filters: Record<string, string | readonly string[]>
  /** Records per page: the kind's page limit unless smaller (the top N events of `polyhouse sync`). */
  limit?: number
  /** Validates one record; a failure is quarantined, the rest of the page goes on. */
  parse: (raw: unknown) => Validated<T>
  signal?: AbortSignal
}

/** Fetches the page after `afterCursor` (the first page when empty). */
export async function fetchKeysetPage<T>(
  options: WalkOptions<T>,
  afterCursor: string,
): Promise<KeysetPage<T>> {
  const url = new URL(`${options.baseUrl}/${options.kind}/keyset`)
  const max = options.kind === 'markets' ? MARKETS_PAGE_LIMIT : EVENTS_PAGE_LIMIT
  const limit = Math.min(options.limit ?? max, max)
  for (const [name, value] of Object.entries(options.filters)) {
    if (typeof value === 'string') url.searchParams.set(name, value)
    else for (const item of value) url.searchParams.append(name, item)
  }
  url.searchParams.set('limit', String(limit))
  if (afterCursor) url.searchParams.set('after_cursor', afterCursor)
  const page = await options.http.fetchJson(
    options.kind === 'markets' ? 'gamma-markets' : 'gamma-events',
    url,
    {
      schema: options.kind === 'markets' ? marketsKeysetPageSchema : eventsKeysetPageSchema,
      signal: options.signal,
    },
  )
  const nextCursor = page.nextCursor
  if (nextCursor && nextCursor === afterCursor) {
    throw new NonRetryableError(
      `${options.kind} keyset returned the cursor it was given (${url}): the walk would loop`,
    )
  }
  return {
    records: page.records.map(options.parse),
    nextCursor,
  }
}
