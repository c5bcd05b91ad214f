// The change test of the Gamma pollers: a record is upserted only when what Gamma serves differs
// from the latest version stored (its raw payload as stored, compared by SHA-256 inside the
// warehouse), so polling an unchanged world writes nothing, and a record that changed gets exactly
// one new version (ReplacingMergeTree on _ingested_at makes it the current one). A record that
// fails validation is quarantined again only when its payload changed.
import { createHash } from 'node:crypto'
import type { KeysetKind, Validated } from '../../extract/gamma/keyset.ts'
import type { GammaEvent, GammaMarket } from '../../extract/gamma/schemas.ts'
import { commitEventsPage, commitMarketsPage } from '../markets/index.ts'
import { eventRow } from '../markets/rows.ts'
import type { StepContext } from '../step.ts'
import type { GammaRecord } from './gamma.ts'

export interface PageChanges {
  checked: number
  /** Valid records stored as a new version. */
  upserted: number
  /** Records that failed validation and were quarantined (new or changed payloads only). */
  quarantined: number
  /** Ids of the upserted records. */
  ids: string[]
  /** Upserted markets that are closed in Gamma's answer (what the resolution poll reports). */
  closed: number
}

const TABLES = {
  markets: { table: 'markets', key: 'market_id' },
  events: { table: 'events', key: 'event_id' },
} as const

/** Stores the records of one page that differ from what the warehouse holds; `unit` must be unique per call. */
export async function upsertChanged(
  context: StepContext,
  kind: KeysetKind,
  unit: string,
  records: readonly GammaRecord[],
): Promise<PageChanges> {
  const changes: PageChanges = { checked: records.length, upserted: 0, quarantined: 0, ids: [], closed: 0 }
  if (records.length === 0) return changes
  const valid = records.flatMap((record) => (record.ok ? [record] : []))
  const invalid = records.flatMap((record) => (record.ok ? [] : [record]))
  const stored = await storedHashes(
    context,
    kind,
    valid.map((record) => record.value.id),
  )
  const quarantined = await quarantinedHashes(
    context,
    kind,
    invalid.map((record) => quarantineKey(record)),
  )
  const changed = [
    ...valid.filter((record) => stored.get(record.value.id) !== sha256(storedRaw(kind, record))),
    ...invalid.filter(
      (record) => quarantined.get(quarantineKey(record)) !== sha256(JSON.stringify(record.raw)),
    ),
  ]
  if (changed.length === 0) return changes
  if (kind === 'markets') await commitMarketsPage(context, unit, changed as Validated<GammaMarket>[])
  else await commitEventsPage(context, unit, changed as Validated<GammaEvent>[])
  for (const record of changed) {
    if (!record.ok) {
      changes.quarantined++
      continue
    }
    changes.upserted++
    changes.ids.push(record.value.id)
    if (record.value.closed === true) changes.closed++
  }
  return changes
}

/** `raw` as the loader stores it: markets whole, events without their markets' payloads (rows.ts). */
function storedRaw(kind: KeysetKind, record: Extract<GammaRecord, { ok: true }>): string {
  return kind === 'markets'
    ? JSON.stringify(record.raw)
    : eventRow(record.value as GammaEvent, record.raw, '').raw
}

async function storedHashes(
  context: StepContext,
  kind: KeysetKind,
  ids: readonly string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map()
  const { table, key } = TABLES[kind]
  const rows = await context.warehouse.query<{ id: string; hash: string }>(
    `SELECT toString(${key}) AS id, lower(hex(SHA256(raw))) AS hash FROM ${table} FINAL
     WHERE ${key} IN {ids:Array(UInt64)}`,
    { ids: ids.map(Number) },
  )
  return new Map(rows.map((row) => [row.id, row.hash]))
}

async function quarantinedHashes(
  context: StepContext,
  kind: KeysetKind,
  keys: readonly string[],
): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map()
  const rows = await context.warehouse.query<{ id: string; hash: string }>(
    `SELECT record_key AS id, lower(hex(SHA256(raw))) AS hash FROM etl_quarantine FINAL
     WHERE stream = {stream:String} AND record_key IN {keys:Array(String)}`,
    { stream: kind, keys },
  )
  return new Map(rows.map((row) => [row.id, row.hash]))
}

/** The key RunLog.quarantine files a record under: its id, else a hash of its raw JSON. */
function quarantineKey(record: Extract<GammaRecord, { ok: false }>): string {
  return record.key ?? sha256(JSON.stringify(record.raw))
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}
