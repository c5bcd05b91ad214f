// What every bench prints first: the machine the figures came from, and how peak memory is read.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'

export interface Machine {
  cpu: string
  cores: number
  memoryGiB: number
  node: string
  platform: string
}

export function machine(): Machine {
  const cpus = os.cpus()
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
  }
}

export function machineLine(): string {
  const m = machine()
  return `machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, node ${m.node}, ${m.platform}`
}

/** Peak resident set of this process so far, MiB (getrusage ru_maxrss). */
export function selfPeakRssMiB(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10
}

/** VmHWM (the kernel's resident high-water mark) of a live process, KiB; undefined once it is gone. */
export function vmHwmKiB(pid: number): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) : undefined
  } catch {
    return undefined
  }
}

export interface ChildRun {
  code: number | null
  wallMs: number
  /** Peak RSS of the command, MiB: GNU time's %M when available, else VmHWM polled every 50 ms. */
  peakRssMiB: number | undefined
  rssMethod: string
  /** User + system CPU seconds of the command (GNU time's %U + %S); undefined without GNU time. */
  cpuSeconds: number | undefined
  stdout: string
  stderr: string
}

const GNU_TIME = '/usr/bin/time'

/** Runs a command to completion, measuring wall time and peak RSS, echoing its stderr live when asked. */
export function runMeasured(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  echo = false,
): Promise<ChildRun> {
  const useTime = existsSync(GNU_TIME)
  const rssFile = `${os.tmpdir()}/polyhouse-bench-rss-${process.pid}-${Date.now()}`
  const [file, argv] = useTime
    ? [GNU_TIME, ['-f', '%M %U %S', '-o', rssFile, command, ...args]]
    : [command, args]
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let polled = 0
    const poll = setInterval(() => {
      polled = Math.max(polled, vmHwmKiB(child.pid ?? -1) ?? 0)
    }, 50)
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
      if (echo) process.stderr.write(chunk)
    })
    child.on('error', reject)
    child.on('close', (code) => {
      clearInterval(poll)
      const wallMs = performance.now() - started
      let peakKiB: number | undefined = polled || undefined
      let rssMethod = 'VmHWM polled every 50 ms'
      let cpuSeconds: number | undefined
      if (useTime && existsSync(rssFile)) {
        // The last line is ours; GNU time writes "Command exited with non-zero status" above it.
        const [maxRss, user, system] = (readFileSync(rssFile, 'utf8').trim().split('\n').pop() ?? '')
          .split(' ')
          .map(Number)
        if (maxRss !== undefined && Number.isFinite(maxRss) && maxRss > 0) {
          peakKiB = maxRss
          rssMethod = 'GNU time %M (max RSS of the command)'
        }
        if (user !== undefined && system !== undefined && Number.isFinite(user + system))
          cpuSeconds = user + system
        rmSync(rssFile, { force: true })
      }
      resolve({
        code,
        wallMs,
        peakRssMiB: peakKiB === undefined ? undefined : Math.round((peakKiB / 1024) * 10) / 10,
        rssMethod,
        cpuSeconds,
        stdout,
        stderr,
      })
    })
  })
}
