'use strict';

/**
 * `trim()` hands the free memory of glibc's malloc arenas back to the system and says whether
 * any was released; `null` when the addon was not built (an optional dependency) or cannot load.
 */
exports.loadTrim = function loadTrim() {
  try {
    return require('./build/trim.node').trim;
  } catch {
    return null;
  }
};
