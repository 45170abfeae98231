// The analysis worker: runs the app's own WebAssembly module, whose main() sees no window and serves
// analysis requests (src/worker.rs). The page passes the module's URLs in the query string.
// Messages that arrive while the module starts are kept and replayed.
const early = [];
self.onmessage = (event) => early.push(event);
const params = new URL(self.location.href).searchParams;
const { default: init } = await import(params.get('js'));
await init({ module_or_path: params.get('wasm') });
for (const event of early) self.onmessage(event);
