// blocks.js: the counts per area, asked block by block (api/clusters with
// a block's bbox) and kept: a pan asks only for the blocks that came into
// view, and a block already asked for (or on its way) is never asked
// twice for the same filters and zoom. The answers of other filters or
// zooms are dropped, and their requests still on the way aborted, as soon
// as the page asks for another.

import { blocksInView, ownsCell } from './cells.js';

const MAX_BLOCKS = 400; // answers kept at most; past that the oldest go

// blockQuery is the api/clusters query of a block: the filter params, the
// block's bbox and the zoom (boot.js asks the same before the page runs).
export function blockQuery(params, block, zoom) {
  const q = new URLSearchParams(params);
  q.set('bbox', block.bbox.join(','));
  q.set('zoom', String(zoom));
  return q;
}

// createBlocks takes fetchCells(params, signal), which answers a
// FeatureCollection of cells for URLSearchParams.
export function createBlocks(fetchCells) {
  let scope = ''; // the filters and zoom of the blocks kept
  let ctrl = new AbortController();
  const kept = new Map(); // block id -> Promise<features owned by the block>
  const done = new Map(); // block id -> its features, once answered

  function reset(next) {
    ctrl.abort();
    ctrl = new AbortController();
    kept.clear();
    done.clear();
    scope = next;
  }

  // cells resolves with the cells of the blocks a view overlaps (view:
  // {west, south, east, north}), for filter params (URLSearchParams with no
  // bbox) at zoom. It rejects when a block's answer failed (that block is
  // asked again next time) or the scope changed meanwhile (an AbortError).
  async function cells(params, zoom, view) {
    const key = params.toString() + '|' + zoom;
    if (key !== scope) reset(key);
    const signal = ctrl.signal;
    const wanted = blocksInView(view.west, view.south, view.east, view.north, zoom);
    const answers = wanted.map((b) => {
      let p = kept.get(b.id);
      if (!p) {
        p = fetchCells(blockQuery(params, b, zoom), signal).then((fc) => (fc.features || []).filter((f) => ownsCell(b, f.id)));
        p.then((cells) => {
          if (kept.get(b.id) === p) done.set(b.id, cells);
        }, () => {
          if (kept.get(b.id) === p) kept.delete(b.id);
        });
        kept.set(b.id, p);
        if (kept.size > MAX_BLOCKS) {
          const oldest = kept.keys().next().value;
          kept.delete(oldest);
          done.delete(oldest);
        }
      }
      return p;
    });
    return (await Promise.all(answers)).flat();
  }

  // ready returns at once the cells of a view when every block it needs
  // has been answered already (for these filters and zoom), else null: the
  // map can then be drawn the moment it stops moving.
  function ready(params, zoom, view) {
    if (params.toString() + '|' + zoom !== scope) return null;
    const out = [];
    for (const b of blocksInView(view.west, view.south, view.east, view.north, zoom)) {
      const cells = done.get(b.id);
      if (!cells) return null;
      out.push(...cells);
    }
    return out;
  }

  return {
    cells,
    ready,
    // clear forgets every answer (the data changed).
    clear: () => reset(''),
  };
}
