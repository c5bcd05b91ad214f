// Text forms the real payloads use for times and amounts (SOURCES.md "Timestamps come in mixed
// formats"): ISO with and without milliseconds, Postgres-style `2024-07-18 00:10:37.491895+00`,
// bare dates; decimal strings for amounts.

/** `2026-07-31T12:00:00Z` */
export function isoSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z')
}

/** `2025-05-02T15:04:43.762151Z` (microseconds, as Gamma's createdAt/updatedAt). */
export function isoMicros(seconds: number, micros: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${String(micros % 1_000_000).padStart(6, '0')}Z`
}

/** `2026-01-01 07:30:39+00`, or with microseconds `2024-07-18 00:10:37.491895+00` (non-ISO closedTime). */
export function postgresTime(seconds: number, micros?: number): string {
  const base = new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ')
  return micros === undefined ? `${base}+00` : `${base}.${String(micros % 1_000_000).padStart(6, '0')}+00`
}

/** `2026-07-31` */
export function dateOnly(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10)
}

/** 1e-6 units as a decimal string without trailing zeros: 858688426815 → "858688.426815". */
export function microsToDecimal(units: number): string {
  const negative = units < 0
  const abs = Math.abs(units)
  const whole = Math.floor(abs / 1_000_000)
  const fraction = String(abs % 1_000_000)
    .padStart(6, '0')
    .replace(/0+$/, '')
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`
}

/** Rounds to 4 decimals, as the Data API prints money and prices. */
export function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000
}
