// The wallets step against the simulator with faults: every wallet's positions equal the
// simulator's, drifted rows are quarantined, the wallets of a --wallets file are fetched, and a
// second run fetches nothing. (A file with bad lines never reaches the step: test/cli/bad-input.)
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stepContext } from '../../bench/shared/step-context.ts'
import { readWalletList } from '../../extract/data-api/wallet-list.ts'
import { createHttpClient } from '../../extract/http/client.ts'
import { parseRateSpec, resolveRateLimits } from '../../extract/http/rates.ts'
import type { Warehouse } from '../../load/warehouse.ts'
import { type Simulator, startSimulator } from '../../simulator/index.ts'
import { createWalletsStep } from '../../steps/wallets/index.ts'
import { openTempWarehouse, tempDir } from '../helpers/warehouse.ts'

const FAULTS = '429=0.03,5xx=0.05,hang=0.02,truncate=0.01,html=0.01,drift=0.02'

describe.each(['v1', 'v2'] as const)('wallets step (%s) against the simulator with faults', (version) => {
  let sim: Simulator
  let warehouse: Warehouse
  const http = createHttpClient({
    rateLimits: resolveRateLimits(parseRateSpec('data-api=2000/s')),
    headersTimeoutMs: 1_000,
    bodyTimeoutMs: 1_000,
    backoffBaseMs: 20,
    backoffMaxMs: 200,
    maxAttempts: 10,
  })

  beforeAll(async () => {
    sim = await startSimulator({
      seed: 'wallets-0',
      // This seed and size give one whale above 500 positions, so pages are walked.
      markets: 400,
      wallets: 40,
      fills: 40_000,
      faults: FAULTS,
      hangMs: 3_000,
      rateLimits: false,
    })
    warehouse = await openTempWarehouse()
  })
  afterAll(async () => {
    await http.close()
    await warehouse?.close()
    await sim?.close()
  })

  it('stores every position of every listed wallet, as the simulator holds them', {
    timeout: 300_000,
  }, async () => {
    const wallets = sim.truth.wallets()
    const file = path.join(tempDir(), 'wallets.txt')
    fs.writeFileSync(file, [`# wallets to fetch`, ...wallets].join('\n'))
    const context = await stepContext(warehouse)
    const step = createWalletsStep({
      http,
      dataApiUrl: sim.dataApiUrl,
      rateLimits: resolveRateLimits(new Map()),
      version,
      listedWallets: readWalletList(file),
    })
    const outcome = await step.run(context)
    expect(outcome.failures).toEqual([])

    const expected = wallets.flatMap((wallet) => sim.truth.positions(wallet))
    const stored = await warehouse.query<{ wallet: string; token_id: string; size: string }>(
      `SELECT p.wallet AS wallet, toString(p.token_id) AS token_id, toString(p.size) AS size
       FROM positions AS p FINAL
       INNER JOIN (SELECT wallet, positions_snapshot_at FROM wallets FINAL) AS w ON p.wallet = w.wallet
       WHERE p.snapshot_at >= w.positions_snapshot_at`,
    )
    const key = (wallet: string, token: string, size: string) =>
      `${wallet}/${token}/${Number(size).toFixed(6)}`
    expect(stored.map((row) => key(row.wallet, row.token_id, row.size)).sort()).toEqual(
      expected
        .filter((position) => !position.drifted)
        .map((position) => key(position.wallet, position.asset, position.size))
        .sort(),
    )
    const quarantined = await warehouse.query<{ record_key: string }>(
      "SELECT record_key FROM etl_quarantine FINAL WHERE stream = 'positions' ORDER BY record_key",
    )
    expect(quarantined.map((row) => row.record_key)).toEqual(
      expected
        .filter((position) => position.drifted)
        .map((position) => `${position.wallet}/${position.asset}`)
        .sort(),
    )
    // Some wallet needed more than one page, and the faults did happen.
    expect(Math.max(...wallets.map((wallet) => sim.truth.positions(wallet).length))).toBeGreaterThan(500)
    expect(sim.stats().totals.faults).toBeGreaterThan(0)
    const [fetched] = await warehouse.query<{ n: string }>(
      'SELECT toString(countIf(positions_snapshot_at > 0)) AS n FROM wallets FINAL',
    )
    expect(Number(fetched?.n)).toBe(wallets.length)
  })

  it('fetches nothing the second time', async () => {
    const before = sim.stats().totals.requests
    const context = await stepContext(warehouse)
    const step = createWalletsStep({
      http,
      dataApiUrl: sim.dataApiUrl,
      rateLimits: resolveRateLimits(new Map()),
      version,
    })
    expect((await step.plan(context)).remaining).toBe(0)
    expect(await step.run(context)).toMatchObject({ failures: [], complete: true, rows: 0 })
    expect(sim.stats().totals.requests).toBe(before)
  })
})
