import { describe, expect, it } from 'vitest'
import { UsageError } from '../../../core/errors.ts'
import {
  DEFAULT_RATE_LIMITS,
  formatRate,
  keyCoversFamily,
  parseRateSpec,
  perSecond,
  resolveRateLimits,
} from '../../../extract/http/rates.ts'

describe('parseRateSpec', () => {
  it('reads the forms the CLI documents', () => {
    const overrides = parseRateSpec('data-api=10/s,gamma=300/10s,rpc=25/s')
    expect(Object.fromEntries(overrides)).toEqual({
      'data-api': { count: 10, windowMs: 1_000 },
      gamma: { count: 300, windowMs: 10_000 },
      rpc: { count: 25, windowMs: 1_000 },
    })
  })

  it.each([
    ['gamma-markets=900/1m', { count: 900, windowMs: 60_000 }],
    ['gamma-markets=900/min', { count: 900, windowMs: 60_000 }],
    ['rpc=1/500ms', { count: 1, windowMs: 500 }],
    ['rpc=0.5/s', { count: 0.5, windowMs: 1_000 }],
    ['rpc=3600/h', { count: 3600, windowMs: 3_600_000 }],
    [' RPC = 25/S ', { count: 25, windowMs: 1_000 }],
  ])('%s', (spec, limit) => {
    expect([...parseRateSpec(spec).values()]).toEqual([limit])
  })

  it('accepts an empty spec and stray commas', () => {
    expect(parseRateSpec('').size).toBe(0)
    expect(parseRateSpec('rpc=5/s,').size).toBe(1)
  })

  it.each([
    ['gamma', "--rate gamma: missing '=' between the endpoint family and its rate"],
    [
      'gama=300/10s',
      "--rate gama=300/10s: no endpoint family matches 'gama'; known families: gamma-markets, gamma-events, gamma-tags, data-api-positions, rpc",
    ],
    ['dataapi=10/s', "--rate dataapi=10/s: no endpoint family matches 'dataapi'"],
    ['gamma-mark=10/s', "--rate gamma-mark=10/s: no endpoint family matches 'gamma-mark'"],
    ['=10/s', "--rate =10/s: '' is not an endpoint family name"],
    [
      'data-api=fast',
      "--rate data-api=fast: 'fast' is not a rate; write COUNT/WINDOW such as 10/s or 300/10s",
    ],
    ['data-api=10', "--rate data-api=10: '10' is not a rate"],
    ['data-api=ten/s', "--rate data-api=ten/s: the request count 'ten' is not a number"],
    ['data-api=-5/s', "--rate data-api=-5/s: the request count '-5' is not a number"],
    ['data-api=0/s', '--rate data-api=0/s: the request count must be greater than zero'],
    ['rpc=25/0s', '--rate rpc=25/0s: the window must be longer than zero'],
    ['rpc=25/fortnight', "--rate rpc=25/fortnight: unknown time unit 'fortnight'; use ms, s, sec, m, min, h"],
    ['gamma=1/s,gamma=2/s', "--rate gamma=2/s: 'gamma' is given twice"],
  ])('rejects %s', (spec, message) => {
    let error: unknown
    try {
      parseRateSpec(spec)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(UsageError)
    expect((error as UsageError).message).toContain(message)
    expect((error as UsageError).exitCode).toBe(2)
    expect((error as UsageError).userMessage()).toContain('e.g. --rate data-api=10/s,gamma=300/10s,rpc=25/s')
  })
})

describe('family prefixes', () => {
  it('matches whole dash-separated segments only', () => {
    expect(keyCoversFamily('gamma', 'gamma-markets')).toBe(true)
    expect(keyCoversFamily('gamma-markets', 'gamma-markets')).toBe(true)
    expect(keyCoversFamily('data-api', 'data-api-positions')).toBe(true)
    expect(keyCoversFamily('data', 'data-api-positions')).toBe(true)
    expect(keyCoversFamily('gam', 'gamma-markets')).toBe(false)
    expect(keyCoversFamily('gamma-markets', 'gamma-events')).toBe(false)
  })

  it('gives each covered family the limit, the most specific key winning', () => {
    const limits = resolveRateLimits(parseRateSpec('gamma=100/10s,gamma-events=50/s,data-api=10/s'))
    expect(limits['gamma-markets']).toEqual({ count: 100, windowMs: 10_000 })
    expect(limits['gamma-tags']).toEqual({ count: 100, windowMs: 10_000 })
    expect(limits['gamma-events']).toEqual({ count: 50, windowMs: 1_000 })
    expect(limits['data-api-positions']).toEqual({ count: 10, windowMs: 1_000 })
    expect(limits.rpc).toEqual(DEFAULT_RATE_LIMITS.rpc)
  })

  it('defaults to the documented limits', () => {
    const limits = resolveRateLimits()
    expect(limits['gamma-markets']).toEqual({ count: 300, windowMs: 10_000 })
    expect(limits['gamma-events']).toEqual({ count: 500, windowMs: 10_000 })
    expect(limits['data-api-positions']).toEqual({ count: 150, windowMs: 10_000 })
  })
})

describe('formatRate', () => {
  it('writes the spec form back', () => {
    expect(formatRate({ count: 300, windowMs: 10_000 })).toBe('300/10s')
    expect(formatRate({ count: 10, windowMs: 1_000 })).toBe('10/s')
    expect(formatRate({ count: 1, windowMs: 500 })).toBe('1/500ms')
    expect(perSecond({ count: 150, windowMs: 10_000 })).toBe(15)
  })
})
