// The markets step's walks over Gamma's keyset lists: a start-date partition or a whole list (the
// fallback), each page committed before its cursor. A partition's pages are checked against its
// window: Gamma applies the date filters as a database would, so a record outside the window (or
// without a start date at all) on a partition's page means the server does not honour them, and
// walking ~170 partitions would read the whole list ~170 times. The step then walks the list once.
import { attemptsOf, InterruptedError, isSourceDown } from '../../core/errors.ts'
import { type KeysetKind, type WalkedPage, walkKeyset } from '../../extract/gamma/keyset.ts'
import type { GammaEvent, GammaMarket } from '../../extract/gamma/schemas.ts'
import type { HttpClient } from '../../extract/http/client.ts'
import type { UnitCommitter } from '../../load/committer.ts'
import type { StepContext, UnitFailure } from '../step.ts'
import { runUnits } from '../units.ts'
import { hasNoStartDate, pageRows, startDateOf } from './pages.ts'

export interface WalkSource {
  http: HttpClient
  gammaUrl: string
}

/** One walk: its checkpoint unit, the filters it re-sends with every page, and its date window. */
export interface WalkUnit {
  id: string
  filters: Record<string, string>
  /** Start-date bounds (epoch ms, inclusive) every record of its pages must fall within. */
  window?: { min?: number; max?: number }
}

export interface WalkState {
  pages: number
  rows: number
  unitsDone: number
  unitsTotal: number
  failures: UnitFailure[]
  /**
   * One committer per kind: event pages are large (each event repeats its markets), and a shared
   * backlog of them would hold the markets walk — the one that sets the pace — at its `room()`.
   */
  committers: Record<KeysetKind, UnitCommitter>
  /** Kinds whose server was seen ignoring the start-date filters: their partitions stop. */
  filtersIgnored: Set<KeysetKind>
}

/** Walks the units of one kind not yet recorded done, `concurrency` at a time. */
export async function walkUnits(
  context: StepContext,
  source: WalkSource,
  kind: KeysetKind,
  units: readonly WalkUnit[],
  state: WalkState,
  concurrency: number,
): Promise<void> {
  const cursors = await context.checkpoints.cursors(kind)
  const pending = units.filter((unit) => !cursors.get(unit.id)?.done)
  state.unitsDone += units.length - pending.length
  report(context, state)
  await runUnits(pending, { concurrency, signal: context.signal }, (unit, signal) => {
    if (unit.window && state.filtersIgnored.has(kind)) return Promise.resolve()
    const checkpoint = cursors.get(unit.id)
    return walkUnit(
      { ...context, signal },
      source,
      kind,
      unit,
      checkpoint?.cursor ?? '',
      checkpoint?.rows ?? 0,
      state,
    )
  })
}

async function walkUnit(
  context: StepContext,
  source: WalkSource,
  kind: KeysetKind,
  unit: WalkUnit,
  startCursor: string,
  startRows: number,
  state: WalkState,
): Promise<void> {
  const committer = state.committers[kind]
  const pages = walkKeyset(
    { http: source.http, baseUrl: source.gammaUrl, kind, filters: unit.filters, signal: context.signal },
    startCursor,
  )
  let cursor = startCursor
  let rows = startRows
  await committer.room()
  for (;;) {
    // Another partition found the filters ignored: this one would read the whole list again.
    if (unit.window && state.filtersIgnored.has(kind)) break
    let page: WalkedPage<GammaMarket | GammaEvent>
    try {
      const next = await pages.next()
      if (next.done) break
      page = next.value
    } catch (error) {
      if (error instanceof InterruptedError || context.signal.aborted) break
      // Unreachable host, refused TLS, …: every partition would fail alike, so the step stops.
      if (isSourceDown(error)) throw error
      const where = `${unit.id}@${cursor}`
      await context.runLog.error({ stream: kind, unit: where, error, attempts: attemptsOf(error) })
      state.failures.push({ unit: `${kind} ${where}`, error: (error as Error).message })
      report(context, state)
      break
    }
    const outside = unit.window ? outsideWindow(page.records, unit.window) : undefined
    const { rows: tableRows, quarantine, count } = pageRows(kind, page.records, context.runLog.runId)
    rows += count
    const last = !page.nextCursor || outside !== undefined
    // The cursor moves past this page only in the batch that commits the page's rows. A partition
    // whose server ignores its filters is left not done: the whole-list walk replaces it.
    const checkpoint = !page.nextCursor
      ? context.checkpoints.doneRow(kind, unit.id, rows)
      : context.checkpoints.cursorRow(kind, unit.id, page.nextCursor, rows)
    // Not awaited: the walker goes on to its next page or partition while the batch commits. A
    // failed commit reaches the walk through the committer's room() and flush(), which the step
    // awaits before it ends.
    committer
      .add({
        unit: `${unit.id}@${page.cursor}`,
        rows: tableRows,
        quarantine,
        after: { etl_checkpoints: [checkpoint] },
      })
      .then(
        () => {
          state.rows += count
          state.pages++
          if (!page.nextCursor) state.unitsDone++
          report(context, state)
        },
        () => {},
      )
    if (outside !== undefined && !state.filtersIgnored.has(kind)) {
      state.filtersIgnored.add(kind)
      context.reporter.note(
        `Gamma ignores the start-date filters of /${kind}/keyset (partition ${unit.id} served ${outside}): walking the whole list once instead of each partition`,
      )
    }
    if (last) break
    cursor = page.nextCursor as string
    await committer.room()
  }
}

/** Describes the first record a database applying the window's bounds could not have returned. */
function outsideWindow(
  records: readonly { raw: unknown }[],
  window: { min?: number; max?: number },
): string | undefined {
  for (const record of records) {
    const raw = record.raw as { id?: unknown } | null
    const start = startDateOf(raw)
    const id = raw?.id
    if (hasNoStartDate(raw)) return `record ${String(id)} without a startDate`
    // A startDate that does not read as a date (a drifted record, quarantined) proves nothing.
    if (start === undefined) continue
    if ((window.min !== undefined && start < window.min) || (window.max !== undefined && start > window.max))
      return `record ${String(id)} starting ${new Date(start).toISOString()}`
  }
  return undefined
}

export function report(context: StepContext, state: WalkState): void {
  context.reporter.update({
    unit: 'partitions',
    done: state.unitsDone,
    total: state.unitsTotal,
    rows: state.rows,
    errors: state.failures.length,
  })
}
