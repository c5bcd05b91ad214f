// Running one served query in the engine. Every request gets a chDB session of its own on the
// warehouse's directory (opening one costs about 0.2 ms): settings, parameters and the current
// database are per connection in chDB, so nothing a caller sets reaches another caller or
// polyhouse's own client, and each stream has its connection to itself (chDB allows one per session).
//
// Read-only is the engine's: `SET readonly = 1` after the caller's settings, so the caller's URL
// settings apply (clients send them) while every write, DDL, SET, SETTINGS clause and table function
// in the statement is refused by ClickHouse itself with READONLY (164).
import fs from 'node:fs'
import path from 'node:path'
import { type ChdbQueryStream, Session, type StreamChunk } from 'chdb'
import { INSERT_STAGING_DIR } from '../warehouse.ts'
import { killOnAbort, newQueryMarker } from './cancel.ts'
import { ErrorCode, fromEngineError, ServeError } from './errors.ts'
import { isStreamable } from './formats.ts'
import { checkReadBack, type QueryLimits, READER_THREAD_NICE, readBackQuery, refusePinned } from './limits.ts'
import { joinedSql, type ServedQuery } from './request.ts'
import { infileClauseAt, inspectStatement } from './statement.ts'

export type { QueryLimits }

export interface ExecutionPolicy {
  /** Apply readonly = 1 after the caller's settings. */
  readOnly: boolean
  /** Engine limits imposed on the query; the caller may lower them, never raise them. */
  limits: QueryLimits | undefined
  /** Refuse KILL: every served query runs as the engine's one user, so it would reach the backfill's. */
  denyKill: boolean
  /** Refuse file(), INTO OUTFILE and FROM INFILE (see statement.ts). */
  denyHostFiles: boolean
}

export interface QuerySummary {
  resultRows: number
  resultBytes: number
  elapsedNs: number
}

export interface Execution {
  /** The output format the engine writes (FORMAT clause, else the request's default). */
  format: string
  /** SELECT, INSERT, SHOW, …: the statement's first keyword. */
  kind: string
  streamed: boolean
  /** The next chunk of output, undefined at the end; throws a ServeError if the engine fails. */
  next(): Promise<Uint8Array | undefined>
  summary(): QuerySummary
  /** Cancels a stream still running and releases the session. Idempotent. */
  close(): void
  /**
   * Resolves once the engine has no call of this query in flight. A cancelled stream's last fetch
   * runs to its end on a libuv thread (chDB cannot interrupt it), and until then it holds that
   * thread: the query's engine slot (lanes.ts) is released only after this.
   */
  settled(): Promise<void>
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/
/** chDB's refusal to stream a statement that returns no rows (DDL, INSERT, SHOW, …): run it whole instead. */
const NOT_STREAMABLE = /Streaming query is not supported/
const STREAMED_KINDS = new Set(['SELECT', 'WITH'])
/** A statement in the URL that may take its rows from the body: an INSERT ending in `FORMAT name`. */
const ROWS_FOLLOW = /^\s*INSERT\b[\s\S]*\bFORMAT\s+[A-Za-z_][A-Za-z0-9_]*\s*$/i
/** ClickHouse's default max_query_size (256 KiB). */
const DEFAULT_MAX_QUERY_SIZE = 262_144

export async function startExecution(
  dataDir: string,
  query: ServedQuery,
  policy: ExecutionPolicy,
  signal: AbortSignal,
): Promise<Execution> {
  if (query.sql.trim() === '') throw new ServeError(ErrorCode.SYNTAX_ERROR, 'Empty query')
  const started = process.hrtime.bigint()
  const session = new Session(dataDir)
  let staged: string | undefined
  try {
    const settings = callerSettings(query.settings, policy)
    // The statement goes to formatQuerySingleLine() as a literal, which the parser counts against
    // max_query_size; an INSERT's rows (which the engine does not count) would overflow it. So the
    // limit is raised for that one call when needed, and put back before the statement runs.
    const maxQuerySize = settings.max_query_size ?? 'DEFAULT'
    const render = async (sql: string) => {
      const literal = quoteString(sql)
      const widen = literal.length + 64 > (Number(settings.max_query_size) || DEFAULT_MAX_QUERY_SIZE)
      // One round trip: database, the caller's settings and parameters, then the engine's rendering
      // of the statement, which says what it is before anything runs.
      const canonical = await engineText(
        session,
        [
          ...(query.database ? [`USE ${quoteIdentifier(query.database)}`] : []),
          ...Object.entries(settings).map(([name, value]) => `SET ${name} = ${quoteString(value)}`),
          ...Object.entries(query.params).map(
            ([name, value]) => `SET ${paramName(name)} = ${quoteString(value)}`,
          ),
          ...(widen ? [`SET max_query_size = ${literal.length + 64}`] : []),
          `SELECT formatQuerySingleLine(${literal})`,
        ].join('; '),
      )
      return { canonical, widen }
    }
    // `INSERT … FORMAT X` in the URL with the rows as the body (how clients send inserts): the
    // statement is read alone and the rows from a file, so binary formats arrive intact and large
    // payloads are not SQL text. Anything else is the joined text, as ClickHouse joins it.
    // A read-only caller's INSERT is refused by the engine either way: its rows are not staged.
    const rows = !policy.readOnly && ROWS_FOLLOW.test(query.sql) ? query.body : undefined
    let rendered = rows && (await render(query.sql).catch(() => undefined))
    const infileAt = rendered && infileClauseAt(rendered.canonical)
    const joined = rows !== undefined && infileAt !== undefined ? undefined : joinedSql(query)
    if (joined !== undefined) rendered = await render(joined)
    const { canonical, widen } = rendered as { canonical: string; widen: boolean }
    const facts = inspectStatement(canonical)
    refuseUnsafe(facts, policy)
    let sql = joined
    if (sql === undefined) {
      // Not joined: the rows follow an INSERT that takes them (rows and infileAt are set).
      staged = await stageRows(dataDir, rows as Buffer)
      const at = infileAt as number
      sql = `${canonical.slice(0, at)}FROM INFILE ${quoteString(staged)} ${canonical.slice(at)}`
    }
    const format = facts.outputFormat ?? query.defaultFormat
    const stream = STREAMED_KINDS.has(facts.kind) && isStreamable(format, query.settings)
    // A result held whole before it is sent (a whole-document format, or wait_end_of_query) is bound
    // in bytes too; a streamed one leaves memory one chunk at a time.
    const limits = policy.limits && enforcedLimits(policy.limits, stream && !query.waitEndOfQuery)
    // readonly goes last: once set, the engine refuses every later SET, ours included.
    const readonly = policy.readOnly ? '1' : query.settings.readonly
    // An analyst's query is marked so that it can be stopped when its caller leaves (cancel.ts); the
    // marker takes the place of a log_comment the caller may have set.
    const marker = limits ? newQueryMarker() : undefined
    const locks = [
      ...(widen
        ? [`SET max_query_size = ${maxQuerySize === 'DEFAULT' ? 'DEFAULT' : quoteString(maxQuerySize)}`]
        : []),
      ...limitStatements(settings, limits),
      ...(limits ? [`SET os_thread_priority = ${READER_THREAD_NICE}`] : []),
      ...(marker ? [`SET log_comment = ${quoteString(marker)}`] : []),
      ...(readonly === undefined ? [] : [`SET readonly = ${quoteString(readonly)}`]),
      // What the engine will run with, after the caller's settings and ours (see limits.ts).
      ...(limits ? [readBackQuery(limits)] : []),
    ]
    if (locks.length > 0) {
      const readBack = await engineText(session, locks.join('; '))
      if (limits) checkReadBack(readBack, limits, settings)
    }
    const run = { ...query, sql }
    if (marker) killOnAbort(dataDir, marker, signal)
    if (signal.aborted) throw new ServeError(ErrorCode.QUERY_WAS_CANCELLED, 'The client went away')
    const source = stream ? await openStream(session, run, signal) : undefined
    const execution = source
      ? streamedExecution(session, source, started)
      : await wholeExecution(session, run, started)
    return { ...execution, format, kind: facts.kind }
  } catch (error) {
    session.close()
    throw fromEngineError(error)
  } finally {
    // An INSERT runs whole (never streamed), so its rows have been read by now.
    if (staged !== undefined) fs.rmSync(staged, { force: true })
  }
}

/** Rows of a served INSERT, written where the engine reads them (the warehouse's staging directory). */
async function stageRows(dataDir: string, body: Buffer): Promise<string> {
  const directory = path.join(dataDir, INSERT_STAGING_DIR)
  await fs.promises.mkdir(directory, { recursive: true })
  const file = path.join(directory, `served-${process.pid}-${++stagedInserts}`)
  try {
    await fs.promises.writeFile(file, body)
  } catch (error) {
    await fs.promises.rm(file, { force: true })
    throw error
  }
  return file
}
let stagedInserts = 0

/** The caller's settings, checked against the policy: readonly may not be lifted, limits not raised. */
function callerSettings(requested: Record<string, string>, policy: ExecutionPolicy): Record<string, string> {
  const settings: Record<string, string> = {}
  for (const [name, value] of Object.entries(requested)) {
    if (!IDENTIFIER.test(name))
      throw new ServeError(ErrorCode.BAD_ARGUMENTS, `Invalid setting name: ${JSON.stringify(name)}`)
    // The engine refuses a readonly change once readonly is set; ours comes after the caller's
    // settings, so the caller's attempt is refused here in the engine's words.
    if (name === 'readonly') {
      if (policy.readOnly && value.trim() !== '1') {
        throw new ServeError(ErrorCode.READONLY, "Cannot modify 'readonly' setting in readonly mode")
      }
      continue
    }
    // The limits themselves are checked as the engine reads them, once applied (limits.ts).
    if (policy.limits) refusePinned(name)
    settings[name] = value
  }
  return settings
}

/** The limits that apply to this query: max_result_bytes only to a result held whole. */
function enforcedLimits(limits: QueryLimits, streamed: boolean): Partial<QueryLimits> {
  if (!streamed) return limits
  const { max_result_bytes: _, ...rest } = limits
  return rest
}

/** SETs for the limits the caller did not set themselves (theirs are checked by readback). */
function limitStatements(
  settings: Record<string, string>,
  limits: Partial<QueryLimits> | undefined,
): string[] {
  if (!limits) return []
  return Object.entries(limits)
    .filter(([name]) => settings[name] === undefined)
    .map(([name, value]) => `SET ${name} = ${value}`)
}

function refuseUnsafe(facts: ReturnType<typeof inspectStatement>, policy: ExecutionPolicy): void {
  // The engine's readonly lets the global forms of SYSTEM STOP/START MERGES, TTL MERGES and MOVES
  // through (chDB 26.7: 200 and no effect a reader should have); ClickHouse refuses every SYSTEM
  // statement in readonly mode, and so does this, in the engine's own words for the others.
  if (policy.readOnly && facts.kind === 'SYSTEM') {
    throw new ServeError(ErrorCode.READONLY, 'default: Cannot execute query in readonly mode')
  }
  if (policy.denyHostFiles && facts.hostFileAccess === 'INTO OUTFILE') {
    throw new ServeError(ErrorCode.INTO_OUTFILE_NOT_ALLOWED, 'INTO OUTFILE is not allowed')
  }
  if (policy.denyHostFiles && facts.hostFileAccess !== undefined) {
    throw new ServeError(
      ErrorCode.ACCESS_DENIED,
      `${facts.hostFileAccess} reaches the files of the serving host, which polyhouse serve does not allow`,
    )
  }
  if (policy.denyKill && facts.kind === 'KILL') {
    throw new ServeError(
      ErrorCode.ACCESS_DENIED,
      'KILL is not allowed: every served query runs as the same engine user, so it would reach queries that are not yours',
    )
  }
}

async function engineText(session: Session, sql: string): Promise<string> {
  try {
    return (await session.queryAsync(sql, { format: 'TSVRaw' })).text().trim()
  } catch (error) {
    throw withoutWrapper(fromEngineError(error))
  }
}

/**
 * The engine reports a statement it cannot parse from inside our formatQuerySingleLine() call,
 * echoing the call ("… In scope SELECT formatQuerySingleLine('…')"); the caller only needs the part
 * about their statement.
 */
function withoutWrapper(error: ServeError): ServeError {
  const at = error.message.indexOf('In scope SELECT formatQuerySingleLine(')
  if (at === -1) return error
  const type = /\(([A-Z0-9_]+)\)\s*$/.exec(error.message)?.[1] ?? 'UNKNOWN_EXCEPTION'
  return new ServeError(error.code, `${error.message.slice(0, at).replace(/[\s:.]+$/, '')}. (${type})`)
}

interface StreamSource {
  stream: ChdbQueryStream
  iterator: AsyncIterator<StreamChunk>
  first: IteratorResult<StreamChunk>
}

async function openStream(
  session: Session,
  query: ServedQuery,
  signal: AbortSignal,
): Promise<StreamSource | undefined> {
  let stream: ChdbQueryStream
  try {
    stream = session.queryStream(query.sql, { format: query.defaultFormat, signal })
  } catch (error) {
    if (NOT_STREAMABLE.test((error as Error).message)) return undefined
    throw error
  }
  const iterator = stream[Symbol.asyncIterator]()
  // The first chunk is fetched before any header is sent, so a query that fails at once (unknown
  // table, bad parameter, readonly) answers with its own status code instead of a broken 200.
  return { stream, iterator, first: await iterator.next() }
}

function streamedExecution(
  session: Session,
  source: StreamSource,
  started: bigint,
): Omit<Execution, 'format' | 'kind'> {
  let pending: IteratorResult<StreamChunk> | undefined = source.first
  let resultRows = 0
  let resultBytes = 0
  let closed = false
  let inFlight: Promise<unknown> | undefined
  const close = () => {
    if (closed) return
    closed = true
    source.stream.cancel()
    session.close()
  }
  return {
    streamed: true,
    async next() {
      let step = pending
      pending = undefined
      try {
        if (step === undefined) {
          const fetch = source.iterator.next()
          inFlight = fetch
          step = await fetch.finally(() => {
            inFlight = undefined
          })
        }
      } catch (error) {
        close()
        throw fromEngineError(error)
      }
      if (step.done) {
        close()
        return undefined
      }
      const bytes = step.value.raw()
      resultRows += step.value.numRows
      resultBytes += bytes.length
      return bytes
    },
    summary: () => ({ resultRows, resultBytes, elapsedNs: Number(process.hrtime.bigint() - started) }),
    close,
    settled: async () => {
      await inFlight?.catch(() => {})
    },
  }
}

async function wholeExecution(
  session: Session,
  query: ServedQuery,
  started: bigint,
): Promise<Omit<Execution, 'format' | 'kind'>> {
  // Single-shot queries cannot be interrupted in chDB (its docs: abort only rejects early), so no
  // signal here: the session stays open until the engine is done with it (or KILLed: cancel.ts).
  const result = await session.queryAsync(query.sql, { format: query.defaultFormat })
  session.close()
  let bytes: Uint8Array | undefined = result.bytes()
  const summary = {
    resultRows: result.rowsRead,
    resultBytes: bytes.length,
    elapsedNs: Number(process.hrtime.bigint() - started),
  }
  return {
    streamed: false,
    async next() {
      const chunk = bytes
      bytes = undefined
      return chunk && chunk.length > 0 ? chunk : undefined
    },
    summary: () => summary,
    close: () => {},
    // The whole result was awaited before this execution was made.
    settled: async () => {},
  }
}

/** A ClickHouse string literal: backslash escapes, so the engine reads back exactly `value`. */
function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

function quoteIdentifier(name: string): string {
  return `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``
}

function paramName(name: string): string {
  if (!IDENTIFIER.test(name))
    throw new ServeError(ErrorCode.BAD_ARGUMENTS, `Invalid parameter name: ${JSON.stringify(name)}`)
  return `param_${name}`
}
