// A tiny single-page app: links marked data-spa navigate with history.pushState.
document.addEventListener('click', (event) => {
  const link = event.target instanceof Element ? event.target.closest('a[data-spa]') : null;
  if (!link) return;
  event.preventDefault();
  const url = new URL(link.getAttribute('href'), location.href);
  url.search = location.search;
  const title = `${link.textContent} — Acme Outdoor SPA`;
  history.pushState({}, '', url);
  document.title = title;
  document.getElementById('view').textContent = link.textContent;
});
