// The AMM era's contract facts: the five event signatures hash (keccak-256, viem) to the topic0 values
// public indexers of Polymarket's AMM logs filter on, the ABI fragments have those selectors, and the
// outcome token ids ConditionalTokens assigns are computed as Gnosis' CTHelpers does — checked against
// Polymarket's own subgraph test vectors and against a real AMM-era market's clobTokenIds.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { keccak256, toBytes, toEventSelector } from 'viem'
import { describe, expect, it } from 'vitest'
import {
  AMM_FILTER,
  EVENT_SIGNATURES,
  FPMM_ABI,
  FPMM_FACTORY,
  FPMM_FACTORY_DEPLOYMENT_BLOCK,
  TOPIC0,
  USDC_POLYGON,
} from '../../../extract/chain/contracts.ts'
import { collectionId, outcomeTokenIds } from '../../../extract/chain/ctf-positions.ts'

/**
 * topic0 of each event as public queries over Polygon's logs write it (e.g. Dune's Polymarket AMM
 * volume queries: `topic0 IN (0x4f62…dcf8, 0xadcf…66b4) AND block_number >= 4023680`), typed here by
 * hand, not computed.
 */
const PUBLISHED_TOPIC0 = {
  fpmmCreation: '0x92e0912d3d7f3192cad5c7ae3b47fb97f9c465c1dd12a5c24fd901ddb3905f43',
  fpmmBuy: '0x4f62630f51608fc8a7603a9391a5101e58bd7c276139366fc107dc3b67c3dcf8',
  fpmmSell: '0xadcf2a240ed9300d681d9a3f5382b6c1beed1b7e46643e0c7b42cbe6e2d766b4',
  fpmmFundingAdded: '0xec2dc3e5a3bb9aa0a1deb905d2bd23640d07f107e6ceb484024501aad964a951',
  fpmmFundingRemoved: '0x8b4b2c8ebd04c47fc8bce136a85df9b93fcb1f47c8aa296457d4391519d190e7',
} as const

describe('the AMM era’s events', () => {
  it('hash each signature with keccak-256 to the topic0 indexers filter on', () => {
    for (const [name, published] of Object.entries(PUBLISHED_TOPIC0)) {
      const signature = EVENT_SIGNATURES[name as keyof typeof PUBLISHED_TOPIC0]
      expect(keccak256(toBytes(signature))).toBe(published)
      expect(TOPIC0[name as keyof typeof PUBLISHED_TOPIC0]).toBe(published)
    }
  })

  it('have ABI fragments whose selectors are those topics, and a filter of exactly the five', () => {
    const selectors = FPMM_ABI.map((fragment) => toEventSelector(fragment))
    expect(selectors).toEqual(Object.values(PUBLISHED_TOPIC0))
    expect(AMM_FILTER.address).toEqual([])
    expect([...(AMM_FILTER.topics[0] as readonly string[])].sort()).toEqual(
      Object.values(PUBLISHED_TOPIC0).sort(),
    )
  })

  it('name the factory and collateral lower-case, deployed after ConditionalTokens', () => {
    expect(FPMM_FACTORY).toBe('0x8B9805A2f595B6705e74F7310829f2d299D21522'.toLowerCase())
    expect(USDC_POLYGON).toBe('0x2791Bca1f2de4661ED88A30C99A7a9449Aa84174'.toLowerCase())
    expect(FPMM_FACTORY_DEPLOYMENT_BLOCK).toBe(4_023_693)
  })
})

describe('outcome token ids (CTHelpers)', () => {
  // Polymarket/polymarket-subgraph tests/getCollectionId.test.ts: an even and an odd hash.
  it('computes the collection ids of Polymarket’s subgraph test vectors', () => {
    const even = '0xdb4ab1dbbedd6aeec17aa6e3f66262cff0e3b04742dd3acdf99652575e5422f8'
    expect(collectionId(even, 1n)).toBe('0x12adf3dfeaddeef8f31fa86654bf367c5c7b1e854dff407d7c87ff76af4ad16d')
    expect(collectionId(even, 2n)).toBe('0x2f5ebcc5972889a57d587b7088d543bbf464fbdd2b2c4cb7c276ca3d4d70415b')
    const odd = '0xda558eddf6eb57760bd5371fb313167f871d823a16e9d66fccb292baf2a117c0'
    expect(collectionId(odd, 1n)).toBe('0x45ca66c3edbdbf0fbd03366cf395d3663ee3b34c4db07964bb60e3c7ca7e20e2')
    expect(collectionId(odd, 2n)).toBe('0x416929e8901456139abeec231eba635f911a240961f78919665280c69288ee0d')
  })

  // Polymarket/polymarket-subgraph tests/computePositionId.test.ts.
  it('computes the position ids of Polymarket’s subgraph test vectors', () => {
    expect(
      outcomeTokenIds(
        '0x7d1dc38e60930664f8cbf495da6556ca091d2f92',
        '0xda558eddf6eb57760bd5371fb313167f871d823a16e9d66fccb292baf2a117c0',
        2,
      ),
    ).toEqual([
      '108051088633899060239124498527429950692254744883563327407154880807410490438693',
      '45163082656174410071592939534766820181648934703824597457997612898109272294349',
    ])
  })

  it('gives a real AMM-era market’s clobTokenIds from its condition and USDC', () => {
    const file = path.resolve(
      import.meta.dirname,
      '../../fixtures/polymarket/gamma/resolved-markets-keyset-limit-1.json',
    )
    const market = (JSON.parse(readFileSync(file, 'utf8')) as { markets: Record<string, string>[] })
      .markets[0]
    expect(market?.marketMakerAddress).toMatch(/^0x[0-9a-fA-F]{40}$/)
    const ids = JSON.parse(market?.clobTokenIds ?? '[]') as string[]
    expect(outcomeTokenIds(USDC_POLYGON, market?.conditionId as `0x${string}`, 2)).toEqual(ids)
  })
})
