// filters.js: the filter form (types, modalities, dates, country, actor,
// words, events per view) and its two directions: a change in the form
// calls onChange with what changed; sync() shows a state in the form.

import { $, el } from './dom.js';
import { symbol } from './symbols.js';
import { parseDate } from './text.js';

const regionNames = typeof Intl.DisplayNames === 'function' ? new Intl.DisplayNames(['en'], { type: 'region' }) : null;

export function countryName(code) {
  try {
    return (regionNames && regionNames.of(code)) || code;
  } catch (e) {
    return code;
  }
}

// createFilters builds the controls. getState() is the live state, which
// the controls change in place before calling onChange(kind) ('filters' or
// 'limit').
export function createFilters({ taxonomy, getState, onChange, config }) {
  const types = $('types');
  for (const t of taxonomy.types) {
    const input = el('input', { type: 'checkbox', name: 'type', value: t });
    input.addEventListener('change', () => {
      const s = getState();
      if (input.checked) s.types.add(t);
      else s.types.delete(t);
      onChange('filters');
    });
    types.append(el('label', { class: 'check' }, input, symbol(taxonomy.colourOf(t), 'occurred', { size: 16 }), t));
  }
  const mods = $('modalities');
  for (const m of taxonomy.modalities) {
    const input = el('input', { type: 'checkbox', name: 'modality', value: m });
    input.addEventListener('change', () => {
      const s = getState();
      if (input.checked) s.modalities.add(m);
      else s.modalities.delete(m);
      onChange('filters');
    });
    mods.append(el('label', { class: 'check' }, input, symbol(taxonomy.unknownColour, m, { size: 16 }), taxonomy.modalityLabels.get(m)));
  }
  for (const id of ['start', 'end']) {
    $(id).addEventListener('change', () => {
      getState()[id] = parseDate($(id).value) ? $(id).value : '';
      onChange('filters');
    });
  }
  $('country').addEventListener('change', () => {
    getState().country = $('country').value;
    onChange('filters');
  });
  for (const id of ['actor', 'q']) {
    let timer = null;
    $(id).addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        getState()[id] = $(id).value.trim();
        onChange('filters');
      }, 350);
    });
  }
  $('limit').addEventListener('change', () => {
    getState().limit = Number($('limit').value) || 0;
    onChange('limit');
  });
  $('filters').addEventListener('submit', (e) => e.preventDefault());

  function ensureCountryOption(code) {
    if (!code) return;
    const select = $('country');
    if ([...select.options].some((o) => o.value === code)) return;
    select.append(el('option', { value: code }, countryName(code) + ' (' + code + ')'));
  }

  function ensureLimitOption(n) {
    if (!n) return;
    const select = $('limit');
    if ([...select.options].some((o) => o.value === String(n))) return;
    select.append(el('option', { value: String(n) }, 'up to ' + n.toLocaleString('en')));
  }

  // The limit menu offers the server's default and larger pages up to its maximum.
  function buildLimitOptions() {
    const max = config.max_limit || 10000;
    const def = config.default_limit || 1000;
    const options = [el('option', { value: '0' }, 'up to ' + def.toLocaleString('en') + ' (default)')];
    for (const n of [5000, 10000, 25000, 50000]) {
      if (n > def && n <= max) options.push(el('option', { value: String(n) }, 'up to ' + n.toLocaleString('en')));
    }
    $('limit').replaceChildren(...options);
  }
  buildLimitOptions();

  // sync shows the state in the form (after a permalink or the time bar).
  function sync() {
    const s = getState();
    for (const input of types.querySelectorAll('input')) input.checked = s.types.has(input.value);
    for (const input of mods.querySelectorAll('input')) input.checked = s.modalities.has(input.value);
    $('start').value = s.start;
    $('end').value = s.end;
    ensureCountryOption(s.country);
    $('country').value = s.country;
    if (document.activeElement !== $('actor')) $('actor').value = s.actor;
    if (document.activeElement !== $('q')) $('q').value = s.q;
    ensureLimitOption(s.limit);
    $('limit').value = String(s.limit);
  }

  // setCountries fills the country menu from api/stats' by_country.
  function setCountries(rows) {
    const select = $('country');
    const keep = getState().country;
    const options = [el('option', { value: '' }, 'All countries')];
    const list = (rows || []).filter((r) => r && r.key);
    list.sort((a, b) => countryName(a.key).localeCompare(countryName(b.key)));
    for (const r of list) options.push(el('option', { value: r.key }, countryName(r.key) + ' (' + r.count + ')'));
    select.replaceChildren(...options);
    ensureCountryOption(keep);
    select.value = keep;
  }

  return { sync, setCountries };
}
