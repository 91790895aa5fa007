/** Days the centre's counters were closed to the public (data, like the holiday calendar). */
export const COUNTER_CLOSURES: { from: string; to: string; reason: string }[] = [
  { from: '2020-04-01', to: '2020-04-22', reason: 'Covid-19 (Chỉ thị 16/CT-TTg): online and postal intake only' },
];

export function counterClosure(localDay: string) {
  return COUNTER_CLOSURES.find((c) => localDay >= c.from && localDay <= c.to);
}
