// What the system says about processes, as `stop`, `status` and the launcher watch read it.
import { execFileSync, spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { elapsedSeconds, processAlive, processInfo } from '../../core/process-info.ts'

describe('process info', () => {
  it('reads this process: parent, start time and command line agree with Node and ps', () => {
    const info = processInfo(process.pid)
    expect(info?.ppid).toBe(process.ppid)
    expect(info?.exited).toBe(false)
    expect(info?.commandLine[0]).toMatch(/node/)
    const startedAtMs = Date.now() - process.uptime() * 1000
    // Both round to the second (Linux btime; ps etime).
    expect(Math.abs((info?.startedAtMs ?? 0) - startedAtMs)).toBeLessThan(2_000)
    const etime = execFileSync('ps', ['-o', 'etime=', '-p', String(process.pid)], { encoding: 'utf8' }).trim()
    expect(Math.abs(Date.now() - elapsedSeconds(etime) * 1000 - startedAtMs)).toBeLessThan(2_000)
  })

  it('tells a live process from one that has ended', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' })
    const pid = child.pid as number
    expect(processAlive(pid)).toBe(true)
    expect(processInfo(pid)?.ppid).toBe(process.pid)
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
    expect(processAlive(pid)).toBe(false)
    expect(processInfo(pid)).toBeUndefined()
  })

  it("reads ps's elapsed time in every form it prints", () => {
    expect(elapsedSeconds('00:07')).toBe(7)
    expect(elapsedSeconds('12:34')).toBe(754)
    expect(elapsedSeconds('01:02:03')).toBe(3723)
    expect(elapsedSeconds('2-01:02:03')).toBe(2 * 86_400 + 3723)
  })
})
