// Embeds the messenger like the one-line snippet, with the pilot key (and optional locale and
// storage mode) taken from this page's query string: /spa/?key=pk_… lets you try any pilot.
const params = new URLSearchParams(location.search);
const script = document.createElement('script');
script.async = true;
script.src = '/widget.js';
script.dataset.pilotKey = params.get('key') || 'pk_demo';
for (const name of ['locale', 'storage']) {
  const value = params.get(name);
  if (value) script.dataset[name] = value;
}
document.body.append(script);
