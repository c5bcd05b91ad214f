// The AMM era's events (world/amm.ts) as eth_getLogs entries: the factory's creation and the market
// makers' FPMMBuy, FPMMSell, FPMMFundingAdded and FPMMFundingRemoved, ABI-encoded by viem over the
// event fragments polyhouse decodes (extract/chain/contracts.ts FPMM_ABI, checked there against the
// published topic0 values). A few hundred logs a world: no fast path needed.
import { encodeAbiParameters, encodeEventTopics, type Hex } from 'viem'
import { CONDITIONAL_TOKENS, FPMM_ABI, FPMM_FACTORY, USDC_POLYGON } from '../../extract/chain/contracts.ts'
import { AMM_FEE, type AmmEvent, type AmmEventKind } from './amm.ts'
import type { Catalog } from './catalog.ts'
import type { BlockParts, JsonBuffer } from './log-writer.ts'

const FRAGMENT: Record<AmmEventKind, (typeof FPMM_ABI)[number]> = {
  creation: FPMM_ABI[0],
  buy: FPMM_ABI[1],
  sell: FPMM_ABI[2],
  added: FPMM_ABI[3],
  removed: FPMM_ABI[4],
}

const hex = (address: string) => address as Hex
const nonIndexed = (kind: AmmEventKind) => FRAGMENT[kind].inputs.filter((input) => !input.indexed)

/** The log's emitter: the factory for a creation, else the market maker. */
export function ammEmitter(event: AmmEvent): string {
  return event.kind === 'creation' ? FPMM_FACTORY : event.marketMaker
}

export function ammTopics(event: AmmEvent): string[] {
  const actor = hex(event.actor)
  const outcomeIndex = BigInt(event.outcome)
  switch (event.kind) {
    case 'creation':
      return encodeEventTopics({
        abi: [FPMM_ABI[0]],
        args: {
          creator: actor,
          conditionalTokens: hex(CONDITIONAL_TOKENS),
          collateralToken: hex(USDC_POLYGON),
        },
      }) as string[]
    case 'buy':
      return encodeEventTopics({ abi: [FPMM_ABI[1]], args: { buyer: actor, outcomeIndex } }) as string[]
    case 'sell':
      return encodeEventTopics({ abi: [FPMM_ABI[2]], args: { seller: actor, outcomeIndex } }) as string[]
    case 'added':
      return encodeEventTopics({ abi: [FPMM_ABI[3]], args: { funder: actor } }) as string[]
    case 'removed':
      return encodeEventTopics({ abi: [FPMM_ABI[4]], args: { funder: actor } }) as string[]
  }
}

export function ammData(event: AmmEvent, catalog: Catalog): string {
  const params = nonIndexed(event.kind)
  switch (event.kind) {
    case 'creation':
      return encodeAbiParameters(params, [
        hex(event.marketMaker),
        [catalog.conditionId(event.market) as Hex],
        AMM_FEE,
      ])
    case 'buy':
    case 'sell':
      return encodeAbiParameters(params, [event.collateral, event.fee, event.tokens])
    case 'added':
      return encodeAbiParameters(params, [event.amounts, event.shares])
    case 'removed':
      return encodeAbiParameters(params, [event.amounts, event.collateral, event.shares])
  }
}

/** One AMM-era log into `out`, in the shape of the fills' and transfers' logs (log-writer.ts). */
export function writeAmmLog(out: JsonBuffer, event: AmmEvent, catalog: Catalog, block: BlockParts): void {
  out.write(`{"address":"${ammEmitter(event)}","topics":["${ammTopics(event).join('","')}"],"data":"`)
  out.write(ammData(event, catalog))
  out.write(block.beforeTx)
  out.write(event.transactionHash)
  // One log per transaction: its index in the block is the log's.
  out.write(`","transactionIndex":"0x${event.logIndex.toString(16)}`)
  out.write(block.afterTxIndex)
  out.write(`0x${event.logIndex.toString(16)}","removed":false}`)
}
