// The Gamma keyset walk against a scripted Gamma: it follows next_cursor with the same filters to
// the end, resumes from a saved cursor, and stops with a non-retryable RepeatedCursorError — before
// handing the page over — when a cursor comes back, rather than walking in a circle.
import { afterEach, describe, expect, it } from 'vitest'
import { InterruptedError, isRetryable, isSourceDown, RepeatedCursorError } from '../../../core/errors.ts'
import { walkKeyset } from '../../../extract/gamma/keyset.ts'
import { createHttpClient, type HttpClient } from '../../../extract/http/client.ts'
import { type FakeServer, sendJson, startServer } from '../http/fake-server.ts'

let server: FakeServer | undefined
let http: HttpClient | undefined
afterEach(async () => {
  await http?.close()
  await server?.close()
  server = undefined
  http = undefined
})

/** A Gamma whose `next` maps the cursor a page was asked after ('' first) to the page's next_cursor. */
async function gamma(next: Record<string, string | undefined>): Promise<{ url: string; server: FakeServer }> {
  server = await startServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://gamma')
    const after = url.searchParams.get('after_cursor') ?? ''
    if (!(after in next)) return sendJson(res, 400, { error: `unknown cursor ${after}` })
    const market = { id: `after-${after || 'start'}` }
    sendJson(res, 200, { markets: [market], next_cursor: next[after] })
  })
  http = createHttpClient({ rateLimits: { 'gamma-markets': { count: 1_000, windowMs: 1_000 } } })
  return { url: server.url, server }
}

function walk(baseUrl: string, signal?: AbortSignal) {
  return walkKeyset(
    { http: http as HttpClient, baseUrl, kind: 'markets', filters: { closed: 'false' }, signal },
    '',
  )
}

/** `cursor:first record id` of each page handed over, and the error the walk ended with, if any. */
async function pagesOf(pages: AsyncIterable<{ cursor: string; records: { raw: unknown }[] }>) {
  const seen: string[] = []
  try {
    for await (const page of pages)
      seen.push(`${page.cursor}:${(page.records[0]?.raw as { id?: string })?.id}`)
  } catch (error) {
    return { seen, error }
  }
  return { seen, error: undefined }
}

describe('walkKeyset', () => {
  it('follows next_cursor to the end, re-sending the filters (and include_tag) on every page', async () => {
    const { url, server } = await gamma({ '': 'A', A: 'B', B: undefined })
    expect(await pagesOf(walk(url))).toEqual({
      seen: [':after-start', 'A:after-A', 'B:after-B'],
      error: undefined,
    })
    const queries = server.arrivals.map((arrival) => new URL(arrival.path, 'http://gamma').searchParams)
    expect(queries.map((query) => query.get('after_cursor'))).toEqual([null, 'A', 'B'])
    for (const query of queries) {
      expect(query.get('closed')).toBe('false')
      expect(query.get('include_tag')).toBe('true')
      expect(query.get('limit')).toBe('100')
    }
  })

  it('resumes after a saved cursor', async () => {
    const { url } = await gamma({ A: 'B', B: undefined })
    const pages = walkKeyset({ http: http as HttpClient, baseUrl: url, kind: 'markets', filters: {} }, 'A')
    expect(await pagesOf(pages)).toEqual({ seen: ['A:after-A', 'B:after-B'], error: undefined })
  })

  it('stops with RepeatedCursorError when an earlier cursor comes back, without the looping page', async () => {
    const { url, server } = await gamma({ '': 'A', A: 'B', B: 'A' })
    const { seen, error } = await pagesOf(walk(url))
    expect(error).toBeInstanceOf(RepeatedCursorError)
    expect((error as Error).message).toBe(
      'markets keyset {"closed":"false"} repeated a cursor: the walk would loop',
    )
    expect((error as RepeatedCursorError).cursor).toBe('A')
    // Not retried (asking again gets the same answer), and a failure of this walk, not of Gamma.
    expect(isRetryable(error)).toBe(false)
    expect(isSourceDown(error)).toBe(false)
    expect(server.arrivals).toHaveLength(3)
    expect(seen).toEqual([':after-start', 'A:after-A'])
  })

  it('stops when a page hands back the very cursor it was asked after', async () => {
    const { url } = await gamma({ '': 'A', A: 'A' })
    const { seen, error } = await pagesOf(walk(url))
    expect(error).toBeInstanceOf(RepeatedCursorError)
    expect(seen).toEqual([':after-start'])
  })

  it('stops between pages once its signal aborts', async () => {
    const { url, server } = await gamma({ '': 'A', A: 'B', B: undefined })
    const controller = new AbortController()
    const pages = walk(url, controller.signal)
    expect((await pages.next()).value?.cursor).toBe('')
    controller.abort()
    await expect(pages.next()).rejects.toBeInstanceOf(InterruptedError)
    expect(server.arrivals).toHaveLength(1)
  })
})
