// Seeding progress on stderr: one line rewritten in place on a terminal, plain lines every ~2 s
// otherwise (CI logs would fill with carriage returns).

/** Where the seeder reports what it is doing. */
export interface SeedProgress {
  /** A one-off line: reuse, the reason for a rebuild, a phase starting or ending. */
  note(line: string): void;
  /** Rows loaded so far out of `total`; called often, the sink throttles. */
  rows(done: number, total: number): void;
  /** The load finished: ends a rewritten line. */
  done(): void;
}

/** Drops everything (library use, tests). */
export const silentProgress: SeedProgress = { note() {}, rows() {}, done() {} };

/** Minimal writable the progress sink needs (process.stderr in practice). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Options for createStderrProgress; the defaults read process.stderr and the clock. */
export interface StderrProgressOptions {
  stream?: ProgressStream;
  /** Force the terminal (rewritten line) or plain mode; default: stream.isTTY. */
  tty?: boolean;
  /** Plain mode: at most one line per interval. */
  intervalMs?: number;
  now?: () => number;
  /** Replaces the 'seed' prefix of every line (e.g. 'seed 100k'), so concurrent scales read apart. */
  label?: string;
}

/** Progress on stderr: rows, rows/s and ETA. */
export function createStderrProgress(options: StderrProgressOptions = {}): SeedProgress {
  const stream = options.stream ?? process.stderr;
  const tty = options.tty ?? Boolean(stream.isTTY);
  const now = options.now ?? (() => performance.now());
  const intervalMs = options.intervalMs ?? (tty ? 100 : 2000);
  let startedAt = Number.NaN;
  let lastAt = Number.NEGATIVE_INFINITY;
  let open = false;
  const label = options.label ?? 'seed';
  const relabel = (line: string) => (line.startsWith('seed: ') ? `${label}: ${line.slice(6)}` : line);

  const endLine = () => {
    if (open) stream.write('\n');
    open = false;
  };
  return {
    note(line) {
      endLine();
      stream.write(`${relabel(line)}\n`);
    },
    rows(done, total) {
      const t = now();
      if (Number.isNaN(startedAt)) {
        // The first call only starts the clock: a rate needs elapsed time.
        startedAt = t;
        lastAt = t;
        if (done < total) return;
      }
      if (t - lastAt < intervalMs && done < total) return;
      lastAt = t;
      const line = relabel(formatRowsLine(done, total, t - startedAt));
      if (tty) {
        stream.write(`\r\x1b[2K${line}`);
        open = true;
      } else stream.write(`${line}\n`);
    },
    done() {
      endLine();
      startedAt = Number.NaN;
      lastAt = Number.NEGATIVE_INFINITY;
    },
  };
}

/** 'seed: 420,000 / 1,400,000 rows (30%), 84,000 rows/s, ETA 12 s' */
export function formatRowsLine(done: number, total: number, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (done / elapsedMs) * 1000 : 0;
  const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
  const eta = rate > 0 ? `${Math.max(0, Math.ceil((total - done) / rate))} s` : '?';
  return `seed: ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} rows (${percent}%), ${Math.round(rate).toLocaleString('en-US')} rows/s, ETA ${eta}`;
}

/** Progress on stderr with every line prefixed by `label` (e.g. 'seed 100k'). */
export function createProgress(label = 'seed'): SeedProgress {
  return createStderrProgress({ label });
}
