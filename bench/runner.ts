// Runs benchmark cases on libraries: check against float64 first, then a warm-up and timed repetitions;
// skips what would blow the run's time budget. Shared by the browser page (main.ts) and Node (node.ts).
import type { Lib } from './libs-core';
import type { Case } from './suites';
import { inputsFor } from './suites';

export interface Row {
  suite: string;
  case: string;
  library: string;
  backend: string;
  variant?: string;
  reps?: number;
  /** Queue + wait for the device, no readback: median, min, max in ms. */
  medianMs?: number;
  minMs?: number;
  maxMs?: number;
  /** GPU time of the kernels (timestamp queries), median ms, where the library and adapter give it. */
  kernelMs?: number | null;
  /** With the readback of the result. */
  endToEndMs?: number;
  unit?: 'GFLOP/s' | 'GB/s' | 'Msamples/s';
  value?: number;
  check?: string;
  skipped?: string;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

export class BenchRun {
  readonly rows: Row[] = [];
  readonly errors: string[] = [];
  constructor(
    readonly quick: boolean,
    private readonly log: (line: string) => void,
  ) {}
  get reps(): number {
    return this.quick ? 3 : 5;
  }
  /** A library skips a case whose estimated first run exceeds this (from its previous case in the suite). */
  get skipMs(): number {
    return this.quick ? 4_000 : 20_000;
  }

  async runCase(
    lib: Lib,
    c: Case,
    handle: Awaited<ReturnType<Lib['open']>>,
    suite: string,
    variant?: string,
  ): Promise<Row> {
    const base: Row = {
      suite,
      case: c.name,
      library: lib.library,
      backend: lib.backend,
      variant: variant ?? lib.variant,
    };
    const inputs = inputsFor(c);
    const prepared = await handle.prepare(
      c.op,
      inputs.map((data, i) => ({ data, shape: c.shapes[i] })),
    );
    try {
      const t0 = performance.now();
      const first = await prepared.runAndRead(); // warm-up, and the result to check
      const firstMs = performance.now() - t0;
      const problem = c.check(inputs, first);
      if (problem) return { ...base, check: `WRONG: ${problem}` };
      const reps = firstMs > 5000 ? 1 : this.reps;
      // Fast ops repeat inside one measurement so that each lasts >= ~10 ms: browsers coarsen timers.
      const probe = firstMs < 20 ? (await prepared.run(1)).wallMs : firstMs;
      const times = Math.max(1, Math.min(1000, Math.ceil(10 / Math.max(probe, 0.05))));
      const wall: number[] = [];
      const kernel: number[] = [];
      for (let r = 0; r < reps; r++) {
        const m = await prepared.run(times);
        wall.push(m.wallMs / times);
        if (m.kernelMs !== null) kernel.push(m.kernelMs / times);
      }
      const e2e: number[] = [];
      // Over 5 s a run is its own warm-up: the first (checked) run stands as the end-to-end figure.
      if (firstMs > 5000) e2e.push(firstMs);
      for (let r = 0; r < (firstMs > 5000 ? 0 : firstMs > 1000 ? 1 : Math.min(reps, 3)); r++) {
        const s = performance.now();
        await prepared.runAndRead();
        e2e.push(performance.now() - s);
      }
      const ms = median(wall);
      const unit = c.cost.samples ? 'Msamples/s' : c.cost.flops ? 'GFLOP/s' : 'GB/s';
      const value = c.cost.samples
        ? c.cost.samples / ms / 1e3
        : (c.cost.flops ?? c.cost.bytes ?? 0) / ms / 1e6;
      return {
        ...base,
        reps: reps * times,
        medianMs: ms,
        minMs: Math.min(...wall),
        maxMs: Math.max(...wall),
        kernelMs: kernel.length ? median(kernel) : null,
        endToEndMs: median(e2e),
        unit,
        value,
        check:
          c.checkNote ??
          (c.suite === 'matmul' ? 'ok (256 sampled outputs vs float64)' : 'ok (all outputs vs float64)'),
      };
    } finally {
      prepared.dispose();
    }
  }

  /** Runs a list of cases on one library, skipping cases whose estimated time is over budget. */
  async runLib(lib: Lib, list: Case[], suite: string, variant?: string): Promise<void> {
    let handle: Awaited<ReturnType<Lib['open']>>;
    try {
      handle = await lib.open();
    } catch (e) {
      for (const c of list)
        this.rows.push({
          suite,
          case: c.name,
          library: lib.library,
          backend: lib.backend,
          skipped: `cannot run here: ${(e as Error).message}`,
        });
      return;
    }
    // The last measured size of each op (or estimate key): a sort's time says nothing about a cumsum's.
    const last = new Map<string, { ms: number; cost: number }>();
    // Keys whose last case gave a wrong result: it was not timed, so nothing bounds the next size's time,
    // and a library that is wrong at one size is not run at larger ones.
    const wrong = new Set<string>();
    for (const c of list) {
      if (lib.supports && !lib.supports(c.op)) {
        this.rows.push({
          suite,
          case: c.name,
          library: lib.library,
          backend: lib.backend,
          skipped: `${lib.library} has no ${c.op}`,
        });
        continue;
      }
      const cost = c.cost.flops ?? c.cost.bytes ?? c.cost.samples ?? 1;
      const key = c.estimateKey ?? c.op;
      if (wrong.has(key) || (c.estimateFrom !== undefined && wrong.has(c.estimateFrom))) {
        this.rows.push({
          suite,
          case: c.name,
          library: lib.library,
          backend: lib.backend,
          variant: variant ?? lib.variant,
          skipped: `not run: a smaller ${c.op} gave a wrong result`,
        });
        continue;
      }
      const prev = last.get(key) ?? (c.estimateFrom ? last.get(c.estimateFrom) : undefined);
      const est = prev ? (prev.ms * cost) / prev.cost : 0;
      if (est > this.skipMs) {
        this.rows.push({
          suite,
          case: c.name,
          library: lib.library,
          backend: lib.backend,
          variant: variant ?? lib.variant,
          skipped: `estimated ${(est / 1000).toFixed(0)} s from this op's previous size: over this run's budget`,
        });
        continue;
      }
      try {
        const row = await this.runCase(lib, c, handle, suite, variant);
        this.rows.push(row);
        if (row.medianMs !== undefined) last.set(key, { ms: row.medianMs, cost });
        else if (row.check?.startsWith('WRONG')) wrong.add(key);
        this.log(
          `${suite} | ${c.name} | ${lib.id} | ${row.check ?? ''} | ${row.medianMs?.toFixed(2) ?? '-'} ms | ${row.value?.toFixed(3) ?? '-'} ${row.unit ?? ''}`,
        );
      } catch (e) {
        this.errors.push(`${lib.id} ${c.name}: ${(e as Error).message}`);
        this.rows.push({
          suite,
          case: c.name,
          library: lib.library,
          backend: lib.backend,
          skipped: `failed: ${(e as Error).message}`,
        });
      }
    }
    await handle.dispose();
  }
}
