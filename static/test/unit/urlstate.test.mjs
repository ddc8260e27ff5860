import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bboxParam, decodeHash, defaultState, encodeHash, filterParams, nothingSelected } from '../../js/urlstate.js';

const tax = {
  types: ['Battles', 'Explosions/Remote violence', 'Violence against civilians', 'Protests', 'Riots', 'Strategic developments'],
  modalities: ['occurred', 'ongoing', 'threatened'],
};

test('an empty hash is every type and modality, no dates, no view', () => {
  const { state, view } = decodeHash('', tax);
  assert.equal(view, null);
  assert.equal(state.types.size, 6);
  assert.equal(state.modalities.size, 3);
  assert.equal(state.start, '');
  assert.equal(filterParams(state, tax).toString(), '');
});

test('a permalink round-trips through encode and decode', () => {
  const s = defaultState(tax);
  s.types = new Set(['Battles', 'Explosions/Remote violence']);
  s.modalities = new Set(['threatened']);
  s.start = '2024-01-01';
  s.end = '2024-02-29';
  s.country = 'IQ';
  s.actor = 'Houthis';
  s.q = 'drone strike';
  s.limit = 5000;
  const hash = encodeHash(s, { zoom: 6, lat: 33.31234, lng: 44.36661 }, tax);
  assert.match(hash, /^#map=6\/33\.3123\/44\.3666&/);
  assert.match(hash, /type=Explosions\/Remote\+violence/, 'slashes stay readable');
  const back = decodeHash(hash, tax);
  assert.deepEqual(back.view, { zoom: 6, lat: 33.3123, lng: 44.3666 });
  assert.deepEqual([...back.state.types], ['Battles', 'Explosions/Remote violence']);
  assert.deepEqual([...back.state.modalities], ['threatened']);
  for (const k of ['start', 'end', 'country', 'actor', 'q', 'limit']) assert.equal(back.state[k], s[k], k);
});

test('decoding changes nothing but its answer', () => {
  const before = defaultState(tax);
  const a = decodeHash('#type=Battles', tax);
  const b = decodeHash('#type=Riots', tax);
  assert.deepEqual([...a.state.types], ['Battles']);
  assert.deepEqual([...b.state.types], ['Riots']);
  assert.equal(before.types.size, 6);
});

test('no type ticked is written "none" and read back as none', () => {
  const s = defaultState(tax);
  s.types = new Set();
  const hash = encodeHash(s, null, tax);
  assert.equal(hash, '#type=none');
  const back = decodeHash(hash, tax).state;
  assert.equal(back.types.size, 0);
  assert.ok(nothingSelected(back));
});

test('bad values are dropped, not trusted', () => {
  const { state, view } = decodeHash('#map=99x/1/2&type=Nonsense&type=Riots&start=2024-13-01&end=2024-02-30&country=Iraq&limit=abc', tax);
  assert.equal(view, null);
  assert.deepEqual([...state.types], ['Riots']);
  assert.equal(state.start, '');
  assert.equal(state.end, '');
  assert.equal(state.country, '');
  assert.equal(state.limit, 0);
});

test('dates given the wrong way round are swapped', () => {
  const { state } = decodeHash('#start=2024-03-01&end=2024-01-01', tax);
  assert.equal(state.start, '2024-01-01');
  assert.equal(state.end, '2024-03-01');
});

test('filterParams leaves out what is the default and can drop dates', () => {
  const s = defaultState(tax);
  s.start = '2024-01-01';
  s.types.delete('Riots');
  const p = filterParams(s, tax, { bbox: '1,2,3,4', dates: false });
  assert.equal(p.get('bbox'), '1,2,3,4');
  assert.equal(p.get('start'), null);
  assert.equal(p.getAll('type').length, 5);
  assert.ok(!p.getAll('type').includes('Riots'));
  assert.equal(p.getAll('modality').length, 0, 'all modalities: none sent');
});

test('bboxParam wraps, crosses the antimeridian and clamps', () => {
  assert.equal(bboxParam(-10, -5, 20, 30), '-10,-5,20,30');
  assert.equal(bboxParam(170, -20, 190, 10), '170,-20,-170,10', 'across 180°: w > e');
  assert.equal(bboxParam(-400, -100, 400, 100), '-180,-90,180,90', 'the whole world');
  assert.equal(bboxParam(190, 0, 200, 1), '-170,0,-160,1', 'a copy of the world east of 180°');
});
