// What a served statement is, read from the engine's own rendering of it (formatQuerySingleLine):
// comments gone, keywords upper-cased, escapes in identifiers resolved, one statement. Reading that
// text, not the caller's, means a comment, a line break or `fil\x65` cannot hide anything; only
// string literals need skipping, and the engine has already decided where they start and end.
//
// The checks here cover what the engine's readonly settings leave open in chDB, which runs every
// query as its all-powerful local user (tried on chDB 26.7 with readonly=1): the file() function reads
// any file of the serving host, INTO OUTFILE writes one, and KILL reaches every query in the process,
// the backfill's included. A ClickHouse server closes these by other means (user_files_path, the HTTP
// handler refusing INTO OUTFILE, KILL only for one's own queries).

export interface StatementFacts {
  /** The first keyword, upper-cased: SELECT, WITH, INSERT, SHOW, KILL, … */
  kind: string
  /** The FORMAT clause of a statement that returns rows (an INSERT's FORMAT names its input). */
  outputFormat: string | undefined
  /** The construct that reads or writes files of the serving host, if any. */
  hostFileAccess: string | undefined
}

/** Tokens, each with `at`: where it starts in the text. */
type Token = (
  | { type: 'word'; text: string; quoted: boolean }
  | { type: 'literal' }
  | { type: 'punct'; text: string }
) & { at: number }

/** Functions and table functions that read or write files of the host the engine runs on. */
const HOST_FILE_FUNCTIONS = new Set(['file', 'fileCluster'])

export function inspectStatement(canonical: string): StatementFacts {
  const tokens = tokenize(canonical)
  const first = tokens[0]
  const kind = first?.type === 'word' ? first.text.toUpperCase() : ''
  return {
    kind,
    outputFormat: kind === 'INSERT' ? undefined : outputFormat(tokens),
    hostFileAccess: hostFileAccess(tokens),
  }
}

/** Unquoted words that make an INSERT take its rows from somewhere other than the data after FORMAT. */
const NOT_DATA_INSERT = new Set(['SELECT', 'WITH', 'VALUES', 'FROM', 'INFILE'])

/**
 * For an INSERT whose rows follow it (`INSERT INTO t [(…)] [SETTINGS …] FORMAT name`, nothing after
 * the name), where in `canonical` a `FROM INFILE '…'` clause belongs: before its SETTINGS, else
 * before FORMAT. Undefined for every other statement.
 */
export function infileClauseAt(canonical: string): number | undefined {
  const tokens = tokenize(canonical)
  const plain = (token: Token | undefined, text: string) =>
    token?.type === 'word' && !token.quoted && token.text === text
  const format = tokens[tokens.length - 2]
  if (!plain(tokens[0], 'INSERT') || !plain(format, 'FORMAT') || tokens.at(-1)?.type !== 'word')
    return undefined
  let depth = 0
  let settings: Token | undefined
  for (const token of tokens.slice(0, -2)) {
    if (token.type === 'punct') depth += token.text === '(' ? 1 : token.text === ')' ? -1 : 0
    if (token.type !== 'word' || token.quoted) continue
    if (NOT_DATA_INSERT.has(token.text)) return undefined
    if (token.text === 'SETTINGS' && depth === 0) settings ??= token
  }
  return (settings ?? format)?.at
}

function outputFormat(tokens: Token[]): string | undefined {
  for (let i = tokens.length - 2; i >= 1; i--) {
    const keyword = tokens[i]
    const name = tokens[i + 1]
    if (keyword?.type === 'word' && !keyword.quoted && keyword.text === 'FORMAT' && name?.type === 'word') {
      const after = tokens[i + 2]
      if (after === undefined || (after.type === 'word' && after.text === 'SETTINGS')) return name.text
    }
  }
  return undefined
}

function hostFileAccess(tokens: Token[]): string | undefined {
  for (const [i, token] of tokens.entries()) {
    if (token.type !== 'word') continue
    const next = tokens[i + 1]
    const previous = tokens[i - 1]
    if (HOST_FILE_FUNCTIONS.has(token.text) && next?.type === 'punct' && next.text === '(') {
      if (!(previous?.type === 'punct' && previous.text === '.')) return `${token.text}()`
    }
    if (token.quoted || next?.type !== 'word' || next.quoted) continue
    if (token.text === 'INTO' && next.text === 'OUTFILE') return 'INTO OUTFILE'
    if (token.text === 'FROM' && next.text === 'INFILE') return 'FROM INFILE'
  }
  return undefined
}

function tokenize(sql: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < sql.length) {
    const char = sql[i] as string
    if (/\s/.test(char)) {
      i++
    } else if (char === "'") {
      tokens.push({ type: 'literal', at: i })
      i = skipQuoted(sql, i, "'").end
    } else if (char === '`' || char === '"') {
      const quoted = skipQuoted(sql, i, char)
      tokens.push({ type: 'word', text: quoted.text, quoted: true, at: i })
      i = quoted.end
    } else if (/[A-Za-z_]/.test(char)) {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i))?.[0] ?? char
      tokens.push({ type: 'word', text: word, quoted: false, at: i })
      i += word.length
    } else if (/[0-9]/.test(char)) {
      tokens.push({ type: 'literal', at: i })
      i += /^[0-9][0-9A-Za-z_.]*/.exec(sql.slice(i))?.[0].length ?? 1
    } else {
      tokens.push({ type: 'punct', text: char, at: i })
      i++
    }
  }
  return tokens
}

/** A quoted run from `start` (the opening quote): backslash escapes, and a doubled quote as one. */
function skipQuoted(sql: string, start: number, quote: string): { text: string; end: number } {
  let text = ''
  let i = start + 1
  while (i < sql.length) {
    const char = sql[i] as string
    if (char === '\\') {
      text += sql[i + 1] ?? ''
      i += 2
    } else if (char === quote) {
      if (sql[i + 1] === quote) {
        text += quote
        i += 2
      } else {
        return { text, end: i + 1 }
      }
    } else {
      text += char
      i++
    }
  }
  return { text, end: sql.length }
}
