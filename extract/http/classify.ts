// What an HTTP answer or a transport failure means: usable JSON, slow down, try again, or give
// up. Pure functions over status, content type, body text and error codes, so every real-looking
// case (Cloudflare pages, cut bodies, undici codes) sits in one table of tests.

/** Characters of a body quoted in an error message. */
const SNIPPET_CHARS = 200

export type FailureKind =
  /** 429, or Cloudflare's "Error 1015: You are being rate limited": slow down and retry. */
  | 'rate-limited'
  /** 5xx (or 408) from the origin with a non-HTML body: retry. */
  | 'server-error'
  /** A Cloudflare error page (520, 522, 524, …) instead of JSON: retry. */
  | 'cloudflare'
  /** Some other HTML page where JSON was expected (a 200 maintenance page): retry. */
  | 'html'
  /** A 2xx body that is empty or not complete JSON (cut short in transit): retry. */
  | 'truncated'
  /** 4xx other than 408/429: the request itself is wrong; retrying repeats the answer. */
  | 'client-error'
  /** Cloudflare refused us (1020 access denied, a browser challenge): retrying will not pass. */
  | 'blocked'

export type ResponseVerdict =
  | { kind: 'ok'; json: unknown }
  | { kind: FailureKind; retryable: boolean; reason: string }

export interface ResponseSample {
  status: number
  /** The Content-Type header, if any. */
  contentType?: string | undefined
  body: string
}

/** Cloudflare error codes that mean "you are refused", not "try later" (1020 = firewall rule). */
const CLOUDFLARE_BLOCK_CODES = new Set([1006, 1007, 1008, 1009, 1010, 1012, 1020])
const CLOUDFLARE_RATE_LIMIT_CODE = 1015

export function classifyResponse(response: ResponseSample): ResponseVerdict {
  const { status, body } = response
  const html = isHtml(response.contentType, body)
  const cloudflare = html && isCloudflarePage(body)
  const cfCode = cloudflare ? cloudflareErrorCode(body) : undefined
  const what = html ? describeHtml(body, cfCode) : describeBody(body)

  if (
    status === 429 ||
    cfCode === CLOUDFLARE_RATE_LIMIT_CODE ||
    (html && /you are being rate limited/i.test(body))
  ) {
    return { kind: 'rate-limited', retryable: true, reason: `HTTP ${status} rate limited${what}` }
  }
  if (cloudflare && isCloudflareRefusal(body, cfCode)) {
    return {
      kind: 'blocked',
      retryable: false,
      reason: `HTTP ${status} Cloudflare refused the request${what}`,
    }
  }
  if (html && (status < 300 || status >= 500)) {
    return cloudflare
      ? {
          kind: 'cloudflare',
          retryable: true,
          reason: `HTTP ${status} Cloudflare error page instead of JSON${what}`,
        }
      : { kind: 'html', retryable: true, reason: `HTTP ${status} HTML page instead of JSON${what}` }
  }
  if (status >= 500 || status === 408) {
    return { kind: 'server-error', retryable: true, reason: `HTTP ${status}${what}` }
  }
  if (status >= 300) {
    // undici does not follow redirects; the APIs do not send them, so a redirect means a wrong URL.
    return { kind: 'client-error', retryable: false, reason: `HTTP ${status}${what}` }
  }
  if (status === 204) return { kind: 'ok', json: null }
  if (body.trim() === '') {
    return { kind: 'truncated', retryable: true, reason: `HTTP ${status} with an empty body` }
  }
  try {
    return { kind: 'ok', json: JSON.parse(body) }
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    return {
      kind: 'truncated',
      retryable: true,
      reason: `HTTP ${status} body of ${body.length} characters is not complete JSON (${detail}); ends with ${JSON.stringify(body.slice(-40))}`,
    }
  }
}

function isHtml(contentType: string | undefined, body: string): boolean {
  if (contentType && /\bhtml\b/i.test(contentType)) return true
  return /^\s*<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|!--)/i.test(body)
}

function isCloudflarePage(body: string): boolean {
  return /cloudflare|cf-error-code|cf-ray|\/cdn-cgi\//i.test(body)
}

/** The code a Cloudflare page shows: `<span class="cf-error-code">522</span>`, or `Error 1015` in its title. */
function cloudflareErrorCode(body: string): number | undefined {
  const match =
    /class="cf-error-code"[^>]*>\s*(\d{3,4})\s*</i.exec(body) ??
    /<title>[^<]*?\b(?:error\s*)?(\d{3,4})\b[^<]*<\/title>/i.exec(body) ??
    /\berror\s+(?:code\s*:?\s*)?(\d{3,4})\b/i.exec(body)
  return match?.[1] === undefined ? undefined : Number(match[1])
}

function isCloudflareRefusal(body: string, cfCode: number | undefined): boolean {
  if (cfCode !== undefined && CLOUDFLARE_BLOCK_CODES.has(cfCode)) return true
  // The managed challenge ("Just a moment...") needs a browser; a backfill cannot pass it.
  return /sorry, you have been blocked|<title>\s*just a moment|\/cdn-cgi\/challenge-platform/i.test(body)
}

function describeHtml(body: string, cfCode: number | undefined): string {
  const title = /<title>([^<]*)<\/title>/i.exec(body)?.[1]?.replace(/\s+/g, ' ').trim()
  const code = cfCode === undefined ? '' : `Cloudflare ${cfCode}`
  const parts = [code, title ? `"${title}"` : ''].filter(Boolean)
  return parts.length > 0 ? ` (${parts.join(': ')})` : ''
}

function describeBody(body: string): string {
  // Only the snippet is shown, so only its prefix is cleaned: bodies are megabytes on every page.
  const text = body
    .slice(0, SNIPPET_CHARS * 4)
    .replace(/\s+/g, ' ')
    .trim()
  if (text === '') return ''
  return `: ${text.length > SNIPPET_CHARS ? `${text.slice(0, SNIPPET_CHARS)}…` : text}`
}

/**
 * Milliseconds to wait from a Retry-After header (RFC 9110 §10.2.3): delay-seconds (`120`) or an
 * HTTP-date (`Wed, 21 Oct 2026 07:28:00 GMT`, compared with `nowMs`, wall-clock epoch ms). A date
 * in the past means 0; garbage means undefined (fall back to backoff). What the server asked, not
 * what we grant: MAX_PAUSE_MS (failure.ts) caps the wait, and messages say when it did.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim()
  if (!text) return undefined
  let ms: number
  if (/^\d+(\.\d+)?$/.test(text)) {
    ms = Number(text) * 1_000
  } else {
    const at = Date.parse(text)
    if (Number.isNaN(at) || !/[a-z]/i.test(text)) return undefined
    ms = at - nowMs
  }
  return Math.max(0, Math.ceil(ms))
}

export type TransportKind = 'timeout' | 'connection' | 'truncated' | 'dns' | 'aborted' | 'unknown'

export interface TransportVerdict {
  kind: TransportKind
  retryable: boolean
  reason: string
}

/**
 * Node and undici error codes, by what they mean for a retry. DNS: ENOTFOUND is the resolver's
 * definite answer that the name does not exist (NXDOMAIN) — a mistyped URL, which no retry fixes,
 * so the step stops at once with a hint; EAI_AGAIN is a resolver that could not answer now (no
 * network, a timeout), which a retry may get past. The JSON-RPC client used to retry both; one
 * policy now serves every source.
 */
const TRANSPORT_CODES: Record<string, { kind: TransportKind; retryable: boolean; reason: string }> = {
  UND_ERR_HEADERS_TIMEOUT: { kind: 'timeout', retryable: true, reason: 'no response headers in time' },
  UND_ERR_BODY_TIMEOUT: { kind: 'timeout', retryable: true, reason: 'response body stalled' },
  UND_ERR_CONNECT_TIMEOUT: { kind: 'timeout', retryable: true, reason: 'connect timed out' },
  ETIMEDOUT: { kind: 'timeout', retryable: true, reason: 'connection timed out' },
  UND_ERR_SOCKET: { kind: 'connection', retryable: true, reason: 'connection closed by the server' },
  ECONNRESET: { kind: 'connection', retryable: true, reason: 'connection reset' },
  ECONNREFUSED: { kind: 'connection', retryable: true, reason: 'connection refused' },
  ECONNABORTED: { kind: 'connection', retryable: true, reason: 'connection aborted' },
  EPIPE: { kind: 'connection', retryable: true, reason: 'connection closed while sending' },
  EHOSTUNREACH: { kind: 'connection', retryable: true, reason: 'host unreachable' },
  ENETUNREACH: { kind: 'connection', retryable: true, reason: 'network unreachable' },
  ENETDOWN: { kind: 'connection', retryable: true, reason: 'network down' },
  EAI_AGAIN: { kind: 'dns', retryable: true, reason: 'DNS lookup failed temporarily' },
  ENOTFOUND: { kind: 'dns', retryable: false, reason: 'host name not found (check the URL setting)' },
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: {
    kind: 'truncated',
    retryable: true,
    reason: 'body shorter than its Content-Length',
  },
  ERR_STREAM_PREMATURE_CLOSE: { kind: 'truncated', retryable: true, reason: 'body cut short' },
  Z_BUF_ERROR: { kind: 'truncated', retryable: true, reason: 'compressed body cut short' },
  Z_DATA_ERROR: { kind: 'truncated', retryable: true, reason: 'compressed body corrupt' },
  UND_ERR_RES_EXCEEDED_MAX_SIZE: {
    kind: 'unknown',
    retryable: false,
    reason: 'response larger than allowed',
  },
  UND_ERR_ABORTED: { kind: 'aborted', retryable: false, reason: 'request aborted' },
  ABORT_ERR: { kind: 'aborted', retryable: false, reason: 'request aborted' },
}

/**
 * Classifies an error thrown while sending a request or reading its body. Looks through the
 * `cause` chain (fetch wraps undici's error in a TypeError). Unrecognised errors are not
 * retryable: a bug should surface, not be retried six times.
 */
export function classifyTransportError(error: unknown): TransportVerdict {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const { code, name, message } = current as { code?: unknown; name?: unknown; message?: unknown }
    const known = typeof code === 'string' ? TRANSPORT_CODES[code] : undefined
    if (known) return { ...known, reason: `${known.reason} (${code})` }
    if (typeof code === 'string' && code.startsWith('HPE_')) {
      return { kind: 'connection', retryable: true, reason: `malformed HTTP response (${code})` }
    }
    if (name === 'TimeoutError') return { kind: 'timeout', retryable: true, reason: 'request timed out' }
    if (name === 'AbortError') return { kind: 'aborted', retryable: false, reason: 'request aborted' }
    if (typeof message === 'string' && /socket hang up|other side closed/i.test(message)) {
      return { kind: 'connection', retryable: true, reason: `connection closed (${message})` }
    }
    current = (current as { cause?: unknown }).cause
  }
  const message = error instanceof Error ? error.message : String(error)
  return { kind: 'unknown', retryable: false, reason: message }
}
