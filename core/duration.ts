// Durations as operators type them (`--stale 7d`, `--since 12h`, `1h30m`) and as status prints them.
import { UsageError } from './errors.ts'

const UNIT_MS: Record<string, number> = {
  w: 7 * 86_400_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1_000,
}

/** `7d`, `12h`, `90m`, `1d12h`, `1.5h` → milliseconds; anything else is a UsageError naming the flag. */
export function parseDuration(text: string, flag: string): number {
  const trimmed = text.trim().toLowerCase()
  const part = /(\d+(?:\.\d+)?)(w|d|h|m|s)/y
  let total = 0
  let at = 0
  while (at < trimmed.length) {
    part.lastIndex = at
    const match = part.exec(trimmed)
    if (!match) break
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number)
    at = part.lastIndex
  }
  if (trimmed === '' || at !== trimmed.length || !Number.isFinite(total)) {
    throw new UsageError(`${flag} ${text} is not a duration`, {
      hint: `give a number and a unit (w, d, h, m, s), e.g. ${flag} 7d or ${flag} 12h`,
    })
  }
  return Math.round(total)
}

/** 93784000 → "1d 2h", 125000 → "2m 5s": the two largest units, for people. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'unknown'
  if (ms < 1_000) return ms <= 0 ? '0s' : '<1s'
  const parts: string[] = []
  let rest = Math.round(ms / 1_000) * 1_000
  for (const unit of ['d', 'h', 'm', 's']) {
    const size = UNIT_MS[unit] as number
    const count = Math.floor(rest / size)
    if (count > 0 || parts.length > 0) parts.push(`${count}${unit}`)
    rest -= count * size
    if (parts.length === 2) break
  }
  return parts.filter((part) => !part.startsWith('0')).join(' ') || '0s'
}
