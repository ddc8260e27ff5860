// timebar.js: the time bar under the map: events per week (or month, or
// year) in the view and the filters, a range chosen by dragging across the
// bars (or with the arrow keys), presets for the latest day, week and
// month, and a play button that steps through the range.

import { $, el, svgEl } from './dom.js';
import {
  axisTicks, bucketsFor, inRange, playSteps, presetRange, rangeOfBuckets, tickLabel,
} from './timeline.js';

const BAR_W = 10;
const H = 40;
const STEP_MS = 1400;

// createTimebar wires the time bar. hooks.range() is the chosen
// {start, end}; hooks.setRange(start, end) applies a range (and returns a
// promise that settles when the map shows it).
export function createTimebar(hooks) {
  const svg = $('histogram');
  const axis = $('histogram-axis');
  const playButton = $('play');
  const status = $('play-status');
  let buckets = [];
  let unit = 'week';
  let latest = '';
  let focusIndex = -1;
  let drag = null;
  let playing = null;

  function indexAt(clientX) {
    const r = svg.getBoundingClientRect();
    const i = Math.floor(((clientX - r.left) / r.width) * buckets.length);
    return Math.max(0, Math.min(buckets.length - 1, i));
  }

  function draw() {
    const { start, end } = hooks.range();
    const w = Math.max(buckets.length, 1) * BAR_W;
    svg.setAttribute('viewBox', '0 0 ' + w + ' ' + H);
    const max = Math.max(1, ...buckets.map((b) => b.count));
    const nodes = [];
    const sel = drag ? rangeOfBuckets(buckets, drag.from, drag.to) : { start, end };
    if (focusIndex >= buckets.length) focusIndex = buckets.length - 1;
    if (focusIndex < 0 && buckets.length) {
      const first = buckets.findIndex((b) => inRange(b, sel.start, sel.end));
      focusIndex = first >= 0 ? first : buckets.length - 1;
    }
    buckets.forEach((b, i) => {
      const h = b.count ? Math.max(3, (b.count / max) * (H - 2)) : 0;
      const on = inRange(b, sel.start, sel.end);
      const words = b.label + ': ' + b.count + (b.count === 1 ? ' event' : ' events');
      // A full-height hit area keeps empty and low bars reachable; it is
      // the focusable "bar" a keyboard moves along.
      const hit = svgEl('rect', {
        x: i * BAR_W, y: 0, width: BAR_W, height: H, class: on ? 'hit in' : 'hit',
        'data-start': b.start, 'data-end': b.end, 'data-index': i,
        role: 'button', 'aria-label': words, 'aria-pressed': String(!!on), tabindex: i === focusIndex ? '0' : '-1',
      });
      const title = svgEl('title');
      title.textContent = words;
      hit.append(title);
      const bar = svgEl('rect', { x: i * BAR_W + 1, y: H - h, width: BAR_W - 2, height: h, class: on ? 'bar in' : 'bar', 'data-start': b.start });
      nodes.push(bar, hit);
    });
    svg.replaceChildren(...nodes);
    const total = buckets.reduce((n, b) => n + b.count, 0);
    svg.setAttribute('aria-label', buckets.length
      ? total + ' dated events in view from ' + buckets[0].start + ' to ' + buckets[buckets.length - 1].end + ', one bar per ' + unit +
        '. Drag across the bars, or use the arrow keys and Enter (Shift extends), to choose dates.'
      : 'No dated events in view');
    const ticks = axisTicks(buckets.length, Math.max(2, Math.min(6, Math.floor(svg.clientWidth / 90) || 4)));
    axis.replaceChildren(...ticks.map((i) => {
      const s = el('span', null, tickLabel(buckets[i].start, unit));
      s.style.left = ((i + 0.5) / buckets.length) * 100 + '%';
      return s;
    }));
    if (!buckets.length) axis.append(el('span', { class: 'none' }, 'no dated events in view'));
    for (const b of document.querySelectorAll('#presets button[data-preset]')) {
      const r = presetRange(b.dataset.preset, latest);
      b.disabled = !r;
      b.setAttribute('aria-pressed', String(!!r && r.start === start && r.end === end));
      if (r) b.title = r.start === r.end ? r.end : r.start + ' to ' + r.end;
    }
    playButton.disabled = !buckets.length;
  }

  function choose(i, j) {
    stop();
    status.textContent = '';
    const r = rangeOfBuckets(buckets, i, j);
    if (r) hooks.setRange(r.start, r.end);
  }

  svg.addEventListener('pointerdown', (e) => {
    if (!buckets.length || e.button !== 0) return;
    const i = indexAt(e.clientX);
    const { start, end } = hooks.range();
    // Shift stretches the chosen range to the bar; otherwise a new range starts.
    let from = i;
    if (e.shiftKey && (start || end)) {
      const a = buckets.findIndex((b) => inRange(b, start, end));
      const z = buckets.length - 1 - [...buckets].reverse().findIndex((b) => inRange(b, start, end));
      if (a >= 0) from = i < a ? z : a;
    }
    drag = { from, to: i };
    svg.setPointerCapture(e.pointerId);
    e.preventDefault();
    draw();
  });
  svg.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const i = indexAt(e.clientX);
    if (i !== drag.to) {
      drag.to = i;
      draw();
    }
  });
  const endDrag = (e) => {
    if (!drag) return;
    const d = drag;
    drag = null;
    if (svg.hasPointerCapture(e.pointerId)) svg.releasePointerCapture(e.pointerId);
    focusIndex = d.to;
    choose(d.from, d.to);
  };
  svg.addEventListener('pointerup', endDrag);
  svg.addEventListener('pointercancel', () => {
    drag = null;
    draw();
  });

  // Keyboard: the bars are one tab stop; arrows move, Enter or Space
  // chooses a bar, Shift+Enter stretches the range to it.
  let anchor = -1;
  svg.addEventListener('keydown', (e) => {
    const t = e.target;
    if (!t.dataset || t.dataset.index === undefined) return;
    const i = Number(t.dataset.index);
    let j = i;
    if (e.key === 'ArrowRight' || e.key === 'ArrowUp') j = Math.min(buckets.length - 1, i + 1);
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowDown') j = Math.max(0, i - 1);
    else if (e.key === 'Home') j = 0;
    else if (e.key === 'End') j = buckets.length - 1;
    else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      if (e.shiftKey && anchor >= 0) choose(anchor, i);
      else {
        anchor = i;
        choose(i, i);
      }
      return;
    } else return;
    e.preventDefault();
    focusIndex = j;
    draw();
    const next = svg.querySelector('rect.hit[data-index="' + j + '"]');
    if (next) next.focus();
  });
  svg.addEventListener('focusin', (e) => {
    if (e.target.dataset && e.target.dataset.index !== undefined) focusIndex = Number(e.target.dataset.index);
  });

  for (const b of document.querySelectorAll('#presets button[data-preset]')) {
    b.addEventListener('click', () => {
      const r = presetRange(b.dataset.preset, latest);
      stop();
      status.textContent = '';
      if (r) hooks.setRange(r.start, r.end);
    });
  }
  $('clear-dates').addEventListener('click', () => {
    stop();
    status.textContent = '';
    hooks.setRange('', '');
  });

  function stop(restore) {
    if (!playing) return;
    const p = playing;
    playing = null;
    clearTimeout(p.timer);
    playButton.textContent = 'Play';
    playButton.setAttribute('aria-pressed', 'false');
    document.body.classList.remove('playing');
    status.textContent = restore ? '' : 'Stopped at ' + (p.steps[p.at] ? p.steps[p.at].label : '');
    if (restore) hooks.setRange(p.start, p.end);
  }

  // play shows the range one bar at a time, each for STEP_MS once its
  // events are on the map, then comes back to the whole range.
  async function play() {
    const { start, end } = hooks.range();
    const steps = playSteps(buckets, start, end);
    if (!steps.length) return;
    playing = { steps, at: 0, start, end, timer: null };
    playButton.textContent = 'Pause';
    playButton.setAttribute('aria-pressed', 'true');
    document.body.classList.add('playing');
    const me = playing;
    const step = async () => {
      if (playing !== me) return;
      if (me.at >= steps.length) {
        stop(true);
        status.textContent = 'Played ' + steps.length + ' steps';
        return;
      }
      const s = steps[me.at];
      status.textContent = 'Playing ' + (me.at + 1) + ' of ' + steps.length + ': ' + s.label;
      document.body.dataset.playStep = String(me.at + 1);
      await hooks.setRange(s.start, s.end, { playing: true });
      if (playing !== me) return;
      me.timer = setTimeout(() => {
        me.at++;
        step();
      }, STEP_MS);
    };
    step();
  }

  playButton.addEventListener('click', () => {
    if (playing) stop();
    else play();
  });

  return {
    // setData takes weekly counts ([{key, count}]) and the latest event day.
    setData(rows, lastDay) {
      const b = bucketsFor(rows, 'week');
      buckets = b.buckets;
      unit = b.unit;
      latest = lastDay || (buckets.length ? buckets[buckets.length - 1].end : '');
      draw();
    },
    draw,
    stop,
    isPlaying: () => !!playing,
  };
}
