// How many blocks to ask eth_getLogs for next. Pure: the chain step reports what happened and
// asks for the next range. Start moderate, double on success, shrink when the provider says the
// range or its result is too large (to the range it suggests, or its stated cap, else by half),
// never below one block. One instance can serve concurrent workers: feedback about a request
// smaller than the current size never grows it back.
import type { BlockRange, GetLogsErrorClassification } from './provider-errors.ts'

/**
 * First request size. Below the block-range caps of every provider in provider-errors.ts except
 * Alchemy's free tier (500) and 1RPC (1,000), which say so and are met after one refusal; and
 * small enough that a busy stretch of Polymarket fills stays under the common 10,000-result cap
 * (Infura, geth) in most windows — too-many-results shrinks it further where it does not.
 */
export const INITIAL_RANGE_BLOCKS = 1_000
/**
 * Upper bound for uncapped endpoints (own node, anvil): Reth's default per-filter limit, seen as
 * "query exceeds max block range 100000" from Reth-based chains. Wider requests only trade many
 * small answers for one huge response held in memory.
 */
export const MAX_RANGE_BLOCKS = 100_000
/** A range is never smaller than one block. */
export const MIN_RANGE_BLOCKS = 1
/** Growth per successful request (ponder and most indexers double). */
export const GROWTH_FACTOR = 2

export interface AdaptiveRangeOptions {
  initial?: number
  max?: number
  growthFactor?: number
}

export type TooLargeFeedback = Pick<GetLogsErrorClassification, 'kind' | 'suggestedRange' | 'maxBlockRange'>

export interface ShrinkResult {
  /** The size the next request will have. */
  size: number
  /** The request was already one block: shrinking cannot help, the caller must give up on it. */
  exhausted: boolean
}

export function blockCount(range: BlockRange): number {
  return range.to - range.from + 1
}

export class AdaptiveRange {
  private current: number
  /** The provider's hard cap on the span, once learned from a range-too-large answer. */
  private cap: number
  private readonly growthFactor: number

  constructor(options: AdaptiveRangeOptions = {}) {
    const max = options.max ?? MAX_RANGE_BLOCKS
    const initial = options.initial ?? INITIAL_RANGE_BLOCKS
    if (!Number.isSafeInteger(max) || max < MIN_RANGE_BLOCKS)
      throw new RangeError(`max range must be ≥ 1, got ${max}`)
    if (!Number.isSafeInteger(initial) || initial < MIN_RANGE_BLOCKS) {
      throw new RangeError(`initial range must be ≥ 1, got ${initial}`)
    }
    this.cap = max
    this.current = Math.min(initial, max)
    this.growthFactor = options.growthFactor ?? GROWTH_FACTOR
    if (!(this.growthFactor > 1)) throw new RangeError(`growth factor must be > 1, got ${this.growthFactor}`)
  }

  /** Blocks the next request will span. */
  get size(): number {
    return this.current
  }

  /** The largest span the provider accepts, as far as we know. */
  get ceiling(): number {
    return this.cap
  }

  /** The next range: starts at `from`, spans `size` blocks, never past `limitTo`. */
  next(from: number, limitTo: number): BlockRange {
    if (from > limitTo) throw new RangeError(`empty span: ${from} > ${limitTo}`)
    return { from, to: Math.min(limitTo, from + this.current - 1) }
  }

  /** `requested` succeeded: grow, unless it was smaller than the current size (stale feedback). */
  onSuccess(requested: BlockRange): void {
    if (blockCount(requested) < this.current) return
    this.current = Math.max(
      MIN_RANGE_BLOCKS,
      Math.min(this.cap, Math.floor(this.current * this.growthFactor)),
    )
  }

  /** The provider refused `requested` as too large (in span or in results): shrink. */
  onTooLarge(requested: BlockRange, feedback: TooLargeFeedback): ShrinkResult {
    const requestedSize = blockCount(requested)
    if (requestedSize <= MIN_RANGE_BLOCKS) {
      this.current = MIN_RANGE_BLOCKS
      return { size: this.current, exhausted: true }
    }
    const suggested = usefulSuggestion(requested, feedback.suggestedRange)
    let target: number
    if (suggested !== undefined) target = suggested
    else if (feedback.maxBlockRange !== undefined) target = feedback.maxBlockRange
    else target = Math.floor(requestedSize / 2)
    target = Math.max(MIN_RANGE_BLOCKS, Math.min(target, requestedSize - 1))

    if (feedback.kind === 'range-too-large') {
      // A span cap is a property of the provider: never grow past it again. Without a stated cap
      // we only know that `requestedSize` is too many.
      this.cap = Math.max(
        MIN_RANGE_BLOCKS,
        Math.min(this.cap, feedback.maxBlockRange ?? suggested ?? requestedSize - 1),
      )
    }
    // Too many results depends on how busy those blocks were, so it shrinks but does not cap.
    this.current = Math.min(this.current, target, this.cap)
    return { size: this.current, exhausted: false }
  }
}

/**
 * A suggestion helps only if it is a non-empty range strictly smaller than the request (Reth can
 * suggest the very range it refused: base/base#2421). Its length is what we take from it.
 */
function usefulSuggestion(requested: BlockRange, suggested: BlockRange | undefined): number | undefined {
  if (!suggested || suggested.from > suggested.to) return undefined
  const size = blockCount(suggested)
  return size < blockCount(requested) ? size : undefined
}
