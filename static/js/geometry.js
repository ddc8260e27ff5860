// geometry.js: outline and label geometry for the map: rings that cross
// the antimeridian, which outline scale suits a zoom, which labels a zoom
// shows. Pure (test/geometry.test.mjs).

// unwrapRing makes a ring continuous in longitude: where two consecutive
// points jump by more than 180°, the rest of the ring moves by 360°, so a
// polygon crossing the antimeridian is drawn as one piece rather than as a
// stripe across the whole world. It returns the ring and whether it moved.
export function unwrapRing(ring) {
  let shift = 0;
  let moved = false;
  const out = [];
  let prev = null;
  for (const pt of ring) {
    const lon = pt[0] + shift;
    if (prev !== null) {
      const d = lon - prev;
      if (d > 180) shift -= 360;
      else if (d < -180) shift += 360;
    }
    const x = pt[0] + shift;
    if (shift !== 0) moved = true;
    out.push([x, pt[1]]);
    prev = x;
  }
  return { ring: out, moved };
}

function shiftPolygon(poly, dx) {
  return poly.map((ring) => ring.map(([x, y]) => [x + dx, y]));
}

// fixAntimeridian returns a copy of a GeoJSON Feature or FeatureCollection
// whose (Multi)Polygons have continuous rings; a polygon that ends up past
// ±180° is drawn a second time shifted back by 360°, so both sides of the
// line show it (Chukotka beside Alaska and beside the rest of Russia).
export function fixAntimeridian(geojson) {
  const fixPolys = (polys) => {
    const out = [];
    for (const poly of polys) {
      const rings = poly.map((r) => unwrapRing(r).ring);
      out.push(rings);
      let min = Infinity;
      let max = -Infinity;
      for (const r of rings) for (const [x] of r) {
        if (x < min) min = x;
        if (x > max) max = x;
      }
      if (max > 180) out.push(shiftPolygon(rings, -360));
      else if (min < -180) out.push(shiftPolygon(rings, 360));
    }
    return out;
  };
  const fixGeometry = (g) => {
    if (!g) return g;
    if (g.type === 'Polygon') {
      const polys = fixPolys([g.coordinates]);
      return polys.length === 1 ? { type: 'Polygon', coordinates: polys[0] } : { type: 'MultiPolygon', coordinates: polys };
    }
    if (g.type === 'MultiPolygon') return { type: 'MultiPolygon', coordinates: fixPolys(g.coordinates) };
    return g;
  };
  if (geojson.type === 'FeatureCollection') {
    return { ...geojson, features: geojson.features.map((f) => ({ ...f, geometry: fixGeometry(f.geometry) })) };
  }
  if (geojson.type === 'Feature') return { ...geojson, geometry: fixGeometry(geojson.geometry) };
  return fixGeometry(geojson);
}

// MIN_ZOOM and MAX_ZOOM bound the map's zoom (boot.js reads them too).
export const MIN_ZOOM = 2;
export const MAX_ZOOM = 14;

// DETAIL_ZOOM is the first zoom drawn with the 1:50m outlines; below it the
// 1:110m ones, a sixth of the size, are as sharp as the screen shows.
export const DETAIL_ZOOM = 5;

export function outlineScale(zoom) {
  return zoom >= DETAIL_ZOOM ? '50m' : '110m';
}

// visibleLabels picks the labels to draw at a zoom inside a box [w, s, e, n]
// (w > e across the antimeridian): each label has a min_zoom.
export function visibleLabels(labels, zoom, box) {
  const [w, s, e, n] = box;
  const inLon = (x) => (w <= e ? x >= w && x <= e : x >= w || x <= e);
  return labels.filter((l) => l.min_zoom <= zoom && l.lat >= s && l.lat <= n && inLon(l.lon));
}
