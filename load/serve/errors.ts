// Errors the way a ClickHouse server sends them, so every ClickHouse client (clickhouse-js, Grafana's
// driver, curl) reads a served failure as it reads a server's: the HTTP status comes from the error
// code, X-ClickHouse-Exception-Code carries the code, and the body is `Code: N. DB::Exception: … (NAME)`.

/** Error codes polyhouse serve raises itself (numbers from chDB 26.7's errorCodeToName()). */
export const ErrorCode = {
  BAD_ARGUMENTS: 36,
  SYNTAX_ERROR: 62,
  UNKNOWN_COMPRESSION_METHOD: 89,
  READONLY: 164,
  TOO_MANY_SIMULTANEOUS_QUERIES: 202,
  EMPTY_QUERY: 211,
  QUERY_IS_TOO_LARGE: 229,
  QUERY_WAS_CANCELLED: 394,
  TOO_MANY_ROWS_OR_BYTES: 396,
  INTO_OUTFILE_NOT_ALLOWED: 358,
  SETTING_CONSTRAINT_VIOLATION: 452,
  ACCESS_DENIED: 497,
  AUTHENTICATION_FAILED: 516,
  UNKNOWN_EXCEPTION: 1002,
} as const

const NAMES = new Map<number, string>(Object.entries(ErrorCode).map(([name, code]) => [code, name]))

/**
 * ClickHouse's exceptionCodeToHTTPStatus (src/Server/HTTP/exceptionCodeToHTTPStatus.cpp), with the
 * codes resolved by chDB 26.7's errorCodeToName(). Anything else is 500, as there.
 */
const HTTP_STATUS_BY_CODE = new Map<number, number>([
  // REQUIRED_PASSWORD
  [194, 401],
  // UNKNOWN_USER, WRONG_PASSWORD, AUTHENTICATION_FAILED, SET_NON_GRANTED_ROLE, ACCESS_DENIED
  ...[192, 193, 516, 512, 497].map((code) => [code, 403] as [number, number]),
  // BAD_ARGUMENTS, CANNOT_COMPILE_REGEXP, CANNOT_PARSE_* (TEXT, ESCAPE_SEQUENCE, QUOTED_STRING, DATE,
  // DATETIME, NUMBER, DOMAIN_VALUE_FROM_STRING, IPV4, IPV6, INPUT_ASSERTION_FAILED, UUID),
  // DUPLICATE_COLUMN, ILLEGAL_COLUMN, UNKNOWN_ELEMENT_IN_AST, UNKNOWN_TYPE_OF_AST_NODE,
  // THERE_IS_NO_COLUMN, TOO_DEEP_AST, TOO_BIG_AST, UNEXPECTED_AST_STRUCTURE, SYNTAX_ERROR,
  // INCORRECT_DATA, TYPE_MISMATCH, VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
  ...[
    36, 427, 6, 25, 26, 38, 41, 72, 441, 675, 676, 27, 376, 15, 44, 37, 123, 8, 167, 168, 223, 62, 117, 53,
    321,
  ].map((code) => [code, 400] as [number, number]),
  // UNKNOWN_TABLE, _FUNCTION, _IDENTIFIER, _TYPE, _STORAGE, _DATABASE, _SETTING, _DIRECTION_OF_SORTING,
  // _AGGREGATE_FUNCTION, _FORMAT, _DATABASE_ENGINE, _TYPE_OF_QUERY, UNKNOWN_ROLE
  ...[60, 46, 47, 50, 56, 81, 115, 152, 63, 73, 336, 78, 511].map((code) => [code, 404] as [number, number]),
  [229, 413], // QUERY_IS_TOO_LARGE
  [48, 501], // NOT_IMPLEMENTED
  [209, 503], // SOCKET_TIMEOUT
  [76, 503], // CANNOT_OPEN_FILE
  [381, 411], // HTTP_LENGTH_REQUIRED
  [159, 408], // TIMEOUT_EXCEEDED
  [439, 503], // CANNOT_SCHEDULE_TASK
  [779, 415], // UNSUPPORTED_MEDIA_TYPE
  // Not in ClickHouse's table (it answers 500): a full server is "try again shortly", which clients
  // and load balancers understand as 503.
  [ErrorCode.TOO_MANY_SIMULTANEOUS_QUERIES, 503],
])

export function httpStatusOf(code: number): number {
  return HTTP_STATUS_BY_CODE.get(code) ?? 500
}

/** A failure to report to the HTTP caller, with the ClickHouse code that decides its status. */
export class ServeError extends Error {
  constructor(
    readonly code: number,
    message: string,
    /** Headers to add to the error response (Retry-After on a 503). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
    this.name = 'ServeError'
  }

  get status(): number {
    return httpStatusOf(this.code)
  }

  /** The response body: the engine's own text when it has one, else ours in the same shape. */
  body(version: string): string {
    const text = /^Code: \d+\. /.test(this.message)
      ? this.message
      : `Code: ${this.code}. DB::Exception: ${this.message}. (${NAMES.get(this.code) ?? 'UNKNOWN_EXCEPTION'})`
    return `${/\(version [^)]*\)\s*$/.test(text) ? text : `${text} (version ${version})`}\n`
  }
}

/**
 * What the engine threw, as a ServeError. chDB puts ClickHouse's own text in the message
 * ("Code: 60. DB::Exception: Unknown table … (UNKNOWN_TABLE)"), sometimes behind a wrapper's prefix.
 */
export function fromEngineError(error: unknown): ServeError {
  if (error instanceof ServeError) return error
  const message = error instanceof Error ? error.message : String(error)
  const start = message.indexOf('Code: ')
  const code = Number(/Code: (\d+)\./.exec(message)?.[1])
  if (start === -1 || !Number.isInteger(code)) {
    return new ServeError(ErrorCode.UNKNOWN_EXCEPTION, message.split('\n')[0] ?? 'unknown error')
  }
  return new ServeError(code, message.slice(start).trimEnd())
}
