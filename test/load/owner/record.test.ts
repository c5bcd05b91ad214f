// The owner record tells the process that wrote it from whatever has its pid later: a holder killed
// with SIGKILL leaves its record, and the system may give its pid to a younger process.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { inspectOwner, ownerRecordPath, readOwnerRecord } from '../../../load/owner/record.ts'
import { lockHolder } from '../../../load/warehouse.ts'
import { ROOT } from '../../helpers/cli.ts'
import { waitFor } from '../../helpers/processes.ts'
import { tempDir } from '../../helpers/warehouse.ts'

function holdWarehouse(dataDir: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'test/helpers/hold-warehouse.ts'), dataDir],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  let said = ''
  child.stdout.on('data', (chunk) => {
    said += chunk
  })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  return { child, exited, holding: () => waitFor(() => said.includes('holding'), 60_000) }
}

describe('the owner record of an embedded warehouse', () => {
  it('is running while its process holds the directory, stale once it is killed, also when its pid is reused', {
    timeout: 120_000,
  }, async () => {
    const dataDir = path.join(tempDir(), 'warehouse')
    const holder = holdWarehouse(dataDir)
    onTestFinished(() => {
      holder.child.kill('SIGKILL') // it ignores SIGTERM, and would outlive a failed test
    })
    expect(await holder.holding()).toBe(true)
    const pid = holder.child.pid as number
    expect(lockHolder(dataDir)).toBe(pid)
    expect(inspectOwner(dataDir, lockHolder(dataDir))).toMatchObject({ state: 'running', record: { pid } })

    holder.child.kill('SIGKILL')
    await holder.exited
    expect(inspectOwner(dataDir, lockHolder(dataDir))).toMatchObject({ state: 'stale', record: { pid } })

    // The system hands the pid to a younger process: the record names a live pid, still stale.
    const younger = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' })
    try {
      const record = readOwnerRecord(dataDir)
      fs.writeFileSync(ownerRecordPath(dataDir), JSON.stringify({ ...record, pid: younger.pid }))
      expect(inspectOwner(dataDir, undefined)).toMatchObject({
        state: 'stale',
        record: { pid: younger.pid },
      })
    } finally {
      younger.kill('SIGKILL')
    }
  })

  it('says a directory held without a record is held by a foreign process', () => {
    const dataDir = tempDir()
    expect(inspectOwner(dataDir, undefined)).toEqual({ state: 'none' })
    expect(inspectOwner(dataDir, process.ppid)).toEqual({ state: 'foreign', holderPid: process.ppid })
  })
})
