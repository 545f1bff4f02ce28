// Small charts on a 2-D canvas for the likelihood and hypothesis-test demos: a frame with ticked axes around
// a plot area and the pieces drawn in it, in data coordinates (plot.ts is the other demos' chart; to be folded).

/** "Nice" tick positions covering [lo, hi]: steps of 1, 2 or 5 times a power of ten, about `count` of them. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

/** A tick's label: few digits, no trailing zeros. */
const tickLabel = (v: number) => String(Number(v.toPrecision(4)));

/** A chart on a canvas: data ranges mapped onto the plot area inside margins for the axes. */
export class Plot {
  readonly ctx: CanvasRenderingContext2D;
  /** Plot area in canvas pixels: left, top, right, bottom. */
  readonly area: { l: number; t: number; r: number; b: number };

  constructor(
    readonly canvas: HTMLCanvasElement,
    public x0: number,
    public x1: number,
    public y0: number,
    public y1: number,
    margins = { l: 52, t: 12, r: 12, b: 38 },
  ) {
    this.ctx = canvas.getContext('2d')!;
    this.area = {
      l: margins.l,
      t: margins.t,
      r: canvas.width - margins.r,
      b: canvas.height - margins.b,
    };
  }

  px(x: number): number {
    return this.area.l + ((x - this.x0) / (this.x1 - this.x0)) * (this.area.r - this.area.l);
  }
  py(y: number): number {
    return this.area.b - ((y - this.y0) / (this.y1 - this.y0)) * (this.area.b - this.area.t);
  }
  /** The data coordinates of a canvas pixel. */
  dataAt(px: number, py: number): [number, number] {
    return [
      this.x0 + ((px - this.area.l) / (this.area.r - this.area.l)) * (this.x1 - this.x0),
      this.y0 + ((this.area.b - py) / (this.area.b - this.area.t)) * (this.y1 - this.y0),
    ];
  }

  /** Clears the canvas and draws the axes with ticks and their labels. */
  frame(xLabel: string, yLabel: string): void {
    const { ctx, area } = this;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.strokeStyle = '#9ca3af';
    ctx.lineWidth = 1;
    ctx.strokeRect(area.l, area.t, area.r - area.l, area.b - area.t);
    ctx.fillStyle = '#374151';
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const v of ticks(this.x0, this.x1, Math.max(3, Math.round((area.r - area.l) / 70)))) {
      const x = this.px(v);
      ctx.beginPath();
      ctx.moveTo(x, area.b);
      ctx.lineTo(x, area.b + 4);
      ctx.stroke();
      ctx.fillText(tickLabel(v), x, area.b + 6);
    }
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const v of ticks(this.y0, this.y1, Math.max(3, Math.round((area.b - area.t) / 45)))) {
      const y = this.py(v);
      ctx.beginPath();
      ctx.moveTo(area.l - 4, y);
      ctx.lineTo(area.l, y);
      ctx.stroke();
      ctx.fillText(tickLabel(v), area.l - 6, y);
    }
    ctx.font = '12px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    ctx.fillText(xLabel, (area.l + area.r) / 2, this.canvas.height - 2);
    ctx.save();
    ctx.translate(12, (area.t + area.b) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'middle';
    ctx.fillText(yLabel, 0, 0);
    ctx.restore();
  }

  /** Keeps what follows inside the plot area (until the returned function is called). */
  clip(): () => void {
    const { ctx, area } = this;
    ctx.save();
    ctx.beginPath();
    ctx.rect(area.l, area.t, area.r - area.l, area.b - area.t);
    ctx.clip();
    return () => ctx.restore();
  }

  /** Bars from y = 0: bar i spans [edges[i], edges[i + 1]] with height heights[i]; `fill` may vary per bar. */
  bars(edges: ArrayLike<number>, heights: ArrayLike<number>, fill: string | ((i: number) => string)): void {
    const done = this.clip();
    for (let i = 0; i < heights.length; i++) {
      this.ctx.fillStyle = typeof fill === 'string' ? fill : fill(i);
      const x = this.px(edges[i]);
      const w = this.px(edges[i + 1]) - x;
      const y = this.py(heights[i]);
      this.ctx.fillRect(x, y, Math.max(1, w - 0.5), this.py(0) - y);
    }
    done();
  }

  /** A polyline through (xs[i], ys[i]); non-finite points break it. */
  curve(xs: ArrayLike<number>, ys: ArrayLike<number>, stroke: string, width = 2, dash: number[] = []): void {
    const { ctx } = this;
    const done = this.clip();
    ctx.strokeStyle = stroke;
    ctx.lineWidth = width;
    ctx.setLineDash(dash);
    ctx.beginPath();
    let pen = false;
    for (let i = 0; i < xs.length; i++) {
      if (!Number.isFinite(ys[i]) || !Number.isFinite(xs[i])) {
        pen = false;
        continue;
      }
      if (pen) ctx.lineTo(this.px(xs[i]), this.py(ys[i]));
      else ctx.moveTo(this.px(xs[i]), this.py(ys[i]));
      pen = true;
    }
    ctx.stroke();
    ctx.setLineDash([]);
    done();
  }

  /** The area between a curve and y = 0 where `inside(x)` holds. */
  shade(xs: ArrayLike<number>, ys: ArrayLike<number>, inside: (x: number) => boolean, fill: string): void {
    const { ctx } = this;
    const done = this.clip();
    ctx.fillStyle = fill;
    for (let i = 0; i + 1 < xs.length; i++) {
      const mid = (xs[i] + xs[i + 1]) / 2;
      if (!inside(mid)) continue;
      ctx.beginPath();
      ctx.moveTo(this.px(xs[i]), this.py(0));
      ctx.lineTo(this.px(xs[i]), this.py(ys[i]));
      ctx.lineTo(this.px(xs[i + 1]), this.py(ys[i + 1]));
      ctx.lineTo(this.px(xs[i + 1]), this.py(0));
      ctx.closePath();
      ctx.fill();
    }
    done();
  }

  /** A vertical line at x across the plot area. */
  vline(x: number, stroke: string, width = 1.5, dash: number[] = []): void {
    this.curve([x, x], [this.y0, this.y1], stroke, width, dash);
  }

  /** A horizontal line at y across the plot area. */
  hline(y: number, stroke: string, width = 1.5, dash: number[] = []): void {
    this.curve([this.x0, this.x1], [y, y], stroke, width, dash);
  }

  /** Text at data coordinates (with a white halo), left-aligned unless `align` says otherwise. */
  text(s: string, x: number, y: number, color = '#111', align: CanvasTextAlign = 'left'): void {
    const { ctx } = this;
    ctx.font = '12px system-ui, sans-serif';
    ctx.textAlign = align;
    ctx.textBaseline = 'alphabetic';
    ctx.lineWidth = 4;
    ctx.strokeStyle = 'rgba(255,255,255,0.9)';
    ctx.strokeText(s, this.px(x), this.py(y));
    ctx.fillStyle = color;
    ctx.fillText(s, this.px(x), this.py(y));
  }

  /** A legend in a corner of the plot area (top right by default): a swatch and a name per entry. */
  legend(entries: [string, string][], corner: 'top' | 'bottom' = 'top'): void {
    const { ctx, area } = this;
    ctx.font = '12px system-ui, sans-serif';
    const w = Math.max(...entries.map(([name]) => ctx.measureText(name).width)) + 30;
    const h = entries.length * 17 + 6;
    const x = area.r - w - 6;
    const y0 = corner === 'top' ? area.t + 4 : area.b - h - 4;
    ctx.fillStyle = 'rgba(255,255,255,0.85)';
    ctx.fillRect(x, y0, w, h);
    entries.forEach(([name, color], i) => {
      const y = y0 + 10 + 17 * i;
      ctx.fillStyle = color;
      ctx.fillRect(x + 6, y - 5, 14, 8);
      ctx.fillStyle = '#111';
      ctx.textAlign = 'left';
      ctx.textBaseline = 'middle';
      ctx.fillText(name, x + 26, y);
    });
  }
}

/** A canvas of the given size with an id, for a Plot. */
export function plotCanvas(id: string, width: number, height: number): HTMLCanvasElement {
  return Object.assign(document.createElement('canvas'), { id, width, height });
}
