// Fault knobs: what fraction of requests fail, and how. Off by default. Request faults are drawn
// from a keyed stream (seed, service, request number), so a run with the same request order
// meets the same faults; schema drift is a property of records (the same records every time),
// and a reorg rewrites the last N blocks once the chain tip has been read.
import { UsageError } from '../core/errors.ts'

export interface FaultSpec {
  /** Spurious 429s with Retry-After, even under the rate limit. */
  rate429: number
  /** 500/502/503/504; 503 carries Retry-After. */
  rate5xx: number
  /** Requests that never get a response (until the client gives up or the simulator closes). */
  hang: number
  /** Bodies cut short: either the connection drops mid-body, or the JSON simply ends early. */
  truncate: number
  /** A Cloudflare-style HTML error page instead of JSON. */
  html: number
  /** Fraction of records (markets, events, positions) served with a field of the wrong type. */
  drift: number
  /** Depth in blocks of one reorg at the tip, after the tip's logs have been served (0: none). */
  reorg: number
}

export const NO_FAULTS: FaultSpec = Object.freeze({
  rate429: 0,
  rate5xx: 0,
  hang: 0,
  truncate: 0,
  html: 0,
  drift: 0,
  reorg: 0,
})

export type RequestFault = '429' | '5xx' | 'hang' | 'truncate' | 'html'

const EXAMPLE = '429=0.1,5xx=0.05,hang=0.02,truncate=0.01,html=0.01,drift=0.005,reorg=12'
const KEYS: Record<string, keyof FaultSpec> = {
  '429': 'rate429',
  '5xx': 'rate5xx',
  hang: 'hang',
  truncate: 'truncate',
  html: 'html',
  drift: 'drift',
  reorg: 'reorg',
}

/** Parses `429=0.1,5xx=0.05,...`; every mistake names the part and the fix. */
export function parseFaultSpec(text: string, flag = '--faults'): FaultSpec {
  const spec: FaultSpec = { ...NO_FAULTS }
  const trimmed = text.trim()
  if (trimmed === '' || trimmed === 'none') return spec
  for (const part of trimmed.split(',')) {
    const [rawKey, rawValue, extra] = part.split('=').map((s) => s.trim())
    const key = KEYS[rawKey ?? '']
    if (!key || rawValue === undefined || extra !== undefined) {
      throw new UsageError(`${flag}: cannot read '${part}'`, {
        hint: `use key=value pairs among ${Object.keys(KEYS).join(', ')}, e.g. ${flag} ${EXAMPLE}`,
      })
    }
    const value = Number(rawValue)
    if (key === 'reorg') {
      if (!Number.isInteger(value) || value < 0) {
        throw new UsageError(`${flag}: reorg=${rawValue} is not a depth in blocks`, {
          hint: 'give a whole number of blocks, e.g. reorg=12',
        })
      }
    } else if (!Number.isFinite(value) || value < 0 || value > 1) {
      throw new UsageError(`${flag}: ${rawKey}=${rawValue} is not a fraction of requests`, {
        hint: `give a number from 0 to 1, e.g. ${rawKey}=0.05`,
      })
    }
    spec[key] = value
  }
  const requestShare = spec.rate429 + spec.rate5xx + spec.hang + spec.truncate + spec.html
  if (requestShare > 1) {
    throw new UsageError(
      `${flag}: request faults add up to ${requestShare.toFixed(3)}, more than every request`,
      {
        hint: 'keep 429 + 5xx + hang + truncate + html at or below 1',
      },
    )
  }
  return spec
}

/** Which fault (if any) a request meets, given a uniform draw `u` in [0, 1). */
export function pickFault(spec: FaultSpec, u: number): RequestFault | undefined {
  let edge = spec.rate429
  if (u < edge) return '429'
  edge += spec.rate5xx
  if (u < edge) return '5xx'
  edge += spec.hang
  if (u < edge) return 'hang'
  edge += spec.truncate
  if (u < edge) return 'truncate'
  edge += spec.html
  if (u < edge) return 'html'
  return undefined
}

/** Cloudflare's origin-error page, trimmed: what a JSON client receives from a failing edge. */
export function cloudflareErrorPage(status: number, host: string, rayId: string): string {
  const titles: Record<number, string> = {
    502: 'Bad gateway',
    520: 'Web server is returning an unknown error',
    522: 'Connection timed out',
    524: 'A timeout occurred',
  }
  const title = titles[status] ?? 'Error'
  return `<!DOCTYPE html>
<!--[if lt IE 7]> <html class="no-js ie6 oldie" lang="en-US"> <![endif]-->
<html class="no-js" lang="en-US">
<head>
<title>${host} | ${status}: ${title}</title>
<meta charset="UTF-8" />
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
<meta name="robots" content="noindex, nofollow" />
<link rel="stylesheet" id="cf_styles-css" href="/cdn-cgi/styles/main.css" />
</head>
<body>
<div id="cf-wrapper">
<div id="cf-error-details" class="p-0">
<header class="mx-auto pt-10 lg:pt-6 lg:px-8 w-240 lg:w-full mb-8">
<h1 class="inline-block sm:block sm:mb-2 font-light text-60 lg:text-4xl text-black-dark leading-tight mr-2">
<span class="inline-block">${title}</span>
<span class="code-label">Error code ${status}</span>
</h1>
</header>
<div class="cf-error-footer cf-wrapper w-240 lg:w-full py-10 sm:py-4 sm:px-8 mx-auto text-center sm:text-left border-solid border-0 border-t border-gray-300">
<p class="text-13">
<span class="cf-footer-item sm:block sm:mb-1">Cloudflare Ray ID: <strong class="font-semibold">${rayId}</strong></span>
<span class="cf-footer-separator sm:hidden">&bull;</span>
<span id="cf-footer-item-ip" class="cf-footer-item sm:block sm:mb-1">Performance &amp; security by <a rel="noopener noreferrer" href="https://www.cloudflare.com/5xx-error-landing" id="brand_link" target="_blank">Cloudflare</a></span>
</p>
</div>
</div>
</div>
</body>
</html>
`
}
