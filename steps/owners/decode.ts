// The reference decoder of the wallet owners: a raw log checked at the edge (extract/chain/abi.ts)
// → the wallet it creates and who owns it, or nothing. Two events (extract/chain/contracts.ts):
//   - ProxyCreation(proxy, owner) of Polymarket's Safe factory: a Safe and its owner.
//   - TransactionRelayed(relay, from, to, selector, status, charge) of the GSN RelayHub: when `to`
//     is the proxy wallet factory and the call went through (status 0, RelayCallStatus.OK), `from`
//     owns the proxy wallet derived from it; the factory creates that wallet on its first call, so
//     the earliest such log is the creation. Calls relayed to other contracts, or that failed, carry
//     no wallet: zero rows, not an error.
import { decodeEvent, LogDecodeError, type LogPosition, type RawLog } from '../../extract/chain/abi.ts'
import {
  GSN_RELAY_HUB,
  PROXY_CREATION_ABI,
  PROXY_WALLET_FACTORY,
  SAFE_PROXY_FACTORY,
  TRANSACTION_RELAYED_ABI,
  WALLET_TOPIC0,
} from '../../extract/chain/contracts.ts'
import { proxyWalletOf } from '../../extract/chain/proxy-wallet.ts'

export type WalletKind = 'proxy' | 'safe'

/** One wallet and its owner, as a log tells them. Addresses lower-case. */
export interface WalletOwnership extends LogPosition {
  wallet: string
  owner: string
  kind: WalletKind
  /** The contract that made the wallet (the proxy wallet factory or the Safe factory). */
  factory: string
}

/** GSN v1 RelayCallStatus.OK: the relayed call ran (any other status reverted it). */
const RELAY_CALL_OK = 0

export function decodeOwnership(log: RawLog): WalletOwnership | undefined {
  const topic0 = log.topics[0]
  if (log.address === SAFE_PROXY_FACTORY && topic0 === WALLET_TOPIC0.proxyCreation) {
    const decoded = decodeEvent(log, PROXY_CREATION_ABI)
    return {
      ...decoded.position,
      wallet: decoded.args.proxy.toLowerCase(),
      owner: decoded.args.owner.toLowerCase(),
      kind: 'safe',
      factory: SAFE_PROXY_FACTORY,
    }
  }
  if (log.address === GSN_RELAY_HUB && topic0 === WALLET_TOPIC0.transactionRelayed) {
    const decoded = decodeEvent(log, TRANSACTION_RELAYED_ABI)
    if (decoded.args.to.toLowerCase() !== PROXY_WALLET_FACTORY || decoded.args.status !== RELAY_CALL_OK)
      return undefined
    const owner = decoded.args.from.toLowerCase()
    return {
      ...decoded.position,
      wallet: proxyWalletOf(owner),
      owner,
      kind: 'proxy',
      factory: PROXY_WALLET_FACTORY,
    }
  }
  throw new LogDecodeError(
    `${log.address} topic0 ${topic0 ?? '(none)'} is neither the Safe factory's ProxyCreation nor the RelayHub's TransactionRelayed`,
    log,
  )
}
