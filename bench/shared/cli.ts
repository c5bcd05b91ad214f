// Where the polyhouse CLI lives and how a child process runs it: shared by the benches and the tests.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const BIN = path.join(ROOT, 'bin/polyhouse.js')

/** The parent's environment without settings that would point the CLI elsewhere. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env }
  for (const name of Object.keys(env)) {
    if (/^(CLICKHOUSE_|POLYHOUSE_|GAMMA_URL|DATA_API_URL|POLYGON_RPC_URL)/.test(name)) delete env[name]
  }
  return env
}

export function tempDir(prefix = 'polyhouse-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix))
}
