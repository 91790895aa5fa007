/** UPU S10 item identifiers: two letters, eight digits, a check digit, the country code. */
const WEIGHTS = [8, 6, 4, 2, 3, 5, 9, 7];

export function s10CheckDigit(serial: string): number {
  const sum = [...serial].reduce((acc, digit, i) => acc + Number(digit) * WEIGHTS[i], 0);
  const check = 11 - (sum % 11);
  return check === 10 ? 0 : check === 11 ? 5 : check;
}

export function formatTrackingNumber(service: string, serial: number, country = 'VN'): string {
  const digits = String(serial).padStart(8, '0');
  return `${service}${digits}${s10CheckDigit(digits)}${country}`;
}

export function isTrackingNumber(value: string): boolean {
  const m = /^[A-Z]{2}(\d{8})(\d)[A-Z]{2}$/.exec(value);
  return !!m && s10CheckDigit(m[1]) === Number(m[2]);
}
