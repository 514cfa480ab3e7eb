// After `npm ci` in a folder: for each native addon that prebuild-install could not
// download (this machine reaches no GitHub) and node-gyp compiled instead, leaves a
// prebuild tarball where prebuild-install looks first, npm's cache (_prebuilds). Every
// later install of the same version, in any folder, then unpacks it instead of compiling:
// prebuild-install's own offline path, so a plain `npm install` (docs/install.md's) gains
// too. Only Node-ABI prebuilds (better-sqlite3); N-API ones (sqlite3 -r napi) are left.
// usage: npm_config_cache=DIR node tests/support/cache_prebuilds.cjs NODE_MODULES
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const modules = path.resolve(process.argv[2]);
for (const name of fs.readdirSync(modules)) {
  const dir = path.join(modules, name);
  let pkg;
  try {
    pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  } catch {
    continue;
  }
  const install = (pkg.scripts && pkg.scripts.install) || '';
  if (!install.includes('prebuild-install') || install.includes('napi')) continue;
  const release = path.join(dir, 'build', 'Release');
  // the addon itself only: prebuild-install loads the last file it unpacks to check it,
  // and better-sqlite3 also builds a test extension that is no Node module
  const addon = `${(pkg.binary && pkg.binary.module_name) || pkg.name.replace(/-/g, '_')}.node`;
  const built = fs.existsSync(path.join(release, addon)) ? [addon] : [];
  if (built.length === 0) continue;
  const util = require(require.resolve('prebuild-install/util', { paths: [dir] }));
  const url = util.getDownloadUrl({
    pkg, runtime: 'node', abi: process.versions.modules, platform: process.platform,
    arch: process.arch, libc: '', 'tag-prefix': 'v',
  });
  const cached = util.cachedPrebuild(url);
  if (fs.existsSync(cached)) continue;
  fs.mkdirSync(path.dirname(cached), { recursive: true });
  const temp = `${cached}.${process.pid}.tmp`;
  execFileSync('tar', ['czf', temp, '-C', dir, ...built.map((f) => `build/Release/${f}`)]);
  fs.renameSync(temp, cached);
  console.log(`npm: cached a prebuild of ${pkg.name} ${pkg.version} for later installs`);
}
