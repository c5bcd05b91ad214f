// The embedded engine sized by --memory-limit: its caches and its memory cap are set when the
// directory is opened, and a query that needs more than the cap is refused, not allowed to grow.
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseSize } from '../../core/config.ts'
import { DEFAULT_ENGINE_CACHES, engineBudget } from '../../load/engine-memory.ts'
import type { Warehouse } from '../../load/warehouse.ts'
import { openTempWarehouse, tempDir } from '../helpers/warehouse.ts'

const ROOT = path.resolve(import.meta.dirname, '../..')

const LIMIT = parseSize('600M') as number

describe('embedded engine under --memory-limit 600M', () => {
  let warehouse: Warehouse
  beforeAll(async () => {
    warehouse = await openTempWarehouse(undefined, { memoryLimitBytes: LIMIT })
  })
  afterAll(async () => {
    await warehouse.close()
  })

  it('caps the engine at its share of the limit and shrinks its caches to fit', async () => {
    const rows = await warehouse.query<{ name: string; value: string }>(
      `SELECT name, value FROM system.server_settings
       WHERE name IN ('max_server_memory_usage', 'mark_cache_size', 'primary_index_cache_size')`,
    )
    const setting = Object.fromEntries(rows.map((row) => [row.name, Number(row.value)]))
    expect(setting.max_server_memory_usage).toBe(engineBudget(LIMIT))
    expect(setting.max_server_memory_usage).toBeLessThan(LIMIT)
    expect(setting.mark_cache_size).toBeLessThanOrEqual(engineBudget(LIMIT) / 16)
    expect(setting.mark_cache_size).toBeLessThan(DEFAULT_ENGINE_CACHES.mark_cache_size)
    expect(setting.primary_index_cache_size).toBeLessThanOrEqual(engineBudget(LIMIT) / 16)
  })

  it('refuses a query that needs more memory than the limit, and keeps working', async () => {
    // 100 million UInt64 in one array: 800 MB, over the whole limit.
    await expect(
      warehouse.query('SELECT length(groupArray(number)) FROM numbers(100000000)'),
    ).rejects.toThrow(/MEMORY_LIMIT_EXCEEDED|memory limit/i)
    const [row] = await warehouse.query<{ n: string }>('SELECT toString(count()) AS n FROM numbers(1000)')
    expect(row?.n).toBe('1000')
  })
})

describe('the JavaScript heap of a process with an embedded warehouse', () => {
  /** The most heap V8 committed while test/helpers/heap-churn.ts churned, in its own process. */
  async function peakHeap(warehouse: 'none' | 'embedded', limit?: number): Promise<number> {
    const args = ['--import', 'tsx', path.join(ROOT, 'test/helpers/heap-churn.ts')]
    args.push(warehouse === 'none' ? '-' : path.join(tempDir(), 'warehouse'))
    if (limit !== undefined) args.push(String(limit))
    const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: ROOT })
    return (JSON.parse(stdout) as { peakHeapBytes: number }).peakHeapBytes
  }

  it('stays closer to what it holds than V8 alone keeps it, with or without --memory-limit', async () => {
    const alone = await peakHeap('none')
    const opened = await peakHeap('embedded')
    const limited = await peakHeap('embedded', LIMIT)
    // The same ~100 MB live set and the same garbage: V8 alone commits several times the live set.
    expect(opened).toBeLessThan(alone * 0.7)
    expect(limited).toBeLessThan(alone * 0.7)
  }, 180_000)
})

describe('parseSize', () => {
  it('reads sizes the way users write them', () => {
    expect(parseSize('600M')).toBe(600 * 2 ** 20)
    expect(parseSize('2G')).toBe(2 * 2 ** 30)
    expect(parseSize('1.5GiB')).toBe(1.5 * 2 ** 30)
    expect(parseSize('805306368')).toBe(805306368)
    expect(parseSize('lots')).toBeUndefined()
    expect(parseSize('-1G')).toBeUndefined()
  })
})
