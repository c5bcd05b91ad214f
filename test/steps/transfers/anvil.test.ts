// The transfers step against a real node: anvil runs a log emitter at the ConditionalTokens address
// and re-emits the real TransferSingle (a burn by the NegRisk adapter) and TransferBatch fixture
// logs, then generated ones — a split minting both outcomes to a wallet, a plain transfer to
// another wallet, a merge, the largest token id — and logs that must be quarantined. The step runs
// with --confirmations 0; every chain_transfers row is compared with values read from the emitted
// words by hand (no ABI library), and vw_wallet_balances with balances summed here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CONDITIONAL_TOKENS,
  NON_WALLET_CONTRACTS,
  TOPIC0,
  ZERO_ADDRESS,
} from '../../../extract/chain/contracts.ts'
import type { BlockHeader } from '../../../extract/chain/rpc.ts'
import { createTransfersStep, transfersCoverage } from '../../../steps/transfers/index.ts'
import { Anvil, type EmittedLog, type LogToEmit } from '../../anvil/anvil.ts'
import { fixtures, topicAddress, word } from '../../extract/chain/fixtures.ts'
import { localChainOptions, openStepHarness, rows, type StepHarness } from '../chain/harness.ts'

const w = (value: bigint | number) => BigInt(value).toString(16).padStart(64, '0')
const addressTopic = (address: string) => `0x${address.slice(2).toLowerCase().padStart(64, '0')}`
const wallet = (n: number) => `0x${n.toString(16).padStart(40, 'b')}`

interface Movement {
  operator: string
  from: string
  to: string
  ids: bigint[]
  values: bigint[]
  batch: boolean
}

function logOf(m: Movement): LogToEmit {
  const topics = [
    m.batch ? TOPIC0.transferBatch : TOPIC0.transferSingle,
    addressTopic(m.operator),
    addressTopic(m.from),
    addressTopic(m.to),
  ]
  if (!m.batch)
    return { address: CONDITIONAL_TOKENS, topics, data: `0x${w(m.ids[0] ?? 0n)}${w(m.values[0] ?? 0n)}` }
  const n = m.ids.length
  const data = [w(0x40), w(0x40 + 32 * (n + 1)), w(n), ...m.ids.map(w), w(n), ...m.values.map(w)].join('')
  return { address: CONDITIONAL_TOKENS, topics, data: `0x${data}` }
}

/** What a fixture log means, read word by word (SOURCES.md: batch offsets 0x40 and 0xa0). */
function movementOfFixture(log: { topics: string[]; data: string }, batch: boolean): Movement {
  const [, operator, from, to] = log.topics.map(topicAddress) as [string, string, string, string]
  if (!batch) return { operator, from, to, ids: [word(log.data, 0)], values: [word(log.data, 1)], batch }
  const n = Number(word(log.data, 2))
  const ids = Array.from({ length: n }, (_, i) => word(log.data, 3 + i))
  const values = Array.from({ length: n }, (_, i) => word(log.data, 4 + n + i))
  return { operator, from, to, ids, values, batch }
}

const YES = 2n ** 256n - 1n
const NO = 2n ** 255n + 7n
const GENERATED: Movement[] = [
  // A split: both outcomes minted to wallet 1, 12.5 shares each.
  {
    operator: wallet(1),
    from: ZERO_ADDRESS,
    to: wallet(1),
    ids: [YES, NO],
    values: [12_500_000n, 12_500_000n],
    batch: true,
  },
  // A plain transfer of 2.000001 YES to wallet 2.
  { operator: wallet(1), from: wallet(1), to: wallet(2), ids: [YES], values: [2_000_001n], batch: false },
  // A merge of 3 of each back into collateral.
  {
    operator: wallet(1),
    from: wallet(1),
    to: ZERO_ADDRESS,
    ids: [YES, NO],
    values: [3_000_000n, 3_000_000n],
    batch: true,
  },
  // The largest amount polyhouse loads: 10^18 − 1 raw units.
  {
    operator: wallet(3),
    from: ZERO_ADDRESS,
    to: wallet(3),
    ids: [77n],
    values: [10n ** 18n - 1n],
    batch: false,
  },
]

/** ConditionalTokens logs that are not loadable transfers: each must be quarantined, not crash. */
const BAD: LogToEmit[] = [
  // TransferBatch whose arrays differ in length.
  {
    ...logOf(GENERATED[0] as Movement),
    data: `0x${[w(0x40), w(0xa0), w(2), w(YES), w(NO), w(1), w(5)].join('')}`,
  },
  // An amount of 10^18 raw units: beyond the balances' decimals.
  logOf({ ...(GENERATED[3] as Movement), values: [10n ** 18n] }),
]

interface Placed {
  movement: Movement
  emitted: EmittedLog
  logIndex: number
}

let anvil: Anvil
let harness: StepHarness
let placed: Placed[]
let headers: Map<number, BlockHeader>
let outcome: Awaited<ReturnType<ReturnType<typeof createTransfersStep>['run']>>

beforeAll(async () => {
  anvil = await Anvil.start({ chainId: 137 })
  await anvil.placeLogEmitter([CONDITIONAL_TOKENS])
  const single = fixtures.transferSingle()
  const batch = fixtures.transferBatch()
  const real = await anvil.emitLogs(
    [
      { address: single.address, topics: single.topics, data: single.data },
      { address: batch.address, topics: batch.topics, data: batch.data },
    ],
    { sameBlock: true },
  )
  await anvil.mine(2)
  const generated = await anvil.emitLogs(GENERATED.map(logOf))
  const bad = await anvil.emitLogs(BAD, { sameBlock: true })
  expect(bad).toHaveLength(2)
  await anvil.mine(2)
  placed = [
    { movement: movementOfFixture(single, false), emitted: real[0] as EmittedLog, logIndex: 0 },
    { movement: movementOfFixture(batch, true), emitted: real[1] as EmittedLog, logIndex: 1 },
    ...generated.map((emitted, i) => ({ movement: GENERATED[i] as Movement, emitted, logIndex: 0 })),
  ]
  const tip = await anvil.rpc.blockNumber()
  const numbers = Array.from({ length: tip + 1 }, (_, n) => n)
  headers = new Map(
    (await anvil.rpc.getBlocksByNumber(numbers)).map((h) => [(h as BlockHeader).number, h as BlockHeader]),
  )
  harness = await openStepHarness()
  const step = createTransfersStep(localChainOptions(anvil.url), { adaptive: { initial: 2, max: 4 } })
  outcome = await step.run(harness.context())
}, 120_000)

afterAll(async () => {
  await harness?.close()
  await anvil?.close()
})

describe('the transfers step on anvil', () => {
  it('covers every block and quarantines what it cannot load', async () => {
    expect(outcome.failures).toEqual([])
    expect(outcome.complete).toBe(true)
    const coverage = await transfersCoverage(harness.checkpoints, {
      from: 0,
      to: await anvil.rpc.blockNumber(),
    })
    expect(coverage.gaps).toEqual([])
    const quarantined = await rows<{ reason: string }>(
      harness.warehouse,
      "SELECT reason FROM etl_quarantine FINAL WHERE stream = 'chain_transfers' ORDER BY reason",
    )
    expect(quarantined.map((row) => row.reason)).toEqual([
      'TransferBatch with 2 ids but 1 values',
      "amount 1000000000000000000 exceeds 10^18 raw units, beyond the balances' decimals and any real position",
    ])
  })

  it('stores the fixture and generated transfers digit for digit, one row per id', async () => {
    const loaded = await rows<Record<string, string>>(
      harness.warehouse,
      `SELECT toString(block_number) AS block, toString(log_index) AS log_index, toString(batch_index) AS batch_index,
              tx_hash, block_hash, toString(toUnixTimestamp(block_time)) AS time, toString(event) AS event,
              operator, from_address, to_address, toString(token_id) AS token_id, toString(amount) AS amount
       FROM chain_transfers FINAL ORDER BY block_number, log_index, batch_index`,
    )
    const expected = placed.flatMap(({ movement, emitted, logIndex }) =>
      movement.ids.map((id, i) => ({
        block: String(emitted.blockNumber),
        log_index: String(logIndex),
        batch_index: String(i),
        tx_hash: emitted.txHash,
        block_hash: headers.get(emitted.blockNumber)?.hash,
        time: String(headers.get(emitted.blockNumber)?.timestamp),
        event: movement.batch ? 'TransferBatch' : 'TransferSingle',
        operator: movement.operator,
        from_address: movement.from,
        to_address: movement.to,
        token_id: id.toString(),
        amount: (movement.values[i] as bigint).toString(),
      })),
    )
    expect(loaded).toEqual(expected)
    // The fixtures as SOURCES.md describes them: a burn of 5,000,000 by the adapter, a batch of two.
    expect(loaded[0]).toMatchObject({ to_address: ZERO_ADDRESS, amount: '5000000' })
    expect(loaded[0]?.token_id).toBe(word(fixtures.transferSingle().data, 0).toString())
    expect(loaded.slice(1, 3).map((row) => row.amount)).toEqual(['5000000', '0'])
  })

  it('sums every wallet’s legs into exact balances, contracts and the zero address left out', async () => {
    const balances = await rows<{ wallet: string; token_id: string; balance: string }>(
      harness.warehouse,
      'SELECT wallet, toString(token_id) AS token_id, balance FROM vw_wallet_balances ORDER BY wallet, token_id',
    )
    const sums = new Map<string, bigint>()
    const add = (who: string, id: bigint, delta: bigint) => {
      const key = `${who}|${id}`
      sums.set(key, (sums.get(key) ?? 0n) + delta)
    }
    for (const { movement } of placed)
      movement.ids.forEach((id, i) => {
        add(movement.from, id, -(movement.values[i] as bigint))
        add(movement.to, id, movement.values[i] as bigint)
      })
    const shares = (units: bigint) =>
      `${units < 0n ? '-' : ''}${(units < 0n ? -units : units) / 1_000_000n}.${((units < 0n ? -units : units) % 1_000_000n).toString().padStart(6, '0')}`
    const expected = [...sums]
      .filter(([key, units]) => {
        const who = key.split('|')[0] as string
        return units !== 0n && who !== ZERO_ADDRESS && !NON_WALLET_CONTRACTS.has(who)
      })
      .map(([key, units]) => {
        const [who, id] = key.split('|') as [string, string]
        return { wallet: who, token_id: id, balance: shares(units) }
      })
    const order = (a: { wallet: string; token_id: string }, b: { wallet: string; token_id: string }) =>
      `${a.wallet}|${a.token_id}` < `${b.wallet}|${b.token_id}` ? -1 : 1
    expect([...balances].sort(order)).toEqual(expected.sort(order))
    // The adapter burned the fixture's tokens: a contract, so it has no row.
    expect(balances.some((row) => NON_WALLET_CONTRACTS.has(row.wallet))).toBe(false)
    // Wallet 1: split 12.5 of each, sent 2.000001 YES, merged 3 of each.
    expect(balances.filter((row) => row.wallet === wallet(1)).map((row) => row.balance)).toEqual(
      expect.arrayContaining(['7.499999', '9.500000']),
    )
    expect(balances.find((row) => row.wallet === wallet(3))?.balance).toBe('999999999999.999999')
  })
})
