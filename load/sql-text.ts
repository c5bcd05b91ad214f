// SQL files as text: one template rendered for the target (local engine or a cluster), split
// into statements, hashed. Pure functions; nothing here talks to ClickHouse.
import { createHash } from 'node:crypto'
import { UsageError } from '../core/errors.ts'

/**
 * ClickHouse's default replicated_deduplication_window is 1000 blocks (docs: MergeTree settings);
 * 10,000 keeps a retried page deduplicated even after thousands of concurrent inserts since.
 */
export const DEDUPLICATION_WINDOW = 10_000

/** Where Replicated tables keep their metadata in Keeper: the convention the ClickHouse docs use. */
const REPLICATION_PATH = "'/clickhouse/tables/{shard}/{database}/%TABLE%', '{replica}'"

export interface RenderTarget {
  cluster?: string | undefined
}

/**
 * Placeholders a `sql/` or `views/` file may use:
 * - `{{on_cluster}}`: nothing locally, `ON CLUSTER 'name'` on a cluster.
 * - `{{engine:ReplacingMergeTree(_ingested_at)}}`: the engine, made Replicated on a cluster.
 * - `{{dedup_window}}`: the deduplication-window setting for the engine kind.
 */
export function renderSql(template: string, target: RenderTarget): string {
  const table = /CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?`?([\w.]+)`?/i.exec(template)?.[1]
  return template.replace(
    /\{\{\s*([a-z_]+)(?::([^}]*))?\s*\}\}/g,
    (whole, name: string, argument?: string) => {
      switch (name) {
        case 'on_cluster':
          return target.cluster ? `ON CLUSTER '${target.cluster}'` : ''
        case 'dedup_window':
          return target.cluster
            ? `replicated_deduplication_window = ${DEDUPLICATION_WINDOW}`
            : `non_replicated_deduplication_window = ${DEDUPLICATION_WINDOW}`
        case 'engine':
          return renderEngine(argument ?? '', table, target)
        default:
          throw new UsageError(`unknown placeholder ${whole} in SQL`, {
            hint: 'use {{on_cluster}}, {{engine:...}} or {{dedup_window}}',
          })
      }
    },
  )
}

function renderEngine(engine: string, table: string | undefined, target: RenderTarget): string {
  const match = /^\s*(\w*MergeTree)\s*(?:\((.*)\))?\s*$/s.exec(engine)
  if (!match) throw new UsageError(`{{engine:${engine}}} is not a MergeTree engine`)
  const [, family, args] = match
  if (!target.cluster) return `${family}(${args ?? ''})`
  if (!table) throw new UsageError(`{{engine:${engine}}} is used outside a CREATE TABLE statement`)
  const replication = REPLICATION_PATH.replace('%TABLE%', table.replace(/^.*\./, ''))
  return `Replicated${family}(${replication}${args?.trim() ? `, ${args}` : ''})`
}

/** Splits on `;` outside strings, quoted identifiers and comments; drops empty statements. */
export function splitStatements(sql: string): string[] {
  const statements: string[] = []
  let current = ''
  let i = 0
  while (i < sql.length) {
    const char = sql[i] as string
    const next = sql[i + 1]
    if (char === '-' && next === '-') {
      const end = sql.indexOf('\n', i)
      const stop = end === -1 ? sql.length : end
      current += sql.slice(i, stop)
      i = stop
    } else if (char === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2)
      const stop = end === -1 ? sql.length : end + 2
      current += sql.slice(i, stop)
      i = stop
    } else if (char === "'" || char === '"' || char === '`') {
      let j = i + 1
      while (j < sql.length && sql[j] !== char) j += sql[j] === '\\' ? 2 : 1
      current += sql.slice(i, j + 1)
      i = j + 1
    } else if (char === ';') {
      statements.push(current)
      current = ''
      i += 1
    } else {
      current += char
      i += 1
    }
  }
  statements.push(current)
  return statements
    .map((statement) => statement.trim())
    .filter((statement) => stripComments(statement) !== '')
}

/** The text without comments: what ClickHouse would execute, for dependency scans and emptiness. */
export function stripComments(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, '')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .trim()
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}
