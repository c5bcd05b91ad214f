// polyhouse serve as ClickHouse clients meet it: @clickhouse/client, curl and raw HTTP against the
// embedded warehouse, with results, formats, compression and errors as a ClickHouse server gives them.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import zlib from 'node:zlib'
import { type ClickHouseClient, ClickHouseError, ClickHouseLogLevel, createClient } from '@clickhouse/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from '../../load/serve/server.ts'
import type { Warehouse } from '../../load/warehouse.ts'
import { openTempWarehouse } from '../helpers/warehouse.ts'

const run = promisify(execFile)
const WALLET = '0x00000000000000000000000000000000000000a1'

let warehouse: Warehouse
let server: RunningServer
let client: ClickHouseClient

beforeAll(async () => {
  warehouse = await openTempWarehouse()
  await warehouse.command(
    `CREATE TABLE trades (wallet String, amount Decimal(18, 6), token_id UInt256, ts DateTime('UTC'))
     ENGINE = MergeTree ORDER BY (wallet, ts)`,
  )
  await warehouse.command(
    `INSERT INTO trades SELECT
       concat('0x', leftPad(lower(hex(number % 100 + 161)), 40, '0')), toDecimal64(number, 6) / 1000,
       toUInt256('115792089237316195423570985008687907853269984665640564039457584007913129639935') - number,
       toDateTime('2026-01-01 00:00:00', 'UTC') + number
     FROM numbers(10000)`,
  )
  server = await startServer(warehouse, { port: 0 })
  client = createClient({ url: server.url, log: { level: ClickHouseLogLevel.OFF } })
})

afterAll(async () => {
  await client?.close()
  await server?.close()
  await warehouse?.close()
})

describe('polyhouse serve: the ClickHouse HTTP interface', () => {
  it('answers health checks with Ok.', async () => {
    for (const path of ['/ping', '/']) {
      const response = await fetch(`${server.url}${path}`)
      expect(response.status).toBe(200)
      expect(await response.text()).toBe('Ok.\n')
    }
    expect((await fetch(`${server.url}/nowhere`)).status).toBe(404)
    expect(await client.ping()).toEqual({ success: true })
  })

  it('runs a query with bound parameters, and a parameter stays a value', async () => {
    const result = await client.query({
      query: `SELECT wallet, count() AS trades, toString(sum(amount)) AS volume
              FROM trades WHERE wallet = {wallet:String} AND amount >= {min:Decimal(18, 6)} GROUP BY wallet`,
      query_params: { wallet: WALLET, min: '0.5' },
      format: 'JSONEachRow',
    })
    expect(await result.json()).toEqual([{ wallet: WALLET, trades: 95, volume: '494' }])

    const injected = await client.query({
      query:
        'SELECT {wallet:String} AS echoed, count() AS matches FROM trades WHERE wallet = {wallet:String}',
      query_params: { wallet: "' OR 1=1 --" },
      format: 'JSONEachRow',
    })
    expect(await injected.json()).toEqual([{ echoed: "' OR 1=1 --", matches: 0 }])
  })

  it('passes the caller’s settings through, and answers with ClickHouse’s headers', async () => {
    const query = 'SELECT token_id FROM trades ORDER BY ts LIMIT 1'
    const quoted = await client.query({
      query,
      format: 'JSONEachRow',
      query_id: 'analyst-query-1',
      clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
    })
    expect(quoted.response_headers['x-clickhouse-query-id']).toBe('analyst-query-1')
    expect(quoted.response_headers['x-clickhouse-format']).toBe('JSONEachRow')
    expect(JSON.parse(String(quoted.response_headers['x-clickhouse-summary']))).toMatchObject({
      result_rows: '1',
    })
    expect(await quoted.text()).toBe(
      '{"token_id":"115792089237316195423570985008687907853269984665640564039457584007913129639935"}\n',
    )
    // Without the setting, the engine's own default (bare numbers since ClickHouse 25.8) comes back.
    const bare = await client.query({
      query: 'SELECT toUInt64(18446744073709551615) AS n',
      format: 'JSONEachRow',
    })
    expect(await bare.text()).toBe('{"n":18446744073709551615}\n')
  })

  it('raises the engine’s error as ClickHouseError, with ClickHouse’s HTTP status', async () => {
    const failure = await client.query({ query: 'SELECT * FROM no_such_table' }).catch((error) => error)
    expect(failure).toBeInstanceOf(ClickHouseError)
    expect(failure).toMatchObject({ code: '60', type: 'UNKNOWN_TABLE' })

    const raw = await fetch(server.url, { method: 'POST', body: 'SELEC 1' })
    expect(raw.status).toBe(400)
    expect(raw.headers.get('x-clickhouse-exception-code')).toBe('62')
    expect(await raw.text()).toMatch(
      /^Code: 62\. DB::Exception: Syntax error.*\(SYNTAX_ERROR\) \(version 26\./,
    )

    const badParameter = await client
      .query({ query: 'SELECT {n:UInt8} AS n', query_params: { n: 'many' } })
      .catch((error) => error)
    expect(badParameter).toMatchObject({ code: '457', type: 'BAD_QUERY_PARAMETER' })
  })

  it('takes parameters from a multipart body, as @clickhouse/client sends large ones', async () => {
    const multipart = createClient({
      url: server.url,
      use_multipart_params: true,
      log: { level: ClickHouseLogLevel.OFF },
    })
    try {
      const wallets = Array.from(
        { length: 2000 },
        (_, i) => `0x${'e'.repeat(36)}${String(i).padStart(4, '0')}`,
      ).concat(WALLET)
      const result = await multipart.query({
        query: 'SELECT count() AS trades FROM trades WHERE wallet IN {wallets:Array(String)}',
        query_params: { wallets },
        format: 'JSONEachRow',
      })
      expect(await result.json()).toEqual([{ trades: 100 }])
    } finally {
      await multipart.close()
    }
  })

  it('reads the query from the URL for GET, and from URL and body together for POST', async () => {
    const get = await fetch(`${server.url}/?query=${encodeURIComponent('SELECT 1 + 1')}`)
    expect(await get.text()).toBe('2\n')
    const joined = await fetch(`${server.url}/?query=${encodeURIComponent('SELECT')}`, {
      method: 'POST',
      body: '40 + 2',
    })
    expect(await joined.text()).toBe('42\n')
    const database = await fetch(`${server.url}/?database=system`, {
      method: 'POST',
      body: 'SELECT currentDatabase()',
      headers: { 'X-ClickHouse-Format': 'JSONEachRow' },
    })
    expect(await database.text()).toBe('{"currentDatabase()":"system"}\n')
  })

  it('streams 1,000,000 JSONEachRow rows to @clickhouse/client', async () => {
    const result = await client.query({
      query: 'SELECT number AS n FROM numbers(1000000)',
      format: 'JSONEachRow',
    })
    let rows = 0
    let last = -1
    for await (const batch of result.stream<{ n: string }>()) {
      for (const row of batch) {
        last = Number(row.json().n)
        rows++
      }
    }
    expect(rows).toBe(1_000_000)
    expect(last).toBe(999_999)
  })

  it('reports a failure after the first rows as ClickHouseError, not as a short result', async () => {
    const result = await client.query({
      query: "SELECT number, throwIf(number = 500000, 'wallet 500000 is bad') FROM numbers(1000000)",
      format: 'JSONEachRow',
    })
    const failure = await result.json().catch((error) => error)
    expect(failure).toBeInstanceOf(ClickHouseError)
    expect(failure).toMatchObject({ code: '395', type: 'FUNCTION_THROW_IF_VALUE_IS_NON_ZERO' })
    expect(failure.message).toContain('wallet 500000 is bad')
  })

  it('stops the query and frees its slot when the caller goes away mid-stream', async () => {
    const single = await startServer(warehouse, { port: 0, maxConcurrentQueries: 1 })
    try {
      const abort = new AbortController()
      const response = await fetch(single.url, {
        method: 'POST',
        body: 'SELECT number FROM numbers(100000000) FORMAT JSONEachRow',
        signal: abort.signal,
      })
      const reader = response.body?.getReader()
      await reader?.read()
      abort.abort()
      await reader?.cancel().catch(() => {})
      let answer = ''
      for (let attempt = 0; attempt < 50 && answer !== '1\n'; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        answer = await (await fetch(single.url, { method: 'POST', body: 'SELECT 1' })).text()
      }
      expect(answer).toBe('1\n')
    } finally {
      await single.close()
    }
  })

  it('answers a Native-format request with Native blocks, as Grafana’s driver asks', async () => {
    const response = await fetch(`${server.url}/?default_format=Native`, {
      method: 'POST',
      body: 'SELECT number AS n, toString(number * 2) AS s FROM numbers(100000)',
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/octet-stream')
    const blocks = decodeNative(Buffer.from(await response.arrayBuffer()))
    expect(blocks.length).toBeGreaterThan(1)
    expect(blocks[0]?.columns.map((column) => `${column.name} ${column.type}`)).toEqual([
      'n UInt64',
      's String',
    ])
    const n = blocks.flatMap((block) => block.columns[0]?.values ?? [])
    const s = blocks.flatMap((block) => block.columns[1]?.values ?? [])
    expect(n).toHaveLength(100_000)
    expect(n[99_999]).toBe(99_999n)
    expect(s[99_999]).toBe('199998')
  })

  it('sends whole-document formats whole, even when the result spans many blocks', async () => {
    const rows = 'SELECT number AS n FROM numbers(300000)'
    const json = await client.query({ query: rows, format: 'JSON' })
    const document = await json.json<{ n: string }>()
    expect(document).toMatchObject({ rows: 300_000 })

    const csv = await fetch(server.url, { method: 'POST', body: `${rows} FORMAT CSVWithNames` })
    expect(csv.headers.get('x-clickhouse-format')).toBe('CSVWithNames')
    const lines = (await csv.text()).trimEnd().split('\n')
    expect(lines).toHaveLength(300_001)
    expect(lines.filter((line) => line === '"n"')).toHaveLength(1)

    const parquet = Buffer.from(
      await (await fetch(server.url, { method: 'POST', body: `${rows} FORMAT Parquet` })).arrayBuffer(),
    )
    expect(parquet.subarray(0, 4).toString()).toBe('PAR1')
    expect(parquet.indexOf('PAR1', 4)).toBe(parquet.length - 4)
  })

  it('compresses responses and reads compressed requests, with @clickhouse/client and raw HTTP', async () => {
    const compressing = createClient({
      url: server.url,
      compression: { request: true, response: true },
      log: { level: ClickHouseLogLevel.OFF },
    })
    try {
      const result = await compressing.query({
        query: 'SELECT count() AS n FROM trades',
        format: 'JSONEachRow',
      })
      expect(await result.json()).toEqual([{ n: 10000 }])
    } finally {
      await compressing.close()
    }
    const response = await fetch(`${server.url}/?enable_http_compression=1`, {
      method: 'POST',
      headers: { 'Accept-Encoding': 'gzip', 'Content-Encoding': 'gzip' },
      body: zlib.gzipSync('SELECT 7 AS seven'),
    })
    expect(response.headers.get('content-encoding')).toBe('gzip')
    // fetch decompresses transparently; the header is what says the wire was gzip.
    expect(await response.text()).toBe('7\n')
  })

  it('works with curl: form of the query, Basic auth, compression', async () => {
    const { stdout } = await run('curl', [
      '-sS',
      '--compressed',
      '-u',
      'default:',
      '--data-binary',
      'SELECT wallet, count() FROM trades WHERE wallet = {w:String} GROUP BY wallet',
      `${server.url}/?enable_http_compression=1&param_w=${WALLET}&default_format=TSV`,
    ])
    expect(stdout).toBe(`${WALLET}\t100\n`)
    const { stdout: failure } = await run('curl', [
      '-sS',
      '-w',
      '%{http_code}',
      `${server.url}/?query=SELECT%20nope`,
    ])
    expect(failure).toMatch(/^Code: 47\. DB::Exception: .*\(UNKNOWN_IDENTIFIER\).*\n404$/s)
  })
})

interface NativeColumn {
  name: string
  type: string
  values: unknown[]
}

/** Enough of ClickHouse's Native format to read UInt64 and String columns: blocks of named, typed columns. */
function decodeNative(buffer: Buffer): { rows: number; columns: NativeColumn[] }[] {
  let offset = 0
  const varint = () => {
    let value = 0
    let shift = 0
    for (;;) {
      const byte = buffer[offset++] as number
      value += (byte & 0x7f) * 2 ** shift
      if (byte < 0x80) return value
      shift += 7
    }
  }
  const string = () => {
    const length = varint()
    const text = buffer.toString('utf8', offset, offset + length)
    offset += length
    return text
  }
  const blocks = []
  while (offset < buffer.length) {
    const columnCount = varint()
    const rows = varint()
    const columns: NativeColumn[] = []
    for (let c = 0; c < columnCount; c++) {
      const name = string()
      const type = string()
      const values: unknown[] = []
      for (let r = 0; r < rows; r++) {
        if (type === 'UInt64') {
          values.push(buffer.readBigUInt64LE(offset))
          offset += 8
        } else if (type === 'String') {
          values.push(string())
        } else {
          throw new Error(`decodeNative: ${type} not handled`)
        }
      }
      columns.push({ name, type, values })
    }
    blocks.push({ rows, columns })
  }
  return blocks
}
