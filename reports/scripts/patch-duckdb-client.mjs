// Runs as npm `postinstall`.
//
// Why: @duckdb/duckdb-wasm >= 1.29 no longer bundles the parquet extension and
// downloads it during `evidence sources`; with no internet that hangs forever.
// We pin 1.28.0 (package.json `overrides`), which bundles parquet but does not
// know two settings Evidence's client sets at start-up
// (`ieee_floating_point_ops`, `old_implicit_casting`), so start-up fails.
// 1.28 (DuckDB 0.9) already behaves the way those settings ask for, so the
// fix is to issue each SET only when the engine knows the setting. (Catching
// the error instead works too, but the wasm worker then logs it in the browser
// console on every page load.)
//
// Idempotent (skips files already patched) and loud: if Evidence changes the
// code and the pattern is gone, the install fails rather than a build hanging.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const clientDir = join(root, 'node_modules/@evidence-dev/universal-sql/src/client-duckdb');
const files = ['node.js', 'browser.js'];
const settings = ['ieee_floating_point_ops = false', 'old_implicit_casting = true'];
const MARK = '/* loyalty-reports: SET only if known (duckdb-wasm 1.28) */';
// query() is synchronous in the node client and async in the browser one;
// `await` handles both.
const guarded = (name, stmt) =>
	`if ((await connection.query("select 1 from duckdb_settings() where name = '${name}'")).numRows > 0) ${stmt} ${MARK}`;

// `npm install --package-lock-only` runs postinstall too, with nothing installed.
if (!existsSync(join(root, 'node_modules'))) {
	console.log('patch-duckdb-client: no node_modules (lockfile-only install); nothing to patch');
	process.exit(0);
}

let failed = false;
for (const file of files) {
	const path = join(clientDir, file);
	let src;
	try {
		src = readFileSync(path, 'utf8');
	} catch (e) {
		console.error(`patch-duckdb-client: cannot read ${path}: ${e.message}`);
		failed = true;
		continue;
	}
	let changed = false;
	for (const setting of settings) {
		const original = `await connection.query('SET ${setting};');`;
		const patched = guarded(setting.split(' ')[0], original);
		if (src.includes(patched)) continue;
		if (!src.includes(original)) {
			console.error(`patch-duckdb-client: pattern not found in ${path}: ${original}`);
			failed = true;
			continue;
		}
		src = src.replace(original, patched);
		changed = true;
	}
	if (changed) {
		writeFileSync(path, src);
		console.log(`patch-duckdb-client: patched ${file}`);
	}
}
if (failed) {
	console.error('patch-duckdb-client: FAILED; see reports/README.md (duckdb-wasm pin).');
	process.exit(1);
}
