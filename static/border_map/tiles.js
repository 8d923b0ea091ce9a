/* The incidents of the view by standard web-map tile (`config.urls.clusters`, with {z}, {x}
   and {y}): each tile in view is fetched once per filter and kept, so a pan fetches only the
   tiles that came into view, and every visitor asks the same cacheable URLs. A tile is drawn at
   512 px (8 × 8 cells of 64 px): the map at zoom z asks for the tiles of zoom z - 1, a third of
   the requests 256 px tiles would take. */
import { fetchJSON } from "./http.js";

// The map at zoom z shows the tiles of zoom z - 1, each drawn 512 px wide.
export const TILE_ZOOM_BELOW = 1;
// Web Mercator stops short of the poles.
const MAX_LAT = 85.0511287798066;

/** The tile column and row of zoom `z` holding a point (as the server counts them). */
export function tileOf(lon, lat, z) {
  const n = 2 ** z;
  const phi = (Math.max(-MAX_LAT, Math.min(MAX_LAT, lat)) * Math.PI) / 180;
  const x = Math.floor(((lon + 180) / 360) * n);
  const y = Math.floor(((1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2) * n);
  const clamp = (v) => Math.max(0, Math.min(n - 1, v));
  return [clamp(x), clamp(y)];
}

/** The tiles [z, x, y] of zoom `z` that cover a box of edges {west, south, east, north}. */
export function tilesInView({ west, south, east, north }, z) {
  const [x0, y0] = tileOf(Math.max(-180, west), north, z);
  const [x1, y1] = tileOf(Math.min(180, east), south, z);
  const tiles = [];
  for (let x = x0; x <= x1; x += 1) for (let y = y0; y <= y1; y += 1) tiles.push([z, x, y]);
  return tiles;
}

/** The URL of one tile: the template with z, x and y, and the filters' query, if any. */
export function tileURL(template, [z, x, y], query) {
  const path = template.replace("{z}", z).replace("{x}", x).replace("{y}", y);
  return query ? `${path}?${query}` : path;
}

/** `load(box, zoom, query)` resolves to the answers of the tiles in view; a tile already
    fetched with the same query is not asked again. */
export function clusterTiles(template) {
  const kept = new Map();
  let keptQuery = null;
  function load(box, zoom, query) {
    if (query !== keptQuery) {
      kept.clear(); // other filters: other tiles
      keptQuery = query;
    }
    const z = Math.max(0, Math.round(zoom) - TILE_ZOOM_BELOW);
    const urls = tilesInView(box, z).map((tile) => tileURL(template, tile, query));
    return Promise.all(
      urls.map((url) => {
        if (!kept.has(url)) {
          const answer = fetchJSON(url);
          answer.catch(() => kept.delete(url)); // asked again next time
          kept.set(url, answer);
        }
        return kept.get(url);
      }),
    );
  }
  return { load };
}

/** The answers of several tiles as one drawing: all their clusters and incidents, and total. */
export function mergeTiles(answers) {
  const merged = { total: 0, clusters: [], incidents: [] };
  for (const answer of answers) {
    merged.total += answer.total;
    merged.clusters.push(...answer.clusters);
    merged.incidents.push(...answer.incidents);
  }
  return merged;
}
