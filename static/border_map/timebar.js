/* The time bar under the map: a histogram of the incidents per day (week or month over a long
   span) coloured by type, from /map/timeline.json. Dragging on it, or the arrow keys, choose a
   range of days, which drives the date filters (and so the map, the list, the export links and
   the URL); the play button steps through the days one bin at a time. */
import { format, gettext, ngettext } from "./translation.js";

const SVG = "http://www.w3.org/2000/svg";
const DAY_MS = 86_400_000;
// How long each step of the playback shows its day once the map has drawn it, in milliseconds;
// while the map is still drawing (`busy()`), the player waits, checking every PLAY_POLL_MS.
export const PLAY_STEP_MS = 1500;
const PLAY_POLL_MS = 100;

/* ---- pure functions: days as ISO texts (YYYY-MM-DD), in UTC ---- */

/** The ISO day `n` days after `day`. */
export function addDays(day, n) {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** The first day of the bin holding `day`: the day itself, its week's Monday, its month's 1st. */
export function binStart(day, unit) {
  if (unit === "month") return `${day.slice(0, 8)}01`;
  if (unit === "week") {
    const weekday = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday 0
    return addDays(day, -weekday);
  }
  return day;
}

/** The day after the bin starting on `start`. */
export function nextBin(start, unit) {
  if (unit === "week") return addDays(start, 7);
  if (unit === "month") {
    const date = new Date(`${start}T00:00:00Z`);
    date.setUTCMonth(date.getUTCMonth() + 1);
    return date.toISOString().slice(0, 10);
  }
  return addDays(start, 1);
}

/** Every bin from the first day of the data to the last, empty ones too, in date order:
    {start, end, counts: {type: n}, total}. The endpoint leaves empty bins out. */
export function fillBins(data) {
  if (!data.first || !data.last) return [];
  const known = new Map(data.bins.map(([start, , counts]) => [start, counts]));
  const filled = [];
  for (let start = binStart(data.first, data.unit); start <= data.last; ) {
    const following = nextBin(start, data.unit);
    const counts = known.get(start) || {};
    const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
    filled.push({ start, end: addDays(following, -1), counts, total });
    start = following;
  }
  return filled;
}

/** The bin index under a point `x` pixels into a bar `width` pixels wide of `count` bins. */
export function binAt(x, width, count) {
  if (count === 0 || width <= 0) return 0;
  return Math.max(0, Math.min(count - 1, Math.floor((x / width) * count)));
}

/** The days from bin `a` to bin `b` (either order), kept within the data's first and last day:
    {from, to}. */
export function rangeOfBins(bins, a, b, first, last) {
  const [low, high] = a <= b ? [a, b] : [b, a];
  // ISO days compare as text (Math.min and Math.max would make numbers of them).
  const from = [bins[low].start, first].sort()[1];
  const to = [bins[high].end, last].sort()[0];
  return { from, to };
}

/** The bins a range of days covers, as [first index, last index]; an open end reaches the end
    of the bar; null when there is no range or it misses every bin. */
export function binsOfRange(bins, from, to) {
  if (!bins.length || (!from && !to)) return null;
  let low = bins.findIndex((bin) => !from || bin.end >= from);
  let high = bins.findLastIndex((bin) => !to || bin.start <= to);
  if (low === -1 || high === -1 || low > high) return null;
  low = Math.max(0, low);
  high = Math.min(bins.length - 1, high);
  return [low, high];
}

/** The selection after a key: arrows move it by one bin (with Shift, its end only), Home and
    End go to the first and last bin; null for a key that does not move it. */
export function keyedSelection(selection, key, shift, count) {
  if (count === 0) return null;
  const last = count - 1;
  const [low, high] = selection || [-1, -1];
  const clamp = (n) => Math.max(0, Math.min(last, n));
  if (key === "Home") return [0, shift && selection ? high : 0];
  if (key === "End") return [shift && selection ? low : last, last];
  const step = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1 }[key];
  if (!step) return null;
  if (!selection) return step > 0 ? [0, 0] : [last, last];
  if (shift) return [low, Math.max(low, clamp(high + step))];
  const width = high - low;
  const start = Math.max(0, Math.min(last - width, low + step));
  return [start, start + width];
}

/** How many incidents the bins from `low` to `high` hold. */
export function countIn(bins, low, high) {
  let total = 0;
  for (let i = low; i <= high; i += 1) total += bins[i].total;
  return total;
}

/** What a bar's tooltip says: its days, then each type's count. */
export function binText(bin, typeName) {
  const days = bin.start === bin.end ? bin.start : `${bin.start} – ${bin.end}`;
  const counts = Object.entries(bin.counts)
    .sort((a, b) => b[1] - a[1])
    .map(([type, n]) => `${n} ${typeName(type)}`);
  const total = format(ngettext("%(count)s incident", "%(count)s incidents", bin.total), {
    count: bin.total,
  });
  return counts.length ? `${days}: ${total} (${counts.join(", ")})` : `${days}: ${total}`;
}

/* ---- the bar in the page ---- */

function svgNode(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  return node;
}

/** The time bar in `root` (#timebar): `onRange({from, to})` runs when the person chooses days
    (both empty: all days); `load(params)` fetches the counts for the filters, `show(filters)`
    marks the filters' dates on it. `busy()` is true while the map is still drawing the chosen
    days: the player shows each day PLAY_STEP_MS after it is drawn, however long that takes. */
export function timeBar({
  root,
  fetchJSON,
  url,
  types,
  colourOf,
  typeName,
  onRange,
  busy = () => false,
}) {
  const chart = root.querySelector("#timebar-chart");
  const status = root.querySelector("#timebar-status");
  const play = root.querySelector("#timebar-play");
  const height = 48;
  let bins = [];
  let data = null;
  let selection = null; // [low, high] bin indexes
  let dragFrom = null;
  let playing = null;
  let drawnSince = null; // when the map finished drawing the day the player shows
  let loaded = null;
  let wanted = { from: "", to: "" };

  const svg = svgNode("svg", {
    class: "timebar-svg",
    preserveAspectRatio: "none",
    "aria-hidden": "true",
    focusable: "false",
  });
  const bars = svgNode("g");
  const band = svgNode("rect", { class: "timebar-selection", y: 0, height, width: 0 });
  svg.append(bars, band);
  chart.append(svg);
  chart.setAttribute("tabindex", "0");
  chart.setAttribute("role", "slider");

  function say() {
    if (!bins.length) {
      status.textContent = gettext("No incident to show on the time bar.");
      return;
    }
    let text;
    if (selection) {
      const { from, to } = rangeOfBins(bins, ...selection, data.first, data.last);
      text = format(
        ngettext(
          "%(from)s – %(to)s: %(count)s incident",
          "%(from)s – %(to)s: %(count)s incidents",
          countIn(bins, ...selection),
        ),
        { from, to, count: countIn(bins, ...selection) },
      );
    } else {
      text = format(
        ngettext(
          "All days, %(from)s – %(to)s: %(count)s incident",
          "All days, %(from)s – %(to)s: %(count)s incidents",
          data.total,
        ),
        { from: data.first, to: data.last, count: data.total },
      );
    }
    status.textContent = text;
    chart.setAttribute("aria-valuemin", "0");
    chart.setAttribute("aria-valuemax", String(bins.length - 1));
    chart.setAttribute("aria-valuenow", String(selection ? selection[0] : 0));
    chart.setAttribute("aria-valuetext", text);
  }

  function mark(chosen) {
    selection = chosen;
    if (selection) {
      band.setAttribute("x", String(selection[0]));
      band.setAttribute("width", String(selection[1] - selection[0] + 1));
    } else {
      band.setAttribute("width", "0");
    }
    for (const [i, group] of Array.from(bars.children).entries()) {
      const inside = !selection || (selection[0] <= i && i <= selection[1]);
      group.setAttribute("class", inside ? "timebar-bin" : "timebar-bin outside");
    }
    say();
  }

  function draw() {
    const highest = Math.max(1, ...bins.map((bin) => bin.total));
    svg.setAttribute("viewBox", `0 0 ${Math.max(1, bins.length)} ${height}`);
    const groups = bins.map((bin, i) => {
      const group = svgNode("g", { class: "timebar-bin", transform: `translate(${i} 0)` });
      const title = svgNode("title");
      title.textContent = binText(bin, typeName); // text, never markup
      // A full-height cell behind the bar, so that the tooltip shows over empty days too.
      group.append(title, svgNode("rect", { class: "timebar-cell", x: 0, y: 0, width: 1, height }));
      let top = height;
      for (const type of types) {
        const n = bin.counts[type];
        if (!n) continue;
        const h = (n / highest) * (height - 2);
        top -= h;
        group.append(
          svgNode("rect", { x: 0.07, y: top, width: 0.86, height: h, fill: colourOf(type) }),
        );
      }
      return group;
    });
    bars.replaceChildren(...groups);
    root.setAttribute("data-bins", String(bins.length));
    mark(binsOfRange(bins, wanted.from, wanted.to));
  }

  function choose(chosen) {
    mark(chosen);
    const range = chosen
      ? rangeOfBins(bins, ...chosen, data.first, data.last)
      : { from: "", to: "" };
    wanted = range;
    onRange(range);
  }

  function stop() {
    if (playing === null) return;
    window.clearInterval(playing);
    playing = null;
    play.setAttribute("aria-pressed", "false");
    play.textContent = gettext("Play");
  }

  function tick() {
    if (busy()) {
      drawnSince = null;
      return;
    }
    const now = performance.now();
    if (drawnSince === null) drawnSince = now;
    if (now - drawnSince < PLAY_STEP_MS) return;
    drawnSince = null;
    step();
  }

  function step() {
    const next = selection ? selection[0] + 1 : 0;
    if (next >= bins.length) {
      stop();
      return;
    }
    choose([next, next]);
  }

  function toggle() {
    if (playing !== null) {
      stop();
      return;
    }
    if (!bins.length) return;
    play.setAttribute("aria-pressed", "true");
    play.textContent = gettext("Pause");
    // From the chosen range's first day, else from the first day of the data.
    choose(selection ? [selection[0], selection[0]] : [0, 0]);
    drawnSince = null;
    playing = window.setInterval(tick, PLAY_POLL_MS);
  }

  const binOf = (event) => {
    const box = chart.getBoundingClientRect();
    return binAt(event.clientX - box.left, box.width, bins.length);
  };
  chart.addEventListener("pointerdown", (event) => {
    if (!bins.length || event.button !== 0) return;
    stop();
    dragFrom = binOf(event);
    chart.setPointerCapture(event.pointerId);
    mark([dragFrom, dragFrom]);
    event.preventDefault();
  });
  chart.addEventListener("pointermove", (event) => {
    if (dragFrom === null) return;
    const at = binOf(event);
    mark([Math.min(dragFrom, at), Math.max(dragFrom, at)]);
  });
  const release = () => {
    if (dragFrom === null) return;
    dragFrom = null;
    choose(selection);
  };
  chart.addEventListener("pointerup", release);
  chart.addEventListener("pointercancel", release);
  chart.addEventListener("keydown", (event) => {
    if (event.key === " " || event.key === "Spacebar") {
      event.preventDefault();
      toggle();
      return;
    }
    if (event.key === "Escape") {
      if (!selection) return;
      event.preventDefault();
      stop();
      choose(null);
      return;
    }
    const moved = keyedSelection(selection, event.key, event.shiftKey, bins.length);
    if (!moved) return;
    event.preventDefault();
    stop();
    choose(moved);
  });
  play.addEventListener("click", toggle);

  /** Fetch the counts for these filter parameters (a URLSearchParams without dates). */
  async function load(params) {
    const query = params.toString();
    if (query === loaded) return;
    loaded = query;
    root.setAttribute("data-timebar", "loading");
    try {
      const answer = await fetchJSON(`${url}${query ? `?${query}` : ""}`);
      if (loaded !== query) return;
      data = answer;
      bins = fillBins(data);
      draw();
      root.setAttribute("data-timebar", "ready");
    } catch (error) {
      if (error && error.name === "AbortError") return;
      data = null;
      bins = [];
      bars.replaceChildren();
      status.textContent = gettext("The time bar could not be loaded.");
      root.setAttribute("data-timebar", "error");
    }
  }

  /** Mark the filters' dates on the bar (after the form changed or was restored). */
  function show(filters) {
    wanted = { from: filters.from, to: filters.to };
    if (data) mark(binsOfRange(bins, wanted.from, wanted.to));
  }

  return { load, show, stop };
}
