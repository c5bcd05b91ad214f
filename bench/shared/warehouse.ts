// The benches' warehouse: an embedded one, migrated, in a directory of its own under the system's
// temporary folder.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { WarehouseConfig } from '../../core/config.ts'
import { migrate } from '../../load/migrate.ts'
import { openWarehouse, type Warehouse } from '../../load/warehouse.ts'

export interface BenchWarehouse {
  warehouse: Warehouse
  dataDir: string
  /** Deletes the directory (after the warehouse is closed). */
  remove(): void
}

/** Opens and migrates an embedded warehouse in a new temporary directory named `<prefix>…`. */
export async function openBenchWarehouse(
  prefix: string,
  options: Omit<Extract<WarehouseConfig, { kind: 'embedded' }>, 'kind' | 'dataDir'> = {},
): Promise<BenchWarehouse> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  const dataDir = path.join(root, 'warehouse')
  const warehouse = await openWarehouse({ kind: 'embedded', dataDir, ...options })
  const migrated = await migrate(warehouse)
  if (migrated.error) throw migrated.error
  return { warehouse, dataDir, remove: () => fs.rmSync(root, { recursive: true, force: true }) }
}
