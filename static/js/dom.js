// dom.js: building the page's elements. Text from articles goes in as text
// nodes or attributes, never as HTML.

const SVG_NS = 'http://www.w3.org/2000/svg';

export const $ = (id) => document.getElementById(id);

export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') node.className = v;
    else node.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export function svgEl(tag, attrs) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  return node;
}

// escapeText makes text safe where Leaflet wants HTML (attributions).
export function escapeText(s) {
  const d = document.createElement('div');
  d.textContent = s;
  return d.innerHTML;
}

export function isSmallScreen() {
  return window.matchMedia('(max-width: 700px)').matches;
}

// showError shows a message in the page's alert banner; '' hides it.
export function showError(msg) {
  const box = $('error');
  box.hidden = !msg;
  box.textContent = msg || '';
}
