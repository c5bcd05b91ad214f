// The blocks still to fetch in one pass, shared by the workers of every endpoint. A worker claims
// from the lowest free block, so commits stay mostly contiguous, and never above its endpoint's head
// (a lagging node must not be asked for blocks it does not have yet: some answer an empty list). A
// shrunk claim gives its tail back; a range that failed on one endpoint is handed to the others
// before it is recorded failed.
import { type BlockRange, RangeSet } from '../../checkpoints/range-set.ts'

/** What a claim needs to know of the endpoint claiming. */
export interface Claimant {
  name: string
  head: number
}

export interface Claim {
  range: BlockRange
  /** Endpoints that already failed this range after their retries. */
  triedBy: Set<string>
  /** The last of those failures, recorded if no endpoint is left to try. */
  lastFailure?: { endpoint: string; error: unknown }
}

export class RangePool {
  private free: RangeSet
  private handedOff: Claim[] = []
  private inFlight = 0
  private listeners: (() => void)[] = []

  constructor(gaps: RangeSet) {
    this.free = gaps
  }

  get idle(): boolean {
    return this.free.isEmpty && this.handedOff.length === 0 && this.inFlight === 0
  }

  get busy(): boolean {
    return this.inFlight > 0
  }

  /** Whether `claimant` could claim something now. */
  claimable(claimant: Claimant): boolean {
    const first = this.free.ranges()[0]
    if (first && first.from <= claimant.head) return true
    return this.handedOff.some((claim) => servable(claim, claimant))
  }

  /** Up to `size` blocks for `claimant`: a range handed off by another endpoint first, else the lowest free. */
  claim(size: number, claimant: Claimant): Claim | undefined {
    const index = this.handedOff.findIndex((claim) => servable(claim, claimant))
    if (index >= 0) {
      const [claim] = this.handedOff.splice(index, 1) as [Claim]
      this.inFlight++
      return claim
    }
    const first = this.free.ranges()[0]
    if (!first || first.from > claimant.head) return undefined
    const range = { from: first.from, to: Math.min(first.to, first.from + size - 1, claimant.head) }
    this.free = this.free.subtract(range.from, range.to)
    this.inFlight++
    return { range, triedBy: new Set() }
  }

  /** Gives blocks back to be claimed again (the tail of a shrunk claim). */
  release(range: BlockRange): void {
    if (range.from > range.to) return
    this.free = this.free.add(range.from, range.to)
    this.notify()
  }

  /** The claim ended: fetched, or failed after its retries (its blocks stay not done until the next run). */
  finish(): void {
    this.inFlight--
    this.notify()
  }

  /** An unfinished claim goes back to the free blocks (the run stops, or its endpoint left it). */
  giveBack(range: BlockRange): void {
    this.free = this.free.add(range.from, range.to)
    this.finish()
  }

  /** A claim that failed on the endpoints in `triedBy` waits for another endpoint. */
  handOff(claim: Claim): void {
    this.handedOff.push(claim)
    this.finish()
  }

  /** Handed-off claims none of `claimants` can take (all tried them, or their heads are below): removed. */
  takeUnservable(claimants: readonly Claimant[]): Claim[] {
    const stuck = this.handedOff.filter((claim) => !claimants.some((claimant) => servable(claim, claimant)))
    this.handedOff = this.handedOff.filter((claim) => !stuck.includes(claim))
    if (stuck.length) this.notify()
    return stuck
  }

  /** Drops the free blocks (none of the endpoints can reach them in this run); returns them. */
  abandonFree(): readonly BlockRange[] {
    const left = this.free.ranges()
    this.free = RangeSet.empty()
    this.notify()
    return left
  }

  /** Resolves at the next change, or after `timeoutMs`. */
  changed(timeoutMs?: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(resolve, timeoutMs)
      this.listeners.push(() => {
        clearTimeout(timer)
        resolve()
      })
    })
  }

  private notify(): void {
    for (const listener of this.listeners.splice(0)) listener()
  }
}

function servable(claim: Claim, claimant: Claimant): boolean {
  return !claim.triedBy.has(claimant.name) && claim.range.to <= claimant.head
}
