/** The edge-case program of the thread tests (threads-edge.c), built non-PIE into tests/fixtures/bin on first use. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SRC = join(import.meta.dirname, 'threads-edge.c');
export const EDGE = join(import.meta.dirname, '..', 'fixtures', 'bin', 'threads-edge');

export function buildEdge(): string {
  if (existsSync(EDGE) && statSync(EDGE).mtimeMs >= statSync(SRC).mtimeMs) return EDGE;
  mkdirSync(join(EDGE, '..'), { recursive: true });
  const tmp = `${EDGE}.${process.pid}.tmp`;
  execFileSync('gcc', ['-g', '-O0', '-no-pie', '-fno-pie', '-fno-omit-frame-pointer', '-pthread', '-o', tmp, SRC]);
  renameSync(tmp, EDGE);
  return EDGE;
}
