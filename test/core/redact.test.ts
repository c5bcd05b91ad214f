// A URL is shown by its scheme and host only: keys sit in every other part.
import { describe, expect, it } from 'vitest'
import { redactArguments, redactUrl, redactUrls, scrubUrlParts } from '../../core/redact.ts'

describe('redactUrl', () => {
  it.each([
    ['https://polygon-mainnet.g.alchemy.com/v2/KEY', 'https://polygon-mainnet.g.alchemy.com/…'],
    ['https://rpc.example?apikey=KEY', 'https://rpc.example/…'],
    ['https://user:KEY@rpc.example:8545', 'https://rpc.example:8545'],
    ['https://user:K@Y@rpc.example/', 'https://rpc.example'],
    ['https://rpc.example#KEY', 'https://rpc.example/…'],
    ['http://localhost:8123', 'http://localhost:8123'],
    ['ftp://***@h/SECRETKKK', 'ftp://h/…'],
    // What a user typed that is not a URL is shown the same way.
    ['polygon-mainnet.g.alchemy.com/v2/KEY', 'polygon-mainnet.g.alchemy.com/…'],
    ['', ''],
  ])('%s → %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown)
  })
})

describe('redactUrls', () => {
  it('redacts every URL in a text and leaves the rest', () => {
    expect(
      redactUrls(
        "eth_getLogs https://a.example/v2/KEY1: HTTP 502 from 'http://u:p@b.example:80/x?k=KEY2'; retry",
      ),
    ).toBe("eth_getLogs https://a.example/…: HTTP 502 from 'http://b.example:80/…'; retry")
    expect(redactUrls('no url here: /v2/path')).toBe('no url here: /v2/path')
  })
})

describe('scrubUrlParts', () => {
  it("removes the request URL's path, query values and credentials from what a server echoed", () => {
    const url = 'https://me:pa55word@rpc.example/v2/0123456789abcdef?apikey=QUERYKEY99&x=1#FRAGMENT77'
    expect(scrubUrlParts('Cannot POST /v2/0123456789abcdef?apikey=QUERYKEY99&x=1', url)).toBe('Cannot POST …')
    expect(scrubUrlParts('invalid key 0123456789abcdef for me', url)).toBe('invalid key … for me')
    expect(scrubUrlParts('bad apikey QUERYKEY99, user pa55word, #FRAGMENT77', url)).toBe(
      'bad apikey …, user …, …',
    )
    // Short parts (`v2`, `x`, `1`) are words, not keys: left alone.
    expect(scrubUrlParts('v2 x 1', url)).toBe('v2 x 1')
  })
})

describe('redactArguments', () => {
  it('hides secret flags and every URL part but scheme and host', () => {
    expect(
      redactArguments([
        'backfill',
        '--rpc-url',
        'https://u:SECRET1@rpc.example/v2/SECRET2?k=SECRET3#SECRET4',
        '--gamma-url=https://gamma.example/SECRET5',
        '--clickhouse-password',
        'SECRET6',
        '--steps',
        'chain',
      ]).join(' '),
    ).toBe(
      'backfill --rpc-url https://rpc.example/… --gamma-url=https://gamma.example/… --clickhouse-password *** --steps chain',
    )
  })
})
