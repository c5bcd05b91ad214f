// Durations as operators type them (`--stale 7d`) and as status prints them.
import { describe, expect, it } from 'vitest'
import { formatDuration, parseDuration } from '../../core/duration.ts'
import { UsageError } from '../../core/errors.ts'

describe('parseDuration', () => {
  it('reads the units operators type, alone and combined', () => {
    expect(parseDuration('7d', '--stale')).toBe(7 * 86_400_000)
    expect(parseDuration('12h', '--stale')).toBe(12 * 3_600_000)
    expect(parseDuration('90m', '--stale')).toBe(90 * 60_000)
    expect(parseDuration('30s', '--stale')).toBe(30_000)
    expect(parseDuration('2w', '--stale')).toBe(14 * 86_400_000)
    expect(parseDuration('1d12h', '--stale')).toBe(36 * 3_600_000)
    expect(parseDuration('1.5h', '--stale')).toBe(90 * 60_000)
    expect(parseDuration(' 7D ', '--stale')).toBe(7 * 86_400_000)
  })

  it('refuses anything else, naming the flag and showing a fix', () => {
    for (const bad of ['', '7', 'd', '7x', '7 d', '-1d', '1ms', '7d!']) {
      expect(() => parseDuration(bad, '--stale')).toThrow(UsageError)
    }
    expect(() => parseDuration('7x', '--stale')).toThrow(
      expect.objectContaining({
        message: '--stale 7x is not a duration',
        hint: 'give a number and a unit (w, d, h, m, s), e.g. --stale 7d or --stale 12h',
      }),
    )
  })
})

describe('formatDuration', () => {
  it('prints the two largest units', () => {
    expect(formatDuration(0)).toBe('0s')
    expect(formatDuration(400)).toBe('<1s')
    expect(formatDuration(125_000)).toBe('2m 5s')
    expect(formatDuration(93_784_000)).toBe('1d 2h')
    expect(formatDuration(7 * 86_400_000)).toBe('7d')
    expect(formatDuration(3_600_000 + 5_000)).toBe('1h')
  })
})
