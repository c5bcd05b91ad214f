// Ad-hoc queries with bound parameters, formatted for a terminal or a pipe.
import { UsageError } from '../core/errors.ts'
import { clickhouseErrorCode, type Warehouse } from './warehouse.ts'

/** CSV/TSV quoting is the engine's; the table is drawn here from the JSON rows. */
const FORMATS = {
  table: 'JSONCompactEachRowWithNames',
  csv: 'CSVWithNames',
  tsv: 'TabSeparatedWithNames',
  json: 'JSONEachRow',
} as const

/** ClickHouse error codes that mean the caller's parameters, not the data, were wrong. */
const PARAMETER_ERRORS = new Set(['456', '457']) // UNKNOWN_QUERY_PARAMETER, BAD_QUERY_PARAMETER

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
): Promise<string> {
  if (!(format in FORMATS)) {
    throw new UsageError(`--format ${format} is not supported`, {
      hint: `use one of ${Object.keys(FORMATS).join(', ')}`,
    })
  }
  const params = parseParams(paramPairs)
  try {
    const result = await warehouse.client.query({
      query: sql,
      query_params: params,
      format: FORMATS[format as keyof typeof FORMATS],
      clickhouse_settings: warehouse.settings(),
    })
    if (format === 'json') return `${JSON.stringify(await result.json(), null, 2)}\n`
    if (format === 'table') return drawTable(await result.json<unknown[]>())
    return await result.text()
  } catch (error) {
    if (PARAMETER_ERRORS.has(clickhouseErrorCode(error) ?? '')) {
      throw new UsageError(`bad --param: ${(error as Error).message.split('\n')[0]?.trim()}`, {
        hint: 'give each {name:Type} in the SQL a --param name=value that parses as its Type',
        cause: error,
      })
    }
    throw error
  }
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
