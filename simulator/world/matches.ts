// Fills come in matches: fill 2m is a maker fill and 2m+1 the taker leg of the same transaction,
// on the same exchange. A match trades tokens of one exchange family (neg-risk markets on the
// NegRisk exchanges, the others on the CTF exchanges), so the fill index space is split into two
// families by interleaving whole matches (Bresenham-style, exact integer arithmetic), and each
// family has its own slot space. This maps a fill to (family, local index) and back in O(1).
import { div } from './chain.ts'

/** Family 1 trades neg-risk tokens, family 0 the rest. */
export type Family = 0 | 1

export class MatchSplit {
  /** Full matches (pairs of fills); an odd fill count adds one lone fill at the end. */
  readonly matches: number
  readonly lone: boolean
  /** Fills per family (including the lone fill, which belongs to `loneFamily`). */
  readonly familyFills: [number, number]

  constructor(
    readonly fillCount: number,
    /** Matches given to family 1. */
    readonly negRiskMatches: number,
    readonly loneFamily: Family,
  ) {
    this.matches = Math.floor(fillCount / 2)
    this.lone = fillCount % 2 === 1
    if (negRiskMatches < 0 || negRiskMatches > this.matches)
      throw new RangeError('simulator: bad match split')
    const loneExtra = (family: Family) => (this.lone && loneFamily === family ? 1 : 0)
    this.familyFills = [2 * (this.matches - negRiskMatches) + loneExtra(0), 2 * negRiskMatches + loneExtra(1)]
  }

  /** How many of matches 0..m-1 belong to family 1. */
  private negRiskBefore(m: number): number {
    return this.matches === 0 ? 0 : div(m * this.negRiskMatches, this.matches)
  }

  family(index: number): Family {
    const m = Math.floor(index / 2)
    if (m === this.matches) return this.loneFamily
    return this.negRiskBefore(m + 1) > this.negRiskBefore(m) ? 1 : 0
  }

  /** Position of fill `index` in its family's fill sequence (chain order is kept). */
  local(index: number, family: Family): number {
    const m = Math.floor(index / 2)
    if (m === this.matches) return (this.familyFills[family] as number) - 1
    const before = family === 1 ? this.negRiskBefore(m) : m - this.negRiskBefore(m)
    return 2 * before + (index % 2)
  }

  global(family: Family, local: number): number {
    if (this.lone && family === this.loneFamily && local === (this.familyFills[family] as number) - 1) {
      return this.fillCount - 1
    }
    const j = Math.floor(local / 2)
    const role = local % 2
    const otherMatches = this.matches - this.negRiskMatches
    // The j-th match of family 1 is the smallest m with ⌊(m+1)·A/M⌋ > j; of family 0, m = ⌊j·M/B⌋.
    const m =
      family === 1
        ? div((j + 1) * this.matches - 1, this.negRiskMatches)
        : div(j * this.matches, otherMatches)
    return 2 * m + role
  }
}
