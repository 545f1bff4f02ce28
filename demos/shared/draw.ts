// Canvas drawing helpers shared by the demos: value-to-colour maps, heatmaps from a grid of values,
// and the mapping between data coordinates and pixels.

export type RGB = [number, number, number];

/** A diverging map: negative blue, zero white, positive orange (the playground's colours). */
export function diverging(v: number): RGB {
  const t = Math.max(-1, Math.min(1, v));
  if (t < 0) return [255 + t * (255 - 37), 255 + t * (255 - 99), 255 + t * (255 - 235)];
  return [255 - t * (255 - 249), 255 - t * (255 - 115), 255 - t * (255 - 22)];
}

/** A sequential map for non-negative values scaled to [0, 1] (dark blue to yellow). */
export function sequential(t: number): RGB {
  const x = Math.max(0, Math.min(1, t));
  return [Math.round(68 + x * 185), Math.round(1 + x * 230), Math.round(84 + x * (37 - 84) + (1 - x) * 60)];
}

/** Categorical colours for classes. */
export const CLASS_COLORS: RGB[] = [
  [37, 99, 235],
  [249, 115, 22],
  [22, 163, 74],
  [168, 85, 247],
  [220, 38, 38],
];

/**
 * Draws a gw x gh grid of colours (row 0 at the top) scaled to fill the canvas, smoothly interpolated.
 */
export function drawGrid(canvas: HTMLCanvasElement, gw: number, gh: number, color: (i: number) => RGB): void {
  const off = document.createElement('canvas');
  off.width = gw;
  off.height = gh;
  const octx = off.getContext('2d')!;
  const img = octx.createImageData(gw, gh);
  for (let i = 0; i < gw * gh; i++) {
    const [r, g, b] = color(i);
    img.data[4 * i] = r;
    img.data[4 * i + 1] = g;
    img.data[4 * i + 2] = b;
    img.data[4 * i + 3] = 255;
  }
  octx.putImageData(img, 0, 0);
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(off, 0, 0, canvas.width, canvas.height);
}

/** Maps data coordinates in [x0, x1] x [y0, y1] to canvas pixels and back. */
export class View {
  constructor(
    readonly canvas: HTMLCanvasElement,
    readonly x0: number,
    readonly x1: number,
    readonly y0: number,
    readonly y1: number,
  ) {}
  px(x: number): number {
    return ((x - this.x0) / (this.x1 - this.x0)) * this.canvas.width;
  }
  py(y: number): number {
    return (1 - (y - this.y0) / (this.y1 - this.y0)) * this.canvas.height;
  }
  dataX(px: number): number {
    return this.x0 + (px / this.canvas.width) * (this.x1 - this.x0);
  }
  dataY(py: number): number {
    return this.y0 + (1 - py / this.canvas.height) * (this.y1 - this.y0);
  }
}

export function dot(
  ctx: CanvasRenderingContext2D,
  x: number,
  y: number,
  r: number,
  fill: string,
  stroke = '#fff',
) {
  ctx.beginPath();
  ctx.arc(x, y, r, 0, 2 * Math.PI);
  ctx.fillStyle = fill;
  ctx.fill();
  ctx.strokeStyle = stroke;
  ctx.lineWidth = 1;
  ctx.stroke();
}

export const rgb = (c: RGB) => `rgb(${c[0]},${c[1]},${c[2]})`;

/** A seeded generator for demo data: gradbox's host-side generator. */
export { seededRandom as seeded } from '../../src/index';

/** A standard normal from a uniform generator (Box-Muller). */
export function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/**
 * Contour lines of a gw x gh grid (row 0 at the top) at the given levels, by marching squares: in each
 * cell, the points where a level crosses an edge are found by linear interpolation and joined.
 */
export function contours(
  canvas: HTMLCanvasElement,
  values: ArrayLike<number>,
  gw: number,
  gh: number,
  levels: readonly number[],
  style = 'rgba(255,255,255,0.8)',
): void {
  const ctx = canvas.getContext('2d')!;
  const sx = canvas.width / gw;
  const sy = canvas.height / gh;
  // Cell centres are at ((i + 0.5) sx, (j + 0.5) sy).
  const px = (i: number) => (i + 0.5) * sx;
  const py = (j: number) => (j + 0.5) * sy;
  ctx.strokeStyle = style;
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const L of levels) {
    for (let j = 0; j + 1 < gh; j++) {
      for (let i = 0; i + 1 < gw; i++) {
        const a = values[j * gw + i];
        const b = values[j * gw + i + 1];
        const c = values[(j + 1) * gw + i + 1];
        const d = values[(j + 1) * gw + i];
        const pts: [number, number][] = [];
        const edge = (v0: number, v1: number, x0: number, y0: number, x1: number, y1: number) => {
          if (v0 < L !== v1 < L) {
            const t = (L - v0) / (v1 - v0);
            pts.push([x0 + t * (x1 - x0), y0 + t * (y1 - y0)]);
          }
        };
        edge(a, b, px(i), py(j), px(i + 1), py(j));
        edge(b, c, px(i + 1), py(j), px(i + 1), py(j + 1));
        edge(d, c, px(i), py(j + 1), px(i + 1), py(j + 1));
        edge(a, d, px(i), py(j), px(i), py(j + 1));
        for (let k = 0; k + 1 < pts.length; k += 2) {
          ctx.moveTo(pts[k][0], pts[k][1]);
          ctx.lineTo(pts[k + 1][0], pts[k + 1][1]);
        }
      }
    }
  }
  ctx.stroke();
}

/**
 * A <figure> holding a canvas (or any element) with a caption under it; with `fit`, the caption wraps at
 * the width of what it captions (so narrow figures can sit side by side).
 */
export function figure(node: HTMLElement, caption: string, fit = false): HTMLElement {
  const f = document.createElement('figure');
  const cap = document.createElement('figcaption');
  cap.textContent = caption;
  // A caption of no width of its own that fills the figure: the figure is as wide as what it captions.
  if (fit) Object.assign(cap.style, { width: '0', minWidth: '100%' });
  f.append(node, cap);
  return f;
}

/** An arrow from (x0, y0) to (x1, y1) in canvas pixels, with a head of `head` pixels. */
export function arrow(
  ctx: CanvasRenderingContext2D,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  color: string,
  width = 2,
  head = 9,
): void {
  const len = Math.hypot(x1 - x0, y1 - y0);
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineWidth = width;
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1, y1);
  ctx.stroke();
  if (len < 1) return;
  const [ux, uy] = [(x1 - x0) / len, (y1 - y0) / len];
  const h = Math.min(head, len * 0.6);
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x1 - h * ux + (h / 2.5) * uy, y1 - h * uy - (h / 2.5) * ux);
  ctx.lineTo(x1 - h * ux - (h / 2.5) * uy, y1 - h * uy + (h / 2.5) * ux);
  ctx.closePath();
  ctx.fill();
}

/** Text with a white halo, readable over lines and fills. */
export function label(
  ctx: CanvasRenderingContext2D,
  text: string,
  x: number,
  y: number,
  color = '#111',
): void {
  ctx.font = '13px system-ui, sans-serif';
  ctx.lineWidth = 4;
  ctx.strokeStyle = 'rgba(255,255,255,0.9)';
  ctx.strokeText(text, x, y);
  ctx.fillStyle = color;
  ctx.fillText(text, x, y);
}
