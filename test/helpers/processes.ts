// What an operator looks at after stopping something: which processes still mention a data
// directory (`ps -eo pid,args | grep DIR`), and waiting until a condition holds.
import { execFileSync } from 'node:child_process'

export interface ListedProcess {
  pid: number
  args: string
}

/** Every process whose command line mentions `text` (a unique temporary data directory, say). */
export function processesMentioning(text: string): ListedProcess[] {
  const listing = execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' })
  return listing
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .filter((match) => !(match[2] as string).startsWith('Z') && (match[3] as string).includes(text))
    .map((match) => ({ pid: Number(match[1]), args: match[3] as string }))
}

/** Polls `condition` every 50 ms; resolves true when it holds, false after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (condition()) return true
    if (Date.now() >= deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
