// Ad-hoc queries with bound parameters, formatted for a terminal or a pipe. A caller running the
// user's SQL asks for read-only, which is the engine's own `readonly` setting: whatever the statement
// (ALTER … DELETE, INSERT, DROP, a SETTINGS clause), the engine decides, not a reading of its text.
import { UsageError, WarehouseError } from '../core/errors.ts'
import { clickhouseErrorCode, type Warehouse } from './warehouse.ts'

/**
 * Output formats, given to the engine as `default_format`: a statement that returns rows answers in
 * it, one that does not (INSERT … VALUES, ALTER) is sent as written — a FORMAT clause appended to it
 * would be read as part of the statement. CSV/TSV quoting is the engine's; the table is drawn here.
 */
const FORMATS = {
  table: 'JSONCompactEachRowWithNames',
  csv: 'CSVWithNames',
  tsv: 'TabSeparatedWithNames',
  json: 'JSONEachRow',
} as const

export type OutputFormat = keyof typeof FORMATS

/** ClickHouse error codes that mean the caller's parameters, not the data, were wrong. */
const PARAMETER_ERRORS = new Set(['456', '457']) // UNKNOWN_QUERY_PARAMETER, BAD_QUERY_PARAMETER
/** READONLY: the statement would change something and `readonly` forbids it. */
const READONLY_ERROR = '164'

export interface QueryOptions {
  /**
   * Refuse any statement that would change the warehouse (`readonly = 1`). On the embedded engine
   * this leaves the session read-only (chDB applies a query's settings as session-wide SETs, and
   * readonly cannot be lifted once set), so a read-only query is the last on its warehouse.
   */
  readOnly?: boolean
}

export function checkOutputFormat(format: string): OutputFormat {
  if (format in FORMATS) return format as OutputFormat
  throw new UsageError(`--format ${format} is not supported`, {
    hint: `use one of ${Object.keys(FORMATS).join(', ')}`,
  })
}

export function parseParams(pairs: string[]): Record<string, string> {
  const params: Record<string, string> = {}
  for (const pair of pairs) {
    const equals = pair.indexOf('=')
    const name = equals > 0 ? pair.slice(0, equals) : ''
    if (!/^[A-Za-z_]\w*$/.test(name)) {
      throw new UsageError(`--param ${JSON.stringify(pair)} is not name=value`, {
        hint: 'write --param wallet=0xabc… and use {wallet:String} in the SQL',
      })
    }
    params[name] = pair.slice(equals + 1)
  }
  return params
}

export async function runQuery(
  warehouse: Warehouse,
  sql: string,
  paramPairs: string[],
  format: string,
  options: QueryOptions = {},
): Promise<string> {
  const output = checkOutputFormat(format)
  const params = parseParams(paramPairs)
  let text: string
  try {
    const result = await warehouse.client.exec({
      query: sql,
      query_params: params,
      clickhouse_settings: warehouse.settings({
        default_format: FORMATS[output],
        ...(options.readOnly ? { readonly: '1' } : {}),
      }),
    })
    text = await readText(result.stream)
  } catch (error) {
    throw explain(error, options)
  }
  return render(text, output)
}

function explain(error: unknown, options: QueryOptions): unknown {
  const code = clickhouseErrorCode(error)
  const message = (error as Error).message?.split('\n')[0]?.trim()
  if (code && PARAMETER_ERRORS.has(code)) {
    return new UsageError(`bad --param: ${message}`, {
      hint: 'give each {name:Type} in the SQL a --param name=value that parses as its Type',
      cause: error,
    })
  }
  if (code === READONLY_ERROR && options.readOnly) {
    return new UsageError(
      'refused: polyhouse query is read-only, and this statement would change the warehouse',
      {
        hint: 'to change the warehouse deliberately, run it again with --write',
        cause: error,
      },
    )
  }
  if (code === READONLY_ERROR) {
    return new WarehouseError(`the warehouse refused the write: ${message}`, {
      hint: 'the process serving this data directory is read-only; write once it has stopped, or serve it with --allow-writes',
      cause: error,
    })
  }
  return error
}

/** The engine's answer as the user reads it; a statement's own FORMAT clause is passed through. */
function render(text: string, format: OutputFormat): string {
  if (format === 'csv' || format === 'tsv') return text
  if (text === '') return format === 'json' ? '[]\n' : 'Ok.\n'
  let rows: unknown[]
  try {
    rows = text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line))
  } catch {
    return text
  }
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`
  if (!rows.every(Array.isArray)) return text
  return drawTable(rows as unknown[][])
}

async function readText(stream: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  return Buffer.concat(chunks).toString('utf8')
}

/** A plain table: header, rule, rows; numbers right-aligned. First row of `rows` holds the names. */
function drawTable(rows: unknown[][]): string {
  const [names = [], ...data] = rows
  const cells = data.map((row) =>
    row.map((value) => (typeof value === 'string' ? value : JSON.stringify(value))),
  )
  const header = names.map(String)
  const widths = header.map((name, i) => Math.max(name.length, ...cells.map((row) => (row[i] ?? '').length)))
  const numeric = header.map(
    (_, i) => cells.length > 0 && cells.every((row) => /^-?[\d.]+(e[+-]?\d+)?$/i.test(row[i] ?? '')),
  )
  const line = (values: string[]) =>
    values
      .map((value, i) => (numeric[i] ? value.padStart(widths[i] ?? 0) : value.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  const out = [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.map(line)]
  out.push(`(${cells.length} row${cells.length === 1 ? '' : 's'})`)
  return `${out.join('\n')}\n`
}
