/**
 * A nested run config as dotted columns: { train: { lr: 1e-3 }, seed: 0 } -> { 'train.lr': 1e-3,
 * seed: 0 }. Arrays and other non-scalar leaves become JSON text, so every value fits a table cell.
 */
export function flattenConfig(config: Readonly<Record<string, unknown>>, prefix = ''): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(config)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flattenConfig(v as Record<string, unknown>, key));
    else if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[key] = v;
    else if (v !== undefined) out[key] = JSON.stringify(v);
  }
  return out;
}
