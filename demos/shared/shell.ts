// The shell every demo shares: controls (lil-gui), play/pause/step/reset, a live backend switch with
// timings, the formula panel (KaTeX), the kernels panel, loss charts (uPlot), state in the URL, error
// banners, and window.demo for automation. A demo supplies only its simulation (see DemoDefinition).
import katex from 'katex';
import 'katex/dist/katex.min.css';
import GUI, { type Controller } from 'lil-gui';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { type BackendName, type BackendRequest, type Context, createContext, SHADERS } from '../../src/index';
import { type Params, type ParamSpec, type ParamValue, parseParam, readUrl, toQuery } from './params';
import './style.css';

/** What a demo builds on a context from its params; the shell drives it. */
export interface Simulation {
  /** Runs n training steps; resolves with their losses (one readback). */
  train(n: number): Promise<Float32Array>;
  /** Draws the current state; may read back what it draws. */
  render(): Promise<void>;
  /** The mathematics being computed, as TeX, with live values substituted. */
  formula(): Promise<string>;
  /**
   * The demo's own figures for window.demo.state(); numbers, strings and booleans also go to the stats
   * panel, arrays and objects only to state().
   */
  figures(): Record<string, Figure>;
  /** Extra series for the chart, per training step (e.g. test loss), read when the chart updates. */
  extraSeries?(): Promise<Record<string, number>>;
  /** Metrics in [0, 1] to chart over time (e.g. accuracy), keyed by the names in DemoDefinition.metrics. */
  metrics?(): Record<string, number>;
  /** A host copy of what training learned, to carry across a backend switch. */
  snapshot(): Promise<unknown>;
  /** Applies params marked `live` without a rebuild. */
  update?(params: Params): void;
  /** Runs one of DemoDefinition.actions (a button, or window.demo.control.act) with its arguments. */
  act?(key: string, args: unknown[]): Promise<void>;
  dispose(): void;
}

/** A value a demo reports in state(). */
export type Figure = number | string | boolean | null | readonly unknown[] | object;

/** A one-off computation a demo offers as a button (a sweep, a grid of runs) besides play and step. */
export interface DemoAction {
  key: string;
  label: string;
  folder?: string;
}

export interface DemoDefinition {
  id: string;
  title: string;
  /** Param specs; a spec with `live: true` in `liveKeys` updates the simulation instead of rebuilding it. */
  params: ParamSpec[];
  liveKeys?: string[];
  /** Kernel families this demo runs (for the kernels panel). */
  kernels: (keyof typeof SHADERS)[];
  /** Chart series besides the training loss. */
  series?: string[];
  /** Metrics in [0, 1] charted over time on a second, linear chart (e.g. accuracy). */
  metrics?: string[];
  // Demos that are not trained (linear algebra, PCA) ------------------------------------------------
  /** What `train` returns per step, for the chart and the stats (default: the training loss). */
  lossLabel?: string;
  /** A demo with no steps at all: no play/step controls, no loss chart, no step timings. */
  stepless?: boolean;
  /** Builds the simulation; `carry` is a snapshot from the other backend when switching. */
  create(gb: Context, params: Params, stage: HTMLElement, carry?: unknown): Promise<Simulation>;
  // --- options for demos that are stepped by hand or draw their own charts (all optional) ---
  /** Starts playing when loaded (default true); false for demos a learner steps by clicks. */
  autoplay?: boolean;
  /** The side panel's loss chart (default true); false where the demo draws its own charts. */
  lossChart?: boolean;
  /** Buttons that run Simulation.act(key). */
  actions?: DemoAction[];
  /** Steps per frame and per press of step, for demos without a `stepsPerFrame` param (default 10). */
  stepsPerFrame?: number;
  /** Params to set together with `key` (e.g. a surface's own learning rates); applied before one rebuild. */
  linked?(key: string, value: ParamValue): Params | undefined;
}

export interface DemoHandle {
  ready: Promise<void>;
  state(): Record<string, unknown>;
  /** The gradbox context the demo runs on right now (for automation and debugging). */
  context(): Context | null;
  control: {
    play(): void;
    pause(): void;
    step(n?: number): Promise<void>;
    reset(): Promise<void>;
    setBackend(b: BackendRequest): Promise<void>;
    set(key: string, value: string | number | boolean): Promise<void>;
    /** Runs one of the demo's actions (DemoDefinition.actions) and waits for it. */
    act(key: string, ...args: unknown[]): Promise<void>;
  };
}

declare global {
  interface Window {
    demo?: DemoHandle;
  }
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text = '') {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

const WEBGPU_HELP =
  'WebGPU is not available here, so the demo runs on the CPU backend. To use the GPU, open it in a browser ' +
  'with WebGPU (Chrome or Edge 113+, Safari 26+, Firefox 141+) over https or localhost; in Chromium you can ' +
  'also start it with --enable-unsafe-webgpu.';

/**
 * The event a simulation sends on its stage when what it shows changed outside a training step (a drag, a
 * live setting): the shell then refreshes the stats and the formula (at most once a frame).
 */
export const FIGURES_CHANGED = 'figures-changed';

/** Tells the shell that the figures of the simulation on `stage` changed (see FIGURES_CHANGED). */
export function figuresChanged(stage: HTMLElement): void {
  stage.dispatchEvent(new Event(FIGURES_CHANGED));
}

/** The event a simulation sends on its stage to show a message in the shell's notice (see notify). */
export const NOTICE = 'demo-notice';

/**
 * Shows `message` in the shell's notice, e.g. a parameter the library rejected and the default used instead.
 */
export function notify(stage: HTMLElement, message: string): void {
  stage.dispatchEvent(new CustomEvent(NOTICE, { detail: message }));
}

export function startDemo(def: DemoDefinition): DemoHandle {
  const app = document.getElementById('app') ?? document.body;
  const header = el('header', { class: 'demo-header' });
  header.append(
    el('a', { href: '../../' }, 'gradbox'),
    document.createTextNode(' / '),
    el('strong', {}, def.title),
  );
  const notice = el('div', { id: 'notice', class: 'notice', hidden: '' });
  const layout = el('div', { class: 'demo-layout' });
  const stage = el('div', { id: 'stage', class: 'stage' });
  const side = el('aside', { class: 'side' });
  const stats = el('div', { id: 'stats', class: 'stats' });
  const formula = el('div', { id: 'formula', class: 'formula' });
  const chartBox = el('div', { id: 'chart', class: 'chart' });
  const kernels = el('details', { id: 'kernels', class: 'kernels' });
  kernels.append(el('summary', {}, `Kernels running now: ${def.kernels.map((k) => `${k}.wgsl`).join(', ')}`));
  for (const k of def.kernels) {
    kernels.append(el('h4', {}, `shaders/${k}.wgsl`), el('pre', { class: 'wgsl' }, SHADERS[k].code));
  }
  side.append(stats, formula, chartBox, kernels);
  layout.append(stage, side);
  app.append(header, notice, layout);

  const messages: string[] = [];
  const showNotice = (text: string, kind: 'note' | 'error' = 'note') => {
    messages.push(text);
    notice.hidden = false;
    notice.className = `notice ${kind}`;
    notice.textContent = messages.slice(-3).join('\n');
  };

  const url = readUrl(def.params, location.search);
  const params: Params = url.params;
  if (url.problems.length)
    showNotice(`Some settings in the link were not usable:\n${url.problems.join('\n')}`);
  const wantBackend = new URLSearchParams(location.search).get('backend');

  let gb: Context | null = null;
  let sim: Simulation | null = null;
  let gpuOk = false;
  // A hand-stepped or stepless demo waits for the learner.
  const startsPlaying = (def.autoplay ?? true) && !def.stepless;
  let playing = startsPlaying;
  let busy: Promise<void> | null = null;
  // Set while the simulation is being rebuilt (reset, backend switch, a new setting): the frame loop waits.
  let rebuilding = 0;
  const exclusive = async <T>(fn: () => Promise<T>): Promise<T> => {
    rebuilding++;
    try {
      while (busy) await busy;
      return await fn();
    } finally {
      rebuilding--;
    }
  };
  let step = 0;
  let loss = Number.NaN;
  let msPerStep = Number.NaN;
  let stepsPerSec = Number.NaN;
  let lastFormula = 0;
  const chartData: number[][] = [[], [], ...(def.series ?? []).map(() => [])];
  const seriesNames = [def.lossLabel ?? 'train loss', ...(def.series ?? [])];
  const controls: Record<string, Controller> = {};

  const chart = new uPlot(
    {
      width: 360,
      height: 200,
      scales: { x: { time: false }, y: { distr: 3 } },
      axes: [{ label: 'step' }, { label: `${def.lossLabel ?? 'loss'} (log)` }],
      series: [
        { label: 'step' },
        ...seriesNames.map((n, i) => ({ label: n, stroke: ['#2563eb', '#f97316', '#16a34a'][i % 3] })),
      ],
    },
    chartData as uPlot.AlignedData,
    chartBox,
  );
  if (def.lossChart === false) chart.root.hidden = true;

  // A second chart for metrics in [0, 1], when the demo has any.
  const metricNames = def.metrics ?? [];
  const metricData: number[][] = [[], ...metricNames.map(() => [])];
  const metricChart = metricNames.length
    ? new uPlot(
        {
          width: 360,
          height: 160,
          scales: { x: { time: false }, y: { range: [0, 1] } },
          axes: [{ label: 'step' }, { label: 'metric' }],
          series: [
            { label: 'step' },
            ...metricNames.map((n, i) => ({ label: n, stroke: ['#2563eb', '#f97316', '#16a34a'][i % 3] })),
          ],
        },
        metricData as uPlot.AlignedData,
        chartBox,
      )
    : null;

  const writeUrl = () => {
    const q = toQuery(def.params, params, gb ? { backend: gb.backend } : {});
    history.replaceState(null, '', `${location.pathname}${q}`);
  };

  const renderStats = () => {
    const f = sim?.figures() ?? {};
    const rows: [string, string][] = [
      [
        'backend',
        gb
          ? `${gb.backend}${gb.backend === 'webgpu' ? ` (${gb.backendReason.replace('WebGPU on ', '')})` : ''}`
          : '-',
      ],
      ...(def.stepless
        ? []
        : ([
            ['step', String(step)],
            [
              def.lossLabel ?? 'loss',
              // Nothing to show before the first step; a NaN after it is news (a diverged run).
              step === 0 ? '-' : Number.isFinite(loss) ? loss.toPrecision(4) : String(loss),
            ],
            ['ms / step', Number.isFinite(msPerStep) ? msPerStep.toFixed(2) : '-'],
            ['steps / s', Number.isFinite(stepsPerSec) ? stepsPerSec.toFixed(1) : '-'],
          ] as [string, string][])),
      ...Object.entries(f)
        .filter(([, v]) => v !== null && typeof v !== 'object')
        .map(([k, v]) => [k, typeof v === 'number' ? v.toPrecision(4) : String(v)] as [string, string]),
    ];
    stats.replaceChildren(
      ...rows.map(([k, v]) => {
        const row = el('div', { class: 'stat' });
        row.append(el('span', {}, k), el('b', { 'data-stat': k }, v));
        return row;
      }),
    );
  };

  stage.addEventListener(NOTICE, (e) => showNotice(String((e as CustomEvent<string>).detail)));

  let figuresPending = false;
  stage.addEventListener(FIGURES_CHANGED, () => {
    if (figuresPending) return;
    figuresPending = true;
    requestAnimationFrame(() => {
      figuresPending = false;
      renderStats();
      void renderFormula();
    });
  });

  const renderFormula = async () => {
    if (!sim) return;
    try {
      katex.render(`\\begin{gathered}${await sim.formula()}\\end{gathered}`, formula, {
        displayMode: true,
        throwOnError: false,
      });
    } catch (e) {
      formula.textContent = (e as Error).message;
    }
  };

  const build = async (carry?: unknown) => {
    sim?.dispose();
    sim = null;
    stage.replaceChildren();
    sim = await def.create(gb!, params, stage, carry);
  };

  const resetChart = () => {
    for (const s of chartData) s.length = 0;
    chart.setData(chartData as uPlot.AlignedData);
    for (const s of metricData) s.length = 0;
    metricChart?.setData(metricData as uPlot.AlignedData);
  };

  // Contexts the shell disposed itself: their device's loss is expected, not a failure.
  const closedByUs = new WeakSet<Context>();
  const closeContext = () => {
    if (gb) closedByUs.add(gb);
    gb?.dispose();
  };

  const openBackend = async (name: BackendRequest): Promise<Context> => {
    if (name === 'webgpu') {
      try {
        const ctx = await createContext({ backend: 'webgpu' });
        ctx.device?.addEventListener('uncapturederror', (e) => {
          void onGpuFailure(`GPU error: ${(e as GPUUncapturedErrorEvent).error.message}`);
        });
        ctx.device?.lost.then((info) => {
          if (!closedByUs.has(ctx))
            void onGpuFailure(`the GPU device was lost (${info.reason}): ${info.message}`);
        });
        return ctx;
      } catch (e) {
        showNotice(`${WEBGPU_HELP}\n(${(e as Error).message})`);
      }
    }
    // The CPU: the fastest backend there unless one was named ('wasm' or 'js', to compare them).
    return createContext({ backend: name === 'wasm' || name === 'js' ? name : 'cpu' });
  };

  const setBackend = (name: BackendRequest) =>
    exclusive(async () => {
      const carry = sim ? await sim.snapshot() : undefined;
      sim?.dispose();
      sim = null;
      closeContext();
      gb = await openBackend(name);
      backendState.backend = gb.backend;
      controls.backend?.updateDisplay();
      await build(carry);
      writeUrl();
      renderStats();
    });

  let failing = false;
  const onGpuFailure = async (message: string) => {
    if (failing) return;
    failing = true;
    showNotice(`${message}. Switched to the CPU backend; the demo goes on.`, 'error');
    await exclusive(async () => {
      try {
        sim?.dispose();
      } catch {
        // the device may already be gone
      }
      sim = null;
      closeContext();
      gb = await createContext({ backend: 'cpu' });
      backendState.backend = gb.backend;
      controls.backend?.updateDisplay();
      await build();
      // The failed frame paused training; the CPU picks it up again.
      playing = startsPlaying;
      playState.playing = startsPlaying;
      controls.play?.updateDisplay();
    });
    failing = false;
  };

  const trainOnce = async (n: number) => {
    if (!sim) return;
    const t0 = performance.now();
    let losses: Float32Array;
    try {
      losses = await sim.train(n);
    } catch (e) {
      playing = false;
      playState.playing = false;
      controls.play?.updateDisplay();
      showNotice((e as Error).message, 'error');
      return;
    }
    const ms = performance.now() - t0;
    msPerStep = ms / n;
    stepsPerSec = (1000 * n) / ms;
    const extra = sim.extraSeries ? await sim.extraSeries() : {};
    for (let i = 0; i < losses.length; i++) {
      step++;
      loss = losses[i];
      if (i === losses.length - 1 || step % Math.ceil(n / 4) === 0) {
        chartData[0].push(step);
        chartData[1].push(Math.max(loss, 1e-12));
        (def.series ?? []).forEach((s, k) => chartData[2 + k].push(Math.max(extra[s] ?? Number.NaN, 1e-12)));
      }
    }
    if (chartData[0].length > 4000) for (const s of chartData) s.splice(0, s.length - 4000);
    chart.setData(chartData as uPlot.AlignedData);
    const m = sim.metrics?.() ?? {};
    if (metricChart && metricNames.some((k) => Number.isFinite(m[k]))) {
      metricData[0].push(step);
      metricNames.forEach((k, i) => metricData[1 + i].push(m[k] ?? Number.NaN));
      if (metricData[0].length > 4000) for (const s of metricData) s.splice(0, s.length - 4000);
      metricChart.setData(metricData as uPlot.AlignedData);
    }
  };

  const stepsPerFrame = () => Number(params.stepsPerFrame ?? def.stepsPerFrame ?? 10);

  /**
   * Runs one unit of simulation work (a frame, a step) as the `busy` task. Any failure, e.g. a readback
   * cut short by a lost device, becomes a message on the page instead of an unhandled rejection.
   */
  const guarded = (work: () => Promise<void>): Promise<void> => {
    busy = work()
      .catch((e: Error) => showNotice(e.message, 'error'))
      .finally(() => {
        busy = null;
      });
    return busy;
  };

  const frame = async () => {
    if (playing && sim && !busy && rebuilding === 0) {
      void guarded(async () => {
        await trainOnce(stepsPerFrame());
        await sim?.render();
        renderStats();
        if (performance.now() - lastFormula > 250) {
          lastFormula = performance.now();
          await renderFormula();
        }
      });
    }
    requestAnimationFrame(() => void frame());
  };

  const reset = () =>
    exclusive(async () => {
      step = 0;
      loss = Number.NaN;
      resetChart();
      await build();
      await sim!.render();
      renderStats();
      await renderFormula();
    });

  // Controls ----------------------------------------------------------------------------------------
  const gui = new GUI({ title: def.title });
  const playState = {
    playing,
    step: () => void stepN(stepsPerFrame()),
    reset: () => void reset(),
  };
  const backendState = { backend: 'wasm' as BackendName };
  controls.backend = gui
    .add(backendState, 'backend', ['webgpu', 'wasm', 'js'])
    .name('backend')
    .onChange((v: BackendName) => {
      void setBackend(v);
    });
  controls.play = gui
    .add(playState, 'playing')
    .name('play')
    .onChange((v: boolean) => {
      playing = v;
    });
  const stepControl = gui.add(playState, 'step').name('step');
  if (def.stepless) {
    controls.play.hide();
    stepControl.hide();
    chartBox.hidden = true;
  }
  gui.add(playState, 'reset').name('reset (same seed)');
  const folders = new Map<string, GUI>();
  const folderOf = (name?: string): GUI =>
    name ? (folders.get(name) ?? folders.set(name, gui.addFolder(name)).get(name)!) : gui;
  const guiValues: Params = { ...params };
  for (const spec of def.params) {
    const parent = folderOf(spec.folder);
    let c: Controller;
    if (spec.kind === 'select') c = parent.add(guiValues, spec.key, spec.options as string[]);
    else if (spec.kind === 'bool') c = parent.add(guiValues, spec.key);
    else if (spec.kind === 'text') c = parent.add(guiValues, spec.key);
    else if (spec.log) {
      // A log-scale slider: the control holds log10 of the value.
      const logState = { [spec.key]: Math.log10(Number(params[spec.key])) };
      c = parent.add(logState, spec.key, Math.log10(spec.min!), Math.log10(spec.max!), 0.01);
      c.name(`${spec.label ?? spec.key} (log10)`);
      c.onFinishChange((v: number) => void setParam(spec.key, String(10 ** v)));
      controls[spec.key] = c;
      continue;
    } else
      c = parent.add(
        guiValues,
        spec.key,
        spec.min,
        spec.max,
        spec.step ?? (spec.kind === 'int' ? 1 : undefined),
      );
    c.name(spec.label ?? spec.key);
    c.onFinishChange((v: unknown) => void setParam(spec.key, v));
    controls[spec.key] = c;
  }
  /** Shows only the controls whose showIf holds for the current params. */
  const showControls = () => {
    for (const spec of def.params) if (spec.showIf) controls[spec.key]?.show(spec.showIf(params));
  };
  showControls();

  async function setParam(key: string, raw: unknown): Promise<void> {
    const spec = def.params.find((s) => s.key === key);
    if (!spec) throw new Error(`unknown setting ${key}`);
    const [v, problem] = parseParam(spec, raw);
    if (problem) showNotice(problem);
    const changed: Params = { [key]: v, ...(def.linked?.(key, v) ?? {}) };
    for (const [k, value] of Object.entries(changed)) {
      params[k] = value;
      guiValues[k] = value;
      if (def.params.find((s) => s.key === k)?.log)
        (controls[k].object as Record<string, number>)[k] = Math.log10(Number(value));
      controls[k]?.updateDisplay();
    }
    showControls();
    writeUrl();
    if (def.liveKeys?.includes(key)) {
      sim?.update?.(params);
      // Paused, nothing else would draw the change: draw it now.
      if (!playing) await redraw(async () => {});
    } else await reset();
  }

  async function stepN(n: number): Promise<void> {
    while (busy) await busy;
    await guarded(async () => {
      await trainOnce(n);
      await sim?.render();
      renderStats();
      await renderFormula();
    });
  }

  /** Runs `work` then draws, as the busy task: after the frame in flight, holding off the next one. */
  async function redraw(work: () => Promise<void>): Promise<void> {
    while (busy) await busy;
    await guarded(async () => {
      await work();
      await sim?.render();
      renderStats();
      await renderFormula();
    });
  }
  // A demo's actions: buttons in the controls, and window.demo.control.act for automation.
  const act = async (key: string, args: unknown[]): Promise<void> => {
    if (!def.actions?.some((a) => a.key === key)) throw new Error(`unknown action ${key}`);
    await redraw(async () => {
      await sim?.act?.(key, args);
    });
  };
  for (const a of def.actions ?? [])
    folderOf(a.folder)
      .add({ [a.key]: () => void act(a.key, []) }, a.key)
      .name(a.label);

  const ready = (async () => {
    const cpuWanted = wantBackend === 'cpu' || wantBackend === 'wasm' || wantBackend === 'js';
    gb = await openBackend(cpuWanted ? wantBackend : 'webgpu');
    gpuOk = gb.backend === 'webgpu';
    backendState.backend = gb.backend;
    controls.backend.updateDisplay();
    if (!gpuOk) controls.backend.disable(!cpuWanted);
    await build();
    await sim!.render();
    renderStats();
    await renderFormula();
    writeUrl();
    requestAnimationFrame(() => void frame());
  })().catch((e: Error) => {
    showNotice(`The demo could not start: ${e.message}`, 'error');
    throw e;
  });

  const handle: DemoHandle = {
    ready,
    context: () => gb,
    state: () => ({
      backend: gb?.backend ?? null,
      step,
      loss,
      playing,
      msPerStep,
      stepsPerSec,
      params: { ...params },
      ...(sim?.figures() ?? {}),
    }),
    control: {
      play: () => {
        playing = true;
        playState.playing = true;
        controls.play.updateDisplay();
      },
      pause: () => {
        playing = false;
        playState.playing = false;
        controls.play.updateDisplay();
      },
      step: (n = 1) => stepN(n),
      reset,
      setBackend,
      set: (key, value) => setParam(key, value),
      act: (key, ...args) => act(key, args),
    },
  };
  window.demo = handle;
  return handle;
}
