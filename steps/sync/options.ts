// The settings of `polyhouse sync`: which pollers, each one's interval, how many hot events, how
// many wallets a poll. Flags are validated here; a UsageError names the flag and an example.

import { parseDuration } from '../../core/duration.ts'
import { UsageError } from '../../core/errors.ts'
import { EVENTS_PAGE_LIMIT } from '../../extract/gamma/keyset.ts'
import { DEFAULT_WALLETS_PER_POLL } from './chain.ts'
import { DEFAULT_HOT_EVENTS } from './markets.ts'
import { POLLER_ORDER, type PollerName } from './poller.ts'

/**
 * Cadences as Polymarket users expect them (hot events 30 s, the rest and resolutions 5 min). Short-lived
 * markets get a minute, so a 15-minute market is seen several times while it lives. The chain every
 * minute: ~28 Polygon blocks (~2.1 s each), read 32 confirmations (~1 min) behind the tip anyway.
 * Wallets every 5 minutes: the Data API's 150 requests per 10 s serve ~4,500 wallets in that time.
 */
export const DEFAULT_INTERVALS: Readonly<Record<PollerName, string>> = {
  hot: '30s',
  open: '5m',
  resolution: '5m',
  short: '1m',
  chain: '1m',
  wallets: '5m',
}

/** Flags as commander hands them over. */
export interface SyncFlags {
  once?: boolean
  pollers?: string
  hotInterval?: string
  openInterval?: string
  resolutionInterval?: string
  shortInterval?: string
  chainInterval?: string
  walletsInterval?: string
  hotEvents?: string
  walletsPerPoll?: string
}

export interface SyncOptions {
  once: boolean
  pollers: PollerName[]
  /** Milliseconds between the starts of two polls of each poller. */
  intervals: Record<PollerName, number>
  hotEvents: number
  walletsPerPoll: number
}

export function resolveSyncOptions(flags: SyncFlags): SyncOptions {
  const intervals = {} as Record<PollerName, number>
  for (const name of POLLER_ORDER) {
    const flag = `--${name}-interval`
    const text = flags[`${name}Interval` as keyof SyncFlags] as string | undefined
    const example = { hint: `give a number and a unit (h, m, s), e.g. ${flag} ${DEFAULT_INTERVALS[name]}` }
    let ms: number
    try {
      ms = parseDuration(text ?? DEFAULT_INTERVALS[name], flag)
    } catch {
      throw new UsageError(`${flag} ${text} is not a duration`, example)
    }
    if (ms < 1_000) throw new UsageError(`${flag} ${text} is shorter than a second`, example)
    intervals[name] = ms
  }
  return {
    once: flags.once === true,
    pollers: parsePollers(flags.pollers),
    intervals,
    hotEvents: wholeNumber(flags.hotEvents, '--hot-events', DEFAULT_HOT_EVENTS, 1, 10 * EVENTS_PAGE_LIMIT),
    walletsPerPoll: wholeNumber(flags.walletsPerPoll, '--wallets-per-poll', DEFAULT_WALLETS_PER_POLL, 1),
  }
}

function parsePollers(list: string | undefined): PollerName[] {
  if (list === undefined) return [...POLLER_ORDER]
  const wanted = new Set(
    list
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
  )
  for (const name of wanted) {
    if (!POLLER_ORDER.includes(name as PollerName))
      throw new UsageError(`unknown poller '${name}'`, {
        hint: `pollers are ${POLLER_ORDER.join(', ')}, e.g. --pollers hot,open`,
      })
  }
  if (wanted.size === 0)
    throw new UsageError('--pollers names no poller', { hint: `e.g. --pollers ${POLLER_ORDER.join(',')}` })
  return POLLER_ORDER.filter((name) => wanted.has(name))
}

function wholeNumber(
  text: string | undefined,
  flag: string,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (text === undefined) return fallback
  const value = /^\d+$/.test(text.trim().replace(/_/g, ''))
    ? Number(text.trim().replace(/_/g, ''))
    : Number.NaN
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new UsageError(
      `${flag} ${text} is not a whole number from ${min} to ${max.toLocaleString('en-US')}`,
      {
        hint: `e.g. ${flag} ${fallback}`,
      },
    )
  return value
}
