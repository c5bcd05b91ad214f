import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WarehouseLockedError } from '../../core/errors.ts'
import { INSERT_STAGING_DIR, lockHolder, openWarehouse, type Warehouse } from '../../load/warehouse.ts'
import { ROOT } from '../helpers/cli.ts'
import { openTempWarehouse, tempDir } from '../helpers/warehouse.ts'

// A real token id from test/fixtures/polymarket/clob/clob-book.json: 77 digits, beyond UInt128.
const TOKEN_ID = '98022490269692409998126496127597032490334070080325855126491859374983463996227'

describe('embedded warehouse', () => {
  let warehouse: Warehouse
  beforeAll(async () => {
    warehouse = await openTempWarehouse()
  })
  afterAll(async () => {
    await warehouse.close()
  })

  it('round-trips a 77-digit UInt256 token id and a Decimal(18,6) amount exactly', async () => {
    await warehouse.command(
      'CREATE TABLE amounts (token_id UInt256, amount Decimal(18, 6), shares UInt64) ENGINE = MergeTree ORDER BY token_id',
    )
    await warehouse.insert('amounts', [
      { token_id: TOKEN_ID, amount: '999999999999.999999', shares: '18446744073709551615' },
    ])
    const rows = await warehouse.query<{ token_id: string; amount: string; shares: string }>(
      'SELECT * FROM amounts',
    )
    expect(TOKEN_ID).toHaveLength(77)
    expect(rows).toEqual([
      { token_id: TOKEN_ID, amount: '999999999999.999999', shares: '18446744073709551615' },
    ])
  })

  it('binds parameters as values, never as SQL', async () => {
    const [row] = await warehouse.query<{ w: string }>('SELECT {w:String} AS w', { w: "x' OR 1=1 --" })
    expect(row?.w).toBe("x' OR 1=1 --")
  })

  it('drops a repeated insert that carries the same deduplication token', async () => {
    await warehouse.command(
      'CREATE TABLE pages (id UInt32) ENGINE = MergeTree ORDER BY id SETTINGS non_replicated_deduplication_window = 100',
    )
    await warehouse.insert('pages', [{ id: 1 }, { id: 2 }], { deduplicationToken: 'page-1' })
    await warehouse.insert('pages', [{ id: 1 }, { id: 2 }], { deduplicationToken: 'page-1' })
    const [row] = await warehouse.query<{ n: string }>('SELECT count() AS n FROM pages')
    expect(row?.n).toBe('2')
  })
})

describe('a data directory held by another process', () => {
  it('is refused with a message naming the directory, the holder and polyhouse serve', async () => {
    const dataDir = path.join(tempDir(), 'warehouse')
    const holderScript = `
      import { openWarehouse } from './load/warehouse.ts'
      const w = await openWarehouse({ kind: 'embedded', dataDir: ${JSON.stringify(dataDir)} })
      await w.query('SELECT 1')
      process.stdout.write('ready\\n')
      setTimeout(async () => { await w.close() }, 30000)
    `
    const holder = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', holderScript], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (chunk) => String(chunk).includes('ready') && resolve())
        holder.on('exit', (code) => reject(new Error(`holder exited ${code}`)))
      })
      expect(lockHolder(dataDir)).toBe(holder.pid)
      const error = await openWarehouse({ kind: 'embedded', dataDir }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(WarehouseLockedError)
      const message = (error as WarehouseLockedError).userMessage()
      expect(message).toContain(dataDir)
      expect(message).toContain(`pid ${holder.pid}`)
      expect(message).toContain('polyhouse serve')
    } finally {
      holder.kill('SIGKILL')
    }
    // A killed holder leaves its status file behind; the directory is free again.
    await new Promise((resolve) => holder.once('exit', resolve))
    expect(lockHolder(dataDir)).toBeUndefined()
    const reopened = await openWarehouse({ kind: 'embedded', dataDir })
    await reopened.close()
  })
})

describe('settings given to one query', () => {
  it('do not leak into the next: an insert without a token after one with a token is kept', async () => {
    const warehouse = await openTempWarehouse()
    try {
      for (const table of ['first', 'second']) {
        await warehouse.command(
          `CREATE TABLE ${table} (x UInt8) ENGINE = MergeTree ORDER BY x SETTINGS non_replicated_deduplication_window = 100`,
        )
      }
      await warehouse.insert('first', [{ x: 1 }], { deduplicationToken: 'T1' })
      await warehouse.insert('second', [{ x: 2 }])
      await warehouse.insert('second', [{ x: 3 }])
      await warehouse.insert('first', [{ x: 4 }])
      await warehouse.command('INSERT INTO first SELECT 5')
      expect(await warehouse.query('SELECT x FROM first ORDER BY x')).toEqual([{ x: 1 }, { x: 4 }, { x: 5 }])
      expect(await warehouse.query('SELECT x FROM second ORDER BY x')).toEqual([{ x: 2 }, { x: 3 }])
    } finally {
      await warehouse.close()
    }
  })

  it('an insert that skips merge-on-insert keeps its duplicates for FINAL, and later inserts collapse again', async () => {
    const warehouse = await openTempWarehouse()
    try {
      await warehouse.command('CREATE TABLE kv (k UInt8, v UInt8) ENGINE = ReplacingMergeTree(v) ORDER BY k')
      await warehouse.insertText('kv', 'TabSeparated', '1\t1\n1\t2\n', { optimizeOnInsert: false })
      expect(await warehouse.query('SELECT count() AS n FROM kv')).toEqual([{ n: '2' }])
      expect(await warehouse.query('SELECT v FROM kv FINAL')).toEqual([{ v: 2 }])
      // The setting went with that insert only: the next one is collapsed as the engine does by default.
      await warehouse.insertText('kv', 'TabSeparated', '2\t1\n2\t2\n')
      expect(await warehouse.query('SELECT count() AS n FROM kv WHERE k = 2')).toEqual([{ n: '1' }])
      expect(await warehouse.query("SELECT getSetting('optimize_on_insert') AS s")).toEqual([{ s: true }])
    } finally {
      await warehouse.close()
    }
  })
})

describe('inserts staged as files (the embedded engine reads them with INSERT … FROM INFILE)', () => {
  it('load exactly, from a directory whose path holds a quote, and leave nothing staged behind', async () => {
    const dataDir = path.join(tempDir(), "o'brien \\ data", 'warehouse')
    const staging = path.join(dataDir, INSERT_STAGING_DIR)
    const warehouse = await openTempWarehouse(dataDir)
    try {
      await warehouse.command('CREATE TABLE kv (k UInt8, v String) ENGINE = MergeTree ORDER BY k')
      await warehouse.insertText('kv', 'TabSeparated', Buffer.from('1\ta b\n2\tc\\td\n'))
      await warehouse.insertText('kv', 'JSONEachRow', '{"k":3,"v":"é"}\n')
      expect(await warehouse.query('SELECT k, v FROM kv ORDER BY k')).toEqual([
        { k: 1, v: 'a b' },
        { k: 2, v: 'c\td' },
        { k: 3, v: 'é' },
      ])
      expect(fs.readdirSync(staging)).toEqual([])

      // A payload in pieces (more than one vectored write takes) is the pieces in order.
      await warehouse.command('CREATE TABLE pieces (n UInt32, s String) ENGINE = MergeTree ORDER BY tuple()')
      const pieces = Array.from({ length: 2_500 }, (_, n) => Buffer.from(`${n}\t${'x'.repeat(n % 7)}\n`))
      await warehouse.insertText('pieces', 'TabSeparated', pieces)
      expect(
        await warehouse.query(
          "SELECT count() AS rows, sum(n) AS total, countIf(s != repeat('x', n % 7)) AS wrong FROM pieces",
        ),
      ).toEqual([{ rows: '2500', total: String((2_499 * 2_500) / 2), wrong: '0' }])

      // A payload the engine refuses: the error names the table and the value, the file is gone.
      const error = await warehouse.insertText('kv', 'TabSeparated', 'seven\tx\n').catch((e: unknown) => e)
      expect(error).toBeInstanceOf(Error)
      expect((error as Error).message).toMatch(/Cannot parse|UInt8/)
      expect(fs.readdirSync(staging)).toEqual([])
      expect(await warehouse.query('SELECT count() AS n FROM kv')).toEqual([{ n: '3' }])
    } finally {
      await warehouse.close()
    }
  })

  it('are cleared when the directory is opened again: a file left there belongs to a killed insert', async () => {
    const dataDir = path.join(tempDir(), 'warehouse')
    const first = await openTempWarehouse(dataDir)
    await first.close()
    const leftover = path.join(dataDir, INSERT_STAGING_DIR, '12345-1.TabSeparated')
    fs.writeFileSync(leftover, '1\tleft over\n')
    const reopened = await openTempWarehouse(dataDir)
    try {
      expect(fs.existsSync(leftover)).toBe(false)
    } finally {
      await reopened.close()
    }
  })
})
