import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fixAntimeridian, outlineScale, unwrapRing, visibleLabels } from '../../js/geometry.js';

test('a ring crossing 180° is made continuous', () => {
  const { ring, moved } = unwrapRing([[170, 60], [179, 61], [-179, 62], [-170, 63], [170, 60]]);
  assert.ok(moved);
  assert.deepEqual(ring.map((p) => p[0]), [170, 179, 181, 190, 170]);
});

// stripes counts the edges that run more than 180° across: each is a line
// drawn across the whole world.
function stripes(geojson) {
  let n = 0;
  for (const f of geojson.features) {
    const g = f.geometry;
    if (!g) continue;
    const polys = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
    for (const poly of polys) for (const ring of poly) {
      for (let i = 1; i < ring.length; i++) if (Math.abs(ring[i][0] - ring[i - 1][0]) > 180) n++;
    }
  }
  return n;
}

test('the Natural Earth outlines draw no stripe across the world', async (t) => {
  const require = createRequire(import.meta.url);
  let topojson;
  let topo;
  try {
    topojson = require('../../node_modules/topojson-client/dist/topojson-client.js');
    topo = JSON.parse(readFileSync(new URL('../../node_modules/world-atlas/countries-110m.json', import.meta.url)));
  } catch (e) {
    if (process.env.CI === 'true') throw new Error('static/node_modules is missing (make assets): ' + e.message);
    t.skip('static/node_modules is missing (make assets)');
    return;
  }
  const land = topojson.feature(topo, topo.objects.countries);
  assert.ok(stripes(land) > 0, 'the raw outlines do cross the antimeridian');
  const fixed = fixAntimeridian(land);
  assert.equal(stripes(fixed), 0);
  const russia = fixed.features.find((f) => f.properties.name === 'Russia');
  const lons = russia.geometry.coordinates.flat(2).map((p) => p[0]);
  assert.ok(Math.min(...lons) <= -169 && Math.max(...lons) >= 179, 'Chukotka is drawn on both sides');
});

test('outlines are sized to the zoom', () => {
  assert.equal(outlineScale(2), '110m');
  assert.equal(outlineScale(4), '110m');
  assert.equal(outlineScale(5), '50m');
  assert.equal(outlineScale(9), '50m');
});

test('labels show by zoom and inside the view, across 180° too', () => {
  const labels = [
    { name: 'A', lat: 10, lon: 10, min_zoom: 2 },
    { name: 'B', lat: 10, lon: 10, min_zoom: 5 },
    { name: 'C', lat: -17, lon: 178, min_zoom: 2 },
    { name: 'D', lat: -17, lon: -179, min_zoom: 2 },
  ];
  assert.deepEqual(visibleLabels(labels, 3, [0, 0, 20, 20]).map((l) => l.name), ['A']);
  assert.deepEqual(visibleLabels(labels, 6, [0, 0, 20, 20]).map((l) => l.name), ['A', 'B']);
  assert.deepEqual(visibleLabels(labels, 3, [170, -30, -170, 0]).map((l) => l.name), ['C', 'D']);
});
