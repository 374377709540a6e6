// Sijil glue for the CSP-friendly "external" ALTCHA build (not part of the
// altcha npm package). The external build bundles no proof-of-work workers, so
// every algorithm the server may issue must be registered here. Worker URLs are
// resolved relative to this file, so the directory layout must stay:
//   altcha/altcha.min.js, altcha/altcha-init.js, altcha/workers/{pbkdf2,sha}.js,
//   altcha/i18n/ar.js
// Load with: <script type="module" src=".../vendor/altcha/altcha-init.js"></script>
import "./altcha.min.js";
// Arabic strings; the widget picks the language from <html lang> (or its
// language="..." attribute). English is built in.
import "./i18n/ar.js";

const workerUrl = (name) => new URL(`./workers/${name}.js`, import.meta.url);
const pbkdf2 = () => new Worker(workerUrl("pbkdf2"));
const sha = () => new Worker(workerUrl("sha"));

for (const alg of ["PBKDF2/SHA-256", "PBKDF2/SHA-384", "PBKDF2/SHA-512"]) {
  globalThis.$altcha.algorithms.set(alg, pbkdf2);
}
for (const alg of ["SHA-256", "SHA-384", "SHA-512"]) {
  globalThis.$altcha.algorithms.set(alg, sha);
}
