// Profit and loss by Polymarket's own rules — the pnl-subgraph (Polymarket/polymarket-subgraph
// pnl-subgraph/src: utils/updateUserPositionWithBuy.ts, updateUserPositionWithSell.ts,
// ExchangeMapping.ts, ConditionalTokensMapping.ts, NegRiskAdapterMapping.ts,
// utils/computeNegRiskYesPrice.ts) — applied by the simulator to its own world, event by event. This is
// the truth polyhouse's vw_position_pnl is checked against; it shares no code with it.
//
// Integers throughout, as the subgraph keeps them: amounts in 1e-6 shares, prices and average prices in
// 1e-6 USDC per share (COLLATERAL_SCALE), PnL in 1e-6 USDC; every division truncates toward zero
// (BigInt's `/`, as graph-ts BigInt.div).
//   buy(p, q):  avg ← (avg·amount + p·q) ÷ (amount + q); amount += q; totalBought += q   (q > 0 only)
//   sell(p, q): q' = min(q, amount); realized += q'·(p − avg) ÷ 1e6; amount −= q'

export const COLLATERAL_SCALE = 1_000_000n

export class TokenPnl {
  amount = 0n
  avgPrice = 0n
  totalBought = 0n
  realizedPnl = 0n
  /** USDC of the fees paid on this token's fills (a V1 BUY's share fee valued at the fill's price). */
  fees = 0n
  /** USDC the redemptions of this token paid, as the PnL rules value them (sold amount × payout price). */
  redeemed = 0n

  buy(price: bigint, quantity: bigint): void {
    if (quantity <= 0n) return
    this.avgPrice = (this.avgPrice * this.amount + price * quantity) / (this.amount + quantity)
    this.amount += quantity
    this.totalBought += quantity
  }

  /** Returns the quantity actually sold (never more than the amount held, as the rules track it). */
  sell(price: bigint, quantity: bigint): bigint {
    const sold = quantity > this.amount ? this.amount : quantity
    this.realizedPnl += (sold * (price - this.avgPrice)) / COLLATERAL_SCALE
    this.amount -= sold
    return sold
  }
}

/** A fill's price as the subgraph computes it: quote × 1e6 ÷ base (ExchangeMapping.ts). */
export function fillPrice(collateralUnits: number, shareUnits: number): bigint {
  return (BigInt(collateralUnits) * COLLATERAL_SCALE) / BigInt(shareUnits)
}

/** The price a split buys and a merge sells each of `outcomes` at: 1 ÷ outcome count. */
export function fullSetPrice(outcomes: number): bigint {
  return COLLATERAL_SCALE / BigInt(outcomes)
}

/** Outcome i's payout price after resolution: numerator × 1e6 ÷ Σ numerators. */
export function payoutPrice(numerators: readonly number[], outcome: number): bigint {
  const denominator = numerators.reduce((sum, n) => sum + BigInt(n), 0n)
  return (BigInt(numerators[outcome] as number) * COLLATERAL_SCALE) / denominator
}

/**
 * The YES price of a neg-risk conversion (computeNegRiskYesPrice.ts): from the mean average price of
 * the NO tokens converted, (noPrice·noCount − 1e6·(noCount − 1)) ÷ (questionCount − noCount).
 */
export function negRiskYesPrice(noPrice: bigint, noCount: number, questionCount: number): bigint {
  return (
    (noPrice * BigInt(noCount) - COLLATERAL_SCALE * BigInt(noCount - 1)) / BigInt(questionCount - noCount)
  )
}

/** One wallet's PnL, token by token (tokens keyed by their catalog index). */
export class PnlBook {
  readonly tokens = new Map<number, TokenPnl>()

  of(token: number): TokenPnl {
    let pnl = this.tokens.get(token)
    if (!pnl) {
      pnl = new TokenPnl()
      this.tokens.set(token, pnl)
    }
    return pnl
  }

  /**
   * A conversion of NO tokens `noTokens` into YES tokens `yesTokens` (NegRiskAdapterMapping.ts
   * handlePositionsConverted): each NO is sold at its own average price; the YES tokens are bought at
   * the price that keeps the value, from the mean of those averages.
   */
  convert(
    noTokens: readonly number[],
    yesTokens: readonly number[],
    questionCount: number,
    amount: bigint,
  ): void {
    let noPriceSum = 0n
    for (const token of noTokens) {
      const pnl = this.of(token)
      const average = pnl.avgPrice
      pnl.sell(average, amount)
      noPriceSum += average
    }
    if (yesTokens.length === 0) return
    const noPrice = noPriceSum / BigInt(noTokens.length)
    const yesPrice = negRiskYesPrice(noPrice, noTokens.length, questionCount)
    for (const token of yesTokens) this.of(token).buy(yesPrice, amount)
  }
}
