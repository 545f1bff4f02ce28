// Gram-Schmidt on two vectors in the plane or three in space: the orthonormal q's from gradbox's
// linalg.gramSchmidt, R = Q^T V from its matmul (so V = Q R), each v's projection onto the q's before it
// and what is left, which becomes the next q. Vector tips are handles; in space, dragging the background
// turns the view and a tip moves in the plane of the screen.
import { type Context, linalg } from '../../src/index';
import { arrow, label } from '../shared/draw';
import { Handles, type HandleSpec } from '../shared/handles';
import { readAll } from '../shared/readback';

const SIZE = 350;
const COLORS = ['#dc2626', '#16a34a', '#2563eb'];

/** Parses "x,y;x,y" (two vectors in the plane) or "x,y,z;x,y,z;x,y,z" (three in space). */
export function parseVectors(text: string): string {
  const rows = text.split(';').map((r) => r.split(',').map((v) => Number(v.trim())));
  const ok =
    (rows.length === 2 && rows.every((r) => r.length === 2)) ||
    (rows.length === 3 && rows.every((r) => r.length === 3));
  if (!ok || rows.flat().some((v) => !Number.isFinite(v) || Math.abs(v) > 10)) {
    throw new Error(
      `${JSON.stringify(text)} is not two vectors "x,y;x,y" or three "x,y,z;x,y,z;x,y,z" with entries in [-10, 10]`,
    );
  }
  return rows.map((r) => r.join(',')).join(';');
}

export const DEFAULT_VECTORS = { plane: '1.5,0.5;1,1.5', space: '1.5,0.3,0.2;0.8,1.2,0.1;0.6,0.7,1.3' };

/** What the device computed for the current vectors. */
interface GsShown {
  /** The vectors these results are for. */
  v: number[][];
  /** Q's columns q_j, as rows. */
  q: number[][];
  /** R (upper triangular), row by row. */
  r: number[][];
  /** max |Q^T Q - I| over the columns that are not zero. */
  offOrthogonal: number;
}

/** The Gram-Schmidt figure: a canvas with a handle per vector, Q and R from the device. */
export class GramSchmidtPanel {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly handles: Handles;
  private vectors: number[][];
  private shown: GsShown | null = null;
  private yaw = -0.6;
  private pitch = 0.45;

  constructor(
    private readonly gb: Context,
    text: string,
    /** The vectors changed ("x,y;..." text); `final` when a drag ends or a key was pressed. */
    private readonly onMove: (text: string, final: boolean) => void,
  ) {
    this.vectors = parse(text);
    this.canvas = Object.assign(document.createElement('canvas'), {
      width: SIZE,
      height: SIZE,
      id: 'gram-schmidt',
    });
    const specs: HandleSpec[] = this.vectors.map((_, i) => this.handleFor(i));
    this.handles = new Handles(this.canvas, specs);
    this.element = this.handles.element;
    if (this.dim === 3) this.enableTurning();
  }

  get dim(): number {
    return this.vectors[0].length;
  }

  /** New vectors from the URL or the controls. */
  setText(text: string): void {
    const next = parse(text);
    if (next.length === this.vectors.length) this.vectors = next;
  }

  /** Computes Q and R on the device and draws them. */
  async refresh(): Promise<void> {
    const v = this.vectors.map((row) => [...row]);
    const m = v.length;
    const d = this.dim;
    const r = await readAll(this.gb, () => {
      // V: (d, m), the vectors as columns.
      const V = this.gb.tensor(v).transpose();
      const Q = linalg.gramSchmidt(V);
      const R = Q.transpose().matmul(V);
      // Zero columns (dependent vectors) are left out of the orthonormality check.
      const used = Q.abs().sum(0).greater(0); // (m)
      const gram = Q.transpose().matmul(Q).sub(this.gb.eye(m).mul(used));
      return { q: Q.transpose(), r: R, off: gram.abs().max() };
    });
    const rows = (a: Float32Array, w: number) =>
      Array.from({ length: a.length / w }, (_, i) => Array.from(a.slice(i * w, i * w + w)));
    this.shown = { v, q: rows(r.q, d), r: rows(r.r, m), offOrthogonal: r.off[0] };
    this.draw();
  }

  figures(): Record<string, number | number[][]> {
    if (!this.shown) return {};
    return {
      gsVectors: this.shown.v,
      gsQ: this.shown.q,
      gsR: this.shown.r,
      gsOrthogonality: this.shown.offOrthogonal,
    };
  }

  /** Lines of TeX with the live values. */
  formula(): string[] {
    if (!this.shown) return [];
    const { r } = this.shown;
    const f = (v: number) => v.toFixed(2);
    const mat = r.map((row) => row.map(f).join(' & ')).join(' \\\\ ');
    const steps =
      this.vectors.length === 2
        ? 'q_1 = \\frac{v_1}{\\lVert v_1 \\rVert},\\ q_2 = \\frac{v_2 - (q_1^\\top v_2)\\, q_1}{\\lVert \\cdot \\rVert}'
        : 'q_j = \\frac{v_j - \\sum_{i<j} (q_i^\\top v_j)\\, q_i}{\\lVert \\cdot \\rVert}';
    return [
      `\\text{Gram-Schmidt: } ${steps}`,
      `V = QR,\\ R = Q^\\top V = \\begin{bmatrix} ${mat} \\end{bmatrix}`,
    ];
  }

  // Projection to the canvas: the plane as it is, space by an orthographic camera (yaw about z, then pitch).
  private basis(): { right: number[]; up: number[] } {
    if (this.dim === 2) return { right: [1, 0], up: [0, 1] };
    const [cy, sy, cp, sp] = [
      Math.cos(this.yaw),
      Math.sin(this.yaw),
      Math.cos(this.pitch),
      Math.sin(this.pitch),
    ];
    return { right: [cy, sy, 0], up: [-sy * sp, cy * sp, cp] };
  }

  private scale(): number {
    return SIZE / (this.dim === 2 ? 5 : 5.5);
  }

  private toPixel(p: number[]): [number, number] {
    const { right, up } = this.basis();
    const dot = (a: number[]) => a.reduce((s, v, i) => s + v * p[i], 0);
    return [SIZE / 2 + dot(right) * this.scale(), SIZE / 2 - dot(up) * this.scale()];
  }

  private handleFor(i: number): HandleSpec {
    const moveBy = (dx: number, dy: number, final: boolean) => {
      const { right, up } = this.basis();
      this.vectors[i] = this.vectors[i].map(
        (v, k) => Math.round((v + dx * right[k] + dy * up[k]) * 100) / 100,
      );
      this.onMove(this.vectors.map((r) => r.join(',')).join(';'), final);
    };
    return {
      label: `v${i + 1}, vector ${i + 1} of the Gram-Schmidt input`,
      color: COLORS[i],
      position: () => this.toPixel(this.vectors[i]),
      moveTo: (px, py, final) => {
        const [x0, y0] = this.toPixel(this.vectors[i]);
        moveBy((px - x0) / this.scale(), (y0 - py) / this.scale(), final);
      },
      nudge: (dx, dy, fine) => moveBy(dx * (fine ? 0.01 : 0.1), dy * (fine ? 0.01 : 0.1), true),
      describe: () => this.vectors[i].map((v) => v.toFixed(2)).join(', '),
    };
  }

  private enableTurning(): void {
    let from: [number, number] | null = null;
    this.canvas.addEventListener('pointerdown', (e) => {
      from = [e.clientX, e.clientY];
      this.canvas.setPointerCapture(e.pointerId);
    });
    this.canvas.addEventListener('pointermove', (e) => {
      if (!from) return;
      this.yaw -= (e.clientX - from[0]) * 0.01;
      this.pitch = Math.max(-1.5, Math.min(1.5, this.pitch + (e.clientY - from[1]) * 0.01));
      from = [e.clientX, e.clientY];
      this.draw();
    });
    this.canvas.addEventListener('pointerup', () => {
      from = null;
    });
  }

  private draw(): void {
    const ctx = this.canvas.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, SIZE, SIZE);
    const o = this.toPixel(this.dim === 2 ? [0, 0] : [0, 0, 0]);
    // Axes.
    const axes =
      this.dim === 2
        ? [
            [1, 0],
            [0, 1],
          ]
        : [
            [1, 0, 0],
            [0, 1, 0],
            [0, 0, 1],
          ];
    axes.forEach((a, k) => {
      const far = this.toPixel(a.map((v) => v * 2.4));
      const near = this.toPixel(a.map((v) => v * -2.4));
      ctx.strokeStyle = '#d1d5db';
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(...near);
      ctx.lineTo(...far);
      ctx.stroke();
      label(ctx, 'xyz'[k], far[0] + 4, far[1], '#6b7280');
    });
    if (!this.shown) return;
    const { q, r } = this.shown;
    const m = this.vectors.length;
    // span(q1, q2) in space: the plane the third vector is projected onto.
    if (m === 3) {
      const corner = (s: number, t: number) => this.toPixel(q[0].map((v, k) => 2 * (s * v + t * q[1][k])));
      ctx.fillStyle = 'rgba(37, 99, 235, 0.08)';
      ctx.beginPath();
      ctx.moveTo(...corner(-1, -1));
      ctx.lineTo(...corner(1, -1));
      ctx.lineTo(...corner(1, 1));
      ctx.lineTo(...corner(-1, 1));
      ctx.closePath();
      ctx.fill();
    }
    // Each v_j, its projection onto span(q_1..q_{j-1}) = sum_i r_ij q_i, and q_j.
    this.vectors.forEach((v, j) => {
      const tip = this.toPixel(v);
      ctx.globalAlpha = 0.55;
      arrow(ctx, ...o, ...tip, COLORS[j], 1.5);
      ctx.globalAlpha = 1;
      label(ctx, `v${j + 1}`, tip[0] + 8, tip[1] - 6, COLORS[j]);
      if (j > 0) {
        const proj = v.map((_, k) => q.slice(0, j).reduce((s, qi, i) => s + r[i][j] * qi[k], 0));
        const p = this.toPixel(proj);
        ctx.setLineDash([4, 4]);
        ctx.strokeStyle = '#6b7280';
        ctx.lineWidth = 1;
        ctx.beginPath();
        ctx.moveTo(...tip);
        ctx.lineTo(...p);
        ctx.stroke();
        ctx.setLineDash([]);
      }
      const qTip = this.toPixel(q[j]);
      arrow(ctx, ...o, ...qTip, COLORS[j], 3.5);
      label(ctx, `q${j + 1}`, qTip[0] + 6, qTip[1] + 14, COLORS[j]);
      if (q[j].every((x) => x === 0))
        label(ctx, `v${j + 1} depends on the others: q${j + 1} = 0`, 8, 18 + 18 * j);
    });
    this.handles.place();
  }
}

function parse(text: string): number[][] {
  return text.split(';').map((r) => r.split(',').map(Number));
}
