// The transfers step against the simulator: provider caps, 429s, 5xx, hung and truncated answers,
// HTML pages and a reorg of the last blocks. chain_transfers must equal the ERC-1155 traffic the
// simulated world implies (splits, fills, merges, redemptions, plain transfers, batches) exactly,
// vw_wallet_balances must equal every wallet's true balance, and against the Data API positions
// the simulator serves, the reconciliation must say 'match' everywhere.
import { beforeAll, describe, expect, it } from 'vitest'
import { NON_WALLET_CONTRACTS, ZERO_ADDRESS } from '../../../extract/chain/contracts.ts'
import type { Simulator } from '../../../simulator/index.ts'
import type { Fill } from '../../../simulator/world/fills.ts'
import { createTransfersStep, transfersCoverage } from '../../../steps/transfers/index.ts'
import { rows, type StepHarness } from '../chain/harness.ts'
import { chainOptions, FAULTS, harness, insertServedPositions, simulator } from '../chain/sim-helpers.ts'

/** One line per chain_transfers row, in the simulator's terms. */
function truthLines(sim: Simulator): string[] {
  const chain = sim.world.chain
  const catalog = sim.world.catalog
  const lines: string[] = []
  for (const fill of sim.truth.fills(chain.startBlock, chain.tip) as Generator<Fill>) {
    for (const transfer of sim.world.transfers.transfersOf(fill)) {
      transfer.tokens.forEach((token, i) => {
        lines.push(
          [
            fill.blockNumber,
            fill.logIndex - 3 + transfer.slot,
            i,
            transfer.transactionHash,
            chain.blockHash(fill.blockNumber),
            chain.timestamp(fill.blockNumber),
            transfer.event,
            transfer.operator,
            transfer.from,
            transfer.to,
            catalog.tokenIdDecimal(token),
            transfer.amounts[i],
          ].join('|'),
        )
      })
    }
  }
  return lines.sort()
}

describe('the transfers step against the simulator, provider limits and faults on, with a reorg', () => {
  let sim: Simulator
  let h: StepHarness
  let outcome: Awaited<ReturnType<ReturnType<typeof createTransfersStep>['run']>>

  beforeAll(async () => {
    sim = await simulator({ faults: FAULTS })
    h = await harness()
    // The Data API side of the reconciliation: every wallet's positions as the simulator serves them.
    await insertServedPositions(h.warehouse, sim)
    const step = createTransfersStep(chainOptions(sim), { adaptive: { initial: 100_000 } })
    outcome = await step.run(h.context())
  }, 300_000)

  it('covers every block after the reorg, faults and provider caps', async () => {
    expect(outcome.failures).toEqual([])
    expect(outcome.complete).toBe(true)
    expect(sim.world.chain.forkEpoch).toBe(1)
    const coverage = await transfersCoverage(h.checkpoints, {
      from: sim.world.chain.startBlock,
      to: sim.world.chain.tip,
    })
    expect(coverage.gaps).toEqual([])
    const stats = sim.stats()
    expect(stats.endpoints.rpc?.providerLimitErrors).toBeGreaterThan(0)
    expect(stats.totals.faults).toBeGreaterThan(0)
  })

  it('loads exactly the transfers the world implies: every kind, every batch position', async () => {
    const loaded = await rows<{ line: string }>(
      h.warehouse,
      `SELECT concat_ws('|', toString(block_number), toString(log_index), toString(batch_index), tx_hash,
              block_hash, toString(toUnixTimestamp(block_time)), toString(event), operator, from_address,
              to_address, toString(token_id), toString(amount)) AS line
       FROM chain_transfers FINAL`,
    )
    const expected = truthLines(sim)
    expect(loaded.length).toBe(expected.length)
    expect(loaded.map((row) => row.line).sort()).toEqual(expected)
    // The world's traffic has every shape the issue names.
    const shapes = await rows<{ shape: string; n: string }>(
      h.warehouse,
      `SELECT multiIf(from_address = '${ZERO_ADDRESS}' AND event = 'TransferBatch', 'split',
                      to_address = '${ZERO_ADDRESS}' AND event = 'TransferBatch', 'merge',
                      to_address = '${ZERO_ADDRESS}', 'redemption',
                      from_address IN {contracts:Array(String)} OR to_address IN {contracts:Array(String)}, 'fill',
                      'wallet-to-wallet') AS shape, toString(count()) AS n
       FROM chain_transfers FINAL GROUP BY shape ORDER BY shape`.replaceAll(
        '{contracts:Array(String)}',
        `[${[...NON_WALLET_CONTRACTS].map((a) => `'${a}'`).join(',')}]`,
      ),
    )
    expect(shapes.map((row) => row.shape)).toEqual([
      'fill',
      'merge',
      'redemption',
      'split',
      'wallet-to-wallet',
    ])
    for (const shape of shapes) expect(Number(shape.n)).toBeGreaterThan(0)
    // No leg of an abandoned block survived the reorg.
    const [legs] = await rows<{ legs: string; transfers: string }>(
      h.warehouse,
      `SELECT toString((SELECT count() FROM chain_transfers_by_wallet FINAL)) AS legs,
              toString((SELECT count() FROM chain_transfers FINAL)) AS transfers`,
    )
    expect(Number(legs?.legs)).toBe(2 * Number(legs?.transfers))
  })

  it('vw_wallet_balances equals every wallet’s true balance', async () => {
    const balances = await rows<{ wallet: string; token_id: string; units: string; balance: string }>(
      h.warehouse,
      `SELECT wallet, toString(token_id) AS token_id, toString(balance_units) AS units, balance
       FROM vw_wallet_balances`,
    )
    // Shares are the units ÷ 10^6, exactly, to the sixth place.
    for (const row of balances) {
      const units = BigInt(row.units)
      expect(row.balance).toBe(`${units / 1_000_000n}.${(units % 1_000_000n).toString().padStart(6, '0')}`)
    }
    const expected = sim.truth
      .wallets()
      .flatMap((wallet) =>
        sim.truth
          .positions(wallet)
          .filter((position) => position.sizeUnits !== 0)
          .map((position) => `${wallet}|${position.asset}|${position.sizeUnits}`),
      )
      .sort()
    expect(balances.map((row) => `${row.wallet}|${row.token_id}|${row.units}`).sort()).toEqual(expected)
    // Exchanges, the adapter and the zero address hold tokens on chain but are not wallets.
    const contracts = balances.filter(
      (row) => NON_WALLET_CONTRACTS.has(row.wallet) || row.wallet === ZERO_ADDRESS,
    )
    expect(contracts).toEqual([])
  })

  it('reconciles with the Data API: every balance matches', async () => {
    const statuses = await rows<{ balance_status: string; n: string }>(
      h.warehouse,
      `SELECT balance_status, toString(count()) AS n FROM vw_position_reconciliation
       GROUP BY balance_status ORDER BY balance_status`,
    )
    const positions = sim.truth.wallets().reduce((sum, wallet) => sum + sim.truth.positions(wallet).length, 0)
    expect(statuses).toEqual([{ balance_status: 'match', n: String(positions) }])
  })
})
