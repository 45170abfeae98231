// Starts the app from an external module so the Content-Security-Policy needs no inline script.
// Trunk writes the hashed file names into this script tag's data-js / data-wasm attributes.
const tag = document.querySelector('script[data-js][data-wasm]');
const { default: init } = await import(new URL(tag.dataset.js, document.baseURI).href);
await init({ module_or_path: new URL(tag.dataset.wasm, document.baseURI).href });
