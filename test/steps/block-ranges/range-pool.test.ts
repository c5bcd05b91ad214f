// The pool of blocks a pass fetches, shared by the workers of every endpoint: claims from the lowest
// free block but never above the claimant's head, tails of shrunk claims back to the pool, ranges
// that failed on one endpoint handed to another, and what none can take any more set apart.
import { describe, expect, it } from 'vitest'
import { RangeSet } from '../../../checkpoints/range-set.ts'
import { RangePool } from '../../../steps/block-ranges/range-pool.ts'

const healthy = { name: 'https://a.example', head: 10_000 }
const lagging = { name: 'https://b.example', head: 2_500 }
const other = { name: 'https://c.example', head: 10_000 }

describe('RangePool', () => {
  it('claims from the lowest free block, never above the claimant’s head', () => {
    const pool = new RangePool(RangeSet.of({ from: 1_000, to: 5_999 }))
    expect(pool.claim(1_000, healthy)?.range).toEqual({ from: 1_000, to: 1_999 })
    expect(pool.claim(1_000, lagging)?.range).toEqual({ from: 2_000, to: 2_500 })
    expect(pool.claimable(lagging)).toBe(false)
    expect(pool.claim(1_000, lagging)).toBeUndefined()
    expect(pool.claim(1_000, healthy)?.range).toEqual({ from: 2_501, to: 3_500 })
    expect(pool.idle).toBe(false)
  })

  it('takes back the tail of a shrunk claim and the whole of one given back', () => {
    const pool = new RangePool(RangeSet.of({ from: 0, to: 999 }))
    const claim = pool.claim(1_000, healthy)
    expect(claim?.range).toEqual({ from: 0, to: 999 })
    pool.release({ from: 250, to: 999 })
    expect(pool.claim(1_000, other)?.range).toEqual({ from: 250, to: 999 })
    pool.finish()
    pool.giveBack({ from: 0, to: 249 })
    expect(pool.claim(1_000, other)?.range).toEqual({ from: 0, to: 249 })
    pool.finish()
    expect(pool.idle).toBe(true)
  })

  it('hands a failed range to an endpoint that has not tried it and can reach it, before new blocks', () => {
    const pool = new RangePool(RangeSet.of({ from: 0, to: 9_999 }))
    const failed = pool.claim(3_000, healthy)
    expect(failed?.range).toEqual({ from: 0, to: 2_999 })
    failed?.triedBy.add(healthy.name)
    pool.handOff(failed as NonNullable<typeof failed>)
    // Not back to the endpoint that failed it, not to one whose head is below it.
    expect(pool.claim(3_000, healthy)?.range).toEqual({ from: 3_000, to: 5_999 })
    expect(pool.claim(3_000, lagging)).toBeUndefined()
    const taken = pool.claim(3_000, other)
    expect(taken?.range).toEqual({ from: 0, to: 2_999 })
    expect([...(taken?.triedBy ?? [])]).toEqual([healthy.name])
  })

  it('sets apart handed-off ranges no endpoint left can take, and drops blocks above every head', () => {
    const pool = new RangePool(RangeSet.of({ from: 0, to: 4_999 }))
    const failed = pool.claim(1_000, healthy) as NonNullable<ReturnType<RangePool['claim']>>
    failed.triedBy.add(healthy.name)
    pool.handOff(failed)
    expect(pool.takeUnservable([healthy, other])).toEqual([])
    const stuck = pool.takeUnservable([healthy, { ...lagging, head: 500 }])
    expect(stuck.map((claim) => claim.range)).toEqual([{ from: 0, to: 999 }])
    expect(pool.abandonFree()).toEqual([{ from: 1_000, to: 4_999 }])
    expect(pool.idle).toBe(true)
  })
})
