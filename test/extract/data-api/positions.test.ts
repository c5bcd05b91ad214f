// The Data API v2 cursor walk against a scripted server: a cursor handed back twice ends the wallet's
// walk with the same non-retryable RepeatedCursorError as the Gamma keyset walk, instead of a loop.
import { afterEach, describe, expect, it } from 'vitest'
import { isRetryable, isSourceDown, RepeatedCursorError } from '../../../core/errors.ts'
import { fetchWalletPositions } from '../../../extract/data-api/positions.ts'
import { createHttpClient, type HttpClient } from '../../../extract/http/client.ts'
import { type FakeServer, sendJson, startServer } from '../http/fake-server.ts'

const WALLET = '0x00000000000000000000000000000000000000aa'

let server: FakeServer | undefined
let http: HttpClient | undefined
afterEach(async () => {
  await http?.close()
  await server?.close()
  server = undefined
  http = undefined
})

/** A /v2/positions whose `next` maps the cursor a page was asked with ('' first) to its next_cursor. */
async function dataApi(next: Record<string, string | undefined>): Promise<string> {
  server = await startServer((req, res) => {
    const cursor = new URL(req.url ?? '/', 'http://data-api').searchParams.get('cursor') ?? ''
    const following = next[cursor]
    sendJson(res, 200, { data: [], pagination: { next_cursor: following ?? null, has_more: !!following } })
  })
  http = createHttpClient({ rateLimits: { 'data-api-positions': { count: 1_000, windowMs: 1_000 } } })
  return server.url
}

describe('v2 positions walk', () => {
  it('follows the cursor to the last page', async () => {
    const url = await dataApi({ '': 'A', A: 'B', B: undefined })
    const requests = await fetchWalletPositions(
      { http: http as HttpClient, dataApiUrl: url, wallet: WALLET, version: 'v2' },
      async () => {},
    )
    expect(requests).toBe(3)
  })

  it('stops with RepeatedCursorError when a cursor comes back', async () => {
    const url = await dataApi({ '': 'A', A: 'B', B: 'A' })
    const error = await fetchWalletPositions(
      { http: http as HttpClient, dataApiUrl: url, wallet: WALLET, version: 'v2' },
      async () => {},
    ).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(RepeatedCursorError)
    expect((error as Error).message).toBe(`/v2/positions of ${WALLET} repeated a cursor: the walk would loop`)
    expect(isRetryable(error)).toBe(false)
    // One wallet's listing loops; the Data API is not down.
    expect(isSourceDown(error)).toBe(false)
    expect(server?.arrivals).toHaveLength(3)
  })
})
