// The wallet factories' facts (extract/chain/contracts.ts): each topic0 is keccak-256 of its event
// signature and the selector of its ABI fragment; the proxy wallets' init code hash is the keccak of
// the clone creation code FactoryLib.sol builds from the factory and implementation addresses; and
// polyhouse's derivation of a proxy wallet from its owner agrees with the simulator's, written apart.
import { encodeFunctionData, keccak256, toBytes, toEventSelector } from 'viem'
import { describe, expect, it } from 'vitest'
import {
  GSN_RELAY_HUB,
  PROXY_CREATION_ABI,
  PROXY_WALLET_FACTORY,
  PROXY_WALLET_IMPLEMENTATION,
  PROXY_WALLET_INIT_CODE_HASH,
  SAFE_PROXY_FACTORY,
  TRANSACTION_RELAYED_ABI,
  WALLET_EVENT_SIGNATURES,
  WALLET_TOPIC0,
} from '../../../extract/chain/contracts.ts'
import { proxyWalletOf } from '../../../extract/chain/proxy-wallet.ts'
import { proxyAddressOf } from '../../../simulator/world/owners.ts'

describe('wallet factory events', () => {
  it('computes each topic0 as keccak-256 of its signature', () => {
    for (const [name, signature] of Object.entries(WALLET_EVENT_SIGNATURES))
      expect(WALLET_TOPIC0[name as keyof typeof WALLET_TOPIC0]).toBe(keccak256(toBytes(signature)))
    expect(WALLET_TOPIC0.proxyCreation).toBe(
      '0x4f51faf6c4561ff95f067657e43439f0f856d97c04d9ec9070a6199ad418e235',
    )
    expect(WALLET_TOPIC0.transactionRelayed).toBe(
      '0xab74390d395916d9e0006298d47938a5def5d367054dcca78fa6ec84381f3f22',
    )
  })

  it('has ABI fragments whose selectors are those topic0s', () => {
    expect(toEventSelector(PROXY_CREATION_ABI[0])).toBe(WALLET_TOPIC0.proxyCreation)
    expect(toEventSelector(TRANSACTION_RELAYED_ABI[0])).toBe(WALLET_TOPIC0.transactionRelayed)
  })

  it('holds the addresses lower-case', () => {
    for (const address of [
      PROXY_WALLET_FACTORY,
      PROXY_WALLET_IMPLEMENTATION,
      GSN_RELAY_HUB,
      SAFE_PROXY_FACTORY,
    ])
      expect(address).toMatch(/^0x[0-9a-f]{40}$/)
  })
})

describe('proxy wallet derivation', () => {
  it('uses the keccak of the creation code FactoryLib.computeCreationCode builds', () => {
    // FactoryLib.sol: 0x3d3d606380380380913d393d73 ‖ deployer ‖ 5af4602a…363d73 ‖ target ‖ 5af43d82…f3,
    // then abi.encodeWithSignature("cloneConstructor(bytes)", new bytes(0)).
    const consData = encodeFunctionData({
      abi: [
        {
          type: 'function',
          name: 'cloneConstructor',
          inputs: [{ type: 'bytes', name: 'consData' }],
          outputs: [],
          stateMutability: 'nonpayable',
        },
      ],
      functionName: 'cloneConstructor',
      args: ['0x'],
    })
    const code = `0x3d3d606380380380913d393d73${PROXY_WALLET_FACTORY.slice(2)}5af4602a57600080fd5b602d8060366000396000f3363d3d373d3d3d363d73${PROXY_WALLET_IMPLEMENTATION.slice(2)}5af43d82803e903d91602b57fd5bf3${consData.slice(2)}`
    expect((code.length - 2) / 2).toBe(99 + 68)
    expect(keccak256(code as `0x${string}`)).toBe(PROXY_WALLET_INIT_CODE_HASH)
  })

  it('agrees with the simulator, which derives the CREATE2 address with its own code', () => {
    for (const owner of [
      '0x0000000000000000000000000000000000000001',
      '0x91430cad2d3975766499717fa0d66a78d814e5c5',
      '0xffffffffffffffffffffffffffffffffffffffff',
    ]) {
      expect(proxyWalletOf(owner)).toBe(proxyAddressOf(owner))
      expect(proxyWalletOf(owner)).toMatch(/^0x[0-9a-f]{40}$/)
    }
  })
})
