// Who is behind each simulated wallet, as Polymarket's factories record it on chain: most wallets are
// proxy wallets (email / Magic users) or Gnosis Safes (browser-wallet users), each with an owner EOA;
// the rest are plain EOAs (their own owner). A proxy wallet's address is derived from its owner as
// the factory does (CREATE2, written out here with keccak, apart from polyhouse's own derivation);
// a Safe's is random, its ProxyCreation log names both. The logs: a Safe's ProxyCreation at its
// creation block; for a proxy wallet, the RelayHub's TransactionRelayed of each call to the factory
// (the first creates it, one more follows later); and relayed calls that create nothing — to another
// recipient, or to the factory but failed — which a loader must ignore.
import { concat, keccak256, pad } from 'viem'
import {
  GSN_RELAY_HUB,
  PROXY_WALLET_FACTORY,
  SAFE_PROXY_FACTORY,
  WALLET_TOPIC0,
} from '../../extract/chain/contracts.ts'
import { hash, hexWords, unit } from '../random.ts'
import type { ChainLayout } from './chain.ts'

/**
 * keccak256 of the proxy wallet clone's creation code (Polymarket/proxy-factories FactoryLib.sol
 * computeCreationCode over the factory and implementation 0x44e999d5…eb4f, plus the
 * cloneConstructor("") call), as Polymarket's clients hard-code it.
 */
const PROXY_INIT_CODE_HASH = '0xd21df8dc65880a8606f09fe0ce3df9b8869287ab0b058be05aa9e8af6330a00b'
/** Shares of wallet kinds (Polymarket has both proxy and Safe users; no public split, assumption). */
const SHARE_PROXY = 0.45
const SHARE_SAFE = 0.45
/** Log indexes of owner logs start here, above any fill's slots, so a block's keys never collide. */
export const OWNER_LOG_INDEX_BASE = 1_000_000
/** Transaction indexes of owner logs likewise (one transaction each). */
export const OWNER_TX_INDEX_BASE = 100_000
/** proxy(calls) selector of the proxy wallet factory: bytes4(keccak256("proxy((uint8,address,uint256,bytes)[])")). */
const PROXY_SELECTOR = keccak256(new TextEncoder().encode('proxy((uint8,address,uint256,bytes)[])')).slice(
  0,
  10,
)
const RELAYER = '0x7f2e0a1b5a3b5b6ce1d1a5f1c6e0f9b8a7c6d5e4'

const D = { kind: 0x0a01, owner: 0x0a02, safe: 0x0a03, block: 0x0a04, noise: 0x0a05 } as const

export type WalletKind = 'eoa' | 'proxy' | 'safe'

export interface OwnerTruth {
  wallet: string
  owner: string
  kind: 'proxy' | 'safe'
  createdBlock: number
}

/** One owner log as served by eth_getLogs. */
export interface OwnerLog {
  block: number
  /** Position among the block's owner logs (log index = OWNER_LOG_INDEX_BASE + ordinal). */
  ordinal: number
  address: string
  topics: string[]
  data: string
  transactionHash: string
}

/** Every 53rd wallet has a vanity address (ledger.ts): those stay plain EOAs. */
export function walletKind(seed: number, w: number, vanity: boolean): WalletKind {
  if (vanity) return 'eoa'
  const r = unit(seed, D.kind, w)
  return r < SHARE_PROXY ? 'proxy' : r < SHARE_PROXY + SHARE_SAFE ? 'safe' : 'eoa'
}

export function ownerOf(seed: number, w: number): string {
  return `0x${hexWords(5, seed, D.owner, w)}`
}

/** The proxy wallet of `owner`: keccak256(0xff ++ factory ++ keccak256(owner) ++ init code hash)[12:]. */
export function proxyAddressOf(owner: string): string {
  const salt = keccak256(owner as `0x${string}`)
  const digest = keccak256(concat(['0xff', PROXY_WALLET_FACTORY, salt, PROXY_INIT_CODE_HASH]))
  return `0x${digest.slice(26)}`
}

export function safeAddressOf(seed: number, w: number): string {
  return `0x${hexWords(5, seed, D.safe, w)}`
}

const word = (value: number | string) =>
  typeof value === 'string' ? value.slice(2).padStart(64, '0') : value.toString(16).padStart(64, '0')
const topicOf = (address: string) => pad(address as `0x${string}`, { size: 32 })

export class OwnerLogs {
  /** Sorted by (block, ordinal). */
  readonly logs: OwnerLog[] = []
  readonly truth: OwnerTruth[] = []

  constructor(
    seed: number,
    chain: ChainLayout,
    wallets: readonly { address: string; kind: WalletKind; owner: string }[],
  ) {
    // Wallets are created in the first tenth of the chain; later calls anywhere after.
    const span = Math.max(1, Math.floor((chain.tip - chain.startBlock) / 10))
    const pending: Omit<OwnerLog, 'ordinal'>[] = []
    const tx = (w: number, salt: number) => `0x${hexWords(8, seed, D.block, w, salt)}`
    wallets.forEach((wallet, w) => {
      if (wallet.kind === 'eoa') return
      const created = chain.startBlock + (hash(seed, D.block, w, 1) % span)
      this.truth.push({
        wallet: wallet.address,
        owner: wallet.owner,
        kind: wallet.kind,
        createdBlock: created,
      })
      if (wallet.kind === 'safe') {
        pending.push({
          block: created,
          address: SAFE_PROXY_FACTORY,
          topics: [WALLET_TOPIC0.proxyCreation],
          data: `0x${word(wallet.address)}${word(wallet.owner)}`,
          transactionHash: tx(w, 2),
        })
        return
      }
      const later = created + 1 + (hash(seed, D.block, w, 3) % Math.max(1, chain.tip - created))
      for (const [block, salt] of [
        [created, 4],
        [Math.min(later, chain.tip), 5],
      ] as const)
        pending.push(relayed(wallet.owner, PROXY_WALLET_FACTORY, 0, block, tx(w, salt)))
      // Calls that create nothing: one relayed elsewhere, one to the factory that failed.
      if (w % 7 === 0)
        pending.push(relayed(wallet.owner, `0x${hexWords(5, seed, D.noise, w)}`, 0, created, tx(w, 6)))
      if (w % 11 === 0)
        pending.push(
          relayed(`0x${hexWords(5, seed, D.noise, w, 1)}`, PROXY_WALLET_FACTORY, 1, created, tx(w, 7)),
        )
    })
    pending.sort((a, b) => a.block - b.block)
    let ordinal = 0
    for (let i = 0; i < pending.length; i++) {
      const log = pending[i] as Omit<OwnerLog, 'ordinal'>
      ordinal = i > 0 && (pending[i - 1] as OwnerLog).block === log.block ? ordinal + 1 : 0
      this.logs.push({ ...log, ordinal })
    }
  }

  /** Index of the first log at or after `block`. */
  firstAt(block: number): number {
    let lo = 0
    let hi = this.logs.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((this.logs[mid] as OwnerLog).block < block) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

/** A TransactionRelayed of the GSN RelayHub: relay, from, to indexed; selector, status, charge in data. */
function relayed(from: string, to: string, status: number, block: number, transactionHash: string) {
  const selector = `${PROXY_SELECTOR.slice(2)}${'0'.repeat(56)}`
  return {
    block,
    address: GSN_RELAY_HUB,
    topics: [WALLET_TOPIC0.transactionRelayed, topicOf(RELAYER), topicOf(from), topicOf(to)],
    data: `0x${selector}${word(status)}${word(123_456_789)}`,
    transactionHash,
  }
}
