// The closing pass reads Gamma's list ordered by startDate and trusts a page only when it is in that
// order, with records lacking the date together at an end: a page in id order (a server ignoring
// `order`) must fail the check, so the pass walks the whole list rather than miss records.
import { describe, expect, it } from 'vitest'
import { sortedWithUndatedAtEnds } from '../../steps/markets/closing.ts'

const U = undefined
describe('sortedWithUndatedAtEnds', () => {
  it.each([
    { starts: [U, U, 30, 20, 10], ascending: false, sorted: true, why: 'NULLS FIRST, descending' },
    { starts: [10, 20, 30, U, U], ascending: true, sorted: true, why: 'NULLS LAST, ascending' },
    { starts: [U, 10, 20], ascending: true, sorted: true, why: 'NULL lowest, ascending' },
    { starts: [U, U], ascending: false, sorted: true, why: 'nothing dated' },
    { starts: [], ascending: true, sorted: true, why: 'an empty list' },
    { starts: [10, 20, 30], ascending: false, sorted: false, why: 'ascending dates asked descending' },
    { starts: [30, U, 20], ascending: false, sorted: false, why: 'an undated record between dated ones' },
    { starts: [10, 30, 20], ascending: true, sorted: false, why: 'dates out of order' },
    { starts: [20, 20, 10], ascending: false, sorted: true, why: 'ties' },
    { starts: [U, 30, Number.NaN, 10], ascending: false, sorted: true, why: 'a date that does not read' },
    { starts: [30, Number.NaN, U, 10], ascending: false, sorted: false, why: 'an undated record after it' },
  ])('$why: $sorted', ({ starts, ascending, sorted }) => {
    expect(sortedWithUndatedAtEnds(starts, ascending)).toBe(sorted)
  })
})
