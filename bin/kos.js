#!/usr/bin/env node
'use strict';
// Launcher for the bundled command line (`npm run build` writes dist/cli.js).
const fs = require('node:fs');
const path = require('node:path');

const bundle = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(bundle)) {
  process.stderr.write(`kos: ${bundle} is missing; run "npm run build" first.\n`);
  process.exit(2);
}
require(bundle);
