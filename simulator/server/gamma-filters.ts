// Gamma list filters (`closed`, `id`, `slug`, `condition_ids`, `clob_token_ids`, `tag_id`,
// `start_date_min/max`, `end_date_min/max`) and the test each market or event must pass.
import { type Catalog, MarketFlag } from '../world/catalog.ts'
import { eventFacts, eventStartMs } from '../world/event-json.ts'
import { clobTokenIds, marketSlug, marketStartMs } from '../world/market-json.ts'
import { tagsFor } from '../world/texts.ts'
import { boolParam, isError, listParam } from './route.ts'

export interface ListFilters {
  /**
   * Absent `closed` means closed=false for plain listings (polyoxide-gamma documents "defaults to
   * false upstream"), but not when records are named by id, slug, condition or token id: the real
   * `/events?slug=fifwc-eng-arg-2026-07-15` returned a closed event without `closed` (fixture
   * polytrage_events-slug-…json). undefined: both.
   */
  closed: boolean | undefined
  ids?: Set<number>
  slugs?: Set<string>
  conditionIds?: Set<string>
  tokenIds?: Set<string>
  tagIds?: Set<string>
  /** Date bounds in epoch milliseconds. */
  startMin?: number
  startMax?: number
  endMin?: number
  endMax?: number
}

function dateParam(query: URLSearchParams, name: string): number | undefined | { error: string } {
  const raw = query.get(name)
  if (raw === null || raw === '') return undefined
  const ms = Date.parse(raw)
  if (Number.isNaN(ms)) return { error: `${name} is not a date: '${raw}'` }
  return ms
}

export function parseListFilters(query: URLSearchParams): ListFilters | { error: string } {
  const closed = boolParam(query, 'closed')
  if (isError(closed)) return closed
  const named = ['id', 'slug', 'condition_ids', 'clob_token_ids'].some(
    (name) => listParam(query, name).length > 0,
  )
  const filters: ListFilters = { closed: closed ?? (named ? undefined : false) }
  const ids = listParam(query, 'id')
  if (ids.length > 0) {
    if (ids.some((id) => !/^\d+$/.test(id))) return { error: `id must be numeric, got '${ids.join(',')}'` }
    filters.ids = new Set(ids.map(Number))
  }
  const sets: Array<[keyof ListFilters, string, (v: string) => string]> = [
    ['slugs', 'slug', (v) => v],
    ['conditionIds', 'condition_ids', (v) => v.toLowerCase()],
    ['tokenIds', 'clob_token_ids', (v) => v],
    ['tagIds', 'tag_id', (v) => v],
  ]
  for (const [key, name, normalize] of sets) {
    const values = listParam(query, name)
    if (values.length > 0)
      (filters as unknown as Record<string, Set<string>>)[key] = new Set(values.map(normalize))
  }
  for (const [key, name] of [
    ['startMin', 'start_date_min'],
    ['startMax', 'start_date_max'],
    ['endMin', 'end_date_min'],
    ['endMax', 'end_date_max'],
  ] as const) {
    const value = dateParam(query, name)
    if (isError(value)) return value
    if (value !== undefined) filters[key] = value
  }
  return filters
}

function inRange(value: number | undefined, min: number | undefined, max: number | undefined): boolean {
  if (min === undefined && max === undefined) return true
  // A record without the date (a market with no endDate) never matches a bound on it, like SQL NULL.
  if (value === undefined) return false
  return (min === undefined || value >= min) && (max === undefined || value <= max)
}

function tagMatch(catalog: Catalog, key: number, tagIds: Set<string> | undefined): boolean {
  return !tagIds || tagsFor(catalog.seed, key, 4).some((tag) => tagIds.has(tag.id))
}

export function marketMatches(catalog: Catalog, m: number, f: ListFilters): boolean {
  if (f.closed !== undefined && catalog.has(m, MarketFlag.Closed) !== f.closed) return false
  if (f.ids && !f.ids.has(catalog.marketIds[m] as number)) return false
  if (f.slugs && !f.slugs.has(marketSlug(catalog, m))) return false
  if (f.conditionIds && !f.conditionIds.has(catalog.conditionId(m))) return false
  if (f.tokenIds && !clobTokenIds(catalog, m).some((id) => f.tokenIds?.has(id))) return false
  const event = catalog.marketEvent[m] as number
  if (!tagMatch(catalog, event >= 0 ? -1 - event : m, f.tagIds)) return false
  const end = catalog.has(m, MarketFlag.MissingEndDate) ? undefined : (catalog.marketEnd[m] as number) * 1000
  return inRange(marketStartMs(catalog, m), f.startMin, f.startMax) && inRange(end, f.endMin, f.endMax)
}

export function eventMatches(catalog: Catalog, e: number, f: ListFilters): boolean {
  if (f.ids && !f.ids.has(catalog.eventIds[e] as number)) return false
  const facts = eventFacts(catalog, e)
  if (f.closed !== undefined && facts.closed !== f.closed) return false
  if (f.slugs && !f.slugs.has(facts.slug)) return false
  if (!tagMatch(catalog, -1 - e, f.tagIds)) return false
  return (
    inRange(eventStartMs(catalog, e), f.startMin, f.startMax) && inRange(facts.end * 1000, f.endMin, f.endMax)
  )
}
