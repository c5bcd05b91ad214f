// The owners step against the simulator, provider caps and faults on, with a reorg of the last
// blocks: wallet_owners must equal the simulated world's owners exactly — every proxy wallet (owner
// read from the RelayHub's relayed calls to the factory, wallet derived from it) and every Safe
// (from the factory's ProxyCreation), created at its first log — and nothing from the relayed calls
// that create no wallet. Then the owner views roll wallets up to their owners.
import { beforeAll, describe, expect, it } from 'vitest'
import type { Simulator } from '../../../simulator/index.ts'
import { createOwnersStep, ownersCoverage } from '../../../steps/owners/index.ts'
import { rows, type StepHarness } from '../chain/harness.ts'
import { chainOptions, FAULTS, harness, insertServedPositions, simulator } from '../chain/sim-helpers.ts'

describe('the owners step against the simulator, provider limits and faults on, with a reorg', () => {
  let sim: Simulator
  let h: StepHarness
  let outcome: Awaited<ReturnType<ReturnType<typeof createOwnersStep>['run']>>

  beforeAll(async () => {
    sim = await simulator({ faults: FAULTS })
    h = await harness()
    const step = createOwnersStep(chainOptions(sim), { adaptive: { initial: 100_000 } })
    outcome = await step.run(h.context())
  }, 300_000)

  it('covers every block after the reorg and faults', async () => {
    expect(outcome.failures).toEqual([])
    expect(outcome.complete).toBe(true)
    expect(sim.world.chain.forkEpoch).toBe(1)
    const coverage = await ownersCoverage(h.checkpoints, {
      from: sim.world.chain.startBlock,
      to: sim.world.chain.tip,
    })
    expect(coverage.gaps).toEqual([])
  })

  it('holds exactly the owners of the simulated proxy wallets and Safes', async () => {
    const truth = sim.truth.walletOwners()
    expect(truth.filter((owner) => owner.kind === 'proxy').length).toBeGreaterThan(10)
    expect(truth.filter((owner) => owner.kind === 'safe').length).toBeGreaterThan(10)
    const loaded = await rows<{ wallet: string; owner: string; kind: string; created_block: string }>(
      h.warehouse,
      `SELECT wallet, owner, toString(kind) AS kind, toString(created_block) AS created_block
       FROM wallet_owners FINAL ORDER BY wallet`,
    )
    expect(loaded).toEqual(
      truth.map((owner) => ({
        wallet: owner.wallet,
        owner: owner.owner,
        kind: owner.kind,
        created_block: String(owner.createdBlock),
      })),
    )
    // Every simulated wallet that trades is either listed with its owner or a plain EOA.
    const owned = new Set(truth.map((owner) => owner.wallet))
    const plain = sim.truth.wallets().filter((wallet) => !owned.has(wallet))
    expect(plain.length).toBeGreaterThan(0)
  })

  it('rolls positions up to their owners; a wallet without one is its own owner', async () => {
    await insertServedPositions(h.warehouse, sim)
    const truth = sim.truth.walletOwners()
    const ownerOf = new Map(truth.map((owner) => [owner.wallet, owner.owner]))
    // Expected: Σ size per (owner, token) over every wallet's served positions, summed here.
    const expected = new Map<string, bigint>()
    for (const wallet of sim.truth.wallets()) {
      const owner = ownerOf.get(wallet) ?? wallet
      for (const position of sim.truth.positions(wallet)) {
        const key = `${owner}|${position.asset}`
        const micros = BigInt(Math.round(Number(position.size) * 1e6))
        expected.set(key, (expected.get(key) ?? 0n) + micros)
      }
    }
    const loaded = await rows<{ key: string; micros: string }>(
      h.warehouse,
      `SELECT concat(owner, '|', toString(token_id)) AS key, toString(toInt64(size * 1000000)) AS micros
       FROM vw_owner_positions`,
    )
    expect(new Map(loaded.map((row) => [row.key, BigInt(row.micros)]))).toEqual(expected)
    const pnl = await rows<{ owner: string; wallets: string }>(
      h.warehouse,
      'SELECT owner, toString(wallets) AS wallets FROM vw_owner_pnl ORDER BY owner',
    )
    const walletsPerOwner = new Map<string, number>()
    for (const wallet of sim.truth.wallets()) {
      if (sim.truth.positions(wallet).length === 0) continue
      const owner = ownerOf.get(wallet) ?? wallet
      walletsPerOwner.set(owner, (walletsPerOwner.get(owner) ?? 0) + 1)
    }
    expect(new Map(pnl.map((row) => [row.owner, Number(row.wallets)]))).toEqual(walletsPerOwner)
  })
})
