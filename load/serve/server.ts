// `startServer`: the ClickHouse HTTP interface on the embedded warehouse of this process, so that
// analysts' ClickHouse clients (and other polyhouse commands) reach a directory only this process may
// open. Used by `polyhouse serve`, and meant for `polyhouse backfill --serve`.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import { Session } from 'chdb'
import { UsageError } from '../../core/errors.ts'
import { Warehouse } from '../warehouse.ts'
import { Authenticator, type Caller, claimedUser, newOwnerKey, OWNER_USER } from './auth.ts'
import { ErrorCode, fromEngineError, ServeError } from './errors.ts'
import { type ExecutionPolicy, startExecution } from './execute.ts'
import { removeServeInfo, writeServeInfo } from './info.ts'
import { EngineLanes, servedSlots } from './lanes.ts'
import { type ResolvedServeOptions, resolveServeOptions, type ServeOptions } from './options.ts'
import { readServedQuery } from './request.ts'
import { type EngineFacts, sendError, sendExecution } from './response.ts'

export interface RunningServer {
  /** Where clients connect, e.g. http://127.0.0.1:8123 (the chosen port when asked for 0). */
  url: string
  host: string
  port: number
  /** Stops accepting, lets running queries finish (cancelling them after a grace period), removes the info file. */
  close(): Promise<void>
}

/** What to serve: an open embedded warehouse, or the directory of one this process has open. */
export type ServeSource = Warehouse | { dataDir: string }

/** How long close() lets running queries finish before cutting their connections. */
const SHUTDOWN_GRACE_MS = 5_000
/** Request header bytes (Node's default, said here): past it the client gets 431. */
const MAX_HEADER_BYTES = 16 * 1024
/** How often Node checks the header and request timeouts, at most (its default is 30 s). */
const TIMEOUT_CHECK_INTERVAL_MS = 5_000

export async function startServer(source: ServeSource, options: ServeOptions = {}): Promise<RunningServer> {
  const dataDir = dataDirOf(source)
  const resolved = resolveServeOptions(options)
  const engine = await engineFacts(dataDir)
  const ownerKey = newOwnerKey()
  const authenticator = new Authenticator(resolved.users, ownerKey)
  const inFlight = new Set<Promise<void>>()
  let running = 0
  const lanes = new EngineLanes(
    servedSlots(resolved.poolSize),
    resolved.maxRunningQueries,
    resolved.queueWaitS * 1000,
  )

  const serverOptions: http.ServerOptions = {
    headersTimeout: resolved.headersTimeoutMs,
    requestTimeout: resolved.requestTimeoutMs,
    // Checked often enough that a timeout is kept to within half of itself.
    connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_INTERVAL_MS, resolved.headersTimeoutMs / 2),
    maxHeaderSize: MAX_HEADER_BYTES,
  }
  const server = http.createServer(serverOptions, (request, response) => {
    const handled = handle(request, response).catch((error) => {
      if (!response.headersSent) sendError(response, fromEngineError(error), engine)
      else response.destroy()
    })
    inFlight.add(handled)
    void handled.finally(() => inFlight.delete(handled))
  })
  server.maxConnections = resolved.maxConnections

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost')
    response.setHeader('X-ClickHouse-Server-Display-Name', engine.hostname)
    if (request.method === 'GET' || request.method === 'HEAD') {
      // Health checks: ClickHouse answers these three with "Ok.".
      if (
        url.pathname === '/ping' ||
        url.pathname === '/replicas_status' ||
        (url.pathname === '/' && !url.searchParams.has('query'))
      ) {
        response.writeHead(200, { 'Content-Type': 'text/html; charset=UTF-8' }).end('Ok.\n')
        return
      }
    }
    if (url.pathname !== '/') {
      response
        .writeHead(404, { 'Content-Type': 'text/plain; charset=UTF-8' })
        .end(
          `There is no handle ${url.pathname}\n\nUse / or /ping for health checks.\nSend queries with POST / or GET /?query=...\n`,
        )
      return
    }
    if (request.method !== 'GET' && request.method !== 'POST') {
      response
        .writeHead(405, { Allow: 'GET, POST', 'Content-Type': 'text/plain; charset=UTF-8' })
        .end('Use GET or POST\n')
      return
    }
    const startedAt = Date.now()
    let caller: Caller = { user: claimedUser(request, url), role: 'analyst' }
    let queryId = ''
    let kind = ''
    const log = (status: number, errorCode?: number, rows = 0, bytes = 0) =>
      resolved.onQuery?.({
        queryId,
        user: caller.user,
        kind,
        status,
        ...(errorCode === undefined ? {} : { errorCode }),
        resultRows: rows,
        resultBytes: bytes,
        elapsedMs: Date.now() - startedAt,
      })
    let acquired = false
    let releaseLane: (() => void) | undefined
    try {
      caller = authenticator.authenticate(request, url)
      if (running >= resolved.maxConcurrentQueries) {
        throw new ServeError(
          ErrorCode.TOO_MANY_SIMULTANEOUS_QUERIES,
          `Too many simultaneous queries. Maximum: ${resolved.maxConcurrentQueries} (polyhouse serve --max-concurrent-queries)`,
          { 'Retry-After': '1' },
        )
      }
      running++
      acquired = true
      const query = await readServedQuery(request, url, resolved.maxBodyBytes)
      queryId = query.queryId
      // The caller going away (while waiting or during the result) stops the engine producing for nobody.
      const cancel = new AbortController()
      response.once('close', () => {
        if (!response.writableFinished) cancel.abort()
      })
      // An engine slot, held until the response has ended (the result's memory with it).
      releaseLane = await lanes.acquire(caller.role === 'owner', cancel.signal)
      const execution = await startExecution(
        dataDir,
        query,
        policyFor(caller, request.method, resolved),
        cancel.signal,
      )
      kind = execution.kind
      response.once('close', () => execution.close())
      let outcome: Awaited<ReturnType<typeof sendExecution>>
      try {
        outcome = await sendExecution(response, execution, query, engine, {
          maxHeldBytes: caller.role === 'owner' ? undefined : resolved.maxBufferedResultBytes,
          sendStallMs: resolved.sendStallTimeoutMs,
        })
      } finally {
        execution.close()
        await execution.settled()
      }
      log(response.statusCode, outcome.errorCode, outcome.summary.resultRows, outcome.summary.resultBytes)
    } catch (error) {
      const failure = fromEngineError(error)
      if (!response.headersSent) {
        if (failure.code === ErrorCode.QUERY_IS_TOO_LARGE) response.setHeader('Connection', 'close')
        sendError(response, failure, engine, queryId)
      } else {
        response.destroy()
      }
      log(failure.status, failure.code)
    } finally {
      releaseLane?.()
      if (acquired) running--
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new UsageError(`port ${resolved.port} on ${resolved.host} is already in use`, {
              hint: 'choose another with --port (0 picks a free one)',
            })
          : error,
      ),
    )
    server.listen(resolved.port, resolved.host, resolve)
  })
  const address = server.address() as AddressInfo
  const url = `http://${urlHost(address.address)}:${address.port}`
  writeServeInfo(dataDir, {
    pid: process.pid,
    url: `http://${localHost(address.address)}:${address.port}`,
    user: OWNER_USER,
    key: ownerKey,
    startedAt: new Date().toISOString(),
    readOnly: !resolved.allowWrites,
  })

  let closing: Promise<void> | undefined
  return {
    url,
    host: address.address,
    port: address.port,
    close() {
      closing ??= (async () => {
        removeServeInfo(dataDir, ownerKey)
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
        server.closeIdleConnections()
        const grace = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref())
        await Promise.race([Promise.allSettled([...inFlight]), grace])
        server.closeAllConnections()
        await stopped
      })()
      return closing
    },
  }
}

function dataDirOf(source: ServeSource): string {
  if (!(source instanceof Warehouse)) return source.dataDir
  if (source.config.kind === 'embedded') return source.config.dataDir
  if (source.config.user === OWNER_USER) {
    // openWarehouse found the directory held by a serving process and connected to it.
    throw new UsageError(`the data directory is already served at ${source.location} by another process`, {
      hint: 'point clients at that address, or stop that process first',
    })
  }
  throw new UsageError(`polyhouse serve shares an embedded warehouse, and this one is ${source.location}`, {
    hint: 'point ClickHouse clients at that server directly (`polyhouse grants --print` makes a read-only analyst role for it)',
  })
}

/**
 * Owner (polyhouse's own commands): what it could do in-process, bar GET's readonly. Analysts: the
 * engine's readonly unless --allow-writes, the limits, and no reach into the host's files.
 */
function policyFor(
  caller: Caller,
  method: string | undefined,
  options: ResolvedServeOptions,
): ExecutionPolicy {
  // ClickHouse runs every GET query with readonly = 1; changes need POST.
  const get = method === 'GET'
  if (caller.role === 'owner')
    return { readOnly: get, limits: undefined, denyKill: false, denyHostFiles: false }
  return {
    readOnly: get || !options.allowWrites,
    limits: {
      max_execution_time: options.maxExecutionTimeS,
      max_result_rows: options.maxResultRows,
      max_result_bytes: options.maxBufferedResultBytes,
      max_memory_usage: options.maxMemoryUsage,
      max_threads: options.maxThreads,
    },
    denyKill: !options.allowWrites,
    denyHostFiles: true,
  }
}

async function engineFacts(dataDir: string): Promise<EngineFacts> {
  const session = new Session(dataDir)
  try {
    const [version = '', timezone = 'UTC'] = (
      await session.queryAsync('SELECT version(), timezone()', { format: 'TSVRaw' })
    )
      .text()
      .trim()
      .split('\t')
    return { version, timezone, hostname: os.hostname() }
  } finally {
    session.close()
  }
}

function urlHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address
}

/** The address polyhouse's own commands use: loopback when the server listens on every interface. */
function localHost(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1'
  if (address === '::') return '[::1]'
  return urlHost(address)
}
