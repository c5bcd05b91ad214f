// What the operating system says about a process: alive or not, its parent, when it started and its
// command line. Read from /proc on Linux (no program to spawn, present in the slimmest container);
// elsewhere (macOS, the BSDs) from `ps`, whose -o fields ppid, etime, state and args they all have.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'

/**
 * Linux reports a process's start in clock ticks since boot, in USER_HZ units: 100 on every
 * architecture Node runs on (`getconf CLK_TCK`; proc(5), "/proc/pid/stat", field 22).
 */
const LINUX_TICKS_PER_SECOND = 100

export interface ProcessInfo {
  pid: number
  ppid: number
  /** When it started, give or take `startPrecisionMs`. */
  startedAtMs: number
  /** Linux counts a start in hundredths of a second; ps's elapsed time, in whole seconds. */
  startPrecisionMs: number
  /** argv as the process shows it (a Node process that set process.title shows that title). */
  commandLine: string[]
  /** Exited, waiting for its parent to collect it (a zombie): gone for every purpose but the pid. */
  exited: boolean
}

/** True while `pid` runs (a zombie counts as gone), also when it is another user's. */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
  } catch (error) {
    // EPERM: alive but not ours to signal; ESRCH: gone.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  return processInfo(pid)?.exited !== true
}

export function processInfo(pid: number): ProcessInfo | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined
  return fs.existsSync('/proc/self/stat') ? fromProc(pid) : fromPs(pid)
}

function fromProc(pid: number): ProcessInfo | undefined {
  let stat: string
  let cmdline: string
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')
  } catch {
    return undefined
  }
  // "pid (comm) state ppid … starttime …": comm may hold spaces and parentheses, so fields are
  // counted from the last ')'. After it, field 3 (state) is index 0 and field 22 (starttime) index 19.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const bootSeconds = Number(/^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1])
  return {
    pid,
    ppid: Number(fields[1]),
    startedAtMs: (bootSeconds + Number(fields[19]) / LINUX_TICKS_PER_SECOND) * 1000,
    startPrecisionMs: 1000 / LINUX_TICKS_PER_SECOND,
    commandLine: cmdline.split('\0').filter((arg) => arg !== ''),
    exited: fields[0] === 'Z' || fields[0] === 'X',
  }
}

function fromPs(pid: number): ProcessInfo | undefined {
  let line: string
  try {
    line = execFileSync('ps', ['-o', 'ppid=,etime=,state=,args=', '-p', String(pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
  } catch {
    return undefined // ps exits 1 when no process has the pid
  }
  const match = /^(\d+)\s+(\S+)\s+(\S+)\s+(.*)$/.exec(line)
  if (!match) return undefined
  return {
    pid,
    ppid: Number(match[1]),
    startedAtMs: Date.now() - elapsedSeconds(match[2] as string) * 1000,
    startPrecisionMs: 1000,
    // ps joins argv with spaces; splitting again is exact enough for recognising a launcher.
    commandLine: (match[4] as string).split(/\s+/),
    exited: (match[3] as string).startsWith('Z'),
  }
}

/** ps's etime, `[[dd-]hh:]mm:ss`, in seconds. */
export function elapsedSeconds(etime: string): number {
  const [days, clock] = etime.includes('-') ? etime.split('-') : ['0', etime]
  const parts = (clock as string).split(':').map(Number)
  while (parts.length < 3) parts.unshift(0)
  const [hours, minutes, seconds] = parts as [number, number, number]
  return ((Number(days) * 24 + hours) * 60 + minutes) * 60 + seconds
}
