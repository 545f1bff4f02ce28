// PageRank on a small web of pages you edit: click a page, then another, to add or remove the link between
// them (or tick the link table). The ranks are the power iteration of the damped link matrix
// M = d L + (1 - d)/n 1 1^T (gradbox's linalg.powerIteration from the uniform start), scaled to sum to 1.
import { type Context, linalg } from '../../src/index';
import { arrow, label } from '../shared/draw';
import { readAll } from '../shared/readback';

const SIZE = 350;

/** Parses links "0>1,2>0": pairs from>to of distinct pages below `pages` (checked against it in use). */
export function parseLinks(text: string): string {
  if (text.trim() === '') return '';
  const pairs = text.split(',').map((p) => p.trim());
  for (const p of pairs) {
    if (!/^\d>\d$/.test(p) || p[0] === p[2]) {
      throw new Error(`${JSON.stringify(p)} is not a link "from>to" between two different pages 0-9`);
    }
  }
  return [...new Set(pairs)].join(',');
}

export const DEFAULT_LINKS = '0>1,0>2,1>2,1>3,2>0,3>0,3>2,3>4,4>3,4>0';

/**
 * L (n, n): column j spreads page j's vote equally over the pages it links to (L[i][j] = 1/out(j) when
 * j links to i); a page without links votes for every page equally (so every column sums to 1).
 */
export function linkMatrix(n: number, links: [number, number][]): number[][] {
  const L = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) {
    const out = links.filter(([from]) => from === j).map(([, to]) => to);
    if (out.length === 0) for (let i = 0; i < n; i++) L[i][j] = 1 / n;
    else for (const i of out) L[i][j] = 1 / out.length;
  }
  return L;
}

interface Shown {
  /** The links, damping and number of steps these ranks are for. */
  links: [number, number][];
  damping: number;
  steps: number;
  ranks: number[];
  eigenvalue: number;
  residual: number;
}

/** The PageRank figure: the graph (click to edit), the link table, and the ranks from the device. */
export class PageRankPanel {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly table: HTMLTableElement;
  private links: [number, number][] = [];
  private damping = 0.85;
  private steps = 50;
  private selected: number | null = null;
  private shown: Shown | null = null;

  constructor(
    private readonly gb: Context,
    private readonly pages: number,
    /** The links changed ("from>to,..." text). */
    private readonly onEdit: (text: string) => void,
  ) {
    this.canvas = Object.assign(document.createElement('canvas'), {
      width: SIZE,
      height: SIZE,
      id: 'pagerank',
    });
    this.canvas.addEventListener('pointerdown', (e) => this.click(e));
    this.table = document.createElement('table');
    this.table.id = 'pagerank-links';
    this.table.className = 'link-table';
    const box = document.createElement('div');
    box.append(this.canvas, this.table);
    this.element = box;
  }

  /** Node centres in canvas pixels, on a circle; also on the canvas as data-nodes for automation. */
  nodes(): [number, number][] {
    return Array.from({ length: this.pages }, (_, i) => {
      const a = -Math.PI / 2 + (2 * Math.PI * i) / this.pages;
      return [SIZE / 2 + 0.35 * SIZE * Math.cos(a), SIZE / 2 + 0.35 * SIZE * Math.sin(a)];
    });
  }

  set(linksText: string, damping: number, steps: number): void {
    this.links = linksText
      .split(',')
      .filter(Boolean)
      .map((p) => [Number(p[0]), Number(p[2])] as [number, number])
      .filter(([a, b]) => a < this.pages && b < this.pages);
    this.damping = damping;
    this.steps = steps;
  }

  async refresh(): Promise<void> {
    const n = this.pages;
    const { damping, steps } = this;
    const links = [...this.links];
    const L = linkMatrix(n, links);
    const r = await readAll(this.gb, () => {
      const M = this.gb
        .tensor(L)
        .mul(damping)
        .add((1 - damping) / n);
      const start = this.gb.full([n], 1 / n);
      const it = linalg.powerIteration(M, { steps, start });
      return { ranks: it.vector.div(it.vector.sum()), value: it.value, residual: it.residual };
    });
    this.shown = {
      links,
      damping,
      steps,
      ranks: Array.from(r.ranks),
      eigenvalue: r.value[0],
      residual: r.residual[0],
    };
    this.draw();
    this.fillTable();
  }

  figures(): Record<string, number | number[][]> {
    if (!this.shown) return {};
    return {
      pagerank: [this.shown.ranks],
      pagerankLinks: this.shown.links.map(([a, b]) => [a, b]),
      pagerankDamping: this.shown.damping,
      pagerankSteps: this.shown.steps,
      pagerankEigenvalue: this.shown.eigenvalue,
      pagerankResidual: this.shown.residual,
    };
  }

  /** Lines of TeX with the live values. */
  formula(): string[] {
    if (!this.shown) return [];
    const ranks = this.shown.ranks.map((v) => v.toFixed(3)).join(', ');
    return [
      `\\text{PageRank: } r \\leftarrow M r,\\ M = d\\,L + \\tfrac{1-d}{n}\\mathbf{1}\\mathbf{1}^\\top`,
      `d = ${this.shown.damping.toFixed(2)},\\ n = ${this.pages},\\ ${this.shown.steps} \\text{ steps},\\ \\rho = ${this.shown.eigenvalue.toFixed(4)}`,
      `r = (${ranks}),\\ \\textstyle\\sum r_i = 1`,
    ];
  }

  private toggle(from: number, to: number): void {
    const has = this.links.some(([a, b]) => a === from && b === to);
    const next = has
      ? this.links.filter(([a, b]) => !(a === from && b === to))
      : [...this.links, [from, to] as [number, number]];
    this.onEdit(next.map(([a, b]) => `${a}>${b}`).join(','));
  }

  private click(e: PointerEvent): void {
    const rect = this.canvas.getBoundingClientRect();
    const x = ((e.clientX - rect.left) / rect.width) * SIZE;
    const y = ((e.clientY - rect.top) / rect.height) * SIZE;
    const hit = this.nodes().findIndex(([nx, ny]) => Math.hypot(nx - x, ny - y) < 30);
    if (hit < 0 || hit === this.selected) this.selected = null;
    else if (this.selected === null) this.selected = hit;
    else {
      this.toggle(this.selected, hit);
      this.selected = null;
    }
    this.draw();
  }

  private draw(): void {
    const ctx = this.canvas.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, SIZE, SIZE);
    const nodes = this.nodes();
    this.canvas.dataset.nodes = JSON.stringify(nodes.map(([x, y]) => [Math.round(x), Math.round(y)]));
    const ranks = this.shown?.ranks ?? nodes.map(() => 1 / this.pages);
    const radius = (i: number) => 10 + 60 * Math.sqrt(Math.max(0, ranks[i]) / Math.PI);
    for (const [a, b] of this.links) {
      const [x0, y0] = nodes[a];
      const [x1, y1] = nodes[b];
      const len = Math.hypot(x1 - x0, y1 - y0);
      const [ux, uy] = [(x1 - x0) / len, (y1 - y0) / len];
      // Links both ways are drawn side by side.
      const [sx, sy] = [-uy * 5, ux * 5];
      arrow(
        ctx,
        x0 + ux * radius(a) + sx,
        y0 + uy * radius(a) + sy,
        x1 - ux * (radius(b) + 2) + sx,
        y1 - uy * (radius(b) + 2) + sy,
        '#64748b',
        1.5,
      );
    }
    nodes.forEach(([x, y], i) => {
      ctx.beginPath();
      ctx.arc(x, y, radius(i), 0, 2 * Math.PI);
      ctx.fillStyle = i === this.selected ? '#fde68a' : '#dbeafe';
      ctx.fill();
      ctx.strokeStyle = i === this.selected ? '#d97706' : '#2563eb';
      ctx.lineWidth = 2;
      ctx.stroke();
      label(ctx, String(i), x - 4, y + 5, '#1e3a8a');
      label(ctx, ranks[i].toFixed(3), x - 16, y + radius(i) + 15);
    });
    label(
      ctx,
      this.selected === null
        ? 'Click a page, then another, to add or remove a link.'
        : `Page ${this.selected}: now click the page it links to.`,
      8,
      SIZE - 10,
      '#475569',
    );
  }

  private fillTable(): void {
    const n = this.pages;
    const head = document.createElement('tr');
    head.append(Object.assign(document.createElement('th'), { textContent: 'from \\ to' }));
    for (let j = 0; j < n; j++)
      head.append(Object.assign(document.createElement('th'), { textContent: String(j) }));
    const rows = [head];
    for (let i = 0; i < n; i++) {
      const tr = document.createElement('tr');
      tr.append(Object.assign(document.createElement('th'), { textContent: String(i) }));
      for (let j = 0; j < n; j++) {
        const td = document.createElement('td');
        if (i !== j) {
          const box = Object.assign(document.createElement('input'), {
            type: 'checkbox',
            checked: this.links.some(([a, b]) => a === i && b === j),
          });
          box.dataset.from = String(i);
          box.dataset.to = String(j);
          box.setAttribute('aria-label', `page ${i} links to page ${j}`);
          box.addEventListener('change', () => this.toggle(i, j));
          td.append(box);
        }
        tr.append(td);
      }
      rows.push(tr);
    }
    const focused = document.activeElement as HTMLElement | null;
    const key = focused?.dataset?.from !== undefined ? `${focused.dataset.from}>${focused.dataset.to}` : null;
    this.table.replaceChildren(...rows);
    // Keep the keyboard where it was after the table is rebuilt.
    if (key)
      this.table
        .querySelector<HTMLInputElement>(`input[data-from="${key[0]}"][data-to="${key[2]}"]`)
        ?.focus();
  }
}
