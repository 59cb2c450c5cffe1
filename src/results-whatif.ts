// RunResults.whatif, added to the results contract from here rather than in results.ts: src/whatif/types.ts builds
// on results.ts (its Finding and ScenarioResult), so results.ts importing WhatifReport back would make the two
// files a circle. TypeScript merges this declaration into RunResults wherever results.ts is imported.
import type { WhatifReport } from './whatif/types.ts';

declare module './results.ts' {
  interface RunResults {
    /** Present for `execbench whatif`: schema variants side by side, ablation, generic plans, crossovers (src/whatif). */
    whatif?: WhatifReport;
  }
}
