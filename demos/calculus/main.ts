// Demo: multivariate calculus. A function of two variables (from a list or typed) with its gradient
// field, the tangent plane and second-order Taylor polynomial at a point you drag, the Hessian's
// eigenvectors; the Jacobian of a map of the plane; Newton-Raphson in one and two dimensions, stepped by
// clicks; and the chain rule on a neuron's computation graph. Every number comes from gradbox.
import uPlot from 'uplot';
import { type Context, type Tensor } from '../../src/index';
import { contours, dot, figure, View } from '../shared/draw';
import { drawField, gradientsAt, gridPoints, type Range, Scale } from '../shared/field';
import { type Params, type ParamSpec, type ParamValue, pointOf, pointParam } from '../shared/params';
import { type Simulation, startDemo } from '../shared/shell';
import { compile } from './expression';
import { ACTIVATIONS, type Activation, evaluateGraph, type GraphValues, LEAVES, NODES } from './graph';
import { type Field, jacobianAt, localModel, type LocalModel, newton1d, newton2d, taylorAt } from './local';
import { MAPS, type MapName, PLANE_MAPS } from './maps';

const FIELD: Range = [-3, 3, -3, 3];
const GRID = 96;
const ARROWS = 15;
const NEWTON_X: [number, number] = [-3, 4];
const PRESETS = [
  'sin(x)*cos(y)',
  'x^2 + 3*y^2',
  'x^2 - y^2',
  'x*exp(-(x^2 + y^2)/2)',
  '(1 - x)^2 + 5*(y - x^2)^2',
  'sin(x*y)',
  'log(1 + x^2 + y^2)',
];
const LEAF_DEFAULTS: Record<(typeof LEAVES)[number], number> = {
  x1: 2,
  w1: -0.5,
  x2: 1,
  w2: 0.8,
  b: 0.3,
  t: 0.5,
};

/** A text param holding a formula in `vars`: checked by parsing it, kept as typed. */
const formula = (vars: string[]) => (text: string) => {
  compile(text, vars);
  return text.trim();
};

const PARAMS: ParamSpec[] = [
  {
    key: 'preset',
    kind: 'select',
    default: PRESETS[0],
    options: PRESETS,
    folder: 'function',
    label: 'pick one',
  },
  {
    key: 'expr',
    kind: 'text',
    default: PRESETS[0],
    folder: 'function',
    label: 'f(x, y)',
    parse: formula(['x', 'y']),
  },
  {
    key: 'point',
    kind: 'text',
    default: '0.8,0.5',
    folder: 'function',
    label: 'point x,y (or drag)',
    parse: pointParam(3),
  },
  {
    key: 'slice',
    kind: 'select',
    default: 'gradient',
    options: ['x', 'y', 'gradient'],
    folder: 'function',
    label: 'slice along',
  },
  { key: 'map', kind: 'select', default: 'polar', options: MAPS, folder: 'Jacobian' },
  {
    key: 'cursor',
    kind: 'text',
    default: PLANE_MAPS.polar.cursor.join(','),
    folder: 'Jacobian',
    label: 'cursor (or drag)',
    parse: pointParam(10),
  },
  {
    key: 'g',
    kind: 'text',
    default: 'x^3 - 2*x - 5',
    folder: 'Newton-Raphson',
    label: '1-D: g(x)',
    parse: formula(['x']),
  },
  {
    key: 'x0',
    kind: 'number',
    default: 3,
    min: -3,
    max: 4,
    step: 0.01,
    folder: 'Newton-Raphson',
    label: '1-D: x₀ (or click)',
  },
  {
    key: 'f1',
    kind: 'text',
    default: 'x^2 + y^2 - 4',
    folder: 'Newton-Raphson',
    label: '2-D: f₁(x, y)',
    parse: formula(['x', 'y']),
  },
  {
    key: 'f2',
    kind: 'text',
    default: 'x*y - 1',
    folder: 'Newton-Raphson',
    label: '2-D: f₂(x, y)',
    parse: formula(['x', 'y']),
  },
  {
    key: 'start2',
    kind: 'text',
    default: '2,1',
    folder: 'Newton-Raphson',
    label: '2-D: start (or click)',
    parse: pointParam(3),
  },
  ...LEAVES.map((k): ParamSpec => ({
    key: k,
    kind: 'number',
    default: LEAF_DEFAULTS[k],
    min: -5,
    max: 5,
    step: 0.05,
    folder: 'chain rule',
  })),
  {
    key: 'act',
    kind: 'select',
    default: 'tanh',
    options: ACTIVATIONS,
    folder: 'chain rule',
    label: 'activation',
  },
  {
    key: 'stepsPerFrame',
    kind: 'int',
    default: 1,
    min: 1,
    max: 10,
    folder: 'Newton-Raphson',
    label: 'steps per click',
  },
];

function linked(key: string, value: ParamValue): Params | undefined {
  if (key === 'preset') return { expr: value };
  if (key === 'map') return { cursor: PLANE_MAPS[value as MapName].cursor.join(',') };
  return undefined;
}

/** A function of many points from a typed formula over x and y. */
function fieldOf(text: string): Field {
  const c = compile(text);
  return (p) => {
    const [x, y] = p.split(2, 1);
    return c.at(x.reshape([-1]), y.reshape([-1]));
  };
}

function canvas(
  id: string,
  width: number,
  height: number,
  label: string,
  focusable = true,
): HTMLCanvasElement {
  const c = Object.assign(document.createElement('canvas'), { width, height, id });
  c.setAttribute('aria-label', label);
  if (focusable) c.tabIndex = 0;
  return c;
}

/** A figure as wide as what it shows, so that its caption wraps under it. */
function panel(node: HTMLElement, caption: string, width: number): HTMLElement {
  const f = figure(node, caption);
  f.style.maxWidth = `${width}px`;
  return f;
}

async function readback(t: Tensor): Promise<Float32Array> {
  const d = await t.data();
  t.dispose();
  return d;
}

/**
 * Drag (or click) on a canvas sets a point param, and the arrow keys move it by `stepOf` per press.
 * While one change is being applied, later ones wait and only the latest is sent.
 */
function pointInput(
  c: HTMLCanvasElement,
  view: View,
  key: string,
  current: () => [number, number],
  stepOf: [number, number],
  fixed = 3,
) {
  let inFlight = false;
  let queued: string | null = null;
  const send = async (x: number, y: number) => {
    const text = `${x.toFixed(fixed)},${y.toFixed(fixed)}`;
    if (inFlight) {
      queued = text;
      return;
    }
    inFlight = true;
    await window.demo?.control.set(key, text);
    inFlight = false;
    if (queued) {
      const [qx, qy] = pointOf(queued);
      queued = null;
      void send(qx, qy);
    }
  };
  const at = (e: PointerEvent) => {
    const r = c.getBoundingClientRect();
    const px = ((e.clientX - r.left) / r.width) * c.width;
    const py = ((e.clientY - r.top) / r.height) * c.height;
    return [view.dataX(px), view.dataY(py)] as const;
  };
  let dragging = false;
  c.addEventListener('pointerdown', (e) => {
    dragging = true;
    c.setPointerCapture?.(e.pointerId);
    void send(...at(e));
  });
  c.addEventListener('pointermove', (e) => {
    if (dragging) void send(...at(e));
  });
  c.addEventListener('pointerup', () => {
    dragging = false;
  });
  c.addEventListener('keydown', (e) => {
    const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[e.key];
    if (!d) return;
    e.preventDefault();
    const [x, y] = current();
    void send(x + d[0] * stepOf[0], y + d[1] * stepOf[1]);
  });
}

function line(
  ctx: CanvasRenderingContext2D,
  pts: readonly (readonly [number, number])[],
  color: string,
  width = 2,
  dash: number[] = [],
) {
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.setLineDash(dash);
  ctx.beginPath();
  for (const [x, y] of pts) ctx.lineTo(x, y);
  ctx.stroke();
  ctx.setLineDash([]);
}

function arrow(
  ctx: CanvasRenderingContext2D,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  color: string,
  width = 1.5,
) {
  const a = Math.atan2(y1 - y0, x1 - x0);
  const head = Math.min(6, Math.hypot(x1 - x0, y1 - y0) * 0.5);
  line(
    ctx,
    [
      [x0, y0],
      [x1, y1],
      [x1 - head * Math.cos(a - 0.45), y1 - head * Math.sin(a - 0.45)],
      [x1, y1],
      [x1 - head * Math.cos(a + 0.45), y1 - head * Math.sin(a + 0.45)],
    ],
    color,
    width,
  );
}

const fmt = (v: number, digits = 4) => (Number.isFinite(v) ? v.toPrecision(digits) : String(v));

async function create(gb: Context, p: Params, stage: HTMLElement): Promise<Simulation> {
  // The function and its picture --------------------------------------------------------------------
  const f = fieldOf(String(p.expr));
  const tex = compile(String(p.expr)).tex;
  const gridValues = await readback(gb.tidy(() => f(gb.tensor(gridPoints(FIELD, GRID), [GRID * GRID, 2]))));
  const scale = new Scale(gridValues, false);
  const fieldBase = canvas('field-base', 340, 340, '', false);
  drawField(fieldBase, gridValues, GRID, scale, 16);
  const arrowPoints = gridPoints(FIELD, ARROWS);
  const arrowGrads = await readback(
    gb.tidy(() => gradientsAt(gb, f, gb.tensor(arrowPoints, [ARROWS * ARROWS, 2]))),
  );

  let point = pointOf(p.point);
  let model: LocalModel; // set by atPoint below
  let taylorGrid: Float32Array | null = null;
  let samples: { dx: number; dy: number; f: number; t1: number; t2: number }[] = [];
  let slice: number[][] = [[], [], [], []];
  const sliceDir = (m: LocalModel) => {
    if (p.slice === 'x') return [1, 0];
    if (p.slice === 'y') return [0, 1];
    const n = Math.hypot(...m.grad);
    return n > 0 ? [m.grad[0] / n, m.grad[1] / n] : [1, 0];
  };
  /** Everything at the point: the local model, Taylor on the grid and along the slice, the samples. */
  const atPoint = async (at: [number, number]) => {
    const m = await localModel(gb, f, at);
    const grid = gridPoints(FIELD, GRID).map((v, i) => v - at[i % 2]);
    const tg = await readback(gb.tidy(() => taylorAt(gb, f, m, at, gb.tensor(grid, [GRID * GRID, 2]))));
    const u = sliceDir(m);
    const ts = Array.from({ length: 121 }, (_, i) => -1.5 + (3 * i) / 120);
    const sl = await readback(
      gb.tidy(() =>
        taylorAt(
          gb,
          f,
          m,
          at,
          gb.tensor(
            ts.flatMap((t) => [t * u[0], t * u[1]]),
            [ts.length, 2],
          ),
        ),
      ),
    );
    const offsets: [number, number][] = [];
    for (const r of [0.01, 0.03, 0.1, 0.3]) {
      for (const [a, b] of [
        [1, 0],
        [0, 1],
        [0.6, 0.8],
        [-0.8, 0.6],
      ])
        offsets.push([r * a, r * b]);
    }
    const sd = await readback(gb.tidy(() => taylorAt(gb, f, m, at, gb.tensor(offsets))));
    // What state() shows changes at once, when everything for the new point is computed.
    [point, model] = [at, m];
    taylorGrid = tg.filter((_, i) => i % 3 === 2);
    slice = [ts, ...[0, 1, 2].map((c) => ts.map((_, i) => sl[3 * i + c]))];
    samples = offsets.map(([dx, dy], i) => ({ dx, dy, f: sd[3 * i], t1: sd[3 * i + 1], t2: sd[3 * i + 2] }));
  };
  await atPoint(point);

  // The Jacobian of a map -------------------------------------------------------------------------
  const mapName = p.map as MapName;
  const map = PLANE_MAPS[mapName];
  const F = (q: Tensor) => map.F(gb, q);
  const [u0, u1, v0, v1] = map.domain;
  const LINES = 9;
  const ALONG = 48;
  const gridLines: [number, number][][] = [];
  for (let k = 0; k < LINES; k++) {
    const a = k / (LINES - 1);
    gridLines.push(
      Array.from({ length: ALONG }, (_, i) => [u0 + a * (u1 - u0), v0 + (i / (ALONG - 1)) * (v1 - v0)]),
    );
    gridLines.push(
      Array.from({ length: ALONG }, (_, i) => [u0 + (i / (ALONG - 1)) * (u1 - u0), v0 + a * (v1 - v0)]),
    );
  }
  const imageFlat = await readback(gb.tidy(() => F(gb.tensor(gridLines.flat()))));
  const imageLines = gridLines.map((l, k) =>
    l.map((_, i) => [imageFlat[2 * (k * ALONG + i)], imageFlat[2 * (k * ALONG + i) + 1]] as [number, number]),
  );
  const H_SIDE = 0.15;
  let cursor = pointOf(p.cursor);
  let jac: Awaited<ReturnType<typeof jacobianAt>>; // set by atCursor below
  let squareImage: [number, number][] = [];
  const atCursor = async (at: [number, number]) => {
    const j = await jacobianAt(gb, F, at);
    // The small square [c, c + h]^2 traced along its edges, and its image under F (gradbox).
    const [cu, cv] = at;
    const h = H_SIDE;
    const corners: [number, number][] = [
      [cu, cv],
      [cu + h, cv],
      [cu + h, cv + h],
      [cu, cv + h],
    ];
    const boundary = corners.flatMap((a, k) => {
      const b = corners[(k + 1) % 4];
      return Array.from({ length: 12 }, (_, i) => [
        a[0] + ((b[0] - a[0]) * i) / 12,
        a[1] + ((b[1] - a[1]) * i) / 12,
      ]);
    });
    const img = await readback(gb.tidy(() => F(gb.tensor(boundary))));
    [cursor, jac] = [at, j];
    squareImage = boundary.map((_, i) => [img[2 * i], img[2 * i + 1]]);
  };
  await atCursor(cursor);
  /** The area of the square's image (shoelace) over the square's area: what det J approximates. */
  const areaRatio = () => {
    let a = 0;
    for (let i = 0; i < squareImage.length; i++) {
      const [x0, y0] = squareImage[i];
      const [x1, y1] = squareImage[(i + 1) % squareImage.length];
      a += x0 * y1 - x1 * y0;
    }
    return a / 2 / (H_SIDE * H_SIDE);
  };

  // Newton-Raphson ----------------------------------------------------------------------------------
  const g1 = compile(String(p.g), ['x']);
  const g = (x: Tensor) => g1.at(x);
  const F2 = (q: Tensor) => {
    const [x, y] = q.split(2, 1);
    const [a, b] = [compile(String(p.f1)), compile(String(p.f2))].map((c) => c.at(x, y));
    return gb.concat([a, b], 1);
  };
  const curveX = Array.from({ length: 241 }, (_, i) => NEWTON_X[0] + ((NEWTON_X[1] - NEWTON_X[0]) * i) / 240);
  const curveY = await readback(gb.tidy(() => g(gb.tensor(curveX))));
  const zeroGrid = await readback(gb.tidy(() => F2(gb.tensor(gridPoints(FIELD, GRID), [GRID * GRID, 2]))));
  const newton = {
    one: { xs: [Number(p.x0)], values: [] as number[], slopes: [] as number[], stuck: false },
    two: { path: [pointOf(p.start2)], residuals: [] as number[], stuck: false },
  };
  const resetNewton = async (x0: number, start2: [number, number]) => {
    const first1 = await readback(gb.tidy(() => g(gb.tensor([x0]))));
    const first2 = await readback(gb.tidy(() => F2(gb.tensor([start2]))));
    newton.one = { xs: [x0], values: [first1[0]], slopes: [], stuck: false };
    newton.two = { path: [start2], residuals: [Math.hypot(first2[0], first2[1])], stuck: false };
  };
  await resetNewton(Number(p.x0), pointOf(p.start2));
  const newtonStep = async (): Promise<number> => {
    const one = newton.one;
    if (!one.stuck) {
      const s = await newton1d(gb, g, one.xs[one.xs.length - 1]);
      one.slopes.push(s.slope);
      if (Number.isFinite(s.next) && Number.isFinite(s.nextValue)) {
        one.xs.push(s.next);
        one.values.push(s.nextValue);
      } else one.stuck = true; // g' = 0: the tangent never meets the axis
    }
    const two = newton.two;
    if (!two.stuck) {
      const s = await newton2d(gb, F2, two.path[two.path.length - 1]);
      if ([...s.next, ...s.nextValue].every(Number.isFinite)) {
        two.path.push(s.next);
        two.residuals.push(Math.hypot(...s.nextValue));
      } else two.stuck = true; // a singular Jacobian
    }
    return two.residuals[two.residuals.length - 1];
  };

  // The chain rule ----------------------------------------------------------------------------------
  const act = p.act as Activation;
  const graph: GraphValues = await evaluateGraph(
    gb,
    Object.fromEntries(LEAVES.map((k) => [k, Number(p[k])])) as Record<(typeof LEAVES)[number], number>,
    act,
  );
  // How much of the backward pass is shown: all of it, then forward values only, then one node more per press.
  const backwardOrder = [...NODES].reverse().map((n) => n.id);
  let flow = 0;

  // Pending changes from live params (a drag, a click), taken up before the next draw or step.
  let pending: Params | null = null;
  const applyPending = async () => {
    if (!pending) return;
    const next = pending;
    pending = null;
    if (next.point !== point.join(',')) await atPoint(pointOf(next.point));
    if (next.cursor !== cursor.join(',')) await atCursor(pointOf(next.cursor));
    const [x0, s2] = [Number(next.x0), pointOf(next.start2)];
    if (x0 !== newton.one.xs[0] || s2.join() !== newton.two.path[0].join()) await resetNewton(x0, s2);
  };

  // The page ----------------------------------------------------------------------------------------
  const fieldCanvas = canvas(
    'field',
    340,
    340,
    'The function from above: drag, or use the arrow keys, to move the point',
  );
  const fieldView = new View(fieldCanvas, ...FIELD);
  const sliceBox = document.createElement('div');
  sliceBox.id = 'slice';
  const domainCanvas = canvas(
    'jac-domain',
    340,
    260,
    'The domain of the map: drag, or use the arrow keys, to move the cursor',
  );
  const imageCanvas = canvas('jac-image', 340, 260, 'The image of the grid under the map', false);
  const domainView = new View(domainCanvas, ...map.domain);
  const imageView = new View(imageCanvas, ...map.image);
  const n1Canvas = canvas(
    'newton1d',
    340,
    240,
    'Newton-Raphson in one dimension: click, or use the arrow keys, to place x0',
  );
  const n2Canvas = canvas(
    'newton2d',
    340,
    340,
    'Newton-Raphson in two dimensions: click, or use the arrow keys, to place the start',
  );
  const graphCanvas = canvas(
    'graph',
    700,
    250,
    'The computation graph of one neuron: Enter shows the backward pass one node at a time',
  );
  const finite = curveY.filter(Number.isFinite);
  const yLo = Math.max(-50, Math.min(...finite, -1));
  const yHi = Math.min(50, Math.max(...finite, 1));
  const n1View = new View(
    n1Canvas,
    NEWTON_X[0],
    NEWTON_X[1],
    yLo - 0.05 * (yHi - yLo),
    yHi + 0.05 * (yHi - yLo),
  );
  const n2View = new View(n2Canvas, ...FIELD);
  stage.append(
    panel(
      fieldCanvas,
      'f with its gradient field (arrows). At the point: the gradient (black), the tangent plane’s level line (white, dashed), the Taylor polynomial’s contours (orange, dashed) and the Hessian’s eigenvectors (red: curving up, blue: down).',
      340,
    ),
    panel(
      sliceBox,
      'Along a line through the point: f, its tangent line and its second-order Taylor polynomial.',
      340,
    ),
    panel(
      domainCanvas,
      `The domain of ${map.label} (${map.vars.join(', ')}), with a small square at the cursor.`,
      340,
    ),
    panel(
      imageCanvas,
      'Its image: the grid bent by the map, the square’s true image (orange) and the Jacobian’s parallelogram (blue); det J is their area ratio.',
      340,
    ),
    panel(
      n1Canvas,
      'Newton-Raphson for g(x) = 0: each step follows the tangent to where it meets the axis. Step to go on.',
      340,
    ),
    panel(
      n2Canvas,
      'Newton-Raphson for f₁ = f₂ = 0 (blue and orange curves): each step solves the linearised system J Δ = −F.',
      340,
    ),
    panel(
      graphCanvas,
      'The chain rule on one neuron: forward values (black) and ∂L/∂node (red) from gradbox’s autodiff; edges carry the local derivative. Press the graph’s button (or Enter on it) to watch the backward pass.',
      700,
    ),
  );
  const sliceChart = new uPlot(
    {
      width: 340,
      height: 220,
      scales: { x: { time: false } },
      axes: [{ label: 't (distance along the line)' }, {}],
      series: [
        { label: 't' },
        { label: 'f', stroke: '#111', width: 2 },
        { label: 'tangent', stroke: '#2563eb' },
        { label: 'Taylor 2nd order', stroke: '#f97316', dash: [6, 4] },
      ],
    },
    [[], [], [], []],
    sliceBox,
  );
  pointInput(fieldCanvas, fieldView, 'point', () => point, [0.1, 0.1]);
  pointInput(domainCanvas, domainView, 'cursor', () => cursor, [(u1 - u0) / 50, (v1 - v0) / 50]);
  pointInput(n2Canvas, n2View, 'start2', () => newton.two.path[0], [0.1, 0.1]);
  n1Canvas.addEventListener('pointerdown', (e) => {
    const r = n1Canvas.getBoundingClientRect();
    const x = n1View.dataX(((e.clientX - r.left) / r.width) * n1Canvas.width);
    void window.demo?.control.set('x0', Number(Math.max(NEWTON_X[0], Math.min(NEWTON_X[1], x)).toFixed(3)));
  });
  n1Canvas.addEventListener('keydown', (e) => {
    const d = { ArrowLeft: -0.1, ArrowRight: 0.1 }[e.key];
    if (d === undefined) return;
    e.preventDefault();
    void window.demo?.control.set('x0', Number((newton.one.xs[0] + d).toFixed(3)));
  });
  graphCanvas.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    e.preventDefault();
    void window.demo?.control.act('flow');
  });

  const drawField2 = () => {
    const ctx = fieldCanvas.getContext('2d')!;
    ctx.drawImage(fieldBase, 0, 0);
    // Gradient arrows, scaled by the largest on the grid.
    let longest = 0;
    for (let k = 0; k < ARROWS * ARROWS; k++)
      longest = Math.max(longest, Math.hypot(arrowGrads[2 * k], arrowGrads[2 * k + 1]) || 0);
    const cell = fieldCanvas.width / ARROWS;
    for (let k = 0; k < ARROWS * ARROWS; k++) {
      const [gx, gy] = [arrowGrads[2 * k], arrowGrads[2 * k + 1]];
      if (!Number.isFinite(gx) || !Number.isFinite(gy) || longest === 0) continue;
      const [px, py] = [fieldView.px(arrowPoints[2 * k]), fieldView.py(arrowPoints[2 * k + 1])];
      const s = (0.45 * cell) / longest;
      arrow(ctx, px, py, px + gx * s, py - gy * s, 'rgba(255,255,255,0.85)', 1.2);
    }
    // The Taylor polynomial's contours near the point, at the function's own levels.
    if (taylorGrid) {
      ctx.save();
      ctx.beginPath();
      ctx.arc(fieldView.px(point[0]), fieldView.py(point[1]), 0.22 * fieldCanvas.width, 0, 2 * Math.PI);
      ctx.clip();
      ctx.setLineDash([4, 3]);
      contours(
        fieldCanvas,
        Array.from(taylorGrid, (v) => scale.at(v)),
        GRID,
        GRID,
        Array.from({ length: 16 }, (_, k) => (k + 0.5) / 16),
        '#f97316',
      );
      ctx.restore();
      ctx.setLineDash([]);
    }
    const [px, py] = [fieldView.px(point[0]), fieldView.py(point[1])];
    // The tangent plane's level line through the point: perpendicular to the gradient.
    const gn = Math.hypot(...model.grad);
    if (gn > 0) {
      const [tx, ty] = [-model.grad[1] / gn, model.grad[0] / gn];
      const L = 0.2 * fieldCanvas.width;
      line(
        ctx,
        [
          [px - tx * L, py + ty * L],
          [px + tx * L, py - ty * L],
        ],
        '#fff',
        2,
        [6, 4],
      );
      const s = Math.min(60 / gn, 60);
      arrow(ctx, px, py, px + model.grad[0] * s, py - model.grad[1] * s, '#111', 2.5);
    }
    // The Hessian's eigenvectors, each drawn both ways from the point.
    model.eigenvalues.forEach((lam, i) => {
      const [vx, vy] = [model.eigenvectors[i], model.eigenvectors[2 + i]];
      const L = 0.12 * fieldCanvas.width;
      line(
        ctx,
        [
          [px - vx * L, py + vy * L],
          [px + vx * L, py - vy * L],
        ],
        lam >= 0 ? '#dc2626' : '#2563eb',
        3,
      );
    });
    dot(ctx, px, py, 6, '#fff', '#111');
  };

  const drawJacobian = () => {
    const dctx = domainCanvas.getContext('2d')!;
    dctx.fillStyle = '#fff';
    dctx.fillRect(0, 0, domainCanvas.width, domainCanvas.height);
    for (const l of gridLines)
      line(
        dctx,
        l.map(([a, b]) => [domainView.px(a), domainView.py(b)] as [number, number]),
        '#94a3b8',
        1,
      );
    const [cu, cv] = cursor;
    dctx.fillStyle = 'rgba(249,115,22,0.5)';
    dctx.fillRect(
      domainView.px(cu),
      domainView.py(cv + H_SIDE),
      domainView.px(cu + H_SIDE) - domainView.px(cu),
      domainView.py(cv) - domainView.py(cv + H_SIDE),
    );
    dot(dctx, domainView.px(cu), domainView.py(cv), 5, '#111');
    const ictx = imageCanvas.getContext('2d')!;
    ictx.fillStyle = '#fff';
    ictx.fillRect(0, 0, imageCanvas.width, imageCanvas.height);
    for (const l of imageLines)
      line(
        ictx,
        l.map(([a, b]) => [imageView.px(a), imageView.py(b)] as [number, number]),
        '#94a3b8',
        1,
      );
    ictx.fillStyle = 'rgba(249,115,22,0.5)';
    ictx.beginPath();
    for (const [a, b] of squareImage) ictx.lineTo(imageView.px(a), imageView.py(b));
    ictx.fill();
    const [fx, fy] = jac.value;
    const J = jac.jacobian;
    const corner = (s: number, t: number): [number, number] => [
      imageView.px(fx + H_SIDE * (J[0] * s + J[1] * t)),
      imageView.py(fy + H_SIDE * (J[2] * s + J[3] * t)),
    ];
    line(ictx, [corner(0, 0), corner(1, 0), corner(1, 1), corner(0, 1), corner(0, 0)], '#2563eb', 2);
    dot(ictx, imageView.px(fx), imageView.py(fy), 5, '#111');
    ictx.fillStyle = '#111';
    ictx.font = '13px system-ui';
    ictx.fillText(`det J = ${fmt(jac.det, 4)}   area ratio = ${fmt(areaRatio(), 4)}`, 8, 18);
  };

  const drawNewton = () => {
    const c1 = n1Canvas.getContext('2d')!;
    c1.fillStyle = '#fff';
    c1.fillRect(0, 0, n1Canvas.width, n1Canvas.height);
    line(
      c1,
      [
        [0, n1View.py(0)],
        [n1Canvas.width, n1View.py(0)],
      ],
      '#94a3b8',
      1,
    );
    line(
      c1,
      curveX.map(
        (x, i) =>
          [
            n1View.px(x),
            n1View.py(Math.max(yLo - 10 * (yHi - yLo), Math.min(yHi + 10 * (yHi - yLo), curveY[i]))),
          ] as [number, number],
      ),
      '#111',
      2,
    );
    const one = newton.one;
    one.slopes.forEach((_, k) => {
      // The tangent at x_k down to the axis at x_{k+1}, then up to the curve.
      const [xk, gk] = [one.xs[k], one.values[k]];
      const xn = one.xs[k + 1];
      if (xn === undefined) return;
      const latest = k === one.slopes.length - 1;
      line(
        c1,
        [
          [n1View.px(xk), n1View.py(gk)],
          [n1View.px(xn), n1View.py(0)],
          [n1View.px(xn), n1View.py(one.values[k + 1])],
        ],
        latest ? '#f97316' : 'rgba(249,115,22,0.45)',
        latest ? 2 : 1,
        [4, 3],
      );
    });
    one.xs.forEach((x, k) =>
      dot(c1, n1View.px(x), n1View.py(one.values[k] ?? 0), k === one.xs.length - 1 ? 5 : 3, '#2563eb'),
    );
    const c2 = n2Canvas.getContext('2d')!;
    c2.fillStyle = '#fff';
    c2.fillRect(0, 0, n2Canvas.width, n2Canvas.height);
    const f1 = zeroGrid.filter((_, i) => i % 2 === 0);
    const f2 = zeroGrid.filter((_, i) => i % 2 === 1);
    c2.lineWidth = 2;
    contours(n2Canvas, f1, GRID, GRID, [0], '#2563eb');
    contours(n2Canvas, f2, GRID, GRID, [0], '#f97316');
    line(
      c2,
      newton.two.path.map(([x, y]) => [n2View.px(x), n2View.py(y)] as [number, number]),
      '#111',
      1.5,
    );
    newton.two.path.forEach(([x, y], k) =>
      dot(c2, n2View.px(x), n2View.py(y), k === newton.two.path.length - 1 ? 5 : 3, '#111'),
    );
  };

  const drawGraph = () => {
    const ctx = graphCanvas.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, graphCanvas.width, graphCanvas.height);
    const pos = (id: string) => {
      const n = NODES.find((m) => m.id === id)!;
      return [10 + n.col * 98, 12 + n.row * 52] as const;
    };
    const W = 84;
    const Hn = 40;
    const shown = (id: string) => flow === 0 || (flow > 1 && backwardOrder.indexOf(id) < flow - 1);
    ctx.font = '11px system-ui';
    for (const n of NODES) {
      for (const from of n.inputs) {
        const [ax, ay] = pos(from);
        const [bx, by] = pos(n.id);
        line(
          ctx,
          [
            [ax + W, ay + Hn / 2],
            [bx, by + Hn / 2],
          ],
          '#94a3b8',
          1.5,
        );
        const local = graph.local[`${from}>${n.id}`];
        ctx.fillStyle = '#475569';
        ctx.fillText(`∂ ${fmt(local, 3)}`, (ax + W + bx) / 2 - 10, (ay + by + Hn) / 2 - 4);
      }
    }
    for (const n of NODES) {
      const [x, y] = pos(n.id);
      ctx.fillStyle = n.op === 'leaf' ? '#f1f5f9' : '#e0e7ff';
      ctx.strokeStyle = '#64748b';
      ctx.lineWidth = 1;
      ctx.fillRect(x, y, W, Hn);
      ctx.strokeRect(x, y, W, Hn);
      ctx.fillStyle = '#111';
      ctx.fillText(n.id === 'a' ? `a = ${act}(z)` : n.label, x + 4, y + 12);
      ctx.fillText(`v ${fmt(graph.values[n.id], 4)}`, x + 4, y + 24);
      if (shown(n.id)) {
        ctx.fillStyle = '#dc2626';
        ctx.fillText(`∂L ${fmt(graph.grads[n.id], 4)}`, x + 4, y + 36);
      }
    }
  };

  return {
    async train(n) {
      await applyPending();
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = await newtonStep();
      return out;
    },
    async act(key) {
      await applyPending();
      if (key === 'flow') flow = (flow + 1) % (NODES.length + 2);
      else if (key === 'newton-reset') await resetNewton(newton.one.xs[0], newton.two.path[0]);
    },
    async render() {
      await applyPending();
      drawField2();
      sliceChart.setData(slice as uPlot.AlignedData);
      drawJacobian();
      drawNewton();
      drawGraph();
    },
    async formula() {
      const [h11, h12, , h22] = model.hessian.map((v) => fmt(v, 3));
      const J = jac.jacobian.map((v) => fmt(v, 3));
      const one = newton.one;
      const two = newton.two;
      const last2 = two.path[two.path.length - 1];
      return (
        `f(x, y) = ${tex}` +
        `\\\\ p_0 = (${point.join(', ')}),\\ f(p_0) = ${fmt(model.f)},\\ \\nabla f(p_0) = (${model.grad.map((v) => fmt(v)).join(', ')})` +
        `\\\\ \\nabla^2 f(p_0) = \\begin{pmatrix} ${h11} & ${h12} \\\\ ${h12} & ${h22} \\end{pmatrix},\\ \\lambda = ${model.eigenvalues.map((v) => fmt(v, 3)).join(',\\ ')}` +
        `\\\\ T_2(p) = f(p_0) + \\nabla f(p_0)^\\top (p - p_0) + \\tfrac12 (p - p_0)^\\top \\nabla^2 f(p_0)\\,(p - p_0)` +
        `\\\\ ${map.tex},\\ J_F = \\begin{pmatrix} ${J[0]} & ${J[1]} \\\\ ${J[2]} & ${J[3]} \\end{pmatrix},\\ \\det J_F = ${fmt(jac.det)}` +
        `\\\\ x_{k+1} = x_k - \\frac{g(x_k)}{g'(x_k)},\\ g(x) = ${g1.tex},\\ x_{${one.xs.length - 1}} = ${fmt(one.xs[one.xs.length - 1], 8)}` +
        `\\\\ p_{k+1} = p_k - J_F(p_k)^{-1} F(p_k),\\ p_{${two.path.length - 1}} = (${last2.map((v) => fmt(v, 6)).join(', ')}),\\ \\lVert F \\rVert = ${fmt(two.residuals[two.residuals.length - 1], 3)}` +
        `\\\\ \\frac{\\partial L}{\\partial w_1} = \\frac{\\partial L}{\\partial (x_1 w_1)}\\,\\frac{\\partial (x_1 w_1)}{\\partial w_1} = ${fmt(graph.grads.m1)} \\times ${fmt(graph.local['w1>m1'])} = ${fmt(graph.grads.w1)}`
      );
    },
    figures() {
      return {
        expression: String(p.expr),
        point: [...point],
        f: model.f,
        grad: model.grad,
        hessian: model.hessian,
        eigenvalues: model.eigenvalues,
        eigenvectors: model.eigenvectors,
        taylor: samples,
        map: mapName,
        cursor: [...cursor],
        mapValue: jac.value,
        jacobian: jac.jacobian,
        det: jac.det,
        areaRatio: areaRatio(),
        newton1d: {
          x: newton.one.xs[newton.one.xs.length - 1],
          g: newton.one.values[newton.one.values.length - 1],
          steps: newton.one.xs.length - 1,
          xs: newton.one.xs,
          stuck: newton.one.stuck,
        },
        newton2d: {
          point: newton.two.path[newton.two.path.length - 1],
          residual: newton.two.residuals[newton.two.residuals.length - 1],
          steps: newton.two.path.length - 1,
          residuals: newton.two.residuals,
          stuck: newton.two.stuck,
        },
        graph,
        flow,
        tensors: gb.memory().tensors,
      };
    },
    async snapshot() {
      return null;
    },
    update(next) {
      pending = { ...next };
    },
    dispose() {
      sliceChart.destroy();
    },
  };
}

startDemo({
  id: 'calculus',
  title: 'Multivariate calculus',
  params: PARAMS,
  liveKeys: ['point', 'cursor', 'x0', 'start2', 'stepsPerFrame'],
  kernels: ['elementwise', 'reduce', 'matmul', 'linalg'],
  autoplay: false,
  lossLabel: 'Newton residual ‖F‖',
  actions: [
    { key: 'newton-reset', label: 'Newton: start again', folder: 'Newton-Raphson' },
    { key: 'flow', label: 'show the backward pass, node by node', folder: 'chain rule' },
  ],
  linked,
  create,
});
