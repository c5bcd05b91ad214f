// The simulated world: markets and events (catalog), wallets and positions (ledger), the chain
// and its fills. Built from the seed and scale knobs in memory proportional to markets, wallets
// and positions — never to fills, which are generated on demand per block range or per wallet.
import { seedFrom } from '../random.ts'
import { AmmEra } from './amm.ts'
import { Catalog, MarketFlag } from './catalog.ts'
import { ChainLayout } from './chain.ts'
import { FillGenerator } from './fills.ts'
import { Ledger } from './ledger.ts'
import { Lifecycle } from './lifecycle.ts'
import { LifecycleLogs } from './lifecycle-logs.ts'
import { OwnerLogs } from './owners.ts'
import { type PositionState, type PositionView, positionView } from './positions.ts'
import { TransferGenerator } from './transfers.ts'
import { type TokenState, walletBook } from './wallet-book.ts'

export interface WorldShape {
  seed: string | number
  markets: number
  wallets: number
  fills: number
  /** Chain length in blocks, from the V1 deployment block to the tip. */
  blocks: number
  /** Fraction of records (markets, events, positions) served with a field of the wrong type. */
  driftRate: number
}

/** Per-wallet positions are recomputed from fills; keep the most recent wallets' results. */
const WALLET_CACHE_SIZE = 256

export class World {
  readonly seed: number
  readonly chain: ChainLayout
  readonly catalog: Catalog
  readonly ledger: Ledger
  readonly fills: FillGenerator
  /** What happens to outcome tokens besides trading (world/lifecycle.ts), and its logs. */
  readonly lifecycle: Lifecycle
  readonly lifecycleLogs: LifecycleLogs
  /** The ERC-1155 transfers each fill implies (world/transfers.ts). */
  readonly transfers: TransferGenerator
  /** The AMM era before the exchanges: market makers, their trades and funding (world/amm.ts). */
  readonly amm: AmmEra
  /** The factories' logs that say who owns each proxy wallet and Safe (world/owners.ts). */
  readonly owners: OwnerLogs
  private readonly cache = new Map<number, PositionView[]>()
  private readonly books = new Map<number, TokenState[]>()

  constructor(readonly shape: WorldShape) {
    this.seed = seedFrom(shape.seed)
    this.chain = new ChainLayout(this.seed, shape.fills, shape.blocks)
    this.catalog = new Catalog(
      this.seed,
      shape.markets,
      this.chain.timestamp(this.chain.tip),
      shape.driftRate,
    )
    if (this.catalog.tokenCount === 0)
      throw new RangeError('simulator: no deployed market, so no token to trade')
    const catalog = this.catalog
    const tokenFamily = (token: number) =>
      catalog.has(catalog.tokenMarket[token] as number, MarketFlag.NegRisk) ? 1 : 0
    this.ledger = new Ledger(this.seed, shape.wallets, catalog.tokenCount, shape.fills, tokenFamily)
    this.fills = new FillGenerator(this.seed, this.catalog, this.ledger, this.chain)
    this.lifecycle = new Lifecycle(this.seed, this.fills, shape.driftRate)
    this.lifecycleLogs = new LifecycleLogs(this.catalog, this.lifecycle)
    this.transfers = new TransferGenerator(this.catalog, this.lifecycleLogs)
    this.amm = new AmmEra(this.catalog, this.chain)
    const ledger = this.ledger
    this.owners = new OwnerLogs(
      this.seed,
      this.chain,
      ledger.walletKinds.map((kind, w) => ({
        kind,
        address: ledger.address(w),
        owner: ledger.walletOwners[w] ?? '',
      })),
    )
  }

  /** Every token a wallet touched, with its balance and PnL (cached: whales cost thousands of fills). */
  walletBook(wallet: number): TokenState[] {
    const cached = this.books.get(wallet)
    if (cached) {
      this.books.delete(wallet)
      this.books.set(wallet, cached)
      return cached
    }
    const book = walletBook(this, wallet)
    this.books.set(wallet, book)
    if (this.books.size > WALLET_CACHE_SIZE) this.books.delete(this.books.keys().next().value as number)
    return book
  }

  /** Every position of a wallet, as the Data API sees it: the tokens it holds. */
  walletPositionViews(wallet: number): PositionView[] {
    const cached = this.cache.get(wallet)
    if (cached) {
      this.cache.delete(wallet)
      this.cache.set(wallet, cached)
      return cached
    }
    const states: PositionState[] = this.walletBook(wallet)
      .filter((state) => state.size > 0)
      .map((state) => ({ ...state, wallet }))
    const held = new Set(states.map((s) => s.token))
    const views = states.map((state) => positionView(this.fills, state, held, this.shape.driftRate))
    this.cache.set(wallet, views)
    if (this.cache.size > WALLET_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as number)
    return views
  }
}
