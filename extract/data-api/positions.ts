// Every position of one wallet from the Data API: v1 `/positions` pages by offset (limit 500,
// sizeThreshold=0 so small positions are not hidden), v2 `/v2/positions` by cursor. v1 stops at
// offset 10,000; a wallet with more positions is fetched again through v2.

import { RepeatedCursorError } from '../../core/errors.ts'
import type { Validated } from '../gamma/keyset.ts'
import { validate } from '../gamma/records.ts'
import type { HttpClient } from '../http/client.ts'
import {
  type PositionRow,
  positionsV1PageSchema,
  positionsV2PageSchema,
  positionV1Schema,
  positionV2Schema,
} from './schemas.ts'

/** Largest page either version serves (docs: "limit ≤ 500"). */
export const POSITIONS_PAGE_LIMIT = 500
/** v1 refuses offsets past 10,000 rows (docs "Migrating from v1"). */
export const V1_OFFSET_MAX = 10_000

export type DataApiVersion = 'v1' | 'v2'

export interface PositionsPage {
  records: Validated<PositionRow>[]
}

/**
 * Calls `onPage` for each page of the wallet's positions, in order; resolves with the number of
 * requests made. Pages are handed over as they come so a wallet with thousands of positions does
 * not sit in memory whole.
 */
export async function fetchWalletPositions(
  options: {
    http: HttpClient
    dataApiUrl: string
    wallet: string
    version: DataApiVersion
    signal?: AbortSignal
  },
  onPage: (page: PositionsPage) => Promise<void>,
): Promise<number> {
  if (options.version === 'v2') return fetchV2(options, onPage)
  let requests = 0
  for (let offset = 0; ; offset += POSITIONS_PAGE_LIMIT) {
    if (offset > V1_OFFSET_MAX) return requests + (await fetchV2({ ...options, restarted: true }, onPage))
    const url = new URL(`${options.dataApiUrl}/positions`)
    url.search = new URLSearchParams({
      user: options.wallet,
      limit: String(POSITIONS_PAGE_LIMIT),
      offset: String(offset),
      sizeThreshold: '0',
    }).toString()
    const rows = await options.http.fetchJson('data-api-positions', url, {
      schema: positionsV1PageSchema,
      signal: options.signal,
    })
    requests++
    await onPage({ records: rows.map((raw) => validatePosition(positionV1Schema, raw)) })
    if (rows.length < POSITIONS_PAGE_LIMIT) return requests
  }
}

async function fetchV2(
  options: {
    http: HttpClient
    dataApiUrl: string
    wallet: string
    signal?: AbortSignal
    restarted?: boolean
  },
  onPage: (page: PositionsPage) => Promise<void>,
): Promise<number> {
  let requests = 0
  let cursor: string | undefined
  const followed = new Set<string>()
  do {
    const url = new URL(`${options.dataApiUrl}/v2/positions`)
    url.search = new URLSearchParams({
      user: options.wallet,
      limit: String(POSITIONS_PAGE_LIMIT),
      sizeThreshold: '0',
      ...(cursor ? { cursor } : {}),
    }).toString()
    const page = await options.http.fetchJson('data-api-positions', url, {
      schema: positionsV2PageSchema,
      signal: options.signal,
    })
    requests++
    await onPage({ records: page.records.map((raw) => validatePosition(positionV2Schema, raw)) })
    cursor = page.hasMore ? page.nextCursor : undefined
    if (cursor && followed.has(cursor))
      throw new RepeatedCursorError(`/v2/positions of ${options.wallet}`, cursor)
    if (cursor) followed.add(cursor)
  } while (cursor)
  return requests
}

function validatePosition(
  schema: Parameters<typeof validate<PositionRow>>[0],
  raw: unknown,
): Validated<PositionRow> {
  const result = validate(schema, raw)
  if (result.ok) return result
  const record = raw as {
    proxyWallet?: unknown
    proxy_wallet?: unknown
    asset?: unknown
    token_id?: unknown
  } | null
  const wallet = record?.proxyWallet ?? record?.proxy_wallet
  const asset = record?.asset ?? record?.token_id
  return { ...result, key: `${String(wallet ?? '?').toLowerCase()}/${String(asset ?? '?')}` }
}
