// The owners step against the simulator, provider caps and faults on, with a reorg of the last
// blocks: wallet_owners must equal the simulated world's owners exactly — every proxy wallet (owner
// read from the RelayHub's relayed calls to the factory, wallet derived from it) and every Safe
// (from the factory's ProxyCreation), created at its first log — and nothing from the relayed calls
// that create no wallet. Then the owner views roll wallets up to their owners: the Data API's
// positions, and — once the rest of the pipeline has loaded the chain — the chain's PnL, checked
// against the simulator's own PnL truth (simulator/world/truth-analytics.ts) summed per owner here.
import { beforeAll, describe, expect, it } from 'vitest'
import type { Simulator } from '../../../simulator/index.ts'
import { createOwnersStep, ownersCoverage } from '../../../steps/owners/index.ts'
import { createSteps, resolveStepConfig } from '../../../steps/registry.ts'
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
      `SELECT concat(owner, '|', toString(token_id)) AS key, toString(toInt64(api_size * 1000000)) AS micros
       FROM vw_owner_positions WHERE api_size != 0`,
    )
    expect(new Map(loaded.map((row) => [row.key, BigInt(row.micros)]))).toEqual(expected)
    const pnl = await rows<{ owner: string; wallets: string }>(
      h.warehouse,
      'SELECT owner, toString(api_wallets) AS wallets FROM vw_owner_pnl WHERE api_wallets > 0 ORDER BY owner',
    )
    const walletsPerOwner = new Map<string, number>()
    for (const wallet of sim.truth.wallets()) {
      if (sim.truth.positions(wallet).length === 0) continue
      const owner = ownerOf.get(wallet) ?? wallet
      walletsPerOwner.set(owner, (walletsPerOwner.get(owner) ?? 0) + 1)
    }
    expect(new Map(pnl.map((row) => [row.owner, Number(row.wallets)]))).toEqual(walletsPerOwner)
  })

  describe('with the chain loaded by the rest of the pipeline', () => {
    /** Exact micro-units of a decimal text ('-1.5' → -1500000n); NULL counts as 0. */
    const micros = (text: string | null | undefined) => {
      if (text === undefined) throw new Error('a column the query should have selected is missing')
      if (text === null) return 0n
      const negative = text.startsWith('-')
      const [whole = '', fraction = ''] = text.replace('-', '').split('.')
      const value = BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, '0'))
      return negative ? -value : value
    }
    const add = (totals: Map<string, bigint[]>, key: string, values: bigint[]) => {
      const total = totals.get(key) ?? values.map(() => 0n)
      totals.set(
        key,
        total.map((sum, index) => sum + (values[index] ?? 0n)),
      )
    }
    let ownerOf: (wallet: string) => string

    beforeAll(async () => {
      // A second owners run resumes from its checkpoints: it only refetches ranges the faults left
      // failed (none when the first run completed), so the owner map below is the whole world's.
      const owners = await createOwnersStep(chainOptions(sim)).run(h.context())
      expect(owners.failures).toEqual([])
      const { steps, close } = createSteps(
        resolveStepConfig(['markets', 'chain', 'transfers', 'activity', 'views'], {
          gammaUrl: sim.gammaUrl,
          dataApiUrl: sim.dataApiUrl,
          rpcUrl: sim.rpcUrl,
          fromBlock: String(sim.world.chain.startBlock),
          confirmations: '0',
          rate: 'rpc=300/s',
        }),
      )
      try {
        // As an operator would: a step that left units failed (a request can meet the faults on
        // all six of its attempts) is run again, and resumes with only those units.
        for (const step of steps) {
          let stepOutcome = await step.run(h.context())
          for (let rerun = 0; rerun < 2 && stepOutcome.failures.length > 0; rerun++)
            stepOutcome = await step.run(h.context())
          expect(stepOutcome.failures, step.name).toEqual([])
        }
      } finally {
        await close()
      }
      const truth = new Map(sim.truth.walletOwners().map((owner) => [owner.wallet, owner.owner]))
      ownerOf = (wallet) => truth.get(wallet) ?? wallet
    }, 600_000)

    it('sums the simulator’s chain PnL, fees, volume and trades of every owner’s wallets', async () => {
      // Expected from the simulator alone: its PnL per (wallet, token) and its fills, summed per owner.
      const expected = new Map<string, bigint[]>()
      const fills = [...sim.truth.fills(sim.world.chain.startBlock, sim.world.chain.tip)]
      for (const wallet of sim.truth.wallets()) {
        const pnl = sim.truth.pnl(wallet)
        const own = fills.filter((fill) => fill.maker === wallet)
        if (pnl.length === 0 && own.length === 0) continue
        const realized = pnl.reduce((sum, row) => sum + micros(row.realizedPnl), 0n)
        const unrealized = pnl.reduce((sum, row) => sum + micros(row.unrealizedPnl), 0n)
        add(expected, ownerOf(wallet), [
          realized,
          unrealized,
          realized + unrealized,
          pnl.reduce((sum, row) => sum + micros(row.fees), 0n),
          own.reduce((sum, fill) => sum + BigInt(fill.collateral), 0n),
          BigInt(own.length),
        ])
      }
      expect(expected.size).toBeGreaterThan(10)
      const loaded = await rows<Record<string, string>>(
        h.warehouse,
        `SELECT owner, toString(realized_pnl) AS realized_pnl, toString(unrealized_pnl) AS unrealized_pnl,
                toString(total_pnl) AS total_pnl, toString(fees) AS fees, toString(volume) AS volume,
                toString(trades) AS trades
         FROM (SELECT * FROM vw_owner_pnl WHERE positions > 0 OR trades > 0)`,
      )
      const columns = ['realized_pnl', 'unrealized_pnl', 'total_pnl', 'fees', 'volume', 'trades']
      const actual = new Map(
        loaded.map((row) => [
          String(row.owner),
          columns.map((column) =>
            column === 'trades' ? micros(row[column]) / 1_000_000n : micros(row[column]),
          ),
        ]),
      )
      expect(actual).toEqual(expected)
      // The roll-up is not vacuous: many rows are keyed by an owner EOA that is not itself a trading
      // wallet (the simulator gives each owner one wallet, so sums over several are not exercised here).
      const trading = new Set(sim.truth.wallets())
      expect([...actual.keys()].filter((owner) => !trading.has(owner)).length).toBeGreaterThan(10)
      expect([...actual.values()].some((totals) => totals[0] !== 0n)).toBe(true)
    })

    it('equals vw_position_pnl summed per owner of wallet_owners', async () => {
      const owners = await rows<{ wallet: string; owner: string }>(
        h.warehouse,
        'SELECT wallet, owner FROM wallet_owners FINAL',
      )
      const ownerByWallet = new Map(owners.map((row) => [row.wallet, row.owner]))
      const positions = await rows<Record<string, string | null>>(
        h.warehouse,
        `SELECT wallet, toString(realized_pnl) AS realized_pnl, toString(unrealized_pnl) AS unrealized_pnl,
                toString(fees) AS fees
         FROM vw_position_pnl`,
      )
      const expected = new Map<string, bigint[]>()
      for (const row of positions) {
        const wallet = String(row.wallet)
        const realized = micros(row.realized_pnl)
        const unrealized = micros(row.unrealized_pnl)
        add(expected, ownerByWallet.get(wallet) ?? wallet, [
          realized,
          unrealized,
          realized + unrealized,
          micros(row.fees),
        ])
      }
      const loaded = await rows<Record<string, string>>(
        h.warehouse,
        `SELECT owner, toString(realized_pnl) AS realized_pnl, toString(unrealized_pnl) AS unrealized_pnl,
                toString(total_pnl) AS total_pnl, toString(fees) AS fees
         FROM (SELECT * FROM vw_owner_pnl WHERE positions > 0)`,
      )
      expect(
        new Map(
          loaded.map((row) => [
            row.owner,
            [row.realized_pnl, row.unrealized_pnl, row.total_pnl, row.fees].map((text) => micros(text)),
          ]),
        ),
      ).toEqual(expected)
    })

    it('holds the simulator’s chain position of every owner in every token beside the Data API’s', async () => {
      const expected = new Map<string, bigint[]>()
      for (const wallet of sim.truth.wallets()) {
        for (const row of sim.truth.pnl(wallet)) {
          add(expected, `${ownerOf(wallet)}|${row.tokenId}`, [
            micros(row.amount),
            micros(row.realizedPnl),
            micros(row.unrealizedPnl),
            micros(row.fees),
          ])
        }
      }
      const loaded = await rows<Record<string, string | null>>(
        h.warehouse,
        `SELECT concat(owner, '|', toString(token_id)) AS key, toString(amount) AS amount,
                toString(realized_pnl) AS realized_pnl, toString(unrealized_pnl) AS unrealized_pnl,
                toString(fees) AS fees
         FROM vw_owner_positions`,
      )
      const chain = loaded.filter((row) => expected.has(String(row.key)))
      expect(
        new Map(
          chain.map((row) => [
            String(row.key),
            [row.amount, row.realized_pnl, row.unrealized_pnl, row.fees].map((text) => micros(text)),
          ]),
        ),
      ).toEqual(expected)
      // Rows the chain does not know are the Data API's alone: no chain figures.
      for (const row of loaded.filter((row) => !expected.has(String(row.key)))) {
        expect([row.amount, row.realized_pnl, row.fees].map((text) => micros(text))).toEqual([0n, 0n, 0n])
      }
    })
  })
})
