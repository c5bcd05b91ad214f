// The `process:` line of `polyhouse status`: the process holding the embedded warehouse (pid,
// command, since when), or that none does — and whether the last one ended or was killed.
import { formatDuration } from '../core/duration.ts'
import type { OwnerReport } from '../load/owner/report.ts'
import { exitMeaning, utc } from './stop.ts'

export function formatOwner(owner: OwnerReport, now = Date.now()): string {
  const since = owner.since ? `since ${utc(owner.since)} (${ago(owner.since, now)})` : ''
  switch (owner.state) {
    case 'running':
      return `process: RUNNING pid ${owner.pid} ${since} · ${owner.command} · polyhouse stop ends it`
    case 'stopping':
      return `process: STOPPING pid ${owner.pid} (${owner.stopSignal ?? 'asked'} at ${utc(owner.stoppingSince ?? '')}, ${ago(owner.stoppingSince ?? '', now)}) · ${owner.command} · ${since}`
    case 'stale':
      return `process: none running; the record of pid ${owner.pid} (${owner.command}, ${since}) is STALE: that process is gone without closing the warehouse (killed, e.g. kill -9, or crashed); the same command resumes`
    case 'ended':
      return `process: none running · last: pid ${owner.pid} ${owner.command}, ${
        owner.exitCode === undefined ? 'closed' : exitMeaning(owner.exitCode)
      }${owner.endedAt ? ` at ${utc(owner.endedAt)}` : ''}`
    case 'foreign':
      return `process: pid ${owner.pid} holds the warehouse without a polyhouse record (not polyhouse, or an older one)`
    case 'none':
      return 'process: none running'
  }
}

/** The status text with the process line after its first line (the warehouse's). */
export function withOwnerLine(text: string, owner: OwnerReport | undefined): string {
  if (!owner) return text
  const end = text.indexOf('\n') + 1
  return `${text.slice(0, end)}${formatOwner(owner)}\n${text.slice(end)}`
}

function ago(iso: string, now: number): string {
  const ms = now - Date.parse(iso)
  return Number.isFinite(ms) ? `${formatDuration(Math.max(ms, 0))} ago` : 'at an unknown time'
}
