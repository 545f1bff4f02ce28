// Demo: optimisation landscapes. Six optimisers race from one start on a chosen surface (contours and a
// 3-D view), a learning-rate sweep and the momentum phase diagram run thousands of runs as one batched
// computation, a grid of starts shows Himmelblau's basins of attraction, and mini-batch SGD walks beside
// full-batch descent. Every number comes from gradbox (public API only).
import uPlot from 'uplot';
import { type Context, type Tensor } from '../../src/index';
import {
  CLASS_COLORS,
  diverging,
  dot,
  figure,
  gaussian,
  type RGB,
  rgb,
  seeded,
  sequential,
  View,
} from '../shared/draw';
import { eigh2x2 } from '../shared/eig2';
import { drawField, gridPoints, type Range, Scale } from '../shared/field';
import { type Params, type ParamSpec, type ParamValue, pointOf, pointParam } from '../shared/params';
import { type Simulation, startDemo } from '../shared/shell';
import { basins, divergenceThreshold, logSpace, runBatch } from './batched';
import {
  disposeRuns,
  type Hyper,
  METHOD_LABELS,
  METHODS,
  type Method,
  type Runs,
  startRuns,
  step,
} from './rules';
import {
  type Camera,
  createSurfaceRenderer,
  type Mesh,
  type Path3D,
  type SurfaceRenderer,
} from './surface3d';
import {
  HIMMELBLAU_MINIMA,
  type LiveSurface,
  makeSurface,
  SURFACE_INFO,
  SURFACES,
  type SurfaceName,
} from './surfaces';

const GRID = 128; // contour resolution
const MESH = 64; // 3-D mesh resolution
const PHASE = 48; // the phase diagram's side (runs = PHASE^2)
const COLORS: Record<Method, RGB> = {
  gd: [37, 99, 235],
  momentum: [249, 115, 22],
  nesterov: [22, 163, 74],
  rmsprop: [168, 85, 247],
  adam: [220, 38, 38],
  newton: [17, 24, 39],
};
const lrKey = (m: Method) => `lr${m[0].toUpperCase()}${m.slice(1)}`;

const PARAMS: ParamSpec[] = [
  { key: 'surface', kind: 'select', default: 'quadratic', options: SURFACES, folder: 'surface' },
  {
    key: 'kappa',
    kind: 'number',
    default: 10,
    min: 1,
    max: 100,
    step: 0.5,
    folder: 'surface',
    label: 'bowl: condition number κ',
  },
  {
    key: 'angle',
    kind: 'number',
    default: 30,
    min: 0,
    max: 180,
    step: 1,
    folder: 'surface',
    label: 'bowl: rotation θ°',
  },
  {
    key: 'start',
    kind: 'text',
    default: SURFACE_INFO.quadratic.start.join(','),
    folder: 'surface',
    label: 'start x,y (or click)',
    parse: pointParam(100),
  },
  ...METHODS.map((m): ParamSpec => ({
    key: lrKey(m),
    kind: 'number',
    default: SURFACE_INFO.quadratic.lr[m],
    min: 1e-5,
    max: 10,
    log: true,
    folder: 'optimisers',
    label: `${METHOD_LABELS[m]} η`,
  })),
  {
    key: 'beta',
    kind: 'number',
    default: 0.9,
    min: 0,
    max: 0.999,
    step: 0.001,
    folder: 'optimisers',
    label: 'β (momentum, RMSProp, Adam β₁)',
  },
  {
    key: 'stepsPerFrame',
    kind: 'int',
    default: 1,
    min: 1,
    max: 50,
    folder: 'optimisers',
    label: 'steps per frame',
  },
  {
    key: 'sweepRuns',
    kind: 'int',
    default: 1024,
    min: 16,
    max: 8192,
    folder: 'learning-rate sweep',
    label: 'runs',
  },
  {
    key: 'sweepSteps',
    kind: 'int',
    default: 100,
    min: 10,
    max: 1000,
    folder: 'learning-rate sweep',
    label: 'steps per run',
  },
  {
    key: 'basinSide',
    kind: 'select',
    default: '256',
    options: ['64', '128', '256'],
    folder: 'basins (Himmelblau)',
    label: 'grid side',
  },
  {
    key: 'basinLr',
    kind: 'number',
    default: 0.01,
    min: 1e-4,
    max: 0.05,
    log: true,
    folder: 'basins (Himmelblau)',
    label: 'η',
  },
  {
    key: 'basinSteps',
    kind: 'int',
    default: 150,
    min: 10,
    max: 2000,
    folder: 'basins (Himmelblau)',
    label: 'most steps',
  },
  {
    key: 'batchSize',
    kind: 'int',
    default: 4,
    min: 1,
    max: 64,
    folder: 'stochastic gradients',
    label: 'batch size',
  },
  {
    key: 'sgdLr',
    kind: 'number',
    default: 0.1,
    min: 1e-3,
    max: 1,
    log: true,
    folder: 'stochastic gradients',
    label: 'η',
  },
  { key: 'seed', kind: 'int', default: 1, min: 0, max: 1_000_000, folder: 'stochastic gradients' },
];
const LIVE = [
  ...METHODS.map(lrKey),
  'beta',
  'stepsPerFrame',
  'start',
  'sweepRuns',
  'sweepSteps',
  'basinSide',
  'basinLr',
  'basinSteps',
  'batchSize',
  'sgdLr',
];

/** A surface's own start and learning rates come with it. */
function linked(key: string, value: ParamValue): Params | undefined {
  if (key !== 'surface') return undefined;
  const info = SURFACE_INFO[value as SurfaceName];
  return { start: info.start.join(','), ...Object.fromEntries(METHODS.map((m) => [lrKey(m), info.lr[m]])) };
}

/** f on a side x side grid over `range`, read back (row 0 at the top). */
async function evalGrid(
  gb: Context,
  f: (p: Tensor) => Tensor,
  range: Range,
  side: number,
): Promise<Float32Array> {
  const values = gb.tidy(() => f(gb.tensor(gridPoints(range, side), [side * side, 2])));
  const data = await values.data();
  values.dispose();
  return data;
}

/** The Hessian at p (gb.hessian) and its eigenvalues, largest first. */
async function curvatureAt(gb: Context, f: (p: Tensor) => Tensor, p: [number, number]) {
  const out = gb.tidy(() => {
    const at = gb.tensor(p);
    const H = gb.hessian((q: Tensor) => f(q.reshape([1, 2])).sum())(at);
    return gb.concat([H.reshape([4]), eigh2x2(gb, H).values]);
  });
  const d = await out.data();
  out.dispose();
  return { hessian: [d[0], d[1], d[2], d[3]], eigenvalues: [d[4], d[5]] };
}

/** One optimiser in the race: its runs (one row), where it has been and its losses. */
interface Racer {
  method: Method;
  runs: Runs;
  path: [number, number][];
  losses: number[];
  diverged: boolean;
}

interface SweepResult {
  lrs: number[];
  finalLoss: Float32Array;
  threshold: number;
  ms: number;
  phase: { lrs: number[]; betas: number[]; finalLoss: Float32Array; ms: number };
}

// The 3-D view keeps its canvas and GPU device across rebuilds (a new surface, a reset).
let view3d: { canvas: HTMLCanvasElement; renderer: Promise<SurfaceRenderer>; camera: Camera } | null = null;
function surfaceView(): NonNullable<typeof view3d> {
  if (view3d) return view3d;
  const canvas = Object.assign(document.createElement('canvas'), {
    width: 340,
    height: 340,
    id: 'surface3d',
    tabIndex: 0,
  });
  canvas.setAttribute('aria-label', 'The surface in 3-D: drag or use the arrow keys to turn it');
  const camera: Camera = { yaw: 0.6, pitch: 0.55 };
  view3d = { canvas, renderer: createSurfaceRenderer(canvas), camera };
  return view3d;
}

/** A figure as wide as what it shows, so that its caption wraps under it. */
function panel(node: HTMLElement, caption: string): HTMLElement {
  const f = figure(node, caption);
  f.style.maxWidth = `${node instanceof HTMLCanvasElement ? node.width : 340}px`;
  return f;
}

function canvas(id: string, width: number, height: number, label: string): HTMLCanvasElement {
  const c = Object.assign(document.createElement('canvas'), { width, height, id });
  c.setAttribute('aria-label', label);
  return c;
}

async function create(gb: Context, p: Params, stage: HTMLElement): Promise<Simulation> {
  const name = p.surface as SurfaceName;
  const surface: LiveSurface = makeSurface(gb, name, Number(p.kappa), Number(p.angle));
  const range = surface.range;
  const live = {
    lr: Object.fromEntries(METHODS.map((m) => [m, Number(p[lrKey(m)])])) as Record<Method, number>,
    beta: Number(p.beta),
    batchSize: Number(p.batchSize),
    sgdLr: Number(p.sgdLr),
    params: p,
  };
  const hyper = (m: Method): Hyper => ({ lr: live.lr[m], beta: live.beta, beta2: 0.999, eps: 1e-8 });

  // The landscape: contours from a 128^2 grid, a 64^2 mesh for 3-D, both computed by gradbox.
  const gridValues = await evalGrid(gb, surface.f, range, GRID);
  const meshValues = await evalGrid(gb, surface.f, range, MESH);
  const scale = new Scale(gridValues, surface.log);
  const base = canvas('contour-base', 340, 340, '');
  drawField(base, gridValues, GRID, scale);
  const mesh: Mesh = {
    side: MESH,
    heights: Float32Array.from(meshValues, (v) => scale.at(v)),
    colors: Float32Array.from(
      { length: MESH * MESH * 3 },
      (_, k) => sequential(scale.at(meshValues[Math.floor(k / 3)]))[k % 3] / 255,
    ),
  };

  // The race ----------------------------------------------------------------------------------------
  let start = pointOf(p.start);
  let racers: Racer[] = [];
  let f0 = Number.NaN;
  let curvature = { hessian: [0, 0, 0, 0], eigenvalues: [Number.NaN, Number.NaN] };
  let raceStep = 0;
  /** A new race from `from`; what state() shows changes at once, when everything is computed. */
  const startRace = async (from: [number, number]) => {
    const at = gb.tidy(() => surface.f(gb.tensor([from])));
    const loss = await at.item();
    at.dispose();
    const curv = await curvatureAt(gb, surface.f, from);
    racers.forEach((r) => disposeRuns(r.runs));
    racers = METHODS.map((method) => ({
      method,
      runs: startRuns(gb, gb.tensor([from])),
      path: [from],
      losses: [loss],
      diverged: false,
    }));
    [start, f0, curvature, raceStep] = [from, loss, curv, 0];
  };
  await startRace(start);
  // A start set by a click or the URL field, taken up by the next step or restart.
  let pendingStart: string | null = null;
  const takeStart = () => {
    const from = pointOf(pendingStart ?? start.join(','));
    pendingStart = null;
    return startRace(from);
  };

  const stepRace = async (): Promise<number> => {
    const moving = racers.filter((r) => !r.diverged);
    for (const r of moving) {
      const next = step(gb, r.method, surface.f, r.runs, hyper(r.method));
      disposeRuns(r.runs);
      r.runs = next;
    }
    raceStep++;
    if (moving.length === 0) return Math.min(...racers.map((r) => r.losses[r.losses.length - 1]));
    // One readback per step: every racer's position and loss, (racers, 3).
    const snap = gb.tidy(() => {
      const P = gb.concat(
        moving.map((r) => r.runs.p),
        0,
      );
      return gb.concat([P, surface.f(P).reshape([-1, 1])], 1);
    });
    const d = await snap.data();
    snap.dispose();
    const span = Math.max(range[1] - range[0], range[3] - range[2]);
    moving.forEach((r, i) => {
      const [x, y, loss] = [d[3 * i], d[3 * i + 1], d[3 * i + 2]];
      // Far outside the window, or not a number: the run diverged; it stops there.
      if (![x, y, loss].every(Number.isFinite) || Math.abs(x) > 100 * span || Math.abs(y) > 100 * span) {
        r.diverged = true;
        return;
      }
      r.path.push([x, y]);
      r.losses.push(loss);
      if (r.path.length > 3000) {
        r.path.shift();
        r.losses.shift();
      }
    });
    return Math.min(...racers.map((r) => r.losses[r.losses.length - 1]));
  };

  // Stochastic gradients: least squares on 64 points, full batch beside mini-batches -----------------
  const rand = seeded(Number(p.seed));
  const N_SGD = 64;
  const sx = Array.from({ length: N_SGD }, () => rand() * 2 - 1);
  const sy = sx.map((x) => 1.5 * x - 0.5 + 0.5 * gaussian(rand));
  // Rows [x_i; 1] and targets y_i: a point p = (w, b) predicts p @ design, shape (N, n).
  const design = gb.tensor([...sx, ...sx.map(() => 1)], [2, N_SGD]);
  const targets = gb.tensor(sy, [1, N_SGD]);
  const lsq = (cols: Tensor, ys: Tensor) => (q: Tensor) => q.matmul(cols).sub(ys).square().mean(1);
  const fullLoss = lsq(design, targets);
  const sgdRange: Range = [-3, 4, -3, 3];
  const sgdGrid = await evalGrid(gb, fullLoss, sgdRange, 96);
  const sgdBase = canvas('sgd-base', 340, 280, '');
  drawField(sgdBase, sgdGrid, 96, new Scale(sgdGrid, true));
  const sgdStart: [number, number] = [-2, 2.2];
  let fullRuns = startRuns(gb, gb.tensor([sgdStart]));
  let sgdRuns = startRuns(gb, gb.tensor([sgdStart]));
  const sgdPaths: { full: [number, number][]; sgd: [number, number][] } = {
    full: [sgdStart],
    sgd: [sgdStart],
  };
  const sgdLoss = { full: Number.NaN, sgd: Number.NaN };
  let sgdStep = 0;
  const stepSgd = async () => {
    sgdStep++;
    const h = { lr: live.sgdLr, beta: 0, beta2: 0, eps: 0 };
    const nextFull = step(gb, 'gd', fullLoss, fullRuns, h);
    const nextSgd = gb.tidy(() => {
      // A fresh mini-batch each step, drawn on the device from a seeded stream.
      const idx = gb.randint([live.batchSize], 0, N_SGD, { seed: Number(p.seed) * 1_000_003 + sgdStep });
      const batch = lsq(
        design.transpose().gather(idx, 0).transpose(),
        targets.transpose().gather(idx, 0).transpose(),
      );
      return step(gb, 'gd', batch, sgdRuns, h);
    });
    disposeRuns(fullRuns);
    disposeRuns(sgdRuns);
    [fullRuns, sgdRuns] = [nextFull, nextSgd];
    const snap = gb.tidy(() => {
      const P = gb.concat([fullRuns.p, sgdRuns.p], 0);
      return gb.concat([P, fullLoss(P).reshape([-1, 1])], 1);
    });
    const d = await snap.data();
    snap.dispose();
    sgdPaths.full.push([d[0], d[1]]);
    sgdPaths.sgd.push([d[3], d[4]]);
    sgdLoss.full = d[2];
    sgdLoss.sgd = d[5];
    for (const path of Object.values(sgdPaths)) if (path.length > 3000) path.shift();
  };

  // The batched computations: sweep + phase diagram, and basins ------------------------------------
  let sweep: SweepResult | null = null;
  let basinResult: {
    side: number;
    steps: number;
    ms: number;
    counts: number[];
    unconverged: number;
    meanSteps: number;
  } | null = null;
  // 2/L bounds stable step sizes where the surface curves up; where it does not (L <= 0), there is none.
  const twoOverL = () => (curvature.eigenvalues[0] > 0 ? 2 / curvature.eigenvalues[0] : Number.NaN);
  const lrWindow = (loFactor: number, hiFactor: number, n: number) => {
    const c = twoOverL();
    return Number.isFinite(c) ? logSpace(c * loFactor, c * hiFactor, n) : logSpace(1e-5, 10, n);
  };
  const runSweep = async () => {
    const steps = Number(live.params.sweepSteps);
    const lrs = lrWindow(1e-3, 10, Number(live.params.sweepRuns));
    const s = await runBatch(gb, surface.f, 'gd', start, lrs, 0, steps);
    const phaseLrs = lrWindow(1e-2, 4, PHASE);
    const betas = Array.from({ length: PHASE }, (_, j) => 0.98 * (1 - j / (PHASE - 1))); // row 0: largest beta
    const ph = await runBatch(
      gb,
      surface.f,
      'momentum',
      start,
      betas.flatMap(() => phaseLrs),
      betas.flatMap((b) => phaseLrs.map(() => b)),
      steps,
    );
    sweep = {
      lrs,
      finalLoss: s.finalLoss,
      threshold: divergenceThreshold(lrs, s.finalLoss, f0),
      ms: s.ms,
      phase: { lrs: phaseLrs, betas, finalLoss: ph.finalLoss, ms: ph.ms },
    };
    drawSweep();
    drawPhase();
  };
  const runBasins = async () => {
    const side = Number(live.params.basinSide);
    const maxSteps = Number(live.params.basinSteps);
    const himmelblau = name === 'himmelblau' ? surface : makeSurface(gb, 'himmelblau');
    try {
      const r = await basins(
        gb,
        himmelblau.f,
        himmelblau.range,
        side,
        Number(live.params.basinLr),
        maxSteps,
        1e-3,
      );
      const which = new Int32Array(side * side);
      const counts = HIMMELBLAU_MINIMA.map(() => 0);
      let unconverged = 0;
      let stepSum = 0;
      for (let k = 0; k < side * side; k++) {
        const [x, y] = [r.end[2 * k], r.end[2 * k + 1]];
        const near = HIMMELBLAU_MINIMA.findIndex(([mx, my]) => Math.hypot(x - mx, y - my) < 0.05);
        which[k] = near;
        if (near >= 0) counts[near]++;
        else unconverged++;
        stepSum += r.steps[k];
      }
      basinResult = {
        side,
        steps: maxSteps,
        ms: r.ms,
        counts,
        unconverged,
        meanSteps: stepSum / (side * side),
      };
      drawBasins(which, r.steps, side);
    } finally {
      if (himmelblau !== surface) himmelblau.dispose();
    }
  };

  // The page ----------------------------------------------------------------------------------------
  const contour = canvas(
    'contours',
    340,
    340,
    'The surface from above: click, or use the arrow keys, to place the start',
  );
  contour.tabIndex = 0;
  const view = new View(contour, ...range);
  const raceBox = document.createElement('div');
  raceBox.id = 'race-chart';
  const sweepBox = document.createElement('div');
  sweepBox.id = 'sweep-chart';
  const phase = canvas('phase', 340, 240, 'Momentum phase diagram: learning rate across, beta up');
  const basinCanvas = canvas('basins', 340, 340, "Himmelblau's basins of attraction");
  const sgdCanvas = canvas('sgd', 340, 280, 'Mini-batch and full-batch gradient descent on least squares');
  const v3 = surfaceView();
  const renderer = await v3.renderer;
  stage.append(
    panel(
      contour,
      `${surface.label}: the racers from one start (click or arrow keys to move it). ` +
        METHODS.map((m) => `${METHOD_LABELS[m]} ${colorName(m)}`).join(', ') +
        '; crosses mark minima.',
    ),
    panel(
      v3.canvas,
      `The same surface in 3-D (${renderer.kind === 'webgpu' ? 'a WebGPU render pipeline' : 'canvas fallback: no WebGPU'}); drag or arrow keys to turn.`,
    ),
    panel(raceBox, 'Loss against steps, one line per optimiser.'),
    panel(
      sweepBox,
      'Learning-rate sweep: final loss of gradient descent after the set steps, one run per rate, all at once. Dashed: 2/L (L the largest Hessian eigenvalue at the start); red: the first rate whose loss ended above its start.',
    ),
    panel(
      phase,
      'Momentum phase diagram: log10(final loss / start loss) for each (η, β); blue converged, orange diverged. The line is 2(1 + β)/L, where heavy-ball momentum on a quadratic stops converging.',
    ),
    panel(
      basinCanvas,
      "Basins of attraction on Himmelblau's function: gradient descent from every pixel at once, coloured by the minimum reached, darker for more steps; grey: not there within the steps.",
    ),
    panel(
      sgdCanvas,
      'Stochastic gradients on least squares over (w, b): full batch (blue) and mini-batches (orange), same η.',
    ),
  );

  const raceChart = new uPlot(
    {
      width: 340,
      height: 220,
      scales: { x: { time: false }, y: { distr: name === 'saddle' ? 1 : 3 } },
      axes: [
        { label: 'step' },
        { label: name === 'saddle' ? 'loss' : 'loss (log)', values: tickLabels, size: 60 },
      ],
      series: [
        { label: 'step' },
        ...METHODS.map((m) => ({ label: METHOD_LABELS[m], stroke: rgb(COLORS[m]) })),
      ],
    },
    [[], ...METHODS.map(() => [])],
    raceBox,
  );
  const lines = (u: uPlot, marks: [number, string, number[]][]) => {
    const ctx = u.ctx;
    for (const [x, color, dash] of marks) {
      if (!Number.isFinite(x)) continue;
      const px = u.valToPos(x, 'x', true);
      ctx.save();
      ctx.strokeStyle = color;
      ctx.setLineDash(dash);
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(px, u.bbox.top);
      ctx.lineTo(px, u.bbox.top + u.bbox.height);
      ctx.stroke();
      ctx.restore();
    }
  };
  const sweepChart = new uPlot(
    {
      width: 340,
      height: 220,
      scales: { x: { time: false, distr: 3 }, y: { distr: 3 } },
      axes: [
        { label: 'learning rate η (log)', values: tickLabels },
        { label: 'final loss (log)', values: tickLabels, size: 60 },
      ],
      series: [{ label: 'η' }, { label: 'final loss', stroke: '#2563eb', points: { show: false } }],
      hooks: {
        draw: [
          (u) =>
            lines(u, [
              [twoOverL(), '#111', [6, 4]],
              [sweep?.threshold ?? Number.NaN, '#dc2626', []],
            ]),
        ],
      },
    },
    [[], []],
    sweepBox,
  );

  const drawSweep = () => {
    if (!sweep) return;
    // Diverged runs (inf, NaN) are drawn at the top of the axis.
    const ys = Array.from(sweep.finalLoss, (v) =>
      Number.isFinite(v) ? Math.min(Math.max(v, 1e-12), 1e12) : 1e12,
    );
    sweepChart.setData([sweep.lrs, ys]);
  };
  const drawPhase = () => {
    if (!sweep) return;
    const ph = sweep.phase;
    const ctx = phase.getContext('2d')!;
    const cw = phase.width / PHASE;
    const ch = phase.height / PHASE;
    for (let j = 0; j < PHASE; j++) {
      for (let i = 0; i < PHASE; i++) {
        const v = ph.finalLoss[j * PHASE + i];
        const r = Number.isFinite(v) ? Math.log10(Math.max(v, 1e-30) / f0) / 6 : 1;
        ctx.fillStyle = rgb(diverging(r));
        ctx.fillRect(i * cw, j * ch, cw + 0.5, ch + 0.5);
      }
    }
    // The heavy-ball stability edge on a quadratic: eta = 2 (1 + beta) / L.
    const [a, b] = [Math.log10(ph.lrs[0]), Math.log10(ph.lrs[PHASE - 1])];
    const x = (lr: number) => ((Math.log10(lr) - a) / (b - a)) * (phase.width - cw) + cw / 2;
    ctx.strokeStyle = '#111';
    ctx.lineWidth = 2;
    ctx.beginPath();
    const twoL = twoOverL(); // NaN (no line) where the start is not in a bowl
    ph.betas.forEach((beta, j) => ctx.lineTo(x((1 + beta) * twoL), j * ch + ch / 2));
    ctx.stroke();
    ctx.fillStyle = '#111';
    ctx.font = '12px system-ui';
    ctx.fillText(
      `η ${ph.lrs[0].toPrecision(2)} → ${ph.lrs[PHASE - 1].toPrecision(2)} (log)`,
      6,
      phase.height - 6,
    );
    ctx.fillText(`β ${ph.betas[0]} (top) → 0`, 6, 14);
  };
  const drawBasins = (which: Int32Array, steps: Float32Array, side: number) => {
    const off = canvas('basins-off', side, side, '');
    const octx = off.getContext('2d')!;
    const img = octx.createImageData(side, side);
    // Shaded against the slowest start that arrived: the steps vary by tens, not by the whole limit.
    let slowest = 1;
    for (let k = 0; k < side * side; k++) if (which[k] >= 0) slowest = Math.max(slowest, steps[k]);
    for (let k = 0; k < side * side; k++) {
      const shade = 1 - 0.75 * Math.min(1, steps[k] / slowest);
      const c: RGB = which[k] >= 0 ? CLASS_COLORS[which[k]] : [150, 150, 150];
      img.data.set([c[0] * shade, c[1] * shade, c[2] * shade, 255], 4 * k);
    }
    octx.putImageData(img, 0, 0);
    const ctx = basinCanvas.getContext('2d')!;
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(off, 0, 0, basinCanvas.width, basinCanvas.height);
    const bv = new View(basinCanvas, ...SURFACE_INFO.himmelblau.range);
    for (const [mx, my] of HIMMELBLAU_MINIMA) cross(ctx, bv.px(mx), bv.py(my), '#fff');
  };

  // Input: click or arrow keys place the start; drag or arrow keys turn the 3-D view.
  const placeStart = async (x: number, y: number) => {
    await window.demo?.control.set('start', `${x.toFixed(3)},${y.toFixed(3)}`);
    await window.demo?.control.act('restart');
  };
  contour.addEventListener('pointerdown', (e) => {
    const r = contour.getBoundingClientRect();
    void placeStart(
      view.dataX(((e.clientX - r.left) / r.width) * contour.width),
      view.dataY(((e.clientY - r.top) / r.height) * contour.height),
    );
  });
  contour.addEventListener('keydown', (e) => {
    const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[e.key];
    if (!d) return;
    e.preventDefault();
    void placeStart(
      start[0] + (d[0] * (range[1] - range[0])) / 50,
      start[1] + (d[1] * (range[3] - range[2])) / 50,
    );
  });
  const draw3d = () => renderer.draw(mesh, paths3d(), v3.camera);
  const turn = (dyaw: number, dpitch: number) => {
    v3.camera.yaw += dyaw;
    v3.camera.pitch = Math.max(0.05, Math.min(1.5, v3.camera.pitch + dpitch));
    void draw3d();
  };
  let dragFrom: [number, number] | null = null;
  v3.canvas.onpointerdown = (e) => {
    dragFrom = [e.clientX, e.clientY];
  };
  v3.canvas.onpointerup = () => {
    dragFrom = null;
  };
  v3.canvas.onpointermove = (e) => {
    if (!dragFrom) return;
    turn((e.clientX - dragFrom[0]) * 0.01, (e.clientY - dragFrom[1]) * 0.01);
    dragFrom = [e.clientX, e.clientY];
  };
  v3.canvas.onkeydown = (e) => {
    const d = { ArrowLeft: [-0.1, 0], ArrowRight: [0.1, 0], ArrowUp: [0, 0.08], ArrowDown: [0, -0.08] }[
      e.key
    ];
    if (!d) return;
    e.preventDefault();
    turn(d[0], d[1]);
  };
  const toMesh = (x: number, y: number, loss: number): [number, number, number] => [
    (2 * (x - range[0])) / (range[1] - range[0]) - 1,
    (2 * (y - range[2])) / (range[3] - range[2]) - 1,
    Math.max(0, Math.min(1.3, scale.at(loss))),
  ];
  const paths3d = (): Path3D[] =>
    racers.map((r) => ({
      points: r.path.map(([x, y], k) => toMesh(x, y, r.losses[k])),
      color: COLORS[r.method].map((c) => c / 255) as [number, number, number],
    }));

  const latest = (r: Racer) => ({
    x: r.path[r.path.length - 1][0],
    y: r.path[r.path.length - 1][1],
    loss: r.losses[r.losses.length - 1],
    steps: r.path.length - 1,
    diverged: r.diverged,
  });

  return {
    async train(n) {
      if (pendingStart) await takeStart();
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        out[i] = await stepRace();
        await stepSgd();
      }
      return out;
    },
    async act(key) {
      if (key === 'restart') {
        await takeStart();
      } else if (key === 'sweep') await runSweep();
      else if (key === 'basins') await runBasins();
    },
    async render() {
      const ctx = contour.getContext('2d')!;
      ctx.drawImage(base, 0, 0);
      for (const [mx, my] of surface.minima) cross(ctx, view.px(mx), view.py(my), '#fff');
      for (const r of racers) {
        ctx.strokeStyle = rgb(COLORS[r.method]);
        ctx.lineWidth = 2;
        ctx.beginPath();
        for (const [x, y] of r.path) ctx.lineTo(view.px(x), view.py(y));
        ctx.stroke();
        const [x, y] = r.path[r.path.length - 1];
        dot(ctx, view.px(x), view.py(y), 4, rgb(COLORS[r.method]));
      }
      dot(ctx, view.px(start[0]), view.py(start[1]), 6, 'rgba(255,255,255,0.9)', '#111');
      await draw3d();
      const longest = Math.max(...racers.map((r) => r.losses.length));
      const clamp = (v: number) => (name === 'saddle' ? v : Math.max(v, 1e-12));
      raceChart.setData([
        Array.from({ length: longest }, (_, k) => k),
        ...racers.map((r) =>
          Array.from({ length: longest }, (_, k) => (k < r.losses.length ? clamp(r.losses[k]) : null)),
        ),
      ] as uPlot.AlignedData);
      // Stochastic gradients.
      const sctx = sgdCanvas.getContext('2d')!;
      sctx.drawImage(sgdBase, 0, 0);
      const sv = new View(sgdCanvas, ...sgdRange);
      for (const [path, color] of [
        [sgdPaths.full, '#2563eb'],
        [sgdPaths.sgd, '#f97316'],
      ] as const) {
        sctx.strokeStyle = color;
        sctx.lineWidth = 2;
        sctx.beginPath();
        for (const [w, b] of path) sctx.lineTo(sv.px(w), sv.py(b));
        sctx.stroke();
      }
    },
    async formula() {
      const lr = (m: Method) => live.lr[m].toPrecision(3);
      const [l1, l2] = curvature.eigenvalues;
      const fmt = (v: number | undefined) =>
        v !== undefined && Number.isFinite(v) ? v.toPrecision(4) : '\\cdot';
      const bowl =
        name === 'quadratic' ? `,\\ \\kappa = ${Number(p.kappa)},\\ \\theta = ${Number(p.angle)}^\\circ` : '';
      return (
        `${surface.tex}${bowl}` +
        `\\\\ \\text{GD: } p \\leftarrow p - \\eta \\nabla f,\\ \\eta = ${lr('gd')}` +
        `\\\\ \\text{momentum: } v \\leftarrow \\beta v + \\nabla f,\\ p \\leftarrow p - \\eta v,\\ \\eta = ${lr('momentum')},\\ \\beta = ${live.beta}` +
        `\\\\ \\text{Nesterov: } v \\leftarrow \\beta v + \\nabla f,\\ p \\leftarrow p - \\eta (\\nabla f + \\beta v),\\ \\eta = ${lr('nesterov')}` +
        `\\\\ \\text{RMSProp: } s \\leftarrow \\beta s + (1-\\beta) (\\nabla f)^2,\\ p \\leftarrow p - \\eta \\tfrac{\\nabla f}{\\sqrt{s} + \\epsilon},\\ \\eta = ${lr('rmsprop')}` +
        `\\\\ \\text{Adam: } p \\leftarrow p - \\eta \\tfrac{\\hat m}{\\sqrt{\\hat v} + \\epsilon},\\ \\eta = ${lr('adam')}` +
        `\\\\ \\text{Newton: } p \\leftarrow p - \\eta\\, (\\nabla^2 f)^{-1} \\nabla f,\\ \\eta = ${lr('newton')}` +
        `\\\\ \\nabla^2 f(p_0) \\text{ has eigenvalues } ${fmt(l1)},\\ ${fmt(l2)};\\ \\tfrac{2}{L} = ${fmt(twoOverL())}` +
        `\\\\ \\text{sweep: first diverging } \\eta = ${fmt(sweep?.threshold)},\\ ${sweep ? Math.round(sweep.lrs.length / (sweep.ms / 1000)) : '\\cdot'}\\ \\text{runs/s}`
      );
    },
    figures() {
      return {
        surface: name,
        f0,
        L: curvature.eigenvalues[0],
        twoOverL: twoOverL(),
        hessianAtStart: curvature.hessian,
        start: [...start],
        raceStep,
        race: Object.fromEntries(racers.map((r) => [r.method, latest(r)])),
        sweepThreshold: sweep?.threshold ?? Number.NaN,
        sweep: sweep && {
          runs: sweep.lrs.length,
          steps: Number(live.params.sweepSteps),
          ms: sweep.ms,
          runsPerSecond: sweep.lrs.length / (sweep.ms / 1000),
          lrMin: sweep.lrs[0],
          lrMax: sweep.lrs[sweep.lrs.length - 1],
          phaseRuns: PHASE * PHASE,
          phaseMs: sweep.phase.ms,
          phaseRunsPerSecond: (PHASE * PHASE) / (sweep.phase.ms / 1000),
        },
        sweepRunsPerSecond: sweep ? sweep.lrs.length / (sweep.ms / 1000) : Number.NaN,
        basins: basinResult,
        sgd: { batchSize: live.batchSize, steps: sgdStep, fullLoss: sgdLoss.full, sgdLoss: sgdLoss.sgd },
        view3d: renderer.kind,
        view3dFrames: renderer.frames,
        tensors: gb.memory().tensors,
      };
    },
    async snapshot() {
      return null;
    },
    update(next) {
      live.params = next;
      for (const m of METHODS) live.lr[m] = Number(next[lrKey(m)]);
      live.beta = Number(next.beta);
      live.batchSize = Number(next.batchSize);
      live.sgdLr = Number(next.sgdLr);
      if (next.start !== start.join(',')) pendingStart = String(next.start);
    },
    dispose() {
      racers.forEach((r) => disposeRuns(r.runs));
      disposeRuns(fullRuns);
      disposeRuns(sgdRuns);
      design.dispose();
      targets.dispose();
      surface.dispose();
      raceChart.destroy();
      sweepChart.destroy();
    },
  };
}

/** Axis labels that stay short across many decades. */
function tickLabels(_u: uPlot, values: number[]): string[] {
  return values.map((v) =>
    v == null
      ? ''
      : v === 0
        ? '0'
        : Math.abs(v) >= 0.01 && Math.abs(v) < 1e4
          ? String(+v.toPrecision(2))
          : v.toExponential(0),
  );
}

function colorName(m: Method): string {
  return {
    gd: 'blue',
    momentum: 'orange',
    nesterov: 'green',
    rmsprop: 'purple',
    adam: 'red',
    newton: 'black',
  }[m];
}

function cross(ctx: CanvasRenderingContext2D, x: number, y: number, color: string) {
  ctx.strokeStyle = color;
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(x - 5, y - 5);
  ctx.lineTo(x + 5, y + 5);
  ctx.moveTo(x + 5, y - 5);
  ctx.lineTo(x - 5, y + 5);
  ctx.stroke();
}

startDemo({
  id: 'optimisers',
  title: 'Optimisation landscapes',
  params: PARAMS,
  liveKeys: LIVE,
  kernels: ['elementwise', 'reduce', 'matmul', 'linalg'],
  lossChart: false,
  lossLabel: 'best loss',
  actions: [
    { key: 'restart', label: 'restart the race', folder: 'surface' },
    { key: 'sweep', label: 'run the sweep (all runs at once)', folder: 'learning-rate sweep' },
    { key: 'basins', label: 'run the grid of starts', folder: 'basins (Himmelblau)' },
  ],
  linked,
  create,
});
