// cells.js: how the density of events is said and drawn: counts short
// enough for a map label, the ring of colours split by event type that
// clusters and density cells share, and a cell's place on the world copy
// in view. Pure functions (no DOM, no map), so node's test runner checks
// them (test/unit/cells.test.mjs).

// compactCount is a count short enough for a map label that still reads
// as the true total: up to 9,999 in full, then thousands ("78k", "1.2M").
export function compactCount(n) {
  if (!Number.isFinite(n) || n < 0) return '0';
  if (n < 10000) return Math.round(n).toLocaleString('en');
  if (n < 999500) return Math.round(n / 1000) + 'k';
  const m = n / 1e6;
  return (m < 9.95 ? m.toFixed(1).replace(/\.0$/, '') : String(Math.round(m))) + 'M';
}

// typeOrder lists the event types of counts (a Map of type to count) in
// the taxonomy's order, unknown types after, those with no event left out.
export function typeOrder(types, counts) {
  return [...types, ...[...counts.keys()].filter((t) => !types.includes(t))].filter((t) => counts.get(t) > 0);
}

// ringGradient is the CSS conic-gradient of a ring split by event type in
// proportion to counts (a Map), with a thin white gap between segments so
// that neighbouring colours stay apart. colourOf(type) names each colour.
export function ringGradient(types, counts, colourOf) {
  const order = typeOrder(types, counts);
  const total = order.reduce((n, t) => n + counts.get(t), 0);
  if (!total) return 'none';
  const gap = order.length > 1 ? 4 : 0;
  let at = 0;
  const stops = [];
  for (const t of order) {
    const from = (at / total) * 360;
    at += counts.get(t);
    const to = (at / total) * 360;
    const end = Math.max(from, to - gap);
    stops.push(colourOf(t) + ' ' + from.toFixed(1) + 'deg ' + end.toFixed(1) + 'deg');
    if (gap) stops.push('#fff ' + end.toFixed(1) + 'deg ' + to.toFixed(1) + 'deg');
  }
  return 'conic-gradient(' + stops.join(', ') + ')';
}

// cellLabel is a density cell's accessible name: the exact count, the
// counts by type (largest first) and the known fatalities.
export function cellLabel(props, types) {
  const n = props.count || 0;
  const counts = new Map(Object.entries(props.by_type || {}));
  const kinds = typeOrder(types, counts).sort((a, b) => counts.get(b) - counts.get(a))
    .map((t) => t + ' ' + counts.get(t).toLocaleString('en'));
  let label = n.toLocaleString('en') + (n === 1 ? ' event here' : ' events here');
  if (kinds.length) label += ' — ' + kinds.join(', ');
  if (props.fatalities > 0) label += '; ' + props.fatalities.toLocaleString('en') + (props.fatalities === 1 ? ' fatality' : ' fatalities') + ' reported';
  return label + '. Zoom in to see them.';
}

// nearestCopy shifts a longitude by whole turns to the world copy nearest
// the map's centre, so that a cell is drawn where the reader looks after
// the map has wrapped around the antimeridian.
export function nearestCopy(lon, centreLon) {
  return lon + 360 * Math.round((centreLon - lon) / 360);
}

// cellSize is the side in pixels of a density cell's disc: larger for
// larger counts, at most 56 so that neighbouring cells (64 px apart at
// the zoom they were counted for) do not overlap.
export function cellSize(n, minimum) {
  const base = n < 100 ? 34 : n < 1000 ? 40 : n < 10000 ? 46 : n < 100000 ? 52 : 56;
  return Math.max(minimum || 0, base);
}

// BLOCK_CELLS is the side, in cells, of the blocks in which the page asks
// for counts: a block is one request whose answer is kept, so that a pan
// asks only for the blocks that came into view.
export const BLOCK_CELLS = 8;

// cellsAround is the number of density cells around the world at a zoom
// (the server's grid: 64 pixels of a 256-pixel-tile map).
export function cellsAround(zoom) {
  return 4 * 2 ** zoom;
}

// blocksInView lists the blocks (of BLOCK_CELLS x BLOCK_CELLS cells, on the
// server's grid from -180 and -90) that a view (west, south, east, north,
// with longitudes possibly past ±180 where the map shows a world copy)
// overlaps, each with its bbox inside -180..180 and -90..90.
export function blocksInView(west, south, east, north, zoom) {
  const n = cellsAround(zoom);
  const per = Math.min(BLOCK_CELLS, n);
  const side = (360 / n) * per;
  const across = n / per;
  const rows = Math.ceil(n / 2 / per);
  let cols = [];
  if (east - west >= 360) {
    cols = [...Array(across).keys()];
  } else {
    for (let i = Math.floor((west + 180) / side); i <= Math.floor((east + 180) / side); i++) {
      const c = ((i % across) + across) % across;
      if (!cols.includes(c)) cols.push(c);
    }
  }
  const s = Math.max(-90, south);
  const nn = Math.min(90, north);
  const first = Math.max(0, Math.floor((s + 90) / side));
  const last = Math.min(rows - 1, Math.floor((nn + 90) / side));
  const blocks = [];
  for (const bx of cols) {
    for (let by = first; by <= last; by++) {
      const w = -180 + bx * side;
      const so = -90 + by * side;
      blocks.push({ id: zoom + '/' + bx + '/' + by, bx, by, bbox: [w, so, Math.min(180, w + side), Math.min(90, so + side)] });
    }
  }
  return blocks;
}

// mercatorY is Web Mercator's y of a latitude, in turns (0 at the north
// edge of the map, 1 at the south one), as Leaflet projects it.
function mercatorY(lat) {
  const max = 85.0511287798;
  const r = (Math.max(-max, Math.min(max, lat)) * Math.PI) / 180;
  return 0.5 - Math.log(Math.tan(Math.PI / 4 + r / 2)) / (2 * Math.PI);
}

function latitudeOf(y) {
  return (Math.atan(Math.exp((0.5 - y) * 2 * Math.PI)) * 360) / Math.PI - 90;
}

// viewAround is the view ({west, south, east, north}, longitudes not
// wrapped) of a map of w x h pixels centred on lat/lng at a zoom, without
// a map: boot.js asks for its blocks before Leaflet has loaded.
export function viewAround(lat, lng, zoom, w, h) {
  const world = 256 * 2 ** zoom;
  const y = mercatorY(lat);
  return {
    west: lng - (w / 2 / world) * 360,
    east: lng + (w / 2 / world) * 360,
    north: latitudeOf(Math.max(0, y - h / 2 / world)),
    south: latitudeOf(Math.min(1, y + h / 2 / world)),
  };
}

// ownsCell tells whether a cell ("zoom/x/y") belongs to a block: each cell
// belongs to one block, so that counts from the blocks are never added
// twice (an event on a block's edge is in both blocks' bboxes, but in one
// cell).
export function ownsCell(block, cellId) {
  const [, x, y] = String(cellId).split('/').map(Number);
  const per = BLOCK_CELLS;
  return Math.floor(x / per) === block.bx && Math.floor(y / per) === block.by;
}

// countInView adds up the counts of the cells (GeoJSON features with a
// bbox) that overlap a view, at least the view's own count: enough to tell
// whether the view holds more events than the page draws one by one.
export function countInView(features, west, south, east, north) {
  const centre = (west + east) / 2;
  let n = 0;
  for (const f of features) {
    const b = f.bbox;
    if (!b) continue;
    const shift = nearestCopy((b[0] + b[2]) / 2, centre) - (b[0] + b[2]) / 2;
    if (b[2] + shift >= west && b[0] + shift <= east && b[3] >= south && b[1] <= north) n += f.properties.count;
  }
  return n;
}
