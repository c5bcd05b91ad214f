// How a polyhouse process ends when its operator says so, whatever pid they hold.
//
// `nohup npx polyhouse backfill … &` puts two processes above polyhouse: npm (the pid `$!` gives)
// and the `sh -c` npm runs the bin with. `kill $!` reaches npm alone: npm passes the SIGTERM to the
// shell, which dies of it without passing it on, and npm exits 143 at once — polyhouse would run on,
// holding the warehouse. So a polyhouse started by a package runner watches it, and stops itself
// (as on SIGTERM: in-flight work committed, exit 130) when the runner or the shell between is gone.
// Started any other way (`nohup polyhouse …`, `node bin/polyhouse.js`), the parent is a shell the
// operator may close, and polyhouse runs on: that is what nohup asks for.
//
// Every process also notes SIGINT/SIGTERM, to say "stopping" in the warehouse's owner record (so
// `polyhouse stop` waits instead of signalling twice) and to exit 130 when no command handles the
// signal (before a command's own handler is installed, or in one that has none).
import { InterruptedError } from '../core/errors.ts'
import { processAlive, processInfo } from '../core/process-info.ts'
import { recordStopping } from '../load/owner/record.ts'

/** How often the launcher is looked for: half a second of the 5 s a stop may take. */
export const LAUNCHER_CHECK_MS = 500

/** npm ≥ 7 titles itself "npm exec …"/"npm run …"; others show their script (npx-cli.js, pnpm.cjs, yarn.js). */
const RUNNER_TITLE = /^(npm|npx|pnpm|yarn)(\s|$)/
const RUNNER_SCRIPT = /(^|[/\\])(npm-cli|npx-cli|pnpm|yarn)\.c?js$/
/** The shell a package runner runs a bin with (`sh -c`, or the configured script-shell). */
const SHELL = /(^|\/)(sh|bash|dash|zsh|ash|ksh)$/

export interface Launcher {
  /** The package runner's pid (npm, npx, pnpm, yarn). */
  pid: number
  /** What it is ("npm exec", "npx-cli.js"), for the message when it is gone. */
  name: string
}

let stopRequested = false

/** Once per process, before any command runs. */
export function superviseProcess(): void {
  process.on('SIGINT', onStopSignal)
  process.on('SIGTERM', onStopSignal)
  const launcher = findLauncher()
  if (launcher) watchLauncher(launcher)
}

function onStopSignal(signal: NodeJS.Signals): void {
  if (!stopRequested) {
    stopRequested = true
    recordStopping(signal)
  }
  // Alone, this listener would swallow the signal (Node drops the default action once any listener
  // is installed): end as an interrupted command does.
  if (process.listenerCount(signal) === 1) process.exit(new InterruptedError(signal).exitCode)
}

/** The package runner this process was started by, directly or through its shell; else undefined. */
export function findLauncher(): Launcher | undefined {
  // npm, pnpm and yarn set npm_execpath for what they run; without it no runner is above us.
  if (!process.env.npm_execpath) return undefined
  const parent = processInfo(process.ppid)
  if (!parent) return undefined
  const direct = runnerName(parent.commandLine)
  if (direct) return { pid: parent.pid, name: direct }
  const [program, flag] = parent.commandLine
  if (!SHELL.test(program ?? '') || flag !== '-c') return undefined
  const runner = processInfo(parent.ppid)
  const name = runner && runnerName(runner.commandLine)
  return runner && name ? { pid: runner.pid, name } : undefined
}

function runnerName(commandLine: readonly string[]): string | undefined {
  const [program = '', script = ''] = commandLine
  if (RUNNER_TITLE.test(program)) return program.split(/\s+/).slice(0, 2).join(' ')
  if (RUNNER_SCRIPT.test(script)) return script.split(/[/\\]/).pop()
  return undefined
}

/**
 * Our parent changing means it died (we were handed to init or a subreaper): the runner, or the shell
 * the runner's SIGTERM killed. The runner gone while the shell lives means it was killed outright.
 */
function watchLauncher(launcher: Launcher): void {
  const parentAtStart = process.ppid
  const timer = setInterval(() => {
    if (process.ppid === parentAtStart && processAlive(launcher.pid)) return
    clearInterval(timer)
    if (stopRequested) return
    stopRequested = true
    recordStopping('launcher exited')
    process.stderr.write(
      `polyhouse: its launcher (${launcher.name}, pid ${launcher.pid}) has exited: stopping as on SIGTERM\n`,
    )
    process.kill(process.pid, 'SIGTERM')
  }, LAUNCHER_CHECK_MS)
  timer.unref()
}
