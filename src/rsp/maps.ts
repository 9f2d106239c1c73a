/** The RSP client's name for the one /proc/PID/maps parser (src/util/maps.ts). */
export { parseMaps } from '../util/maps.js';
