// The address of a Polymarket proxy wallet, derived from its owner as the factory creates it: a
// CREATE2 clone of the implementation, salted with keccak256(abi.encodePacked(owner))
// (Polymarket/proxy-factories FactoryLib.sol and ProxyWalletFactory.sol makeWallet; the same
// derivation Polymarket's wallet subgraph runs, common/utils/computeProxyWalletAddress.ts).
import { encodePacked, getCreate2Address, keccak256 } from 'viem'
import { type Address, PROXY_WALLET_FACTORY, PROXY_WALLET_INIT_CODE_HASH } from './contracts.ts'

/** The proxy wallet `owner` gets from the factory (lower-case). */
export function proxyWalletOf(owner: string): Address {
  return getCreate2Address({
    from: PROXY_WALLET_FACTORY,
    salt: keccak256(encodePacked(['address'], [owner as Address])),
    bytecodeHash: PROXY_WALLET_INIT_CODE_HASH,
  }).toLowerCase() as Address
}
