// Two warehouses compared relation by relation: fingerprints (load/fingerprint.ts: row count and a
// sum of row hashes per staging table and view), and, where they differ, the rows that differ.
import {
  DATA_TABLES,
  type Fingerprint,
  fingerprint,
  RUN_COLUMNS,
  VIEW_RUN_COLUMNS,
} from '../../load/fingerprint.ts'
import { openWarehouse, type Warehouse } from '../../load/warehouse.ts'

export async function fingerprintOf(dataDir: string): Promise<Fingerprint> {
  const warehouse = await openWarehouse({ kind: 'embedded', dataDir })
  try {
    return await fingerprint(warehouse, undefined, { includeViews: true })
  } finally {
    await warehouse.close()
  }
}

export interface RelationMatch {
  relation: string
  kind: 'table' | 'view'
  clean: Fingerprint[string] | undefined
  crashed: Fingerprint[string] | undefined
  matched: boolean
}

export function compareFingerprints(clean: Fingerprint, crashed: Fingerprint): RelationMatch[] {
  const names = [...new Set([...Object.keys(clean), ...Object.keys(crashed)])].sort()
  return names.map((relation) => {
    const [a, b] = [clean[relation], crashed[relation]]
    return {
      relation,
      kind: (DATA_TABLES as readonly string[]).includes(relation) ? 'table' : 'view',
      clean: a,
      crashed: b,
      matched: a !== undefined && b !== undefined && a.rows === b.rows && a.hash === b.hash,
    }
  })
}

/**
 * For a relation whose fingerprints differ: how many distinct rows only one warehouse holds (as
 * many times as it holds them), and a few of each as JSON, to say which rows a resumed run lost,
 * duplicated or changed.
 */
export async function explainMismatch(
  cleanDir: string,
  crashedDir: string,
  relation: string,
  samples = 5,
): Promise<string[]> {
  const counted = async (dataDir: string) => {
    const warehouse = await openWarehouse({ kind: 'embedded', dataDir })
    try {
      const { kept, from } = await relationShape(warehouse, relation)
      const rows = await warehouse.query<{ h: string; n: string }>(
        `SELECT toString(cityHash64(${kept})) AS h, toString(count()) AS n FROM ${from} GROUP BY h`,
      )
      return new Map(rows.map((row) => [row.h, Number(row.n)]))
    } finally {
      await warehouse.close()
    }
  }
  const [clean, crashed] = [await counted(cleanDir), await counted(crashedDir)]
  const onlyIn = (a: Map<string, number>, b: Map<string, number>) =>
    [...a]
      .filter(([hash, n]) => (b.get(hash) ?? 0) !== n)
      .map(([hash, n]) => ({ hash, n, other: b.get(hash) ?? 0 }))
  const lines: string[] = []
  for (const [label, dataDir, diff] of [
    ['clean', cleanDir, onlyIn(clean, crashed)],
    ['crashed', crashedDir, onlyIn(crashed, clean)],
  ] as const) {
    lines.push(`${relation}: ${diff.length} distinct rows whose count in the ${label} warehouse differs`)
    if (diff.length === 0) continue
    const warehouse = await openWarehouse({ kind: 'embedded', dataDir })
    try {
      const { kept, from } = await relationShape(warehouse, relation)
      const picked = diff.slice(0, samples)
      const rows = await warehouse.query<Record<string, unknown>>(
        `SELECT toString(cityHash64(${kept})) AS _h, * FROM ${from} WHERE cityHash64(${kept}) IN (${picked.map((d) => d.hash).join(', ')}) LIMIT 1 BY _h`,
      )
      for (const row of rows) {
        const count = picked.find((d) => d.hash === row._h)
        lines.push(`  ${label} ×${count?.n} (other ×${count?.other}): ${JSON.stringify(row)}`)
      }
    } finally {
      await warehouse.close()
    }
  }
  return lines
}

async function relationShape(
  warehouse: Warehouse,
  relation: string,
): Promise<{ kept: string; from: string }> {
  const [table] = await warehouse.query<{ engine: string }>(
    'SELECT engine FROM system.tables WHERE database = currentDatabase() AND name = {name:String}',
    { name: relation },
  )
  const columns = await warehouse.query<{ name: string }>(
    'SELECT name FROM system.columns WHERE database = currentDatabase() AND table = {name:String} ORDER BY position',
    { name: relation },
  )
  const ignored = [...RUN_COLUMNS, ...(VIEW_RUN_COLUMNS[relation] ?? [])]
  const kept = columns
    .map((column) => column.name)
    .filter((column) => !ignored.includes(column))
    .map((column) => `\`${column}\``)
    .join(', ')
  const final = table?.engine.includes('ReplacingMergeTree') ? 'FINAL' : ''
  return { kept, from: `\`${relation}\` ${final}` }
}
