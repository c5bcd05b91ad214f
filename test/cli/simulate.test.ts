// `polyhouse simulate`: prints export-ready URL lines, serves until SIGTERM, and refuses bad
// flags with exit code 2 and a message naming the flag and the fix.
import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { BIN, ROOT, runCli } from '../helpers/cli.ts'

describe('polyhouse simulate', () => {
  it.each([
    [['--markets', 'lots'], /--markets: 'lots' is not a whole number; e\.g\. --markets 2000/],
    [['--markets', '0'], /--markets must be a whole number from 1 to 200,000, got 0/],
    [['--faults', '5xx=2'], /--faults: 5xx=2 is not a fraction of requests/],
    [['--faults', 'boom=1'], /--faults: cannot read 'boom=1'/],
    [['--rpc-limits', 'geth'], /--rpc-limits must be alchemy, infura, quicknode or none, got 'geth'/],
    [['--wallets', '500', '--fills', '100'], /--fills 100 is too few for --wallets 500/],
    [['--latency', 'slow'], /--latency: cannot read 'slow'/],
    [['--rpc-rate', 'fast'], /--rpc-rate: cannot read 'fast'; give COUNT\/WINDOW/],
  ])('refuses %j with exit code 2', async (args, message) => {
    const result = await runCli(['simulate', ...args])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(message)
  })

  it('prints GAMMA_URL, DATA_API_URL and POLYGON_RPC_URL, serves them, and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'simulate', '--markets', '50', '--wallets', '5', '--fills', '200'],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let stdout = ''
    const env = await new Promise<Record<string, string>>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk
        const lines = stdout.split('\n').filter((line) => line.includes('='))
        if (lines.length >= 3)
          resolve(Object.fromEntries(lines.map((line) => line.split('=') as [string, string])))
      })
      child.on('exit', (code) => reject(new Error(`simulate exited early with ${code}`)))
    })
    expect(Object.keys(env)).toEqual(['GAMMA_URL', 'DATA_API_URL', 'POLYGON_RPC_URL'])
    const truth = (await (await fetch(`${env.GAMMA_URL}/__truth`)).json()) as { markets: { count: number } }
    expect(truth.markets.count).toBe(50)
    const rpc = await fetch(env.POLYGON_RPC_URL as string, {
      method: 'POST',
      body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}',
    })
    expect(((await rpc.json()) as { result: string }).result).toBe('0x89')
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  })
})
