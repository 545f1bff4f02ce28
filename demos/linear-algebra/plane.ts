// The transformation view: the plane before (faint) and after A, the unit square's image as the signed
// area det A (blue when A keeps orientation, orange when it flips it), the eigenvector lines, the
// power-iteration iterate, a solve A x = b, and handles for A e1, A e2 and b (pointer or keyboard).
import { arrow, dot, label, View } from '../shared/draw';
import { type HandleSpec, Handles } from '../shared/handles';
import type { Entries, GeometryLayout } from './analysis';

export const SIZE = 520;
export const EXTENT = 4; // the view shows [-EXTENT, EXTENT]^2

/** Host copies of what the device computed for the current matrix (see main.ts's refresh). */
export interface Shown {
  A: Entries;
  det: number;
  tr: number;
  disc: number;
  re: number;
  im: number;
  lambda: [number, number];
  vectors: [[number, number], [number, number]];
  r: number;
  theta: number;
  inverse: Entries;
  /** b as the device holds it, and x with A x = b. */
  b: [number, number];
  solution: [number, number];
  geometry: Float32Array;
  power: {
    k: number;
    iterate: [number, number];
    image: [number, number];
    rayleigh: number;
    residual: number;
    trail: number[][];
  } | null;
  orbit: number[][] | null;
}

/** Which layers the view draws (the demo's "show" folder). */
export interface Layers {
  grid: boolean;
  circle: boolean;
  picture: boolean;
  eigen: boolean;
  solve: boolean;
  power: boolean;
}

const COL = {
  i: '#dc2626',
  j: '#16a34a',
  b: '#7c3aed',
  eigen: '#9333ea',
  power: '#0f172a',
  grid: 'rgba(37, 99, 235, 0.35)',
  circle: '#0891b2',
  picture: 'rgba(249, 115, 22, 0.35)',
  positive: 'rgba(37, 99, 235, 0.18)',
  negative: 'rgba(249, 115, 22, 0.28)',
};

const round2 = (v: number) => Math.round(v * 100) / 100;
const clampView = (v: number) => Math.max(-EXTENT, Math.min(EXTENT, v));

/** The plane canvas with its three handles; `draw` paints a computed state. */
export class PlaneView {
  readonly canvas: HTMLCanvasElement;
  readonly handles: Handles;
  readonly view: View;

  /**
   * @param get what the handles show now (the matrix and b being dragged, before the device has answered).
   * @param move a handle moved: new entries and b; `final` when the pointer is released or a key pressed.
   */
  constructor(
    private readonly layout: GeometryLayout,
    get: () => { A: Entries; b: [number, number] },
    move: (A: Entries, b: [number, number], final: boolean) => void,
  ) {
    this.canvas = Object.assign(document.createElement('canvas'), { width: SIZE, height: SIZE, id: 'plane' });
    this.view = new View(this.canvas, -EXTENT, EXTENT, -EXTENT, EXTENT);
    const v = this.view;
    const handle = (
      name: string,
      color: string,
      at: () => [number, number],
      set: (x: number, y: number) => { A: Entries; b: [number, number] },
    ): HandleSpec => ({
      label: name,
      color,
      position: () => {
        const [x, y] = at();
        return [v.px(x), v.py(y)];
      },
      moveTo: (px, py, final) => {
        const next = set(round2(clampView(v.dataX(px))), round2(clampView(v.dataY(py))));
        move(next.A, next.b, final);
      },
      nudge: (dx, dy, fine) => {
        const [x, y] = at();
        const s = fine ? 0.01 : 0.1;
        const next = set(round2(clampView(x + dx * s)), round2(clampView(y + dy * s)));
        move(next.A, next.b, true);
      },
      describe: () =>
        at()
          .map((t) => t.toFixed(2))
          .join(', '),
    });
    this.handles = new Handles(this.canvas, [
      handle(
        'A e1, the image of the first basis vector (first column of A)',
        COL.i,
        () => [get().A[0], get().A[2]],
        (x, y) => {
          const { A, b } = get();
          return { A: [x, A[1], y, A[3]], b };
        },
      ),
      handle(
        'A e2, the image of the second basis vector (second column of A)',
        COL.j,
        () => [get().A[1], get().A[3]],
        (x, y) => {
          const { A, b } = get();
          return { A: [A[0], x, A[2], y], b };
        },
      ),
      handle(
        'b, the right-hand side of A x = b',
        COL.b,
        () => get().b,
        (x, y) => ({ A: get().A, b: [x, y] }),
      ),
    ]);
    this.handles.element.id = 'plane-layer';
  }

  /** Paints the state computed for A (and b). */
  draw(s: Shown, layers: Layers): void {
    const target = s.b;
    const ctx = this.canvas.getContext('2d')!;
    const v = this.view;
    const P = (k: number): [number, number] => [v.px(s.geometry[2 * k]), v.py(s.geometry[2 * k + 1])];
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, SIZE, SIZE);

    // The plane before A: faint unit grid and axes.
    ctx.strokeStyle = '#e5e7eb';
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let i = -EXTENT; i <= EXTENT; i++) {
      ctx.moveTo(v.px(i), 0);
      ctx.lineTo(v.px(i), SIZE);
      ctx.moveTo(0, v.py(i));
      ctx.lineTo(SIZE, v.py(i));
    }
    ctx.stroke();
    ctx.strokeStyle = '#9ca3af';
    ctx.beginPath();
    ctx.moveTo(v.px(0), 0);
    ctx.lineTo(v.px(0), SIZE);
    ctx.moveTo(0, v.py(0));
    ctx.lineTo(SIZE, v.py(0));
    ctx.stroke();

    // The signed area: the unit square's image, coloured by the sign of det A.
    const [sq0] = this.layout.square;
    ctx.fillStyle = s.det >= 0 ? COL.positive : COL.negative;
    ctx.strokeStyle = s.det >= 0 ? '#2563eb' : '#ea580c';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    for (let k = 0; k < 4; k++) ctx[k ? 'lineTo' : 'moveTo'](...P(sq0 + k));
    ctx.closePath();
    ctx.fill();
    ctx.stroke();

    if (layers.grid) {
      const [g0, gn] = this.layout.gridLines;
      ctx.strokeStyle = COL.grid;
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (let k = 0; k < gn; k += 2) {
        ctx.moveTo(...P(g0 + k));
        ctx.lineTo(...P(g0 + k + 1));
      }
      ctx.stroke();
    }
    if (layers.circle) {
      const [c0, cn] = this.layout.circle;
      ctx.strokeStyle = '#cbd5e1';
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.arc(v.px(0), v.py(0), v.px(1) - v.px(0), 0, 2 * Math.PI);
      ctx.stroke();
      ctx.strokeStyle = COL.circle;
      ctx.lineWidth = 2;
      ctx.beginPath();
      for (let k = 0; k < cn; k++) ctx[k ? 'lineTo' : 'moveTo'](...P(c0 + k));
      ctx.stroke();
    }
    if (layers.picture) {
      const [f0, fn] = this.layout.picture;
      ctx.fillStyle = COL.picture;
      ctx.strokeStyle = '#c2410c';
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      for (let k = 0; k < fn; k++) ctx[k ? 'lineTo' : 'moveTo'](...P(f0 + k));
      ctx.closePath();
      ctx.fill();
      ctx.stroke();
    }

    const o: [number, number] = [v.px(0), v.py(0)];
    if (layers.eigen) this.drawEigen(ctx, s, o);
    if (layers.power && s.power) {
      const { trail, iterate, image } = s.power;
      trail.forEach(([x, y], i) => {
        ctx.globalAlpha = 0.15 + (0.5 * (i + 1)) / trail.length;
        arrow(ctx, ...o, v.px(x), v.py(y), COL.power, 1);
      });
      ctx.globalAlpha = 1;
      ctx.setLineDash([5, 4]);
      arrow(ctx, ...o, v.px(image[0]), v.py(image[1]), '#64748b', 1.5);
      ctx.setLineDash([]);
      arrow(ctx, ...o, v.px(iterate[0]), v.py(iterate[1]), COL.power, 3);
      label(ctx, `v${sub(s.power.k)}`, v.px(iterate[0]) + 6, v.py(iterate[1]) - 6, COL.power);
    }
    if (layers.solve) {
      const [x, y] = s.solution;
      if (Number.isFinite(x) && Number.isFinite(y)) {
        ctx.setLineDash([3, 4]);
        ctx.strokeStyle = COL.b;
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        ctx.moveTo(v.px(x), v.py(y));
        ctx.lineTo(v.px(target[0]), v.py(target[1]));
        ctx.stroke();
        ctx.setLineDash([]);
        dot(ctx, v.px(x), v.py(y), 5, '#fff', COL.b);
        label(ctx, `x = A⁻¹b = (${x.toFixed(2)}, ${y.toFixed(2)})`, v.px(x) + 8, v.py(y) + 16, COL.b);
      } else {
        label(ctx, 'A is singular: A x = b has no unique x', 10, SIZE - 12, COL.b);
      }
    }

    // The images of the basis vectors: the columns of A.
    arrow(ctx, ...o, v.px(s.A[0]), v.py(s.A[2]), COL.i, 3);
    arrow(ctx, ...o, v.px(s.A[1]), v.py(s.A[3]), COL.j, 3);
    label(ctx, 'Ae₁', v.px(s.A[0]) + 10, v.py(s.A[2]) + 4, COL.i);
    label(ctx, 'Ae₂', v.px(s.A[1]) + 10, v.py(s.A[3]) + 4, COL.j);
    const [cx, cy] = P(sq0 + 2);
    label(
      ctx,
      `det A = ${s.det.toFixed(3)}${s.det < 0 ? ' (flipped)' : ''}`,
      (o[0] + cx) / 2 - 30,
      (o[1] + cy) / 2,
      s.det >= 0 ? '#1d4ed8' : '#c2410c',
    );
    this.handles.place();
  }

  private drawEigen(ctx: CanvasRenderingContext2D, s: Shown, o: [number, number]) {
    const v = this.view;
    if (s.disc >= 0) {
      s.vectors.forEach(([x, y], i) => {
        const far = 2 * EXTENT;
        ctx.strokeStyle = COL.eigen;
        ctx.lineWidth = 1.5;
        ctx.setLineDash([8, 5]);
        ctx.beginPath();
        ctx.moveTo(v.px(-far * x), v.py(-far * y));
        ctx.lineTo(v.px(far * x), v.py(far * y));
        ctx.stroke();
        ctx.setLineDash([]);
        // v and A v = lambda v on the same line.
        const lam = s.lambda[i];
        arrow(ctx, ...o, v.px(lam * x), v.py(lam * y), COL.eigen, 2.5);
        const tx = Math.max(8, Math.min(SIZE - 120, v.px(1.15 * x * Math.max(1, Math.abs(lam)))));
        const ty = Math.max(16, Math.min(SIZE - 8, v.py(1.15 * y * Math.max(1, Math.abs(lam)))));
        label(ctx, `λ${i ? '₂' : '₁'} = ${lam.toFixed(3)}`, tx, ty, COL.eigen);
      });
      return;
    }
    // Complex pair: no line maps onto itself. Show the turn theta and the orbit x, A x, A^2 x, ...
    const deg = (s.theta * 180) / Math.PI;
    label(
      ctx,
      `complex λ = ${s.re.toFixed(3)} ± ${s.im.toFixed(3)} i: no real eigenvector`,
      10,
      20,
      COL.eigen,
    );
    label(
      ctx,
      `A turns by θ = ${deg.toFixed(1)}° and scales by r = √det A = ${s.r.toFixed(3)}`,
      10,
      38,
      COL.eigen,
    );
    ctx.strokeStyle = COL.eigen;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(o[0], o[1], 34, 0, -s.theta, true);
    ctx.stroke();
    if (s.orbit) {
      ctx.strokeStyle = 'rgba(147, 51, 234, 0.6)';
      ctx.lineWidth = 1;
      ctx.beginPath();
      s.orbit.forEach(([x, y], k) => ctx[k ? 'lineTo' : 'moveTo'](v.px(x), v.py(y)));
      ctx.stroke();
      s.orbit.forEach(([x, y], k) => dot(ctx, v.px(x), v.py(y), k ? 3 : 4, COL.eigen));
    }
  }
}

const SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉';
/** k as subscript digits (for labels like v₁₂). */
export function sub(k: number): string {
  return String(k)
    .split('')
    .map((d) => SUBSCRIPTS[Number(d)] ?? d)
    .join('');
}
