// The SVD drawn as three moves: A x = U (Sigma (V^T x)). Four small planes show the unit circle, the F and
// the right singular vectors v1, v2 at each stage: turned by V^T onto the axes, stretched by sigma1 and
// sigma2, then turned by U onto u1 and u2 (a stage that is a reflection says so).
import { arrow, label } from '../shared/draw';
import type { GeometryLayout } from './analysis';

const PANEL = 150;
const EXTENT = 3.2;

/** Host copies of the SVD and of the shapes at each stage, as computed on the device. */
export interface SvdShown {
  s: [number, number];
  /** U and V^T, row by row. */
  u: number[];
  vt: number[];
  /** Rotation angles (radians) of V^T and U, and whether each is a reflection (det -1). */
  angleVt: number;
  angleU: number;
  reflectVt: boolean;
  reflectU: boolean;
  /** Stage k's points (rows of x, y): the circle, the picture, then v1 and v2. */
  stages: Float32Array[];
}

/** Four small planes side by side, one per stage of x -> U S V^T x. */
export class SvdView {
  readonly canvas: HTMLCanvasElement;

  constructor(private readonly layout: GeometryLayout) {
    this.canvas = Object.assign(document.createElement('canvas'), {
      width: 4 * PANEL,
      height: PANEL + 40,
      id: 'svd',
    });
  }

  draw(svd: SvdShown): void {
    const ctx = this.canvas.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    const deg = (r: number) => `${((r * 180) / Math.PI).toFixed(1)}°`;
    const turn = (angle: number, reflect: boolean) =>
      reflect ? `reflect (${deg(angle)})` : `rotate ${deg(angle)}`;
    const titles = [
      ['x', 'v₁ red, v₂ green'],
      ['Vᵀx', turn(svd.angleVt, svd.reflectVt)],
      ['ΣVᵀx', `σ₁ = ${svd.s[0].toFixed(3)}, σ₂ = ${svd.s[1].toFixed(3)}`],
      ['UΣVᵀx = Ax', turn(svd.angleU, svd.reflectU)],
    ];
    // Each panel shows [-EXTENT, EXTENT]^2.
    const px = (x: number) => ((x + EXTENT) / (2 * EXTENT)) * PANEL;
    const py = (y: number) => ((EXTENT - y) / (2 * EXTENT)) * PANEL;
    const circleCount = this.layout.circle[1];
    const pictureCount = this.layout.picture[1];
    svd.stages.forEach((pts, k) => {
      ctx.save();
      ctx.translate(k * PANEL, 0);
      ctx.strokeStyle = '#e5e7eb';
      ctx.strokeRect(0.5, 0.5, PANEL - 1, PANEL - 1);
      ctx.strokeStyle = '#cbd5e1';
      ctx.beginPath();
      ctx.moveTo(px(0), 0);
      ctx.lineTo(px(0), PANEL);
      ctx.moveTo(0, py(0));
      ctx.lineTo(PANEL, py(0));
      ctx.stroke();
      const P = (i: number): [number, number] => [px(pts[2 * i]), py(pts[2 * i + 1])];
      ctx.strokeStyle = '#0891b2';
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      for (let i = 0; i < circleCount; i++) ctx[i ? 'lineTo' : 'moveTo'](...P(i));
      ctx.stroke();
      ctx.fillStyle = 'rgba(249, 115, 22, 0.35)';
      ctx.strokeStyle = '#c2410c';
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (let i = 0; i < pictureCount; i++) ctx[i ? 'lineTo' : 'moveTo'](...P(circleCount + i));
      ctx.closePath();
      ctx.fill();
      ctx.stroke();
      const o: [number, number] = [px(0), py(0)];
      const n = circleCount + pictureCount;
      arrow(ctx, ...o, ...P(n), '#dc2626', 2, 7);
      arrow(ctx, ...o, ...P(n + 1), '#16a34a', 2, 7);
      ctx.restore();
      ctx.save();
      ctx.translate(k * PANEL, 0);
      label(ctx, titles[k][0], 6, PANEL + 16);
      label(ctx, titles[k][1], 6, PANEL + 34);
      if (k < 3) label(ctx, '→', PANEL - 10, PANEL / 2);
      ctx.restore();
    });
  }
}
