import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { isRetryable, RateLimitedError, ResponseTooLargeError, RetryableError } from '../../../core/errors.ts'
import { RpcClient, RpcError, RpcProtocolError } from '../../../extract/chain/rpc.ts'
import { ScannedLogs } from '../../../extract/chain/scanned-logs.ts'
import { RateLimiter } from '../../../extract/http/limiter.ts'
import { fixtures } from './fixtures.ts'

// A scripted JSON-RPC endpoint: each test sets `handler` to answer the parsed request body.
type Reply = { status?: number; headers?: Record<string, string>; body: string } | 'hang'
let handler: (body: unknown) => Reply = () => ({ body: '{}' })
const received: unknown[] = []
let connections = 0
const server = http.createServer((req, res) => {
  let raw = ''
  req.on('data', (chunk) => {
    raw += chunk
  })
  req.on('end', () => {
    const body = JSON.parse(raw)
    received.push(body)
    const reply = handler(body)
    if (reply === 'hang') return
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers })
    res.end(reply.body)
  })
})
server.on('connection', () => {
  connections++
})
let url = ''
const clients: RpcClient[] = []
function client(options: Partial<ConstructorParameters<typeof RpcClient>[0]> = {}) {
  const c = new RpcClient({ url, ...options })
  clients.push(c)
  return c
}
/** A limiter that admits everything and remembers how many starts each call took. */
function countingLimiter(starts: number[]): RateLimiter {
  const limiter = new RateLimiter('rpc', { count: 1_000_000, windowMs: 1_000 })
  const acquire = limiter.acquire.bind(limiter)
  limiter.acquire = (signal?: AbortSignal) => {
    starts.push(performance.now())
    return acquire(signal)
  }
  return limiter
}
const ok = (id: unknown, result: unknown) => JSON.stringify({ jsonrpc: '2.0', id, result })
const fail = (id: unknown, code: number, message: string, data?: unknown) =>
  JSON.stringify({ jsonrpc: '2.0', id, error: { code, message, data } })

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/secret-key`
})
afterEach(async () => {
  received.length = 0
  await Promise.all(clients.splice(0).map((c) => c.close()))
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

describe('RpcClient single calls', () => {
  it('sends JSON-RPC 2.0, parses quantities, and asks the limiter first', async () => {
    const starts: number[] = []
    handler = (body) => {
      const { id, method } = body as { id: number; method: string }
      return { body: ok(id, method === 'eth_chainId' ? '0x89' : '0x56a1d06') }
    }
    const rpc = client({ limiter: countingLimiter(starts) })
    expect(await rpc.chainId()).toBe(137)
    expect(await rpc.blockNumber()).toBe(90_840_326)
    expect(starts).toHaveLength(2)
    expect(rpc.counters).toMatchObject({ requests: 2, succeeded: 2, errors: 0 })
    expect(received[0]).toMatchObject({ jsonrpc: '2.0', method: 'eth_chainId', params: [] })
  })

  it('reuses keep-alive connections for sequential calls', async () => {
    handler = (body) => ({ body: ok((body as { id: number }).id, '0x1') })
    const rpc = client()
    const before = connections
    for (let i = 0; i < 10; i++) await rpc.blockNumber()
    // undici may open a second socket while the first is being released; never one per call.
    expect(connections - before).toBeLessThanOrEqual(2)
  })

  it('encodes the getLogs filter and validates the logs at the edge', async () => {
    const logs = [fixtures.orderFilledV1(), fixtures.transferSingle()]
    handler = (body) => ({ body: ok((body as { id: number }).id, logs) })
    const rpc = client()
    const result = await rpc.getLogs({
      address: ['0x4bfb41d5b3570defd03c39a9a4d8de6bd8b8982e'],
      topics: [['0xd0a08e8c493f9c94f29311604c9de1b4e8c8d4c06bd0c789af57f2d65bfec0f6']],
      fromBlock: 81_344_785,
      toBlock: 81_344_800,
    })
    expect(result).toHaveLength(2)
    expect(result[0]?.blockNumber).toBe('0x4d93911')
    expect(result[1]?.logIndex).toBeNull()
    expect((received[0] as { params: unknown[] }).params[0]).toEqual({
      address: ['0x4bfb41d5b3570defd03c39a9a4d8de6bd8b8982e'],
      topics: [['0xd0a08e8c493f9c94f29311604c9de1b4e8c8d4c06bd0c789af57f2d65bfec0f6']],
      fromBlock: '0x4d93911',
      toBlock: '0x4d93920',
    })
  })

  it('reads block headers, by number and by tag, and null for an unknown block', async () => {
    const header = {
      number: '0x56a1d06',
      hash: '0x6fd9b83c01f7d00dec9a7e69fc8427b0b98127e116b02108eeab4cece60ec924',
      parentHash: `0x${'ab'.repeat(32)}`,
      timestamp: '0x6a64696e',
      transactions: [],
    }
    handler = (body) => {
      const { id, params } = body as { id: number; params: unknown[] }
      return { body: ok(id, params[0] === '0xffffffff' ? null : header) }
    }
    const rpc = client()
    expect(await rpc.getBlockByNumber('finalized')).toEqual({
      number: 90_840_326,
      hash: header.hash,
      parentHash: header.parentHash,
      timestamp: 0x6a64696e,
    })
    expect((received[0] as { params: unknown[] }).params).toEqual(['finalized', false])
    expect(await rpc.getBlockByNumber(0xffffffff)).toBeNull()
  })

  it('turns a provider range error into a non-retryable RpcError with a suggested range', async () => {
    handler = (body) => ({
      status: 413,
      body: fail((body as { id: number }).id, -32614, 'eth_getLogs is limited to a 10,000 range'),
    })
    const error = await client()
      .getLogs({ fromBlock: 1_000_000, toBlock: 1_050_000 })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RpcError)
    const rpcError = error as RpcError
    expect(rpcError.code).toBe(-32614)
    expect(rpcError.httpStatus).toBe(413)
    expect(rpcError.retryable).toBe(false)
    expect(isRetryable(rpcError)).toBe(false)
    expect(rpcError.classification).toMatchObject({
      kind: 'range-too-large',
      maxBlockRange: 10_000,
      suggestedRange: { from: 1_000_000, to: 1_009_999 },
    })
  })

  it('marks a JSON-RPC rate limit retryable and keeps Retry-After', async () => {
    handler = (body) => ({
      status: 429,
      headers: { 'retry-after': '3' },
      body: fail(
        (body as { id: number }).id,
        429,
        'Your app has exceeded its compute units per second capacity.',
      ),
    })
    const error = (await client()
      .blockNumber()
      .catch((e: unknown) => e)) as RpcError
    expect(error).toBeInstanceOf(RpcError)
    expect(error.classification.kind).toBe('rate-limited')
    expect(isRetryable(error)).toBe(true)
    expect(error.retryAfterMs).toBe(3000)
  })

  it('retries a bare 429, a 502 and a Cloudflare HTML page; refuses a 401', async () => {
    const rpc = client()
    handler = () => ({
      status: 429,
      headers: { 'retry-after': '7', 'content-type': 'text/plain' },
      body: 'Too Many Requests',
    })
    const limited = await rpc.blockNumber().catch((e: unknown) => e)
    expect(limited).toBeInstanceOf(RateLimitedError)
    expect((limited as RateLimitedError).retryAfterMs).toBe(7000)
    // The endpoint's own limiter slowed down and paused for what the server asked.
    expect(rpc.limiter.state()).toMatchObject({ decreases: 1 })
    expect(rpc.limiter.state().pausedForMs).toBeGreaterThan(6_000)

    const other = client()
    handler = () => ({ status: 502, body: '<html><body>Bad gateway</body></html>' })
    expect(isRetryable(await other.blockNumber().catch((e: unknown) => e))).toBe(true)

    // A gateway's own JSON error with a 5xx is not a JSON-RPC reply: retried, not a protocol error.
    handler = () => ({ status: 500, body: '{"error":"Internal Server Error"}' })
    const gateway = await other.blockNumber().catch((e: unknown) => e)
    expect(gateway).toBeInstanceOf(RetryableError)
    expect(isRetryable(gateway)).toBe(true)

    handler = () => ({ status: 200, body: '<!DOCTYPE html><title>Just a moment...</title>' })
    expect(await other.blockNumber().catch((e: unknown) => e)).toBeInstanceOf(RetryableError)

    handler = () => ({ status: 200, body: '{"jsonrpc":"2.0","id":1,"result":[{"address":"0x4b' })
    expect(await other.blockNumber().catch((e: unknown) => e)).toBeInstanceOf(RetryableError)

    handler = () => ({ status: 401, body: 'invalid api key' })
    const refused = await other.blockNumber().catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(RpcProtocolError)
    expect(isRetryable(refused)).toBe(false)
    // The API key in the URL path never reaches a message.
    expect((refused as Error).message).not.toContain('secret-key')
  })

  it('gives up on an endpoint that does not answer, as a retryable error', async () => {
    handler = () => 'hang'
    const error = await client({ timeoutMs: 200 })
      .blockNumber()
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RetryableError)
    expect((error as Error).message).toMatch(/no response headers in time|no complete answer within 200 ms/)
  })

  it('rejects a result that is not what the method promises', async () => {
    handler = (body) => ({ body: ok((body as { id: number }).id, 12345) })
    const error = await client()
      .blockNumber()
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RpcProtocolError)
    handler = (body) => ({
      body: ok((body as { id: number }).id, [{ ...fixtures.orderFilledV1(), data: 'zz' }]),
    })
    expect(
      await client()
        .getLogs({ fromBlock: 1, toBlock: 2 })
        .catch((e: unknown) => e),
    ).toBeInstanceOf(RpcProtocolError)
  })
})

describe('RpcClient.requestLogs (the scanned getLogs reply)', () => {
  it('scans a plain result, and answers every other body as request() does', async () => {
    const logs = [fixtures.orderFilledV1(), fixtures.orderFilledV2()]
    const params = [{ fromBlock: '0x1', toBlock: '0x2' }]
    handler = (body) => ({ body: ok((body as { id: number }).id, logs) })
    const rpc = client()
    const scanned = await rpc.requestLogs(params)
    expect(scanned).toBeInstanceOf(ScannedLogs)
    expect((scanned as ScannedLogs).object(1)).toEqual(logs[1])
    expect(received[0]).toMatchObject({ jsonrpc: '2.0', method: 'eth_getLogs', params })

    // A provider's range error: the same RpcError, classified against the range asked for.
    handler = (body) => ({
      body: fail((body as { id: number }).id, -32614, 'eth_getLogs is limited to a 10,000 range'),
    })
    const requested = { from: 1_000_000, to: 1_050_000 }
    const refused = await rpc.requestLogs(params, { requested }).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(RpcError)
    expect((refused as RpcError).classification).toMatchObject({
      kind: 'range-too-large',
      suggestedRange: { from: 1_000_000, to: 1_009_999 },
    })

    // A gateway's HTML page with 200, and a 502: retryable transport errors, as for request().
    for (const reply of [
      { status: 200, body: '<html>Just a moment...</html>' },
      { status: 502, body: '{"error":"Bad Gateway"}' },
    ]) {
      handler = () => reply
      const error = await rpc.requestLogs(params).catch((e: unknown) => e)
      expect(error, reply.body).toBeInstanceOf(RetryableError)
      expect(isRetryable(error)).toBe(true)
    }

    // A byte-order mark before the JSON (some gateways send one) is read past, by both readers.
    handler = (body) => ({ body: `\uFEFF${ok((body as { id: number }).id, logs)}` })
    expect(await rpc.requestLogs(params)).toEqual(logs)
    expect(await rpc.request('eth_getLogs', params)).toEqual(logs)

    // A result that is not a list of logs is passed on as it came; the caller says what is wrong.
    handler = (body) => ({ body: ok((body as { id: number }).id, null) })
    expect(await rpc.requestLogs(params)).toBeNull()
  })

  it('reads each reply into the buffer the last released one left, growing it for a larger reply', async () => {
    const small = [fixtures.orderFilledV1()]
    // Well over the first buffer's 1 MiB.
    const large = Array.from({ length: 3_000 }, (_, i) => ({
      ...fixtures.orderFilledV2(),
      logIndex: `0x${i.toString(16)}`,
    }))
    const params = [{ fromBlock: '0x1', toBlock: '0x2' }]
    const rpc = client()
    const read = async (logs: unknown[]) => {
      handler = (body) => ({ body: ok((body as { id: number }).id, logs) })
      return (await rpc.requestLogs(params)) as ScannedLogs
    }
    const first = await read(small)
    const firstBuffer = first.bytes.buffer
    expect(first.object(0)).toEqual(small[0])
    first.release()
    expect(first.bytes.length).toBe(0)
    // Released: the next reply is read into that buffer, which grows to fit it, and reads back whole.
    const second = await read(large)
    expect(second.bytes.length).toBeGreaterThan(2 ** 20)
    expect(second.object(2_999)).toEqual(large[2_999])
    expect(second.object(0)).toEqual(large[0])
    const grownBuffer = second.bytes.buffer
    second.release()
    const third = await read(small)
    expect(third.bytes.buffer).toBe(grownBuffer)
    // Not released: the next reply gets another buffer, so these bytes stay as they are.
    const fourth = await read(large)
    expect(fourth.bytes.buffer).not.toBe(third.bytes.buffer)
    expect(third.object(0)).toEqual(small[0])
    expect(firstBuffer).not.toBe(grownBuffer)
  })
})

describe('RpcClient batches', () => {
  it('matches answers by id, keeps per-call errors, and charges the limiter per call', async () => {
    const starts: number[] = []
    handler = (body) => {
      const calls = body as { id: number; params: string[] }[]
      // Answer in reverse order; the call for block 0x3 fails.
      return {
        body: JSON.stringify(
          calls
            .map((c) =>
              c.params[0] === '0x3'
                ? { jsonrpc: '2.0', id: c.id, error: { code: -32000, message: 'header not found' } }
                : {
                    jsonrpc: '2.0',
                    id: c.id,
                    result: {
                      number: c.params[0],
                      hash: `0x${'1'.repeat(64)}`,
                      parentHash: `0x${'2'.repeat(64)}`,
                      timestamp: '0x10',
                    },
                  },
            )
            .reverse(),
        ),
      }
    }
    const rpc = client({ limiter: countingLimiter(starts), maxBatchSize: 2 })
    const outcomes = await rpc.batch(
      [1, 2, 3, 4, 5].map((n) => ({ method: 'eth_getBlockByNumber', params: [`0x${n}`, false] })),
    )
    // One start per call (providers meter calls), in three HTTP requests of 2, 2 and 1.
    expect(starts).toHaveLength(5)
    expect(received).toHaveLength(3)
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, false, true, true])
    expect((outcomes[0] as { result: { number: string } }).result.number).toBe('0x1')
    expect((outcomes[4] as { result: { number: string } }).result.number).toBe('0x5')
    const failed = outcomes[2] as { ok: false; error: RpcError }
    expect(failed.error.classification.kind).toBe('retryable')

    const headers = await rpc.getBlocksByNumber([1, 2])
    expect(headers.map((h) => h?.number)).toEqual([1, 2])
    await expect(rpc.getBlocksByNumber([3])).rejects.toBeInstanceOf(RpcError)
  })

  it('spreads a single error answer to every call of a refused batch', async () => {
    handler = () => ({ body: fail(null, -32600, 'batch size too large') })
    const outcomes = await client().batch([
      { method: 'eth_blockNumber', params: [] },
      { method: 'eth_chainId', params: [] },
    ])
    expect(outcomes.every((o) => !o.ok)).toBe(true)
  })
})

describe('RpcClient on the shared transport', () => {
  // Answers every call with a reply that never ends, or that trickles a byte every 100 ms.
  let mode: 'endless' | 'trickle' = 'endless'
  const streaming = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"jsonrpc":"2.0","id":1,"result":[')
      const chunk = mode === 'endless' ? `${JSON.stringify(fixtures.orderFilledV1())},`.repeat(200) : ' '
      const timer = setInterval(() => res.write(chunk), mode === 'endless' ? 1 : 100)
      res.once('close', () => clearInterval(timer))
    })
  })
  let streamingUrl = ''
  beforeAll(async () => {
    await new Promise<void>((resolve) => streaming.listen(0, '127.0.0.1', resolve))
    streamingUrl = `http://127.0.0.1:${(streaming.address() as AddressInfo).port}/v2/secret-key`
  })
  afterAll(async () => {
    streaming.closeAllConnections()
    await new Promise<void>((resolve) => streaming.close(() => resolve()))
  })

  it('cuts an endless reply off at the cap: eth_getLogs asks for a smaller range, other calls retry', async () => {
    mode = 'endless'
    const rpc = client({ url: streamingUrl, maxReplyBytes: 2 ** 20 })
    const requested = { from: 1_000, to: 1_999 }
    const logs = await rpc
      .requestLogs([{ fromBlock: '0x3e8', toBlock: '0x7cf' }], { requested })
      .catch((e) => e)
    expect(logs).toBeInstanceOf(RpcError)
    expect((logs as RpcError).classification.kind).toBe('too-many-results')
    expect((logs as Error).message).toBe("eth_getLogs failed: reply passed the client's cap of 1 MiB")
    const block = await rpc.blockNumber().catch((e: unknown) => e)
    expect(block).toBeInstanceOf(ResponseTooLargeError)
    expect(isRetryable(block)).toBe(true)
    expect((block as Error).message).toMatch(
      /^eth_blockNumber http:\/\/127\.0\.0\.1:\d+\/…: the response passed 1 MiB/,
    )
  })

  it('ends a reply that trickles on the deadline of the whole exchange', async () => {
    mode = 'trickle'
    const started = performance.now()
    const error = await client({ url: streamingUrl, timeoutMs: 600 })
      .blockNumber()
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RetryableError)
    expect((error as Error).message).toContain('no complete answer within 600 ms')
    expect(performance.now() - started).toBeLessThan(3_000)
  })
})
