// The owners step against a real node: anvil runs a log emitter at the real Safe factory and GSN
// RelayHub addresses and emits their real events — a Safe's ProxyCreation, relayed calls to the proxy
// wallet factory (the first creates the wallet, a later one must not move its creation block), a
// call relayed to another contract, a failed call, and a ProxyCreation from a contract that is not
// Polymarket's factory. The step runs with --confirmations 0; every wallet_owners row is compared
// field by field with values computed here from the emitted words (the proxy wallet by CREATE2 from
// its owner, written out with keccak).
import { concat, keccak256, pad } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  GSN_RELAY_HUB,
  PROXY_WALLET_FACTORY,
  PROXY_WALLET_INIT_CODE_HASH,
  SAFE_PROXY_FACTORY,
  WALLET_TOPIC0,
} from '../../../extract/chain/contracts.ts'
import type { BlockHeader } from '../../../extract/chain/rpc.ts'
import { createOwnersStep, ownersCoverage } from '../../../steps/owners/index.ts'
import { Anvil, type EmittedLog, type LogToEmit } from '../../anvil/anvil.ts'
import { localChainOptions, openStepHarness, rows, type StepHarness } from '../chain/harness.ts'

const w = (value: bigint | number) => BigInt(value).toString(16).padStart(64, '0')
const topic = (address: string) => pad(address as `0x${string}`, { size: 32 })
const address = (n: number, fill: string) => `0x${n.toString(16).padStart(40, fill)}`

const SAFE = address(1, 'a')
const SAFE_OWNER = address(2, 'e')
const PROXY_OWNER = address(3, 'e')
const FAILED_OWNER = address(4, 'e')
const RELAY = address(5, 'c')
const OTHER_RECIPIENT = address(6, 'd')
/** Gnosis' own Safe factory 1.3.0 (safe-deployments): its ProxyCreation names the singleton, not an owner. */
const GNOSIS_FACTORY = '0xa6b71e26c5e0845f74c812102ca7114b6a896ab2'
const PROXY_SELECTOR = '34ee9791'

function proxyCreation(emitter: string, proxy: string, owner: string): LogToEmit {
  return {
    address: emitter,
    topics: [WALLET_TOPIC0.proxyCreation],
    data: `0x${w(BigInt(proxy))}${w(BigInt(owner))}`,
  }
}

function relayed(from: string, to: string, status: number): LogToEmit {
  return {
    address: GSN_RELAY_HUB,
    topics: [WALLET_TOPIC0.transactionRelayed, topic(RELAY), topic(from), topic(to)],
    data: `0x${PROXY_SELECTOR}${'0'.repeat(56)}${w(status)}${w(987_654_321n)}`,
  }
}

/** CREATE2: keccak256(0xff ‖ factory ‖ keccak256(owner) ‖ init code hash), its last 20 bytes. */
function proxyOf(owner: string): string {
  const digest = keccak256(
    concat(['0xff', PROXY_WALLET_FACTORY, keccak256(owner as `0x${string}`), PROXY_WALLET_INIT_CODE_HASH]),
  )
  return `0x${digest.slice(26)}`
}

let anvil: Anvil
let harness: StepHarness
let emitted: EmittedLog[]
let headers: Map<number, BlockHeader>
let outcome: Awaited<ReturnType<ReturnType<typeof createOwnersStep>['run']>>

beforeAll(async () => {
  anvil = await Anvil.start({ chainId: 137 })
  await anvil.placeLogEmitter([SAFE_PROXY_FACTORY, GSN_RELAY_HUB, GNOSIS_FACTORY])
  emitted = [
    ...(await anvil.emitLogs([proxyCreation(SAFE_PROXY_FACTORY, SAFE, SAFE_OWNER)])),
    ...(await anvil.emitLogs([relayed(PROXY_OWNER, PROXY_WALLET_FACTORY, 0)])),
    ...(await anvil.emitLogs(
      [
        relayed(PROXY_OWNER, OTHER_RECIPIENT, 0),
        relayed(FAILED_OWNER, PROXY_WALLET_FACTORY, 1),
        proxyCreation(GNOSIS_FACTORY, address(7, 'a'), address(8, 'e')),
      ],
      { sameBlock: true },
    )),
  ]
  await anvil.mine(2)
  // A later call of the same owner: the wallet exists already; its creation stays the first call.
  emitted.push(...(await anvil.emitLogs([relayed(PROXY_OWNER, PROXY_WALLET_FACTORY, 0)])))
  await anvil.mine(1)
  const tip = await anvil.rpc.blockNumber()
  const numbers = Array.from({ length: tip + 1 }, (_, n) => n)
  headers = new Map(
    (await anvil.rpc.getBlocksByNumber(numbers)).map((h) => [(h as BlockHeader).number, h as BlockHeader]),
  )
  harness = await openStepHarness()
  const step = createOwnersStep(localChainOptions(anvil.url), { adaptive: { initial: 2, max: 4 } })
  outcome = await step.run(harness.context())
}, 120_000)

afterAll(async () => {
  await harness?.close()
  await anvil?.close()
})

describe('the owners step on anvil', () => {
  it('covers every block and quarantines nothing', async () => {
    expect(outcome.failures).toEqual([])
    expect(outcome.complete).toBe(true)
    const coverage = await ownersCoverage(harness.checkpoints, { from: 0, to: await anvil.rpc.blockNumber() })
    expect(coverage.gaps).toEqual([])
    const quarantined = await rows(
      harness.warehouse,
      "SELECT reason FROM etl_quarantine FINAL WHERE stream = 'wallet_owners'",
    )
    expect(quarantined).toEqual([])
  })

  it('stores the Safe and the proxy wallet with their owners, field by field', async () => {
    const loaded = await rows<Record<string, string>>(
      harness.warehouse,
      `SELECT wallet, owner, toString(kind) AS kind, factory, toString(created_block) AS created_block,
              toString(log_index) AS log_index, tx_hash, block_hash, toString(toUnixTimestamp(block_time)) AS time
       FROM wallet_owners FINAL ORDER BY kind`,
    )
    const [safe, proxy] = [emitted[0], emitted[1]] as [EmittedLog, EmittedLog]
    const expected = [
      {
        wallet: proxyOf(PROXY_OWNER),
        owner: PROXY_OWNER,
        kind: 'proxy',
        factory: PROXY_WALLET_FACTORY,
        created_block: String(proxy.blockNumber),
        log_index: '0',
        tx_hash: proxy.txHash,
        block_hash: headers.get(proxy.blockNumber)?.hash,
        time: String(headers.get(proxy.blockNumber)?.timestamp),
      },
      {
        wallet: SAFE,
        owner: SAFE_OWNER,
        kind: 'safe',
        factory: SAFE_PROXY_FACTORY,
        created_block: String(safe.blockNumber),
        log_index: '0',
        tx_hash: safe.txHash,
        block_hash: headers.get(safe.blockNumber)?.hash,
        time: String(headers.get(safe.blockNumber)?.timestamp),
      },
    ]
    expect(loaded).toEqual(expected)
    // The later call of the same owner came in a later block: created_block above is the first call's.
    const later = emitted[emitted.length - 1] as EmittedLog
    expect(later.blockNumber).toBeGreaterThan(proxy.blockNumber)
  })
})
