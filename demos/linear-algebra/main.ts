// Demo: matrices as transformations. A 2x2 matrix acts on the plane (grid, unit circle, an F); drag the
// images of the basis vectors or type the entries. The determinant is the signed area, eigenvectors are
// the lines that map onto themselves (or, for a complex pair, a turn and a scale), the SVD is rotate, scale,
// rotate, power iteration steps one click at a time, Gram-Schmidt orthonormalises two or three vectors, and
// PageRank is power iteration on a link graph you edit. Every number is computed by gradbox, live.
import { type Context, linalg, type Tensor } from '../../src/index';
import { figure } from '../shared/draw';
import { type Params, type ParamSpec } from '../shared/params';
import { readAll } from '../shared/readback';
import { Refresher } from '../shared/refresh';
import { figuresChanged, type Simulation, startDemo } from '../shared/shell';
import { baseGeometry, eigen2x2, type Entries } from './analysis';
import { DEFAULT_VECTORS, GramSchmidtPanel, parseVectors } from './gram_schmidt';
import { DEFAULT_LINKS, PageRankPanel, parseLinks } from './pagerank';
import { type Layers, PlaneView, type Shown } from './plane';
import { type SvdShown, SvdView } from './svd_view';

const ENTRY = { kind: 'number', min: -4, max: 4, step: 0.01, folder: 'matrix A' } as const;
const LAYERS = ['grid', 'circle', 'picture', 'eigen', 'solve', 'power'] as const;
const TRAIL = 12; // power-iteration iterates kept on the plane

const PARAMS: ParamSpec[] = [
  { key: 'a', ...ENTRY, default: 1, label: 'a (row 1, col 1)' },
  { key: 'b', ...ENTRY, default: 1, label: 'b (row 1, col 2)' },
  { key: 'c', ...ENTRY, default: 0.5, label: 'c (row 2, col 1)' },
  { key: 'd', ...ENTRY, default: 1.5, label: 'd (row 2, col 2)' },
  {
    key: 'bx',
    kind: 'number',
    default: 1,
    min: -4,
    max: 4,
    step: 0.01,
    folder: 'solve A x = b',
    label: 'b₁',
  },
  {
    key: 'by',
    kind: 'number',
    default: 2,
    min: -4,
    max: 4,
    step: 0.01,
    folder: 'solve A x = b',
    label: 'b₂',
  },
  ...LAYERS.map((k): ParamSpec => ({ key: k, kind: 'bool', default: true, folder: 'show' })),
  {
    key: 'seed',
    kind: 'int',
    default: 1,
    min: 0,
    max: 1_000_000,
    folder: 'power iteration',
    label: 'start seed',
  },
  {
    key: 'stepsPerFrame',
    kind: 'int',
    default: 1,
    min: 1,
    max: 50,
    folder: 'power iteration',
    label: 'steps per click',
  },
  {
    key: 'gsMode',
    kind: 'select',
    default: 'plane',
    options: ['plane', 'space'],
    folder: 'Gram-Schmidt',
    label: 'two in the plane / three in space',
  },
  {
    key: 'gs',
    kind: 'text',
    default: '',
    folder: 'Gram-Schmidt',
    label: 'vectors',
    parse: (t) => (t ? parseVectors(t) : ''),
  },
  { key: 'pages', kind: 'int', default: 5, min: 3, max: 8, folder: 'PageRank' },
  {
    key: 'links',
    kind: 'text',
    default: DEFAULT_LINKS,
    folder: 'PageRank',
    label: 'links from>to',
    parse: parseLinks,
  },
  {
    key: 'damping',
    kind: 'number',
    default: 0.85,
    min: 0,
    max: 1,
    step: 0.01,
    folder: 'PageRank',
    label: 'damping d',
  },
  { key: 'iterations', kind: 'int', default: 50, min: 0, max: 200, folder: 'PageRank' },
];

const PRESETS: [string, Entries][] = [
  ['identity', [1, 0, 0, 1]],
  [
    'rotation 30°',
    [Math.cos(Math.PI / 6), -Math.sin(Math.PI / 6), Math.sin(Math.PI / 6), Math.cos(Math.PI / 6)],
  ],
  ['scaling', [2, 0, 0, 0.5]],
  ['shear', [1, 1, 0, 1]],
  ['reflection in y = x', [0, 1, 1, 0]],
  ['turn and shrink (complex λ)', [0.8, -0.7, 0.5, 0.9]],
  ['singular (projection)', [1, 0.5, 2, 1]],
  ['default', [1, 1, 0.5, 1.5]],
];

const entriesOf = (p: Params): Entries => [Number(p.a), Number(p.b), Number(p.c), Number(p.d)];
const rows = (a: ArrayLike<number>, w: number) =>
  Array.from({ length: a.length / w }, (_, i) => Array.from({ length: w }, (__, k) => a[i * w + k]));

async function create(gb: Context, p: Params, stage: HTMLElement): Promise<Simulation> {
  const { points, layout } = baseGeometry(8);
  const G = gb.tensor(points); // (N, 2): grid endpoints, circle, picture, unit square
  const svdPoints = gb.tensor(points.slice(layout.circle[0], layout.picture[0] + layout.picture[1]));
  let A: Entries = entriesOf(p);
  let b: [number, number] = [Number(p.bx), Number(p.by)];
  const layers = {} as Layers;
  const readLayers = (q: Params) => LAYERS.forEach((k) => (layers[k] = Boolean(q[k])));
  readLayers(p);
  let seed = Number(p.seed);
  const problem = Object.assign(document.createElement('p'), { className: 'error', hidden: true });
  const fail = (e: Error) => {
    problem.hidden = false;
    problem.textContent = e.message;
  };

  // Power iteration: the iterate lives on the device between clicks; it restarts when A changes.
  let iterate: Tensor | null = null;
  let k = 0;
  let trail: number[][] = [];
  const restartPower = () => {
    iterate?.dispose();
    const At = gb.tensor(rows(A, 2));
    const s = linalg.powerIteration(At, { steps: 0, seed });
    iterate = s.vector;
    for (const t of [At, s.value, s.residual]) t.dispose();
    k = 0;
    trail = [];
  };
  restartPower();

  let shown: Shown | null = null;
  let svd: SvdShown | null = null;
  const plane = new PlaneView(
    layout,
    () => ({ A, b }),
    (next, nextB, final) => {
      const changed = next.some((v, i) => v !== A[i]);
      A = next;
      b = nextB;
      if (changed) restartPower();
      void matrix.request();
      if (final) commit();
    },
  );
  const svdView = new SvdView(layout);

  // The matrix, its analysis, the SVD stages and the power iterate: one readback.
  const matrix = new Refresher(async () => {
    const kNow = k; // the step the iterate read below belongs to
    const r = await readAll(gb, () => {
      const At = gb.tensor(rows(A, 2));
      const bt = gb.tensor(b);
      const e = eigen2x2(gb, At);
      const factors = linalg.svd(At);
      // A = U S V^T = (U D) S (D V^T) for D = diag(1, -1) too: when U and V^T are both reflections, that
      // makes both rotations, so the picture reads turn, stretch, turn.
      const bothReflect = linalg.det(factors.u).less(0).mul(linalg.det(factors.vt).less(0));
      const D = gb.eye(2).sub(
        gb
          .tensor([
            [0, 0],
            [0, 2],
          ])
          .mul(bothReflect),
      );
      const [u, s, vt] = [factors.u.matmul(D), factors.s, D.matmul(factors.vt)];
      const stage0 = gb.concat([svdPoints, vt]); // the circle, the F, then v1 and v2 (the rows of V^T)
      const stage1 = stage0.matmul(vt.transpose());
      const stage2 = stage1.mul(s);
      const stage3 = stage2.matmul(u.transpose());
      // Signed angle of the rotation part of a 2x2 orthogonal matrix, from its first column.
      const angle = (m: Tensor) => {
        const c = m.slice([0, 0], [1, 1]).reshape([]);
        const sn = m.slice([1, 0], [2, 1]).reshape([]);
        const a = c.clip(-1, 1).acos();
        return gb.where(sn.greaterEqual(0), a, a.neg());
      };
      const x = iterate!.reshape([2, 1]);
      const Ax = At.matmul(x);
      const rayleigh = x.transpose().matmul(Ax).reshape([]);
      const orbitStart = gb.tensor([[1.2], [0.4]]);
      const orbit = gb.stack(
        Array.from({ length: 13 }, (_, j) => linalg.matrixPower(At, j).matmul(orbitStart).reshape([2])),
      );
      return {
        A: At,
        det: e.det,
        tr: e.tr,
        disc: e.disc,
        re: e.re,
        im: e.im,
        lambda: e.lambda,
        vectors: e.vectors,
        r: e.r,
        theta: e.theta,
        inverse: linalg.inv(At),
        b: bt,
        solution: linalg.solve(At, bt),
        geometry: G.matmul(At.transpose()),
        s,
        u,
        vt,
        angles: gb.stack([angle(vt), angle(u)]),
        dets: gb.stack([linalg.det(vt), linalg.det(u)]),
        stages: gb.stack([stage0, stage1, stage2, stage3]),
        iterate: x,
        image: Ax,
        rayleigh,
        residual: Ax.sub(x.mul(rayleigh)).norm(),
        orbit,
      };
    });
    const pair = (a: Float32Array): [number, number] => [a[0], a[1]];
    const it = pair(r.iterate);
    if (trail.length === 0 || trail[trail.length - 1].some((v, i) => v !== it[i])) trail.push(it);
    trail = trail.slice(-TRAIL);
    shown = {
      A: Array.from(r.A) as Entries,
      det: r.det[0],
      tr: r.tr[0],
      disc: r.disc[0],
      re: r.re[0],
      im: r.im[0],
      lambda: pair(r.lambda),
      vectors: [pair(r.vectors), pair(r.vectors.slice(2))],
      r: r.r[0],
      theta: r.theta[0],
      inverse: Array.from(r.inverse) as Entries,
      b: pair(r.b),
      solution: pair(r.solution),
      geometry: r.geometry,
      power: {
        k: kNow,
        iterate: it,
        image: pair(r.image),
        rayleigh: r.rayleigh[0],
        residual: r.residual[0],
        trail: trail.slice(0, -1),
      },
      orbit: rows(r.orbit, 2),
    };
    const stageSize = r.stages.length / 4;
    svd = {
      s: pair(r.s),
      u: Array.from(r.u),
      vt: Array.from(r.vt),
      angleVt: r.angles[0],
      angleU: r.angles[1],
      reflectVt: r.dets[0] < 0,
      reflectU: r.dets[1] < 0,
      stages: [0, 1, 2, 3].map((i) => r.stages.slice(i * stageSize, (i + 1) * stageSize)),
    };
    plane.draw(shown, layers);
    svdView.draw(svd);
    figuresChanged(stage);
  }, fail);

  // Vectors typed or dragged for the other mode (two in the plane, three in space) give way to this one's.
  const gsMode = p.gsMode as 'plane' | 'space';
  const gsFits = (text: string) => text.split(';').length === (gsMode === 'plane' ? 2 : 3);
  const gs = new GramSchmidtPanel(
    gb,
    gsFits(String(p.gs)) ? String(p.gs) : DEFAULT_VECTORS[gsMode],
    (text, final) => {
      void gsRefresh.request();
      if (final) void window.demo?.control.set('gs', text);
    },
  );
  const gsRefresh = new Refresher(async () => {
    await gs.refresh();
    figuresChanged(stage);
  }, fail);

  const pagerank = new PageRankPanel(
    gb,
    Number(p.pages),
    (text) => void window.demo?.control.set('links', text),
  );
  pagerank.set(String(p.links), Number(p.damping), Number(p.iterations));
  const rankRefresh = new Refresher(async () => {
    await pagerank.refresh();
    figuresChanged(stage);
  }, fail);

  // Writes the dragged matrix and b into the params (and so the URL and the controls), one key at a time;
  // meanwhile the params hold a mix of old and new entries, which update() must not take for a new A.
  let committing = 0;
  let syncPending = false;
  /** Takes A, b, the seed and the layers from the params. */
  const syncMatrix = (next: Params) => {
    const nextA = entriesOf(next);
    if (nextA.some((v, i) => v !== A[i]) || Number(next.seed) !== seed) {
      A = nextA;
      seed = Number(next.seed);
      restartPower();
    }
    b = [Number(next.bx), Number(next.by)];
    readLayers(next);
    void matrix.request();
  };
  const commit = () => {
    const c = window.demo?.control;
    if (!c) return;
    committing++;
    void (async () => {
      // Each entry is read when it is written, so overlapping drags (key repeats) end on the latest A.
      const current: Record<string, () => number> = {
        a: () => A[0],
        b: () => A[1],
        c: () => A[2],
        d: () => A[3],
        bx: () => b[0],
        by: () => b[1],
      };
      for (const [key, value] of Object.entries(current)) {
        if (Number(p[key]) !== value()) await c.set(key, value());
      }
    })().finally(() => {
      committing--;
      if (committing === 0 && syncPending) {
        syncPending = false;
        syncMatrix(p);
      }
    });
  };

  const presets = document.createElement('div');
  presets.className = 'button-row';
  presets.setAttribute('role', 'group');
  presets.setAttribute('aria-label', 'preset matrices');
  for (const [name, entries] of PRESETS) {
    const button = Object.assign(document.createElement('button'), { type: 'button', textContent: name });
    button.addEventListener('click', () => {
      A = entries.map((v) => Math.round(v * 1000) / 1000) as Entries;
      restartPower();
      void matrix.request();
      commit();
    });
    presets.append(button);
  }
  const planeFigure = figure(
    plane.handles.element,
    'The plane after A (before: faint grid). Drag the red and green handles (A e₁, A e₂, the columns of A) or ' +
      'focus one and use the arrow keys; the filled square is det A, blue when A keeps orientation, orange when it ' +
      'flips it. Purple: eigenvector lines and b with x = A⁻¹b. Black: the power-iteration iterate (press step).',
    true,
  );
  planeFigure.append(presets, problem);
  stage.append(
    planeFigure,
    figure(
      svdView.canvas,
      'The SVD A = U Σ Vᵀ as three moves: turn (or reflect), stretch along the axes, turn.',
      true,
    ),
    figure(
      gs.element,
      gs.dim === 2
        ? 'Gram-Schmidt: drag v₁, v₂; the dashed line drops v₂ onto q₁, what is left becomes q₂.'
        : 'Gram-Schmidt in space: drag the background to turn, the tips to move; v₃ drops onto the plane of q₁, q₂.',
      true,
    ),
    figure(
      pagerank.element,
      'PageRank: click a page, then another, to add or remove that link (or use the table). Size and number: the rank.',
      true,
    ),
  );

  let seen: Params = { ...p }; // the params the panels were last computed for
  const renderAll = () => Promise.all([matrix.request(), gsRefresh.request(), rankRefresh.request()]);
  // Drawn before the shell shows it (it does not render after a backend switch while paused).
  await renderAll();

  return {
    async train(n) {
      // n steps from the current iterate, with every iterate kept to chart the residual |A x - rho x|.
      const At = gb.tensor(rows(A, 2));
      const s = linalg.powerIteration(At, { steps: n, start: iterate!, history: true });
      const res = await readAll(gb, () => {
        const H = s.history!.vectors.slice([1]); // (n, 2): the iterates after each step
        const AH = H.matmul(At.transpose());
        const rho = H.mul(AH).sum(1, true);
        return { residuals: AH.sub(H.mul(rho)).norm(2, 1) };
      });
      iterate!.dispose();
      iterate = s.vector;
      for (const t of [At, s.value, s.residual, s.history!.vectors, s.history!.values]) t.dispose();
      k += n;
      return res.residuals;
    },
    async render() {
      await renderAll();
    },
    async formula() {
      if (!shown || !svd) return '';
      const f = (v: number) => v.toFixed(3);
      const m = (e: readonly number[]) =>
        `\\begin{bmatrix} ${f(e[0])} & ${f(e[1])} \\\\ ${f(e[2])} & ${f(e[3])} \\end{bmatrix}`;
      const s = shown;
      // Short lines: the formula panel is narrow.
      const eig =
        s.disc >= 0
          ? [
              `\\lambda_{1,2} = \\tfrac{\\operatorname{tr}A}{2} \\pm \\sqrt{\\tfrac{(\\operatorname{tr}A)^2}{4} - \\det A}`,
              `\\lambda_1 = ${f(s.lambda[0])},\\ \\lambda_2 = ${f(s.lambda[1])}`,
            ]
          : [
              `\\lambda = ${f(s.re)} \\pm ${f(s.im)}\\,i = r e^{\\pm i\\theta}`,
              `r = \\sqrt{\\det A} = ${f(s.r)},\\ \\theta = ${((s.theta * 180) / Math.PI).toFixed(1)}^\\circ`,
            ];
      const inv =
        Math.abs(s.det) > 1e-6 ? `A^{-1} = ${m(s.inverse)}` : 'A^{-1} \\text{ does not exist } (\\det A = 0)';
      const pw = s.power!;
      return [
        `A = ${m(s.A)}`,
        `\\det A = ad - bc = ${f(s.det)},\\ \\operatorname{tr} A = ${f(s.tr)}`,
        ...eig,
        inv,
        `A = U\\Sigma V^\\top,\\ \\Sigma = \\operatorname{diag}(${f(svd.s[0])}, ${f(svd.s[1])})`,
        `|\\det A| = \\sigma_1 \\sigma_2 = ${f(svd.s[0] * svd.s[1])}`,
        `v_{k+1} = \\frac{A v_k}{\\lVert A v_k \\rVert},\\ k = ${pw.k}`,
        `\\rho_k = v_k^\\top A v_k = ${f(pw.rayleigh)},\\ \\lVert A v_k - \\rho_k v_k \\rVert = ${pw.residual.toExponential(2)}`,
        ...gs.formula(),
        ...pagerank.formula(),
      ].join(' \\\\ ');
    },
    figures() {
      if (!shown || !svd) return {};
      const s = shown;
      return {
        matrix: rows(s.A, 2),
        det: s.det,
        trace: s.tr,
        eigenvalues: [
          [s.disc >= 0 ? s.lambda[0] : s.re, s.disc >= 0 ? 0 : s.im],
          [s.disc >= 0 ? s.lambda[1] : s.re, s.disc >= 0 ? 0 : -s.im],
        ],
        eigenKind: s.disc >= 0 ? 'real' : 'complex',
        eigenvectors: s.disc >= 0 ? s.vectors : [],
        rotationDeg: s.disc >= 0 ? 0 : (s.theta * 180) / Math.PI,
        rotationScale: s.disc >= 0 ? 0 : s.r,
        inverse: rows(s.inverse, 2),
        b: [s.b],
        solution: [s.solution],
        singularValues: [svd.s],
        svdU: rows(svd.u, 2),
        svdVt: rows(svd.vt, 2),
        powerStep: s.power!.k,
        powerIterate: [s.power!.iterate],
        rayleigh: s.power!.rayleigh,
        powerResidual: s.power!.residual,
        ...gs.figures(),
        ...pagerank.figures(),
      };
    },
    async snapshot() {
      return undefined;
    },
    update(next) {
      // Only the panels whose inputs changed are computed again.
      const changed = (keys: string[]) => keys.some((k) => next[k] !== seen[k]);
      if (changed(['a', 'b', 'c', 'd', 'seed', 'bx', 'by', ...LAYERS])) {
        // While a drag is being written into the params, take them up once it is done (a value typed
        // meanwhile then wins over the drag, and is not lost).
        if (committing === 0) syncMatrix(next);
        else syncPending = true;
      }
      if (changed(['gs']) && gsFits(String(next.gs))) {
        gs.setText(String(next.gs));
        void gsRefresh.request();
      }
      if (changed(['links', 'damping', 'iterations'])) {
        pagerank.set(String(next.links), Number(next.damping), Number(next.iterations));
        void rankRefresh.request();
      }
      seen = { ...next };
    },
    dispose() {
      for (const r of [matrix, gsRefresh, rankRefresh]) r.stop();
      for (const t of [G, svdPoints, iterate]) t?.dispose();
    },
  };
}

startDemo({
  id: 'linear-algebra',
  title: 'Matrices as transformations',
  params: PARAMS,
  liveKeys: [
    'a',
    'b',
    'c',
    'd',
    'bx',
    'by',
    ...LAYERS,
    'seed',
    'stepsPerFrame',
    'gs',
    'links',
    'damping',
    'iterations',
  ],
  kernels: ['linalg', 'linalgJacobi', 'matmul', 'elementwise', 'reduce', 'random'],
  lossLabel: 'residual ‖Av − ρv‖',
  autoplay: false,
  create,
});
