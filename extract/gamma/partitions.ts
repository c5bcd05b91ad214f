// Disjoint slices of a Gamma keyset list that can be walked at the same time: open and closed
// records, each split into start-date windows. One walk is sequential (each page needs the last
// page's cursor), so slices are what lets a run use the whole rate limit.

/** Polymarket opened in 2020: no market or event starts earlier. Earlier ones fall in the first tail. */
export const PARTITION_EPOCH = Date.UTC(2020, 0, 1)
/** Months per window: enough slices to keep ~10 walks busy, few enough that empty ones cost little. */
export const PARTITION_MONTHS = 1

export interface Partition {
  /** Stable name, the checkpoint's unit: `closed=true|2025-03`. */
  id: string
  filters: Record<string, string>
  /** The start-date bounds of `filters` in epoch ms (inclusive): every record served lies within. */
  window: { min?: number; max?: number }
}

/** Values of Gamma's `closed` filter: every record is one or the other. */
export const CLOSED_VALUES = ['false', 'true'] as const

/**
 * Windows are [start, next start] with both ends inclusive, as Gamma's date filters are: a record
 * starting exactly on a boundary is fetched twice and kept once (ReplacingMergeTree on the id),
 * while half-open windows could lose one that starts between a boundary and its next millisecond.
 * Records without a start date match no window (a database compares NULL with nothing); the markets
 * step's closing pass reaches them (steps/markets/closing.ts).
 */
export function keysetPartitions(now: number = Date.now(), months: number = PARTITION_MONTHS): Partition[] {
  const partitions: Partition[] = []
  for (const closed of CLOSED_VALUES) {
    partitions.push({
      id: `closed=${closed}|before-${monthName(PARTITION_EPOCH)}`,
      filters: { closed, start_date_max: iso(PARTITION_EPOCH) },
      window: { max: PARTITION_EPOCH },
    })
    let start = PARTITION_EPOCH
    while (start <= now) {
      const end = addMonths(start, months)
      partitions.push({
        id: `closed=${closed}|${monthName(start)}`,
        filters: { closed, start_date_min: iso(start), start_date_max: iso(end) },
        window: { min: start, max: end },
      })
      start = end
    }
    partitions.push({
      id: `closed=${closed}|from-${monthName(start)}`,
      filters: { closed, start_date_min: iso(start) },
      window: { min: start },
    })
  }
  return partitions
}

function addMonths(time: number, months: number): number {
  const date = new Date(time)
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1)
}

function monthName(time: number): string {
  return new Date(time).toISOString().slice(0, 7)
}

function iso(time: number): string {
  return new Date(time).toISOString().replace('.000Z', 'Z')
}
