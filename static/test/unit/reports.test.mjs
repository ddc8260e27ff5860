import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventFromHash, sourceCount } from '../../js/reports.js';

test('eventFromHash reads #event=ID permalinks', () => {
  assert.equal(eventFromHash('#event=0e13d17f0d3f2e92'), '0e13d17f0d3f2e92');
  assert.equal(eventFromHash('#map=5/33/36&event=a%2Fb'), 'a/b');
  assert.equal(eventFromHash('#map=5/33/36'), '');
  assert.equal(eventFromHash('#event=%E0%A4%A'), '');
  assert.equal(eventFromHash(''), '');
});

test('sourceCount is 1 unless several articles report the event', () => {
  assert.equal(sourceCount({ source_count: 4 }), 4);
  assert.equal(sourceCount({ source_count: 1 }), 1);
  assert.equal(sourceCount({}), 1);
  assert.equal(sourceCount({ source_count: '3' }), 1);
});
