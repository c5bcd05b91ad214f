// API keys in URLs, as a user passes them (`--rpc-url https://…/v2/your-key`): a key in the user
// info, the path, the query or the fragment of --gamma-url and --rpc-url reaches no output, no
// etl_runs/etl_jobs/etl_errors/etl_rpc_endpoints row (anyone `serve` lets in reads those), and no
// `status` — also when a server echoes the request path back in its error, and when a URL fails
// validation.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Simulator, startSimulator } from '../../simulator/index.ts'
import { type CliResult, runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/warehouse.ts'

/** Every secret of the run; none may appear anywhere. */
const SECRETS = [
  'GAMMAUSERKEY1',
  'GAMMAPATHKEY2',
  'GAMMAQUERYKEY3',
  'GAMMAFRAGKEY4',
  'RPCUSERKEY5',
  'RPCPATHKEY6',
  'RPCQUERYKEY7',
  'RPCFRAGKEY8',
]

function expectNoSecret(where: string, text: string): void {
  for (const secret of SECRETS) expect(text, `${where} shows ${secret}`).not.toContain(secret)
}

describe('keys in URLs', () => {
  let sim: Simulator
  let dataDir: string
  let gammaUrl: string
  let rpcUrl: string
  let backfill: CliResult

  beforeAll(async () => {
    sim = await startSimulator({
      seed: 'redaction',
      markets: 40,
      wallets: 8,
      fills: 400,
      blocks: 4_000,
      rateLimits: false,
      latency: { baseMs: 1, jitterMs: 1 },
    })
    const gamma = new URL(sim.gammaUrl)
    const rpc = new URL(sim.rpcUrl)
    // Gamma does not live under a path: every page is a 404 that echoes the path in its body.
    gammaUrl = `http://gammauser:GAMMAUSERKEY1@${gamma.host}/GAMMAPATHKEY2?apikey=GAMMAQUERYKEY3#GAMMAFRAGKEY4`
    // The RPC answers on any path: the chain step succeeds with the key sent along.
    rpcUrl = `http://rpcuser:RPCUSERKEY5@${rpc.host}/v2/RPCPATHKEY6?apikey=RPCQUERYKEY7#RPCFRAGKEY8`
    dataDir = path.join(tempDir(), 'warehouse')
    backfill = await runCli(
      [
        '--data-dir',
        dataDir,
        'backfill',
        '--steps',
        'markets,chain',
        '--gamma-url',
        gammaUrl,
        `--rpc-url=${rpcUrl}`,
        '--confirmations',
        '0',
      ],
      { POLYHOUSE_RATE: 'gamma=2000/s,rpc=2000/s' },
    )
  }, 300_000)
  afterAll(async () => {
    await sim?.close()
  })

  it('reach no output of the run, though its failures are reported', () => {
    // The markets step failed (404 under the path) and said so; the chain step loaded its fills.
    expect(backfill.code).toBe(1)
    expect(backfill.stdout).toMatch(/ERROR markets: failed: /)
    expect(backfill.stdout).toContain(`http://${new URL(sim.gammaUrl).host}/…`)
    expect(backfill.stdout).toMatch(/chain: done: [\d,]+ rows/)
    expectNoSecret('backfill stdout', backfill.stdout)
    expectNoSecret('backfill stderr', backfill.stderr)
  })

  // Five CLI processes: a minute is tight on a loaded machine.
  it('are in no row of etl_runs, etl_jobs, etl_errors or etl_rpc_endpoints', {
    timeout: 180_000,
  }, async () => {
    for (const table of ['etl_runs', 'etl_jobs', 'etl_errors', 'etl_rpc_endpoints']) {
      const result = await runCli([
        '--data-dir',
        dataDir,
        'query',
        `SELECT * FROM ${table}`,
        '--format',
        'json',
      ])
      expect(result.code).toBe(0)
      expect(JSON.parse(result.stdout).length, table).toBeGreaterThan(0)
      expectNoSecret(table, result.stdout)
    }
    const runs = await runCli([
      '--data-dir',
      dataDir,
      'query',
      'SELECT arguments FROM etl_runs',
      '--format',
      'json',
    ])
    // Stored, with scheme and host, so an operator still sees which endpoints the run used.
    expect(runs.stdout).toContain(`--gamma-url http://${new URL(sim.gammaUrl).host}/…`)
    expect(runs.stdout).toContain(`--rpc-url=http://${new URL(sim.rpcUrl).host}/…`)
  })

  it('are in no status, text or JSON, also when the RPC endpoint cannot be reached', async () => {
    const closed = await closedPort()
    const unreachable = `http://u:RPCUSERKEY5@${closed}/v2/RPCPATHKEY6?apikey=RPCQUERYKEY7#RPCFRAGKEY8`
    for (const args of [['status'], ['status', '--json'], ['status', '--rpc-url', unreachable]]) {
      const result = await runCli(['--data-dir', dataDir, ...args])
      expect(result.code, args.join(' ')).toBe(0)
      expectNoSecret(args.join(' '), result.stdout + result.stderr)
    }
    const status = JSON.parse((await runCli(['--data-dir', dataDir, 'status', '--json'])).stdout)
    expect(JSON.stringify(status)).toContain('/…')
  })

  it('are not echoed by a message about a URL that is not valid', async () => {
    for (const args of [
      ['--rpc-url', 'ftp://u:RPCUSERKEY5@h/RPCPATHKEY6?apikey=RPCQUERYKEY7#RPCFRAGKEY8', '--steps', 'chain'],
      ['--gamma-url', 'gamma.example/GAMMAPATHKEY2?apikey=GAMMAQUERYKEY3', '--steps', 'markets'],
    ]) {
      const result = await runCli(['--data-dir', path.join(tempDir(), 'untouched'), 'backfill', ...args])
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stderr).toMatch(/is not an http\(s\) URL: got '(ftp:\/\/h|gamma\.example)\/…'/)
      expectNoSecret(args.join(' '), result.stdout + result.stderr)
    }
  })
})

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<string> {
  const server = http.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `127.0.0.1:${port}`
}
