// A real embedded warehouse in a fresh temporary directory, for tests.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openWarehouse, type Warehouse } from '../../load/warehouse.ts'

export function tempDir(prefix = 'polyhouse-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix))
}

export async function openTempWarehouse(dataDir = path.join(tempDir(), 'warehouse')): Promise<Warehouse> {
  return openWarehouse({ kind: 'embedded', dataDir })
}
