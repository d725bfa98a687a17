// Property: on arbitrary input every parser returns a value or throws the project's ParseError — nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ParseError } from './errors.js';
import { parsePidStat } from './proc/pid-stat.js';
import { parsePidStatus } from './proc/pid-status.js';
import { parsePidIo } from './proc/pid-io.js';
import { parsePressure } from './proc/pressure.js';
import { parseProcStat } from './proc/stat.js';
import { parseMeminfo } from './proc/meminfo.js';
import { parsePidCgroup } from './proc/pid-cgroup.js';
import { parseKernelStack } from './proc/pid-kstack.js';
import { parseVmstat } from './proc/vmstat.js';
import { parseFlatKeyed, parseSingleValue } from './parse-util.js';
import { parseOomControl } from './cgroup/v1/memory.js';
import { parseMemoryEvents } from './cgroup/v2/memory.js';
import { parseCpuMax } from './cgroup/cpu.js';
import { parseLruGenEnabled } from './sys/lru-gen.js';

const parsers: Record<string, (t: string) => unknown> = {
  parsePidStat, parsePidStatus, parsePidIo, parsePressure, parseProcStat, parseMeminfo, parsePidCgroup, parseKernelStack,
  parseVmstat, parseFlatKeyed, parseOomControl, parseMemoryEvents, parseCpuMax, parseLruGenEnabled,
  parseSingleValue: (t) => parseSingleValue(t, 'value'),
};

// Text that looks like kernel files: their tokens, digits, separators, and anything else.
const kernelish = fc.oneof(
  fc.string(),
  fc.array(fc.oneof(fc.constantFrom('some', 'full', 'avg10=', 'total=', '(', ')', ':', ' ', '\n', '\t', 'max', 'kB', 'R', 'cpu', '0::/', '[<0>] ', '+0x1/0x2'), fc.nat().map(String), fc.string({ maxLength: 4 })), { maxLength: 60 }).map((a) => a.join('')),
);

for (const [name, parse] of Object.entries(parsers)) {
  test(`${name}() returns a value or throws ParseError on arbitrary input`, () => {
    fc.assert(
      fc.property(kernelish, (text) => {
        try {
          parse(text);
        } catch (err) {
          assert.ok(err instanceof ParseError, `${name} threw ${String(err)}`);
        }
      }),
      { numRuns: 400 },
    );
  });
}
