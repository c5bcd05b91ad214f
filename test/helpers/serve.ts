// `polyhouse serve` as a child process, for tests that need the server in a process of its own
// (memory of the server alone, other commands finding the directory served).
import { type ChildProcess, spawn } from 'node:child_process'
import { BIN, ROOT } from './cli.ts'

export interface ServeProcess {
  url: string
  child: ChildProcess
  /** Everything the server wrote to stderr so far (one line per query). */
  stderr(): string
  /** SIGINT, then the exit code. */
  stop(): Promise<number | null>
}

export async function spawnServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...withoutWarehouseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (chunk) => {
    stderr += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = ''
    child.stdout?.on('data', (chunk) => {
      stdout += chunk
      const line = stdout.split('\n')[0]
      if (stdout.includes('\n') && line) resolve(line.trim())
    })
    void exited.then((code) => reject(new Error(`serve exited with ${code} before listening: ${stderr}`)))
  })
  return {
    url,
    child,
    stderr: () => stderr,
    stop: async () => {
      child.kill('SIGINT')
      return exited
    },
  }
}

function withoutWarehouseEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env }
  for (const name of Object.keys(env)) if (/^(CLICKHOUSE_|POLYHOUSE_)/.test(name)) delete env[name]
  return env
}
