// How a long run speaks: under nohup (no TTY) one timestamped line per active step at least every
// PROGRESS_INTERVAL_MS; on a terminal, live bars (cli-progress); with --log-format json, one JSON
// object per line (pino) for machines. Notes and warnings go the same way.
import cliProgress from 'cli-progress'
import pino from 'pino'
import { redactUrls } from '../core/redact.ts'
import type { RunBoard } from '../steps/backfill.ts'
import { PROGRESS_INTERVAL_MS, type StepProgress, type StepReporter } from '../steps/step.ts'

/** Rate and ETA are computed over this trailing window, so a slow start does not skew them. */
const RATE_WINDOW_MS = 60_000

export type LogFormat = 'text' | 'json'

interface StepState extends StepProgress {
  step: string
  startedAt: number
  samples: { at: number; done: number }[]
  finished: boolean
}

export interface ProgressBoardOptions {
  format: LogFormat
  /** Live bars instead of lines; only for text on a terminal. */
  tty?: boolean
  intervalMs?: number
  write?: (line: string) => void
  now?: () => number
}

export class ProgressBoard implements RunBoard {
  private readonly states = new Map<string, StepState>()
  private readonly write: (line: string) => void
  private readonly now: () => number
  private readonly json: pino.Logger | undefined
  private readonly bars: cliProgress.MultiBar | undefined
  private readonly barByStep = new Map<string, cliProgress.SingleBar>()
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly options: ProgressBoardOptions) {
    this.write = options.write ?? ((line) => process.stdout.write(`${line}\n`))
    this.now = options.now ?? Date.now
    if (options.format === 'json') {
      this.json = pino(
        { base: null, timestamp: pino.stdTimeFunctions.isoTime },
        {
          write: (line: string) => this.write(line.trimEnd()),
        },
      )
    } else if (options.tty) {
      this.bars = new cliProgress.MultiBar(
        {
          format:
            '{step} |{bar}| {value}/{total} {unit} · {rate} · ETA {etaText} · rows {rows} · errors {errors}',
          hideCursor: true,
          clearOnComplete: false,
          stopOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      )
    }
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.options.intervalMs ?? PROGRESS_INTERVAL_MS)
    this.timer.unref()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.tick()
    this.bars?.stop()
  }

  reporter(step: string): StepReporter {
    return {
      update: (progress) => this.update(step, progress),
      note: (message) => this.log('info', message, { step }),
    }
  }

  /** Marks a step finished: its last line is printed and it stops appearing in ticks. */
  finish(step: string): void {
    const state = this.states.get(step)
    if (!state) return
    this.print(state)
    state.finished = true
  }

  log(level: 'info' | 'warn' | 'error', text: string, fields: Record<string, unknown> = {}): void {
    // The last guard before the terminal and backfill.log: a URL in a message keeps its host only.
    const message = redactUrls(text)
    if (this.json) {
      this.json[level](fields, message)
      return
    }
    const prefix = fields.step ? `${fields.step}: ` : ''
    const line = `${new Date(this.now()).toISOString()} ${level === 'info' ? '' : `${level.toUpperCase()} `}${prefix}${message}`
    if (this.bars) this.bars.log(`${line}\n`)
    else this.write(line)
  }

  private update(step: string, progress: Partial<StepProgress>): void {
    let state = this.states.get(step)
    if (!state) {
      state = {
        step,
        done: 0,
        unit: 'units',
        rows: 0,
        errors: 0,
        startedAt: this.now(),
        samples: [],
        finished: false,
      }
      this.states.set(step, state)
    }
    Object.assign(state, progress)
    const at = this.now()
    state.samples.push({ at, done: state.done })
    while (state.samples.length > 2 && (state.samples[0]?.at ?? at) < at - RATE_WINDOW_MS)
      state.samples.shift()
    if (this.bars) this.drawBar(state)
  }

  private tick(): void {
    for (const state of this.states.values()) if (!state.finished) this.print(state)
  }

  private print(state: StepState): void {
    const figures = measure(state, this.now())
    if (this.json) {
      this.json.info(
        { step: state.step, ...figures, unit: state.unit, rows: state.rows, errors: state.errors },
        'progress',
      )
      return
    }
    if (this.bars) {
      this.drawBar(state)
      return
    }
    const total = state.total !== undefined ? `/${fmt(state.total)}` : ''
    const percent = state.total ? ` (${((100 * state.done) / state.total).toFixed(1)}%)` : ''
    this.write(
      `${new Date(this.now()).toISOString()} ${state.step}: ${fmt(state.done)}${total} ${state.unit}${percent}` +
        ` · ${figures.ratePerSecond.toFixed(1)} ${state.unit}/s · ETA ${eta(figures.etaSeconds)}` +
        ` · rows ${fmt(state.rows)} · errors ${fmt(state.errors)}`,
    )
  }

  private drawBar(state: StepState): void {
    if (!this.bars) return
    const figures = measure(state, this.now())
    const payload = {
      step: state.step.padEnd(9),
      unit: state.unit,
      rate: `${figures.ratePerSecond.toFixed(1)}/s`,
      etaText: eta(figures.etaSeconds),
      rows: fmt(state.rows),
      errors: fmt(state.errors),
    }
    let bar = this.barByStep.get(state.step)
    if (!bar) {
      bar = this.bars.create(state.total ?? state.done, state.done, payload)
      this.barByStep.set(state.step, bar)
    }
    bar.setTotal(state.total ?? Math.max(state.done, 1))
    bar.update(state.done, payload)
  }
}

function measure(
  state: StepState,
  now: number,
): { done: number; total?: number; ratePerSecond: number; etaSeconds?: number } {
  const first = state.samples[0]
  const seconds = first ? (now - first.at) / 1000 : 0
  const ratePerSecond = first && seconds > 0 ? (state.done - first.done) / seconds : 0
  const remaining = state.total !== undefined ? state.total - state.done : undefined
  const etaSeconds = remaining !== undefined && ratePerSecond > 0 ? remaining / ratePerSecond : undefined
  return {
    done: state.done,
    ...(state.total !== undefined ? { total: state.total } : {}),
    ratePerSecond,
    ...(etaSeconds !== undefined ? { etaSeconds: Math.round(etaSeconds) } : {}),
  }
}

function fmt(value: number): string {
  return value.toLocaleString('en-US')
}

export function eta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '?'
  const s = Math.round(seconds)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}
