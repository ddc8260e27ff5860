import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellLabel, cellSize, compactCount, nearestCopy, ringGradient, typeOrder } from '../../js/cells.js';

test('compactCount reads as the true total: in full below 10,000, then k and M', () => {
  assert.equal(compactCount(0), '0');
  assert.equal(compactCount(394), '394');
  assert.equal(compactCount(9999), '9,999');
  assert.equal(compactCount(10000), '10k');
  assert.equal(compactCount(78000), '78k');
  assert.equal(compactCount(78499), '78k');
  assert.equal(compactCount(78500), '79k');
  assert.equal(compactCount(999499), '999k');
  assert.equal(compactCount(999500), '1M', 'never "1000k"');
  assert.equal(compactCount(1250000), '1.3M');
  assert.equal(compactCount(12400000), '12M');
  assert.equal(compactCount(-1), '0');
  assert.equal(compactCount(NaN), '0');
});

const TYPES = ['Battles', 'Riots', 'Protests'];
const colour = (t) => ({ Battles: '#a00', Riots: '#0a0', Protests: '#00a' }[t] || '#777');

test('typeOrder keeps the taxonomy order, unknown types after, empty types out', () => {
  const counts = new Map([['Protests', 2], ['Other', 1], ['Battles', 5], ['Riots', 0]]);
  assert.deepEqual(typeOrder(TYPES, counts), ['Battles', 'Protests', 'Other']);
});

test('ringGradient splits the ring in proportion to the counts, with gaps between types only', () => {
  assert.equal(ringGradient(TYPES, new Map([['Riots', 7]]), colour), 'conic-gradient(#0a0 0.0deg 360.0deg)');
  const two = ringGradient(TYPES, new Map([['Battles', 3], ['Riots', 1]]), colour);
  assert.equal(two, 'conic-gradient(#a00 0.0deg 266.0deg, #fff 266.0deg 270.0deg, #0a0 270.0deg 356.0deg, #fff 356.0deg 360.0deg)');
  assert.equal(ringGradient(TYPES, new Map(), colour), 'none');
});

test('cellLabel gives the exact count, the types by size and the fatalities', () => {
  const label = cellLabel({ count: 78012, fatalities: 1203, by_type: { Riots: 12, Battles: 78000 } }, TYPES);
  assert.equal(label, '78,012 events here — Battles 78,000, Riots 12; 1,203 fatalities reported. Zoom in to see them.');
  assert.equal(cellLabel({ count: 1, fatalities: 0, by_type: { Protests: 1 } }, TYPES), '1 event here — Protests 1. Zoom in to see them.');
});

test('nearestCopy moves a longitude to the world copy nearest the centre', () => {
  assert.equal(nearestCopy(170, 0), 170);
  assert.equal(nearestCopy(-170, 175), 190);
  assert.equal(nearestCopy(30, 400), 390);
  assert.equal(nearestCopy(30, -300), -330);
});

test('cellSize grows with the count, never past 56 px nor under the hit area', () => {
  const sizes = [1, 100, 1000, 10000, 100000, 1e7].map((n) => cellSize(n, 32));
  assert.deepEqual(sizes, [...sizes].sort((a, b) => a - b));
  assert.ok(sizes.every((s) => s <= 56 && s >= 32));
  assert.equal(cellSize(1, 44), 44);
});
