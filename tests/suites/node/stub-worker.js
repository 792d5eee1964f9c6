'use strict';
// One worker: writes stub scripts and runs each one straight away.
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const { dir, worker, count } = workerData;
for (let i = 0; i < count; i++) {
  const stub = path.join(dir, `stub-${worker}-${i}`);
  fs.writeFileSync(stub, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  execFileSync(stub);
}
