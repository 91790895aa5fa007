import { formatDossierCode, isDossierCode, parseDossierCode } from '../../subgraphs/kit/dossier-code';
import { formatTrackingNumber, isTrackingNumber, s10CheckDigit } from '../../subgraphs/postal/tracking-number';

describe('dossier codes', () => {
  it('when formatted, then the code reads <unit>-<yyMMdd>-<NNNN>', () => {
    expect(formatDossierCode('000.00.16.H56', '2020-04-01', 12)).toBe('000.00.16.H56-200401-0012');
  });

  it.each(['000.00.06.H56-231027-0361', 'H56.14-240823-0001'])('when a real code %s is checked, then it is valid', (code) => {
    expect(isDossierCode(code)).toBe(true);
  });

  it.each(['', 'bad', '000.00.16.H56-200231-0001', '000.00.16.H56-200401-0000', '000.00.16.H56-200401-12', "x'; DROP TABLE dossier;--"])(
    'when the code is %p, then it is rejected',
    (code) => expect(isDossierCode(code)).toBe(false),
  );

  it('when parsed, then the parts come back', () => {
    expect(parseDossierCode('000.00.16.H56-200401-0012')).toEqual({ unitCode: '000.00.16.H56', localDay: '2020-04-01', sequence: 12 });
  });

  it('when the daily number would pass 9999, then formatting refuses', () => {
    expect(() => formatDossierCode('H56', '2020-04-01', 10000)).toThrow(RangeError);
  });
});

describe('postal tracking numbers (UPU S10)', () => {
  it('when the check digit computes to 10 or 11, then it is written 0 or 5', () => {
    for (let serial = 0; serial < 2000; serial++) {
      const d = s10CheckDigit(String(serial).padStart(8, '0'));
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(9);
    }
  });

  it('when a known item number is checked, then its check digit matches', () => {
    expect(s10CheckDigit('47312482')).toBe(9);
  });

  it('when one digit is altered, then the number is invalid', () => {
    const n = formatTrackingNumber('RE', 12345678);
    expect(isTrackingNumber(n)).toBe(true);
    expect(isTrackingNumber(n.replace('12345678', '12345679'))).toBe(false);
  });
});

import { splitPeriod, ReportInterval } from '../../subgraphs/intake/report/series';
import { percent } from '../../subgraphs/kit/report/period';

describe('report arithmetic', () => {
  it('when rates are rounded, then it is half up on exact integers', () => {
    expect(percent(1762, 1766)).toBe(99.77);
    expect(percent(45, 1752)).toBe(2.57);
    expect(percent(966, 1766)).toBe(54.7);
    expect(percent(1, 8)).toBe(12.5);
    expect(percent(1, 200)).toBe(0.5);
    expect(percent(1, 0)).toBeNull();
  });

  it('when a period is split by week, then weeks run Monday to Sunday and are clipped to the period', () => {
    expect(splitPeriod('2020-04-01', '2020-04-14', ReportInterval.WEEK)).toEqual([
      ['2020-04-01', '2020-04-05'], ['2020-04-06', '2020-04-12'], ['2020-04-13', '2020-04-14'],
    ]);
  });

  it('when a period is split by month or day, then months end on their last day and days are each their own', () => {
    expect(splitPeriod('2020-02-15', '2020-04-10', ReportInterval.MONTH)).toEqual([
      ['2020-02-15', '2020-02-29'], ['2020-03-01', '2020-03-31'], ['2020-04-01', '2020-04-10'],
    ]);
    expect(splitPeriod('2020-04-29', '2020-05-01', ReportInterval.DAY)).toHaveLength(3);
  });
});
