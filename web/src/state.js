// Permalinks: the URL fragment holds the question and the view, e.g.
//   #/reach?from=arn:aws:lambda:…&maxDepth=4&view=table&layout=layered&hide=Policy&sel=<id>
// Everything a reviewer needs to come back to the same picture.

export const QUESTIONS = ['reach', 'reachers', 'paths', 'external', 'public', 'admin', 'blast', 'least', 'node'];

const KEYS = ['from', 'to', 'id', 'maxDepth', 'action', 'accessLevel', 'resourceType', 'excludeConditional',
  'kind', 'account', 'limit', 'view', 'layout', 'group', 'hide', 'sel', 'focus'];

/** parse reads a state object from a location hash. */
export function parse(hash) {
  const s = { q: '', params: {} };
  const raw = (hash || '').replace(/^#\/?/, '');
  const qi = raw.indexOf('?');
  const q = qi >= 0 ? raw.slice(0, qi) : raw;
  s.q = QUESTIONS.includes(q) ? q : '';
  const sp = new URLSearchParams(qi >= 0 ? raw.slice(qi + 1) : '');
  for (const k of KEYS) {
    if (sp.has(k)) s.params[k] = sp.get(k);
  }
  return s;
}

/** format writes a state object as a location hash. */
export function format(s) {
  if (!s.q) return '#/';
  const sp = new URLSearchParams();
  for (const k of KEYS) {
    const v = s.params[k];
    if (v === undefined || v === null || v === '') continue;
    sp.set(k, String(v));
  }
  const qs = sp.toString();
  return '#/' + s.q + (qs ? '?' + qs : '');
}
