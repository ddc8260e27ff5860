// articleform.js: the "Add an article" form: posts an article with the
// ingest token and says what was found, or in words why it was refused.

import * as api from './api.js';
import { $ } from './dom.js';

// createArticleForm wires the form; onAdded(features) shows the new events.
export function createArticleForm(onAdded) {
  $('article-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const out = $('article-result');
    out.classList.remove('error');
    const body = {
      title: $('article-title').value.trim(),
      url: $('article-url').value.trim(),
      published: $('article-published').value,
      text: $('article-text').value,
    };
    out.textContent = 'Adding…';
    try {
      const answer = await api.postArticle(body, $('article-token').value.trim());
      const evs = (answer && answer.events && answer.events.features) || [];
      const places = [...new Set(evs.map((f) => f.properties && (f.properties.location || f.properties.mention)).filter(Boolean))];
      out.textContent = evs.length
        ? 'Added ' + evs.length + (evs.length === 1 ? ' event' : ' events') + ': ' + places.join(', ') + '.'
        : 'Added; no event was found in this article.';
      $('article-text').value = '';
      onAdded(evs);
    } catch (err) {
      out.classList.add('error');
      const why = err.status === 401 ? ' (the token was refused)' : err.status === 413 ? ' (the article is too large)' : '';
      out.textContent = 'The article was not added: ' + err.message + why + '.';
    }
  });
}
