// The morning read of vw_position_reconciliation after a default `polyhouse backfill` (chain and
// transfers read to 32 blocks below the tip, while the Data API counts every fill): no 'differs' —
// each row the unread blocks can explain is 'pending', with the block the chain side is complete to —
// and every pending row is explained, to the share, by the simulator's own fills above that block.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_CONFIRMATIONS_POLYGON } from '../../extract/chain/contracts.ts'
import { type Simulator, startSimulator } from '../../simulator/index.ts'
import { runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/warehouse.ts'

interface Reconciled {
  wallet: string
  token: string
  chain_shares: string
  balance_shares: string
  api_shares: string
  status: string
  balance_status: string
  pending_reason: string
  balance_pending_reason: string
  fills_to: string
  transfers_to: string
}

/** Shares as exact 1e-6 units (the query multiplies them out). */
const units = (shares: string) => BigInt(shares)

describe('vw_position_reconciliation after a default backfill', () => {
  let sim: Simulator
  let env: NodeJS.ProcessEnv
  let dataDir: string
  let reconciled: Reconciled[]

  beforeAll(async () => {
    // About one fill per block, so the 32 unread blocks below the tip hold trades of several wallets.
    sim = await startSimulator({
      seed: 'morning-tip',
      markets: 150,
      wallets: 40,
      fills: 4_000,
      blocks: 4_000,
      rateLimits: false,
      latency: { baseMs: 1, jitterMs: 1 },
    })
    env = { ...sim.env, POLYHOUSE_RATE: 'gamma=400/s,data-api=400/s,rpc=2000/s' }
    dataDir = `${tempDir()}/warehouse`
    const backfill = await runCli(['--data-dir', dataDir, 'backfill'], env)
    expect(backfill.stderr).not.toContain('ERROR')
    expect(backfill.code).toBe(0)
    const result = await runCli(
      [
        '--data-dir',
        dataDir,
        'query',
        `SELECT wallet, toString(token_id) AS token, toString(toInt256(chain_shares * 1000000)) AS chain_shares,
                toString(toInt256(balance_shares * 1000000)) AS balance_shares,
                toString(toInt256(api_shares * 1000000)) AS api_shares, status,
                balance_status, pending_reason, balance_pending_reason,
                toString(chain_complete_to_block) AS fills_to, toString(balance_complete_to_block) AS transfers_to
         FROM vw_position_reconciliation WHERE positions_fetched = 1 ORDER BY wallet, token`,
        '--format',
        'json',
      ],
      env,
    )
    expect(result.stderr).toBe('')
    reconciled = JSON.parse(result.stdout)
  }, 600_000)
  afterAll(async () => {
    await sim?.close()
  })

  it('states the block the chain side is complete to: the tip less the confirmations', () => {
    const safeHead = String(sim.truth.summary().chain.tip - DEFAULT_CONFIRMATIONS_POLYGON)
    expect(new Set(reconciled.map((row) => row.fills_to))).toEqual(new Set([safeHead]))
    expect(new Set(reconciled.map((row) => row.transfers_to))).toEqual(new Set([safeHead]))
  })

  it('calls no difference the unread blocks can explain a difference', () => {
    const count = (column: 'status' | 'balance_status') =>
      Object.fromEntries(
        [...new Set(reconciled.map((row) => row[column]))].map((status) => [
          status,
          reconciled.filter((row) => row[column] === status).length,
        ]),
      )
    // The simulator's positions are exactly its fills (simulator/README.md): 'match' or 'pending'.
    expect(Object.keys(count('status')).sort()).toEqual(['match', 'pending'])
    expect(Object.keys(count('balance_status')).sort()).toEqual(['match', 'pending'])
    for (const row of reconciled.filter((row) => row.status === 'pending')) {
      expect(row.pending_reason).toMatch(
        new RegExp(
          `^the API snapshot may count fills after block ${row.fills_to} \\(.+\\), the last block every fill is loaded to$`,
        ),
      )
    }
    for (const row of reconciled.filter((row) => row.status === 'match')) expect(row.pending_reason).toBe('')
  })

  it('explains every pending row by the simulator’s fills above the confirmed block', () => {
    const tip = sim.truth.summary().chain.tip
    const confirmed = tip - DEFAULT_CONFIRMATIONS_POLYGON
    // What the blocks the chain side has not read did to each (wallet, token): its trades' position
    // changes, and its ERC-1155 balance changes (the trades' deliveries and the extras around them,
    // e.g. shares lent to another wallet at a BUY and given back at the SELL: simulator/world/transfers.ts).
    const trades = new Map<string, bigint>()
    const balances = new Map<string, bigint>()
    const add = (into: Map<string, bigint>, wallet: string, token: string, units: bigint) => {
      const key = `${wallet}|${token}`
      into.set(key, (into.get(key) ?? 0n) + units)
    }
    const tokenId = (index: number) => BigInt(`0x${sim.world.catalog.tokenIdHex(index)}`).toString()
    for (const fill of sim.truth.fills(confirmed + 1, tip)) {
      add(trades, fill.maker, tokenId(fill.token), BigInt(fill.positionDelta))
      for (const transfer of sim.world.transfers.transfersOf(fill)) {
        transfer.tokens.forEach((token, i) => {
          const amount = BigInt(transfer.amounts[i] as number)
          add(balances, transfer.from, tokenId(token), -amount)
          add(balances, transfer.to, tokenId(token), amount)
        })
      }
    }
    // Positions a split, merge, redemption or conversion changed (any block): trades alone never
    // explain their API size, so `status` (trades vs API) is checked on the others.
    const lifecycle = new Set<string>()
    for (const fill of sim.truth.fills(sim.world.chain.startBlock, tip)) {
      for (const transfer of sim.world.lifecycleLogs.logsOf(fill).transfers) {
        for (const token of transfer.tokens) {
          lifecycle.add(`${transfer.from}|${tokenId(token)}`)
          lifecycle.add(`${transfer.to}|${tokenId(token)}`)
        }
      }
    }
    const pending = reconciled.filter((row) => row.status === 'pending' || row.balance_status === 'pending')
    expect(pending.length).toBeGreaterThan(0)
    const tradesOnly = pending.filter(
      (row) => row.status === 'pending' && !lifecycle.has(`${row.wallet}|${row.token}`),
    )
    expect(tradesOnly.length).toBeGreaterThan(0)
    for (const row of pending) {
      const key = `${row.wallet}|${row.token}`
      // Chain figures as of the confirmed block, plus what the unread blocks did, are the API's.
      if (row.status === 'pending' && !lifecycle.has(key)) {
        expect({ key, unread: units(row.chain_shares) + (trades.get(key) ?? 0n) }).toEqual({
          key,
          unread: units(row.api_shares),
        })
      }
      if (row.balance_status === 'pending') {
        expect({ key, unread: units(row.balance_shares) + (balances.get(key) ?? 0n) }).toEqual({
          key,
          unread: units(row.api_shares),
        })
      }
    }
    // And every (wallet, token) the unread blocks changed is pending, not a quiet 'match'.
    const byKey = new Map(reconciled.map((row) => [`${row.wallet}|${row.token}`, row]))
    const changed = (from: Map<string, bigint>) =>
      [...from.entries()].filter(([key, delta]) => delta !== 0n && byKey.has(key)).map(([key]) => key)
    expect(changed(trades).length).toBeGreaterThan(0)
    for (const key of changed(trades)) expect([key, byKey.get(key)?.status]).toEqual([key, 'pending'])
    for (const key of changed(balances))
      expect([key, byKey.get(key)?.balance_status]).toEqual([key, 'pending'])
  })
})
