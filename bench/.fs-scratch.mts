import { PhysicalFileSystem } from '../core/fs/physical.js';
const fs = new PhysicalFileSystem({ root: '/tmp/sf' });
for (const label of ['warm', 'measure']) {
  const t0 = performance.now();
  for (let i = 1; i <= 300; i++) {
    const { stream } = await fs.openRead(`/f${i}`, 0);
    stream.destroy();
  }
  console.log(label, ((performance.now() - t0) / 300).toFixed(3), 'ms per openRead');
}
const t1 = performance.now();
for (let i = 1; i <= 300; i++) await fs.stat(`/f${i}`);
console.log(((performance.now() - t1) / 300).toFixed(3), 'ms per stat');
