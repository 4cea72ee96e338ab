// Small DOM helpers. Untrusted text (names, ARNs, policy JSON) only ever goes
// through textContent, never innerHTML.

/**
 * h builds an element: h('div', {class: 'x', onclick: fn}, 'text', child…).
 * Attribute values of null/undefined/false are skipped.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (v === true) el.setAttribute(k, '');
      else el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

/** clear removes every child of el and appends the given children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

/** debounce delays fn until calls stop for ms. */
export function debounce(fn, ms) {
  let t;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

/** shortName shortens an ARN or ID for labels: the part after the last / or :. */
export function shortName(id) {
  if (!id) return '';
  const s = String(id);
  const slash = s.lastIndexOf('/');
  if (slash >= 0 && slash < s.length - 1) return s.slice(slash + 1);
  const colon = s.lastIndexOf(':');
  if (colon >= 0 && colon < s.length - 1) return s.slice(colon + 1);
  return s;
}

/** download saves a Blob as a file through a temporary link. */
export function download(name, blob) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, class: 'hidden' });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
