// Words for questions, slugs and descriptions, and the tag catalogue. Payloads should have the
// size and texture of real ones (long descriptions, slugs with numeric suffixes, mixed tags).
import { hash } from '../random.ts'

const SUBJECTS = [
  'Bitcoin',
  'Ethereum',
  'Solana',
  'the Fed',
  'the ECB',
  'Apple',
  'Nvidia',
  'OpenAI',
  'SpaceX',
  'Tesla',
  'Taylor Swift',
  'Drake',
  'Rihanna',
  'the Lakers',
  'Real Madrid',
  'Arsenal',
  'the Yankees',
  'Kraken',
  'MicroStrategy',
  'Donald Trump',
  'the Senate',
  'the UN',
  'Argentina',
  'England',
  'Japan',
  'Brazil',
  'Coinbase',
  'Microsoft',
  'Netflix',
  'GTA VI',
  'the Warriors',
  'Manchester City',
  'Novak Djokovic',
]
const PREDICATES = [
  'win the championship',
  'announce an IPO',
  'cut rates',
  'release a new album',
  'reach an all-time high',
  'sell any Bitcoin',
  'launch a new model',
  'sign the agreement',
  'hold a press conference',
  'be acquired',
  'finish in the top four',
  'hit $100k',
  'ship the product',
  'approve the merger',
  'win the election',
]
const OUTCOME_SETS_MULTI = [
  ['Yes', 'No', 'Unresolved'],
  ['Up', 'Flat', 'Down'],
  ['Home', 'Draw', 'Away'],
  ['Under 2', '2 to 4', 'Over 4', 'None'],
]
const FILLER =
  'This market will resolve according to the official announcement of the relevant authority. ' +
  'If no such announcement is made by the resolution date, the market will resolve to the outcome ' +
  'that a consensus of credible reporting supports. Early resolution is possible if the outcome ' +
  'becomes certain before the end date. The resolution source is a consensus of credible reporting.'

export function pick<T>(list: readonly T[], h: number): T {
  return list[h % list.length] as T
}

export function question(seed: number, market: number): string {
  const subject = pick(SUBJECTS, hash(seed, 0x7e47, market, 1))
  const predicate = pick(PREDICATES, hash(seed, 0x7e47, market, 2))
  return `Will ${subject} ${predicate}?`
}

export function eventTitle(seed: number, event: number, kind: 'single' | 'ladder' | 'negRisk'): string {
  const subject = pick(SUBJECTS, hash(seed, 0x7e47, event, 3))
  const predicate = pick(PREDICATES, hash(seed, 0x7e47, event, 4))
  if (kind === 'ladder') return `${subject} ${predicate} by ___ ?`
  if (kind === 'negRisk') return `Who will ${predicate}: ${subject} edition`
  return `Will ${subject} ${predicate}?`
}

export function slugify(text: string, suffix: number): string {
  const base = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
  return `${base}-${suffix}`
}

export function description(seed: number, key: number, title: string): string {
  const repeats = 1 + (hash(seed, 0x7e47, key, 5) % 3)
  return `This market concerns: ${title}\n\n${FILLER.repeat(repeats)}`
}

export function outcomeNames(
  seed: number,
  market: number,
  count: number,
  negRiskItem: string | null,
): string[] {
  if (count === 2)
    return hash(seed, 0x7e47, market, 6) % 5 === 0 && !negRiskItem ? ['Up', 'Down'] : ['Yes', 'No']
  const sets = OUTCOME_SETS_MULTI.filter((set) => set.length === count)
  return [...pick(sets.length > 0 ? sets : OUTCOME_SETS_MULTI, hash(seed, 0x7e47, market, 7))].slice(0, count)
}

export function groupItemTitle(seed: number, market: number): string {
  return pick(SUBJECTS, hash(seed, 0x7e47, market, 8))
}

export interface Tag {
  id: string
  label: string
  slug: string
  /** Uneven optional keys, as in the real payloads (SOURCES.md "Market tags"). */
  forceShow?: boolean
  publishedAt?: string
  updatedBy?: number
  createdAt?: string
  updatedAt: string
  isCarousel?: boolean
  forceHide?: boolean
  requiresTranslation: boolean
}

const TAG_LABELS: ReadonlyArray<readonly [string, string]> = [
  ['2', 'Politics'],
  ['21', 'Crypto'],
  ['100639', 'Sports'],
  ['120', 'Finance'],
  ['107', 'Business'],
  ['596', 'Culture'],
  ['100215', 'All'],
  ['1', 'Sports Events'],
  ['600', 'IPOs'],
  ['102137', 'Featured'],
  ['101300', 'exchange'],
  ['102109', 'GTA VI'],
  ['101588', '2025 Predictions'],
  ['100350', 'Soccer'],
  ['102232', 'World Cup'],
  ['74', 'Tech'],
  ['1401', 'AI'],
  ['235', 'Bitcoin'],
  ['39', 'Ethereum'],
  ['100196', 'Fed Rates'],
  ['144', 'Elections'],
  ['78', 'Music'],
  ['53', 'Movies'],
  ['64', 'Basketball'],
  ['450', 'NFL'],
  ['101970', 'Weather'],
  ['1013', 'Earnings'],
  ['100328', 'Economy'],
  ['126', 'Trump'],
  ['102127', 'Up or Down'],
  ['1312', 'Geopolitics'],
  ['439', 'Tennis'],
]

export const TAGS: readonly Tag[] = TAG_LABELS.map(([id, label], index) => {
  const tag: Tag = {
    id,
    label,
    slug: slugify(label, index).replace(/-\d+$/, ''),
    updatedAt: '2026-04-17T20:23:54.340488Z',
    requiresTranslation: false,
  }
  if (index % 4 !== 3) tag.forceShow = index % 9 === 0
  if (index % 3 === 0) tag.publishedAt = `2023-1${index % 2}-2${index % 9} 18:55:50.674+00`
  if (index % 5 === 0) tag.updatedBy = 13 + (index % 4)
  if (index % 6 !== 5) tag.createdAt = `2023-11-0${1 + (index % 8)}T21:03:54.564Z`
  if (index % 7 === 2) tag.isCarousel = false
  if (index % 11 === 0) tag.forceHide = true
  return tag
})

/** 1–`max` distinct tags for a key (an event or a standalone market). */
export function tagsFor(seed: number, key: number, max: number): Tag[] {
  const count = 1 + (hash(seed, 0x7a65, key, 0) % max)
  const first = hash(seed, 0x7a65, key, 1) % TAGS.length
  const stride = 1 + (hash(seed, 0x7a65, key, 2) % 5)
  const tags: Tag[] = []
  for (let k = 0; k < count; k++) {
    const tag = TAGS[(first + k * stride) % TAGS.length] as Tag
    if (!tags.includes(tag)) tags.push(tag)
  }
  return tags
}
