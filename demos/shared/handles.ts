// Draggable handles over a canvas, for the pointer and the keyboard alike: each handle is a real button laid
// over the point it moves, so Tab reaches it, the arrow keys nudge it and a pointer drags it.

/** One handle: where it is and what moving it does, in the canvas's own pixels. */
export interface HandleSpec {
  /** What the handle moves, for its accessible name (e.g. "image of e1"). */
  label: string;
  color: string;
  /** Where the handle is now, in canvas pixels (canvas.width x canvas.height). */
  position(): [number, number];
  /** Drags to a canvas pixel; `final` on release, when the move should be committed. */
  moveTo(px: number, py: number, final: boolean): void;
  /** An arrow key: one step right/left (dx) or up/down (dy, up positive); `fine` with Shift. */
  nudge(dx: number, dy: number, fine: boolean): void;
  /** The current value, read out to assistive technology. */
  describe(): string;
}

/** A canvas wrapped in a positioned box with its handles; call `place()` after every redraw. */
export class Handles {
  /** The element to put on the page (the canvas inside it). */
  readonly element: HTMLElement;
  private readonly buttons: HTMLButtonElement[] = [];

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly specs: HandleSpec[],
  ) {
    this.element = document.createElement('div');
    this.element.className = 'handle-layer';
    this.element.append(canvas);
    for (const spec of specs) this.buttons.push(this.makeButton(spec));
    this.place();
  }

  /** Moves every button over its point and refreshes the accessible names. */
  place(): void {
    const sx = this.canvas.clientWidth / this.canvas.width || 1;
    const sy = this.canvas.clientHeight / this.canvas.height || 1;
    this.specs.forEach((spec, i) => {
      const [px, py] = spec.position();
      const b = this.buttons[i];
      const inside = px >= 0 && py >= 0 && px <= this.canvas.width && py <= this.canvas.height;
      b.style.left = `${this.canvas.offsetLeft + this.canvas.clientLeft + Math.max(0, Math.min(this.canvas.width, px)) * sx}px`;
      b.style.top = `${this.canvas.offsetTop + this.canvas.clientTop + Math.max(0, Math.min(this.canvas.height, py)) * sy}px`;
      b.classList.toggle('outside', !inside);
      b.setAttribute(
        'aria-label',
        `${spec.label}: ${spec.describe()}. Arrow keys move it, Shift for fine steps.`,
      );
    });
  }

  private makeButton(spec: HandleSpec): HTMLButtonElement {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'handle';
    b.style.borderColor = spec.color;
    b.title = spec.label;
    const toCanvas = (e: PointerEvent): [number, number] => {
      const r = this.canvas.getBoundingClientRect();
      return [
        ((e.clientX - r.left) / r.width) * this.canvas.width,
        ((e.clientY - r.top) / r.height) * this.canvas.height,
      ];
    };
    let dragging = false;
    b.addEventListener('pointerdown', (e) => {
      dragging = true;
      b.setPointerCapture(e.pointerId);
      e.preventDefault();
      b.focus();
    });
    b.addEventListener('pointermove', (e) => {
      if (dragging) spec.moveTo(...toCanvas(e), false);
    });
    const release = (e: PointerEvent) => {
      if (!dragging) return;
      dragging = false;
      spec.moveTo(...toCanvas(e), true);
    };
    b.addEventListener('pointerup', release);
    b.addEventListener('pointercancel', release);
    b.addEventListener('keydown', (e) => {
      const step: Record<string, [number, number]> = {
        ArrowRight: [1, 0],
        ArrowLeft: [-1, 0],
        ArrowUp: [0, 1],
        ArrowDown: [0, -1],
      };
      const d = step[e.key];
      if (!d) return;
      e.preventDefault();
      spec.nudge(d[0], d[1], e.shiftKey);
    });
    this.element.append(b);
    return b;
  }
}
