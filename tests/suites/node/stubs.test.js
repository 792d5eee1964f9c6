'use strict';
const { test } = require('node:test');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Worker } = require('node:worker_threads');

function runWorker(workerData) {
  return new Promise((resolve, reject) => {
    const w = new Worker(path.join(__dirname, 'stub-worker.js'), { workerData });
    w.on('error', reject);
    w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exited ${code}`))));
  });
}

test('stubs run from worker threads', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stubs-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  await Promise.all([0, 1, 2, 3].map((worker) => runWorker({ dir, worker, count: 25 })));
});
