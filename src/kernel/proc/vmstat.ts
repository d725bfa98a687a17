// /proc/vmstat: "name value" counters of the VM. No formal doc; see mm/vmstat.c vmstat_text[].
// Example: "pgscan_direct 1234", "pgsteal_kswapd 99", "workingset_refault_file 7"
import type { HostPaths } from '../../host/host-paths.js';
import { DIRECT_READER, type KernelReader } from '../read.js';
import { parseFlatKeyed } from '../parse-util.js';

/** Parses `/proc/vmstat` into a map; every counter is kept. */
export function parseVmstat(text: string): Record<string, number> {
  return parseFlatKeyed(text);
}

/** Reads `/proc/vmstat`. */
export function readVmstat(host: HostPaths, reader: KernelReader = DIRECT_READER): Record<string, number> {
  return parseVmstat(reader.read(`${host.proc}/vmstat`));
}
