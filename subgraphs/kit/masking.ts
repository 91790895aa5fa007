/** Masks that keep enough to recognise a value one already holds, and nothing to find a person by. */
export function maskMiddle(value: string, keepStart = 4, keepEnd = 2): string {
  if (value.length <= keepStart + keepEnd) return '*'.repeat(value.length);
  return value.slice(0, keepStart) + '*'.repeat(value.length - keepStart - keepEnd) + value.slice(-keepEnd);
}

/** 038012345634 → 0380******34 */
export const maskIdNumber = (v: string) => maskMiddle(v, 4, 2);
export const maskPhone = (v: string) => maskMiddle(v, 4, 2);
/** Bùi Đức Trung → B. Đ. T. */
export const maskName = (v: string) => v.split(/\s+/).filter(Boolean).map((w) => `${[...w][0]}.`).join(' ');
/** Keeps the province only: *** tỉnh Khánh Hòa */
export const maskAddress = (v: string) => `*** ${v.split(',').pop()!.trim()}`;
/** Licence numbers and plates. */
export const maskCode = (v: string) => maskMiddle(v, 2, 2);

/** Masks every string field of a detail object that `fields` names. */
export function maskFields<T extends object>(fields: (keyof T)[]) {
  return (value: T): T => {
    const copy = Object.assign(Object.create(Object.getPrototypeOf(value)), value) as T;
    for (const f of fields) if (typeof copy[f] === 'string') (copy as any)[f] = maskCode(copy[f] as string);
    return copy;
  };
}
