// polyhouse market and polyhouse wallet as a user runs them against the simulator.
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Simulator, startSimulator } from '../../simulator/index.ts'
import { runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/warehouse.ts'

describe('on-demand fetches', () => {
  let sim: Simulator
  let env: NodeJS.ProcessEnv
  const dataDir = path.join(tempDir(), 'warehouse')
  beforeAll(async () => {
    sim = await startSimulator({ seed: 'on-demand', markets: 50, wallets: 10, fills: 2_000 })
    env = { ...sim.env }
  })
  afterAll(async () => {
    await sim?.close()
  })

  it('fetches one market by id, slug and condition id, stores it and prints it', async () => {
    const market = [...sim.truth.markets()].find(
      (candidate) => candidate.conditionId && !candidate.drifted && candidate.eventTitle,
    )
    if (!market) throw new Error('the simulated world has no deployed market')
    const byId = await runCli(['--data-dir', dataDir, 'market', market.id, '--json'], env)
    expect(byId.stderr).toBe('')
    expect(byId.code).toBe(0)
    const row = JSON.parse(byId.stdout)
    expect(row).toMatchObject({
      id: market.id,
      condition_id: market.conditionId,
      clob_token_ids: market.clobTokenIds,
    })
    const byCondition = await runCli(['--data-dir', dataDir, 'market', market.conditionId], env)
    expect(byCondition.code).toBe(0)
    expect(byCondition.stdout).toContain(`(market ${market.id}`)
    const bySlug = await runCli(['--data-dir', dataDir, 'market', row.slug], env)
    expect(bySlug.code).toBe(0)
    expect(bySlug.stdout).toContain(market.conditionId)
    const tokens = await runCli(
      [
        '--data-dir',
        dataDir,
        'query',
        'SELECT toString(token_id) AS t FROM market_tokens FINAL WHERE market_id = {m:UInt64} ORDER BY outcome_index',
        '-p',
        `m=${market.id}`,
        '--format',
        'json',
      ],
      env,
    )
    expect(JSON.parse(tokens.stdout).map((token: { t: string }) => token.t)).toEqual(market.clobTokenIds)
  })

  it('says plainly when a market does not exist or the argument is not a market', async () => {
    const missing = await runCli(['--data-dir', dataDir, 'market', '999999999'], env)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toBe(
      'polyhouse: Gamma has no market with id 999999999; check the id, slug or condition id\n',
    )
    const bad = await runCli(['--data-dir', dataDir, 'market', 'what?'], env)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/'what\?' is not a market/)
  })

  it("fetches one wallet's positions, stores the snapshot and prints them", async () => {
    const wallet = sim.truth.wallets()[0] as string
    const expected = sim.truth.positions(wallet).filter((position) => !position.drifted)
    const result = await runCli(['--data-dir', dataDir, 'wallet', wallet, '--format', 'json'], env)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const rows = JSON.parse(result.stdout) as { token_id: string; size: string }[]
    expect(rows.map((row) => `${row.token_id}/${Number(row.size).toFixed(6)}`).sort()).toEqual(
      expected.map((position) => `${position.asset}/${Number(position.size).toFixed(6)}`).sort(),
    )
    const bad = await runCli(['--data-dir', dataDir, 'wallet', '0x12'], env)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/'0x12' is not a wallet address; give 0x followed by 40 hex digits/)
  })

  it('stores a market again only when Gamma changed it', async () => {
    const market = [...sim.truth.markets()].find((candidate) => candidate.conditionId && !candidate.drifted)
    if (!market) throw new Error('the simulated world has no deployed market')
    const versions = async () => {
      const result = await runCli(
        [
          '--data-dir',
          dataDir,
          'query',
          'SELECT _run_id AS run, toString(_ingested_at) AS at FROM markets FINAL WHERE market_id = {m:UInt64}',
          '-p',
          `m=${market.id}`,
          '--format',
          'json',
        ],
        env,
      )
      expect(result.stderr).toBe('')
      return JSON.parse(result.stdout) as { run: string; at: string }[]
    }
    expect((await runCli(['--data-dir', dataDir, 'market', market.id], env)).code).toBe(0)
    const first = await versions()
    expect(first).toHaveLength(1)
    const again = await runCli(['--data-dir', dataDir, 'market', market.id], env)
    expect(again.code).toBe(0)
    expect(again.stdout).toContain(`(market ${market.id}`)
    // The current version is still the first call's: nothing new was stored.
    expect(await versions()).toEqual(first)
  })

  it('says so when a wallet has no positions', async () => {
    const nobody = '0x000000000000000000000000000000000000dead'
    expect(sim.truth.positions(nobody)).toEqual([])
    const result = await runCli(['--data-dir', dataDir, 'wallet', nobody], env)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(
      `${nobody} has no positions: the Data API lists none for it (snapshot stored)\n`,
    )
    const json = await runCli(['--data-dir', dataDir, 'wallet', nobody, '--format', 'json'], env)
    expect(json.code).toBe(0)
    expect(JSON.parse(json.stdout)).toEqual([])
  })
})
