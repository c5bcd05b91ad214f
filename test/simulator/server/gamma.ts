// Gamma (gamma-api.polymarket.com): keyset walks, legacy offset lists, single records, tags.
import { eventJson } from '../world/event-json.ts'
import type { World } from '../world/index.ts'
import { type JsonObject, marketJson } from '../world/market-json.ts'
import { TAGS } from '../world/texts.ts'
import { type CursorSigner, filterBinding, keysetLastId, keysetPayload } from './cursor.ts'
import { eventMatches, type ListFilters, marketMatches, parseListFilters } from './gamma-filters.ts'
import {
  boolParam,
  gammaError,
  intParam,
  isError,
  json,
  type Routed,
  type SimRequest,
  type SimResponse,
} from './route.ts'

/** `/markets/keyset` pages hold at most 100 markets; larger limits are clamped silently (DESIGN.md, nautilus docs). */
export const MARKETS_KEYSET_MAX = 100
/** `/events/keyset` pages hold at most 500 events, clamped silently likewise. */
export const EVENTS_KEYSET_MAX = 500
/** Page size when `limit` is absent: not documented; 20 is Gamma's legacy list default (assumption). */
export const DEFAULT_PAGE = 20
/** Legacy offset lists refuse offsets past ~2,000 with 422 (DESIGN.md "Sources", issue 3). */
export const LEGACY_OFFSET_MAX = 2_000
/** Largest legacy page (assumption; the real cap is undocumented). */
export const LEGACY_LIMIT_MAX = 500

const SCHEMA_BASE = 'https://gamma-api.polymarket.com/schemas/'
/** Parameters that do not bind a cursor: paging itself and the `include_tag` projection. */
const NOT_FILTERS = ['after_cursor', 'cursor', 'limit', 'include_tag', 'offset']

const MARKETS = ['gamma-general', 'gamma-markets'] as const
const EVENTS = ['gamma-general', 'gamma-events'] as const

type Kind = 'markets' | 'events'

export function routeGamma(world: World, signer: CursorSigner, req: SimRequest): Routed | undefined {
  const path = req.path.replace(/\/+$/, '') || '/'
  const segments = path.split('/').filter(Boolean)
  const [kind, second, third] = segments as [string | undefined, string | undefined, string | undefined]
  if (req.method !== 'GET') return undefined
  if (kind === 'markets' || kind === 'events') {
    const buckets = kind === 'markets' ? MARKETS : EVENTS
    if (segments.length === 1) {
      return {
        endpoint: `gamma /${kind}`,
        buckets: [...buckets, 'gamma-listing'],
        cost: 1,
        handle: () => legacyList(world, kind, req.query),
      }
    }
    if (second === 'keyset' && segments.length === 2) {
      return {
        endpoint: `gamma /${kind}/keyset`,
        buckets: [...buckets, 'gamma-listing'],
        cost: 1,
        handle: () => keysetPage(world, signer, kind, req.query),
      }
    }
    if (segments.length === 2 || (second === 'slug' && third)) {
      return {
        endpoint: `gamma /${kind}/{id}`,
        buckets,
        cost: 1,
        handle: () => single(world, kind, second === 'slug' ? { slug: third } : { id: second }),
      }
    }
  }
  if (kind === 'tags' && segments.length === 1) {
    return {
      endpoint: 'gamma /tags',
      buckets: ['gamma-general', 'gamma-tags'],
      cost: 1,
      handle: () => tags(req.query),
    }
  }
  return undefined
}

function render(world: World, kind: Kind, index: number, includeTags: boolean): JsonObject {
  return kind === 'markets'
    ? marketJson(world.catalog, index, { embedEvent: true, includeTags })
    : eventJson(world.catalog, index)
}

function idOf(world: World, kind: Kind, index: number): number {
  return (kind === 'markets' ? world.catalog.marketIds[index] : world.catalog.eventIds[index]) as number
}

/** Indices from `start` on that pass the filters, up to `want` of them. */
function collect(world: World, kind: Kind, filters: ListFilters, start: number, want: number): number[] {
  const catalog = world.catalog
  const total = kind === 'markets' ? catalog.marketCount : catalog.eventCount
  const matches = kind === 'markets' ? marketMatches : eventMatches
  const found: number[] = []
  for (let i = start; i < total && found.length < want; i++) if (matches(catalog, i, filters)) found.push(i)
  return found
}

function keysetPage(world: World, signer: CursorSigner, kind: Kind, query: URLSearchParams): SimResponse {
  const filters = parseListFilters(query)
  if (isError(filters)) return gammaError(400, filters.error)
  const includeTags = boolParam(query, 'include_tag')
  if (isError(includeTags)) return gammaError(400, includeTags.error)
  const max = kind === 'markets' ? MARKETS_KEYSET_MAX : EVENTS_KEYSET_MAX
  const requested = intParam(query, 'limit', DEFAULT_PAGE, 0, Number.MAX_SAFE_INTEGER)
  if (isError(requested)) return gammaError(400, requested.error)
  const limit = Math.min(requested === 0 ? DEFAULT_PAGE : requested, max)
  const binding = `${kind}?${filterBinding(query, NOT_FILTERS)}`
  let start = 0
  const after = query.get('after_cursor')
  if (after) {
    const lastId = keysetLastId(signer.verify(after, binding), kind)
    if (lastId === undefined) {
      return gammaError(
        400,
        'invalid after_cursor: it is malformed or was issued for different filters; resend the filters of the first page',
      )
    }
    start =
      kind === 'markets' ? world.catalog.marketIndexAfter(lastId) : world.catalog.eventIndexAfter(lastId)
  }
  // `cursor=` is not a parameter of these endpoints and is ignored (Polymarket/agents#227).
  const found = collect(world, kind, filters, start, limit + 1)
  const page = found.slice(0, limit)
  const body: JsonObject = {
    $schema: `${SCHEMA_BASE}${kind === 'markets' ? 'Markets' : 'Events'}KeysetListResponse.json`,
  }
  body[kind] = page.map((i) => render(world, kind, i, includeTags === true))
  if (found.length > limit)
    body.next_cursor = signer.sign(
      keysetPayload(kind, idOf(world, kind, page[page.length - 1] as number)),
      binding,
    )
  return json(200, body)
}

function legacyList(world: World, kind: Kind, query: URLSearchParams): SimResponse {
  const filters = parseListFilters(query)
  if (isError(filters)) return gammaError(400, filters.error)
  const includeTags = boolParam(query, 'include_tag')
  if (isError(includeTags)) return gammaError(400, includeTags.error)
  const offset = intParam(query, 'offset', 0, 0, Number.MAX_SAFE_INTEGER)
  if (isError(offset)) return gammaError(400, offset.error)
  if (offset > LEGACY_OFFSET_MAX) {
    return gammaError(422, `offset too large, use /${kind}/keyset for deeper pagination`)
  }
  const requested = intParam(query, 'limit', DEFAULT_PAGE, 0, Number.MAX_SAFE_INTEGER)
  if (isError(requested)) return gammaError(400, requested.error)
  const limit = Math.min(requested, LEGACY_LIMIT_MAX)
  const found = collect(world, kind, filters, 0, offset + limit).slice(offset)
  return json(
    200,
    found.map((i) => render(world, kind, i, includeTags === true)),
  )
}

function single(
  world: World,
  kind: Kind,
  key: { id?: string | undefined; slug?: string | undefined },
): SimResponse {
  const catalog = world.catalog
  let index = -1
  if (key.id !== undefined) {
    if (!/^\d+$/.test(key.id)) return gammaError(400, `id must be numeric, got '${key.id}'`)
    index =
      kind === 'markets' ? catalog.marketIndexById(Number(key.id)) : catalog.eventIndexById(Number(key.id))
  } else if (key.slug !== undefined) {
    const filters = parseListFilters(new URLSearchParams({ slug: key.slug })) as ListFilters
    index = collect(world, kind, filters, 0, 1)[0] ?? -1
  }
  if (index < 0) return gammaError(404, 'record not found')
  return json(
    200,
    kind === 'markets'
      ? marketJson(catalog, index, { embedEvent: true, includeTags: false })
      : eventJson(catalog, index),
  )
}

function tags(query: URLSearchParams): SimResponse {
  const offset = intParam(query, 'offset', 0, 0, Number.MAX_SAFE_INTEGER)
  const limit = intParam(query, 'limit', 100, 0, 1_000)
  if (isError(offset)) return gammaError(400, offset.error)
  if (isError(limit)) return gammaError(400, limit.error)
  return json(200, TAGS.slice(offset, offset + limit))
}
