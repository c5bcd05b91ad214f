// Runs the polyhouse CLI as a user would: a child process, its output and its exit code.
import { type SpawnOptions, spawn } from 'node:child_process'
import { BIN, cleanEnv, ROOT } from '../../bench/shared/cli.ts'

export { BIN, cleanEnv, ROOT }

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  options: SpawnOptions = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      ...options,
      env: { ...cleanEnv(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr?.on('data', (chunk) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}
