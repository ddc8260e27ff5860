// The palette must stay distinct for readers with the common colour-vision
// deficiencies, in cluster rings a few pixels wide: every pair of event
// type colours keeps a CIE76 distance of at least MIN_DELTA_E in normal
// vision and under simulated protanopia, deuteranopia and tritanopia
// (Machado, Oliveira and Fernandes 2009, severity 1), and the commonest
// pair (Battles, Explosions/Remote violence) a much larger one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const palette = JSON.parse(readFileSync(new URL('../../palette.json', import.meta.url), 'utf8'));
const MIN_DELTA_E = 15;
const COMMON_DELTA_E = 40;

const MATRICES = {
  normal: [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
  protanopia: [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
  deuteranopia: [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.01182, 0.04294, 0.968881]],
  tritanopia: [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.3039]],
};

const toLinear = (c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);

function rgb(hex) {
  return [1, 3, 5].map((i) => toLinear(parseInt(hex.slice(i, i + 2), 16) / 255));
}

function lab([r, g, b]) {
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}

function simulate(hex, m) {
  const c = rgb(hex);
  return lab(m.map((row) => Math.min(1, Math.max(0, row[0] * c[0] + row[1] * c[1] + row[2] * c[2]))));
}

const dist = (a, b) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

test('every event type colour stays apart under each colour-vision deficiency', () => {
  const types = Object.entries(palette.colours);
  assert.equal(types.length, 6);
  for (const [vision, m] of Object.entries(MATRICES)) {
    for (let i = 0; i < types.length; i++) {
      for (let j = i + 1; j < types.length; j++) {
        const d = dist(simulate(types[i][1], m), simulate(types[j][1], m));
        assert.ok(d >= MIN_DELTA_E, `${vision}: ${types[i][0]} and ${types[j][0]} are ${d.toFixed(1)} apart (< ${MIN_DELTA_E})`);
      }
    }
  }
});

test('Battles and Explosions, the commonest pair in cluster rings, are far apart for everyone', () => {
  for (const [vision, m] of Object.entries(MATRICES)) {
    const d = dist(simulate(palette.colours.Battles, m), simulate(palette.colours['Explosions/Remote violence'], m));
    assert.ok(d >= COMMON_DELTA_E, `${vision}: ${d.toFixed(1)} < ${COMMON_DELTA_E}`);
  }
});

test('the old pair (#D55E00, #E69F00) fails the check, so the check can fail', () => {
  const m = MATRICES.deuteranopia;
  assert.ok(dist(simulate('#D55E00', m), simulate('#E69F00', m)) < COMMON_DELTA_E);
});
