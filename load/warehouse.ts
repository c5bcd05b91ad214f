// The warehouse: one @clickhouse/client for everything, over the embedded engine (chDB) by
// default or a ClickHouse server when CLICKHOUSE_URL is set. Nothing here knows HTTP sources.
import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import {
  type ClickHouseClient,
  type ClickHouseClientConfigOptions,
  ClickHouseLogLevel,
  type ClickHouseSettings,
  createClient,
} from '@clickhouse/client'
import { dataDirError, type WarehouseConfig } from '../core/config.ts'
import { WarehouseError, WarehouseLockedError } from '../core/errors.ts'
import { redactUrl } from '../core/redact.ts'
import { sleep } from '../core/sleep.ts'
import { engineArguments, limitHeapGrowth } from './engine-memory.ts'
import { recordClosed, recordOpened } from './owner/record.ts'

/**
 * Set on every client. Since ClickHouse 25.8 64-bit integers and decimals come back as bare JSON
 * numbers, and JSON.parse silently rounds token ids and amounts; quoted, they stay exact strings.
 */
export const CLIENT_SETTINGS: ClickHouseSettings = {
  output_format_json_quote_64bit_integers: 1,
  output_format_json_quote_decimals: 1,
}

/** Server requests: long enough for a big INSERT … SELECT, short enough to notice a dead server. */
const SERVER_REQUEST_TIMEOUT_MS = 300_000
/**
 * Progress headers keep a long query's connection busy so load balancers do not drop it as idle
 * (clickhouse-js docs, "long running queries"); every 2 minutes is under their usual 5-minute limit.
 */
const SERVER_SETTINGS: ClickHouseSettings = {
  send_progress_in_http_headers: 1,
  http_headers_progress_interval_ms: '120000',
}
/** The client's own console logging is off: its failures reach the user as our one-line errors. */
const CLIENT_LOG = { level: ClickHouseLogLevel.OFF }

/** The file a serving process leaves beside the data it owns, so other commands can find it. */
export const SERVE_INFO_FILE = 'polyhouse-serve.json'

/**
 * Settings every query sends explicitly. chDB's connection applies a query's `clickhouse_settings`
 * as session-wide `SET` statements, so a setting given to one query stays in force for every later
 * one. Left alone, an insert's deduplication token would make ClickHouse silently drop the next
 * insert (or INSERT … SELECT) into the same table as a "duplicate" (seen with chDB 3.4 / 26.7:
 * checkpoint rows and quarantined records vanished). Restating the default on every call ends that.
 */
export const PER_QUERY_DEFAULTS: ClickHouseSettings = { insert_deduplication_token: '' }

/**
 * Where the embedded engine's inserts are staged, inside its data directory: `insertText` writes the
 * payload to a file there and the engine reads it with `INSERT … FROM INFILE`. chDB's raw insert
 * (the payload passed inline with the statement) parses 4–5 × slower: 1,000,000 chain_fills rows as
 * TabSeparated took 5.2 s into a Null table that way, 1.4 s from a file (bench/insert-path.ts).
 * Polyhouse commands writing through a serving process stage theirs here too (openServed).
 * Emptied when the directory is opened: a file left here belongs to a killed process's insert.
 */
export const INSERT_STAGING_DIR = 'polyhouse-inserts'

type ClientConnection = NonNullable<ClickHouseClientConfigOptions['connection']>

export type QueryParams = Record<string, unknown>

export interface InsertOptions {
  /** Deterministic token: a retried insert of the same rows is dropped by ClickHouse, not doubled. */
  deduplicationToken?: string
}

export interface InsertTextOptions extends InsertOptions {
  columns?: readonly string[]
  /**
   * false: skip the engine's merge-on-insert (`optimize_on_insert`), which sorts each block and
   * collapses rows sharing a ReplacingMergeTree key before writing. For payloads whose keys are
   * unique by construction it finds nothing and costs about half of the insert; background merges
   * and FINAL still collapse as always.
   */
  optimizeOnInsert?: boolean
}

export class Warehouse {
  private staged = 0
  /**
   * Told when the engine refuses an insert for memory, before the insert is tried again (the CLI
   * prints a warning, so a night's log says why the load slowed).
   */
  onInsertRefused: ((table: string, attempt: number) => void) | undefined

  constructor(
    readonly client: ClickHouseClient,
    readonly config: WarehouseConfig,
    /** The embedded engine's staging directory for `insertText` (INSERT_STAGING_DIR); none on a server. */
    private readonly stagingDir?: string,
    /** The embedded engine's first session, which carries its start-up settings; closed last. */
    private readonly engineSession?: { close(): void },
  ) {}

  get cluster(): string | undefined {
    return this.config.kind === 'server' ? this.config.cluster : undefined
  }

  /** Where the data is, for messages: a directory or a URL without credentials. */
  get location(): string {
    return this.config.kind === 'embedded' ? this.config.dataDir : redactUrl(this.config.url)
  }

  /**
   * The settings to send with a query: `overrides` on top of PER_QUERY_DEFAULTS, so that nothing an
   * earlier query set lingers (see PER_QUERY_DEFAULTS). Use it for any direct `client` call.
   */
  settings(overrides: ClickHouseSettings = {}): ClickHouseSettings {
    return { ...PER_QUERY_DEFAULTS, ...overrides }
  }

  async query<Row = Record<string, unknown>>(sql: string, params: QueryParams = {}): Promise<Row[]> {
    const result = await this.client.query({
      query: sql,
      query_params: params,
      format: 'JSONEachRow',
      clickhouse_settings: this.settings(),
    })
    return result.json<Row>()
  }

  async command(sql: string, params: QueryParams = {}, settings: ClickHouseSettings = {}): Promise<void> {
    await this.client.command({
      query: sql,
      query_params: params,
      clickhouse_settings: this.settings(settings),
    })
  }

  async insert<Row extends object>(
    table: string,
    rows: readonly Row[],
    options: InsertOptions = {},
  ): Promise<void> {
    if (rows.length === 0) return
    await this.client.insert({
      table,
      values: rows as Row[],
      format: 'JSONEachRow',
      clickhouse_settings: this.settings(
        options.deduplicationToken ? { insert_deduplication_token: options.deduplicationToken } : {},
      ),
    })
  }

  /**
   * Inserts rows already written in `format` (one payload, or its pieces in order, parsed by the
   * engine). On the embedded engine (in this process or a serving one) the payload is staged as a
   * file and read with `INSERT … FROM INFILE` (INSERT_STAGING_DIR), its settings in the statement so
   * they cannot leak into the session; on a server it is the request body.
   */
  async insertText(
    table: string,
    format: 'JSONEachRow' | 'TabSeparated' | 'RowBinary',
    payload: string | Buffer | readonly Buffer[],
    options: InsertTextOptions = {},
  ): Promise<void> {
    const pieces = typeof payload === 'string' || Buffer.isBuffer(payload) ? [payload] : payload
    if (pieces.every((piece) => piece.length === 0)) return
    const settings: Record<string, string> = {}
    if (options.deduplicationToken) settings.insert_deduplication_token = options.deduplicationToken
    if (options.optimizeOnInsert === false) settings.optimize_on_insert = '0'
    const columns = options.columns ? ` (${options.columns.map((column) => `\`${column}\``).join(', ')})` : ''
    const target = `INSERT INTO \`${table}\`${columns}`
    if (this.stagingDir === undefined) {
      // The answer must mean "stored": with progress headers a server may answer 200 before it has
      // read the whole body (and report a failure after it), and the caller reuses the payload's
      // memory once this returns (load/row-buffers.ts). So no progress headers,
      // the answer held until the end of the query, and read to its end.
      await this.whenMemoryAllows(table, async () => {
        const result = await this.client.exec({
          query: `${target} FORMAT ${format}`,
          values: Readable.from(pieces),
          clickhouse_settings: this.settings({
            ...settings,
            send_progress_in_http_headers: 0,
            wait_end_of_query: 1,
          }),
        })
        for await (const _ of result.stream) {
          // An INSERT answers with no rows; reading to the end is what waits for it.
        }
      })
      return
    }
    // Text formats are parsed in parallel by default: a chunk per thread held at once. In this
    // process that memory is the pipeline's own, and a page of rows parses fast enough on one thread.
    if (format !== 'RowBinary') settings.input_format_parallel_parsing = '0'
    const settingsClause = Object.entries(settings)
      .map(([name, value]) => `${name} = ${sqlString(value)}`)
      .join(', ')
    const file = path.join(this.stagingDir, `${process.pid}-${++this.staged}.${format}`)
    try {
      await writePieces(file, pieces)
      await this.whenMemoryAllows(table, () =>
        this.command(
          `${target} FROM INFILE ${sqlString(file)}${settingsClause && ` SETTINGS ${settingsClause}`} FORMAT ${format}`,
        ),
      )
    } finally {
      // On the thread pool: unlinking a batch's file frees its pages in the page cache, ~20 ms for
      // 100,000 fills, which the main thread (the chain step's scarcest resource) need not wait out.
      await fs.promises.rm(file, { force: true })
    }
  }

  /** An insert into `table`, tried again while the engine refuses it for memory (retryRefusedForMemory). */
  private whenMemoryAllows(table: string, insert: () => Promise<void>): Promise<void> {
    return retryRefusedForMemory(insert, {
      onRefused: (attempt) => this.onInsertRefused?.(table, attempt),
      settle: (ms) => this.mergesSettled(ms),
    })
  }

  /** Resolves once the engine runs no merge, or after `ms`; a second at least, since what held the memory may be a query, not a merge. */
  private async mergesSettled(ms: number): Promise<void> {
    const until = Date.now() + ms
    await sleep(Math.min(ms, MIN_SETTLE_MS))
    while (Date.now() < until) {
      const [merging] = await this.query<{ n: number }>('SELECT count() AS n FROM system.merges')
      if (Number(merging?.n ?? 0) === 0) return
      await sleep(Math.min(MERGE_POLL_MS, until - Date.now()))
    }
  }

  async close(): Promise<void> {
    if (this.config.kind === 'embedded') recordClosed(this.config.dataDir)
    await this.client.close()
    this.engineSession?.close()
  }
}

export async function openWarehouse(config: WarehouseConfig): Promise<Warehouse> {
  return config.kind === 'embedded' ? openEmbedded(config.dataDir, config) : openServer(config)
}

async function openEmbedded(
  dataDir: string,
  config: Extract<WarehouseConfig, { kind: 'embedded' }>,
): Promise<Warehouse> {
  // chDB locks <dir>/status and writes its PID there; a live PID means another process owns it.
  // Checking first gives the user our message instead of the engine's "Cannot lock file".
  const holder = lockHolder(dataDir)
  if (holder !== undefined) {
    // A process that serves the directory (`polyhouse serve`, `backfill --serve`) shares it over HTTP.
    const { findServer } = await import('./serve/info.ts')
    const server = findServer(dataDir, holder)
    if (server) return openServed(server, dataDir)
    throw new WarehouseLockedError(dataDir, holder)
  }
  try {
    fs.mkdirSync(dataDir, { recursive: true })
  } catch (error) {
    throw dataDirError(dataDir, error)
  }
  const [{ Session }, { createChdbConnection }] = await Promise.all([
    import('chdb'),
    import('chdb/connection'),
  ])
  let session: InstanceType<typeof Session>
  let connection: ReturnType<typeof createChdbConnection>
  try {
    // The first session of a directory starts its engine, with the settings it is given (cache
    // sizes, the memory cap: load/engine-memory.ts); the client's connection joins that engine.
    session = new Session(dataDir, { connectionArgs: engineArguments(config.memoryLimitBytes) })
    limitHeapGrowth()
    connection = createChdbConnection({ path: dataDir })
  } catch (error) {
    const racedHolder = lockHolder(dataDir)
    if (racedHolder !== undefined) throw new WarehouseLockedError(dataDir, racedHolder, { cause: error })
    throw new WarehouseError(`cannot open the embedded warehouse at ${dataDir}: ${messageOf(error)}`, {
      hint: 'check that the directory is writable and holds only polyhouse data (or choose another with --data-dir)',
      cause: error,
    })
  }
  // chDB declares the Connection type from its own copy of @clickhouse/client-common; the
  // contract is the same, the declarations are not.
  const client = createClient({
    connection: connection as unknown as ClientConnection,
    clickhouse_settings: CLIENT_SETTINGS,
  })
  // This process holds the directory's lock now, so whatever is staged belongs to a dead process.
  const stagingDir = path.join(dataDir, INSERT_STAGING_DIR)
  fs.rmSync(stagingDir, { recursive: true, force: true })
  fs.mkdirSync(stagingDir)
  recordOpened(dataDir)
  return new Warehouse(client, config, stagingDir, session)
}

/**
 * The embedded warehouse of a serving process, over HTTP: a server-kind Warehouse authenticated with
 * the owner key from the serve info file, so commands work as they would in that process. Inserts
 * are staged in the directory's INSERT_STAGING_DIR as in-process ones are, and the serving process
 * reads them FROM INFILE (the owner may): the payload never crosses HTTP, so no request body bound
 * (serve's --max-body-bytes) limits a batch.
 */
function openServed(server: { url: string; user: string; key: string }, dataDir: string): Warehouse {
  const config = {
    kind: 'server' as const,
    url: server.url,
    user: server.user,
    password: server.key,
    database: 'default',
  }
  const client = createClient({
    url: server.url,
    username: server.user,
    password: server.key,
    request_timeout: SERVER_REQUEST_TIMEOUT_MS,
    clickhouse_settings: CLIENT_SETTINGS,
    log: CLIENT_LOG,
  })
  const stagingDir = path.join(dataDir, INSERT_STAGING_DIR)
  try {
    fs.mkdirSync(stagingDir, { recursive: true })
    fs.accessSync(stagingDir, fs.constants.W_OK)
  } catch {
    // A directory this process may not write: inserts go as request bodies, which serve bounds
    // (--max-body-bytes, 16 MiB by default: a chain batch needs it raised).
    return new Warehouse(client, config)
  }
  return new Warehouse(client, config, stagingDir)
}

/** The PID holding an embedded data directory, or undefined when it is free. */
export function lockHolder(dataDir: string): number | undefined {
  let status: string
  try {
    status = fs.readFileSync(path.join(dataDir, 'status'), 'utf8')
  } catch {
    return undefined
  }
  const pid = Number(/PID:\s*(\d+)/.exec(status)?.[1])
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined
  try {
    process.kill(pid, 0)
    return pid
  } catch (error) {
    // EPERM: alive but not ours to signal; ESRCH: gone (a killed process leaves its status file).
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined
  }
}

async function openServer(config: Extract<WarehouseConfig, { kind: 'server' }>): Promise<Warehouse> {
  const base = {
    url: config.url,
    username: config.user,
    password: config.password,
    request_timeout: SERVER_REQUEST_TIMEOUT_MS,
    clickhouse_settings: { ...CLIENT_SETTINGS, ...SERVER_SETTINGS },
    log: CLIENT_LOG,
  }
  // The database may not exist yet on a new server: create it through the default one.
  const bootstrap = createClient(base)
  try {
    await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS \`${config.database}\`` })
  } catch (error) {
    throw serverError(error, config)
  } finally {
    await bootstrap.close()
  }
  return new Warehouse(createClient({ ...base, database: config.database }), config)
}

/**
 * The ClickHouse error code ("57", "516", …) of a failed query, or undefined for other failures.
 * Duck-typed: chDB raises the ClickHouseError of its own copy of @clickhouse/client-common, which
 * is not an instance of the class @clickhouse/client exports.
 */
export function clickhouseErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^\d+$/.test(code) ? code : undefined
}

/** Turns what the server or the network said into one line naming the fix. */
export function serverError(
  error: unknown,
  config: Extract<WarehouseConfig, { kind: 'server' }>,
): WarehouseError {
  const where = redactUrl(config.url)
  const code = clickhouseErrorCode(error)
  if (code !== undefined) {
    const message = firstLine((error as Error).message)
    // 516 AUTHENTICATION_FAILED, 192 UNKNOWN_USER, 194 REQUIRED_PASSWORD
    if (code === '516' || code === '192' || code === '194') {
      return new WarehouseError(`ClickHouse at ${where} refused user '${config.user}': ${message}`, {
        hint: 'check CLICKHOUSE_USER and CLICKHOUSE_PASSWORD',
        cause: error,
      })
    }
    return new WarehouseError(`ClickHouse at ${where} answered: ${message}`, { cause: error })
  }
  const network =
    (error as NodeJS.ErrnoException)?.code ?? (error as { cause?: NodeJS.ErrnoException })?.cause?.code
  return new WarehouseError(`cannot reach ClickHouse at ${where} (${network ?? messageOf(error)})`, {
    hint: 'check CLICKHOUSE_URL and that the server is running',
    cause: error,
  })
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? text
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** The engine's error code for a query refused by its memory cap (MEMORY_LIMIT_EXCEEDED). */
export const MEMORY_LIMIT_EXCEEDED = '241'
/**
 * Waits before each new attempt of an insert the engine refused for memory. Under a cap an insert
 * may meet the peak of the merges beside it (at 10M fills under --memory-limit 600M the engine
 * counted ~100 MiB between inserts and refused one at 300 MiB); the merges end within seconds, and
 * none start while the writer waits. About a minute and a half in all before the refusal stands.
 */
export const MEMORY_RETRY_WAITS_MS = [1_000, 2_000, 5_000, 10_000, 20_000, 40_000] as const

/**
 * Runs `insert`, and again after `settle` whenever the engine refuses it for memory, up to `waits`.
 * Safe for the pipeline's inserts: each carries a deduplication token, so blocks a refused attempt
 * already wrote (to the table or to any of its materialized views, which chDB 26.7 deduplicates
 * each on its own) are dropped on the next, and only the rest go in.
 */
export async function retryRefusedForMemory<T>(
  insert: () => Promise<T>,
  hooks: {
    /** Waits up to `ms` for the memory to be free (Warehouse: until no merge runs). */
    settle(ms: number): Promise<void>
    /** Told of each refusal before its wait (the attempt that failed, counting from 1). */
    onRefused?(attempt: number): void
  },
  waits: readonly number[] = MEMORY_RETRY_WAITS_MS,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await insert()
    } catch (error) {
      const wait = waits[attempt - 1]
      if (wait === undefined || clickhouseErrorCode(error) !== MEMORY_LIMIT_EXCEEDED) throw error
      hooks.onRefused?.(attempt)
      await hooks.settle(wait)
    }
  }
}

/** How long a refused insert waits at least before it is tried again. */
const MIN_SETTLE_MS = 1_000
/** How often a refused insert then looks whether the engine's merges have ended. */
const MERGE_POLL_MS = 250

/** Buffers per vectored write: POSIX guarantees at least 16 (IOV_MAX), Linux takes 1,024. */
const MAX_IOVECS = 1_024

/** A SQL string literal: backslashes and quotes escaped. */
function sqlString(text: string): string {
  return `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`
}

/**
 * Writes the pieces to a new file (a batch of many ranges is never concatenated in memory) in one
 * vectored write where the system allows. The write runs on the thread pool; opening and closing
 * are synchronous. Each await costs a turn of an event loop the chain step keeps busy, and the
 * commits wait in line for them: through a stream (one write per piece) a batch's 60 MB took
 * 600–800 ms; with every call asynchronous, 100–300 ms.
 */
async function writePieces(file: string, pieces: readonly (string | Buffer)[]): Promise<void> {
  const buffers = pieces.map((piece) => (typeof piece === 'string' ? Buffer.from(piece) : piece))
  const fd = fs.openSync(file, 'w')
  try {
    let pending = buffers.filter((buffer) => buffer.length > 0)
    while (pending.length > 0) {
      let written = await new Promise<number>((resolve, reject) =>
        fs.writev(fd, pending.slice(0, MAX_IOVECS), (error, bytes) =>
          error ? reject(error) : resolve(bytes),
        ),
      )
      // A short write: drop what went out and write the rest.
      const rest: Buffer[] = []
      for (const buffer of pending) {
        if (written >= buffer.length) written -= buffer.length
        else {
          rest.push(written > 0 ? buffer.subarray(written) : buffer)
          written = 0
        }
      }
      pending = rest
    }
  } finally {
    fs.closeSync(fd)
  }
}
