/** Plain DOM controls for the views (no dependency on @jupyter-widgets/controls). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function labelled(label: string, control: HTMLElement): HTMLLabelElement {
  const wrap = el('label', 'pathlens-control');
  wrap.append(el('span', 'pathlens-control-label', label), control);
  return wrap;
}

export function select(className: string, options: readonly string[], value: string, onChange: (value: string) => void): HTMLSelectElement {
  const s = el('select', className);
  setOptions(s, options, value);
  s.addEventListener('change', () => onChange(s.value));
  return s;
}

export function setOptions(s: HTMLSelectElement, options: readonly string[], value: string): void {
  if ([...s.options].map((o) => o.value).join('\u0000') !== options.join('\u0000')) {
    s.replaceChildren(...options.map((o) => Object.assign(document.createElement('option'), { value: o, textContent: o })));
  }
  s.value = value;
}

export function slider(className: string, min: number, max: number, step: number, value: number, onInput: (value: number) => void): HTMLInputElement {
  const input = el('input', className);
  Object.assign(input, { type: 'range', min: String(min), max: String(max), step: String(step) });
  input.value = String(value);
  input.addEventListener('input', () => onInput(Number(input.value)));
  return input;
}

export const STYLE = `
.pathlens-widget { font: 12px sans-serif; color: #222; display: flex; flex-direction: column; gap: 6px; }
.pathlens-row { display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-start; }
.pathlens-control { display: inline-flex; gap: 4px; align-items: center; }
.pathlens-control-label { color: #555; }
.pathlens-thumb { display: flex; flex-direction: column; align-items: center; cursor: pointer; border: 2px solid transparent; }
.pathlens-thumb.selected { border-color: #d62728; }
.pathlens-main, .pathlens-thumb canvas, .pathlens-frame { image-rendering: pixelated; border: 1px solid #ccc; }
.pathlens-error { color: #b00; min-height: 1em; }
.pathlens-note { color: #555; }
`;

let styled = false;
export function ensureStyle(): void {
  if (styled || typeof document === 'undefined') return;
  styled = true;
  const style = document.createElement('style');
  style.textContent = STYLE;
  document.head.append(style);
}
