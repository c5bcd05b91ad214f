import { describe, expect, it } from 'vitest'
import {
  classifyResponse,
  classifyTransportError,
  parseRetryAfter,
  type ResponseSample,
} from '../../../extract/http/classify.ts'

// Cloudflare's page templates, shortened to the parts that identify them (structure, classes and
// wording as served in front of gamma-api.polymarket.com).
const cloudflare5xx = (code: number, title: string) => `<!DOCTYPE html>
<!--[if lt IE 7]> <html class="no-js ie6 oldie" lang="en-US"> <![endif]-->
<!--[if gt IE 8]><!--> <html class="no-js" lang="en-US"> <!--<![endif]-->
<head>
<title>gamma-api.polymarket.com | ${code}: ${title}</title>
<meta charset="UTF-8" />
<link rel="stylesheet" id="cf_styles-css" href="/cdn-cgi/styles/main.css" />
</head>
<body>
<div id="cf-wrapper">
  <div id="cf-error-details" class="p-0">
    <header class="mx-auto pt-10 lg:pt-6 lg:px-8 w-240 lg:w-full mb-8">
      <h1 class="inline-block sm:block sm:mb-2 font-light text-60 lg:text-4xl text-black-dark leading-tight mr-2">
        <span class="inline-block">${title}</span>
        <span class="code-label">Error code ${code}</span>
      </h1>
      <div>Visit <a href="https://www.cloudflare.com/5xx-error-landing?utm_source=errorcode_${code}&utm_campaign=gamma-api.polymarket.com">cloudflare.com</a> for more information.</div>
      <div class="mt-3">2026-11-23 16:40:12 UTC</div>
    </header>
  </div>
  <p class="text-13"><span class="cf-footer-item sm:block sm:mb-1">Cloudflare Ray ID: <strong class="font-semibold">8e4b2f1c9a7d3e21</strong></span></p>
</div>
</body>
</html>`

const cloudflare1xxx = (code: number, subheadline: string) => `<!DOCTYPE html>
<!--[if lt IE 7]> <html class="no-js ie6 oldie" lang="en-US"> <![endif]-->
<head>
<title>Access denied | data-api.polymarket.com used Cloudflare to restrict access</title>
<meta charset="UTF-8" />
<link rel="stylesheet" id="cf_styles-css" href="/cdn-cgi/styles/cf.errors.css" />
</head>
<body>
  <div id="cf-wrapper">
    <div id="cf-error-details" class="cf-error-details-wrapper">
      <div class="cf-wrapper cf-header cf-error-overview">
        <h1>
          <span class="cf-error-type" data-translate="error">Error</span>
          <span class="cf-error-code">${code}</span>
          <small class="heading-ray-id">Ray ID: 8e4b2f1c9a7d3e21 &bull; 2026-11-23 16:40:12 UTC</small>
        </h1>
        <h2 class="cf-subheadline" data-translate="error_desc">${subheadline}</h2>
      </div>
      <section></section>
      <div class="cf-section cf-wrapper">
        <div class="cf-columns two">
          <div class="cf-column"><h2 data-translate="what_happened">What happened?</h2>
          <p>The owner of this website (data-api.polymarket.com) has banned you temporarily from accessing this website.</p></div>
        </div>
      </div>
    </div>
  </div>
</body>
</html>`

const challenge = `<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta name="robots" content="noindex,nofollow">
</head><body><div class="main-wrapper" role="main"><div class="main-content"><noscript><div class="h2"><span id="challenge-error-text">Enable JavaScript and cookies to continue</span></div></noscript></div></div>
<script>(function(){window._cf_chl_opt={cvId: '3',cZone: "gamma-api.polymarket.com",cType: 'managed'};var cpo = document.createElement('script');cpo.src = '/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1?ray=8e4b2f1c9a7d3e21';document.getElementsByTagName('head')[0].appendChild(cpo);}());</script></body></html>`

const cloudflare502 = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>cloudflare</center>
</body>
</html>`

const nginx404 = `<html>
<head><title>404 Not Found</title></head>
<body>
<center><h1>404 Not Found</h1></center>
<hr><center>nginx/1.25.3</center>
</body>
</html>`

const maintenance =
  '<!doctype html><html><head><title>Polymarket | Down for maintenance</title></head><body>Back soon</body></html>'

const keysetPage =
  '{"$schema":"https://gamma-api.polymarket.com/schemas/MarketsKeysetListResponse.json","markets":[{"id":"540816","conditionId":"0x4a0b","clobTokenIds":"[\\"123\\", \\"456\\"]"}],"next_cursor":"eyJpZCI6NTQwODE2fQ"}'

const json = 'application/json'
const html = 'text/html; charset=UTF-8'

const cases: Array<[string, ResponseSample, string, boolean | undefined]> = [
  // [name, response, expected kind, expected retryable (undefined for ok)]
  ['keyset page', { status: 200, contentType: json, body: keysetPage }, 'ok', undefined],
  [
    'bare array (Data API v1)',
    { status: 200, contentType: 'application/json; charset=utf-8', body: '[]' },
    'ok',
    undefined,
  ],
  ['JSON served as text/plain', { status: 200, contentType: 'text/plain', body: '{"a":1}' }, 'ok', undefined],
  ['204 no content', { status: 204, contentType: undefined, body: '' }, 'ok', undefined],
  [
    'body cut mid-record',
    { status: 200, contentType: json, body: keysetPage.slice(0, 120) },
    'truncated',
    true,
  ],
  ['empty 200', { status: 200, contentType: json, body: '' }, 'truncated', true],
  [
    '429 JSON',
    { status: 429, contentType: json, body: '{"error":"Too Many Requests"}' },
    'rate-limited',
    true,
  ],
  ['429 text', { status: 429, contentType: 'text/plain', body: 'Too Many Requests' }, 'rate-limited', true],
  [
    '429 Cloudflare 1015',
    { status: 429, contentType: html, body: cloudflare1xxx(1015, 'You are being rate limited') },
    'rate-limited',
    true,
  ],
  [
    '200 Cloudflare 1015',
    { status: 200, contentType: html, body: cloudflare1xxx(1015, 'You are being rate limited') },
    'rate-limited',
    true,
  ],
  [
    '1015 page without content type',
    { status: 403, contentType: undefined, body: cloudflare1xxx(1015, 'You are being rate limited') },
    'rate-limited',
    true,
  ],
  [
    '503 JSON',
    { status: 503, contentType: json, body: '{"error":"service unavailable"}' },
    'server-error',
    true,
  ],
  [
    '500 text',
    { status: 500, contentType: 'text/plain', body: 'Internal Server Error' },
    'server-error',
    true,
  ],
  ['408 request timeout', { status: 408, contentType: 'text/plain', body: '' }, 'server-error', true],
  [
    '520 unknown error page',
    { status: 520, contentType: html, body: cloudflare5xx(520, 'Web server is returning an unknown error') },
    'cloudflare',
    true,
  ],
  [
    '522 connection timed out page',
    { status: 522, contentType: html, body: cloudflare5xx(522, 'Connection timed out') },
    'cloudflare',
    true,
  ],
  [
    '524 a timeout occurred page',
    { status: 524, contentType: html, body: cloudflare5xx(524, 'A timeout occurred') },
    'cloudflare',
    true,
  ],
  [
    '200 carrying a 522 page',
    { status: 200, contentType: html, body: cloudflare5xx(522, 'Connection timed out') },
    'cloudflare',
    true,
  ],
  ['Cloudflare bare 502', { status: 502, contentType: 'text/html', body: cloudflare502 }, 'cloudflare', true],
  [
    'non-Cloudflare maintenance page',
    { status: 200, contentType: 'text/html', body: maintenance },
    'html',
    true,
  ],
  [
    '403 Cloudflare 1020 access denied',
    { status: 403, contentType: html, body: cloudflare1xxx(1020, 'Access denied') },
    'blocked',
    false,
  ],
  ['403 managed challenge', { status: 403, contentType: html, body: challenge }, 'blocked', false],
  [
    '400 bad parameter',
    { status: 400, contentType: json, body: '{"error":"limit must be a number"}' },
    'client-error',
    false,
  ],
  [
    '404 unknown id',
    { status: 404, contentType: json, body: '{"type":"not found error","error":"id not found"}' },
    'client-error',
    false,
  ],
  [
    '422 offset past the window',
    { status: 422, contentType: json, body: '{"error":"offset too large"}' },
    'client-error',
    false,
  ],
  ['404 nginx page', { status: 404, contentType: 'text/html', body: nginx404 }, 'client-error', false],
  ['301 redirect', { status: 301, contentType: 'text/html', body: '' }, 'client-error', false],
]

describe('classifyResponse', () => {
  it.each(cases)('%s', (_name, response, kind, retryable) => {
    const verdict = classifyResponse(response)
    expect(verdict.kind).toBe(kind)
    if (verdict.kind !== 'ok') expect(verdict.retryable).toBe(retryable)
  })

  it('returns the parsed body with an ok verdict', () => {
    const verdict = classifyResponse({ status: 200, contentType: json, body: keysetPage })
    expect(verdict).toMatchObject({ kind: 'ok', json: { next_cursor: 'eyJpZCI6NTQwODE2fQ' } })
  })

  it('names what it saw in the reason', () => {
    const cf = classifyResponse({
      status: 522,
      contentType: html,
      body: cloudflare5xx(522, 'Connection timed out'),
    })
    expect(cf.kind !== 'ok' && cf.reason).toContain('Cloudflare 522')
    const notFound = classifyResponse({ status: 404, contentType: json, body: '{"error":"id not found"}' })
    expect(notFound.kind !== 'ok' && notFound.reason).toBe('HTTP 404: {"error":"id not found"}')
    const cut = classifyResponse({ status: 200, contentType: json, body: '[{"id":"1"' })
    expect(cut.kind !== 'ok' && cut.reason).toMatch(/not complete JSON.*ends with "\[\{\\"id\\":\\"1\\""/)
  })
})

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 9, 21, 7, 27, 30)
  it.each([
    ['120', 120_000],
    ['0', 0],
    [' 3 ', 3_000],
    ['1.5', 1_500],
    ['Wed, 21 Oct 2026 07:28:00 GMT', 30_000],
    ['Wed, 21 Oct 2026 07:27:00 GMT', 0], // already past
    ['99999', 99_999_000], // what the server asked; failure.ts caps the wait
    ['soon', undefined],
    ['-1', undefined],
    ['', undefined],
    [undefined, undefined],
  ] as const)('%j → %j', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected)
  })

  it('takes the first of repeated headers', () => {
    expect(parseRetryAfter(['5', '7'], now)).toBe(5_000)
  })
})

const withCode = (message: string, code: string, name = 'Error') =>
  Object.assign(new Error(message), { code, name })

describe('classifyTransportError', () => {
  it.each([
    [
      'headers timeout',
      withCode('Headers Timeout Error', 'UND_ERR_HEADERS_TIMEOUT', 'HeadersTimeoutError'),
      'timeout',
      true,
    ],
    [
      'body timeout',
      withCode('Body Timeout Error', 'UND_ERR_BODY_TIMEOUT', 'BodyTimeoutError'),
      'timeout',
      true,
    ],
    ['connect timeout', withCode('Connect Timeout Error', 'UND_ERR_CONNECT_TIMEOUT'), 'timeout', true],
    [
      'server closed the socket',
      withCode('other side closed', 'UND_ERR_SOCKET', 'SocketError'),
      'connection',
      true,
    ],
    ['reset', withCode('read ECONNRESET', 'ECONNRESET'), 'connection', true],
    ['socket hang up with a code', withCode('socket hang up', 'ECONNRESET'), 'connection', true],
    ['socket hang up without a code', new Error('socket hang up'), 'connection', true],
    ['refused', withCode('connect ECONNREFUSED 127.0.0.1:9', 'ECONNREFUSED'), 'connection', true],
    [
      'fetch wrapping a reset',
      new TypeError('fetch failed', { cause: withCode('read ECONNRESET', 'ECONNRESET') }),
      'connection',
      true,
    ],
    [
      'content-length mismatch',
      withCode(
        'Response body length does not match content-length header',
        'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
      ),
      'truncated',
      true,
    ],
    ['gzip cut short', withCode('unexpected end of file', 'Z_BUF_ERROR'), 'truncated', true],
    [
      'bad chunk',
      withCode('Parse Error: Invalid character in chunk size', 'HPE_INVALID_CHUNK_SIZE'),
      'connection',
      true,
    ],
    ['DNS hiccup', withCode('getaddrinfo EAI_AGAIN gamma-api.polymarket.com', 'EAI_AGAIN'), 'dns', true],
    ['unknown host', withCode('getaddrinfo ENOTFOUND gamma-api.polymarkt.com', 'ENOTFOUND'), 'dns', false],
    [
      'AbortSignal.timeout',
      new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
      'timeout',
      true,
    ],
    ['aborted', new DOMException('This operation was aborted', 'AbortError'), 'aborted', false],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'markets')"), 'unknown', false],
  ])('%s', (_name, error, kind, retryable) => {
    expect(classifyTransportError(error)).toMatchObject({ kind, retryable })
  })
})
