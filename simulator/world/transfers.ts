// The ERC-1155 traffic of ConditionalTokens that the simulated world implies, generated
// per fill from the fill alone. Each fill owns LOG_SLOTS_PER_FILL log indices of its block
// (fills.ts): its trade's transfers take slots 0–2, its OrderFilled slot 3, and the lifecycle logs
// (lifecycle-logs.ts: the exchange's split, fees, the maker's extras and redemption) follow from 4.
//
//   BUY  (the maker receives shares):
//     slot 0  TransferBatch  0x0 → exchange, every outcome of the market, `shares` each
//             (the exchange splits collateral: a mint of every outcome)
//     slot 1  TransferSingle exchange → maker, the token, shares − fee (positionDelta)
//   SELL (the maker gives shares):
//     slot 2  TransferSingle maker → exchange, the token, `shares`
//
// The lifecycle's transfers (lifecycle.ts) keep a wallet's balance of every token it trades equal to
// its position's size (Σ positionDelta) until its market resolves; what they add (conversions' YES
// tokens) or take (redemptions) is in the truth's positions (positions.ts). Exchanges keep what they
// mint and receive; they are not wallets.
import { CONDITIONAL_TOKENS, ZERO_ADDRESS } from '../../extract/chain/contracts.ts'
import type { Catalog } from './catalog.ts'
import type { Fill } from './fills.ts'
import type { LifecycleLogs } from './lifecycle-logs.ts'

export interface OutcomeTransfer {
  event: 'TransferSingle' | 'TransferBatch'
  operator: string
  from: string
  to: string
  /** Catalog token indices (one for TransferSingle). */
  tokens: number[]
  /** 1e-6 units, one per token. */
  amounts: number[]
  /** Position among the fill's reserved slots: log index = fill.logIndex − 3 + slot. */
  slot: number
  /** The fill's transaction, or the maker's own transaction of extras (lifecycle.ts). */
  transactionHash: string
  transactionIndex: number
}

export const CTF_ADDRESS: string = CONDITIONAL_TOKENS

/** The market's outcome tokens, in outcome order. */
function marketTokens(catalog: Catalog, market: number): number[] {
  const first = catalog.marketTokenStart[market] as number
  const count = catalog.marketOutcomes[market] as number
  return Array.from({ length: count }, (_, k) => first + k)
}

export class TransferGenerator {
  constructor(
    private readonly catalog: Catalog,
    private readonly lifecycle: LifecycleLogs,
  ) {}

  /** The fill's ERC-1155 logs, in log-index order: its trade's, then its lifecycle's. */
  transfersOf(fill: Fill): OutcomeTransfer[] {
    return [...this.tradeTransfersOf(fill), ...this.lifecycle.logsOf(fill).transfers].sort(
      (a, b) => a.slot - b.slot,
    )
  }

  /** The transfers of the trade itself (slots 0–2). */
  tradeTransfersOf(fill: Fill): OutcomeTransfer[] {
    const tx = { transactionHash: fill.transactionHash, transactionIndex: fill.transactionIndex }
    const trade: OutcomeTransfer[] = []
    if (fill.side === 'BUY') {
      const outcomes = marketTokens(this.catalog, fill.market)
      trade.push({
        event: 'TransferBatch',
        operator: fill.exchange,
        from: ZERO_ADDRESS,
        to: fill.exchange,
        tokens: outcomes,
        amounts: outcomes.map(() => fill.shares),
        slot: 0,
        ...tx,
      })
      trade.push(single(fill.exchange, fill.exchange, fill.maker, fill.token, fill.positionDelta, 1, tx))
    } else {
      trade.push(single(fill.exchange, fill.maker, fill.exchange, fill.token, fill.shares, 2, tx))
    }
    return trade
  }
}

function single(
  operator: string,
  from: string,
  to: string,
  token: number,
  amount: number,
  slot: number,
  tx: { transactionHash: string; transactionIndex: number },
): OutcomeTransfer {
  return { event: 'TransferSingle', operator, from, to, tokens: [token], amounts: [amount], slot, ...tx }
}
