// symbols.js: the marker symbols, shared by the map, the feed and the
// legend. Colour says the event type; shape says the modality (a filled
// dot: occurred; a dot in a ring: ongoing; a hollow dashed dot:
// threatened); a dotted diamond frame says the place is only approximate
// (a region, a country, a sea); a dark halo says the event is new.

import { svgEl } from './dom.js';

export function symbol(colour, modality, opts = {}) {
  const s = opts.size || 22;
  const c = s / 2;
  const svg = svgEl('svg', { width: s, height: s, viewBox: '0 0 ' + s + ' ' + s, 'aria-hidden': 'true', focusable: 'false' });
  svg.classList.add('symbol', 'm-' + (modality || 'unknown'));
  if (opts.recency === 'new' || opts.recency === 'recent') {
    svg.append(svgEl('circle', { cx: c, cy: c, r: c - 0.5, fill: 'none', stroke: '#111', 'stroke-width': opts.recency === 'new' ? 2 : 1.2, class: 'fresh' }));
  }
  if (opts.approximate) {
    const r = s * 0.42;
    svg.append(svgEl('path', {
      d: `M${c} ${c - r}L${c + r} ${c}L${c} ${c + r}L${c - r} ${c}Z`,
      fill: '#fff', 'fill-opacity': 0.7, stroke: '#222', 'stroke-width': 1.3, 'stroke-dasharray': '2 1.6', class: 'halo',
    }));
  }
  const dot = opts.approximate ? 0.21 : 0.28;
  if (modality === 'threatened') {
    svg.append(svgEl('circle', { cx: c, cy: c, r: s * (dot + 0.01), fill: '#fff', 'fill-opacity': 0.85, stroke: colour, 'stroke-width': 2.6, 'stroke-dasharray': '3 2', class: 'dot' }));
  } else {
    if (modality === 'ongoing') {
      svg.append(svgEl('circle', { cx: c, cy: c, r: s * (dot + 0.1), fill: 'none', stroke: colour, 'stroke-width': 2, class: 'ring' }));
    }
    svg.append(svgEl('circle', { cx: c, cy: c, r: modality === 'ongoing' ? s * (dot - 0.06) : s * dot, fill: colour, stroke: '#222', 'stroke-width': 1.3, class: 'dot' }));
  }
  return svg;
}
