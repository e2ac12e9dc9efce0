/** FNV-1a 32-bit: a stable, fast, platform-independent hash for `split` and round robin. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // Final avalanche (murmur3 fmix32) so near-identical ids spread evenly over buckets.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** A stable number in [0, 100) for a key (a conversation id plus a node id). */
export function bucket(key: string): number {
  return (fnv1a(key) % 10_000) / 100;
}
