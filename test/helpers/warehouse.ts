// A real embedded warehouse in a fresh temporary directory, for tests.
import path from 'node:path'
import { tempDir } from '../../bench/shared/cli.ts'
import { openWarehouse, type Warehouse } from '../../load/warehouse.ts'

export { tempDir }

export async function openTempWarehouse(
  dataDir = path.join(tempDir(), 'warehouse'),
  options: { memoryLimitBytes?: number } = {},
): Promise<Warehouse> {
  return openWarehouse({ kind: 'embedded', dataDir, ...options })
}
