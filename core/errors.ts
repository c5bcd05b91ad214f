// One small error hierarchy. Callers ask the error what to do (retry? which exit code?),
// never the message text.

export interface PolyhouseErrorOptions {
  /** What to do about it, shown to the user after the message. */
  hint?: string
  cause?: unknown
}

export class PolyhouseError extends Error {
  readonly hint: string | undefined
  /** Process exit code when this error ends a command. */
  readonly exitCode: number = 1
  readonly retryable: boolean = false

  constructor(message: string, options: PolyhouseErrorOptions = {}) {
    super(message, { cause: options.cause })
    this.name = new.target.name
    this.hint = options.hint
  }

  /** One line for the user: what was wrong, then what to do. */
  userMessage(): string {
    return this.hint ? `${this.message}; ${this.hint}` : this.message
  }
}

/** Bad flags, environment or files: exit code 2, nothing was changed. */
export class UsageError extends PolyhouseError {
  override readonly exitCode = 2
}

/** The warehouse refused or could not be reached. */
export class WarehouseError extends PolyhouseError {}

/** The embedded data directory is held by another process. */
export class WarehouseLockedError extends WarehouseError {
  constructor(
    readonly dataDir: string,
    readonly holderPid: number | undefined,
    options: PolyhouseErrorOptions = {},
  ) {
    super(
      `the data directory ${dataDir} is held by another polyhouse process${holderPid ? ` (pid ${holderPid})` : ''}`,
      {
        hint:
          options.hint ??
          'chDB lets one process open a directory; wait for it to finish, or run `polyhouse serve` (or `backfill --serve`) in that process to share it',
        cause: options.cause,
      },
    )
  }
}

/** A migration or view could not be applied; the ledger says where it stopped. */
export class MigrationError extends PolyhouseError {}

/** A transient failure (timeout, reset, 429, 5xx): the same request may succeed later. */
export class RetryableError extends PolyhouseError {
  override readonly retryable = true
  /** Milliseconds the server asked us to wait (Retry-After), if it said. */
  readonly retryAfterMs: number | undefined

  constructor(message: string, options: PolyhouseErrorOptions & { retryAfterMs?: number } = {}) {
    super(message, options)
    this.retryAfterMs = options.retryAfterMs
  }
}

/** A failure that repeats on retry (4xx, schema mismatch): record it, do not retry. */
export class NonRetryableError extends PolyhouseError {}

/**
 * The code reached a state it rules out (a caller broke a function's contract, a table of constants
 * lacks an entry): a bug in polyhouse, not in the input or the source, so retrying cannot help.
 */
export class InvariantError extends NonRetryableError {
  constructor(message: string, options: PolyhouseErrorOptions = {}) {
    super(message, {
      hint: options.hint ?? 'this is a bug in polyhouse: run again with --verbose and report the stack',
      cause: options.cause,
    })
  }
}

/** The user asked us to stop (SIGINT/SIGTERM). */
export class InterruptedError extends PolyhouseError {
  override readonly exitCode = 130
}

export function isRetryable(error: unknown): boolean {
  return error instanceof PolyhouseError && error.retryable
}

/** The server said "too many requests" (HTTP 429, Cloudflare 1015): slow that endpoint down, then retry. */
export class RateLimitedError extends RetryableError {}

/** An HTTP status that retrying will not change (400, 404, 422); `status` says which. */
export class HttpStatusError extends NonRetryableError {
  constructor(
    readonly status: number,
    message: string,
    options: PolyhouseErrorOptions = {},
  ) {
    super(message, options)
  }
}

/** A response that does not match its schema. `issues` and the raw body are kept for the quarantine. */
export class SchemaMismatchError extends NonRetryableError {
  constructor(
    message: string,
    readonly issues: readonly string[],
    readonly raw: string,
    options: PolyhouseErrorOptions = {},
  ) {
    super(message, options)
  }
}

/**
 * A paginated listing (a Gamma keyset, /v2/positions) handed back a cursor this walk had already
 * followed: following it again would loop forever, and asking again gets the same answer. The walk
 * stops; its unit (a partition, a wallet) is recorded failed and stays not done.
 */
export class RepeatedCursorError extends NonRetryableError {
  constructor(
    /** The listing walked, as the user would find it: `markets keyset {"closed":"false"}`. */
    readonly listing: string,
    readonly cursor: string,
    options: PolyhouseErrorOptions = {},
  ) {
    super(`${listing} repeated a cursor: the walk would loop`, options)
  }
}

/**
 * A non-retryable failure of the source itself (unreachable host, refused TLS, a bug) rather than of
 * one unit's request — a status for that request, a page that fails its schema, a listing that
 * loops. Every other unit would fail alike, so a step stops instead of recording each of them.
 */
export function isSourceDown(error: unknown): boolean {
  return (
    error instanceof NonRetryableError &&
    !(error instanceof HttpStatusError) &&
    !(error instanceof SchemaMismatchError) &&
    !(error instanceof RepeatedCursorError)
  )
}

/**
 * Every attempt failed with a retryable error. Still retryable — a later run may succeed — so the
 * unit is recorded in etl_errors and stays not done. `cause` is the last attempt's error.
 */
export class AttemptsExhaustedError extends RetryableError {
  constructor(
    message: string,
    readonly attempts: number,
    options: PolyhouseErrorOptions & { retryAfterMs?: number } = {},
  ) {
    super(message, options)
  }
}

/** Attempts a failed unit took, for etl_errors: an exhausted retry loop says how many, anything else one. */
export function attemptsOf(error: unknown): number {
  return error instanceof AttemptsExhaustedError ? error.attempts : 1
}

/**
 * A response body grew past the client's cap while it streamed in (a server sending without end,
 * or a page far larger than any the API serves). Retryable: a sane answer may come next time.
 */
export class ResponseTooLargeError extends RetryableError {
  constructor(
    message: string,
    readonly maxBytes: number,
    options: PolyhouseErrorOptions = {},
  ) {
    super(message, options)
  }
}

/**
 * A source that has never given a usable answer in this process and has answered every request
 * the same way for a while (refused connections, an HTML page, endless pauses): no unit will fare
 * better, so the step stops with this one line instead of failing every unit after its retries.
 */
export class SourceUnavailableError extends NonRetryableError {
  constructor(
    /** `host[:port]` of the source, for messages. */
    readonly host: string,
    message: string,
    options: PolyhouseErrorOptions = {},
  ) {
    super(message, options)
  }
}
