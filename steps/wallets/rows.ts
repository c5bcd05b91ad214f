// Data API positions (validated by extract/data-api/schemas.ts) as rows of `positions`.
import type { PositionRow } from '../../extract/data-api/schemas.ts'
import { fixedDecimal } from '../../extract/decimal.ts'

/** Prices and ratios into Decimal(38,18). */
function ratio(value: string | null): string {
  return (value && fixedDecimal(value, 18)) || '0'
}

export function positionRow(position: PositionRow, raw: unknown, snapshotAt: number, runId: string) {
  return {
    wallet: position.proxyWallet,
    token_id: position.asset,
    condition_id: position.conditionId,
    outcome: position.outcome ?? '',
    outcome_index: position.outcomeIndex ?? 0,
    size: position.size,
    avg_price: ratio(position.avgPrice),
    initial_value: position.initialValue ?? '0',
    current_value: position.currentValue ?? '0',
    cash_pnl: position.cashPnl ?? '0',
    realized_pnl: position.realizedPnl ?? '0',
    percent_pnl: ratio(position.percentPnl),
    cur_price: ratio(position.curPrice),
    redeemable: position.redeemable,
    mergeable: position.mergeable,
    negative_risk: position.negativeRisk,
    title: position.title ?? '',
    slug: position.slug ?? '',
    event_id: position.eventId && /^\d+$/.test(position.eventId) ? position.eventId : '0',
    end_date:
      position.endDate && /^\d{4}-\d{2}-\d{2}/.test(position.endDate) ? position.endDate.slice(0, 10) : null,
    snapshot_at: snapshotAt,
    raw: JSON.stringify(raw),
    _run_id: runId,
  }
}
