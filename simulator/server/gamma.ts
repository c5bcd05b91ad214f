// Gamma (gamma-api.polymarket.com): keyset walks, legacy offset lists, single records, tags.
// `order=volume|id` with `ascending` sorts lists (the hot-events poll of `polyhouse sync` asks for
// `/events/keyset?closed=false&order=volume&ascending=false`); overrides (gamma-overrides.ts) change
// what is served after start.
import { eventJson } from '../world/event-json.ts'
import type { World } from '../world/index.ts'
import { type JsonObject, marketJson } from '../world/market-json.ts'
import { TAGS } from '../world/texts.ts'
import { type CursorSigner, filterBinding, keysetLastId, keysetPayload } from './cursor.ts'
import { type ListFilters, parseListFilters } from './gamma-filters.ts'
import { GammaOverrides } from './gamma-overrides.ts'
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

/** `/markets/keyset` pages hold at most 100 markets; larger limits are clamped silently (Polymarket's documentation, nautilus docs). */
export const MARKETS_KEYSET_MAX = 100
/** `/events/keyset` pages hold at most 500 events, clamped silently likewise. */
export const EVENTS_KEYSET_MAX = 500
/** Page size when `limit` is absent: not documented; 20 is Gamma's legacy list default (assumption). */
export const DEFAULT_PAGE = 20
/** Legacy offset lists refuse offsets past ~2,000 with 422 (Polymarket's documentation, docs.polymarket.com). */
export const LEGACY_OFFSET_MAX = 2_000
/** Largest legacy page (assumption; the real cap is undocumented). */
export const LEGACY_LIMIT_MAX = 500

const SCHEMA_BASE = 'https://gamma-api.polymarket.com/schemas/'
/** Parameters that do not bind a cursor: paging itself and the `include_tag` projection. */
const NOT_FILTERS = ['after_cursor', 'cursor', 'limit', 'include_tag', 'offset']
/** Keys `order` accepts here (the real API takes any field name; these are the ones polyhouse uses). */
const ORDER_KEYS = ['volume', 'id', 'startDate']

const MARKETS = ['gamma-general', 'gamma-markets'] as const
const EVENTS = ['gamma-general', 'gamma-events'] as const

type Kind = 'markets' | 'events'

export interface GammaBehaviour {
  /** Serve every list as if `start_date_*`/`end_date_*` were absent (a server that ignores them). */
  ignoreDateFilters?: boolean
}

export function routeGamma(
  world: World,
  signer: CursorSigner,
  req: SimRequest,
  overrides: GammaOverrides = new GammaOverrides(world.catalog),
  behaviour: GammaBehaviour = {},
): Routed | undefined {
  const served: Served = { world, overrides, ignoreDateFilters: behaviour.ignoreDateFilters === true }
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
        handle: () => legacyList(served, kind, req.query),
      }
    }
    if (second === 'keyset' && segments.length === 2) {
      return {
        endpoint: `gamma /${kind}/keyset`,
        buckets: [...buckets, 'gamma-listing'],
        cost: 1,
        handle: () => keysetPage(served, signer, kind, req.query),
      }
    }
    if (segments.length === 2 || (second === 'slug' && third)) {
      return {
        endpoint: `gamma /${kind}/{id}`,
        buckets,
        cost: 1,
        handle: () => single(served, kind, second === 'slug' ? { slug: third } : { id: second }),
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

/** The world as served: the catalog with the overrides applied. */
interface Served {
  world: World
  overrides: GammaOverrides
  ignoreDateFilters: boolean
}

/** The list filters as this server applies them: without the date bounds when it ignores them. */
function listFilters(served: Served, query: URLSearchParams): ListFilters | { error: string } {
  const filters = parseListFilters(query)
  if (isError(filters) || !served.ignoreDateFilters) return filters
  const { startMin: _a, startMax: _b, endMin: _c, endMax: _d, ...rest } = filters
  return rest
}

function render({ world, overrides }: Served, kind: Kind, index: number, includeTags: boolean): JsonObject {
  return kind === 'markets'
    ? overrides.applyMarket(index, marketJson(world.catalog, index, { embedEvent: true, includeTags }))
    : overrides.applyEvent(index, eventJson(world.catalog, index))
}

function idOf(world: World, kind: Kind, index: number): number {
  return (kind === 'markets' ? world.catalog.marketIds[index] : world.catalog.eventIds[index]) as number
}

function matches(served: Served, kind: Kind, index: number, filters: ListFilters): boolean {
  return kind === 'markets'
    ? served.overrides.marketMatches(index, filters, () => render(served, kind, index, false))
    : served.overrides.eventMatches(index, filters)
}

/** Indices from `start` on that pass the filters, up to `want` of them. */
function collect(served: Served, kind: Kind, filters: ListFilters, start: number, want: number): number[] {
  const catalog = served.world.catalog
  const total = kind === 'markets' ? catalog.marketCount : catalog.eventCount
  const found: number[] = []
  for (let i = start; i < total && found.length < want; i++)
    if (matches(served, kind, i, filters)) found.push(i)
  return found
}

/** Indices below `before` (all when undefined), highest first, that pass the filters, up to `want`. */
function collectDescending(
  served: Served,
  kind: Kind,
  filters: ListFilters,
  before: number | undefined,
  want: number,
): number[] {
  const catalog = served.world.catalog
  const total = kind === 'markets' ? catalog.marketCount : catalog.eventCount
  const found: number[] = []
  for (let i = (before ?? total) - 1; i >= 0 && found.length < want; i--)
    if (matches(served, kind, i, filters)) found.push(i)
  return found
}

/** `order` and `ascending` (default true, as the Gamma docs say); undefined: id order. */
function parseOrder(
  query: URLSearchParams,
): { key: string; ascending: boolean } | undefined | { error: string } {
  const key = query.get('order')
  if (key === null || key === '') return undefined
  if (!ORDER_KEYS.includes(key))
    return { error: `order: the simulator sorts by ${ORDER_KEYS.join(' or ')}, not '${key}'` }
  const ascending = boolParam(query, 'ascending')
  if (isError(ascending)) return ascending
  return { key, ascending: ascending ?? true }
}

/** Every index passing the filters, sorted by `order` (ties by id, so pages are stable). */
function sorted(
  served: Served,
  kind: Kind,
  filters: ListFilters,
  order: { key: string; ascending: boolean },
): number[] {
  const all = collect(served, kind, filters, 0, Number.POSITIVE_INFINITY)
  const value = (i: number): number | undefined =>
    order.key === 'id'
      ? idOf(served.world, kind, i)
      : order.key === 'startDate'
        ? startOf(served, kind, i)
        : kind === 'markets'
          ? served.overrides.marketVolume(i)
          : served.overrides.eventVolume(i)
  const sign = order.ascending ? 1 : -1
  // A record without the sort key sorts as PostgreSQL sorts NULL: larger than any value, so last
  // when ascending and first when descending ("NULLS FIRST is the default for DESC order",
  // PostgreSQL manual, ORDER BY). Ties and NULLs among themselves go by id, so pages are stable.
  const key = (i: number) => value(i) ?? Number.POSITIVE_INFINITY
  return all.sort((a, b) => sign * compare(key(a), key(b)) || a - b)
}

function compare(a: number, b: number): number {
  return a === b ? 0 : a < b ? -1 : 1
}

/** A record's startDate in epoch ms as served, undefined when it has none. */
function startOf(served: Served, kind: Kind, index: number): number | undefined {
  return kind === 'markets' ? served.overrides.marketStart(index) : served.overrides.eventStart(index)
}

function keysetPage(served: Served, signer: CursorSigner, kind: Kind, query: URLSearchParams): SimResponse {
  const world = served.world
  const filters = listFilters(served, query)
  if (isError(filters)) return gammaError(400, filters.error)
  const order = parseOrder(query)
  if (isError(order)) return gammaError(400, order.error)
  const includeTags = boolParam(query, 'include_tag')
  if (isError(includeTags)) return gammaError(400, includeTags.error)
  const max = kind === 'markets' ? MARKETS_KEYSET_MAX : EVENTS_KEYSET_MAX
  const requested = intParam(query, 'limit', DEFAULT_PAGE, 0, Number.MAX_SAFE_INTEGER)
  if (isError(requested)) return gammaError(400, requested.error)
  const limit = Math.min(requested === 0 ? DEFAULT_PAGE : requested, max)
  const binding = `${kind}?${filterBinding(query, NOT_FILTERS)}`
  let start = 0
  let lastId: number | undefined
  const after = query.get('after_cursor')
  if (after) {
    lastId = keysetLastId(signer.verify(after, binding), kind)
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
  let found: number[]
  if (order?.key === 'id') {
    // Ids grow with the index: id order is index order, walked either way without sorting the list.
    found = order.ascending
      ? collect(served, kind, filters, start, limit + 1)
      : collectDescending(served, kind, filters, lastId === undefined ? undefined : start - 1, limit + 1)
  } else if (order) {
    const all = sorted(served, kind, filters, order)
    const from = lastId === undefined ? 0 : all.findIndex((i) => idOf(world, kind, i) === lastId) + 1
    found = all.slice(from, from + limit + 1)
  } else found = collect(served, kind, filters, start, limit + 1)
  const page = found.slice(0, limit)
  const body: JsonObject = {
    $schema: `${SCHEMA_BASE}${kind === 'markets' ? 'Markets' : 'Events'}KeysetListResponse.json`,
  }
  body[kind] = page.map((i) => render(served, kind, i, includeTags === true))
  if (found.length > limit)
    body.next_cursor = signer.sign(
      keysetPayload(kind, idOf(world, kind, page[page.length - 1] as number)),
      binding,
    )
  return json(200, body)
}

function legacyList(served: Served, kind: Kind, query: URLSearchParams): SimResponse {
  const filters = listFilters(served, query)
  if (isError(filters)) return gammaError(400, filters.error)
  const order = parseOrder(query)
  if (isError(order)) return gammaError(400, order.error)
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
  const found = (
    order ? sorted(served, kind, filters, order) : collect(served, kind, filters, 0, offset + limit)
  ).slice(offset, offset + limit)
  return json(
    200,
    found.map((i) => render(served, kind, i, includeTags === true)),
  )
}

function single(
  served: Served,
  kind: Kind,
  key: { id?: string | undefined; slug?: string | undefined },
): SimResponse {
  const catalog = served.world.catalog
  let index = -1
  if (key.id !== undefined) {
    if (!/^\d+$/.test(key.id)) return gammaError(400, `id must be numeric, got '${key.id}'`)
    index =
      kind === 'markets' ? catalog.marketIndexById(Number(key.id)) : catalog.eventIndexById(Number(key.id))
  } else if (key.slug !== undefined) {
    const filters = parseListFilters(new URLSearchParams({ slug: key.slug })) as ListFilters
    index = collect(served, kind, filters, 0, 1)[0] ?? -1
  }
  if (index < 0) return gammaError(404, 'record not found')
  return json(
    200,
    kind === 'markets'
      ? served.overrides.applyMarket(
          index,
          marketJson(catalog, index, { embedEvent: true, includeTags: false }),
        )
      : served.overrides.applyEvent(index, eventJson(catalog, index)),
  )
}

function tags(query: URLSearchParams): SimResponse {
  const offset = intParam(query, 'offset', 0, 0, Number.MAX_SAFE_INTEGER)
  const limit = intParam(query, 'limit', 100, 0, 1_000)
  if (isError(offset)) return gammaError(400, offset.error)
  if (isError(limit)) return gammaError(400, limit.error)
  return json(200, TAGS.slice(offset, offset + limit))
}
