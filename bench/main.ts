// The benchmark page: every suite on every library in one page on one adapter. Each result is checked
// against a float64 reference before it is timed (warm-up, then repetitions, median and spread); GPU
// kernel time from timestamp queries is kept apart from end-to-end time with readback.
// Query: ?quick (reduced set), ?suites=limits,matmul,ladder,reductions,elementwise,scan,linalg,train,auto,stats
import { createContext } from '../src/index';
import { gradboxLib, jaxLib, type Lib, prepareTfjsWasm, tfjsLib } from './libs';
import { mlMatrixLib } from './libs-mlmatrix';
import { BenchRun, type Row } from './runner';
import { type Limits, measureLimits } from './limits';
import { cases } from './suites';
import { gradboxStats, jaxStats, runStatsSuite, tfjsStats } from './stats-libs';
import { budget, countGpuWork, gradboxTraining, type TrainRow, tfjsTraining, WORKLOADS } from './train';

const q = new URLSearchParams(location.search);
const QUICK = q.has('quick');
const ALL = [
  'limits',
  'matmul',
  'ladder',
  'reductions',
  'elementwise',
  'scan',
  'linalg',
  'train',
  'auto',
  'stats',
];
const SUITES = (q.get('suites') ?? ALL.join(',')).split(',');

const out = document.getElementById('out')!;
const log = (line: string) => {
  out.textContent += `${line}\n`;
};
const run = new BenchRun(QUICK, log);
const { rows, errors } = run;

const PEERS: Lib[] = [
  gradboxLib('webgpu'),
  // Issue 13: gradbox's CPU backends (WebAssembly SIMD, and the TypeScript reference) and jax-js.
  gradboxLib('wasm'),
  gradboxLib('wasm', undefined, 1),
  gradboxLib('js'),
  tfjsLib('webgpu'),
  tfjsLib('wasm'),
  tfjsLib('cpu'),
  jaxLib('wasm'),
  jaxLib('webgpu'),
];

// Linear algebra (issue 10): tfjs has no solve or Cholesky; jax-js and ml-matrix do.
const LINALG_PEERS: Lib[] = [
  gradboxLib('webgpu'),
  gradboxLib('wasm'),
  gradboxLib('js'),
  jaxLib('webgpu'),
  jaxLib('wasm'),
  mlMatrixLib(),
];

interface Calibration {
  ms: number;
  webgpuMs: number;
  cpuMs: number;
  /** The CPU backend that 'cpu' (and so 'auto') takes here: 'wasm', or 'js' without WebAssembly SIMD. */
  cpu: string;
  /** The backend 'auto' with calibration keeps: 'webgpu' or that CPU backend. */
  choice: string;
}

/** A calibration of well under a second: the same small matmul and broadcast add on WebGPU and the CPU. */
async function calibrate(): Promise<Calibration> {
  const t0 = performance.now();
  let cpuName = 'cpu';
  const time = async (backend: 'webgpu' | 'cpu') => {
    const gb = await createContext({ backend });
    if (backend === 'cpu') cpuName = gb.backend;
    const a = gb.rand([128, 128], { seed: 1 });
    const x = gb.rand([256, 128], { seed: 2 });
    await gb.tidy(() => a.matmul(a).add(x.sum(0))).data(); // warm-up: pipelines
    const s = performance.now();
    for (let i = 0; i < 3; i++) await gb.tidy(() => a.matmul(a).add(x.sum(0)).add(x.mean())).data();
    const ms = performance.now() - s;
    gb.dispose();
    return ms;
  };
  const webgpuMs = await time('webgpu');
  const cpuMs = await time('cpu');
  const choice = webgpuMs <= cpuMs ? 'webgpu' : cpuName;
  return { ms: performance.now() - t0, webgpuMs, cpuMs, cpu: cpuName, choice };
}

/** Whether gradbox's WebGPU device has the 'subgroups' feature (false where WebGPU cannot start). */
async function gradboxHasSubgroups(): Promise<boolean> {
  let gb: Awaited<ReturnType<typeof createContext>> | null = null;
  try {
    gb = await createContext({ backend: 'webgpu' });
    return gb.device?.features.has('subgroups') ?? false;
  } catch {
    return false;
  } finally {
    gb?.dispose();
  }
}

declare global {
  interface Window {
    __bench?: {
      quick: boolean;
      suites: string[];
      userAgent: string;
      adapter: { vendor: string; architecture: string; description: string; features: string[] } | null;
      limits: Limits | null;
      rows: Row[];
      training: TrainRow[];
      calibration: Calibration | null;
      auto: { suite: string; cases: number; closeness: number }[];
      errors: string[];
      seconds: number;
    };
  }
}

async function main() {
  const started = performance.now();
  countGpuWork();
  const adapterObj = await navigator.gpu?.requestAdapter();
  const adapter = adapterObj
    ? {
        vendor: adapterObj.info.vendor,
        architecture: adapterObj.info.architecture,
        description: adapterObj.info.description,
        features: [...adapterObj.features].sort(),
      }
    : null;
  log(`adapter: ${JSON.stringify(adapter)}; quick: ${QUICK}; suites: ${SUITES.join(', ')}`);
  let limits: Limits | null = null;
  if (SUITES.includes('limits')) {
    const gb = await createContext({ backend: 'webgpu' });
    limits = await measureLimits(gb.device!, QUICK);
    gb.dispose();
    log(`limits: ${JSON.stringify(limits)}`);
  }
  const all = cases(QUICK);
  for (const suite of ['matmul', 'reductions', 'elementwise', 'scan'] as const) {
    if (!SUITES.includes(suite)) continue;
    for (const lib of PEERS)
      await run.runLib(
        lib,
        all.filter((c) => c.suite === suite),
        suite,
      );
  }
  if (SUITES.includes('linalg')) {
    for (const lib of LINALG_PEERS)
      await run.runLib(
        lib,
        all.filter((c) => c.suite === 'linalg'),
        'linalg',
      );
  }
  if (SUITES.includes('ladder')) {
    // Every rung of each kernel family on its own, same cases: the ladder from naive to fast.
    const mm = all
      .filter((c) => c.suite === 'matmul' && /^\d+x\d+x\d+$/.test(c.name))
      .filter((c) => (c.cost.flops ?? 0) <= 2 * 512 ** 3);
    for (const v of ['naive', 'blocked', 'tiled', 'tiled_vec4'])
      await run.runLib(gradboxLib('webgpu', { matmul: v }), mm, 'ladder', `matmul_${v}`);
    const red = all
      .filter((c) => c.suite === 'reductions' && (c.op === 'sum' || c.op === 'sum1'))
      .filter((c) => (c.cost.bytes ?? 0) <= 4e6);
    // A forced 'subgroup' rung throws where gradbox's device has no 'subgroups' feature (rather than
    // timing the tree kernel under its name), so there the rung is skipped with a note in each row.
    const subgroups = await gradboxHasSubgroups();
    for (const v of ['cols', 'tree', 'subgroup']) {
      if (v === 'subgroup' && !subgroups) {
        const skipped = "not run: this adapter does not offer the WebGPU 'subgroups' feature";
        log(`ladder | reduce_subgroup | ${skipped}`);
        for (const c of red) {
          rows.push({
            suite: 'ladder',
            case: c.name,
            library: 'gradbox',
            backend: 'webgpu',
            variant: `reduce_${v}`,
            skipped,
          });
        }
        continue;
      }
      await run.runLib(gradboxLib('webgpu', { reduce: v }), red, 'ladder', `reduce_${v}`);
    }
    // Issue 9: scans, sorting, scatter. The insertion-sort rung is O(n^2) per row: rows up to 1000 only.
    const cum = all.filter((c) => c.suite === 'scan' && c.op === 'cumsum');
    for (const v of ['naive', 'blocked'])
      await run.runLib(gradboxLib('webgpu', { scan: v }), cum, 'ladder', `scan_${v}`);
    const srt = all.filter((c) => c.suite === 'scan' && c.op === 'sortDesc');
    for (const v of ['naive', 'bitonic']) {
      const list = v === 'naive' ? srt.filter((c) => c.shapes[0][c.shapes[0].length - 1] <= 1000) : srt;
      await run.runLib(gradboxLib('webgpu', { sort: v }), list, 'ladder', `sort_${v}`);
    }
  }
  const training: TrainRow[] = [];
  if (SUITES.includes('train')) {
    budget.seconds = QUICK ? 1 : 3;
    budget.maxSteps = QUICK ? 20 : 200;
    prepareTfjsWasm();
    for (const w of QUICK ? WORKLOADS.slice(0, 1) : WORKLOADS) {
      const runs: [string, () => Promise<TrainRow>][] = [
        ['webgpu', () => gradboxTraining(w, 'webgpu')],
        ['webgpu', () => tfjsTraining(w, 'webgpu')],
        ['wasm', () => gradboxTraining(w, 'wasm')],
        ['js', () => gradboxTraining(w, 'js')],
        ['wasm', () => tfjsTraining(w, 'wasm')],
        ['cpu', () => tfjsTraining(w, 'cpu')],
      ];
      for (const [backend, train] of runs) {
        try {
          const r = await train();
          training.push(r);
          log(`train | ${w.name} | ${r.library} ${backend} | ${r.stepsPerSec.toFixed(2)} steps/s`);
        } catch (e) {
          errors.push(`train ${w.name} ${backend}: ${(e as Error).message}`);
        }
      }
    }
  }
  let calibration: Calibration | null = null;
  const auto: { suite: string; cases: number; closeness: number }[] = [];
  if (SUITES.includes('auto')) {
    try {
      calibration = await calibrate();
    } catch (e) {
      errors.push(`calibration: ${(e as Error).message}`);
    }
  }
  // Statistics: samplers, histogram, quartiles, bootstrap (bench/stats.ts), against tfjs and jax-js. Last:
  // jax-js's WebGPU device fails on some adapters (SwiftShader) and can drop the page's WebGPU instance,
  // every device with it, so nothing of gradbox's runs after it.
  if (SUITES.includes('stats')) {
    await runStatsSuite(run, QUICK, [
      gradboxStats('webgpu'),
      gradboxStats('wasm'),
      gradboxStats('js'),
      ...(['webgpu', 'wasm', 'cpu'] as const).map((b) => tfjsStats(tfjsLib(b))),
      // jax-js's wasm device first: a failure of its WebGPU device may leave it unusable.
      jaxStats('wasm'),
      jaxStats('webgpu'),
    ]);
  }
  if (calibration) {
    log(`calibration: ${JSON.stringify(calibration)}`);
    // How close would a context that follows the calibration come to the better backend on each case of
    // every suite that ran on both (the ladder pins rungs, so it is left out)? Training counts steps/s.
    const gradboxMs = (suite: string, name: string, b: string) =>
      rows.find(
        (r) =>
          r.suite === suite &&
          r.case === name &&
          r.library === 'gradbox' &&
          r.backend === b &&
          !r.variant?.includes('_') &&
          r.variant !== '1 thread' &&
          r.medianMs !== undefined,
      )?.medianMs;
    const pairs = new Map<string, [number, number][]>();
    for (const r of rows) {
      if (r.library !== 'gradbox' || r.backend !== 'webgpu' || r.suite === 'ladder') continue;
      const [g, cp] = [gradboxMs(r.suite, r.case, 'webgpu'), gradboxMs(r.suite, r.case, calibration.cpu)];
      if (g === undefined || cp === undefined) continue;
      if (pairs.get(r.suite)?.some(([a, b]) => a === g && b === cp)) continue;
      pairs.set(r.suite, [...(pairs.get(r.suite) ?? []), [g, cp]]);
    }
    for (const w of new Set(training.map((t) => t.workload))) {
      const steps = (b: string) =>
        training.find((t) => t.library === 'gradbox' && t.backend === b && t.workload === w)?.stepsPerSec;
      const [g, cp] = [steps('webgpu'), steps(calibration.cpu)];
      if (g && cp) pairs.set('train', [...(pairs.get('train') ?? []), [1 / g, 1 / cp]]);
    }
    for (const [suite, ps] of pairs) {
      const ratios = ps.map(([g, cp]) => Math.min(g, cp) / (calibration.choice === 'webgpu' ? g : cp));
      auto.push({
        suite,
        cases: ratios.length,
        closeness: Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length),
      });
    }
  }
  window.__bench = {
    quick: QUICK,
    suites: SUITES,
    userAgent: navigator.userAgent,
    adapter,
    limits,
    rows,
    training,
    calibration,
    auto,
    errors,
    seconds: (performance.now() - started) / 1000,
  };
  log('done');
}

main().catch((e: Error) => {
  errors.push(e.stack ?? e.message);
  window.__bench = {
    quick: QUICK,
    suites: SUITES,
    userAgent: navigator.userAgent,
    adapter: null,
    limits: null,
    rows,
    training: [],
    calibration: null,
    auto: [],
    errors,
    seconds: 0,
  };
});
