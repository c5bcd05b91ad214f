// Writing a served result the way ClickHouse's HTTP handler does: X-ClickHouse-* headers, the
// format's Content-Type, optional gzip/deflate/br, output streamed with backpressure, and an error
// that strikes after the first bytes written in-band with the exception tag clients look for.
import crypto from 'node:crypto'
import type { ServerResponse } from 'node:http'
import type { Writable } from 'node:stream'
import zlib from 'node:zlib'
import { ErrorCode, fromEngineError, ServeError } from './errors.ts'
import type { Execution, QuerySummary } from './execute.ts'
import { contentTypeOf } from './formats.ts'
import type { ServedQuery } from './request.ts'

/** Writes go out in pieces of at most this, so a whole result sent slowly but steadily is not a stall. */
const WRITE_PIECE_BYTES = 1024 ** 2

export interface EngineFacts {
  version: string
  timezone: string
  hostname: string
}

export function sendError(
  response: ServerResponse,
  error: ServeError,
  engine: EngineFacts,
  queryId = '',
): void {
  response.writeHead(error.status, {
    ...error.headers,
    'Content-Type': 'text/plain; charset=UTF-8',
    'X-ClickHouse-Exception-Code': String(error.code),
    ...(queryId ? { 'X-ClickHouse-Query-Id': queryId } : {}),
  })
  response.end(error.body(engine.version))
}

export interface SendBounds {
  /**
   * Bytes of a result held whole for wait_end_of_query (the engine's max_result_bytes bounds it too,
   * but counts a constant column once however many rows repeat it). Undefined: no bound.
   */
  maxHeldBytes: number | undefined
  /** How long the client may take nothing before the response is cut off (options.ts). */
  sendStallMs: number
}

/** Sends the execution's output; resolves when the response has ended (or the caller left). */
export async function sendExecution(
  response: ServerResponse,
  execution: Execution,
  query: ServedQuery,
  engine: EngineFacts,
  bounds: SendBounds,
): Promise<{ summary: QuerySummary; errorCode?: number }> {
  const maxHeldBytes = bounds.maxHeldBytes ?? Number.POSITIVE_INFINITY
  // wait_end_of_query=1 asks for the whole result first, so the summary header is final. Otherwise
  // the first chunk (already fetched by the executor) goes out as soon as the headers do.
  const buffered: Uint8Array[] = []
  if (query.waitEndOfQuery) {
    let held = 0
    for (let chunk = await execution.next(); chunk; chunk = await execution.next()) {
      held += chunk.length
      if (held > maxHeldBytes) {
        throw new ServeError(
          ErrorCode.TOO_MANY_ROWS_OR_BYTES,
          `Limit for result exceeded, max bytes: ${maxHeldBytes}, current bytes: ${held}`,
        )
      }
      buffered.push(chunk)
    }
  } else {
    const first = await execution.next()
    if (first) buffered.push(first)
  }
  // ClickHouse 25.11+ marks an exception written after a 200 with a per-response tag; clickhouse-js
  // parses it from the end of the stream and raises the server's error instead of returning partial rows.
  const exceptionTag = crypto.randomBytes(8).toString('hex')
  response.writeHead(200, {
    'Content-Type': contentTypeOf(execution.format),
    'X-ClickHouse-Format': execution.format,
    'X-ClickHouse-Query-Id': query.queryId,
    'X-ClickHouse-Timezone': engine.timezone,
    'X-ClickHouse-Exception-Tag': exceptionTag,
    'X-ClickHouse-Summary': summaryHeader(execution.summary()),
    ...(query.compression ? { 'Content-Encoding': query.compression.encoding } : {}),
  })
  const sink = compressor(response, query)
  const write = (chunk: Uint8Array) => writeOrCutOff(sink, chunk, response, bounds.sendStallMs)
  let errorCode: number | undefined
  try {
    for (const chunk of buffered) await write(chunk)
    if (!query.waitEndOfQuery) {
      for (let chunk = await execution.next(); chunk; chunk = await execution.next()) {
        if (response.destroyed) break
        await write(chunk)
      }
    }
  } catch (error) {
    const failure = fromEngineError(error)
    errorCode = failure.code
    if (!response.destroyed) {
      if (sink !== response) (sink as zlib.Gzip).flush()
      await write(exceptionBlock(failure.body(engine.version).trimEnd(), exceptionTag))
    }
  }
  await new Promise<void>((resolve) => {
    if (response.destroyed) return resolve()
    const stalled = setTimeout(() => response.destroy(), bounds.sendStallMs)
    response.once('close', () => {
      clearTimeout(stalled)
      resolve()
    })
    sink.end()
  })
  return { summary: execution.summary(), ...(errorCode === undefined ? {} : { errorCode }) }
}

function compressor(response: ServerResponse, query: ServedQuery): Writable {
  const compression = query.compression
  if (!compression) return response
  const stream =
    compression.encoding === 'gzip'
      ? zlib.createGzip({ level: compression.level })
      : compression.encoding === 'deflate'
        ? zlib.createDeflate({ level: compression.level })
        : zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: compression.level } })
  stream.pipe(response)
  response.once('close', () => stream.destroy())
  return stream
}

/**
 * Writes with backpressure: waits for 'drain' when the socket (or compressor) is full, and cuts the
 * response off when the client has taken nothing for `stallMs`.
 */
async function writeOrCutOff(
  sink: Writable,
  chunk: Uint8Array,
  response: ServerResponse,
  stallMs: number,
): Promise<void> {
  for (let at = 0; at < chunk.length; at += WRITE_PIECE_BYTES) {
    await writePiece(sink, chunk.subarray(at, at + WRITE_PIECE_BYTES), response, stallMs)
  }
}

function writePiece(
  sink: Writable,
  chunk: Uint8Array,
  response: ServerResponse,
  stallMs: number,
): Promise<void> {
  if (sink.destroyed) return Promise.resolve()
  if (sink.write(chunk)) return Promise.resolve()
  return new Promise((resolve) => {
    const stalled = setTimeout(() => {
      response.destroy()
      sink.destroy()
    }, stallMs)
    const done = () => {
      clearTimeout(stalled)
      sink.off('drain', done)
      sink.off('close', done)
      resolve()
    }
    sink.once('drain', done)
    sink.once('close', done)
  })
}

/**
 * `\r\n__exception__\r\n<tag>\r\n<message>\n<length> <tag>\r\n__exception__\r\n`: the block ClickHouse
 * 25.11+ appends, which @clickhouse/client reads from the end of a chunk (utils/stream.ts there);
 * <length> counts the message and its newline.
 */
function exceptionBlock(message: string, tag: string): Buffer {
  const length = Buffer.byteLength(message) + 1
  return Buffer.from(`\r\n__exception__\r\n${tag}\r\n${message}\n${length} ${tag}\r\n__exception__\r\n`)
}

/** X-ClickHouse-Summary: ClickHouse's progress JSON, numbers as strings. chDB reports result rows and bytes only. */
function summaryHeader(summary: QuerySummary): string {
  return JSON.stringify({
    read_rows: '0',
    read_bytes: '0',
    written_rows: '0',
    written_bytes: '0',
    total_rows_to_read: '0',
    result_rows: String(summary.resultRows),
    result_bytes: String(summary.resultBytes),
    elapsed_ns: String(summary.elapsedNs),
  })
}
