// The ERC-1155 traffic of ConditionalTokens that the simulated world implies (issue 8), generated
// per fill from the fill alone. Each fill owns log indices 4k … 4k+3 of its block (fills.ts): the
// OrderFilled is at 4k+3 and its transfers take the slots before it, in the same transaction.
//
//   BUY  (the maker receives shares):
//     slot 0  TransferBatch  0x0 → exchange, every outcome of the market, `shares` each
//             (the exchange splits collateral: a mint of both outcomes)
//     slot 1  TransferSingle exchange → maker, the token, shares − fee (positionDelta)
//     slot 2  the opening half of the pair's extra, if any
//   SELL (the maker gives shares):
//     slot 0  the closing half of the pair's extra (a redemption's first burn)
//     slot 1  the closing half (a redemption's second burn, or the only log of the others)
//     slot 2  TransferSingle maker → exchange, the token, `shares`
//
// Extras are drawn per pair of slots (an opening BUY and its later SELL, fills.ts), and each nets
// to zero for every wallet by the time the SELL is mined:
//   transfer     BUY: maker → another wallet, x of the token;     SELL: that wallet → maker, x
//   split-merge  BUY: mint of every outcome to the maker, x each;  SELL: the same batch burned (merge)
//   split-redeem BUY: mint of both outcomes (binary, closed markets); SELL: a TransferSingle burn
//                of each outcome (redemption)
// so a wallet's balance of a token equals its position's size (Σ positionDelta, positions.ts) —
// what the Data API serves — whatever else it did. Exchanges keep what they mint and receive; they
// are not wallets.
import { CONDITIONAL_TOKENS, ZERO_ADDRESS } from '../../extract/chain/contracts.ts'
import { hash } from '../random.ts'
import { type Catalog, MarketFlag } from './catalog.ts'
import type { Fill } from './fills.ts'
import { type Ledger, SHARE_TICK_UNITS } from './ledger.ts'

export type ExtraKind = 'none' | 'transfer' | 'split-merge' | 'split-redeem'

export interface OutcomeTransfer {
  event: 'TransferSingle' | 'TransferBatch'
  operator: string
  from: string
  to: string
  /** Catalog token indices (one for TransferSingle). */
  tokens: number[]
  /** 1e-6 units, one per token. */
  amounts: number[]
  /** Position among the fill's reserved slots (0–2): log index = fill.logIndex − 3 + slot. */
  slot: number
}

/** Per hundred pairs: transfers, then split-merges, then split-redeems (closed binary markets). */
const EXTRA_TRANSFER = 8
const EXTRA_SPLIT_MERGE = 14
const EXTRA_SPLIT_REDEEM = 20

const D = { kind: 0x7a01, other: 0x7a02, amount: 0x7a03 } as const

export const CTF_ADDRESS: string = CONDITIONAL_TOKENS

/** The market's outcome tokens, in outcome order. */
function marketTokens(catalog: Catalog, market: number): number[] {
  const first = catalog.marketTokenStart[market] as number
  const count = catalog.marketOutcomes[market] as number
  return Array.from({ length: count }, (_, k) => first + k)
}

export class TransferGenerator {
  constructor(
    private readonly seed: number,
    private readonly catalog: Catalog,
    private readonly ledger: Ledger,
  ) {}

  /** The extra a pair carries (drawn once per pair, seen alike by its BUY and its SELL). */
  extraOf(fill: Fill): ExtraKind {
    if (!fill.paired) return 'none'
    const draw = hash(this.seed, D.kind, fill.position, fill.pair) % 100
    if (draw < EXTRA_TRANSFER) return this.ledger.walletCount > 1 ? 'transfer' : 'none'
    if (draw < EXTRA_SPLIT_MERGE) return 'split-merge'
    if (draw < EXTRA_SPLIT_REDEEM) {
      const binary = (this.catalog.marketOutcomes[fill.market] as number) === 2
      return binary && this.catalog.has(fill.market, MarketFlag.Closed) ? 'split-redeem' : 'none'
    }
    return 'none'
  }

  /** The wallet a pair's plain transfer goes to and comes back from: never the maker. */
  private counterparty(fill: Fill): string {
    const count = this.ledger.walletCount
    let other = hash(this.seed, D.other, fill.position, fill.pair) % count
    if (other === fill.wallet) other = (other + 1) % count
    return this.ledger.address(other)
  }

  /** The pair's extra amount in 1e-6 units, a whole number of share ticks. */
  private extraAmount(fill: Fill, kind: ExtraKind): number {
    const terms = this.ledger.pair(fill.position, fill.pair)
    if (kind === 'transfer') {
      // 10–50 % of the shares bought: below what the BUY delivered (fees take at most 10 %).
      const percent = 10 + (hash(this.seed, D.amount, fill.position, fill.pair) % 41)
      return Math.max(1, Math.floor((terms.shares * percent) / 100 / SHARE_TICK_UNITS)) * SHARE_TICK_UNITS
    }
    return (1 + (hash(this.seed, D.amount, fill.position, fill.pair) % 2_000)) * 100 * SHARE_TICK_UNITS
  }

  /** The fill's ERC-1155 logs, in log-index order. */
  transfersOf(fill: Fill): OutcomeTransfer[] {
    const kind = this.extraOf(fill)
    const amount = kind === 'none' ? 0 : this.extraAmount(fill, kind)
    const maker = fill.maker
    const out: OutcomeTransfer[] = []
    if (fill.side === 'BUY') {
      const outcomes = marketTokens(this.catalog, fill.market)
      out.push({
        event: 'TransferBatch',
        operator: fill.exchange,
        from: ZERO_ADDRESS,
        to: fill.exchange,
        tokens: outcomes,
        amounts: outcomes.map(() => fill.shares),
        slot: 0,
      })
      out.push(single(fill.exchange, fill.exchange, maker, fill.token, fill.positionDelta, 1))
      if (kind === 'transfer') out.push(single(maker, maker, this.counterparty(fill), fill.token, amount, 2))
      if (kind === 'split-merge' || kind === 'split-redeem') {
        out.push({
          event: 'TransferBatch',
          operator: maker,
          from: ZERO_ADDRESS,
          to: maker,
          tokens: outcomes,
          amounts: outcomes.map(() => amount),
          slot: 2,
        })
      }
      return out
    }
    if (kind === 'transfer') {
      const other = this.counterparty(fill)
      out.push(single(other, other, maker, fill.token, amount, 1))
    } else if (kind === 'split-merge') {
      const outcomes = marketTokens(this.catalog, fill.market)
      out.push({
        event: 'TransferBatch',
        operator: maker,
        from: maker,
        to: ZERO_ADDRESS,
        tokens: outcomes,
        amounts: outcomes.map(() => amount),
        slot: 1,
      })
    } else if (kind === 'split-redeem') {
      const [first, second] = marketTokens(this.catalog, fill.market) as [number, number]
      out.push(single(maker, maker, ZERO_ADDRESS, first, amount, 0))
      out.push(single(maker, maker, ZERO_ADDRESS, second, amount, 1))
    }
    out.push(single(fill.exchange, maker, fill.exchange, fill.token, fill.shares, 2))
    return out
  }
}

function single(
  operator: string,
  from: string,
  to: string,
  token: number,
  amount: number,
  slot: number,
): OutcomeTransfer {
  return { event: 'TransferSingle', operator, from, to, tokens: [token], amounts: [amount], slot }
}
