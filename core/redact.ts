// What may be shown of a URL: its scheme and host. Provider API keys sit in every other part —
// the path (`https://polygon-mainnet.g.alchemy.com/v2/KEY`), the query (`?apikey=KEY`), the user
// info (`https://user:KEY@host`) — so a URL is stored and printed as `https://host/…`, wherever it
// goes: etl_runs, etl_errors, progress lines, error messages. One redactor for all of them.

/** Flags whose value is a secret whatever it looks like: stored as '***'. */
const SECRET_FLAGS = /^--(clickhouse-password|password|key|token|secret)(=|$)/
/** A URL inside free text: a scheme, `://`, then everything up to a space or a quote. */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"`<>]+/gi
/**
 * The shortest part of a request's URL scrubbed from text a server sent back. API keys are 32–64
 * characters (Alchemy, Infura, QuickNode, Ankr); below 6 a part is a word like `v2` or `api`, and
 * scrubbing it would mangle the message for nothing.
 */
const MIN_SCRUBBED_PART = 6

/**
 * `https://user:KEY@host:8545/v2/KEY?apikey=KEY#KEY` → `https://host:8545/…`. Works on text that is
 * not a valid URL too (`host/v2/KEY` → `host/…`): what the user typed is shown the same way.
 */
export function redactUrl(url: string): string {
  const match = /^\s*([a-z][a-z0-9+.-]*:\/\/)?([^/?#]*)([\s\S]*)$/i.exec(url)
  if (!match) return '…'
  const [, scheme = '', authority = '', rest = ''] = match
  const host = authority.slice(authority.lastIndexOf('@') + 1)
  return `${scheme}${host}${rest.trim() === '' || rest === '/' ? '' : '/…'}`
}

/** Every URL in `text` redacted (`redactUrl`); the rest of the text, punctuation after a URL included, as it was. */
export function redactUrls(text: string): string {
  return text.replace(URL_IN_TEXT, (match) => {
    const punctuation = /[.,;:!?)\]]+$/.exec(match)?.[0] ?? ''
    return redactUrl(match.slice(0, match.length - punctuation.length)) + punctuation
  })
}

/**
 * Text a server sent about a request (an error body, a JSON-RPC message), with the request URL's
 * secret parts taken out: servers echo the path (`Cannot GET /v2/KEY`) or the key itself.
 */
export function scrubUrlParts(text: string, url: URL | string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return redactUrls(text)
  }
  const parts = [
    `${parsed.pathname}${parsed.search}`,
    parsed.pathname,
    parsed.search,
    parsed.hash,
    ...parsed.pathname.split('/'),
    ...[...parsed.searchParams.values()],
    decodeURIComponent(parsed.username),
    decodeURIComponent(parsed.password),
  ]
    .filter((part) => part.length >= MIN_SCRUBBED_PART)
    // Longest first, so a whole path goes before the segments inside it.
    .sort((a, b) => b.length - a.length)
  let scrubbed = redactUrls(text)
  for (const part of parts) scrubbed = scrubbed.split(part).join('…')
  return scrubbed
}

/** A command's arguments as stored in etl_runs: secret flags' values as '***', URLs redacted. */
export function redactArguments(args: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string
    const secret = SECRET_FLAGS.exec(arg)
    if (secret) {
      out.push(secret[2] === '=' ? `${arg.slice(0, arg.indexOf('=') + 1)}***` : arg)
      if (secret[2] !== '=' && i + 1 < args.length) {
        out.push('***')
        i += 1
      }
      continue
    }
    out.push(redactUrls(arg))
  }
  return out
}
