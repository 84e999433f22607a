/**
 * How deeply a parsed JSON value nests, measured without recursion (an explicit stack),
 * so a hostile body nested thousands of levels deep is refused before any recursive
 * code — schema checks, canonical hashing, JSON.stringify — can overflow the stack on
 * it. `{}` and `[]` are one level, a scalar none.
 */
export const MAX_JSON_DEPTH = 64;

/** The value's depth, counted no further than `limit + 1` (enough to know it is too deep). */
export function jsonDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  let deepest = 0;
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    if (top.value === null || typeof top.value !== 'object') continue;
    const depth = top.depth + 1;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    const children: unknown[] = Array.isArray(top.value) ? top.value : Object.values(top.value);
    for (const child of children) if (child !== null && typeof child === 'object') stack.push({ value: child, depth });
  }
  return deepest;
}

export const tooDeepDetail = { path: '', message: `nested deeper than ${MAX_JSON_DEPTH} levels` } as const;
