// Data API (data-api.polymarket.com): v1 `/positions` (bare arrays, limit/offset) and
// `/v2/positions` (`{data, pagination}`, signed cursors, offset refused). Parameters and limits
// from docs.polymarket.com ("Get current positions for a user"; "Data API v2"; "Migrating from v1").
import type { World } from '../world/index.ts'
import { type PositionView, positionRowV1, positionRowV2 } from '../world/positions.ts'
import type { CursorSigner } from './cursor.ts'
import {
  boolParam,
  dataError,
  intParam,
  isError,
  json,
  listParam,
  type Routed,
  type SimRequest,
  type SimResponse,
} from './route.ts'

/** v1 `limit`: default 100, 0 ≤ limit ≤ 500 (docs "Get current positions for a user"). */
export const V1_LIMIT_DEFAULT = 100
export const V1_LIMIT_MAX = 500
/** v1 `offset`: 0 ≤ offset ≤ 10,000 ("offset stops at 10,000 rows", docs "Migrating from v1"). */
export const V1_OFFSET_MAX = 10_000
/** v1 `sizeThreshold` defaults to 1: positions under one share are hidden unless asked. */
export const V1_SIZE_THRESHOLD_DEFAULT = 1
/** v2 page size default and cap (not documented; the v1 numbers are assumed). */
export const V2_LIMIT_DEFAULT = 100
export const V2_LIMIT_MAX = 500

const BUCKETS = ['data-general', 'data-positions'] as const
const ADDRESS = /^0x[0-9a-fA-F]{40}$/
const SORT_KEYS: Record<string, (v: PositionView) => number | string> = {
  TOKENS: (v) => v.state.size,
  CURRENT: (v) => v.currentValue,
  INITIAL: (v) => v.initialValue,
  CASHPNL: (v) => v.cashPnl,
  PERCENTPNL: (v) => v.percentPnl,
  TITLE: (v) => v.title,
  RESOLVING: (v) => v.endDate,
  PRICE: (v) => v.curPrice,
  AVGPRICE: (v) => v.avgPrice,
}
const V2_STATUSES = ['OPEN', 'REDEEMABLE', 'REDEEMABLE_LOST', 'MERGEABLE', 'CLOSED'] as const

export function routeData(world: World, signer: CursorSigner, req: SimRequest): Routed | undefined {
  if (req.method !== 'GET') return undefined
  const path = req.path.replace(/\/+$/, '')
  if (path === '/positions')
    return {
      endpoint: 'data /positions',
      buckets: BUCKETS,
      cost: 1,
      handle: () => positionsV1(world, req.query),
    }
  if (path === '/v2/positions') {
    return {
      endpoint: 'data /v2/positions',
      buckets: BUCKETS,
      cost: 1,
      handle: () => positionsV2(world, signer, req.query),
    }
  }
  return undefined
}

interface Selection {
  views: PositionView[]
  sortBy: string
  direction: 'ASC' | 'DESC'
}

/** Parameters shared by v1 and v2: the wallet, filters and sort. */
function select(
  world: World,
  query: URLSearchParams,
  defaultThreshold: number,
): Selection | { error: string } {
  const user = query.get('user') ?? ''
  if (!ADDRESS.test(user))
    return { error: user ? `user must be a 0x-prefixed 40-hex address, got '${user}'` : 'user is required' }
  const markets = listParam(query, query.has('condition') ? 'condition' : 'market').map((m) =>
    m.toLowerCase(),
  )
  const eventIds = listParam(query, query.has('event_id') ? 'event_id' : 'eventId')
  if (markets.length > 0 && eventIds.length > 0)
    return { error: 'market and eventId cannot be used together' }
  const thresholdRaw = query.get('sizeThreshold') ?? query.get('size_threshold')
  const threshold = thresholdRaw === null || thresholdRaw === '' ? defaultThreshold : Number(thresholdRaw)
  if (!Number.isFinite(threshold) || threshold < 0)
    return { error: `sizeThreshold must be a number ≥ 0, got '${thresholdRaw}'` }
  const redeemable = boolParam(query, 'redeemable')
  const mergeable = boolParam(query, 'mergeable')
  if (isError(redeemable)) return redeemable
  if (isError(mergeable)) return mergeable
  const title = (query.get('title') ?? '').trim().toLowerCase()
  if (title.length > 100) return { error: 'title must be at most 100 characters' }
  const sortBy = (query.get('sortBy') ?? query.get('sort_by') ?? 'TOKENS').toUpperCase()
  if (!SORT_KEYS[sortBy])
    return { error: `sortBy must be one of ${Object.keys(SORT_KEYS).join(', ')}, got '${sortBy}'` }
  const direction = (query.get('sortDirection') ?? query.get('sort_direction') ?? 'DESC').toUpperCase()
  if (direction !== 'ASC' && direction !== 'DESC')
    return { error: `sortDirection must be ASC or DESC, got '${direction}'` }
  const wallet = world.ledger.walletByAddress(user)
  const all = wallet < 0 ? [] : world.walletPositionViews(wallet)
  const views = all.filter(
    (v) =>
      v.state.size / 1e6 >= threshold &&
      (markets.length === 0 || markets.includes(v.conditionId)) &&
      (eventIds.length === 0 || eventIds.includes(v.eventId)) &&
      (redeemable !== true || v.redeemable) &&
      (mergeable !== true || v.mergeable) &&
      (title === '' || v.title.toLowerCase().includes(title)),
  )
  const key = SORT_KEYS[sortBy] as (v: PositionView) => number | string
  const sign = direction === 'ASC' ? 1 : -1
  views.sort((a, b) => {
    const [x, y] = [key(a), key(b)]
    const order = x < y ? -1 : x > y ? 1 : 0
    // Ties by asset, ascending, so pages never overlap or skip.
    return order !== 0 ? sign * order : a.asset < b.asset ? -1 : a.asset > b.asset ? 1 : 0
  })
  return { views, sortBy, direction }
}

function positionsV1(world: World, query: URLSearchParams): SimResponse {
  const limit = intParam(query, 'limit', V1_LIMIT_DEFAULT, 0, V1_LIMIT_MAX)
  if (isError(limit)) return dataError(400, limit.error)
  const offset = intParam(query, 'offset', 0, 0, V1_OFFSET_MAX)
  if (isError(offset)) return dataError(400, offset.error)
  const selection = select(world, query, V1_SIZE_THRESHOLD_DEFAULT)
  if (isError(selection)) return dataError(400, selection.error)
  return json(200, selection.views.slice(offset, offset + limit).map(positionRowV1))
}

interface V2Cursor {
  data: {
    type: 'positions'
    user: string
    status: string
    sortBy: string
    sortDirection: string
    after: number
    limit: number
  }
}

function positionsV2(world: World, signer: CursorSigner, query: URLSearchParams): SimResponse {
  if (query.has('offset'))
    return dataError(400, 'offset is not supported on /v2/positions; follow pagination.next_cursor')
  const cursorText = query.get('cursor')
  const user = (query.get('user') ?? '').toLowerCase()
  let cursor: V2Cursor['data'] | undefined
  if (cursorText) {
    cursor = (signer.verify(cursorText, 'v2/positions') as V2Cursor | undefined)?.data
    if (cursor?.type !== 'positions') return dataError(400, 'cursor is malformed; restart without cursor')
    if (user && user !== cursor.user)
      return dataError(400, 'cursor was issued for another user; send the same user as the first page')
    // A cursor binds status and sort; restating them is allowed, contradicting them is a 400.
    for (const [name, bound] of [
      ['status', cursor.status],
      ['sortBy', cursor.sortBy],
      ['sortDirection', cursor.sortDirection],
    ] as const) {
      const given = query.get(name)
      if (given && given.toUpperCase() !== bound)
        return dataError(400, `${name}=${given} contradicts the cursor (${bound})`)
    }
    query = new URLSearchParams(query)
    query.set('user', cursor.user)
    query.set('sortBy', cursor.sortBy)
    query.set('sortDirection', cursor.sortDirection)
  }
  const status = (cursor?.status ?? query.get('status') ?? 'OPEN').toUpperCase()
  if (!(V2_STATUSES as readonly string[]).includes(status))
    return dataError(400, `status must be one of ${V2_STATUSES.join(', ')}, got '${status}'`)
  const limit = cursor ? cursor.limit : intParam(query, 'limit', V2_LIMIT_DEFAULT, 1, V2_LIMIT_MAX)
  if (isError(limit)) return dataError(400, limit.error)
  const selection = select(world, query, 0)
  if (isError(selection)) return dataError(400, selection.error)
  // OPEN is the superset of every held position (a resolved, unredeemed winner still holds tokens);
  // positions never reach zero in this world, so CLOSED is always empty.
  const rows = selection.views.filter((v) => status === 'OPEN' || v.status === status)
  const after = cursor?.after ?? 0
  const page = rows.slice(after, after + limit)
  const hasMore = after + limit < rows.length
  const nextCursor = hasMore
    ? signer.sign(
        {
          data: {
            type: 'positions',
            user: query.get('user')?.toLowerCase(),
            status,
            sortBy: selection.sortBy,
            sortDirection: selection.direction,
            after: after + limit,
            limit,
          },
        },
        'v2/positions',
      )
    : null
  const known = world.ledger.walletByAddress(query.get('user') ?? '') >= 0
  // "A documented miss is data: null or an empty list, never an error" (docs "Migrating from v1").
  return json(200, {
    data: known ? page.map(positionRowV2) : null,
    pagination: { limit, has_more: hasMore, next_cursor: nextCursor },
  })
}
