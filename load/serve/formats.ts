// Output formats: which ones may be streamed chunk by chunk, and what Content-Type each answers with.
//
// chDB's streaming query writes every fetched block as a complete output of its own. For row formats
// without a header or a footer the chunks concatenate into exactly what one run would write; for
// the others (JSON's meta and statistics, WithNames headers, Parquet's footer, Arrow's schema) they do
// not — tried on chDB 26.7: 300,000 rows as CSVWithNames came back with five header lines — so those
// formats are run once and sent whole.

/** ClickHouse's own default when neither default_format nor a FORMAT clause says (HTTP interface). */
export const DEFAULT_FORMAT = 'TabSeparated'

/** Lower-cased names of formats whose chunks concatenate into one valid output. */
const STREAMABLE = new Set([
  'tabseparated',
  'tsv',
  'tabseparatedraw',
  'tsvraw',
  'raw',
  'csv',
  'jsoneachrow',
  'jsonlines',
  'ndjson',
  'jsonstringseachrow',
  'jsoncompacteachrow',
  'jsoncompactstringseachrow',
  'rowbinary',
  'native',
  'lineasstring',
  'null',
])

/**
 * Whether the format can be streamed under these settings. `output_format_json_array_of_rows` turns
 * JSONEachRow into one array per chunk, which would not concatenate.
 */
export function isStreamable(format: string, settings: Readonly<Record<string, string>>): boolean {
  const name = format.toLowerCase()
  if (!STREAMABLE.has(name)) return false
  const arrayOfRows = settings.output_format_json_array_of_rows
  return !(name.startsWith('json') && arrayOfRows !== undefined && !/^(0|false)$/i.test(arrayOfRows))
}

/** The Content-Type ClickHouse answers with for a format (IOutputFormat::getContentType). */
export function contentTypeOf(format: string): string {
  const name = format.toLowerCase()
  if (
    /^(native|rowbinary|parquet|arrow|arrowstream|orc|avro|protobuf|capnproto|msgpack|bson|npy)/.test(name)
  ) {
    return 'application/octet-stream'
  }
  if (
    /^(jsoneachrow|jsonlines|ndjson|jsonstringseachrow|jsoncompacteachrow|jsoncompactstringseachrow)/.test(
      name,
    )
  ) {
    return 'application/x-ndjson; charset=UTF-8'
  }
  if (name.startsWith('json')) return 'application/json; charset=UTF-8'
  if (name.startsWith('csv'))
    return `text/csv; charset=UTF-8; header=${name.includes('withnames') ? 'present' : 'absent'}`
  if (/^(tabseparated|tsv)/.test(name)) return 'text/tab-separated-values; charset=UTF-8'
  if (name === 'xml') return 'application/xml; charset=UTF-8'
  return 'text/plain; charset=UTF-8'
}
