// The libraries of the stats suite (bench/stats.ts) behind the benchmark's Lib interface: gradbox on WebGPU
// and on the CPU, tfjs 4.22 (randomNormal, randomGamma, multinomial, denseBincount, topk) on the backends the
// page gives it, and jax-js 0.1.25 (its random module, sort, take) on webgpu and wasm. Each says which ops it
// has; the suite runs those and records a skipped row, with the reason, for the others.
import * as jax from '@jax-js/jax';
import * as tf from '@tensorflow/tfjs';
import { createContext, dist, stats, type Tensor } from '../src/index';
import type { Lib, LibHandle, OpName } from './libs-core';
import type { BenchRun } from './runner';
import { BOOTSTRAP_LEVEL, HISTOGRAM, QUARTILES, SAMPLERS, type StatsOp, statsCases } from './stats';

/** One op of one library on prepared inputs: queue it (no readback), or run it and read the result. */
interface OpRun {
  /**
   * Queues the op once. A promise where the call itself waits (a bootstrap reads its interval back; jax-js
   * waits for its arrays): such runs are timed one after the other by the wall clock.
   */
  queue(): void | Promise<void>;
  /** True when queue() returns a promise. */
  waits?: boolean;
  /** The checked result: [mean, variance] of the draws for samplers, the op's values otherwise. */
  read(): Promise<Float32Array>;
  dispose(): void;
}

/** A library of the suite: what it cannot run (op -> why), and how to build a run of the others. */
interface StatsPeer {
  lib: Lib;
  missing: Partial<Record<StatsOp, string>>;
}

/** The [low, high] quantile positions and interpolation weights of NumPy's linear rule for n sorted values. */
function lerpPlan(n: number, qs: readonly number[]) {
  return qs.map((q) => {
    const h = (n - 1) * q;
    const lo = Math.floor(h);
    return { lo, hi: Math.min(lo + 1, n - 1), t: h - lo };
  });
}

/** The wall time (and device time, where the library measures it) of queued work, waited for. */
type Timer = (queue: () => void) => Promise<{ wallMs: number; kernelMs: number | null }>;

/**
 * Turns an open function into a Lib whose run() queues `times` ops and waits for them: with the library's
 * own timer (gradbox's profile, tfjs's time) for ops that only queue work, by the wall clock for the rest.
 */
function statsLib(
  meta: Pick<Lib, 'id' | 'library' | 'backend'>,
  open: () => Promise<{
    build(op: StatsOp, inputs: { data: Float32Array; shape: number[] }[]): OpRun;
    time: Timer;
    dispose(): Promise<void>;
  }>,
): Lib {
  return {
    ...meta,
    async open(): Promise<LibHandle> {
      const lib = await open();
      return {
        async prepare(op: OpName, inputs) {
          const r = lib.build(op as StatsOp, inputs);
          return {
            async run(times) {
              if (!r.waits) return lib.time(() => Array.from({ length: times }, () => r.queue()));
              const t0 = performance.now();
              for (let k = 0; k < times; k++) await r.queue();
              return { wallMs: performance.now() - t0, kernelMs: null };
            },
            runAndRead: () => r.read(),
            dispose: () => r.dispose(),
          };
        },
        dispose: () => lib.dispose(),
      };
    },
  };
}

// gradbox --------------------------------------------------------------------------------------------

export function gradboxStats(backend: 'webgpu' | 'wasm' | 'js'): StatsPeer {
  const lib = statsLib({ id: `gradbox-${backend}`, library: 'gradbox', backend }, async () => {
    const gb = await createContext({ backend });
    const moments = async (draw: () => Tensor) => {
      const m = gb.tidy(() => {
        const s = draw();
        return gb.stack([s.mean(), s.var()]);
      });
      const d = await m.data();
      m.dispose();
      return d;
    };
    // The samplers of the suite's distributions (dist.*.sample: Box-Muller, Marsaglia-Tsang, PTRS, search).
    const families: Partial<Record<StatsOp, () => dist.Distribution>> = {
      sampleNormal: () => new dist.Normal(gb, { mean: 0, std: 1 }),
      sampleGamma: () => new dist.Gamma(gb, { concentration: SAMPLERS.sampleGamma.concentration, rate: 1 }),
      samplePoisson: () => new dist.Poisson(gb, { rate: SAMPLERS.samplePoisson.rate }),
      sampleCategorical: () => new dist.Categorical(gb, { probs: [...SAMPLERS.sampleCategorical.probs] }),
    };
    return {
      build(op, inputs) {
        const family = families[op];
        if (family) {
          const n = inputs[0].data[0];
          const d = family();
          const draw = () => d.sample([n]);
          return { queue: () => draw().dispose(), read: () => moments(draw), dispose: () => d.dispose() };
        }
        const x = gb.tensor(inputs[0].data, inputs[0].shape);
        const result = (): Tensor => {
          if (op === 'histogram') {
            const h = stats.histogram(x, { bins: HISTOGRAM.bins, range: [HISTOGRAM.low, HISTOGRAM.high] });
            h.edges.dispose();
            return h.counts;
          }
          if (op === 'quantile') return stats.quantile(x, QUARTILES);
          throw new Error(`gradbox: no ${op} in this suite`);
        };
        if (op === 'bootstrap') {
          let seed = 0;
          const resamples = inputs[1].data[0];
          const interval = () =>
            stats.bootstrap(x, (s) => s.mean(1), { resamples, seed: seed++, level: BOOTSTRAP_LEVEL });
          return {
            waits: true,
            queue: async () => {
              await interval();
            },
            read: async () => {
              const r = await interval();
              return Float32Array.of(r.low, r.high, r.estimate);
            },
            dispose: () => x.dispose(),
          };
        }
        return {
          queue: () => result().dispose(),
          read: async () => {
            const y = result();
            const d = await y.data();
            y.dispose();
            return d;
          },
          dispose: () => x.dispose(),
        };
      },
      time: async (queue) => {
        const { wallMs, gpuMs } = await gb.profile(queue);
        return { wallMs, kernelMs: gpuMs };
      },
      dispose: async () => gb.dispose(),
    };
  });
  return { lib, missing: {} };
}

// tfjs -----------------------------------------------------------------------------------------------

/** tfjs's mean and variance of a tensor, read back. */
async function tfMoments(s: tf.Tensor): Promise<Float32Array> {
  const m = tf.tidy(() => {
    const { mean, variance } = tf.moments(s.toFloat());
    return tf.stack([mean, variance]);
  });
  const d = (await m.data()) as Float32Array;
  m.dispose();
  return Float32Array.from(d);
}

/** Linear quantiles from tfjs's descending sort (topk of all): position p ascending is n - 1 - p. */
function tfQuantiles(x: tf.Tensor1D, qs: readonly number[]): tf.Tensor {
  const n = x.shape[0];
  const desc = tf.topk(x, n).values;
  const plan = lerpPlan(n, qs);
  const at = (k: 'lo' | 'hi') =>
    tf.gather(
      desc,
      tf.tensor1d(
        plan.map((p) => n - 1 - p[k]),
        'int32',
      ),
    );
  const lo = at('lo');
  return lo.add(
    at('hi')
      .sub(lo)
      .mul(tf.tensor1d(plan.map((p) => p.t))),
  );
}

/** tfjs on a backend: `base` is the page's (or Node's) tfjs Lib for that backend, which starts it. */
export function tfjsStats(base: Lib): StatsPeer {
  const lib = statsLib({ id: `${base.id}`, library: 'tfjs 4.22', backend: base.backend }, async () => {
    const handle = await base.open();
    const probs = tf.tensor2d([SAMPLERS.sampleCategorical.probs.map(Math.log)]);
    const draws: Partial<Record<StatsOp, (n: number) => tf.Tensor>> = {
      sampleNormal: (n) => tf.randomNormal([n]),
      sampleGamma: (n) => tf.randomGamma([n], SAMPLERS.sampleGamma.concentration),
      sampleCategorical: (n) => tf.multinomial(probs, n),
    };
    return {
      build(op, inputs) {
        const draw = draws[op];
        if (draw) {
          const n = inputs[0].data[0];
          return {
            queue: () => tf.tidy(() => void draw(n)),
            read: () => tfMoments(tf.tidy(() => draw(n))),
            dispose() {},
          };
        }
        const x = tf.tensor1d(inputs[0].data);
        const { bins, low, high } = HISTOGRAM;
        const compute: () => tf.Tensor =
          op === 'histogram'
            ? // Bin by a division (clipped so the top edge lands in the last bin), then count the integers.
              () => {
                const ids = x
                  .sub(low)
                  .mul(bins / (high - low))
                  .floor()
                  .clipByValue(0, bins - 1)
                  .toInt();
                return tf.denseBincount(ids as tf.Tensor1D, tf.tensor1d([], 'float32'), bins);
              }
            : op === 'quantile'
              ? () => tfQuantiles(x, QUARTILES)
              : () => {
                  const n = x.shape[0];
                  const resamples = inputs[1].data[0];
                  const idx = tf.randomUniformInt([resamples, n], 0, n);
                  const means = tf.gather(x, idx).mean(1) as tf.Tensor1D;
                  const alpha = (1 - BOOTSTRAP_LEVEL) / 2;
                  return tf.concat([tfQuantiles(means, [alpha, 1 - alpha]), x.mean().reshape([1])]);
                };
        // A bootstrap returns numbers (as gradbox's does): its interval is read back every time.
        const bootstrap = op === 'bootstrap';
        return {
          waits: bootstrap,
          queue: bootstrap
            ? async () => {
                const y = tf.tidy(compute);
                await y.data();
                y.dispose();
              }
            : () => tf.tidy(() => void compute()),
          read: async () => {
            const y = tf.tidy(compute);
            const d = Float32Array.from((await y.data()) as ArrayLike<number>);
            y.dispose();
            return d;
          },
          dispose: () => x.dispose(),
        };
      },
      // tf.time waits for the kernels and reports their time (GPU timestamps on webgpu).
      time: async (queue) => {
        const info = await tf.time(queue);
        const kernelMs =
          base.backend === 'webgpu' && typeof info.kernelMs === 'number' ? info.kernelMs : null;
        return { wallMs: info.wallMs, kernelMs };
      },
      dispose: async () => {
        probs.dispose();
        await handle.dispose();
      },
    };
  });
  return { lib, missing: { samplePoisson: 'tfjs has no Poisson sampler' } };
}

// jax-js ---------------------------------------------------------------------------------------------

/** jax-js on its webgpu or wasm device; every call consumes its array arguments (hence the .ref). */
export function jaxStats(device: 'webgpu' | 'wasm'): StatsPeer {
  const lib = statsLib({ id: `jax-js-${device}`, library: 'jax-js 0.1.25', backend: device }, async () => {
    const { numpy: np, random } = jax;
    const started = await jax.init(device);
    if (!started.includes(device)) throw new Error(`jax-js could not start its ${device} device`);
    jax.defaultDevice(device);
    let seed = 0;
    const key = () => random.key(seed++);
    const moments = async (s: jax.Array) => {
      const f = s.astype(np.float32);
      const [m, v] = await Promise.all([np.mean(f.ref).data(), np.var_(f).data()]);
      return Float32Array.of(m[0], v[0]);
    };
    const logits = np.log(np.array(SAMPLERS.sampleCategorical.probs));
    const quantiles = (x: jax.Array, qs: readonly number[]) => {
      const n = x.shape[0];
      const plan = lerpPlan(n, qs);
      const s = np.sort(x);
      const at = (k: 'lo' | 'hi') =>
        np.take(
          s.ref,
          np.array(
            plan.map((p) => p[k]),
            { dtype: np.int32 },
          ),
        );
      const lo = at('lo');
      const out = lo.ref.add(
        at('hi')
          .sub(lo)
          .mul(np.array(plan.map((p) => p.t))),
      );
      s.dispose();
      return out;
    };
    return {
      build(op, inputs) {
        const draws: Partial<Record<StatsOp, (n: number) => jax.Array>> = {
          sampleNormal: (n) => random.normal(key(), [n]),
          sampleCategorical: (n) => random.categorical(key(), logits.ref, { shape: [n] }),
        };
        const draw = draws[op];
        if (draw) {
          const n = inputs[0].data[0];
          return {
            waits: true,
            queue: async () => {
              (await jax.blockUntilReady(draw(n))).dispose();
            },
            read: () => moments(draw(n)),
            dispose() {},
          };
        }
        const x = np.array(inputs[0].data);
        const compute = (): jax.Array => {
          if (op === 'quantile') return quantiles(x.ref, QUARTILES);
          const n = x.shape[0];
          const resamples = inputs[1].data[0];
          const idx = random.randint(key(), { minval: 0, maxval: n, shape: [resamples, n] });
          const means = np.mean(np.take(x.ref, idx, 0), 1);
          const alpha = (1 - BOOTSTRAP_LEVEL) / 2;
          return np.concatenate([quantiles(means, [alpha, 1 - alpha]), np.mean(x.ref).reshape([1])]);
        };
        return {
          waits: true,
          queue: async () => {
            const y = compute();
            if (op === 'bootstrap') await y.ref.data();
            (await jax.blockUntilReady(y)).dispose();
          },
          read: async () => Float32Array.from(await compute().data()),
          dispose: () => x.dispose(),
        };
      },
      time: () => Promise.reject(new Error('jax-js runs are timed by the wall clock')),
      dispose: async () => {
        logits.dispose();
      },
    };
  });
  const none = 'jax-js 0.1.25 has no such sampler';
  return {
    lib,
    missing: {
      sampleGamma: none,
      samplePoisson: none,
      histogram: 'jax-js 0.1.25 has no histogram, bincount or scatter-add',
    },
  };
}

// The suite ------------------------------------------------------------------------------------------

/**
 * Runs the suite on each peer: the cases it can run through the shared runner (checked, then timed), and a
 * skipped row with the reason for each case it cannot. A peer's op that fails or gives a wrong result here
 * (jax-js's WebGPU device on a software adapter, say) is reported in its row, with the error or the failed
 * check, as a limit of the peer rather than an error of the bench; gradbox's failures stay errors.
 */
export async function runStatsSuite(run: BenchRun, quick: boolean, peers: StatsPeer[]): Promise<void> {
  const all = statsCases(quick);
  for (const { lib, missing } of peers) {
    const can = all.filter((c) => !missing[c.op as StatsOp]);
    for (const c of all.filter((x) => missing[x.op as StatsOp])) {
      run.rows.push({
        suite: 'stats',
        case: c.name,
        library: lib.library,
        backend: lib.backend,
        skipped: `cannot run here: ${missing[c.op as StatsOp]}`,
      });
    }
    await run.runLib(lib, can, 'stats');
    if (lib.library === 'gradbox') continue;
    for (const row of run.rows) {
      if (row.library !== lib.library || row.backend !== lib.backend) continue;
      if (row.skipped?.startsWith('failed: ')) row.skipped = `cannot run here: ${row.skipped}`;
      if (row.check?.startsWith('WRONG: ')) {
        row.skipped = `cannot run here: a wrong result on this adapter (${row.check.slice(7)})`;
        delete row.check;
      }
    }
    for (let i = run.errors.length - 1; i >= 0; i--)
      if (run.errors[i].startsWith(`${lib.id} `)) run.errors.splice(i, 1);
  }
}
