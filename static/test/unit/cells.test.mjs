import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  blocksInView, cellLabel, cellSize, compactCount, countInView, nearestCopy, ownsCell, ringGradient, typeOrder, viewAround,
} from '../../js/cells.js';

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

test('blocksInView covers a view with blocks of 8 x 8 cells on the server\'s grid', () => {
  // Zoom 2: 16 cells of 22.5 degrees around, so blocks of 180 degrees: two across, one down.
  assert.deepEqual(blocksInView(-92, -70, 172, 80, 2).map((b) => [b.id, b.bbox]),
    [['2/0/0', [-180, -90, 0, 90]], ['2/1/0', [0, -90, 180, 90]]]);
  // Zoom 6: blocks of 11.25 degrees; a view of the Black Sea takes 2 x 2.
  const z6 = blocksInView(30, 40, 40, 50, 6);
  assert.deepEqual(z6.map((b) => b.id), ['6/18/11', '6/18/12', '6/19/11', '6/19/12']);
  for (const b of z6) {
    assert.ok(b.bbox[0] <= 40 && b.bbox[2] >= 30 && b.bbox[1] <= 50 && b.bbox[3] >= 40, 'each overlaps the view');
  }
  // A view across the antimeridian takes the blocks of both ends, once each.
  assert.deepEqual(blocksInView(170, -10, 190, 10, 6).map((b) => b.bx).filter((x, i, a) => a.indexOf(x) === i), [31, 0]);
  // A view wider than the world takes every block once.
  assert.equal(blocksInView(-400, -85, 400, 85, 3).length, 4 * 2);
  // Zoom 0 has one block for the world.
  assert.deepEqual(blocksInView(-180, -90, 180, 90, 0).map((b) => b.bbox), [[-180, -90, 180, 90]]);
});

test('ownsCell gives every cell to one block', () => {
  const blocks = blocksInView(-180, -90, 180, 90, 4);
  for (const id of ['4/0/0', '4/63/31', '4/8/8', '4/7/15', '4/40/20']) {
    assert.equal(blocks.filter((b) => ownsCell(b, id)).length, 1, id);
  }
});

test('countInView adds up the cells that overlap the view, world copies included', () => {
  const cell = (w, s, n) => ({ bbox: [w, s, w + 10, s + 10], properties: { count: n } });
  const cells = [cell(0, 0, 5), cell(20, 0, 7), cell(-180, 0, 11), cell(100, 0, 13)];
  assert.equal(countInView(cells, -5, -5, 25, 5), 12);
  assert.equal(countInView(cells, 170, -5, 190, 5), 11, 'the cell east of -180 shows east of 180');
  assert.equal(countInView(cells, -5, 20, 25, 30), 0);
});

test('viewAround is the Web Mercator view of a map of a size, without a map', () => {
  const world = viewAround(0, 0, 2, 1024, 1024);
  assert.equal(world.west, -180);
  assert.equal(world.east, 180);
  assert.ok(Math.abs(world.north - 85.0511) < 1e-3 && Math.abs(world.south + 85.0511) < 1e-3, JSON.stringify(world));
  // Zoom 6, 1400 pixels wide: 1400 / (256 * 64) of a turn.
  const v = viewAround(48, 37.8, 6, 1400, 900);
  assert.ok(Math.abs(v.west - (37.8 - (700 / 16384) * 360)) < 1e-9);
  assert.ok(v.south < 48 && v.north > 48 && v.north - 48 < 48 - v.south + 1, 'north of the centre is nearer in degrees');
  // Half as high: the latitude half way up in Mercator, not in degrees.
  const top = viewAround(48, 37.8, 6, 1400, 450).north;
  assert.ok(top > 48 && top < v.north);
  // A smaller map's blocks are among the larger one's (boot.js asks the larger).
  const big = new Set(blocksInView(v.west, v.south, v.east, v.north, 6).map((b) => b.id));
  const s = viewAround(48, 37.8, 6, 1000, 600);
  for (const b of blocksInView(s.west, s.south, s.east, s.north, 6)) assert.ok(big.has(b.id), b.id);
  // The poles are clamped where Leaflet clamps them.
  const pole = viewAround(84, 0, 2, 1400, 900);
  assert.ok(pole.north <= 85.0512 && pole.south > -90);
});
