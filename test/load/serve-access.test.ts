// What polyhouse serve lets a caller do: read-only by the engine's own READONLY error, limits a
// caller may lower but not lift, no reach into the serving host's files, credentials, the bounds on
// body size and concurrency, and --allow-writes.
import fs from 'node:fs'
import path from 'node:path'
import { type ClickHouseClient, ClickHouseError, ClickHouseLogLevel, createClient } from '@clickhouse/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UsageError } from '../../core/errors.ts'
import { OWNER_USER, readUsersFile, sha256Hex } from '../../load/serve/auth.ts'
import { readServeInfo, serveInfoPath } from '../../load/serve/info.ts'
import { type RunningServer, startServer } from '../../load/serve/server.ts'
import { INSERT_STAGING_DIR, type Warehouse } from '../../load/warehouse.ts'
import { openTempWarehouse, tempDir } from '../helpers/warehouse.ts'

let warehouse: Warehouse
let dataDir: string
const servers: RunningServer[] = []
const clients: ClickHouseClient[] = []

async function serve(options: Parameters<typeof startServer>[1] = {}): Promise<RunningServer> {
  const server = await startServer(warehouse, { port: 0, ...options })
  servers.push(server)
  return server
}

function connect(url: string, options: Parameters<typeof createClient>[0] = {}): ClickHouseClient {
  const client = createClient({ url, log: { level: ClickHouseLogLevel.OFF }, ...options })
  clients.push(client)
  return client
}

async function failureOf(promise: Promise<unknown>): Promise<ClickHouseError> {
  const error = await promise.then(
    () => undefined,
    (error: unknown) => error,
  )
  expect(error).toBeInstanceOf(ClickHouseError)
  return error as ClickHouseError
}

async function rowCount(): Promise<number> {
  const [row] = await warehouse.query<{ n: string }>('SELECT count() AS n FROM trades')
  return Number(row?.n)
}

beforeAll(async () => {
  dataDir = path.join(tempDir(), 'warehouse')
  warehouse = await openTempWarehouse(dataDir)
  await warehouse.command(
    'CREATE TABLE trades (wallet String, shares UInt32) ENGINE = MergeTree ORDER BY wallet',
  )
  await warehouse.command("INSERT INTO trades VALUES ('0xa1', 10), ('0xb2', 20)")
})

afterAll(async () => {
  for (const client of clients) await client.close()
  for (const server of servers) await server.close()
  await warehouse?.close()
})

describe('polyhouse serve, read-only by default', () => {
  let analyst: ClickHouseClient
  beforeAll(async () => {
    analyst = connect((await serve()).url)
  })

  it('refuses INSERT, ALTER, DROP, CREATE, SYSTEM with the engine’s READONLY error', async () => {
    const writes = [
      "INSERT INTO trades VALUES ('0xc3', 1)",
      'ALTER TABLE trades DELETE WHERE 1',
      'DROP TABLE trades',
      'CREATE TABLE sneaky (x UInt8) ENGINE = Memory',
      'TRUNCATE TABLE trades',
      'OPTIMIZE TABLE trades FINAL',
      'SYSTEM DROP MARK CACHE',
      "INSERT INTO FUNCTION url('http://127.0.0.1:9/', 'CSV', 'x UInt8') SELECT 1",
    ]
    for (const statement of writes) {
      const failure = await failureOf(analyst.command({ query: statement }))
      expect(failure, statement).toMatchObject({ code: '164', type: 'READONLY' })
      expect(failure.message).toMatch(/Cannot execute query in readonly mode/)
    }
    expect(
      await failureOf(
        analyst.insert({ table: 'trades', values: [{ wallet: '0xd4', shares: 1 }], format: 'JSONEachRow' }),
      ),
    ).toMatchObject({ code: '164' })
    expect(await rowCount()).toBe(2)
  })

  it('refuses settings that would lift readonly, however they are sent', async () => {
    const attempts = [
      () => analyst.query({ query: 'SELECT 1', clickhouse_settings: { readonly: '0' } }),
      () => analyst.query({ query: 'SELECT 1', clickhouse_settings: { readonly: '2' } }),
      () => analyst.query({ query: 'SELECT 1 SETTINGS readonly = 0' }),
      () => analyst.command({ query: 'SET readonly = 0' }),
      () => analyst.query({ query: 'SELECT number FROM numbers(10) SETTINGS max_result_rows = 0' }),
    ]
    for (const attempt of attempts) {
      const failure = await failureOf(attempt())
      expect(failure).toMatchObject({ code: '164', type: 'READONLY' })
      expect(failure.message).toMatch(/Cannot modify '(readonly|max_result_rows)' setting in readonly mode/)
    }
    // Settings a client sends as URL parameters still work, and readonly=1 itself is no change.
    const fine = await analyst.query({
      query: "SELECT getSetting('max_threads') AS threads",
      format: 'JSONEachRow',
      clickhouse_settings: { max_threads: 1, readonly: '1' },
    })
    expect(await fine.json()).toEqual([{ threads: 1 }])
  })

  it('keeps its limits: a caller may lower them but not lift them', async () => {
    const strict = connect((await serve({ maxResultRows: 1000, maxExecutionTimeS: 2 })).url)
    expect(
      await failureOf(
        strict
          .query({ query: 'SELECT number FROM numbers(5000)', format: 'JSONEachRow' })
          .then((r) => r.json()),
      ),
    ).toMatchObject({ code: '396', type: 'TOO_MANY_ROWS_OR_BYTES' })
    expect(
      await failureOf(strict.query({ query: 'SELECT 1', clickhouse_settings: { max_result_rows: '0' } })),
    ).toMatchObject({ code: '452', type: 'SETTING_CONSTRAINT_VIOLATION' })
    expect(
      await failureOf(strict.query({ query: 'SELECT 1', clickhouse_settings: { max_execution_time: 60 } })),
    ).toMatchObject({ code: '452' })
    expect(
      await failureOf(
        strict.query({
          query: 'SELECT number FROM numbers(50)',
          clickhouse_settings: { max_result_rows: '10' },
        }),
      ),
    ).toMatchObject({ code: '396' })
    const slow = await failureOf(
      strict.query({ query: 'SELECT count() FROM numbers(100000000000)', format: 'JSONEachRow' }),
    )
    expect(slow).toMatchObject({ code: '159', type: 'TIMEOUT_EXCEEDED' })
  })

  it('keeps the serving host’s files out of reach', async () => {
    const target = path.join(tempDir(), 'written-by-analyst.txt')
    const attempts: [string, string][] = [
      ["SELECT file('/etc/hostname')", '497'],
      ["SELECT `fil\\x65`('/etc/hostname')", '497'],
      ["SELECT * FROM file('/etc/hostname', 'LineAsString')", '497'],
      [`SELECT 1 INTO OUTFILE '${target}'`, '358'],
      ['KILL QUERY WHERE 1', '497'],
    ]
    for (const [statement, code] of attempts) {
      expect((await failureOf(analyst.query({ query: statement }))).code, statement).toBe(code)
    }
    expect(fs.existsSync(target)).toBe(false)
  })

  it('refuses a body over the bound with 413', async () => {
    const small = await serve({ maxBodyBytes: 1024 })
    const body = `SELECT '${'x'.repeat(2000)}'`
    const response = await fetch(small.url, { method: 'POST', body })
    expect(response.status).toBe(413)
    expect(response.headers.get('x-clickhouse-exception-code')).toBe('229')
    expect(await response.text()).toMatch(/over this server's limit of 1024 bytes/)
    expect(await failureOf(connect(small.url).query({ query: body }))).toMatchObject({
      code: '229',
      type: 'QUERY_IS_TOO_LARGE',
    })
    // A small body still goes through on the same server.
    expect(await (await fetch(small.url, { method: 'POST', body: 'SELECT 1' })).text()).toBe('1\n')
  })

  it('answers 503 past the bound on concurrent queries, and recovers', async () => {
    const single = await serve({ maxConcurrentQueries: 1 })
    const slow = fetch(single.url, { method: 'POST', body: 'SELECT sleep(1)' })
    await new Promise((resolve) => setTimeout(resolve, 300))
    const refused = await fetch(single.url, { method: 'POST', body: 'SELECT 1' })
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('1')
    expect(await refused.text()).toMatch(
      /^Code: 202\. DB::Exception: Too many simultaneous queries\. Maximum: 1/,
    )
    const finished = await slow
    expect(finished.status).toBe(200)
    expect(await finished.text()).toBe('0\n')
    // The slot is freed once the server has finished the response, which the client can see a
    // moment before the server's bookkeeping runs: recovery is the next query succeeding soon after.
    let recovered: Response | undefined
    for (let attempt = 0; attempt < 20; attempt++) {
      recovered = await fetch(single.url, { method: 'POST', body: 'SELECT 1' })
      if (recovered.status !== 503) break
      await recovered.text()
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(recovered?.status).toBe(200)
    expect(await recovered?.text()).toBe('1\n')
  })

  it('leaves an owner-only info file with which polyhouse’s own commands may write', async () => {
    const info = readServeInfo(dataDir)
    expect(info).toMatchObject({ pid: process.pid, user: OWNER_USER, readOnly: true })
    expect(fs.statSync(serveInfoPath(dataDir)).mode & 0o777).toBe(0o600)
    const owner = connect(info?.url as string, { username: OWNER_USER, password: info?.key })
    await owner.command({ query: 'CREATE TABLE IF NOT EXISTS owner_made (x UInt8) ENGINE = Memory' })
    const wrongKey = connect(info?.url as string, { username: OWNER_USER, password: 'guess' })
    expect(await failureOf(wrongKey.query({ query: 'SELECT 1' }))).toMatchObject({ code: '516' })
  })
})

describe('polyhouse serve with credentials', () => {
  it('lets the configured user in, and answers wrong credentials with 403 AUTHENTICATION_FAILED', async () => {
    const server = await serve({ users: [{ name: 'analyst', passwordSha256Hex: sha256Hex('s3cret') }] })
    const right = connect(server.url, { username: 'analyst', password: 's3cret' })
    expect(
      await (await right.query({ query: 'SELECT count() AS n FROM trades', format: 'JSONEachRow' })).json(),
    ).toEqual([{ n: 2 }])
    const headers = await fetch(server.url, {
      method: 'POST',
      body: 'SELECT 1',
      headers: { 'X-ClickHouse-User': 'analyst', 'X-ClickHouse-Key': 's3cret' },
    })
    expect(await headers.text()).toBe('1\n')

    const wrong = await failureOf(
      connect(server.url, { username: 'analyst', password: 'guess' }).query({ query: 'SELECT 1' }),
    )
    expect(wrong).toMatchObject({ code: '516', type: 'AUTHENTICATION_FAILED' })
    expect(wrong.message).toMatch(/^analyst: Authentication failed/)
    for (const init of [
      {},
      { headers: { Authorization: `Basic ${Buffer.from('analyst:guess').toString('base64')}` } },
    ]) {
      const response = await fetch(server.url, { method: 'POST', body: 'SELECT 1', ...init })
      expect(response.status).toBe(403)
      expect(response.headers.get('x-clickhouse-exception-code')).toBe('516')
    }
    // Without credentials configured, the passwordless `default` user is the only way in.
    expect(
      await failureOf(
        connect((await serve()).url, { username: 'default', password: 'x' }).query({ query: 'SELECT 1' }),
      ),
    ).toMatchObject({ code: '516' })
  })

  it('reads users from a users file, and says what is wrong with a bad one', async () => {
    const file = path.join(tempDir(), 'users.json')
    fs.writeFileSync(
      file,
      JSON.stringify({ users: { bob: { password_sha256_hex: sha256Hex('bobs password') } } }),
    )
    const server = await serve({ users: readUsersFile(file) })
    const bob = connect(server.url, { username: 'bob', password: 'bobs password' })
    expect(await (await bob.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' })).json()).toEqual([
      { one: 1 },
    ])
    fs.writeFileSync(file, JSON.stringify({ users: { bob: { password: 'plain' } } }))
    expect(() => readUsersFile(file)).toThrow(/users file .* is not valid: users\.bob\.password_sha256_hex/)
  })

  it('refuses to listen beyond loopback without credentials', async () => {
    const refused = await startServer(warehouse, { host: '0.0.0.0', port: 0 }).catch((error) => error)
    expect(refused).toBeInstanceOf(UsageError)
    expect(refused.message).toMatch(/refusing to serve on 0\.0\.0\.0 without credentials/)
    const allowed = await serve({
      host: '0.0.0.0',
      users: [{ name: 'analyst', passwordSha256Hex: sha256Hex('pw') }],
    })
    expect(allowed.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/)
    // Polyhouse's own commands are pointed at loopback.
    expect(readServeInfo(dataDir)?.url).toBe(`http://127.0.0.1:${allowed.port}`)
  })
})

describe('polyhouse serve --allow-writes', () => {
  it('lets callers insert and run DDL, keeps GET read-only and the host’s files out of reach', async () => {
    const writer = connect((await serve({ allowWrites: true })).url)
    await writer.insert({ table: 'trades', values: [{ wallet: '0xe5', shares: 5 }], format: 'JSONEachRow' })
    await writer.command({ query: 'CREATE TABLE writer_made (x UInt8) ENGINE = Memory' })
    expect(await rowCount()).toBe(3)
    // A batch far over max_query_size (256 KiB): INSERT data does not count against it.
    const batch = Array.from({ length: 20_000 }, (_, i) => ({
      wallet: `0x${'f'.repeat(100)}${i}`,
      shares: i,
    }))
    await writer.insert({ table: 'trades', values: batch, format: 'JSONEachRow' })
    expect(await rowCount()).toBe(20_003)
    expect(await failureOf(writer.query({ query: "SELECT file('/etc/hostname')" }))).toMatchObject({
      code: '497',
    })
    const get = await fetch(`${servers.at(-1)?.url}/?query=${encodeURIComponent('DROP TABLE writer_made')}`)
    expect(get.status).toBe(500)
    expect(get.headers.get('x-clickhouse-exception-code')).toBe('164')
  })

  it('takes rows in binary formats as sent, and statement settings with them', async () => {
    const url = (await serve({ allowWrites: true })).url
    await warehouse.command(
      'CREATE TABLE binary_rows (wallet String, shares UInt32) ENGINE = MergeTree ORDER BY wallet SETTINGS non_replicated_deduplication_window = 10',
    )
    // RowBinary: a String is its length and bytes, a UInt32 four little-endian bytes.
    const rowsOf = (wallets: string[]) =>
      Buffer.concat(
        wallets.map((wallet, i) => {
          const text = Buffer.from(wallet, 'utf8')
          const shares = Buffer.alloc(4)
          shares.writeUInt32LE(0xfffffff0 + i)
          return Buffer.concat([Buffer.from([text.length]), text, shares])
        }),
      )
    const insert = (token: string, rows: Buffer) =>
      fetch(
        `${url}/?query=${encodeURIComponent(`INSERT INTO binary_rows (wallet, shares) SETTINGS insert_deduplication_token = '${token}' FORMAT RowBinary`)}`,
        { method: 'POST', body: new Uint8Array(rows) },
      )
    expect((await insert('binary-1', rowsOf(['0xbinary\u00e9', '0xbin\t\n']))).status).toBe(200)
    // Other rows under the same token: dropped, which only the token in the statement's SETTINGS does.
    expect((await insert('binary-1', rowsOf(['0xother']))).status).toBe(200)
    const stored = await warehouse.query<{ wallet: string; shares: number }>(
      'SELECT wallet, shares FROM binary_rows ORDER BY shares',
    )
    expect(stored).toEqual([
      { wallet: '0xbinary\u00e9', shares: 0xfffffff0 },
      { wallet: '0xbin\t\n', shares: 0xfffffff1 },
    ])
    // The rows were staged for the engine and removed once read.
    expect(
      fs.readdirSync(path.join(dataDir, INSERT_STAGING_DIR)).filter((name) => name.startsWith('served-')),
    ).toEqual([])
    // A caller's own FROM INFILE is still refused, with rows in the body or without (the engine
    // then refuses rows after FROM INFILE as a syntax error, as it did before rows were staged).
    const before = await rowCount()
    for (const body of ['', 'row\n']) {
      const infile = await fetch(
        `${url}/?query=${encodeURIComponent("INSERT INTO trades (wallet) FROM INFILE '/etc/hostname' FORMAT LineAsString")}`,
        { method: 'POST', body },
      )
      expect(infile.status, body).not.toBe(200)
      if (body === '')
        expect(await infile.text()).toMatch(/FROM INFILE reaches the files of the serving host/)
    }
    expect(await rowCount()).toBe(before)
    // Rows for a statement that takes none are the joined text, as ClickHouse reads them.
    const selected = await fetch(
      `${url}/?query=${encodeURIComponent('SELECT count() FROM binary_rows WHERE')}`,
      {
        method: 'POST',
        body: "wallet LIKE '0xbin%'",
      },
    )
    expect(await selected.text()).toBe('2\n')
  })
})
