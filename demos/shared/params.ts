// A demo's knobs: their specs, parsing from the URL or a text field with a sane default on bad input,
// and writing the whole state back into the URL so that a link reproduces it.

export type ParamValue = number | string | boolean;

export interface ParamSpec {
  key: string;
  label?: string;
  folder?: string;
  kind: 'number' | 'int' | 'select' | 'bool' | 'text';
  default: ParamValue;
  min?: number;
  max?: number;
  step?: number;
  /** Log-scale slider (for learning rates and penalties): the control moves log10 of the value. */
  log?: boolean;
  options?: readonly string[];
  /** For text params: checks and normalises the text; throws an Error whose message says what is wrong. */
  parse?: (text: string) => string;
  /** Shows the control only while this holds (e.g. a distribution's own parameters under its family). */
  showIf?: (params: Params) => boolean;
}

export type Params = Record<string, ParamValue>;

/** Parses one value; returns [value, problem] where problem is null when the input was fine. */
export function parseParam(spec: ParamSpec, raw: unknown): [ParamValue, string | null] {
  const name = spec.label ?? spec.key;
  const fallback = (why: string): [ParamValue, string] => [
    spec.default,
    `${name}: ${why}; using ${spec.default}`,
  ];
  if (raw === undefined || raw === null) return [spec.default, null];
  const text = String(raw).trim();
  switch (spec.kind) {
    case 'number':
    case 'int': {
      if (text === '') return fallback('empty');
      const v = Number(text);
      if (!Number.isFinite(v)) return fallback(`${JSON.stringify(text)} is not a number`);
      if (spec.kind === 'int' && !Number.isInteger(v)) return fallback(`${text} is not a whole number`);
      if (spec.min !== undefined && v < spec.min) return fallback(`${v} is below the minimum ${spec.min}`);
      if (spec.max !== undefined && v > spec.max) return fallback(`${v} is above the maximum ${spec.max}`);
      return [v, null];
    }
    case 'bool':
      if (text === 'true' || text === '1') return [true, null];
      if (text === 'false' || text === '0') return [false, null];
      return fallback(`${JSON.stringify(text)} is not true or false`);
    case 'select':
      if (spec.options?.includes(text)) return [text, null];
      return fallback(`${JSON.stringify(text)} is not one of ${spec.options?.join(', ')}`);
    case 'text':
      try {
        return [spec.parse ? spec.parse(text) : text, null];
      } catch (e) {
        return fallback((e as Error).message);
      }
  }
}

/** Reads every param from the query string; returns the values and the problems found. */
export function readUrl(specs: readonly ParamSpec[], search: string): { params: Params; problems: string[] } {
  const q = new URLSearchParams(search);
  const params: Params = {};
  const problems: string[] = [];
  for (const s of specs) {
    const [v, problem] = parseParam(s, q.get(s.key) ?? undefined);
    params[s.key] = v;
    if (problem) problems.push(problem);
  }
  return { params, problems };
}

/** The query string for a state (only values that differ from the defaults, plus the backend). */
export function toQuery(
  specs: readonly ParamSpec[],
  params: Params,
  extra: Record<string, string> = {},
): string {
  const q = new URLSearchParams(extra);
  for (const s of specs) {
    if (params[s.key] !== s.default) q.set(s.key, String(params[s.key]));
  }
  const text = q.toString();
  return text ? `?${text}` : '';
}

/** Parses a comma-separated list of integers, e.g. "8, 8, 4" (for hidden-layer widths). */
export function intList(what: string, min: number, max: number, maxCount: number): (text: string) => string {
  return (text) => {
    if (text === '') return '';
    const parts = text.split(',').map((p) => p.trim());
    if (parts.length > maxCount) throw new Error(`at most ${maxCount} ${what}, got ${parts.length}`);
    for (const p of parts) {
      const v = Number(p);
      if (!Number.isInteger(v) || v < min || v > max) {
        throw new Error(`${JSON.stringify(p)} is not a whole number from ${min} to ${max}`);
      }
    }
    return parts.join(',');
  };
}

/** Parses a point "x,y" (for a start or a cursor set by a click), both coordinates within +-limit. */
export function pointParam(limit: number): (text: string) => string {
  return (text) => {
    const parts = text.split(',').map((s) => Number(s.trim()));
    if (parts.length !== 2 || !parts.every((v) => Number.isFinite(v) && Math.abs(v) <= limit)) {
      throw new Error(`${JSON.stringify(text)} is not a point "x,y" with |x|, |y| <= ${limit}`);
    }
    return parts.map((v) => Number(v.toFixed(4))).join(',');
  };
}

/** The numbers of a point param's text "x,y". */
export const pointOf = (text: unknown): [number, number] =>
  String(text).split(',').map(Number) as [number, number];
