// A small 2-D chart on a canvas for the probability and statistics demos: axes with round ticks, linear or log
// x, and the marks they draw (curves, histogram bars, stems, points, lines across, shaded areas, text, a
// legend). Values come from gradbox; this module only maps them to pixels and back.
import { label as haloText } from './draw';

/** Round tick values covering [lo, hi], about `count` of them (1, 2 or 5 times a power of ten apart). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  }
  return ticks;
}

/** A tick label: few digits, no float noise. */
export function tickText(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(0);
  return String(Number(v.toPrecision(4)));
}

/** Where the chart's data sits on its canvas and how it is scaled. */
export interface PlotOptions {
  /** [xmin, xmax, ymin, ymax] in data units. */
  range: [number, number, number, number];
  /** A log-scale x axis (xmin > 0). */
  logX?: boolean;
  xLabel?: string;
  yLabel?: string;
}

/** Margins in pixels around the plotting area: left, right, top, bottom (room for the tick labels). */
export interface PlotMargin {
  l: number;
  r: number;
  t: number;
  b: number;
}

/**
 * One chart: axes on a canvas, and the mapping between data and pixels for the marks drawn on it. A chart
 * redrawn with new ranges can keep one Plot and replace its `options` before calling `axes()`.
 */
export class Plot {
  readonly ctx: CanvasRenderingContext2D;

  constructor(
    readonly canvas: HTMLCanvasElement,
    public options: PlotOptions,
    private readonly margin: PlotMargin = { l: 46, r: 18, t: 10, b: 34 },
  ) {
    this.ctx = canvas.getContext('2d')!;
  }

  /** The plotting area inside the margins, in canvas pixels: left, top, right and bottom edges. */
  get plotArea(): { l: number; t: number; r: number; b: number } {
    const { l, r, t, b } = this.margin;
    return { l, t, r: this.canvas.width - r, b: this.canvas.height - b };
  }

  private fx(x: number): number {
    const [x0, x1] = this.options.range;
    return this.options.logX
      ? (Math.log(x) - Math.log(x0)) / (Math.log(x1) - Math.log(x0))
      : (x - x0) / (x1 - x0);
  }

  /** Canvas x of a data x. */
  px(x: number): number {
    const { l, r } = this.margin;
    return l + this.fx(x) * (this.canvas.width - l - r);
  }

  /** Canvas y of a data y. */
  py(y: number): number {
    const [, , y0, y1] = this.options.range;
    const { t, b } = this.margin;
    return t + (1 - (y - y0) / (y1 - y0)) * (this.canvas.height - t - b);
  }

  /** The data coordinates of a canvas pixel (the inverse of px and py). */
  dataAt(px: number, py: number): [number, number] {
    const [x0, x1, y0, y1] = this.options.range;
    const { l, r, t, b } = this.margin;
    const fx = (px - l) / (this.canvas.width - l - r);
    const x = this.options.logX ? x0 * (x1 / x0) ** fx : x0 + fx * (x1 - x0);
    return [x, y0 + (1 - (py - t) / (this.canvas.height - t - b)) * (y1 - y0)];
  }

  /** Clears the canvas and draws the frame, grid, ticks and axis labels. */
  axes(): void {
    const { ctx, canvas } = this;
    const [x0, x1, y0, y1] = this.options.range;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.font = '11px system-ui, sans-serif';
    ctx.lineWidth = 1;
    const xt = this.options.logX
      ? niceTicks(Math.log10(x0), Math.log10(x1), 6)
          .filter(Number.isInteger)
          .map((e) => 10 ** e)
      : niceTicks(x0, x1, 6);
    const yt = niceTicks(y0, y1, 5);
    ctx.strokeStyle = '#e5e7eb';
    ctx.fillStyle = '#475569';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const v of xt) {
      const x = this.px(v);
      this.segment(x, this.py(y0), x, this.py(y1), '#e5e7eb');
      ctx.fillText(tickText(v), x, this.py(y0) + 4);
    }
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const v of yt) {
      const y = this.py(v);
      this.segment(this.px(x0), y, this.px(x1), y, '#e5e7eb');
      ctx.fillText(tickText(v), this.px(x0) - 4, y);
    }
    ctx.strokeStyle = '#94a3b8';
    ctx.strokeRect(this.px(x0), this.py(y1), this.px(x1) - this.px(x0), this.py(y0) - this.py(y1));
    ctx.fillStyle = '#334155';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    if (this.options.xLabel)
      ctx.fillText(this.options.xLabel, (this.px(x0) + this.px(x1)) / 2, canvas.height - 2);
    if (this.options.yLabel) {
      ctx.save();
      ctx.translate(11, (this.py(y0) + this.py(y1)) / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.textBaseline = 'middle';
      ctx.fillText(this.options.yLabel, 0, 0);
      ctx.restore();
    }
  }

  private segment(
    xa: number,
    ya: number,
    xb: number,
    yb: number,
    color: string,
    width = 1,
    dash: number[] = [],
  ) {
    const { ctx } = this;
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.setLineDash(dash);
    ctx.beginPath();
    ctx.moveTo(xa, ya);
    ctx.lineTo(xb, yb);
    ctx.stroke();
    ctx.setLineDash([]);
  }

  /** Restricts drawing to the plotting area while `draw` runs. */
  clipped(draw: () => void): void {
    const [x0, x1, y0, y1] = this.options.range;
    this.ctx.save();
    this.ctx.beginPath();
    this.ctx.rect(this.px(x0), this.py(y1), this.px(x1) - this.px(x0), this.py(y0) - this.py(y1));
    this.ctx.clip();
    draw();
    this.ctx.restore();
  }

  /** A curve through (xs[i], ys[i]); non-finite values break it. */
  line(xs: ArrayLike<number>, ys: ArrayLike<number>, color: string, width = 2, dash: number[] = []): void {
    this.clipped(() => {
      const { ctx } = this;
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.setLineDash(dash);
      ctx.beginPath();
      let pen = false;
      for (let i = 0; i < xs.length; i++) {
        const [x, y] = [xs[i], ys[i]];
        if (!Number.isFinite(x) || !Number.isFinite(y)) {
          pen = false;
          continue;
        }
        // Far outside the frame, a point is drawn at its edge (canvas paths overflow on huge values).
        const py = Math.max(-1e4, Math.min(1e4, this.py(y)));
        if (pen) ctx.lineTo(this.px(x), py);
        else ctx.moveTo(this.px(x), py);
        pen = true;
      }
      ctx.stroke();
      ctx.setLineDash([]);
    });
  }

  /** A step function: ys[i] from xs[i] to xs[i + 1] (the last step to the plot's right edge). */
  steps(xs: ArrayLike<number>, ys: ArrayLike<number>, color: string, width = 2): void {
    const sx: number[] = [];
    const sy: number[] = [];
    for (let i = 0; i < xs.length; i++) {
      sx.push(xs[i], i + 1 < xs.length ? xs[i + 1] : this.options.range[1]);
      sy.push(ys[i], ys[i]);
    }
    this.line(sx, sy, color, width);
  }

  /** Histogram bars: bar i spans [edges[i], edges[i+1]] up to heights[i]; `fill` may vary per bar. */
  bars(
    edges: ArrayLike<number>,
    heights: ArrayLike<number>,
    fill: string | ((i: number) => string),
    stroke = '',
  ): void {
    this.clipped(() => {
      const { ctx } = this;
      ctx.strokeStyle = stroke;
      ctx.lineWidth = 1;
      const base = this.py(Math.max(0, this.options.range[2]));
      for (let i = 0; i < heights.length; i++) {
        ctx.fillStyle = typeof fill === 'string' ? fill : fill(i);
        const xa = this.px(edges[i]);
        const xb = this.px(edges[i + 1]);
        const y = Math.max(-1e4, this.py(heights[i]));
        ctx.fillRect(xa, y, xb - xa, base - y);
        if (stroke) ctx.strokeRect(xa, y, xb - xa, base - y);
      }
    });
  }

  /** Stems from 0 up to (xs[i], ys[i]) with a dot on top: a probability mass function. */
  stems(xs: ArrayLike<number>, ys: ArrayLike<number>, color: string): void {
    this.clipped(() => {
      for (let i = 0; i < xs.length; i++) {
        const [x, y] = [this.px(xs[i]), this.py(ys[i])];
        this.segment(x, this.py(0), x, y, color, 2);
        this.ctx.fillStyle = color;
        this.ctx.beginPath();
        this.ctx.arc(x, y, 3, 0, 2 * Math.PI);
        this.ctx.fill();
      }
    });
  }

  /** Dots at (xs[i], ys[i]). */
  points(xs: ArrayLike<number>, ys: ArrayLike<number>, color: string, radius = 2.5): void {
    this.clipped(() => {
      this.ctx.fillStyle = color;
      for (let i = 0; i < xs.length; i++) {
        if (!Number.isFinite(xs[i]) || !Number.isFinite(ys[i])) continue;
        this.ctx.beginPath();
        this.ctx.arc(this.px(xs[i]), this.py(ys[i]), radius, 0, 2 * Math.PI);
        this.ctx.fill();
      }
    });
  }

  /** A vertical line at data x across the plot, with an optional label at its top. */
  vline(x: number, color: string, text = '', dash: number[] = [], width = 1.5): void {
    if (!Number.isFinite(x)) return;
    const [, , y0, y1] = this.options.range;
    this.clipped(() => this.segment(this.px(x), this.py(y0), this.px(x), this.py(y1), color, width, dash));
    if (text) this.label(text, this.px(x) + 3, this.py(y1) + 12, color);
  }

  /** A horizontal line at data y across the plot. */
  hline(y: number, color: string, dash: number[] = [], width = 1.5): void {
    if (!Number.isFinite(y)) return;
    const [x0, x1] = this.options.range;
    this.clipped(() => this.segment(this.px(x0), this.py(y), this.px(x1), this.py(y), color, width, dash));
  }

  /** A shaded vertical band between data x = a and x = b. */
  band(a: number, b: number, fill: string): void {
    if (!Number.isFinite(a) || !Number.isFinite(b)) return;
    const [, , y0, y1] = this.options.range;
    this.clipped(() => {
      this.ctx.fillStyle = fill;
      this.ctx.fillRect(this.px(a), this.py(y1), this.px(b) - this.px(a), this.py(y0) - this.py(y1));
    });
  }

  /** The area under a curve (xs, ys) down to y = 0, between x = a and x = b. */
  area(xs: ArrayLike<number>, ys: ArrayLike<number>, a: number, b: number, fill: string): void {
    this.clipped(() => {
      const { ctx } = this;
      ctx.fillStyle = fill;
      ctx.beginPath();
      ctx.moveTo(this.px(a), this.py(0));
      for (let i = 0; i < xs.length; i++) {
        if (xs[i] >= a && xs[i] <= b && Number.isFinite(ys[i])) ctx.lineTo(this.px(xs[i]), this.py(ys[i]));
      }
      ctx.lineTo(this.px(b), this.py(0));
      ctx.closePath();
      ctx.fill();
    });
  }

  /** The region between two curves lo(x) and hi(x), filled. */
  fillBetween(xs: ArrayLike<number>, lo: ArrayLike<number>, hi: ArrayLike<number>, fill: string): void {
    this.clipped(() => {
      const { ctx } = this;
      ctx.fillStyle = fill;
      ctx.beginPath();
      for (let i = 0; i < xs.length; i++) ctx.lineTo(this.px(xs[i]), this.py(hi[i]));
      for (let i = xs.length - 1; i >= 0; i--) ctx.lineTo(this.px(xs[i]), this.py(lo[i]));
      ctx.closePath();
      ctx.fill();
    });
  }

  /** Text with a white halo at data coordinates (x, y), left-aligned unless `align` says otherwise. */
  text(text: string, x: number, y: number, color = '#111', align: CanvasTextAlign = 'left'): void {
    this.label(text, this.px(x), this.py(y), color, align);
  }

  /** Text with a white halo at canvas pixels (x, y). */
  private label(text: string, x: number, y: number, color = '#111', align: CanvasTextAlign = 'left'): void {
    this.ctx.textAlign = align;
    this.ctx.textBaseline = 'alphabetic';
    haloText(this.ctx, text, x, y, color);
  }

  /** A legend in the top (or bottom) right corner: a colour swatch and a name per entry. */
  legend(entries: [string, string][], corner: 'top' | 'bottom' = 'top'): void {
    const { ctx } = this;
    ctx.font = '13px system-ui, sans-serif';
    const width = Math.max(...entries.map(([t]) => ctx.measureText(t).width)) + 26;
    const x = this.px(this.options.range[1]) - width - 4;
    let y =
      corner === 'top'
        ? this.py(this.options.range[3]) + 6
        : this.py(this.options.range[2]) - 6 - entries.length * 16;
    ctx.fillStyle = 'rgba(255,255,255,0.85)';
    ctx.fillRect(x - 4, y - 2, width + 6, entries.length * 16 + 4);
    for (const [text, color] of entries) {
      ctx.fillStyle = color;
      ctx.fillRect(x, y + 4, 16, 6);
      this.label(text, x + 22, y + 12);
      y += 16;
    }
  }
}

/** A canvas for a chart: its size in pixels, an id, and an accessible name saying what it shows. */
export function chartCanvas(id: string, width: number, height: number, label: string): HTMLCanvasElement {
  const c = Object.assign(document.createElement('canvas'), { width, height, id });
  c.setAttribute('role', 'img');
  c.setAttribute('aria-label', label);
  return c;
}
