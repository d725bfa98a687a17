// List numbers shared by the engine and both reclaim models (PageLists list ids; 0 is "on no list").

/** Two-list LRU lists (enum lru_list in include/linux/mmzone.h, plus one). */
export const INACTIVE_ANON = 1;
export const ACTIVE_ANON = 2;
export const INACTIVE_FILE = 3;
export const ACTIVE_FILE = 4;
/** MGLRU: file generations live on lists FILE_GEN_BASE + (seq % MAX_NR_GENS); anonymous pages on MGLRU_ANON. */
export const MGLRU_ANON = 5;
export const FILE_GEN_BASE = 6;
export const MAX_NR_GENS = 4;
/** Lists the PageLists of a run needs. */
export const LIST_COUNT = FILE_GEN_BASE + MAX_NR_GENS;
/** SWAP_CLUSTER_MAX: reclaim's batch, and the least a reclaim call asks for. */
export const SWAP_CLUSTER_MAX = 32;
/** DEF_PRIORITY: the first scan priority; a scan at priority p looks at size >> p pages. */
export const DEF_PRIORITY = 12;
