// The steps a backfill can run, in the order it runs them, built from the command's flags.
import type { Step, StepName } from './step.ts'
import { createViewsStep } from './views.ts'

/** Options every step may read; each step validates its own part. */
export interface StepOptions {
  sqlDir?: string
  viewsDir?: string
}

const FACTORIES: { name: StepName; create: (options: StepOptions) => Step }[] = [
  { name: 'views', create: (options) => createViewsStep(options) },
]

/** The order the overnight run takes: markets first (tokens for the trade views), views last. */
export const STEP_ORDER: readonly StepName[] = FACTORIES.map((factory) => factory.name)

export function createSteps(names: readonly StepName[], options: StepOptions): Step[] {
  return FACTORIES.filter((factory) => names.includes(factory.name)).map((factory) => factory.create(options))
}
