import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addDays, axisTicks, bucketsFor, bucketsOf, inRange, mondayOf, playSteps, presetRange, rangeOfBuckets,
} from '../../js/timeline.js';

test('weeks start on Monday and empty weeks are kept', () => {
  assert.equal(mondayOf('2024-01-28'), '2024-01-22');
  assert.equal(mondayOf('2024-01-22'), '2024-01-22');
  const b = bucketsOf([{ key: '2024-01-01', count: 2 }, { key: '2024-01-22', count: 5 }], 'week');
  assert.deepEqual(b.map((x) => [x.start, x.end, x.count]), [
    ['2024-01-01', '2024-01-07', 2], ['2024-01-08', '2024-01-14', 0], ['2024-01-15', '2024-01-21', 0], ['2024-01-22', '2024-01-28', 5],
  ]);
  assert.equal(b[0].label, 'Week of 1 January 2024');
});

test('long spans are shown by month, then by year', () => {
  const rows = [{ key: '2020-01-06', count: 1 }, { key: '2023-06-05', count: 1 }];
  const m = bucketsFor(rows);
  assert.equal(m.unit, 'month');
  assert.equal(m.buckets.length, 42);
  assert.equal(m.buckets[0].end, '2020-01-31');
  const y = bucketsFor([{ key: '1990-01-01', count: 1 }, { key: '2024-01-01', count: 1 }]);
  assert.equal(y.unit, 'year');
  assert.equal(y.buckets.length, 35);
  assert.equal(bucketsFor([]).buckets.length, 0);
});

test('presets end on the latest day', () => {
  assert.deepEqual(presetRange('24h', '2024-03-10'), { start: '2024-03-10', end: '2024-03-10' });
  assert.deepEqual(presetRange('7d', '2024-03-10'), { start: '2024-03-04', end: '2024-03-10' });
  assert.deepEqual(presetRange('30d', '2024-03-01'), { start: '2024-02-01', end: '2024-03-01' });
  assert.equal(presetRange('7d', ''), null);
  assert.equal(presetRange('1y', '2024-03-01'), null);
});

test('a drag from either end covers the buckets between', () => {
  const b = bucketsOf([{ key: '2024-01-01', count: 1 }, { key: '2024-01-29', count: 1 }], 'week');
  assert.deepEqual(rangeOfBuckets(b, 3, 1), { start: '2024-01-08', end: '2024-01-28' });
  assert.deepEqual(rangeOfBuckets(b, 0, 0), { start: '2024-01-01', end: '2024-01-07' });
  assert.ok(inRange(b[1], '2024-01-10', ''));
  assert.ok(!inRange(b[0], '2024-01-10', ''));
  assert.ok(!inRange(b[0], '', ''), 'no range: nothing is highlighted');
});

test('playback steps bucket by bucket through the range, clipped to it', () => {
  const b = bucketsOf([{ key: '2024-01-01', count: 1 }, { key: '2024-01-29', count: 1 }], 'week');
  const all = playSteps(b, '', '');
  assert.equal(all.length, 5);
  const some = playSteps(b, '2024-01-10', '2024-01-24');
  assert.deepEqual(some.map((s) => [s.start, s.end]), [['2024-01-10', '2024-01-14'], ['2024-01-15', '2024-01-21'], ['2024-01-22', '2024-01-24']]);
});

test('axis ticks include both ends', () => {
  assert.deepEqual(axisTicks(3, 5), [0, 1, 2]);
  assert.deepEqual(axisTicks(10, 3), [0, 5, 9]);
  assert.deepEqual(axisTicks(0, 3), []);
  assert.equal(addDays('2024-02-28', 2), '2024-03-01');
});
