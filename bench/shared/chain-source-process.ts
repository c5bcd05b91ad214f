// bench/chain-source.ts in a child process: starts it with the given arguments and waits for its
// ready line. The chain benches read logs from it so that serving them does not share their loop.
import { type ChildProcess, spawn } from 'node:child_process'
import path from 'node:path'
import { createInterface } from 'node:readline'

/** The ready line bench/chain-source.ts prints. */
export interface ChainSource {
  rpcUrl: string
  statsUrl: string
  startBlock: number
  tip: number
}

export async function startChainSource(
  args: readonly string[],
): Promise<{ source: ChainSource; child: ChildProcess }> {
  const script = path.join(import.meta.dirname, '..', 'chain-source.ts')
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  for await (const line of lines) {
    if (line.startsWith('{')) return { source: JSON.parse(line) as ChainSource, child }
  }
  throw new Error('the chain source process exited before it was ready')
}
