import { describe, expect, it } from 'vitest'
import { UsageError } from '../../../core/errors.ts'
import { DEFAULT_DATA_API_URL, DEFAULT_GAMMA_URL, resolveHttpConfig } from '../../../extract/http/config.ts'
import { DEFAULT_RATE_LIMITS } from '../../../extract/http/rates.ts'

describe('resolveHttpConfig', () => {
  it('defaults to the public APIs and the documented limits', () => {
    const config = resolveHttpConfig({}, {})
    expect(config.gammaUrl).toBe(DEFAULT_GAMMA_URL)
    expect(config.dataApiUrl).toBe(DEFAULT_DATA_API_URL)
    expect(config.rateLimits).toEqual(DEFAULT_RATE_LIMITS)
  })

  it('reads the environment, flags winning, and drops trailing slashes', () => {
    const env = {
      GAMMA_URL: 'http://127.0.0.1:4000/',
      DATA_API_URL: 'http://127.0.0.1:4001',
      POLYHOUSE_RATE: 'rpc=5/s',
    }
    const fromEnv = resolveHttpConfig({}, env)
    expect(fromEnv.gammaUrl).toBe('http://127.0.0.1:4000')
    expect(fromEnv.rateLimits.rpc).toEqual({ count: 5, windowMs: 1_000 })
    const fromFlags = resolveHttpConfig({ gammaUrl: 'http://sim:9000', rate: 'data-api=10/s' }, env)
    expect(fromFlags.gammaUrl).toBe('http://sim:9000')
    expect(fromFlags.dataApiUrl).toBe('http://127.0.0.1:4001')
    expect(fromFlags.rateLimits['data-api-positions']).toEqual({ count: 10, windowMs: 1_000 })
    expect(fromFlags.rateLimits.rpc).toEqual(DEFAULT_RATE_LIMITS.rpc)
  })

  it('says what is wrong with a URL and how to write it', () => {
    expect(() => resolveHttpConfig({}, { GAMMA_URL: 'gamma-api.polymarket.com' })).toThrow(
      new UsageError(
        "GAMMA_URL is not an http(s) URL: got 'gamma-api.polymarket.com'; try https://gamma-api.polymarket.com",
      ),
    )
    expect(() => resolveHttpConfig({ dataApiUrl: 'ftp://x' })).toThrow(/DATA_API_URL is not an http\(s\) URL/)
  })

  it('passes --rate errors through as UsageError', () => {
    expect(() => resolveHttpConfig({ rate: 'gama=1/s' }, {})).toThrow(UsageError)
    expect(() => resolveHttpConfig({ rate: 'gama=1/s' }, {})).toThrow(/no endpoint family matches 'gama'/)
  })
})
