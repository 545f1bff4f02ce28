// Demo: principal component analysis, every fit by gradbox's models.PCA on the device. A 2-D cloud you
// drag, with its principal axes, the projection onto the first and the variance each keeps; a 3-D cloud
// (a WebGPU render pipeline, or a 2-D canvas without WebGPU) with the plane that keeps the most variance;
// and real data, Iris and handwritten digits, with a scree plot, the projection onto two components
// coloured by class, and reconstructions from k components as k moves.
import uPlot from 'uplot';
import { type Context, models, type Tensor } from '../../src/index';
import { arrow, CLASS_COLORS, diverging, dot, figure, label, rgb, View } from '../shared/draw';
import { type Params, type ParamSpec } from '../shared/params';
import { readAll } from '../shared/readback';
import { Refresher } from '../shared/refresh';
import { figuresChanged, type Simulation, startDemo } from '../shared/shell';
import {
  CanvasCloud,
  type CloudRenderer,
  type Orbit,
  type Scene,
  viewProjection,
  WebGpuCloud,
} from './cloud3d';
import { cloud2d, cloud3d, DATASETS, type DatasetName, type LabelledData, loadDataset } from './datasets';

const SIZE = 350;
const EXTENT = 5; // the 2-D cloud's view is [-EXTENT, EXTENT]^2

function parseMoved(text: string): string {
  if (text === '') return '';
  const parts = text.split(';');
  if (parts.length > 400) throw new Error(`at most 400 moved points, got ${parts.length}`);
  for (const p of parts) {
    const [i, x, y, extra] = p.split(':').map(Number);
    if (extra !== undefined || !Number.isInteger(i) || i < 0 || ![x, y].every((v) => Math.abs(v) <= EXTENT)) {
      throw new Error(`${JSON.stringify(p)} is not "i:x:y" with a point number i and |x|, |y| <= ${EXTENT}`);
    }
  }
  return text;
}

const PARAMS: ParamSpec[] = [
  { key: 'dataset', kind: 'select', default: 'iris', options: DATASETS, folder: 'real data' },
  { key: 'k', kind: 'int', default: 2, min: 1, max: 64, folder: 'real data', label: 'components kept k' },
  { key: 'n2d', kind: 'int', default: 60, min: 3, max: 400, folder: '2-D cloud', label: 'points' },
  {
    key: 'angle',
    kind: 'number',
    default: 30,
    min: -90,
    max: 90,
    step: 1,
    folder: '2-D cloud',
    label: 'angle (°)',
  },
  {
    key: 'moved',
    kind: 'text',
    default: '',
    folder: '2-D cloud',
    label: 'dragged i:x:y;…',
    parse: parseMoved,
  },
  { key: 'n3d', kind: 'int', default: 400, min: 10, max: 5000, folder: '3-D cloud', label: 'points' },
  { key: 'thickness', kind: 'number', default: 0.35, min: 0, max: 2, step: 0.01, folder: '3-D cloud' },
  { key: 'seed', kind: 'int', default: 1, min: 0, max: 1_000_000, label: 'seed (regenerate)' },
];

/** A PCA fit on the device, with every attribute read back. */
interface Fit {
  components: number[][];
  variance: number[];
  ratio: number[];
  mean: number[];
}

const rows = (a: ArrayLike<number>, w: number) =>
  Array.from({ length: a.length / w }, (_, i) => Array.from({ length: w }, (__, k) => a[i * w + k]));

/** Fits PCA with k components on the device; `extra` reads more from the fitted model in the same readback. */
async function fitPca<K extends string>(
  gb: Context,
  x: Tensor,
  k: number,
  extra: (pca: models.PCA) => Record<K, Tensor>,
): Promise<{ fit: Fit; extra: Record<K, Float32Array> }> {
  const pca = new models.PCA(gb, { components: k });
  try {
    await pca.fit(x);
    const r = await readAll(gb, () => ({
      components: pca.components,
      variance: pca.explainedVariance,
      ratio: pca.explainedVarianceRatio,
      mean: pca.mean,
      ...extra(pca),
    }));
    const d = x.shape[1];
    return {
      fit: {
        components: rows(r.components, d),
        variance: Array.from(r.variance),
        ratio: Array.from(r.ratio),
        mean: Array.from(r.mean),
      },
      extra: r as unknown as Record<K, Float32Array>,
    };
  } finally {
    pca.dispose();
  }
}

async function create(gb: Context, p: Params, stage: HTMLElement): Promise<Simulation> {
  const problem = Object.assign(document.createElement('p'), { className: 'error', hidden: true });
  const fail = (e: Error) => {
    problem.hidden = false;
    problem.textContent = e.message;
  };
  stage.append(problem);

  // 2-D cloud ---------------------------------------------------------------------------------------
  const points = cloud2d(Number(p.n2d), Number(p.angle), Number(p.seed));
  const applyMoved = (text: string) => {
    for (const part of text.split(';').filter(Boolean)) {
      const [i, x, y] = part.split(':').map(Number);
      if (i < points.length) points[i] = [x, y];
    }
  };
  applyMoved(String(p.moved));
  const moved = new Map<number, [number, number]>();
  for (const part of String(p.moved).split(';').filter(Boolean)) {
    const [i, x, y] = part.split(':').map(Number);
    moved.set(i, [x, y]);
  }
  const canvas2d = Object.assign(document.createElement('canvas'), {
    width: SIZE,
    height: SIZE,
    id: 'cloud2d',
  });
  canvas2d.tabIndex = 0;
  canvas2d.setAttribute(
    'aria-label',
    'Point cloud: drag a point, or use the arrow keys to move the selected point and [ or ] to select another.',
  );
  const view = new View(canvas2d, -EXTENT, EXTENT, -EXTENT, EXTENT);
  let fit2: Fit | null = null;
  let fitted2: number[][] = []; // the points fit2 was computed from
  let projection: number[][] = [];
  let selected = 0;

  const cloud = new Refresher(async () => {
    const snapshot = points.map((q) => [...q]);
    const r = await (async () => {
      const X = gb.tensor(snapshot);
      try {
        const two = await fitPca(gb, X, 2, () => ({}));
        // The projection onto the first axis, by a one-component PCA: x -> mean + (c1 . (x - mean)) c1.
        const one = await fitPca(gb, X, 1, (pca) => ({ projected: pca.inverseTransform(pca.transform(X)) }));
        return { fit: two.fit, projected: one.extra.projected };
      } finally {
        X.dispose();
      }
    })();
    fit2 = r.fit;
    fitted2 = snapshot;
    projection = rows(r.projected, 2);
    drawCloud();
    figuresChanged(stage);
  }, fail);

  const drawCloud = () => {
    const ctx = canvas2d.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, SIZE, SIZE);
    ctx.strokeStyle = '#e5e7eb';
    ctx.beginPath();
    for (let i = -EXTENT; i <= EXTENT; i++) {
      ctx.moveTo(view.px(i), 0);
      ctx.lineTo(view.px(i), SIZE);
      ctx.moveTo(0, view.py(i));
      ctx.lineTo(SIZE, view.py(i));
    }
    ctx.stroke();
    canvas2d.dataset.points = JSON.stringify(
      points.map(([x, y]) => [Math.round(view.px(x)), Math.round(view.py(y))]),
    );
    if (!fit2) return;
    const { components: c, variance, ratio, mean } = fit2;
    // The first axis as a line, each point's projection onto it.
    ctx.strokeStyle = 'rgba(220, 38, 38, 0.35)';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(view.px(mean[0] - 20 * c[0][0]), view.py(mean[1] - 20 * c[0][1]));
    ctx.lineTo(view.px(mean[0] + 20 * c[0][0]), view.py(mean[1] + 20 * c[0][1]));
    points.forEach(([x, y], i) => {
      ctx.moveTo(view.px(x), view.py(y));
      ctx.lineTo(view.px(projection[i][0]), view.py(projection[i][1]));
    });
    ctx.stroke();
    for (const [x, y] of projection) dot(ctx, view.px(x), view.py(y), 2.5, '#dc2626', '#dc2626');
    points.forEach(([x, y], i) => dot(ctx, view.px(x), view.py(y), i === selected ? 6 : 4.5, '#2563eb'));
    if (document.activeElement === canvas2d) {
      ctx.strokeStyle = '#111';
      ctx.beginPath();
      ctx.arc(view.px(points[selected][0]), view.py(points[selected][1]), 9, 0, 2 * Math.PI);
      ctx.stroke();
    }
    // Axes from the mean, 2 standard deviations long, with the variance each keeps.
    const colors = ['#dc2626', '#16a34a'];
    c.forEach((axis, j) => {
      const len = 2 * Math.sqrt(variance[j]);
      const [x1, y1] = [mean[0] + len * axis[0], mean[1] + len * axis[1]];
      arrow(ctx, view.px(mean[0]), view.py(mean[1]), view.px(x1), view.py(y1), colors[j], 3);
      label(
        ctx,
        `PC${j + 1}: λ = ${variance[j].toFixed(3)}, keeps ${(100 * ratio[j]).toFixed(1)}%`,
        10,
        20 + 18 * j,
        colors[j],
      );
    });
  };

  // Dragging (pointer) and nudging (keyboard) a point; the new place goes into the URL on release.
  const commitMoved = () => {
    const text = [...moved].map(([i, [x, y]]) => `${i}:${x}:${y}`).join(';');
    void window.demo?.control.set('moved', text);
  };
  const moveTo = (i: number, x: number, y: number) => {
    const clamp = (v: number) => Math.round(Math.max(-EXTENT, Math.min(EXTENT, v)) * 100) / 100;
    points[i] = [clamp(x), clamp(y)];
    moved.set(i, [points[i][0], points[i][1]]);
    void cloud.request();
  };
  let dragging: number | null = null;
  const toData = (e: PointerEvent): [number, number] => {
    const r = canvas2d.getBoundingClientRect();
    return [
      view.dataX(((e.clientX - r.left) / r.width) * SIZE),
      view.dataY(((e.clientY - r.top) / r.height) * SIZE),
    ];
  };
  canvas2d.addEventListener('pointerdown', (e) => {
    const [x, y] = toData(e);
    let best = -1;
    let bestD = 12;
    points.forEach(([px, py], i) => {
      const d = Math.hypot(view.px(px) - view.px(x), view.py(py) - view.py(y));
      if (d < bestD) [best, bestD] = [i, d];
    });
    if (best < 0) return;
    dragging = best;
    selected = best;
    canvas2d.setPointerCapture(e.pointerId);
  });
  canvas2d.addEventListener('pointermove', (e) => {
    if (dragging !== null) moveTo(dragging, ...toData(e));
  });
  canvas2d.addEventListener('pointerup', (e) => {
    if (dragging === null) return;
    moveTo(dragging, ...toData(e));
    dragging = null;
    commitMoved();
  });
  canvas2d.addEventListener('keydown', (e) => {
    const step = e.shiftKey ? 0.02 : 0.2;
    const d: Record<string, [number, number]> = {
      ArrowRight: [1, 0],
      ArrowLeft: [-1, 0],
      ArrowUp: [0, 1],
      ArrowDown: [0, -1],
    };
    if (e.key === '[' || e.key === ']') {
      selected = (selected + (e.key === ']' ? 1 : points.length - 1)) % points.length;
      drawCloud();
    } else if (d[e.key]) {
      moveTo(selected, points[selected][0] + d[e.key][0] * step, points[selected][1] + d[e.key][1] * step);
      commitMoved();
    } else return;
    e.preventDefault();
  });
  canvas2d.addEventListener('focus', drawCloud);
  canvas2d.addEventListener('blur', drawCloud);

  // 3-D cloud ---------------------------------------------------------------------------------------
  const n3 = Number(p.n3d);
  const xyz = cloud3d(n3, Number(p.thickness), Number(p.seed));
  const canvas3d = Object.assign(document.createElement('canvas'), {
    width: SIZE,
    height: SIZE,
    id: 'cloud3d',
  });
  canvas3d.tabIndex = 0;
  canvas3d.setAttribute('aria-label', '3-D cloud: drag, or use the arrow keys, to turn it.');
  let renderer: CloudRenderer;
  try {
    renderer = gb.device ? new WebGpuCloud(gb.device, canvas3d) : new CanvasCloud(canvas3d);
  } catch (e) {
    fail(new Error(`The WebGPU view could not start (${(e as Error).message}); drawing on a 2-D canvas.`));
    renderer = new CanvasCloud(canvas3d);
  }
  const orbit: Orbit = { yaw: 0.7, pitch: 0.35, distance: 12 };
  let scene: Scene | null = null;
  let fit3: Fit | null = null;
  // Turning the view asks for frames faster than a read-back frame may come: they are merged.
  const frames3d = new Refresher(async () => {
    if (scene) await renderer.draw(scene, viewProjection(orbit));
  }, fail);
  const draw3d = () => void frames3d.request();
  const fit3d = async () => {
    const X = gb.tensor(xyz, [n3, 3]);
    try {
      const r = await fitPca(gb, X, 3, (pca) => {
        const z = pca.transform(X); // (n, 3): coordinates along the principal axes
        const off = z.slice([0, 2], [n3, 3]).reshape([n3]);
        const sd = pca.explainedVariance.sqrt().reshape([3, 1]);
        const axes = pca.components.mul(sd.mul(2)); // (3, 3): each axis 2 standard deviations long
        const mean = pca.mean.reshape([1, 3]);
        // The plane through the mean spanned by the first two axes: corners mean +- axis1 +- axis2.
        const signs = gb.tensor([
          [-1, -1, 0],
          [1, -1, 0],
          [1, 1, 0],
          [-1, 1, 0],
        ]);
        return {
          shade: off.div(off.abs().max().add(1e-12)),
          plane: signs.matmul(axes).add(mean),
          axes: gb.stack([mean.broadcastTo([3, 3]), axes.add(mean)], 1), // (3, 2, 3)
        };
      });
      fit3 = r.fit;
      scene = { points: xyz, shade: r.extra.shade, plane: r.extra.plane, axes: r.extra.axes };
      figuresChanged(stage);
    } finally {
      X.dispose();
    }
    await frames3d.request();
  };
  let turning: [number, number] | null = null;
  canvas3d.addEventListener('pointerdown', (e) => {
    turning = [e.clientX, e.clientY];
    canvas3d.setPointerCapture(e.pointerId);
  });
  canvas3d.addEventListener('pointermove', (e) => {
    if (!turning) return;
    orbit.yaw -= (e.clientX - turning[0]) * 0.01;
    orbit.pitch = Math.max(-1.4, Math.min(1.4, orbit.pitch + (e.clientY - turning[1]) * 0.01));
    turning = [e.clientX, e.clientY];
    draw3d();
  });
  canvas3d.addEventListener('pointerup', () => {
    turning = null;
  });
  canvas3d.addEventListener('keydown', (e) => {
    const turns: Record<string, [number, number]> = {
      ArrowLeft: [0.1, 0],
      ArrowRight: [-0.1, 0],
      ArrowUp: [0, 0.1],
      ArrowDown: [0, -0.1],
    };
    const t = turns[e.key];
    if (!t) return;
    e.preventDefault();
    orbit.yaw += t[0];
    orbit.pitch = Math.max(-1.4, Math.min(1.4, orbit.pitch + t[1]));
    draw3d();
  });

  // Real data ---------------------------------------------------------------------------------------
  const data: LabelledData = loadDataset(p.dataset as DatasetName);
  const X = gb.tensor(data.x, [data.n, data.d]);
  const full = new models.PCA(gb, { components: data.d });
  await full.fit(X);
  const Z = full.transform(X); // (n, d): every sample in the principal axes' coordinates
  const dataFit = await readAll(gb, () => ({
    ratio: full.explainedVarianceRatio,
    variance: full.explainedVariance,
    components: full.components,
    mean: full.mean,
    plane: Z.slice([0, 0], [data.n, 2]),
  }));
  const ratio = Array.from(dataFit.ratio);
  const projected = rows(dataFit.plane, 2);
  // One sample per class for the image rows (the first of each digit).
  const samples = data.classes.map((_, c) => data.labels.indexOf(c)).filter((i) => i >= 0);
  let k = Math.min(Number(p.k), data.d);
  let reconstructionError = Number.NaN;
  let reconstructionK = 0; // the k reconstructionError belongs to
  let reconstructed: number[][] = [];

  const projCanvas = Object.assign(document.createElement('canvas'), {
    width: SIZE,
    height: SIZE,
    id: 'projection',
  });
  const drawProjection = () => {
    const ctx = projCanvas.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, SIZE, SIZE);
    const xs = projected.map((q) => q[0]);
    const ys = projected.map((q) => q[1]);
    const pad = 0.08;
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const v = new View(
      projCanvas,
      x0 - pad * (x1 - x0),
      x1 + pad * (x1 - x0),
      y0 - pad * (y1 - y0),
      y1 + pad * (y1 - y0),
    );
    const palette =
      data.classes.length <= CLASS_COLORS.length
        ? CLASS_COLORS.map(rgb)
        : data.classes.map((_, c) => `hsl(${c * 36}, 70%, 45%)`);
    projected.forEach(([x, y], i) =>
      dot(ctx, v.px(x), v.py(y), 3, palette[data.labels[i]], 'rgba(255,255,255,0.6)'),
    );
    data.classes.forEach((name, c) => {
      dot(ctx, 14, 16 + 16 * c, 4, palette[c]);
      label(ctx, name, 24, 20 + 16 * c);
    });
    label(ctx, `PC1 (${(100 * ratio[0]).toFixed(1)}%) →`, SIZE - 150, SIZE - 10);
    label(ctx, `↑ PC2 (${(100 * ratio[1]).toFixed(1)}%)`, SIZE - 150, SIZE - 28);
  };

  const screeBox = document.createElement('div');
  screeBox.id = 'scree';
  const cumulative = ratio.map((_, i) => ratio.slice(0, i + 1).reduce((a, b) => a + b, 0));
  const scree = new uPlot(
    {
      width: SIZE,
      height: 220,
      title: 'k components keep …',
      legend: { live: false },
      scales: { x: { time: false }, y: { range: [0, 1] } },
      axes: [{ label: 'component' }, { label: 'share of variance' }],
      series: [
        { label: 'component' },
        {
          label: 'explained variance ratio',
          stroke: '#2563eb',
          fill: 'rgba(37,99,235,0.25)',
          paths: uPlot.paths.bars!({ size: [0.7, 40] }),
        },
        { label: 'cumulative', stroke: '#f97316', points: { show: true } },
      ],
    },
    [ratio.map((_, i) => i + 1), ratio, cumulative],
    screeBox,
  );

  const imageCanvas = Object.assign(document.createElement('canvas'), { id: 'images' });
  const side = data.side ?? 0;
  const CELL = 40;
  if (side) {
    imageCanvas.width = samples.length * (CELL + 4) + 90;
    imageCanvas.height = 3 * (CELL + 18) + 6;
  }
  const drawImages = () => {
    if (!side) return;
    const ctx = imageCanvas.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, imageCanvas.width, imageCanvas.height);
    const cell = (values: ArrayLike<number>, col: number, row: number, signed: boolean) => {
      const scale = signed ? Math.max(...Array.from(values, Math.abs), 1e-12) : 16;
      const px = CELL / side;
      for (let i = 0; i < side * side; i++) {
        const v = values[i];
        // Ink is dark: pixel values 0..16 run from white to black.
        const grey = Math.round(255 - (255 * Math.max(0, Math.min(16, v))) / 16);
        ctx.fillStyle = signed ? rgb(diverging(v / scale)) : `rgb(${grey},${grey},${grey})`;
        ctx.fillRect(
          90 + col * (CELL + 4) + (i % side) * px,
          4 + row * (CELL + 18) + Math.floor(i / side) * px,
          px + 0.5,
          px + 0.5,
        );
      }
    };
    label(ctx, 'original', 4, 4 + CELL / 2 + 4);
    label(ctx, `k = ${k}`, 4, 4 + (CELL + 18) + CELL / 2 + 4);
    label(ctx, 'components', 4, 4 + 2 * (CELL + 18) + CELL / 2 + 4);
    samples.forEach((s, col) => {
      cell(data.x.subarray(s * data.d, (s + 1) * data.d), col, 0, false);
      if (reconstructed[col]) cell(reconstructed[col], col, 1, false);
      cell(dataFit.components.subarray(col * data.d, (col + 1) * data.d), col, 2, true);
    });
  };

  const irisTable = document.createElement('table');
  irisTable.id = 'reconstructions';
  const fillIrisTable = () => {
    if (side) return;
    const head = `<tr><th>flower</th>${['sepal length', 'sepal width', 'petal length', 'petal width'].map((f) => `<th>${f}</th>`).join('')}</tr>`;
    const body = samples
      .map((s, j) => {
        const orig = Array.from(data.x.subarray(s * data.d, (s + 1) * data.d));
        const cells = orig
          .map((v, f) => `<td>${v.toFixed(1)} → ${reconstructed[j]?.[f]?.toFixed(2) ?? '…'}</td>`)
          .join('');
        return `<tr><th>${data.classes[data.labels[s]]}</th>${cells}</tr>`;
      })
      .join('');
    irisTable.innerHTML = head + body;
  };

  // Reconstruction from the first k components: keep z_1..z_k, zero the rest, map back.
  const reconstruct = new Refresher(async () => {
    const kNow = k;
    const r = await readAll(gb, () => {
      const mask = gb.tensor(Array.from({ length: data.d }, (_, j) => (j < kNow ? 1 : 0)));
      const back = full.inverseTransform(Z.mul(mask));
      return {
        error: back.sub(X).square().mean(),
        samples: back.gather(gb.tensor(samples), 0),
      };
    });
    reconstructionError = r.error[0];
    reconstructionK = kNow;
    reconstructed = rows(r.samples, data.d);
    drawImages();
    fillIrisTable();
    scree.setSize({ width: SIZE, height: 220 });
    const kept = cumulative[kNow - 1];
    const title = screeBox.querySelector<HTMLElement>('.u-title');
    if (title) title.textContent = `k = ${kNow} components keep ${(100 * kept).toFixed(1)}% of the variance`;
    figuresChanged(stage);
  }, fail);

  stage.append(
    figure(
      canvas2d,
      'Drag a point (or focus the cloud and use the arrow keys). Red: the first principal axis and every point’s projection onto it; green: the second.',
      true,
    ),
    figure(
      canvas3d,
      `A flattened cloud in space and the plane that keeps the most variance (drawn with ${renderer.kind === 'webgpu' ? 'a WebGPU render pipeline' : 'a 2-D canvas: no WebGPU here'}). Colour: distance from the plane. Drag to turn.`,
      true,
    ),
    figure(
      screeBox,
      `Scree plot for ${data.name}: the share of variance along each principal axis, and the running total.`,
      true,
    ),
    figure(projCanvas, `${data.name} projected onto its first two principal axes, coloured by class.`, true),
    side
      ? figure(
          imageCanvas,
          'Digits rebuilt from k components (move k), and the first principal axes as images (blue negative, orange positive).',
          true,
        )
      : figure(
          irisTable,
          'Flowers rebuilt from k principal components (move k): measured → rebuilt, in cm.',
          true,
        ),
  );

  await Promise.all([cloud.request(), fit3d(), reconstruct.request()]);
  drawProjection();

  return {
    async train() {
      return new Float32Array(0);
    },
    async render() {
      await Promise.all([cloud.request(), reconstruct.request()]);
    },
    async formula() {
      if (!fit2) return '';
      const f = (v: number) => v.toFixed(3);
      const [l1, l2] = fit2.variance;
      // Short lines: the formula panel is narrow.
      return [
        `\\Sigma = \\tfrac{1}{n-1} (X - \\bar x)^\\top (X - \\bar x)`,
        `\\Sigma\\, c_i = \\lambda_i c_i,\\quad \\text{kept}_i = \\lambda_i / \\textstyle\\sum_j \\lambda_j`,
        `\\text{2-D: } \\lambda_1 = ${f(l1)},\\ \\lambda_2 = ${f(l2)}`,
        `c_1 = (${f(fit2.components[0][0])}, ${f(fit2.components[0][1])}),\\ \\text{kept} = ${f(fit2.ratio[0])},\\ ${f(fit2.ratio[1])}`,
        fit3 ? `\\text{3-D: the plane of } c_1, c_2 \\text{ keeps } ${f(fit3.ratio[0] + fit3.ratio[1])}` : '',
        `\\text{${data.name}: kept} = ${ratio
          .slice(0, 4)
          .map((r) => r.toFixed(4))
          .join(',\\ ')}${data.d > 4 ? ',\\ \\dots' : ''}`,
        `\\hat x = \\bar x + \\textstyle\\sum_{i \\le k} (c_i^\\top (x - \\bar x))\\, c_i,\\ k = ${reconstructionK}`,
        `\\tfrac{1}{nd}\\lVert \\hat X - X \\rVert^2 = ${reconstructionError.toPrecision(4)}`,
      ].join(' \\\\ ');
    },
    figures() {
      return {
        points2d: fitted2,
        axes2d: fit2?.components ?? [],
        variance2d: fit2?.variance ?? [],
        ratio2d: fit2?.ratio ?? [],
        mean2d: fit2?.mean ?? [],
        renderer3d: renderer.kind,
        ratio3d: fit3?.ratio ?? [],
        axes3d: fit3?.components ?? [],
        dataset: data.name,
        explainedVarianceRatio: ratio,
        explainedVariance: Array.from(dataFit.variance),
        k,
        keptRatio: cumulative[reconstructionK - 1] ?? Number.NaN,
        reconstructionError,
        reconstructionK,
      };
    },
    async snapshot() {
      return undefined;
    },
    update(next) {
      k = Math.min(Number(next.k), data.d);
      void reconstruct.request();
    },
    dispose() {
      for (const r of [cloud, reconstruct, frames3d]) r.stop();
      renderer.dispose();
      full.dispose();
      for (const t of [X, Z]) t.dispose();
      scree.destroy();
    },
  };
}

startDemo({
  id: 'pca',
  title: 'Principal component analysis',
  params: PARAMS,
  liveKeys: ['k', 'moved'],
  kernels: ['linalgJacobi', 'matmul', 'reduce', 'elementwise'],
  stepless: true,
  create,
});
