// What `status` says about the trade views: how many fills and current positions name a token that
// market_tokens does not know (kept in the views with empty metadata). One scan of each
// source: seconds at 10,000,000 fills, meant for `status`, not for a dashboard refreshed every second.
import type { Warehouse } from '../../load/warehouse.ts'

export interface UnknownTokenCounts {
  fills: number
  fillsWithUnknownToken: number
  positions: number
  positionsWithUnknownToken: number
}

export async function unknownTokenCounts(warehouse: Warehouse): Promise<UnknownTokenCounts> {
  const [row] = await warehouse.query<Record<keyof UnknownTokenCounts, string>>(
    `SELECT
       toString(count()) AS fills,
       toString(countIf(market_known = 0)) AS fillsWithUnknownToken,
       toString((SELECT count() FROM vw_trades_unified WHERE source = 'clob_api')) AS positions,
       toString((SELECT countIf(market_known = 0) FROM vw_trades_unified WHERE source = 'clob_api')) AS positionsWithUnknownToken
     FROM vw_trades_canonical`,
  )
  return {
    fills: Number(row?.fills ?? 0),
    fillsWithUnknownToken: Number(row?.fillsWithUnknownToken ?? 0),
    positions: Number(row?.positions ?? 0),
    positionsWithUnknownToken: Number(row?.positionsWithUnknownToken ?? 0),
  }
}
