// One section of the decision benchmark in a fresh Node process (started by bench/decision.ts):
// `size <n>` times the engine and cedar-wasm on an n-policy set; `pdp` times the full PDP path.
// A fresh process per section keeps JIT state, wasm memory and the engine's slice cache of one
// section from colouring the next. Prints one JSON line `{"report": …}` on stdout.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EntityJson } from '@cedar-policy/cedar-wasm/nodejs';
import { DEFAULT_ENGINE_SETTINGS } from '../src/engine/index.js';
import { EntityIndex } from '../src/signals/identity/index.js';
import { writeFixture } from './fixture.js';
import { generateWorld } from './generate.js';
import { measureSize, prepareWorkload } from './in-process.js';
import { measurePdp } from './pdp.js';
import { PDP_POLICY_SET_SIZE, planFor, SEED } from './plan.js';

export interface SectionArgs {
  readonly section: 'size' | 'pdp';
  readonly size: number;
  readonly quick: boolean;
  /** The clock all generated timestamps are relative to (ISO 8601), the same in every section. */
  readonly now: string;
}

const args = JSON.parse(process.argv[2] ?? '{}') as SectionArgs;
const plan = planFor(args.quick);
const world = generateWorld(SEED, new Date(args.now));
const index = new EntityIndex(world.entities);
const allEntities = world.entities as unknown as EntityJson[];

if (args.section === 'size') {
  const workload = prepareWorkload(world, index, allEntities, DEFAULT_ENGINE_SETTINGS, args.size, plan.requests);
  console.log(JSON.stringify({ report: measureSize(workload, plan) }));
} else {
  const workload = prepareWorkload(world, index, allEntities, DEFAULT_ENGINE_SETTINGS, PDP_POLICY_SET_SIZE, plan.requests);
  const dir = mkdtempSync(join(tmpdir(), 'tenet-bench-pdp-'));
  try {
    const report = await measurePdp(workload, writeFixture(world, workload.policies, dir, 'tenet.db'), plan);
    console.log(JSON.stringify({ report }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
