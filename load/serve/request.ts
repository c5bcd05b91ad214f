// Reading a ClickHouse HTTP request: the statement (URL `query` and/or the body), its parameters,
// settings, format, database and query id, with the body bounded and decompressed on the way in.
// Follows ClickHouse's HTTP interface (docs/en/interfaces/http.md): URL parameters that are not
// the interface's own are settings, `param_<name>` binds `{name:Type}`.
import crypto from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Readable } from 'node:stream'
import zlib from 'node:zlib'
import { ErrorCode, ServeError } from './errors.ts'
import { DEFAULT_FORMAT } from './formats.ts'

export interface ServedQuery {
  /** The statement; when `body` is set, the URL's query, which the body continues (`joinedSql`). */
  sql: string
  /**
   * The body, when the URL has a query too: usually an INSERT's rows, which execute.ts reads from a
   * file rather than as SQL text (binary formats are not text), so it is decoded only if needed.
   */
  body?: Buffer
  database: string | undefined
  defaultFormat: string
  queryId: string
  params: Record<string, string>
  /** Engine settings the caller asked for, in order; HTTP-layer ones are taken out. */
  settings: Record<string, string>
  /** wait_end_of_query=1: produce the whole result before answering, so X-ClickHouse-Summary is final. */
  waitEndOfQuery: boolean
  /** The response encoding the caller asked for with enable_http_compression and Accept-Encoding. */
  compression: ResponseCompression | undefined
}

export interface ResponseCompression {
  encoding: 'gzip' | 'deflate' | 'br'
  level: number
}

/** URL parameters of the HTTP interface itself, never settings (user and password are credentials). */
const INTERFACE_PARAMETERS = new Set([
  'query',
  'database',
  'default_format',
  'query_id',
  'user',
  'password',
  'quota_key',
  'session_id',
  'session_timeout',
  'session_check',
  'buffer_size',
  'wait_end_of_query',
  'compress',
  'decompress',
  'stacktrace',
  'role',
  'client_protocol_version',
])

/** Settings that steer the HTTP server, which here is ours: read where needed, never SET in the engine. */
const HTTP_LAYER_SETTINGS = new Set([
  'enable_http_compression',
  'http_zlib_compression_level',
  'send_progress_in_http_headers',
  'http_headers_progress_interval_ms',
  'http_response_buffer_size',
  'http_wait_end_of_query',
  'http_native_compression_disable_checksumming_on_decompress',
  'add_http_cors_header',
])

/** ClickHouse's default for http_zlib_compression_level. */
const DEFAULT_COMPRESSION_LEVEL = 3

export async function readServedQuery(
  request: IncomingMessage,
  url: URL,
  maxBodyBytes: number,
): Promise<ServedQuery> {
  const params: Record<string, string> = {}
  const settings: Record<string, string> = {}
  const httpSettings: Record<string, string> = {}
  for (const [name, value] of url.searchParams) {
    if (name.startsWith('param_')) params[name.slice(6)] = value
    else if (HTTP_LAYER_SETTINGS.has(name)) httpSettings[name] = value
    else if (!INTERFACE_PARAMETERS.has(name)) settings[name] = value
  }
  const parts = [url.searchParams.get('query') ?? '']
  let rows: Buffer | undefined
  if (request.method === 'POST') {
    const body = await readBody(request, maxBodyBytes)
    const contentType = request.headers['content-type'] ?? ''
    if (/^multipart\/form-data/i.test(contentType)) {
      const form = await readMultipart(body, contentType)
      if (form.query !== undefined) parts.push(form.query)
      Object.assign(params, form.params)
    } else if (body.length > 0) {
      if (parts[0] === '') parts.push(body.toString('utf8'))
      else rows = body
    }
  }
  const header = (name: string) => {
    const value = request.headers[name]
    return typeof value === 'string' && value !== '' ? value : undefined
  }
  return {
    sql: parts.filter((part) => part !== '').join('\n'),
    ...(rows && { body: rows }),
    database: url.searchParams.get('database') || header('x-clickhouse-database'),
    defaultFormat: url.searchParams.get('default_format') || header('x-clickhouse-format') || DEFAULT_FORMAT,
    queryId: url.searchParams.get('query_id') || crypto.randomUUID(),
    params,
    settings,
    waitEndOfQuery: isTrue(url.searchParams.get('wait_end_of_query')),
    compression: responseCompression(request, httpSettings),
  }
}

/** The whole statement text: ClickHouse joins the URL's query and the body with a newline (`INSERT … FORMAT X` + rows). */
export function joinedSql(query: ServedQuery): string {
  return query.body === undefined ? query.sql : `${query.sql}\n${query.body.toString('utf8')}`
}

function responseCompression(
  request: IncomingMessage,
  httpSettings: Record<string, string>,
): ResponseCompression | undefined {
  if (!isTrue(httpSettings.enable_http_compression)) return undefined
  const accepted = String(request.headers['accept-encoding'] ?? '').toLowerCase()
  const encoding = (['gzip', 'deflate', 'br'] as const).find((name) => accepted.includes(name))
  if (encoding === undefined) return undefined
  const level = Number(httpSettings.http_zlib_compression_level ?? DEFAULT_COMPRESSION_LEVEL)
  return {
    encoding,
    level: Number.isInteger(level) && level >= 1 && level <= 9 ? level : DEFAULT_COMPRESSION_LEVEL,
  }
}

function isTrue(value: string | null | undefined): boolean {
  return value !== undefined && value !== null && /^(1|true)$/i.test(value)
}

/** The body, decompressed, refused with 413 past `maxBytes` (before or after decompression). */
async function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'])
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(declared, maxBytes)
  const encoding = String(request.headers['content-encoding'] ?? 'identity').toLowerCase()
  let source: Readable = request
  if (encoding === 'gzip' || encoding === 'x-gzip') source = request.pipe(zlib.createGunzip())
  else if (encoding === 'deflate') source = request.pipe(zlib.createInflate())
  else if (encoding === 'br') source = request.pipe(zlib.createBrotliDecompress())
  else if (encoding !== 'identity' && encoding !== '') {
    throw new ServeError(
      ErrorCode.UNKNOWN_COMPRESSION_METHOD,
      `Unknown Content-Encoding: ${encoding}; use gzip, deflate or br`,
    )
  }
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of source) {
      size += (chunk as Buffer).length
      if (size > maxBytes) throw tooLarge(size, maxBytes)
      chunks.push(chunk as Buffer)
    }
  } catch (error) {
    if (source !== request) source.destroy()
    if (error instanceof ServeError) throw error
    throw new ServeError(ErrorCode.BAD_ARGUMENTS, `Cannot read the request body: ${(error as Error).message}`)
  }
  return Buffer.concat(chunks)
}

function tooLarge(size: number, maxBytes: number): ServeError {
  return new ServeError(
    ErrorCode.QUERY_IS_TOO_LARGE,
    `Request body of ${size} bytes or more is over this server's limit of ${maxBytes} bytes (polyhouse serve --max-body-bytes)`,
  )
}

/** A multipart/form-data body, as clickhouse-js sends large parameters: `query` and `param_<name>` fields. */
async function readMultipart(
  body: Buffer,
  contentType: string,
): Promise<{ query: string | undefined; params: Record<string, string> }> {
  let form: FormData
  try {
    form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData()
  } catch (error) {
    throw new ServeError(
      ErrorCode.BAD_ARGUMENTS,
      `Cannot parse the multipart body: ${(error as Error).message}`,
    )
  }
  const params: Record<string, string> = {}
  let query: string | undefined
  for (const [name, value] of form) {
    if (typeof value !== 'string') {
      throw new ServeError(
        48,
        'External tables (file parts of a multipart body) are not supported by polyhouse serve',
      )
    }
    if (name === 'query') query = value
    else if (name.startsWith('param_')) params[name.slice(6)] = value
  }
  return { query, params }
}
