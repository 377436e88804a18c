// Renders every fixture context with every stage template through the WASM build, as the approval page
// will, and writes the results as JSON for `render-wasm/tests/wasm_parity.rs`, which compares them with
// native renders byte for byte. Also checks the JS API's shape and its errors.
//
// Usage: node tests/wasm-parity/parity.mjs <dir with the page's kindly_render.js and kindly_render_bg.wasm> <results.json>
// (the wasm-bindgen "web" module the approval page loads, as scripts/ci-wasm.sh exports it)

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [pkgDir, resultsPath] = process.argv.slice(2);
if (!pkgDir || !resultsPath) {
  console.error('usage: node tests/wasm-parity/parity.mjs <renderer dir> <results.json>');
  process.exit(2);
}

// The very module the page imports; in node it is given the wasm bytes instead of fetching them.
const kindly = await import(pathToFileURL(resolve(pkgDir, 'kindly_render.js')).href);
kindly.initSync({ module: readFileSync(resolve(pkgDir, 'kindly_render_bg.wasm')) });
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const fixturesDir = join(repo, 'render-wasm/tests/fixtures');

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
// Hand-written fixtures: rendered with every stage template.
const fixtures = readdirSync(fixturesDir)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => ({ name: file.slice(0, -'.json'.length), context: readJson(join(fixturesDir, file)) }));
// Ladder fixtures (ladder/{conversation}/{template}.json): each rendered with its own template only.
const ladderDir = join(fixturesDir, 'ladder');
const ladder = readdirSync(ladderDir)
  .sort()
  .flatMap((conversation) =>
    readdirSync(join(ladderDir, conversation))
      .filter((file) => file.endsWith('.json'))
      .sort()
      .map((file) => ({ name: conversation, context: readJson(join(ladderDir, conversation, file)) })),
  );
assert.ok(ladder.length > 0, `no ladder fixtures in ${ladderDir}`);
assert.ok(fixtures.length > 0, `no fixtures in ${fixturesDir}`);
// Messages with and without the link to the customer's page must both render alike.
assert.ok(fixtures.some(({ context }) => context.customer_page), 'no fixture with a customer_page');
assert.ok(fixtures.some(({ context }) => !context.customer_page), 'no fixture without a customer_page');

// The stage templates: those the ladder sends (every stage and the thank-you), in both languages. The
// module exports no list of its own (each export costs the page bytes); the native test checks that these
// are all the templates there are.
const templatesOf = (prefix) => [...new Set(ladder
  .filter(({ name }) => name.startsWith(prefix))
  .map(({ context }) => context.template))].sort();
const templates = templatesOf('en-');
assert.deepEqual(templatesOf('de-'), templates, 'the German ladder sends what the English one does');
// The seven stages of the ladder and the thank-you.
assert.equal(templates.length, 8, `ladder templates: ${templates}`);

const cases = [
  ...fixtures.flatMap(({ name, context }) => templates.map((template) => ({ name, context, template }))),
  ...ladder.map(({ name, context }) => ({ name, context, template: context.template })),
];
const results = [];
for (const { name, context, template } of cases) {
  const rendered = kindly.render(JSON.stringify({ ...context, template }));
  assert.deepEqual(Object.keys(rendered).sort(), ['contentHash', 'html', 'subject', 'text']);
  results.push({ fixture: name, template, ...rendered });

  // The page's live preview: the same parts and hash, also after the note is changed and changed back.
  const preview = new kindly.Preview(JSON.stringify({ ...context, template, personal_note: null }));
  preview.setPersonalNote('A different note for a moment');
  preview.render();
  preview.setPersonalNote(context.personal_note ?? null);
  const { subject, text, html } = preview.render();
  assert.deepEqual({ subject, text, html }, { subject: rendered.subject, text: rendered.text, html: rendered.html });
  assert.equal(preview.contentHash(), rendered.contentHash, `${name} × ${template}: Preview hash`);
  preview.free();
}

mkdirSync(dirname(resolve(resultsPath)), { recursive: true });
writeFileSync(resultsPath, JSON.stringify(results, null, 1));

// Errors reach JavaScript as `Error`s whose message says what is wrong and where.
const base = fixtures[0].context;
const throwsWith = (json, pattern) =>
  assert.throws(() => kindly.render(json), (error) => {
    assert.ok(error instanceof Error, `not an Error: ${error}`);
    assert.match(error.message, pattern);
    return true;
  });
throwsWith('{"template": ', /^invalid context: EOF while parsing a value at line 1 column 13$/);
throwsWith('not json', /^invalid context: expected ident at line 1 column 2$/);
throwsWith(JSON.stringify({ ...base, language: undefined }), /missing field `language`/);
throwsWith(JSON.stringify({ ...base, invoices: 'INV-1' }), /invalid type: string "INV-1", expected a sequence at line \d+ column \d+/);
throwsWith(JSON.stringify({ ...base, template: 'friendly_nudge' }), new RegExp(`^no template \`friendly_nudge\` in language \`${base.language}\`$`));
throwsWith(JSON.stringify({ ...base, invoices: [] }), /^invalid context: a message covers at least one invoice$/);

console.log(`wasm parity: ${results.length} messages rendered (${fixtures.length} fixtures × ${templates.length} templates, ${ladder.length} ladder messages) to ${resultsPath}; 6 error checks passed`);
