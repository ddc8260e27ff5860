// labels.json is what gen-labels.mjs writes from the embedded gazetteer:
// its countries and capitals are still in the gazetteer, where it says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildLabels } from '../../gen-labels.mjs';

const committed = JSON.parse(readFileSync(new URL('../../labels.json', import.meta.url), 'utf8'));

test('labels.json names countries and capitals, each with a zoom', () => {
  const countries = committed.labels.filter((l) => l.kind === 'country');
  const capitals = committed.labels.filter((l) => l.kind === 'capital');
  assert.ok(countries.length >= 190, countries.length + ' countries');
  assert.ok(capitals.length >= 190, capitals.length + ' capitals');
  for (const l of committed.labels) {
    assert.ok(l.name && l.min_zoom >= 2 && l.min_zoom <= 6, JSON.stringify(l));
    assert.ok(Math.abs(l.lat) <= 90 && Math.abs(l.lon) <= 180, JSON.stringify(l));
  }
  for (const name of ['Iraq', 'Syria', 'Yemen', 'Sudan']) assert.ok(countries.some((l) => l.name === name), name);
  for (const name of ['Baghdad', 'Damascus', 'Amman', 'Khartoum']) assert.ok(capitals.some((l) => l.name === name), name);
  const big = countries.find((l) => l.name === 'Russia');
  const small = countries.find((l) => l.name === 'Lebanon');
  assert.ok(big.min_zoom < small.min_zoom, 'large countries are named before small ones');
});

// A label's point may move a little when the gazetteer's representative
// points improve; a label of a place the gazetteer no longer holds, or far
// from where it now stands, means labels.json is stale.
test('every label is still in the gazetteer, near where labels.json puts it (else: node static/gen-labels.mjs)', () => {
  const fresh = buildLabels(readFileSync(new URL('../../../geo/gazetteer/data/gazetteer.tsv.gz', import.meta.url)));
  const at = new Map(fresh.labels.map((l) => [l.kind + '|' + l.cc + '|' + l.name, l]));
  for (const l of committed.labels) {
    const g = at.get(l.kind + '|' + l.cc + '|' + l.name);
    assert.ok(g, `${l.kind} ${l.name} (${l.cc}) is no longer in the gazetteer`);
    assert.ok(Math.abs(g.lat - l.lat) < 15 && Math.abs(g.lon - l.lon) < 15, `${l.name} is at ${l.lat},${l.lon} in labels.json, ${g.lat},${g.lon} in the gazetteer`);
  }
});
